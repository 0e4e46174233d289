"""Check every number of a draft against the period's figures: the promise that none is invented.

For each quantity assistant.numbers finds, the checker decides which figure and which of its
numbers (value, 同比 change, 上年同期, 目标, 完成率) the text speaks of, then compares. How:

- Provenance first. A citation (from the drafter's sidecar, or our Word comment on the span)
  names the figure and field exactly; the number there must still equal what the figure says.
- Otherwise context. The field comes from the words around the number: a direction word or
  个百分点 → change; 完成率 / 完成…计划的 → completion; 目标/控制在/以内… → target; 较上年同期的,
  or a year before the file's → 上年同期; else the value. The figure is the one the clause names
  (metric dictionary plus the figure's own name, distinctive characters weighted), with the unit
  as a tie-breaker; a change or completion with no name of its own belongs to the figure the
  sentence spoke of just before, and so does a value whose clause names nothing but that
  figure's own year or period (…64.15，2024年度提升至64.38). Only the best-named figures count:
  "35件信访" is never confirmed by an unrelated figure that happens to be 35.
- A value matches within its written precision (the figure rounded half-up to the places the
  text shows, after unit conversion: 29770万元 = 2.977亿元); 约/余/近 widen that to the written
  step. Units must measure the same thing (% is not 个百分点, 元 is not 万元).
- Direction words must agree with the change (上升 vs 下降, 改善 vs 恶化), and 完成/达到…目标 must
  agree with whether the target was met (未完成/未达到 too).
- A value equal to the figure's 上年同期 where the text speaks of the current period is stale.
- A change may be written as a difference in the figure's unit (同比减少22件); a signed number
  (a table's 同比 cell −3.5%) is a change; 分别 lists map item to number (PM2.5、PM10…分别为…和…;
  with no subject of their own, to the numbers just before).
- A number is called wrong (mismatch/stale) only when its own clause names the figure, or, for a
  change/target/completion, the sentence just spoke of it; a unit of another measure, a part
  (噪声类信访), a per-case average (案均), a gap to the target (还差…) or another period or base
  (一季度, 较一季度) is unsourced instead; a number in a figure's 范围/备注 said in the same words
  is ok, and so is a target in a plan sentence (下半年…力争…).
- Numbers with no figure context are unsourced, except a number written (with its unit) in a
  figure's 范围/备注, or a value and unit that exactly one figure has. "一个/一名/一套" in prose
  is an article, not a figure, and gives no finding; other Chinese-numeral counts (三家企业) do.
- A water class (断面水质为Ⅲ类) is checked against the category figure its context names: ok
  when equal, mismatch when the clause names the figure; standards, goals (Ⅲ类以上) and
  starting classes (由Ⅳ类…) give no finding. A class in a name (劣Ⅴ类断面数) is a count's.
- 〔待补…〕/〔待核…〕 (and an unrendered {{id}}, or a masked value such as xx.x%) are placeholders.
- Tables: a header row (指标/上年同期/同比/目标/完成率…, with units such as 数值（微克/立方米）)
  gives each column of the rows after it its field and unit; the row's name cells name the figure.
- Years: a figure's data year is its period's, unless its 备注/来源 says otherwise (EQI: 本期为2024
  年度值); a year written before a number picks value (data year) or 上年同期 (the year before).
- A wrong-looking number is called stale/mismatch only when the figure is clearly named (metric
  dictionary, or half its name by jieba word); a target claim in a plan (确保…, or under a
  下半年工作计划 heading) is no claim.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from .errors import InputError
from .figures import format_decimal, round_half_up
from .metrics import convert, find_metric, normalise_unit, same_measure
from .numbers import direction_sign, extract_numbers
from .render import REFERENCE, expected_number, parse_comment, reference_text
from .types import (
    FINDING_LABELS,
    CheckReport,
    Citation,
    Figure,
    FigureField,
    FigureSet,
    Finding,
    Mark,
    Quantity,
    places_of,
)

MatchedBy = Literal["provenance", "comment", "context"]
SIDECAR_FORMAT = "assistant-draft/1"
ANNOTATION_AUTHOR = "起草助手·数据核对"

_PLACEHOLDER = re.compile(r"〔待[补核](?:[:：][^〔〕\n]{0,60})?〕")
_SENTENCE_STOPS = "。！？!?；;\n"
_CLAUSE_STOPS = _SENTENCE_STOPS + "，,：:"
_COMPLETION_BEFORE = re.compile(
    r"(?:完成率|完成(?:了)?(?:年度|全年|年|本年度)?(?:目标|计划|任务)(?:任务)?的|"
    r"占(?:年度|全年|年)?(?:目标|计划|任务)(?:任务)?的|完成比例)\s*(?:为|达|达到|是)?\s*$"
)
_PREVIOUS_WORDS = ("上年同期", "去年同期", "上年", "去年")
_AT_WORDS = ("降至", "升至", "增至", "减至", "降为", "减为")
_CLAIM = re.compile(
    r"(?P<neg>未能|未|没有|尚未|不能|难以)?(?:顺利|全面|超额|提前|已经|已|均)?"
    r"(?P<verb>完成|达到|实现|优于|好于|达成|超过)(?:了)?"
    r"(?P<mid>[^，。；,;！？\n]{0,24}?)(?:年度|全年|年|阶段性|考核|约束性)?"
    r"(?:目标|任务|计划(?:投资|任务)?)"
)
_NOT_A_CLAIM = re.compile(
    r"\s*的?(?:压力|难度|任务艰巨|形势|风险|仍需|还需|尚需|仍有|还有|存在|面临|有差距|差距)"
)
_PLAN_BEFORE = re.compile(r"(?:确保|力争|争取|努力|推动|全力|必须|要|将|保障|以)\s*$")
_MULTIPLIER = {"亿": Decimal(10) ** 8, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6}
_MULTIPLIER["万"] = Decimal(10) ** 4
_YEAR = re.compile(r"(?:19|20)\d{2}")
_CJK_ONLY = re.compile(r"[\u4e00-\u9fff]")
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff\u2160-\u217fA-Za-z0-9.]")
_ARTICLE_ONE = Decimal(1)

_WEAK_TARGET = ("计划", "任务", "以上")  # target words that also name actual amounts (计划投资)
CANDIDATE_THRESHOLD = 0.45  # least context score for a figure to be "what the text speaks of"
NAMED_OVERLAP = 0.34  # least share of a figure's name in a number's own clause to call it wrong
_GAP = re.compile(  # the distance to a target: 还差2.6个百分点, 较年度目标低0.2
    r"(?:还差|尚差|相差|差距为?|仍差|较[^，。；,;]{0,8}(?:目标|要求)值?(?:低|高|少|多)了?)\s*$"
)
_PER_UNIT = re.compile(r"[案人户家件项次]均|平均每|每(?:件|起|家|人|户|项)")
TIE_MARGIN = 0.1  # figures within this of the best score are equally likely


# --- the figure index: which figure does a piece of text name? --------------------------------


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _grams(text: str) -> set[str]:
    chars = [c for c in _fold(text) if _CJK_OR_WORD.match(c)]
    return {a + b for a, b in itertools.pairwise(chars)}


@dataclass
class _Index:
    figures: tuple[Figure, ...]
    grams: dict[str, dict[str, float]]  # figure id → bigram → weight
    totals: dict[str, float]
    year: int | None
    side_numbers: dict[str, list[Figure]]  # "32项" written in a figure's 范围/备注 → figures
    side_words: dict[str, list[tuple[Figure, set[str]]]]  # same, with the words around it
    chars: dict[str, float]  # character → weight (rarer among figure names: heavier)
    period_kind: str | None  # H1 for 2025年上半年 …
    rare: dict[str, set[str]]  # figure id → bigrams of its name that at most one other name has
    years: dict[str, tuple[int | None, int | None]]  # figure id → (its data year, 上年同期's year)
    _words: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def build(cls, figure_set: FigureSet) -> _Index:
        names = {f.id: _grams(_strip_brackets(f.name)) | _grams(f.name) for f in figure_set}
        frequency = Counter(g for grams in names.values() for g in grams)
        count = max(len(names), 1)
        grams = {
            fid: {g: math.log(1 + count / frequency[g]) for g in fg} for fid, fg in names.items()
        }
        totals = {fid: sum(weights.values()) or 1.0 for fid, weights in grams.items()}
        year = _YEAR.search(figure_set.period or "")
        side: dict[str, list[Figure]] = {}
        side_words: dict[str, list[tuple[Figure, set[str]]]] = {}
        for figure in figure_set:
            for text in (figure.scope, figure.note):
                for quantity in extract_numbers(text or ""):
                    if quantity.value is not None and quantity.unit:
                        side.setdefault(_key(quantity), []).append(figure)
                        around = text[max(0, quantity.start - 8) : quantity.end + 4]  # type: ignore[index]
                        side_words.setdefault(_key(quantity), []).append(
                            (figure, _grams(around.replace(quantity.text, " ")))
                        )
        letters = Counter(
            c for f in figure_set for c in set(_fold(f.name)) if _CJK_OR_WORD.match(c)
        )
        chars = {c: math.log(1 + count / n) for c, n in letters.items()}
        return cls(
            figure_set.figures,
            grams,
            totals,
            int(year.group()) if year else None,
            side,
            side_words,
            chars,
            _period_kind(figure_set.period or ""),
            {fid: {g for g in fg if frequency[g] <= 2} for fid, fg in names.items()},
            {f.id: _data_years(f, figure_set.period) for f in figure_set},
        )

    def words(self, figure: Figure) -> dict[str, float]:
        """The figure's name as words (jieba, loaded on first use), weighted by how few names
        have each word."""
        if not self._words:
            names = {f.id: _name_words(f.name) for f in self.figures}
            frequency = Counter(w for words in names.values() for w in words)
            count = max(len(names), 1)
            self._words.update(
                {
                    fid: {w: math.log(1 + count / frequency[w]) for w in ws}
                    for fid, ws in names.items()
                }
            )
        return self._words.get(figure.id, {})

    def overlap(self, figure: Figure, context: set[str]) -> float:
        weights = self.grams[figure.id]
        return sum(w for g, w in weights.items() if g in context) / self.totals[figure.id]


_THIS_YEAR = re.compile(r"本期(?:为|是|系)?\s*((?:19|20)\d{2})\s*年")
_LAST_YEAR = re.compile(r"上年同期(?:为|是|系)?\s*((?:19|20)\d{2})\s*年")
_YEAR_SCOPE = re.compile(r"((?:19|20)\d{2})\s*年度")


def _data_years(figure: Figure, period: str | None) -> tuple[int | None, int | None]:
    """The year a figure's value belongs to, and its 上年同期's year. Usually the period's year,
    but an annual index published mid-year says otherwise in its 备注 or 来源 (EQI: "本期为2024
    年度值" in a 2025 half-year file), and then "2024年度…64.38" is this period's number."""
    note, source = figure.note or "", figure.provenance.source or ""
    match = _THIS_YEAR.search(note) or _YEAR_SCOPE.search(source)
    own = _YEAR.search(figure.period or period or "")
    year = int(match.group(1)) if match else int(own.group()) if own else None
    last = _LAST_YEAR.search(note)
    return year, int(last.group(1)) if last else (year - 1 if year else None)


@functools.cache
def _segmenter() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer()


def _name_words(name: str) -> set[str]:
    """Content words of a figure's name: jieba words of two or more characters (类, 的 say
    nothing of what is counted), and letter/digit names (PM2.5, O3)."""
    plain = _fold(_strip_brackets(name))
    words = {w for w in _segmenter().lcut(plain) if len(w) >= 2 and _CJK_ONLY.match(w)}
    return words | {w for w in re.findall(r"[a-z][a-z0-9.]+", plain)}


def _strip_brackets(name: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]", "", name)


def _key(quantity: Quantity) -> str:
    return f"{format_decimal(quantity.value or Decimal(0))}{quantity.unit or ''}"


# --- comparing one written number with one expected number ------------------------------------


def _multiplier(quantity: Quantity) -> Decimal:
    for word, factor in _MULTIPLIER.items():
        if quantity.number_text.endswith(word):
            return factor
    return Decimal(1)


def _close(written: Quantity, expected: Decimal) -> bool:
    """Is ``expected`` what ``written`` says, at the precision and hedging it was written with?"""
    assert written.value is not None
    scale = _multiplier(written)
    value, target = written.value / scale, expected / scale
    if written.approx is None:
        return round_half_up(target, written.places) == value
    if written.places:
        step = Decimal(1).scaleb(-written.places)
    else:
        digits = format(abs(value).to_integral_value(), "f")
        zeros = len(digits) - len(digits.rstrip("0")) if digits != "0" else 0
        more = written.approx in ("余", "多", "超过", "超", "逾")
        step = Decimal(10) ** (zeros if more or zeros >= 2 else 0)  # 约30 is 30, 约1300 is ±50
    if written.approx in ("余", "多", "超过", "超", "逾"):
        return value <= target < value + step
    if written.approx in ("近", "将近", "接近", "不足", "不到"):
        return value - step < target <= value
    return abs(target - value) <= step / 2


Fit = Literal["yes", "unit", "no"]


def _fit(written: Quantity, expected: Decimal | None, unit: str | None) -> Fit:
    """yes: same number, compatible unit; unit: the number is right but its unit is not (a
    different measure, or a 万/亿 dropped or added)."""
    if written.value is None or expected is None:
        return "no"
    converted: Decimal | None = expected
    if written.unit and unit and written.unit != unit:
        converted = (
            _convert(expected, unit, written.unit) if _same_measure(written.unit, unit) else None
        )
    if converted is not None and _close(written, converted):
        return "yes"
    plain = written.value / _multiplier(written)
    if round_half_up(expected, written.places) == plain or expected == written.value:
        return "unit"
    if converted is not None and converted and written.value:
        for factor in _SCALES:
            if _close(written, converted / factor) or _close(written, converted * factor):
                return "unit"
    return "no"


_SCALES = (Decimal(10) ** 4, Decimal(10) ** 8)
_SYNONYMS = (frozenset({"件", "起"}),)  # counting words the genre uses interchangeably for cases


def _same_measure(a: str | None, b: str | None) -> bool:
    return same_measure(a, b) or frozenset({a, b}) in _SYNONYMS


def _convert(value: Decimal, unit: str, to: str) -> Decimal | None:
    return value if frozenset({unit, to}) in _SYNONYMS else convert(value, unit, to)


def _value_unit(figure: Figure) -> str:
    unit = normalise_unit(figure.unit)
    return unit.canonical if unit else figure.unit


def _absolute(q: Quantity | None, figure: Figure) -> bool:
    """Is a change written as a difference in the figure's own unit (同比减少22件,
    下降1.4微克/立方米, EQI 提高0.23) rather than as a percentage or 个百分点?"""
    if q is None or q.unit in ("%", "个百分点") or figure.value is None:
        return False
    unit = _value_unit(figure)
    if q.unit is None:
        return not unit or unit == "%"  # a bare number: the index's own scale, or points
    return unit != "%" and _same_measure(q.unit, unit)


def _unit_of(
    figure: Figure, figure_set: FigureSet, field_name: FigureField, q: Quantity | None = None
) -> str:
    if field_name == "change":
        if _absolute(q, figure):
            return _value_unit(figure)
        change = figure_set.change(figure.id)
        return change.unit if change else ""
    if field_name == "completion":
        return "%"
    return _value_unit(figure)


def _raw(
    figure: Figure, figure_set: FigureSet, field_name: FigureField, q: Quantity | None = None
) -> Decimal | None:
    """The unrounded number behind a field, so a text may round it to any precision."""
    if field_name == "change":
        change = figure_set.change(figure.id)
        if change is None:
            return None
        if _absolute(q, figure):
            return abs(change.current - change.previous)
        if change.mode == "points" or not change.previous:
            return abs(change.current - change.previous) if change.mode == "points" else 0
        return abs((change.current - change.previous) / change.previous * 100)
    if field_name == "completion":
        check = figure_set.target(figure.id)
        if check is None or check.completion is None or not check.target:
            return None
        return check.actual / check.target * 100
    return expected_number(figure, figure_set, field_name)


def _fits_field(q: Quantity, figure: Figure, fs: FigureSet, field_name: FigureField) -> Fit:
    expected = _raw(figure, fs, field_name, q)
    unit = _unit_of(figure, fs, field_name, q)
    result = _fit(q, expected, unit)
    if result == "no" and field_name in ("change", "completion") and not _absolute(q, figure):
        shown = expected_number(figure, fs, field_name)  # the rounded figure as rendered
        result = _fit(q, shown, unit)
    return result


# --- reading the text around a number --------------------------------------------------------


@dataclass
class _Spot:
    """A quantity with the pieces of its block the matcher looks at."""

    q: Quantity
    block: int
    text: str
    clause: set[str]
    sentence: set[str]
    after: set[str]
    sentence_start: int
    own_metric: bool  # the metric words stand before the number in its own clause
    own: str = ""  # the number's own words: its clause, after the number before it
    naming: str = ""  # the words that may name its figure: own words, row name, list subject
    column: FigureField | None = None  # a table column whose header says which number it is
    member: _Member | None = None
    continues: bool = False  # a nameless clause going on about the figure just before it


@dataclass(frozen=True)
class _Member:
    """A number of a 分别 list ("PM2.5、PM10浓度分别为38.4和68.7"): the list's subject, split into
    items, and which item this number stands for."""

    subject: str
    items: tuple[str, ...]
    index: int


_JOINER = re.compile(r"\s*(?:、|和|及|与|以及)\s*")
_SIGNS = "+-−－＋"


def _split_items(subject: str, count: int) -> tuple[str, ...] | None:
    for pattern in ("、", "、|和|及|与"):
        items = tuple(re.split(pattern, subject))
        if len(items) == count and all(item.strip() for item in items):
            return items
    return None


def _groups(text: str, quantities: Sequence[Quantity]) -> list[list[int]]:
    """Runs of numbers joined only by 、/和/及/与 ("14件、9件和9件")."""
    groups: list[list[int]] = []
    for position, q in enumerate(quantities):
        if position and _JOINER.fullmatch(text[quantities[position - 1].end : q.start]):
            groups[-1].append(position)
        else:
            groups.append([position])
    return [g for g in groups if len(g) > 1]


def _members(text: str, quantities: Sequence[Quantity]) -> dict[int, _Member]:
    """Number position → its place in a 分别 list. A list without a subject of its own (同比分别
    下降3.5%和3.1%) takes the items of the sentence's previous list, or else stands for the
    figures of the numbers just before it (出动…3690人次，检查…1274家次，分别同比下降3.3%和3.1%):
    those members get no items."""
    out: dict[int, _Member] = {}
    last: tuple[int, str, tuple[str, ...]] | None = None
    for group in _groups(text, quantities):
        first = quantities[group[0]]
        sentence_start, _ = _bounds(text, first.start, first.end, _SENTENCE_STOPS)
        clause_start, _ = _bounds(text, first.start, first.end, _CLAUSE_STOPS)
        head = text[clause_start : first.start]
        if "分别" not in head:
            continue
        subject = head[: head.rfind("分别")]
        items = _split_items(subject, len(group))
        if items is None and last and last[0] == sentence_start and len(last[2]) == len(group):
            _, subject, items = last
        if items is None:
            for index, position in enumerate(group):
                out[position] = _Member("", (), index)
            continue
        last = (sentence_start, subject, items)
        for index, position in enumerate(group):
            out[position] = _Member(subject, items, index)
    return out


def _normalise_quantities(
    text: str, quantities: Sequence[Quantity], *, tabled: bool = False
) -> list[Quantity]:
    """What a reader infers from the layout: a signed number is a change (−3.5% in a table's 同比
    column: 下降3.5%); in a table row a percentage after the row's value is its change; and the
    later numbers of a list share the first one's direction (同比下降3.5%和3.1%)."""
    out = list(quantities)
    for position, q in enumerate(out):
        signed = q.number_text[:1] in _SIGNS if q.number_text else False
        if q.value and signed and q.direction is None:
            word = "上升" if q.value > 0 else "下降"
            out[position] = replace(q, value=abs(q.value), is_change=True, direction=word)
        elif (
            "\t" in text
            and not tabled
            and q.unit in ("%", "个百分点")
            and not q.is_change
            and position
            and "\t" in text[out[position - 1].end : q.start]
        ):
            out[position] = replace(q, is_change=True)
    for group in _groups(text, out):
        first = out[group[0]]
        if not first.is_change:
            continue
        for position in group[1:]:
            q = out[position]
            if not q.is_change and q.direction is None:
                out[position] = replace(
                    q, is_change=True, direction=first.direction, comparison=first.comparison
                )
    return out


def _bounds(text: str, start: int, end: int, stops: str) -> tuple[int, int]:
    left = max((text.rfind(ch, 0, start) for ch in stops), default=-1) + 1
    rights = [i for ch in stops if (i := text.find(ch, end)) >= 0]
    return left, min(rights, default=len(text))


def _spot(
    q: Quantity,
    block: int,
    text: str,
    previous_end: int = 0,
    member: _Member | None = None,
    row: _Row | None = None,
) -> _Spot:
    """``previous_end``: where the quantity before this one ends ("大气类14件、水类9件": the
    second number's own words start after the first). A list member's own words are the list's
    subject."""
    sentence_start, _ = _bounds(text, q.start, q.end, _SENTENCE_STOPS)
    clause_start, clause_end = _bounds(text, q.start, q.end, _CLAUSE_STOPS + "\t")
    cell_start = text.rfind("\t", 0, q.start) + 1
    clause_text = text[max(clause_start, cell_start, previous_end) : q.start]
    if row is not None:  # a table row with a header: its name cells, and the column's meaning
        clause_text = row.name + " " + clause_text
    elif "\t" in text:  # a table row: the row's first cell names what the row is about
        clause_text = text.split("\t", 1)[0] + " " + clause_text
    if member is not None:
        clause_text = member.subject + clause_text
    return _Spot(
        q=q,
        block=block,
        text=text,
        clause=_grams(clause_text),
        own_metric=find_metric(clause_text) is not None,
        sentence=_grams(text[sentence_start : q.start]),
        after=_grams(text[q.end : clause_end]),
        sentence_start=sentence_start,
        own=text[max(clause_start, cell_start, previous_end) : q.start],
        naming=clause_text,
        column=row.field_at(q.start) if row is not None else None,
        member=member,
    )


_RANGE = r"1\s*[-—–~～至到]\s*"
_PERIOD_KINDS = (  # the period a text speaks of; "全年" in a half-year summary is the plan
    ("Q1-3", rf"前三季度|{_RANGE}9月|9月底|9月30日"),
    ("Q1", rf"一季度|{_RANGE}3月(?!\d)|3月底|3月31日"),
    ("Q2", r"二季度"),
    ("Q3", r"三季度"),
    ("Q4", r"四季度"),
    ("H1", rf"上半年|{_RANGE}6月|6月底|6月30日"),
    ("H2", r"下半年"),
    ("Y", rf"全年|{_RANGE}1[0-2]月|12月底|12月31日"),
)
_PLAN_WORDS = re.compile(r"下半年|全年|明年|下一步|下阶段|下步|年底前|确保|力争|争取")
_TARGET_AFTER = re.compile(r"^\s*的?\s*(?:年度|全年|考核|约束性)?\s*(?:目标|要求|任务)")
_PART_OF_PLAN = re.compile(
    r"(?:完成|占|为|达到?)[^，。；,;！？\n]{0,20}?(?:任务|计划|目标)[^，。；,;！？\n]{0,12}的\s*$"
)
_OTHER_BASE = ("同比", "同期", "上年", "去年")


def _subclass(clause: str, name: str) -> str | None:
    """A category word (噪声类, 工业类) before the number that the figure's name does not have:
    the number is a part of the figure, not the figure."""
    for match in re.finditer(r"类", clause):
        words = [clause[max(0, match.start() - k) : match.end()] for k in (2, 1)]
        if not words[-1][:1] or not _CJK_ONLY.match(words[-1][0]):
            continue
        if words[-1][0] in "各此该同这两多等诸另分门归种":
            continue
        if not any(word in name for word in words):
            return words[0]
    return None


def _period_kind(text: str) -> str | None:
    """The last period named in ``text`` (一季度, 1-6月, 截至9月底…), as a kind."""
    best: tuple[int, str] | None = None
    for kind, pattern in _PERIOD_KINDS:
        for match in re.finditer(pattern, text):
            start = match.start()
            if kind == "Q3" and text[max(0, start - 1) : start] == "前":
                continue
            if best is None or start > best[0]:
                best = (start, kind)
    return best[1] if best else None


def _spoken_period(spot: _Spot) -> str | None:
    """The period the sentence speaks of before the number, or the paragraph's lead (一季度，…)."""
    kind = _period_kind(spot.text[spot.sentence_start : spot.q.start])
    if kind is None:
        lead = re.match(r"[^，。；,;\n]{0,12}[，,]", spot.text)
        if lead and lead.end() <= spot.q.start:
            kind = _period_kind(lead.group())
    return kind


_YEAR_MENTION = re.compile(r"((?:19|20)\d{2})\s*年(度|同期|底|末|\d{1,2}月)?")
_BASE_MARK = re.compile(r"(?:较|比|与|同|相比|对比|相较)\s*$")


def _years(spot: _Spot) -> tuple[int | None, int | None]:
    """(the year the number belongs to, the year a change is measured against), from the years
    written before it in its sentence. "2024年…为64.38": 2024; "较2023年度提高0.23": base 2023;
    "较2024年同期的39.8": 39.8 is 2024's number; "较2024年底提高3.1个百分点": no base we hold. A
    year written after the number ("38.4，较2024年同期…") is another number's."""
    text, q = spot.text, spot.q
    spoken = base = None
    for match in _YEAR_MENTION.finditer(text, spot.sentence_start, q.start):
        year, suffix = int(match.group(1)), match.group(2) or ""
        if not _BASE_MARK.search(text[max(spot.sentence_start, match.start() - 3) : match.start()]):
            spoken = year
        elif re.fullmatch(r"\s*(?:的|为|是)?\s*", text[match.end() : q.start]):
            spoken = year  # 较2024年同期的39.8: the number is that year's
        elif suffix in ("", "度", "同期") and (q.is_change or q.direction):
            base = year
        else:
            base = None
    return spoken, base


def _field_for(spot: _Spot, index: _Index) -> FigureField | None:
    """Which number of a figure the words around the quantity speak of (None: another period,
    or a comparison with something other than last year's same period)."""
    q = spot.q
    before = spot.text[max(0, q.start - 16) : q.start]
    if q.comparison and not any(word in q.comparison for word in _OTHER_BASE):
        _, base = _years(spot)
        if base is None:
            return None  # 较一季度收窄1.2个百分点, 环比, 较2024年底: the file has no such base
    spoken = _spoken_period(spot)
    if index.period_kind and spoken and spoken not in (index.period_kind, "Y", "H2"):
        return None  # 一季度 in a half-year file
    if q.unit == "个百分点" or q.is_change:
        return "change"
    if _COMPLETION_BEFORE.search(before) or re.search(r"完成率\s*(?:为|达|达到)?\s*$", before):
        return "completion"
    clause_start, _ = _bounds(spot.text, q.start, q.end, _CLAUSE_STOPS)
    if q.unit == "%" and _PART_OF_PLAN.search(spot.text[clause_start : q.start]):
        return "completion"  # 完成年度任务3000亩的66.0%, 占年度计划投资5.68亿元的52.4%
    spoken_year, _ = _years(spot)
    if spoken_year is not None and not any(spoken_year in pair for pair in index.years.values()):
        return None  # a year the file has no number for
    _, clause_end = _bounds(spot.text, q.start, q.end, _CLAUSE_STOPS)
    if q.target is not None or _TARGET_AFTER.match(spot.text[q.end : clause_end]):
        return "target"
    if q.comparison and any(word in q.comparison for word in _PREVIOUS_WORDS):
        return "previous"
    return "value"


# --- the matcher -----------------------------------------------------------------------------


@dataclass
class _Checker:
    figure_set: FigureSet
    index: _Index
    findings: list[Finding] = field(default_factory=list)

    def score(
        self, spot: _Spot, figure: Figure, inherited: Figure | None, field_name: str
    ) -> float:
        q = spot.q
        score = self.index.overlap(figure, spot.clause)
        score += 0.5 * self.index.overlap(figure, spot.sentence)
        score += 0.4 * self.index.overlap(figure, spot.after)
        if q.metric is not None and q.metric == figure.metric:
            score += 0.8 if spot.own_metric else 0.3
        if inherited is not None and inherited.id == figure.id:
            score += 0.9 if field_name != "value" or spot.continues else 0
        unit = _unit_of(figure, self.figure_set, field_name, q)  # type: ignore[arg-type]
        if q.unit and unit:
            if q.unit == unit or _same_measure(q.unit, unit):
                score += 0.3
            elif {q.unit, unit} != {"%", "个百分点"}:
                score -= 0.6
        return score

    def candidates(
        self,
        spot: _Spot,
        field_name: FigureField,
        inherited: Figure | None,
        margin: float = TIE_MARGIN,
        only: Callable[[Figure], bool] | None = None,
    ) -> list[Figure]:
        """The figures the context names best, having a number for ``field_name``."""
        scored = []
        for figure in self.index.figures:
            if only is not None and not only(figure):
                continue
            if _raw(figure, self.figure_set, field_name) is None and not (
                field_name == "value" and figure.missing
            ):
                continue
            scored.append((self.score(spot, figure, inherited, field_name), figure))
        if not scored:
            return []
        best = max(s for s, _ in scored)
        if best < CANDIDATE_THRESHOLD:
            return []
        return [f for s, f in sorted(scored, key=lambda x: -x[0]) if s >= best - margin]

    def finding(
        self,
        spot: _Spot,
        kind: str,
        message: str,
        figure: Figure | None = None,
        field_name: FigureField | None = None,
        matched_by: MatchedBy | None = None,
    ) -> Finding:
        q = spot.q
        expected = None
        if figure is not None and field_name is not None:
            expected = reference_text(figure, self.figure_set, field_name)
        return Finding(
            kind=kind,  # type: ignore[arg-type]
            value=q.text,
            block=spot.block,
            start=q.start,
            end=q.end,
            context=_context(spot.text, q.start, q.end),
            message=message,
            unit=q.unit,
            figure_id=figure.id if figure else None,
            field=field_name,
            expected=expected,
            source=figure.provenance.describe() if figure else None,
            matched_by=matched_by if figure is not None else None,
        )

    def judge(
        self,
        spot: _Spot,
        figure: Figure,
        field_name: FigureField,
        matched_by: MatchedBy,
        also: Sequence[Figure] = (),
    ) -> Finding:
        """The verdict for a quantity known to speak of ``figure``'s ``field_name``."""
        q, fs = spot.q, self.figure_set
        label = f"{figure.name}{'' if field_name == 'value' else _FIELD_WORDS[field_name]}"
        fit = _fits_field(q, figure, fs, field_name)
        if (
            fit == "yes"
            and field_name == "value"
            and q.places < figure.places
            and figure.previous_written
            and q.places >= places_of(figure.previous_written)
            and _fits_field(q, figure, fs, "previous") == "yes"
        ):
            fit = "no"  # 100% for 99.5% when last year was exactly 100%: last year's number
        if fit == "yes":
            wrong = self.wrong_direction(spot, figure, field_name)
            if wrong:
                return self.finding(spot, "direction", wrong, figure, field_name, matched_by)
            return self.finding(spot, "ok", f"与{label}一致", figure, field_name, matched_by)
        if fit == "unit":
            written = q.unit_written or "无单位"
            should = _unit_of(figure, fs, field_name, q) or "无单位"
            message = f"数值与{label}一致，但单位应为“{should}”而不是“{written}”"
            if field_name == "change" and should == "个百分点":
                message = f"{figure.name}是比率，同比变化应写“个百分点”，不是“%”"
            elif field_name == "change" and q.unit == "个百分点":
                message = f"{figure.name}同比变化是相对增幅，应写“%”，不是“个百分点”"
            return self.finding(spot, "unit", message, figure, field_name, matched_by)
        if field_name == "value" and _fits_field(q, figure, fs, "previous") == "yes":
            previous = reference_text(figure, fs, "previous")
            current = reference_text(figure, fs, "value")
            message = f"这是{figure.name}的上年同期数（{previous}），本期应为{current}"
            return self.finding(spot, "stale", message, figure, field_name, matched_by)
        for other in also:
            if other is not figure and _fits_field(q, other, fs, field_name) == "yes":
                message = f"与{other.name}（{other.id}）的数相同，但上下文说的是{figure.name}"
                return self.finding(spot, "mismatch", message, figure, field_name, matched_by)
        expected = reference_text(figure, fs, field_name) or "（数据文件中缺）"
        message = f"{label}应为{expected}，文中写的是{q.text}"
        return self.finding(spot, "mismatch", message, figure, field_name, matched_by)

    def wrong_direction(self, spot: _Spot, figure: Figure, field_name: FigureField) -> str | None:
        """A direction word that contradicts the figure's change, else None."""
        q = spot.q
        change = self.figure_set.change(figure.id)
        if change is None or q.direction is None:
            return None
        if field_name == "change" or (field_name == "value" and q.direction in _AT_WORDS):
            sign = direction_sign(q.direction)
            actual = {"上升": 1, "下降": -1, "持平": 0}[change.direction]
            if sign is not None and sign != actual:
                return f"{figure.name}同比{change.direction}，文中写“{q.direction}”"
            if q.direction in ("改善", "好转", "恶化") and change.improved is not None:
                says_better = q.direction != "恶化"
                if says_better != change.improved:
                    return f"{figure.name}同比{change.assessment}，文中写“{q.direction}”"
        return None

    def by_context(self, spot: _Spot, inherited: Figure | None) -> Finding | None:
        q = spot.q
        field_name = spot.column or _field_for(spot, self.index)
        if field_name is None:
            message = "说的是数据文件以外的期间或比较基数，无从核对"
            return self.finding(spot, "unsourced", message)
        if _GAP.search(spot.text[max(0, q.start - 14) : q.start]) and not (
            q.is_change or q.direction or q.comparison
        ):
            return self.finding(spot, "unsourced", "与目标的差距不在数据文件中，无从核对")
        if spot.member is not None:  # 分别: the list's items decide, not the last figure named
            inherited = None
        if spot.column:
            found = self.candidates(spot, field_name, inherited)
        else:
            field_name, found = self.by_year(spot, field_name, inherited)
        if field_name == "target" and q.target in _WEAK_TARGET:  # 计划投资: maybe the value
            values = self.candidates(spot, "value", inherited)
            fits = [f for f in values if _fits_field(q, f, self.figure_set, "value") == "yes"]
            target_fits = [
                f for f in found if _fits_field(q, f, self.figure_set, "target") == "yes"
            ]
            closer = bool(values) and (
                not found
                or self.score(spot, values[0], inherited, "value")
                > self.score(spot, found[0], inherited, "target")
            )
            if (fits and not target_fits) or (closer and not target_fits):
                field_name, found = "value", values
        elif field_name == "target" and not found:
            field_name, found = "value", self.candidates(spot, "value", inherited)
        if spot.member is not None and found:
            found = self.pick_item(spot, field_name, found)
        if found:
            fitting = [f for f in found if _fits_field(q, f, self.figure_set, field_name) == "yes"]
            figure = fitting[0] if fitting else found[0]
            if figure.missing and field_name == "value":
                return self.finding(
                    spot, "unsourced", f"{figure.name}在数据文件中待补，文中的数无出处", figure
                )
            verdict = self.judge(spot, figure, field_name, "context", also=found)
            if verdict.kind in ("mismatch", "stale"):
                return self.second_look(spot, figure, field_name, inherited, verdict)
            return verdict
        return self.unsourced(spot)

    def by_year(
        self, spot: _Spot, field_name: FigureField, inherited: Figure | None
    ) -> tuple[FigureField, list[Figure]]:
        """The candidates, keeping to the figures that have a number for the year the text names
        (its data year: this period's value; the year before: 上年同期; a change's base year)."""
        spoken, base = _years(spot)
        years = self.index.years
        if field_name == "change" and (spoken or base):
            return field_name, self.candidates(
                spot,
                field_name,
                inherited,
                only=lambda f: spoken in (None, years[f.id][0]) and base in (None, years[f.id][1]),
            )
        if spoken is None or field_name != "value":
            return field_name, self.candidates(spot, field_name, inherited)
        now = self.candidates(spot, "value", inherited, only=lambda f: years[f.id][0] == spoken)
        before = self.candidates(
            spot, "previous", inherited, only=lambda f: years[f.id][1] == spoken
        )
        if now and (
            not before
            or self.score(spot, now[0], inherited, "value")
            >= self.score(spot, before[0], inherited, "previous")
        ):
            return "value", now
        return "previous", before

    def pick_item(self, spot: _Spot, field_name: FigureField, found: list[Figure]) -> list[Figure]:
        """Of the figures the list's subject names, the one whose name holds the characters only
        this number's item has (大气、水、其他类…分别为14件、9件和9件: 水 → the 水 figure)."""
        member = spot.member
        assert member is not None
        letters = [{c for c in _fold(item) if _CJK_OR_WORD.match(c)} for item in member.items]
        own = letters[member.index].difference(
            *(other for i, other in enumerate(letters) if i != member.index)
        )
        ranked = []
        for figure in self.candidates(spot, field_name, None, math.inf):
            score = self.score(spot, figure, None, field_name)
            if score >= CANDIDATE_THRESHOLD:
                name = _fold(figure.name)
                weight = sum(self.index.chars.get(c, 0) for c in own if c in name)
                ranked.append((weight, score, figure))
        if not ranked:
            return found
        weight, _, figure = max(ranked, key=lambda r: (r[0], r[1]))
        return [figure] if weight > 0 else found

    def named(self, spot: _Spot, figure: Figure, inherited: Figure | None, field: str) -> bool:
        """Does the number's own clause name the figure (or, for a change/target/completion, did
        the sentence just speak of it)? Only then may a wrong number be called wrong."""
        inherits = inherited is not None and inherited.id == figure.id
        if inherits and (field != "value" or spot.continues):
            return True
        if spot.own_metric and spot.q.metric is not None and spot.q.metric == figure.metric:
            return True
        own = self.index.overlap(figure, spot.clause)
        if own >= NAMED_OVERLAP:
            return True
        # 立案查处环境违法案件32件，其中大气类9件、水类14件: the sentence names the family, the
        # clause the item (by a word few names have)
        sentence = self.index.overlap(figure, spot.sentence)
        return own > 0 and (
            sentence >= 0.5 or (sentence >= 0.3 and bool(spot.clause & self.index.rare[figure.id]))
        )

    def strongly_named(self, spot: _Spot, figure: Figure) -> bool:
        if spot.own_metric and spot.q.metric is not None and spot.q.metric == figure.metric:
            return True
        return self.index.overlap(figure, spot.clause) >= 0.5

    def second_look(
        self,
        spot: _Spot,
        figure: Figure,
        field_name: FigureField,
        inherited: Figure | None,
        verdict: Finding,
    ) -> Finding:
        """Before calling a number wrong: is it a number the file holds elsewhere (a figure's
        范围/备注, a target in a plan sentence), or a number of some other thing altogether?"""
        q, fs = spot.q, self.figure_set
        before = spot.text[max(0, q.start - 8) : q.start]
        for other, words in self.index.side_words.get(_key(q), []):
            if words & _grams(before) and not self.strongly_named(spot, figure):
                return replace(
                    verdict,
                    kind="ok",
                    message=f"见{other.name}（{other.id}）的范围/备注",
                    figure_id=other.id,
                    field=None,
                    expected=None,
                    source=other.provenance.describe(),
                )
        _, clause_end = _bounds(spot.text, q.start, q.end, _CLAUSE_STOPS)
        own = spot.own
        if _PER_UNIT.search(own) and not _PER_UNIT.search(figure.name):
            return self.finding(spot, "unsourced", "平均到每件/每人的数不在数据文件中，无从核对")
        part = _subclass(own, figure.name)
        if part:
            message = f"“{part}”是{figure.name}中的一部分，数据文件中没有，无从核对"
            return self.finding(spot, "unsourced", message)
        if (
            field_name == "value"
            and _fits_field(q, figure, fs, "target") == "yes"
            and (
                _PLAN_WORDS.search(spot.text[spot.sentence_start : q.start])
                or re.search(r"目标|要求|任务|考核|计划", own + spot.text[q.end : clause_end])
            )
        ):
            return self.judge(spot, figure, "target", "context")
        unit = _unit_of(figure, fs, field_name, q)
        if (
            q.unit
            and unit
            and not _same_measure(q.unit, unit)
            and {q.unit, unit} != {"%", "个百分点"}
        ):
            message = f"单位“{q.unit_written or q.unit}”与{figure.name}（{unit}）对不上，无从核对"
            return self.finding(spot, "unsourced", message)
        if not self.named(spot, figure, inherited, field_name) or not (
            self.clearly_named(spot, figure)
            or (
                (field_name != "value" or spot.continues)
                and inherited is not None
                and inherited.id == figure.id
            )
        ):
            message = f"上下文没有点明这是{figure.name}，数据文件中没有与之对应的数据，请核实出处"
            return self.finding(spot, "unsourced", message)
        return verdict

    def clearly_named(self, spot: _Spot, figure: Figure) -> bool:
        """Named well enough to call a number wrong: the metric dictionary finds the figure's
        metric in the number's own words, or the sentence holds at least half the figure's name
        by word (weighted: words few names share count more) with one of them in its own words.
        Shared characters are not enough: "配合公安机关侦办…案件2起" is not 移送公安机关行政拘留."""
        if spot.own_metric and spot.q.metric is not None and spot.q.metric == figure.metric:
            return True
        words = self.index.words(figure)
        if not words:
            return True
        own = _fold(spot.naming)
        sentence = _fold(spot.text[spot.sentence_start : spot.q.start]) + own
        total = sum(words.values())
        present = sum(w for word, w in words.items() if word in sentence)
        return present >= 0.5 * total and any(word in own for word in words)

    def unsourced(self, spot: _Spot) -> Finding | None:
        q = spot.q
        if q.value is None:
            return None
        if q.unit:
            side = self.index.side_numbers.get(_key(q))
            if side:
                figure = side[0]
                return Finding(
                    kind="ok",
                    value=q.text,
                    block=spot.block,
                    start=q.start,
                    end=q.end,
                    context=_context(spot.text, q.start, q.end),
                    message=f"见{figure.name}（{figure.id}）的范围/备注",
                    unit=q.unit,
                    figure_id=figure.id,
                    source=figure.provenance.describe(),
                    matched_by="context",
                )
            exact = [
                f
                for f in self.index.figures
                if f.value is not None
                and _unit_of(f, self.figure_set, "value") == q.unit
                and q.approx is None
                and f.value == q.value
                and f.places == q.places
            ]
            if len(exact) == 1:
                return self.judge(spot, exact[0], "value", "context")
        if q.number_text in ("一", "壹") and q.value == _ARTICLE_ONE:
            return None  # 一个项目、一名领导: an article, not a figure
        return self.finding(spot, "unsourced", "数据文件中没有与之对应的数据，请核实出处")


_FIELD_WORDS = {
    "value": "",
    "change": "同比变化",
    "previous": "上年同期",
    "target": "目标",
    "completion": "完成率",
}


def _context(text: str, start: int, end: int) -> str:
    """The clause around a number, for display (≤ 40 characters either side)."""
    left, right = _bounds(text, start, end, _SENTENCE_STOPS)
    left = max(left, start - 40)
    right = min(right, end + 40)
    return text[left:right].strip()


# --- target claims: 完成/达到…目标 ---------------------------------------------------------


_PLAN_LEAD = re.compile(  # in the sentence before a claim: it is a plan
    r"确保|力争|争取|计划|将|下半年|下一步|下阶段|下步|明年|到年底|年底前|年内"
)


def _claims(
    text: str, *, annual_is_plan: bool = False, plan_section: bool = False
) -> list[tuple[int, int, bool]]:
    """(start, end, met?) of each statement that a target was (or was not) reached; none said to
    be met in a plan: a sentence with 确保/力争/下半年… before the claim, or any sentence under a
    plan heading (二、下半年工作计划). ``annual_is_plan``: the file is for part of a year, so
    全年… is the plan."""
    found = []
    for match in _CLAIM.finditer(text):
        tail = text[match.end() : match.end() + 16]
        if re.match(r"\s*(?:[\d.]+[^\d，。；,;]{0,4})?的\s*(?:\d|百分之)", tail) or re.match(
            r"\s*(?:完成率|任务的)", tail
        ):
            continue  # 完成年度目标的52.4%, 完成年度任务3000亩的66.0%: a completion rate
        if _NOT_A_CLAIM.match(tail):
            continue  # 完成全年目标压力较大: the goal as a topic, not a result
        sentence_start, _ = _bounds(text, match.start(), match.end(), "。！？!?\n")
        lead = text[sentence_start : match.start()]
        if not match.group("neg") and (
            plan_section
            or _PLAN_BEFORE.search(lead[-4:])
            or _PLAN_LEAD.search(lead)
            or (annual_is_plan and "全年" in lead)
        ):
            continue  # 确保…达到75%的目标, 下半年…完成年度任务: a plan, not a result
        if re.search(r"[，,]", match.group("mid")):
            continue
        found.append((match.start(), match.end(), not match.group("neg")))
    return found


# --- the public API --------------------------------------------------------------------------


def check_blocks(
    texts: Sequence[str],
    figure_set: FigureSet,
    citations: Sequence[Citation] = (),
    *,
    plan: bool = False,
) -> CheckReport:
    """Check every number and placeholder of a draft's blocks (block index = position in texts).

    ``citations`` (from the drafter) tie spans to figures exactly; the rest match by context.
    ``plan``: the blocks are a plan section without its heading, so "达到75%的目标" is an
    intention, not a claim that the target was met.
    """
    return _check(texts, figure_set, [(c, "provenance") for c in citations], plan=plan)


def _check(
    texts: Sequence[str],
    figure_set: FigureSet,
    cited: Sequence[tuple[Citation, MatchedBy]],
    rows: Sequence[bool] | None = None,
    *,
    plan: bool = False,
) -> CheckReport:
    """``rows``: which blocks are table rows (from the file); else a block with a tab is one."""
    checker = _Checker(figure_set, _Index.build(figure_set))
    by_block: dict[int, list[tuple[Citation, MatchedBy]]] = {}
    for citation, how in cited:
        by_block.setdefault(citation.block, []).append((citation, how))
    findings: list[Finding] = []
    plans: list[bool] = [False, False, False]  # does the heading at each level name a plan?
    columns: list[_Column] | None = None  # the header of the table being read
    for block, text in enumerate(texts):
        heading = _HEADING.match(text)
        if heading and len(text) <= 40 and "。" not in text:
            level = next(i for i, g in enumerate(heading.groups()) if g)
            plans[level:] = [bool(_PLAN_HEADING.search(text))] * (3 - level)
        plan_section = plan or any(plans)
        is_row = rows[block] if rows is not None else "\t" in text
        header = _header(text.split("\t"), checker.index) if is_row else None
        if not is_row:
            columns = None
        elif header is not None:
            columns = header
        elif columns is not None and len(columns) != text.count("\t") + 1:
            columns = None  # another table, or merged cells: no header to go by
        findings.extend(
            _check_block(
                checker,
                block,
                text,
                by_block.get(block, []),
                plan_section,
                columns if is_row and header is None else None,
            )
        )
    return CheckReport(findings=findings, summary=summarise(findings))


# --- tables: the header row says what each column holds --------------------------------------

ColumnRole = Literal[
    "name", "ordinal", "unit", "note", "value", "previous", "change", "target", "completion"
]
_FIELDS = ("value", "previous", "change", "target", "completion")
_NUMERIC_CELL = re.compile(r"\s*(?!(?:19|20)\d{2}\s*年)[-+−－＋]?\d")
_COLUMN_WORDS: tuple[tuple[ColumnRole, re.Pattern[str]], ...] = (
    ("ordinal", re.compile(r"^(?:序号|编号|序|no\.?)$")),
    ("unit", re.compile(r"^(?:计量)?单位$")),
    ("note", re.compile(r"备注|说明|是否|情况|排名|责任")),
    ("completion", re.compile(r"完成率|完成比例|完成进度|进度")),
    ("change", re.compile(r"同比|增减|增幅|降幅|涨幅|变化|变幅|增长|较上年|比上年")),
    ("previous", re.compile(r"上年|去年|同期")),
    ("target", re.compile(r"目标|任务|计划")),
    (
        "value",
        re.compile(
            r"数值|本期|实际|完成|累计|当期|本年|今年|上半年|季度|全年|1\s*[-—–~至]\s*\d+月"
        ),
    ),
    ("name", re.compile(r"指标|项目|名称|内容|类别|事项|类型")),
)


@dataclass(frozen=True)
class _Column:
    role: ColumnRole | None
    unit: str | None  # the header's unit: 数值（微克/立方米）


def _column(cell: str, index: _Index) -> _Column:
    text = _fold(cell.strip())
    bracket = re.search(r"[(]([^)]*)[)]", text)
    unit = normalise_unit(bracket.group(1)) if bracket else None
    label = re.sub(r"[(][^)]*[)]", "", text).strip()
    year = _YEAR_MENTION.match(label)
    if year and index.year is not None and not re.search(r"目标|任务|计划|同比|增减", label):
        if int(year.group(1)) == index.year:
            return _Column("value", unit.canonical if unit else None)
        if int(year.group(1)) == index.year - 1:
            return _Column("previous", unit.canonical if unit else None)
    role = next((role for role, words in _COLUMN_WORDS if words.search(label)), None)
    return _Column(role, unit.canonical if unit else None)


def _header(cells: Sequence[str], index: _Index) -> list[_Column] | None:
    """The columns a header row declares, or None when the row is not a header (it holds a
    number, or names fewer than two columns, none of them a figure's number)."""
    if len(cells) < 2 or any(_NUMERIC_CELL.match(cell) for cell in cells):
        return None
    columns = [_column(cell, index) for cell in cells]
    roles = [c.role for c in columns if c.role is not None and c.role != "note"]
    if len(roles) < 2 or not any(role in _FIELDS for role in roles):
        return None
    return columns


@dataclass(frozen=True)
class _Row:
    """A table row read through its header: which cells name the row, and what each column is."""

    text: str
    columns: tuple[_Column, ...]
    starts: tuple[int, ...]  # where each cell starts
    name: str
    unit: str | None  # the row's unit: its 单位 cell, or the name's （家次）

    @classmethod
    def read(cls, text: str, columns: Sequence[_Column]) -> _Row:
        cells = text.split("\t")
        starts = tuple(itertools.accumulate((len(c) + 1 for c in cells[:-1]), initial=0))
        named = [c for c, col in zip(cells, columns, strict=True) if col.role == "name"]
        if not named:  # no 指标 column: the first cell that is not an ordinal or a number
            named = [
                c
                for c, col in zip(cells, columns, strict=True)
                if col.role not in ("ordinal", "unit") and not _NUMERIC_CELL.match(c)
            ][:1]
        units = [c for c, col in zip(cells, columns, strict=True) if col.role == "unit"]
        unit = normalise_unit(units[0].strip()) if units else None
        if unit is None and named:
            bracket = re.search(r"[(]([^)]*)[)]", _fold(named[0]))
            unit = normalise_unit(bracket.group(1)) if bracket else None
        name = " ".join(named)
        return cls(text, tuple(columns), starts, name, unit.canonical if unit else None)

    def column_at(self, position: int) -> _Column:
        cell = sum(1 for start in self.starts[1:] if start <= position)
        return self.columns[cell]

    def field_at(self, position: int) -> FigureField | None:
        role = self.column_at(position).role
        return role if role in _FIELDS else None  # type: ignore[return-value]

    def quantities(self, quantities: Sequence[Quantity]) -> list[Quantity]:
        """The row's numbers as the header reads them: none in a 序号/单位 column; a number with
        no unit takes its row's or its column's (a 同比 cell: its column's first); a 同比 cell is
        a change (7.7 there is 上升7.7)."""
        out = []
        for q in quantities:
            column = self.column_at(q.start)
            if column.role in ("ordinal", "unit"):
                continue
            unit = q.unit
            if unit is None and column.role == "completion":
                unit = "%"
            elif unit is None and column.role == "change":  # 同比（%）, else a difference
                unit = column.unit or self.unit
            elif unit is None:  # the row's own unit is the more specific
                unit = self.unit or column.unit
            if column.role == "change":
                signed = q.number_text[:1] in _SIGNS
                direction = q.direction
                if direction is None and not signed and q.value is not None:
                    direction = "持平" if q.value == 0 else "上升"
                q = replace(q, is_change=True, direction=direction)
            out.append(replace(q, unit=unit, unit_written=q.unit_written or unit))
        return out


_HEADING = re.compile(  # 一、 / （一） / 1. — the heading's level is the group that matched
    r"\s*(?:([一二三四五六七八九十]+、)|([（(][一二三四五六七八九十]+[）)])|(\d+[.．、](?!\d)))"
)
_PLAN_HEADING = re.compile(r"计划|安排|打算|下一步|下半年|下阶段|明年|思路")


def _check_block(
    checker: _Checker,
    block: int,
    text: str,
    cited: list[tuple[Citation, MatchedBy]],
    plan_section: bool = False,
    columns: Sequence[_Column] | None = None,
) -> list[Finding]:
    fs = checker.figure_set
    holes = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    holes += [(m.start(), m.end()) for m in REFERENCE.finditer(text)]
    findings: list[tuple[int, Finding]] = []
    for start, end in holes:
        piece = text[start:end]
        message = "未渲染的数据引用" if piece.startswith("{{") else "占位符未补齐"
        findings.append(
            (
                start,
                Finding(
                    kind="placeholder",
                    value=piece,
                    block=block,
                    start=start,
                    end=end,
                    context=_context(text, start, end),
                    message=f"{message}：{piece}",
                ),
            )
        )
    extracted = [q for q in extract_numbers(text) if not any(s <= q.start < e for s, e in holes)]
    for q in extracted:
        if q.form == "masked" and (q.unit or "." in q.number_text):  # xx.x%: a value not filled in
            finding = Finding(
                kind="placeholder",
                value=q.text,
                block=block,
                start=q.start,
                end=q.end,
                context=_context(text, q.start, q.end),
                message=f"数字被遮盖未补齐：{q.text}",
                unit=q.unit,
            )
            findings.append((q.start, finding))
    row = _Row.read(text, columns) if columns else None
    quantities = [q for q in extracted if q.form not in ("masked", "category")]
    if row is not None:
        quantities = row.quantities(quantities)
    quantities = _normalise_quantities(text, quantities, tabled=row is not None)
    members = _members(text, quantities)
    matched: dict[int, tuple[Figure, FigureField]] = {}  # quantity position → figure, field
    verdicts: dict[int, Finding] = {}
    sentence_figure: tuple[int, Figure, int] | None = None  # (sentence start, figure, its end)
    for position, q in enumerate(quantities):
        previous_end = quantities[position - 1].end if position else 0
        member = members.get(position)
        anchor = None
        if member is not None and not member.items:  # 分别 over the numbers before the list
            anchor = _anchor(quantities, members, matched, position, member)
            member = None
        spot = _spot(q, block, text, previous_end, member, row)
        citation = next(
            (
                (c, how)
                for c, how in cited
                if c.start <= q.start < c.end or (q.start <= c.start < q.end)
            ),
            None,
        )
        inherited = None
        if sentence_figure is not None and sentence_figure[0] == spot.sentence_start:
            inherited = sentence_figure[1]
            if member is None and row is None:
                spot.continues = _continues(checker, spot, inherited, sentence_figure[2])
        if anchor is not None:
            inherited = anchor
        if citation is not None:
            verdict = _by_citation(checker, spot, *citation)
        else:
            verdict = checker.by_context(spot, inherited)
        if verdict is None:
            continue
        verdicts[position] = verdict
        figure = fs.get(verdict.figure_id) if verdict.figure_id else None
        if figure is not None and verdict.field is not None:
            matched[position] = (figure, verdict.field)
            sentence_figure = (spot.sentence_start, figure, q.end)
    _apply_claims(checker, text, quantities, matched, verdicts, plan_section)
    findings.extend((quantities[p].start, v) for p, v in verdicts.items())
    if row is None:
        findings.extend(_class_findings(checker, block, text, extracted))
    findings.sort(key=lambda item: item[0])
    return [f for _, f in findings]


_CLASS_NOT_VALUE = re.compile(r"^\s*(?:及?以上|及?以下|标准|目标|要求|水体)")


def _class_findings(
    checker: _Checker, block: int, text: str, extracted: Sequence[Quantity]
) -> list[tuple[int, Finding]]:
    """A water class written for a category figure ("示例桥断面水质为Ⅲ类"): ok when it is the
    figure's class, mismatch when the clause names the figure and the class differs. A class
    that is a standard or goal (达到Ⅲ类标准, Ⅲ类以上), a starting point (由Ⅳ类…) or another
    period's, or that no category figure is named for, gives no finding."""
    classes = [f for f in checker.index.figures if f.category is not None]
    out: list[tuple[int, Finding]] = []
    for q in extracted:
        if q.form != "category" or q.category is None or not classes:
            continue
        spot = _spot(q, block, text)
        _, clause_end = _bounds(text, q.start, q.end, _CLAUSE_STOPS)
        if (
            re.search(r"[由从]\s*$", spot.own)
            or _CLASS_NOT_VALUE.match(text[q.end : clause_end])
            or _field_for(spot, checker.index) not in ("value", "change")
        ):
            continue
        scored = [(checker.score(spot, f, None, "value"), f) for f in classes]
        best, figure = max(scored, key=lambda item: item[0])
        if best < CANDIDATE_THRESHOLD:
            continue
        label = f"{figure.name}（{figure.category}类）"
        if q.category == figure.category:
            finding = checker.finding(spot, "ok", f"与{label}一致", figure, "value", "context")
        elif checker.named(spot, figure, None, "value") and checker.clearly_named(spot, figure):
            message = f"{figure.name}应为{figure.category}类，文中写的是{q.text}"
            finding = checker.finding(spot, "mismatch", message, figure, "value", "context")
        else:
            continue
        out.append((q.start, finding))
    return out


def _continues(checker: _Checker, spot: _Spot, figure: Figure, previous_end: int) -> bool:
    """Does a clause that names nothing go on about the figure of the clause just before it
    ("2023年度生态质量指数为64.15，2024年度提升至64.38")? Only when the earlier number ends
    its clause, this clause's words name no figure and no metric but do name the figure's own
    year or period, and its unit (if any) measures what the figure does."""
    q, text = spot.q, spot.text
    clause_start, _ = _bounds(text, q.start, q.end, _CLAUSE_STOPS)
    if not re.fullmatch(r"[^，,：:\u4e00-\u9fff]{0,4}[，,：:]\s*", text[previous_end:clause_start]):
        return False
    own = spot.own
    if find_metric(own) is not None or any(
        checker.index.overlap(f, spot.clause) for f in checker.index.figures
    ):
        return False
    unit = _value_unit(figure)
    if q.unit and not (unit and _same_measure(q.unit, unit)):
        return False
    years = [int(m.group(1)) for m in _YEAR_MENTION.finditer(own)]
    kind = _period_kind(own)
    if not years and kind is None:
        return False
    return all(y == checker.index.years[figure.id][0] for y in years) and kind in (
        None,
        checker.index.period_kind,
    )


def _anchor(
    quantities: Sequence[Quantity],
    members: Mapping[int, _Member],
    matched: Mapping[int, tuple[Figure, FigureField]],
    position: int,
    member: _Member,
) -> Figure | None:
    """The figure a subject-less 分别 list member stands for: the figures of the numbers before
    the list, in order, when there are as many as the list has members."""
    first = position - member.index
    size = sum(1 for p, m in members.items() if p - m.index == first)
    before = [p for p in range(first) if p in matched and matched[p][1] == "value"]
    if len(before) < size:
        return None
    return matched[before[-size + member.index]][0]


def _by_citation(checker: _Checker, spot: _Spot, citation: Citation, how: MatchedBy) -> Finding:
    figure = checker.figure_set.get(citation.figure_id)
    if figure is None:
        return checker.finding(
            spot, "unsourced", f"标注的数据 {citation.figure_id} 不在数据文件中，请核实出处"
        )
    field_name: FigureField = citation.field
    if _raw(figure, checker.figure_set, field_name) is None:
        return checker.finding(
            spot,
            "unsourced",
            f"标注的{figure.name}{_FIELD_WORDS[field_name]}在数据文件中缺，文中的数无出处",
            figure,
            field_name,
            how,
        )
    return checker.judge(spot, figure, field_name, how)


def _apply_claims(
    checker: _Checker,
    text: str,
    quantities: list[Quantity],
    matched: Mapping[int, tuple[Figure, FigureField]],
    verdicts: dict[int, Finding],
    plan_section: bool = False,
) -> None:
    """完成/达到…目标 must agree with the target check of the figure it is said of."""
    annual_is_plan = checker.index.period_kind not in (None, "Y")
    for start, end, says_met in _claims(
        text, annual_is_plan=annual_is_plan, plan_section=plan_section
    ):
        sentence_start, _ = _bounds(text, start, end, _SENTENCE_STOPS)
        before = [
            p
            for p in matched
            if sentence_start <= quantities[p].start < end
            and checker.figure_set.target(matched[p][0].id) is not None
        ]
        if not before:
            continue
        position = max(before, key=lambda p: quantities[p].start)
        figure = matched[position][0]
        values = [p for p in before if matched[p] == (figure, "value")]
        position = values[-1] if values else position  # the claim is about the actual value
        check = checker.figure_set.target(figure.id)
        assert check is not None
        verdict = verdicts[position]
        if check.met == says_met or verdict.kind != "ok":
            continue
        state = "已完成" if check.met else "未完成"
        actual = reference_text(figure, checker.figure_set, "value")
        goal = reference_text(figure, checker.figure_set, "target") or check.target
        message = f"{figure.name}{actual}，目标{goal}，{state}目标，文中写“{text[start:end]}”"
        verdicts[position] = replace(verdict, kind="direction", message=message)


def summarise(findings: Sequence[Finding]) -> dict[str, int]:
    """Counts by kind (every kind present), plus the total."""
    counts = Counter(f.kind for f in findings)
    kinds = ("ok", "mismatch", "unit", "direction", "unsourced", "stale", "placeholder")
    summary = {kind: counts.get(kind, 0) for kind in kinds}
    summary["total"] = len(findings)
    return summary


# --- files: .docx (with our comments), .md, .txt, and the provenance sidecar -----------------

CHECKED_SUFFIXES = (".docx", ".md", ".txt")


def check_file(
    path: str | Path, figure_set: FigureSet, *, sidecar: Path | None = None
) -> CheckReport:
    """Check a draft file; our Word comments and the ``<stem>.json`` sidecar give provenance.

    Block indices are read_blocks' for .docx (title = 0, empty paragraphs counted) and
    assistant.reading's for .md/.txt. A sidecar is used where its paragraph still reads as
    recorded, or where only the cited number changed (then the edit is reported).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CHECKED_SUFFIXES:
        raise InputError(
            f"不支持的文件类型“{path.suffix or '(无扩展名)'}”",
            path=str(path),
            hint="检查 .docx、.md 或 .txt（UTF-8 或 GBK）文件",
        )
    if not path.is_file():
        raise InputError("文件不存在", path=str(path), hint="检查路径")
    cited: list[tuple[Citation, MatchedBy]] = []
    if suffix == ".docx":
        from .word import read_blocks, read_comments

        blocks = read_blocks(path)
        cited.extend((c, "comment") for c in _comment_citations(read_comments(path)))
    else:
        from .reading import read_document

        blocks = read_document(path).blocks
    texts = [block.text for block in blocks]
    rows = [block.style == "table" or "\t" in block.text for block in blocks]
    explicit = sidecar is not None
    sidecar = sidecar if explicit else path.with_suffix(".json")
    if sidecar is not None and (explicit or sidecar.is_file()):
        recorded = _sidecar_citations(sidecar, texts, required=explicit)
        taken = [(c.block, c.start, c.end) for c, _ in cited]
        cited.extend(
            (c, "provenance")
            for c in recorded
            if not any(b == c.block and s < c.end and c.start < e for b, s, e in taken)
        )
    report = _check(texts, figure_set, cited, rows)
    report.path = path
    report.figures_file = str(figure_set.path)
    report.figures_sha256 = figure_set.sha256
    return report


def _comment_citations(refs: Sequence[Any]) -> list[Citation]:
    citations = []
    for ref in refs:
        parsed = parse_comment(ref.text)
        if parsed is None:
            continue
        figure_id, field_name = parsed
        citations.append(
            Citation(
                block=ref.block_index,
                start=ref.start,
                end=ref.end,
                text=ref.anchored_text,
                figure_id=figure_id,
                field=field_name,
                source=next(
                    (line[3:] for line in ref.text.splitlines() if line.startswith("来源：")), ""
                ),
            )
        )
    return citations


def _sidecar_citations(path: Path, texts: Sequence[str], *, required: bool) -> list[Citation]:
    """The sidecar's numbers placed on the current blocks; [] for a file that is not ours."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise InputError("溯源文件不存在", path=str(path), hint="检查 --sidecar 路径") from exc
    except (OSError, ValueError) as exc:
        raise InputError(
            f"溯源文件无法读取（{exc}）", path=str(path), hint="删除或重新生成该 .json"
        ) from exc
    if not isinstance(data, dict) or data.get("format") != SIDECAR_FORMAT:
        if required:
            raise InputError(
                f"不是起草助手的溯源文件（format 应为 {SIDECAR_FORMAT}）",
                path=str(path),
                hint="用 assistant draft 生成的 .json，或不加 --sidecar",
            )
        return []
    try:
        paragraphs = {int(p["index"]): str(p["text"]) for p in data.get("paragraphs", [])}
        numbers = [
            (
                int(n["paragraph"]),
                int(n["start"]),
                int(n["end"]),
                str(n["figure_id"]),
                str(n.get("field") or "value"),
                str(n.get("source") or ""),
            )
            for n in data.get("numbers", [])
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"溯源文件格式不对（{exc}）", path=str(path), hint="删除或重新生成该 .json"
        ) from exc
    citations = []
    for paragraph, start, end, figure_id, field_name, source in numbers:
        recorded = paragraphs.get(paragraph)
        if recorded is None or field_name not in _FIELD_WORDS:
            continue
        placed = _place(recorded, start, end, texts, paragraph)
        if placed is None:
            continue
        block, new_start, new_end = placed
        citations.append(
            Citation(
                block=block,
                start=new_start,
                end=new_end,
                text=texts[block][new_start:new_end],
                figure_id=figure_id,
                field=field_name,  # type: ignore[arg-type]
                source=source,
            )
        )
    return citations


def _place(
    recorded: str, start: int, end: int, texts: Sequence[str], index: int
) -> tuple[int, int, int] | None:
    """Where a recorded span is now: the same paragraph unchanged (here or moved), or the
    paragraph at its index with the text before or after the span unchanged (the number edited)."""
    if 0 <= index < len(texts) and texts[index] == recorded:
        return index, start, end
    moved = [i for i, text in enumerate(texts) if text == recorded]
    if moved:
        return min(moved, key=lambda i: abs(i - index)), start, end
    if not 0 <= index < len(texts):
        return None
    current = texts[index]
    head, tail = recorded[:start], recorded[end:]
    if head and current.startswith(head) and len(current) > len(head):
        stop = next((q.end for q in extract_numbers(current) if q.start >= start), None)
        if stop is not None and current[start:stop].strip():
            return index, start, stop
    if tail and current.endswith(tail) and len(current) > len(tail):
        stop = len(current) - len(tail)
        begin = next((q.start for q in extract_numbers(current) if q.end == stop), None)
        if begin is not None:
            return index, min(begin, stop), stop
    return None


# --- output: JSON, annotated .docx ----------------------------------------------------------


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "value": finding.value,
        "unit": finding.unit,
        "figure_id": finding.figure_id,
        "field": finding.field,
        "expected": finding.expected,
        "paragraph": finding.block,
        "start": finding.start,
        "end": finding.end,
        "context": finding.context,
        "message": finding.message,
        "source": finding.source,
        "matched_by": finding.matched_by,
    }


