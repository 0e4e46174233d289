"""Figures said as an office writes them, where no past sentence carries them: one clause a
figure (name, value, 同比), a total and its parts in one clause with the subject named once, at
most MAX_NUMBERS numbers a sentence, and the 〔待补：本期…〕 slot of a section with nothing to say.
The writers (assistant.writers, assistant.model_writer) share these rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

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


def figure_clause(figure: Figure, figure_set: FigureSet) -> str:
    """One clause about one figure from our patterns: name, value and 同比 when there is one; a
    zero count in words (未发生森林火灾)."""
    table = patterns()
    name = named(figure, figure_set)
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


def _related(figures: Sequence[Figure]) -> list[list[tuple[Figure, str]]]:
    """Consecutive figures that belong together — a total and its parts (其中…, or names sharing
    a stem) — each with the name it is said by after the first (绿色企业, 报告书)."""
    groups: list[list[tuple[Figure, str]]] = []
    for figure in figures:
        if groups:
            head = groups[-1][0][0]
            part = figure.name.removeprefix("其中")
            stem = _stem(head.name, part)
            short = part.removeprefix(stem) if stem and part.startswith(stem) else ""
            if figure.name.startswith("其中") or len(short) >= 2:
                # one character left (表 of 报告书/报告表) is no name: the part says its own
                groups[-1].append((figure, short if len(short) >= 2 else part))
                continue
        groups.append([(figure, figure.name)])
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
    return ["".join(parts).rstrip("；") + "。" for parts in out if parts]


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


def _figure_sentences(figures: Sequence[Figure], figure_set: FigureSet) -> list[str]:
    sentences: list[list[str]] = [[]]
    count = 0
    for group in _related(figures):
        pieces: list[str] = []
        size = sum(1 + (figure_set.change(f.id) is not None) for f, _ in group)
        if count + size > MAX_NUMBERS and size <= MAX_NUMBERS and sentences[-1]:
            sentences.append([])  # a group that fits a sentence of its own is not split
            count = 0
        for index, (figure, said) in enumerate(group):
            numbers = 1 + (not figure.missing and figure_set.change(figure.id) is not None)
            if count + numbers > MAX_NUMBERS and (pieces or sentences[-1]):
                if pieces:
                    sentences[-1].append("".join(pieces))
                sentences.append([])
                pieces, count = [], 0
                if index and figure.unit == group[0][0].unit:
                    said = "其中" + said  # the parts of a total go on in a sentence of their own
                else:
                    said = figure.name.removeprefix("其中")
            clause = figure_clause(replace(figure, name=said), figure_set)
            if pieces:  # parts of a total (same unit) follow 其中; other figures of it a comma
                part = figure.unit == group[0][0].unit
                first = index == 1 and not pieces[0].startswith("其中")
                clause = ("，其中" if part and first else "、" if part else "，") + clause
            pieces.append(clause)
            count += numbers
        sentences[-1].append("".join(pieces))
    return ["；".join(parts) + "。" for parts in sentences if parts]
