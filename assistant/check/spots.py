"""Reading the text around a number: its own words, the field, period and year it speaks of."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .. import domain
from ..metrics import find_metric, normalise_unit
from ..numbers import span_bounds
from ..periods import Period, another_periods, last_spoken, names_next_year
from ..types import FigureField, Quantity
from .index import _Index
from .quantities import _Member
from .tables import _Row
from .text import (
    _CJK_ONLY,
    _CLAUSE_STOPS,
    _SENTENCE_STOPS,
    _YEAR_MENTION,
    _grams,
)

_COMPLETION_BEFORE = re.compile(
    r"(?:完成率|完成(?:了)?(?:年度|全年|年|本年度)?(?:目标|计划|任务)(?:任务)?的|"
    r"占(?:年度|全年|年)?(?:目标|计划|任务)(?:任务)?的|完成比例)\s*(?:为|达|达到|是)?\s*$"
)
_PREVIOUS_WORDS = ("上年同期", "去年同期", "上年", "去年")


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
    said: tuple[tuple[set[str], set[str]], ...] | None = None  # subjects named (check.subjects)
    months: tuple[int, int] | None = None  # another span the sentence names, that figures note
    other: tuple[float, str, str] | None = None  # (score, subject, name) of a figure kept off
    name_after: str = ""  # a count's name written after it (6个违法焚烧秸秆案件)


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
    sentence_start, _ = span_bounds(text, q.start, q.end, _SENTENCE_STOPS)
    clause_start, clause_end = span_bounds(text, q.start, q.end, _CLAUSE_STOPS + "\t")
    cell_start = text.rfind("\t", 0, q.start) + 1
    clause_text = text[max(clause_start, cell_start, previous_end) : q.start]
    named_after = _NAME_AFTER.match(text, q.end)
    name_after = count_name(q, text)
    if previous_end > clause_start and _JOINED.search(clause_text) and named_after:
        clause_text = named_after.group(1)  # 3家A企业和2家B站: A is the 3's, B the 2's
    elif previous_end > clause_start and _PARTITIVE.fullmatch(clause_text):
        # 15家涉磷企业中12家完成改造: 涉磷企业 is the 15's; the 12 is named by what follows it
        clause_text = name_after or text[q.end : clause_end]
    else:
        clause_text += name_after
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
        name_after=name_after,
    )


# Two counts joined, each with its name after it (3家汽车尾气监测企业和2家机动车维护站): the words
# between them end with the joining word, and the second number's name follows it.
_JOINED = re.compile(r"[\u4e00-\u9fff）)]{2,}\s*(?:和|及|以及|与|、)\s*$")
_NAME_AFTER = re.compile(r"\s*([\u4e00-\u9fff]{3,})")
_PARTITIVE = re.compile(r"[\u4e00-\u9fff]{1,16}中\s*(?:有|共有)?\s*")
# What a count's measure word is followed by when the count's name comes after it (9个市考断面,
# 全区12家重点企业中): a run of Chinese up to punctuation, a digit or 中/内 before the next count.
_COUNT_NAME = re.compile(r"\s*([\u4e00-\u9fff]{2,20})")
_COUNT_NAME_END = (
    r"比例|比率|占比|均值|指数|达标率|完成率|合格率|利用率|的|全部|均|已|都|分别|共|中|内|为|达|是"
)
_NOT_A_NAME = re.compile(
    r"^(?:以上|以下|以内|左右|之|的|中|是|为|共|均|全部|已|分别|同比|较|比|次)"
)


def count_name(q: Quantity, text: str) -> str:
    """The words naming a count that stand after it ("共办理6个违法焚烧秸秆案件", "全区12家重点
    企业中9家完成整治"): only for a plain count in a measure word (个, 家, 件 …), never a change."""
    unit = normalise_unit(q.unit)
    if q.form != "number" or q.is_change or unit is None or unit.kind != "count":
        return ""
    if not q.number_text.isdigit():
        return ""  # 两项重点工程: a count in words enumerates (GB/T 15835), statistics use digits
    found = _COUNT_NAME.match(text, q.end)
    if found is None or _NOT_A_NAME.match(found.group(1)):
        return ""
    name = found.group(1)
    cut = _count_name_end().search(name, 2)  # 3个国考断面水质优Ⅲ类比例为…: it counts 国考断面
    return name[: cut.start()] if cut else name


def _count_name_end() -> re.Pattern[str]:
    return _pack_count_name_end(domain.current())


@cache
def _pack_count_name_end(pack: domain.Domain) -> re.Pattern[str]:
    """Where a count's name ends: the core's words, then the pack's count_attributes."""
    words = "|".join(re.escape(word) for word in pack.info.count_attributes)
    return re.compile(_COUNT_NAME_END + (f"|{words}" if words else ""))


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


def _spoken_period(spot: _Spot) -> Period | None:
    """The period the sentence speaks of before the number, or the paragraph's lead (一季度，…)."""
    kind = last_spoken(spot.text[spot.sentence_start : spot.q.start])
    if kind is None:
        lead = re.match(r"[^，。；,;\n]{0,12}[，,]", spot.text)
        if lead and lead.end() <= spot.q.start:
            kind = last_spoken(lead.group())
    return kind


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


_MASKED_YEAR = re.compile(
    r"(?:20[xX×]{2}|202[xX×])\s*年(?!\s*(?:[上下]半年|前三季度|第?[一二三四]季度|度?\s*\d|1\s*[-—至~]))"
)


def _bare_masked_year(spot: _Spot) -> bool:
    """A year the text hides (202x年) with no part of the year after it, before the number."""
    return bool(_MASKED_YEAR.search(spot.text, spot.sentence_start, spot.q.start))


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
    if index.period and spoken and another_periods(spoken, index.period):
        if spoken.span not in index.noted.values():
            return None  # 一季度 in a half-year file
        spot.months = spoken.span  # 1-11月 in a year's report: the figures whose 备注 says so
    if index.period and not index.period.whole_year and _bare_masked_year(spot):
        return None  # 202x年我区PM2.5… in a quarter's report: a hidden year's whole-year number
    if q.unit == "个百分点" or q.is_change:
        return "change"
    if _COMPLETION_BEFORE.search(before) or re.search(r"完成率\s*(?:为|达|达到)?\s*$", before):
        return "completion"
    clause_start, _ = span_bounds(spot.text, q.start, q.end, _CLAUSE_STOPS)
    if q.unit == "%" and _PART_OF_PLAN.search(spot.text[clause_start : q.start]):
        return "completion"  # 完成年度任务3000亩的66.0%, 占年度计划投资5.68亿元的52.4%
    spoken_year, _ = _years(spot)
    if spoken_year is not None and not any(spoken_year in pair for pair in index.years.values()):
        return None  # a year the file has no number for
    if spoken_year is None and names_next_year(spot.text[spot.sentence_start : q.start]):
        return None  # 明年…力争32: next year's target
    _, clause_end = span_bounds(spot.text, q.start, q.end, _CLAUSE_STOPS)
    if q.target is not None or _TARGET_AFTER.match(spot.text[q.end : clause_end]):
        return "target"
    if q.comparison and any(word in q.comparison for word in _PREVIOUS_WORDS):
        return "previous"
    return "value"
