"""Figures said as an office writes them, where no past sentence carries them: one clause a
figure (name, value, 同比), a total and its parts in one clause with the subject named once, at
most MAX_NUMBERS numbers a sentence, and the 〔待补：本期…〕 slot of a section with nothing to say.
The writers (assistant.writers, assistant.model_writer) share these rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from . import domain
from .domain import patterns
from .render import REFERENCE
from .types import Citation, Figure, FigureField, FigureSet


def ref(figure_id: str, field_name: str = "value") -> str:
    return f"{{{{{figure_id}}}}}" if field_name == "value" else f"{{{{{figure_id}.{field_name}}}}}"


def named(figure: Figure, figure_set: FigureSet) -> str:
    """The figure's name led by its own period where that is not the report's: 2023年度生态质量
    指数 in a 2025年上半年 draft, 年度计划投资, 一季度… (a name already saying it is left)."""
    own, report = figure.period, figure_set.period
    if own is None or report is None or own == report:
        return prose_name(figure.name)
    said = own.said_in(report)
    if own.since is not None and "累计" in figure.name:
        said = said.removesuffix("累计")  # 自2023年以来 + 累计建成…
    if said in figure.name or (said == "年度" and "全年" in figure.name):
        return prose_name(figure.name)
    return said + prose_name(figure.name)


def prose_name(name: str) -> str:
    """A spreadsheet header said as in prose (the pack's header_endings): the count word follows
    the number, so 森林火灾起数 is said 森林火灾 (森林火灾4起), 劣Ⅴ类断面数 劣Ⅴ类断面."""
    for ending, kept in domain.current().patterns.header_endings.items():
        if name.endswith(ending) and len(name) > len(ending) + 1:
            return name[: -len(ending)] + kept
    return name


def zero_count(figure: Figure, *, target: bool = False) -> bool:
    """A count of zero (its ``target`` of zero) that reads as words (未发生森林火灾, 无劣Ⅴ类断面)
    rather than 0起: its name says what is counted (not 重污染天数, 死亡人数, whose 0 stays a
    number)."""
    written = (figure.target_written if target else figure.written) or ""
    return (
        domain.current().patterns.zero is not None
        and figure.kind == "count"
        and written.strip() in ("0", "０")
        and not prose_name(figure.name).endswith("数")
    )


def zero_words(name: str, *, plan: bool = False) -> str:
    """未发生森林火灾 / 无劣Ⅴ类断面 (a plan: 不发生… / 无…), by whether ``name`` is an event."""
    rule = domain.current().patterns.zero
    assert rule is not None
    if any(word in name for word in rule.events):
        return (rule.plan_happened if plan else rule.happened).format(name=name)
    return (rule.plan_none if plan else rule.none).format(name=name)


_PIECE = re.compile(r"[^，；。]+[，；。]?|[，；。]")


def zero_counts(sentence: str, figure_set: FigureSet) -> str:
    """A re-filled sentence with each zero count said in words: 上半年发生森林火灾{{fires}}，
    及时扑灭，未造成人员伤亡。 → 上半年未发生森林火灾。 The clauses after it about handling what
    did not happen (the pack's zero.handling words) go, and so does its 同比持平."""
    rule = domain.current().patterns.zero
    if rule is None or not REFERENCE.search(sentence):
        return sentence
    out: list[str] = []
    zeroed: str | None = None  # the id of the zero count just rewritten
    for piece in _PIECE.findall(sentence):
        if zeroed is not None and _follows_zero(piece, zeroed, figure_set, rule.handling):
            if out and piece[-1] in "。；":
                out[-1] = out[-1].rstrip("，；。") + piece[-1]
            continue
        zeroed = None
        for match in REFERENCE.finditer(piece):
            figure = figure_set.get(match.group(1))
            if match.group(2) not in (None, "value") or figure is None or not zero_count(figure):
                continue
            rewritten = _zero_clause(piece[: match.start()], figure, rule.verbs)
            tail = piece[match.end() :]
            if rewritten is not None and tail.strip("，；。") == "":
                piece, zeroed = rewritten + tail, figure.id
            break
        out.append(piece)
    return "".join(out)


def _follows_zero(
    piece: str, figure_id: str, figure_set: FigureSet, handling: Sequence[str]
) -> bool:
    """A clause after a zero count that goes with it: handling words and no figure of its own,
    or the count's own 同比 when that is 持平."""
    refs = [(m.group(1), m.group(2)) for m in REFERENCE.finditer(piece)]
    if not refs:
        return any(word in piece for word in handling)
    change = figure_set.change(figure_id)
    flat = change is not None and change.direction == "持平"
    return flat and refs == [(figure_id, "change")]


def _zero_clause(before: str, figure: Figure, verbs: dict[str, str]) -> str | None:
    """The words before a zero count rewritten: 上半年发生森林火灾 → 上半年未发生森林火灾,
    较大以上事故起数 → 未发生较大以上事故; None when the clause does not end in what it counts."""
    for verb in sorted(verbs, key=len, reverse=True):
        at = before.rfind(verb)
        if at >= 0 and before[at + len(verb) :].strip():
            lead = before[:at].removesuffix("共")
            return lead + verbs[verb] + prose_name(before[at + len(verb) :].strip())
    for name in (figure.name, prose_name(figure.name)):
        if before.endswith(name):
            return before[: -len(name)] + zero_words(prose_name(name))
    return None


def zero_citations(
    text: str, figure_set: FigureSet, block: int = 0, cited: Sequence[Citation] = ()
) -> list[Citation]:
    """``cited`` (a rendered text's citations) and each zero count the text says in words
    (无劣Ⅴ类断面, 未发生森林火灾; a plan's 不发生森林火灾, 确保全年无劣Ⅴ类断面 for a target of
    zero) tied to its figure like every number: a citation over the words, so the .docx
    comments them and the sidecar records them; in order. The same words after the plan's lead
    (确保全年) are the target's; words overlapping a cited number are that number's."""
    lead = str(patterns().get("plan_target_lead", ""))
    found: dict[tuple[int, int], Citation] = {}
    for figure in figure_set:
        fields: tuple[tuple[FigureField, bool], ...] = (("value", False), ("target", True))
        for field_name, plan in fields:
            if not zero_count(figure, target=plan):
                continue
            for name in {prose_name(figure.name), named(figure, figure_set)}:
                words = zero_words(name, plan=plan)
                for match in re.finditer(re.escape(words), text):
                    span = (match.start(), match.end())
                    after_lead = bool(lead) and text[: match.start()].endswith(lead)
                    if span in found and after_lead != (field_name == "target"):
                        continue  # 无…: the value's words and the target's are one spelling
                    found[span] = Citation(
                        block, *span, words, figure.id, field_name, figure.provenance.describe()
                    )
    zeros = [
        z for z in found.values() if not any(c.start < z.end and z.start < c.end for c in cited)
    ]
    return sorted([*cited, *zeros], key=lambda c: c.start)


def action(figure: Figure) -> tuple[str, str] | None:
    """(verb, name) of a count of what was done, as a sentence of our own says it (the pack's
    figure_verbs): 环保专题节目 → (制作, 环保专题节目), 非法倾倒危险废物案件查处 → (查处, 非法倾倒
    危险废物案件), a name opening with its own verb (立案查处…) → ("", name). None for a figure
    of a state (a concentration, a rate) and for a name the pack gives no verb."""
    rule = domain.current().patterns.figure_verbs
    if rule is None or figure.kind not in ("count", "amount"):
        return None
    name = prose_name(figure.name)
    if name.startswith(rule.leading):
        return "", name
    for verb in sorted(rule.trailing, key=len, reverse=True):
        if name.endswith(verb) and len(name) >= len(verb) + 3:  # 汛前检查 has no object to front
            return verb, name[: -len(verb)]
    for word in sorted(rule.words, key=len, reverse=True):
        if name.endswith(word):  # what is counted ends the name: 志愿者 of 环保志愿者
            verb = rule.words[word]
            return ("", name) if name.startswith(verb) else (verb, name)
    return None


def figure_clause(figure: Figure, figure_set: FigureSet, verb: str = "") -> str:
    """One clause about one figure from our patterns: ``verb``, name, value and 同比 when there
    is one; a zero count in words (未发生森林火灾)."""
    table = patterns()
    name = verb + named(figure, figure_set)
    change = figure_set.change(figure.id)
    if zero_count(figure):
        moved = change is not None and change.direction != "持平"
        return zero_words(name) + (f"，{ref(figure.id, 'change')}" if moved else "")
    if figure.missing or change is None:
        return table["figure"].format(name=name, value=ref(figure.id))
    return table["figure_change"].format(
        name=name, value=ref(figure.id), change=ref(figure.id, "change")
    )


MAX_NUMBERS = 4  # numbers in one sentence: more reads as a table


def _stem(first: str, other: str) -> str:
    """The longest run of three or more characters two figure names share (环境信用 of
    企业环境信用评价 and 环境信用绿色企业), or ""."""
    best = ""
    for i in range(len(first)):
        for j in range(i + len(best) + 1, len(first) + 1):
            if first[i:j] in other:
                best = first[i:j]
            else:
                break
    return best if len(best) >= 3 else ""


def _related(figures: Sequence[Figure]) -> list[list[tuple[Figure, str, bool]]]:
    """Consecutive figures that belong together — a total and its parts (其中…, or names sharing
    a stem) — each with the name it is said by after the first (绿色企业, 报告书) and whether it
    is a part of the first: names that both add to the stem are siblings (水质自动站一期 and
    二期: 一期5个、二期7个, not 其中二期)."""
    groups: list[list[tuple[Figure, str, bool]]] = []
    for figure in figures:
        if groups:
            head = groups[-1][0][0]
            part = figure.name.removeprefix("其中")
            stem = _stem(head.name, part)
            short = part.removeprefix(stem) if stem and part.startswith(stem) else ""
            if figure.name.startswith("其中") or len(short) >= 2:
                # one character left (表 of 报告书/报告表) is no name: the part says its own
                sibling = not figure.name.startswith("其中") and head.name.startswith(stem)
                groups[-1].append((figure, short if len(short) >= 2 else part, not sibling))
                continue
        groups.append([(figure, figure.name, False)])
    return groups


def slot(heading: str) -> str:
    """The 〔待补：本期…〕 slot of a section with nothing to say yet (shape.yaml's wording)."""
    numbered = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]\s*", "", heading)
    words = re.split(r"[，,：:]", numbered)[0]  # 生态保护修复：生态本底持续夯实 → 生态保护修复
    return domain.data("shape.yaml")["slot"].format(section=words)


def capped(sentence: str) -> list[str]:
    """A re-filled sentence carrying more than MAX_NUMBERS figures, cut into sentences at its
    semicolons (each segment names its own metric)."""
    if len(REFERENCE.findall(sentence)) <= MAX_NUMBERS:
        return [sentence]
    out: list[list[str]] = [[]]
    count = 0
    for segment in re.split(r"(?<=；)", sentence.rstrip("。")):
        numbers = len(REFERENCE.findall(segment))
        if count + numbers > MAX_NUMBERS and out[-1]:
            out.append([])
            count = 0
        out[-1].append(segment)
        count += numbers
    said = ["".join(parts).rstrip("；") + "。" for parts in out if parts]
    return [piece for sentence in said for piece in _total_first(sentence)]


def _total_first(sentence: str) -> list[str]:
    """A sentence still over MAX_NUMBERS that gives a total and then its parts (…评价{{t}}，其中
    绿色企业{{a}}、…、红色企业{{d}}): the total ends its sentence and the parts follow in one of
    their own, 其中 said once (其中，绿色企业{{a}}、…)."""
    head, cut, parts = sentence.partition("，其中")
    if len(REFERENCE.findall(sentence)) <= MAX_NUMBERS or not cut or not REFERENCE.search(head):
        return [sentence]
    return [head + "。", "其中，" + parts.lstrip("，")]


def figure_sentences(
    figures: Sequence[Figure], figure_set: FigureSet, subject: str = ""
) -> list[str]:
    """Figures no past sentence carried, said as an office says them: a total and its parts in
    one clause with the subject named once (企业环境信用评价100家，其中绿色企业30家、蓝色企业50家),
    at most MAX_NUMBERS numbers a sentence; one that would open with a zero count in words
    (无劣Ⅴ类断面) has the area as its subject (``subject``: 全区无劣Ⅴ类断面)."""
    said = _figure_sentences(figures, figure_set)
    zeros = tuple(
        zero_words(name)
        for f in figures
        if zero_count(f)
        for name in (prose_name(f.name), named(f, figure_set))
    )
    return [subject + s if subject and s.startswith(zeros) else s for s in said] if zeros else said


def continued(said: Sequence[str], more: Sequence[str], figure_set: FigureSet) -> list[str]:
    """Figure sentences (``more``) after re-filled past ones (``said``): the first goes on in
    the sentence before it when that ends on a figure it continues and the two keep to
    MAX_NUMBERS: parts said without their total (…共审批建设项目环评文件{{t}}，其中环境影响报告书
    {{b}}、…), or one more deed after a count of what was done (…处罚款{{f}}，移送公安机关…)."""
    last, first = (said[-1], more[0]) if said and more else ("", "")
    refs = list(REFERENCE.finditer(last))
    lead = REFERENCE.search(first)
    if not refs or lead is None or first.startswith("其中，"):
        return [*said, *more]
    before, after = figure_set.get(refs[-1].group(1)), figure_set.get(lead.group(1))
    ends = last[refs[-1].end() :] == "。" and refs[-1].group(2) in (None, "value")
    fits = len(refs) + len(REFERENCE.findall(first)) <= MAX_NUMBERS
    if before is None or after is None or not ends or not fits:
        return [*said, *more]
    if first.startswith("其中"):
        goes_on = _total_of(after, figure_set) == before
    else:  # a deed after a deed, not after a concentration or a rate
        deed = action(after)
        goes_on = before.kind in ("count", "amount") and not zero_count(after)
        goes_on = goes_on and deed is not None and first.startswith(deed[0] + deed[1])
    if not goes_on:
        return [*said, *more]
    return [*said[:-1], last[:-1] + "，" + first, *more[1:]]


def _total_of(part: Figure, figure_set: FigureSet) -> Figure | None:
    """The total a 其中 row belongs to: the row of the same unit above it and its fellow parts."""
    total = None
    for figure in figure_set:
        if figure.id == part.id:
            return total if total is not None and total.unit == part.unit else None
        if not figure.name.startswith("其中"):
            total = figure
    return None


@dataclass(frozen=True)
class _Piece:
    """A clause of a figure sentence (one figure, or a total with its parts) and what joining it
    to the next needs."""

    text: str
    numbers: int
    verb: str | None = None  # the verb before its name ("" its name's own); None: no verb
    alone: bool = True  # one figure without 同比: may share a comma or its verb with the next
    whole: bool = False  # a sentence of its own (the parts of a long total)


def _numbers(figure: Figure, figure_set: FigureSet) -> int:
    return 1 + (not figure.missing and figure_set.change(figure.id) is not None)


def _head(figure: Figure, figure_set: FigureSet) -> tuple[str, str | None]:
    """A group's first clause, with the verb the pack gives it (制作环保专题节目{{tv}})."""
    said = None if zero_count(figure) else action(figure)  # 无…/未发生… is said in words
    if said is None:
        return figure_clause(figure, figure_set), None
    verb, name = said
    return figure_clause(replace(figure, name=name), figure_set, verb), verb


def _pieces(group: list[tuple[Figure, str, bool]], figure_set: FigureSet) -> list[_Piece]:
    """A total and its parts in one clause (…100家，其中绿色企业30家、蓝色企业50家) while they
    fit MAX_NUMBERS; a longer one as an office writes it: the total ends its sentence and the
    parts follow in one of their own, 其中 said once (其中，绿色企业…、红色企业…)."""
    head = group[0][0]
    first, verb = _head(head, figure_set)
    size = sum(_numbers(f, figure_set) for f, _, _ in group)
    if size <= MAX_NUMBERS:
        text = first
        for index, (figure, said, part) in enumerate(group[1:], 1):
            clause = figure_clause(replace(figure, name=said), figure_set)
            alike = figure.unit == head.unit  # parts of a total follow 其中; others a comma
            lead = part and alike and index == 1 and not text.startswith("其中")
            text += ("，其中" if lead else "、" if alike else "，") + clause
        return [_Piece(text, size, verb, alone=size == 1)]
    return _long_total(group, first, verb, figure_set)


def _long_total(
    group: list[tuple[Figure, str, bool]], first: str, verb: str | None, figure_set: FigureSet
) -> list[_Piece]:
    """A total whose parts would make its sentence a table: the total (``first``) and the other
    figures of the group end their sentence; the parts follow, 其中 said once, in sentences of
    at most MAX_NUMBERS numbers (joined by 、, or by ； where each says its 同比)."""
    head = group[0][0]
    total = not head.name.startswith("其中")  # parts said without their total: all are parts
    members = group[1:] if total else [(head, head.name, True), *group[1:]]
    parts = [(f, s.removeprefix("其中")) for f, s, p in members if p and f.unit == head.unit]
    others = [(f, s) for f, s, p in members if not (p and f.unit == head.unit)]
    pieces: list[_Piece] = []
    if total or others:
        clauses = [figure_clause(replace(f, name=s), figure_set) for f, s in others]
        numbers = sum(_numbers(f, figure_set) for f, _ in others)
        if total:
            clauses, numbers = [first, *clauses], numbers + _numbers(head, figure_set)
        pieces.append(_Piece("，".join(clauses), numbers, verb if total else None, alone=False))
    joiner = "；" if any(_numbers(f, figure_set) > 1 for f, _ in parts) else "、"
    run: list[str] = []
    count = 0
    for index, (figure, said) in enumerate(parts):
        numbers = _numbers(figure, figure_set)
        if count + numbers > MAX_NUMBERS and run:
            pieces.append(_Piece(joiner.join(run), count, whole=True))
            run, count = [], 0
        lead = "其中，" if index == 0 else ""  # said once, before the first part
        run.append(lead + figure_clause(replace(figure, name=said), figure_set))
        count += numbers
    if run:
        pieces.append(_Piece(joiner.join(run), count, whole=True))
    return pieces


def _joined(before: _Piece, after: _Piece) -> str:
    """What goes between two clauses of a sentence: a verb two counts share is said once
    (召开支委会9次、党员大会7次), counts of what was done take a comma (制作…5期，刊发…20篇), and
    anything else a semicolon."""
    if before.verb is None or after.verb is None or not (before.alone and after.alone):
        return "；" + after.text
    if after.verb and after.verb == before.verb:
        return "、" + after.text.removeprefix(after.verb)
    return "，" + after.text


def _figure_sentences(figures: Sequence[Figure], figure_set: FigureSet) -> list[str]:
    sentences: list[list[_Piece]] = [[]]
    count = 0
    for group in _related(figures):
        for piece in _pieces(group, figure_set):
            full = count + piece.numbers > MAX_NUMBERS
            if sentences[-1] and (full or piece.whole or sentences[-1][-1].whole):
                sentences.append([])
                count = 0
            sentences[-1].append(piece)
            count += piece.numbers
    out = []
    for pieces in sentences:
        if pieces:
            text = pieces[0].text + "".join(_joined(a, b) for a, b in pairwise(pieces))
            out.append(text + "。")
    return out
