"""Re-fill the bureau's past sentences with the current figures: the template writer's engine.

A past sentence is cut into clauses (at ，；：。). Each number in it (found by
assistant.numbers.extract_numbers) is matched to a current figure of the same metric and unit —
names decide between figures sharing a metric (大气类/水类 cases) — and replaced by a reference:
``{{id}}`` for a value, ``{{id.change}}`` for a 同比 change (the old direction word goes with
the old number: the renderer writes the right one), ``{{id.completion}}`` for 完成率, and a
target clause is rewritten from the figure's target check (met or not). A clause keeping any
old number that has no current figure is dropped, and so is a number-free clause that claims
something about the past period (首次, 最好, 下降…) or names a past year's event. Nothing of the
old numbers survives: past numbers are phrasing, not facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import domain, era
from .metrics import find_metric, metric_by_name, normalise_unit, same_measure
from .names import Voice, chunk_level, chunk_names, speak_as
from .numbers import extract_numbers
from .outline import patterns, shift_years
from .periods import WORDS
from .prose import prose_name
from .splitting import classify_topic
from .types import Chunk, Figure, FigureSet, PeriodKind, Quantity

CLAUSE = re.compile(r"(?:[^，；：,;:。！？]|(?<=\d)[,:](?=\d))*(?:[，；：,;:。！？]|$)")
SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")
ITEM_PREFIX = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．])"
)
_DIRECTION_WORDS = (
    "上升|下降|提高|降低|增长|增加|减少|改善|恶化|持平|升高|回升|下滑|好转|上涨|提升|增幅|降幅|涨幅"
)
DIRECTION_BEFORE = re.compile(rf"(?:{_DIRECTION_WORDS})(?:了|为|达|幅度为?)?\s*$")
COMPLETION_CONTEXT = re.compile(
    r"完成率\s*(?:为|达到?)?\s*$|完成(?:年度|全年)?(?:目标|任务|计划)*的\s*$"
)
YEAR = re.compile(r"(?<!\d)20\d\d(?!\d)")


def _word_pattern(key: str) -> re.Pattern[str]:
    words = patterns()[key]
    return re.compile("|".join(re.escape(w) for w in words))


def claim_pattern() -> re.Pattern[str]:
    return _word_pattern("claims")


def figure_claim_pattern() -> re.Pattern[str]:
    return _word_pattern("figure_claims")


def time_bound_pattern() -> re.Pattern[str]:
    return _word_pattern("time_bound")


def analysis_pattern() -> re.Pattern[str] | None:
    return _word_pattern("analysis_claims") if patterns().get("analysis_claims") else None


def borne_out(figure: Figure | None, figure_set: FigureSet) -> bool:
    """Whether the figures show what a past analysis says drives ``figure`` (臭氧…成为影响优良
    天数的主要因素): it got worse 同比, or of the figures named with a pack ``leading`` word
    (超标天数) the largest is this one's (their names share its leading characters)."""
    if figure is None:
        return False
    change = figure_set.change(figure.id)
    if change is not None and change.improved is False:
        return True
    words = patterns().get("leading", ())
    leaders = [f for f in figure_set if f.value is not None and any(w in f.name for w in words)]
    if not leaders:
        return False
    top = max(leaders, key=lambda f: f.value or 0)
    return top.name[:2] == figure.name[:2]  # 臭氧超标天数 leads: 臭氧浓度 is its pollutant


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def clauses(sentence: str) -> list[str]:
    return [c for c in CLAUSE.findall(sentence) if c]


def adapt(
    text: str,
    chunk: Chunk,
    year: int | None,
    period_kind: PeriodKind,
    voice: Voice | None = None,
) -> str:
    """A past chunk's text moved to the current period: years shifted, period words swapped;
    and, given the target's ``voice``, in its era's wording (assistant.era) and its own words —
    another bureau's level words swapped, its names generalised or dropped (assistant.names).

    A chunk whose own year is unknown keeps its years; clauses naming them are dropped later.
    """
    if voice is not None:
        text = era.of_year(text, year)
        if not (chunk.unit and chunk.unit == voice.unit):
            text = speak_as(text, chunk_level(chunk), voice, chunk_names(chunk).all())
    if chunk.year and year:
        text = shift_years(text, year - chunk.year)
    if chunk.period and chunk.period != period_kind and chunk.period in WORDS:
        for old, new in zip(WORDS[chunk.period], WORDS[period_kind], strict=True):
            if old != "全年":
                text = text.replace(old, new)
    return text