def report_to_dict(report: CheckReport) -> dict[str, Any]:
    """{"findings": [...], "summary": {counts by kind, total, all_ok, draft, figures}}."""
    summary: dict[str, Any] = dict(report.summary)
    summary["all_ok"] = report.ok
    summary["draft"] = str(report.path) if report.path else None
    summary["figures"] = report.figures_file or None
    summary["figures_sha256"] = report.figures_sha256 or None
    return {"findings": [finding_to_dict(f) for f in report.findings], "summary": summary}


def annotation_text(finding: Finding) -> str:
    """The Word comment for one finding: verdict, figure, expected value, source, message."""
    lines = [f"核对：{FINDING_LABELS[finding.kind]}"]
    if finding.figure_id:
        suffix = "" if finding.field in (None, "value") else f".{finding.field}"
        lines.append(f"数据：{finding.figure_id}{suffix}")
    if finding.expected:
        lines.append(f"应为：{finding.expected}")
    if finding.source:
        lines.append(f"来源：{finding.source}")
    lines.append(finding.message)
    return "\n".join(lines)


def annotate_report(src: Path, dst: Path, report: CheckReport, *, include_ok: bool = False) -> int:
    """Write a copy of ``src`` with a comment on every finding (ok ones too with include_ok).

    Returns how many comments were added.
    """
    from .word import annotate

    if Path(src).suffix.lower() != ".docx":
        raise InputError(
            "只能给 .docx 文件加批注", path=str(src), hint="去掉 --annotate，或检查 .docx 文件"
        )
    if Path(dst).suffix.lower() != ".docx":
        raise InputError("批注输出文件应以 .docx 结尾", path=str(dst))
    marks: dict[int, list[Mark]] = {}
    count = 0
    for finding in report.findings:
        if finding.kind == "ok" and not include_ok:
            continue
        if finding.end <= finding.start:
            continue
        marks.setdefault(finding.block, []).append(
            Mark(finding.start, finding.end, comment=annotation_text(finding), highlight=False)
        )
        count += 1
    annotate(Path(src), Path(dst), marks, author=ANNOTATION_AUTHOR)
    return count


def check_draft(
    draft: str | Path,
    figures: str | Path,
    *,
    sidecar: Path | None = None,
    annotate: Path | None = None,
    include_ok: bool = False,
) -> CheckReport:
    """Load the figures, check the draft and, when asked, write the annotated copy (the CLI)."""
    from .figures import load_figures

    if annotate is not None and Path(draft).suffix.lower() != ".docx":
        raise InputError("--annotate 只适用于 .docx 草稿", path=str(draft), hint="去掉 --annotate")
    report = check_file(draft, load_figures(figures), sidecar=sidecar)
    if annotate is not None:
        annotate_report(Path(draft), Path(annotate), report, include_ok=include_ok)
    return report