REFERENCE_IN = re.compile(r"\{\{[^}]*\}\}")


@dataclass
class Refilled:
    text: str
    figure_ids: list[str] = field(default_factory=list)  # figures whose value it cites


def _chars(text: str) -> set[str]:
    return {ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch.isalnum()}


def _unit_fits(quantity: Quantity, figure: Figure) -> bool:
    if quantity.unit is None:
        return not figure.unit
    canonical = figure.unit_canonical or figure.unit
    if same_measure(quantity.unit, canonical):
        return True
    unit = normalise_unit(figure.unit)
    return unit is not None and unit.canonical == quantity.unit


def _same_count(quantity: Quantity, figure: Figure) -> bool:
    """A count of one metric in another of the metric's own count words (案件15件 for a figure
    kept in 起: metrics.yaml 立案查处 units [件, 起]): the words differ, the thing counted does
    not; the figure's own unit is what gets written."""
    metric = metric_by_name(figure.metric) if figure.metric else None
    said, kept = normalise_unit(quantity.unit), normalise_unit(figure.unit)
    return (
        metric is not None
        and quantity.metric == figure.metric
        and said is not None
        and kept is not None
        and said.kind == kept.kind == "count"
        and {said.canonical, kept.canonical} <= set(metric.units)
    )


def qualifiers(figure_set: FigureSet) -> dict[str, set[str]]:
    """For a figure that is part of another of the same metric (立案查处大气类环境违法案件 of
    立案查处环境违法案件), the characters that say which part (大气类)."""
    found: dict[str, set[str]] = {}
    for part in figure_set:
        name = _chars(part.name)
        for whole in figure_set:
            if whole.id == part.id or whole.metric != part.metric or part.metric is None:
                continue
            extra = name - _chars(whole.name)
            if _chars(whole.name) < name and extra:
                found.setdefault(part.id, set()).update(extra)
    return found


def shared_by_several(local: str) -> bool:
    """Whether one past number stands for several measures listed before it (“A、B、C均保持
    100%”): one current figure cannot take it, a list said 分别 gives each its own number."""
    if "分别" in local:
        return False
    named = {m.name for part in local.split("、") if (m := find_metric(part))}
    return len(named) >= 2


def match_figure(
    quantity: Quantity,
    local: str,
    clause_context: str,
    candidates: Iterable[Figure],
    parts: dict[str, set[str]] | None = None,
) -> Figure | None:
    """The current figure a past number stands for: same unit, and the same metric or a name
    whose characters the words around the number carry; the nearest words weigh most. A figure
    that is part of another (``parts``, from qualifiers) needs its qualifier said: a past
    “立案查处环境违法案件14件” is not this period's 大气类 cases."""
    near = _chars(local)
    wide = _chars(clause_context) | near
    best: tuple[float, Figure] | None = None
    for figure in candidates:
        name = _chars(figure.name)
        if figure.category is not None:
            continue
        # another count word of the metric only where the words say the figure's whole name
        fits = _unit_fits(quantity, figure) or (_same_count(quantity, figure) and name <= wide)
        if not fits:
            continue
        if parts and parts.get(figure.id, set()) - wide:
            continue
        overlap = 2 * len(name & near) + len(name & wide) - 0.5 * len(name - wide)
        same_metric = quantity.metric is not None and quantity.metric == figure.metric
        if quantity.metric and figure.metric and not same_metric:
            continue  # the past words name another metric (受污染耕地… is not 污染地块…)
        if not same_metric and len(name & wide) < max(3, 0.7 * len(name)):
            continue
        score = overlap + (20 if same_metric else 0)
        if best is None or score > best[0]:
            best = (score, figure)
    return best[1] if best else None


def target_phrase(figure: Figure, figure_set: FigureSet) -> str | None:
    """How a summary states the figure against its target, or None without a target."""
    check = figure_set.target(figure.id)
    if check is None or figure.missing:
        return None
    table = patterns()["target"]
    if check.completion is not None and not check.met:
        return table["completion"].format(completion=f"{{{{{figure.id}.completion}}}}")
    key = f"{check.better}_{'met' if check.met else 'missed'}"
    return table[key].format(target=f"{{{{{figure.id}.target}}}}")


class Refiller:
    """Re-fills sentences for one section; a figure is cited by value at most once."""

    def __init__(
        self, figure_set: FigureSet, figure_ids: Sequence[str], mode: str, year: int | None = None
    ) -> None:
        self.figure_set = figure_set
        self.year = year  # the drafted year: a clause naming any other year is dropped
        self.figures = [figure_set[i] for i in figure_ids]
        self.mode = mode  # "summary" | "plan" | "text" (no figures at all)
        self.parts = qualifiers(figure_set)
        self.used: set[str] = set()
        self.claims = claim_pattern()
        self.figure_claims = figure_claim_pattern()
        self.time_bound = time_bound_pattern()
        self.analysis = analysis_pattern()

    def _other_year(self, text: str) -> bool:
        allowed = {self.year - 1, self.year, self.year + 1} if self.year else set()
        return any(int(y) not in allowed for y in YEAR.findall(text))

    def _named(self, text: str) -> Figure | None:
        """The current figure of the metric a text names, if any."""
        metric = find_metric(text)
        found = [f for f in self.figure_set if metric and f.metric == metric.name]
        return found[0] if found else None

    def free(self) -> list[Figure]:
        return [f for f in self.figures if f.id not in self.used]

    def release(self, refilled: Refilled) -> None:
        """A re-filled sentence the writer did not keep: its figures are free again."""
        self.used.difference_update(refilled.figure_ids)

    def sentence(self, sentence: str, *, claims_allowed: bool = False) -> Refilled | None:
        """The sentence re-filled, or None when nothing of it survives."""
        quantities = extract_numbers(sentence)
        pieces = clauses(sentence)
        kept: list[str] = []
        cited: list[str] = []
        offset = 0
        last_figure: Figure | None = None
        orphan = False  # a clause was dropped and no figure named since: the subject may be gone
        for piece in pieces:
            start, end = offset, offset + len(piece)
            offset = end
            inside = [q for q in quantities if start <= q.start < end]
            body, stop = (piece[:-1], piece[-1]) if piece[-1] in "，；：,;:。！？" else (piece, "")
            if self._other_year(body) or self.time_bound.search(body):
                orphan = True
                continue
            if not inside:
                if _HIDDEN_NUMBER.search(_NOT_FIGURES.sub("", body)):
                    orphan = True
                    continue  # a number the extractor skips (“78%以上”) is still an old number
                refs_before = bool(cited)
                if self.claims.search(body) and (refs_before or not claims_allowed):
                    continue
                if self.analysis and self.analysis.search(body):
                    said = last_figure or self._named(body)
                    if not borne_out(said, self.figure_set):
                        continue  # the past's analysis, not what these figures show
                kept.append(piece)
                continue
            result = self._clause(piece, start, inside, quantities, last_figure)
            if result is None:
                orphan = True
                last_figure = None  # a 同比 after a dropped value is that value's, not ours
                continue
            text, figures = result
            if any(ref in "".join(kept) for ref in REFERENCE_IN.findall(text)):
                continue  # the same figure's 同比 said twice
            if figures:
                if orphan:
                    text = with_subject(text, self.figure_set[figures[0]], "".join(kept))
                    if not REFERENCE_OR_TEXT.search("".join(kept)):
                        text = _opening_subject(text, self.figure_set[figures[0]])
                    orphan = False
                last_figure = self.figure_set[figures[-1]]
            cited.extend(f for f in figures if f not in cited)
            kept.append(text + stop if not text.endswith(stop) else text)
        return self._join(kept, cited)

    def _join(self, kept: list[str], cited: list[str]) -> Refilled | None:
        if self.mode == "plan":  # a plan sentence keeps only its target segments
            segments = re.split(r"(?<=[；;])", "".join(kept))
            kept = [ITEM_PREFIX.sub("", seg) for seg in segments if "{{" in seg]
        while kept and (not REFERENCE_OR_TEXT.search(kept[0]) or _connective_only(kept[0])):
            kept.pop(0)
        if not kept:
            return None
        text = "".join(kept).strip()
        text = re.sub(r"[，；：,;:]+$", "", text)
        if not text:
            return None
        if text[-1] not in "。！？":
            text += "。"
        if len(re.sub(r"\{\{[^}]*\}\}", "", text)) < 6 and not cited:
            return None
        return Refilled(text, cited)

    def _clause(
        self,
        piece: str,
        start: int,
        inside: list[Quantity],
        quantities: list[Quantity],
        last_figure: Figure | None,
    ) -> tuple[str, list[str]] | None:
        """One clause with its numbers replaced by references, or None to drop it."""
        if self.mode == "text":
            return None
        edits: list[tuple[int, int, str]] = []  # spans of the clause to replace
        figures: list[str] = []
        current = last_figure
        previous_end = start
        for quantity in inside:
            q_start, q_end = quantity.start - start, quantity.end - start
            if quantity.form != "number":
                return None
            local = piece[max(0, previous_end - start) : q_start]
            if quantity.is_change:
                if current is None or self.mode != "summary" or current.missing:
                    return None
                if self.figure_set.change(current.id) is None:
                    return None
                found = DIRECTION_BEFORE.search(piece[:q_start])
                begin = found.start() if found else q_start
                edits.append((begin, q_end, f"{{{{{current.id}.change}}}}"))
            elif COMPLETION_CONTEXT.search(piece[:q_start]) and quantity.unit == "%":
                check = current and self.figure_set.target(current.id)
                if self.mode != "summary" or not check or check.completion is None:
                    return None
                found = re.search(r"完成(?:年度|全年)?(?:目标|任务|计划)*的\s*$", piece[:q_start])
                if found and not check.met:
                    edits.append((found.start(), q_end, target_phrase(current, self.figure_set)))  # type: ignore[arg-type]
                else:
                    edits.append((q_start, q_end, f"{{{{{current.id}.completion}}}}"))  # type: ignore[union-attr]
            elif quantity.target and self.mode == "summary" and not figures:
                # 完成/未达到“40微克/立方米”的年度目标: restate from the current target check
                figure = current if current and quantity.metric in (None, current.metric) else None
                phrase = figure and target_phrase(figure, self.figure_set)
                if not phrase:
                    return None
                body = piece.rstrip("，；：,;:。！？")
                lead = re.match(r"^\s*(?:但|均|并|且)?", body)
                return (lead.group(0) if lead else "") + phrase, []
            else:
                if shared_by_several(local):
                    return None
                following = [q.start - start for q in inside if q.start > quantity.start]
                after = piece[q_end : min(following or [len(piece)])]
                if len(_chars(local)) >= 2:
                    after = ""
                pool = [f for f in self.free() if f.id not in figures]
                if self.mode == "plan":
                    pool = [f for f in pool if f.target is not None]
                figure = match_figure(
                    quantity, local + " " + after, quantity.context, pool, self.parts
                )
                if figure is None:
                    return None
                field_name = "target" if self.mode == "plan" else "value"
                reference = (
                    f"{{{{{figure.id}}}}}"
                    if field_name == "value"
                    else f"{{{{{figure.id}.target}}}}"
                )
                edits.append((q_start, q_end, reference))
                figures.append(figure.id)
                current = figure
            previous_end = quantity.end
        text = piece
        self.used.update(figures)
        for begin, end, replacement in sorted(edits, reverse=True):
            text = text[:begin] + replacement + text[end:]
        body = re.sub(r"\{\{[^}]*\}\}", "", text)
        if self.mode == "summary" and self.figure_claims.search(body):
            return None  # a claim next to our numbers ("为历史最好水平") is the past's, not ours
        return text, figures


def with_subject(text: str, figure: Figure, said: str = "") -> str:
    """The clause naming its figure in full where it says only the name's tail: the subject of
    全区3个国考断面水质均达到或优于Ⅲ类，优Ⅲ类比例保持100% went with the dropped clause (3个 is an
    old number), so 优Ⅲ类比例 becomes 国考断面优Ⅲ类比例; 上半年完成投资 → 上半年重点工程完成投资.
    A clause whose sentence already says the whole name (``said``: the kept clauses before it),
    or that carries none of the name's tail, is left as it is."""
    at = text.find("{{" + figure.id)
    before = text[:at] if at >= 0 else text
    name = figure.name
    if _chars(name) <= _chars(said + before):
        return text
    for size in range(len(name) - 1, 1, -1):
        found = before.rfind(name[-size:])
        if found >= 0:
            # the name's head may stand just before its tail (PM10 of PM10浓度): take it in,
            # so the name is not said twice (PM10PM10平均浓度)
            head = next(
                (k for k in range(len(name) - size, 0, -1) if before[:found].endswith(name[:k])),
                0,
            )
            return text[: found - head] + name + text[found + size :]
    return text


def _opening_subject(text: str, figure: Figure) -> str:
    """A clause that now opens its sentence, the clauses before it dropped, said with its
    figure's name: the subject went with them (一季度共检查企业…，处罚款96万元 → 处罚款{{x}}
    has lost whoever fined). Unless the words before the number already say the whole name,
    they give way to it (罚款金额{{x}}); what follows the number stays."""
    at = text.find("{{" + figure.id)
    if at < 0:
        return text
    name = prose_name(figure.name)
    before = text[:at]
    if _chars(name) <= _chars(before):
        return text
    return name + text[at:]


_NOT_FIGURES = re.compile(
    r"\d{1,2}\s*[-—至~]\s*\d{1,2}\s*月|\d{1,2}月(?:底|末|份|初)?(?:\d{1,2}日)?|\d{1,2}日|"
    r"[A-Za-z]+\d+(?:\.\d+)?|20\d\d"
)
_HIDDEN_NUMBER = re.compile(r"\d")
_CONCESSION = re.compile(r"^(?:但|虽|虽然|然而|而|尽管|不过|同时)")
_ACTION = re.compile(
    r"推进|开展|加强|落实|实施|推行|建立|深化|强化|组织|督促|启动|印发|制定|加快|持续|严格|做好|"
    r"抓好|坚持|健全|完善|优化|提升|打击|排查|整治|治理|创建|服务|保障|推动|实行|开辟|建设|确保|"
    r"力争|防治|管控|监管|巡查|检查|核发|修订|编制|补齐|巩固|统筹|聚焦|紧盯|压实|扎实|全面"
)
_LEAD_IN = re.compile(r"见下表|如下|坚强领导|为指导")
REFERENCE_OR_TEXT = re.compile(r"[\u4e00-\u9fff]|\{\{")
_CONNECTIVES = re.compile(r"^\s*(?:其中|同时|此外|另外|但|但是|并|且|均|分别)?[，；：,;:。]?\s*$")


def _connective_only(piece: str) -> bool:
    return bool(_CONNECTIVES.match(piece))


def narrative(
    text: str,
    *,
    claims: bool = False,
    limit: int = 2,
    min_chars: int = 8,
    actions: bool = False,
    topics: Sequence[str] = (),
    strict: bool = False,
    join: int = 1,
) -> list[str]:
    """Number-free clauses of a past text (measures, causes), item numbers stripped; with
    ``actions`` only clauses that say what was done (推进, 开展, 加强…); with ``topics`` none that
    is plainly about another topic (党建 in a 重点工程 section). With ``join`` > 1, up to that
    many clauses that follow each other in one sentence, joined by “，” and counted as one, the
    way the office wrote them (建立…平台，实行…网格化监管); no clause of its own holds a “，”."""
    claim = claim_pattern()
    bound = time_bound_pattern()
    found: list[str] = []
    for sentence in sentences(text):
        run = 0  # clauses in the last item
        open_ = False  # the clause before was kept and its sentence goes on after a “，”
        for piece in clauses(sentence):
            body = ITEM_PREFIX.sub("", piece.rstrip("，；：,;:。！？").strip())
            if not _narrative_clause(
                body, claim, bound, min_chars, claims, actions, topics, strict
            ):
                open_ = False
                continue
            if open_ and run < join:
                found[-1] += "，" + body
                run += 1
            elif len(found) >= limit:
                return found
            else:
                found.append(body)
                run = 1
            open_ = piece[-1:] in "，,"
    return found


def _narrative_clause(
    body: str,
    claim: re.Pattern[str],
    bound: re.Pattern[str],
    min_chars: int,
    claims: bool,
    actions: bool,
    topics: Sequence[str],
    strict: bool,
) -> bool:
    """Whether one clause of a past text may stand as a narrative clause (see narrative)."""
    if len(body) < min_chars or extract_numbers(body) or YEAR.search(body):
        return False
    if bound.search(body) or (not claims and claim.search(body)) or _LEAD_IN.search(body):
        return False
    if re.search(r"[《“”》]", body) and len(body) > 40:
        return False
    if _CONCESSION.match(body) or (actions and not _ACTION.search(body)):
        return False
    if topics:
        topic = classify_topic((), body)
        if topic not in (*topics, *(() if strict else (domain.default_topic(),))):
            return False
        if "党建" not in topics and "党" in body:
            return False
    return True
