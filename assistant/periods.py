"""Periods: the time a document, a figure or a sentence speaks of, in one form.

A Period is a span of months in a year (上半年 is months 1–6 of its year), or a running total
since a year began (累计（自2023年起）). Every spelling of one span is one period: 1-6月 = 上半年
= 截至6月底 (the last is a level at the end of June, a "stock", and says so in ``stock``). The
words here are the calendar's, not a domain's: 季度, 半年, 1-6月, 截至…底, 年度.

The rules that follow from a period live here too: its kind of document (half-year, annual,
quarter), how the body names it and the plan after it, the pace a part-year owes an annual
target (序时进度: 上半年 50 %), the first month a plan covers, and whether one period lies after
another (a figure of 下半年 cannot be in a 上半年 file).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from .errors import InputError
from .reading import normalise_for_matching
from .types import PeriodKind

Kind = Literal["half-year", "annual", "quarter"]  # the kind of document written for a period
KINDS: tuple[str, ...] = get_args(Kind)
PERIOD_KINDS: tuple[PeriodKind, ...] = get_args(PeriodKind)

# The months each retrieval period kind spans, from January (year to date).
SPANS: dict[PeriodKind, tuple[int, int]] = {
    "一季度": (1, 3),
    "上半年": (1, 6),
    "前三季度": (1, 9),
    "全年": (1, 12),
}
# The share of an annual amount target due by the end of each period (序时进度, 完成率 pace).
PACE: dict[str, int] = {kind: span[1] * 100 // 12 for kind, span in SPANS.items()}
# The first month a plan written at the end of each period covers (全年: the next January).
PLAN_START: dict[str, int] = {kind: span[1] % 12 + 1 for kind, span in SPANS.items()}
# How a body says each period kind: its word and its month range (swapped when a past text of
# another period is reused).
WORDS: dict[str, tuple[str, str]] = {
    "一季度": ("一季度", "1-3月"),
    "上半年": ("上半年", "1-6月"),
    "前三季度": ("前三季度", "1-9月"),
    "全年": ("全年", "全年"),
}
_NAMES: dict[tuple[int, int], str] = {
    (1, 3): "一季度",
    (4, 6): "二季度",
    (7, 9): "三季度",
    (10, 12): "四季度",
    (1, 6): "上半年",
    (7, 12): "下半年",
    (1, 9): "前三季度",
    (1, 12): "全年",
}
_KIND_PERIODS: dict[Kind, PeriodKind] = {
    "half-year": "上半年",
    "annual": "全年",
    "quarter": "一季度",
}


@dataclass(frozen=True)
class Period:
    """Months ``first``–``last`` of ``year`` (None: the year is not said), or, with ``since``, a
    running total since that year (0: since a start not said). Equal periods are one period
    whatever their spelling; ``text`` keeps the spelling, ``stock`` marks 截至…底, and
    ``doc_kind`` the kind of document a user asked for (--kind)."""

    year: int | None
    first: int = 1
    last: int = 12
    since: int | None = None
    text: str = field(default="", compare=False)
    stock: bool = field(default=False, compare=False)
    doc_kind: Kind | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return self.text or self.title

    @property
    def span(self) -> tuple[int, int]:
        return (self.first, self.last)

    @property
    def whole_year(self) -> bool:
        return self.since is None and self.span == (1, 12)

    @property
    def period_kind(self) -> PeriodKind | None:
        """The retrieval label nearest to this span: a quarter other than the first is labelled
        一季度 (the corpus labels no other), 下半年 and single months have none."""
        if self.since is not None:
            return None
        for kind, span in SPANS.items():
            if span == self.span:
                return kind
        if self.span in ((4, 6), (7, 9), (10, 12)):
            return "一季度"
        return _KIND_PERIODS[self.doc_kind] if self.doc_kind else None

    @property
    def kind(self) -> Kind:
        """The kind of document for this period: a whole year is annual, 1-6 half-year, and any
        other span a quarter's."""
        if self.doc_kind is not None:
            return self.doc_kind
        if self.whole_year:
            return "annual"
        return "half-year" if self.span == (1, 6) else "quarter"

    @property
    def name(self) -> str:
        """The span's own word: 上半年, 二季度, 全年, 4-12月, 6月; 累计 for a running total."""
        if self.since is not None:
            return "累计"
        if self.span in _NAMES:
            return _NAMES[self.span]
        return f"{self.first}月" if self.first == self.last else f"{self.first}-{self.last}月"

    @property
    def title(self) -> str:
        """The period as a title says it: 2025年上半年, 2025年, 累计（自2023年起）."""
        if self.since is not None:
            return f"累计（自{self.since}年起）" if self.since else "累计"
        year = f"{self.year}年" if self.year else ""
        if self.whole_year:
            return year or "全年"
        return f"{year}{self.name}"

    @property
    def label(self) -> str:
        """How the body names the period: the text after its year (上半年, 1-6月), the year
        itself for a whole year (2025年)."""
        found = _YEAR.search(self.text)
        rest = self.text[found.end() :].strip() if found else self.text
        if self.period_kind == "全年":
            return f"{self.year}年" if self.year else "全年"
        return rest or self.name

    @property
    def next_label(self) -> str:
        """How the body names the plan's period: 下半年, 2026年 (明年), 下一步."""
        if self.kind == "annual":
            return f"{self.year + 1}年" if self.year else "明年"
        return "下半年" if self.kind == "half-year" else "下一步"

    @property
    def pace(self) -> int:
        """The share (%) of an annual target due by the period's end (序时进度)."""
        return PACE.get(self.period_kind or "", 100)

    def next(self) -> Period:
        """The period a plan written at this period's end covers: the next year after a whole
        year, the rest of the year otherwise (下半年 after 上半年, 4-12月 after 一季度)."""
        if self.whole_year or self.last == 12:
            year = self.year + 1 if self.year else None
            return Period(year, text=f"{year}年" if year else "明年")
        following = Period(self.year, self.last + 1, 12)
        return replace(following, text=following.title)

    def in_year(self, year: int | None) -> Period:
        """The period with ``year`` filled in when it did not say one (上半年 of a 2025 file)."""
        return self if self.year is not None or year is None else replace(self, year=year)

    def ends_after(self, other: Period) -> bool:
        """Whether this period ends later than ``other`` (a 下半年 row in a 上半年 file; a row of
        2026 in a 2025 file). A running total ends when the report does: never later."""
        if self.since is not None or other.since is not None:
            return False
        if self.year is not None and other.year is not None and self.year != other.year:
            return self.year > other.year
        return self.last > other.last

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies within this period (一季度 within 上半年, 上半年 within 全年)."""
        if self.since is not None or other.since is not None:
            return self == other
        same_year = self.year is None or other.year is None or self.year == other.year
        return same_year and self.first <= other.first and other.last <= self.last

    def said_in(self, report: Period) -> str:
        """How a text about ``report`` names this period where it differs: 年度 for the
        report's own year, 2023年度 for another year's, 一季度, 2024年上半年, 自2023年以来累计."""
        if self.since is not None:
            return f"自{self.since}年以来累计" if self.since else "累计"
        other_year = self.year is not None and self.year != report.year
        if self.whole_year:
            return f"{self.year}年度" if other_year else "年度"
        if self.stock:
            return self.text
        return f"{self.year}年{self.name}" if other_year else self.name


_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_MONTH = r"(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_SINCE = re.compile(r"((?:19|20)\d\d)\s*年\s*(?:起|以来|至今)")
_RELATIVE = (("上一年", -1), ("上年", -1), ("去年", -1), ("明年", 1), ("今年", 0), ("本年", 0))
_SPAN_PATTERNS: tuple[tuple[re.Pattern[str], tuple[int, int] | None], ...] = (
    (re.compile(r"前三季度"), (1, 9)),
    (re.compile(r"第?[一1]季度"), (1, 3)),
    (re.compile(r"第?[二2]季度"), (4, 6)),
    (re.compile(r"(?<!前)第?[三3]季度"), (7, 9)),
    (re.compile(r"第?[四4]季度"), (10, 12)),
    (re.compile(r"上半年|(?<![上下])半年"), (1, 6)),
    (re.compile(r"下半年"), (7, 12)),
    (re.compile(rf"{_MONTH}\s*月?\s*[-~至到]\s*{_MONTH}\s*月"), None),  # 1-6月, 1月至6月
    (re.compile(rf"截至\s*(?:(?:19|20)\d\d\s*年)?\s*{_MONTH}\s*月"), None),  # 截至6月底
    (re.compile(rf"{_MONTH}\s*月\s*(?:底|末)"), None),  # 6月底
    (re.compile(rf"(?<![\d-]){_MONTH}\s*月(?!\s*[-~至到\d])"), None),  # 6月
    (re.compile(r"全年|年度|年终|年底"), (1, 12)),
)


def _month(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + _CN_DIGITS.get(text[1:], 0)
    return _CN_DIGITS[text]


def parse(text: str, year: int | None = None) -> Period | None:
    """The period a short text names (a figures row's 期间, a --period): 2025年上半年, 1-6月,
    截至6月底, 一季度, 2023年度, 全年, 上年度, 累计（自2023年起）. ``year`` is the year of a text
    that names none (a row's 上半年 in a 2025 file); None when the text names no period."""
    written = text.strip()
    folded = normalise_for_matching(written).replace("(", "").replace(")", "")
    if not folded:
        return None
    since = _SINCE.search(folded)
    if since or "累计" in folded:
        return Period(year, since=int(since.group(1)) if since else 0, text=written)
    found = _YEAR.search(folded)
    own, rest, named = year, folded, found is not None
    if found:
        own, rest = int(found.group(1)), folded[: found.start()] + folded[found.end() :]
    else:
        for word, shift in _RELATIVE:
            if word in rest:
                own, rest, named = (year + shift if year else None), rest.replace(word, "", 1), True
                break
    rest = re.sub(r"^度", "", rest.strip()).strip()
    if named and not rest:
        return Period(own, text=written)  # 2025年, 2023年度, 上年度, 明年: the whole year
    return _span(rest, own, written)


def _span(rest: str, year: int | None, text: str) -> Period | None:
    for pattern, span in _SPAN_PATTERNS:
        match = pattern.search(rest)
        if not match:
            continue
        if span is not None:
            return Period(year, *span, text=text)
        months = [_month(g) for g in match.groups() if g]
        first, last = (months[0], months[-1]) if len(months) == 2 else (1, months[0])
        single = (
            len(months) == 1 and "截至" not in match.group() and not _ENDS.search(match.group())
        )
        if single:
            first = last
        if not 1 <= first <= last <= 12:
            return None
        return Period(year, first, last, text=text, stock=len(months) == 1 and not single)
    return None


_ENDS = re.compile(r"底|末")


def parse_period(text: str, kind: str | None = None) -> Period:
    """The period a draft reports on, from --period (2025年上半年, 2025年一季度, 2025年,
    2025年前三季度); ``kind`` (--kind) overrides the kind of document and stands in for a period
    the text does not name."""
    text = text.strip()
    if not text:
        raise InputError("期间为空", hint="例如 --period 2025年上半年")
    if kind is not None and kind not in KINDS:
        raise InputError(f"文稿类型不能是 “{kind}”", hint=f"可选: {'、'.join(KINDS)}")
    doc_kind: Kind | None = kind  # type: ignore[assignment]
    period = parse(text)
    if period is not None and period.since is None:
        period = replace(period, doc_kind=doc_kind)
        if period.period_kind is not None:
            return period
    if doc_kind is None:
        raise InputError(
            f"无法从期间 “{text}” 判断文稿类型",
            hint="写成 2025年上半年 / 2025年一季度 / 2025年前三季度 / 2025年，或用 --kind 指定",
        )
    found = _YEAR.search(text)
    first, last = SPANS[_KIND_PERIODS[doc_kind]]
    return Period(int(found.group(1)) if found else None, first, last, text=text, doc_kind=doc_kind)


def plan_period(period: Period) -> str:
    """The period a plan is about, as a title says it: 2025年下半年 after 2025年上半年, 2026年
    after 2025年; a quarter's plan is its 下一步 and keeps the quarter's own period."""
    if period.kind == "half-year":
        return f"{period.year}年下半年" if period.year else "下半年"
    if period.kind == "annual":
        return period.next().text
    return period.text


# --- periods as documents and sentences say them -------------------------------------------------

_MASKED = r"20\d\d|20[x×]{1,2}|202[x×]"
_TITLE_KINDS: tuple[tuple[PeriodKind, re.Pattern[str]], ...] = (
    ("前三季度", re.compile(r"前三季度|1\s*[-至~]\s*9\s*月|截至9月(底|末|30日)")),
    ("一季度", re.compile(r"(?<![二三四前])一季度|1\s*[-至~]\s*3\s*月|截至3月(底|末|31日)")),
    ("上半年", re.compile(r"上半年|半年来|1\s*[-至~]\s*6\s*月|截至6月(底|末|30日)")),
    (
        "全年",
        re.compile(rf"全年|年度|年终|({_MASKED})年(工作)?总结|工作总结(及|和|暨)({_MASKED}|明)年"),
    ),
)


def detect_period(text: str) -> PeriodKind | None:
    """The period kind a title or opening names: 一季度/第一季度/1-3月 → 一季度, 上半年/1-6月 →
    上半年, 前三季度/1-9月 → 前三季度, 全年/年度/2024年工作总结 → 全年; None if none."""
    folded = normalise_for_matching(text)
    for kind, pattern in _TITLE_KINDS:
        if pattern.search(folded):
            return kind
    return None


_RANGE = r"1\s*[-—–~～至到]\s*"
_SPOKEN: tuple[tuple[tuple[int, int], re.Pattern[str]], ...] = tuple(
    (span, re.compile(pattern))
    for span, pattern in (
        ((1, 9), rf"前三季度|{_RANGE}9月|9月底|9月30日"),
        ((1, 3), rf"一季度|{_RANGE}3月(?!\d)|3月底|3月31日"),
        ((4, 6), r"二季度"),
        ((7, 9), r"(?<!前)三季度"),
        ((10, 12), r"四季度"),
        ((1, 6), rf"上半年|{_RANGE}6月|6月底|6月30日"),
        ((7, 12), r"下半年"),
        ((1, 12), rf"全年|{_RANGE}12月|12月底|12月31日"),
        ((1, 10), rf"{_RANGE}10月"),
        ((1, 11), rf"{_RANGE}11月"),
    )
)


def last_spoken(text: str) -> Period | None:
    """The last period a sentence names (一季度, 1-6月, 截至9月底, 下半年…), without its year."""
    best: tuple[int, tuple[int, int]] | None = None
    for span, pattern in _SPOKEN:
        for match in pattern.finditer(text):
            if best is None or match.start() > best[0]:
                best = (match.start(), span)
    return Period(None, *best[1]) if best else None


_NEXT_YEAR = re.compile(r"明年|来年|下一?年度")


def names_next_year(text: str) -> bool:
    """Whether a sentence speaks of the year after its report's (明年, 下一年度): its numbers and
    targets are next year's, which the report's figures do not hold."""
    return bool(_NEXT_YEAR.search(text))


def another_periods(spoken: Period, report: Period) -> bool:
    """Whether a number said of ``spoken`` in a text about ``report`` is another period's (一季度
    in a half-year summary). The report's own period, the whole year, 下半年 and anything ending
    later are not: there they are the plan's or the target's."""
    if spoken == report or spoken.ends_after(report):
        return False
    return spoken.span not in ((1, 12), (7, 12))


SO_FAR_FROM = 9  # an annual summary is written from figures of 1-9月 at the earliest


def year_so_far(draft: Period, data: Period | None) -> bool:
    """Whether figures of ``data`` are the drafted year so far: an annual summary written before
    the year ends, from 1-11月 (1-10月, 1-9月) figures; not a half year's."""
    return (
        data is not None
        and draft.whole_year
        and data.since is None
        and data.year in (draft.year, None)
        and data.first == 1
        and SO_FAR_FROM <= data.last < 12
    )


def pace_for(period_kind: str | None, data: Period | None = None) -> int:
    """The share (%) of an annual target due by the end of the figures' period (序时进度): the
    drafted kind's; where an annual summary is drafted from the year so far (``data`` 1-11月)
    that span's own (11 of 12 months: 91 %) — the year is not done, so its targets are judged
    against pace, not as achieved or missed."""
    if period_kind == "全年" and data is not None and year_so_far(Period(data.year), data):
        return data.last * 100 // 12
    return PACE.get(period_kind or "全年", 100)


def restate(text: str, draft: Period, data: Period | None) -> str:
    """A sentence leading with the drafted year (2023年、全年、今年以来) said of its figures' own
    period where they are the year so far: 全年全县PM2.5… → 1-11月，全县PM2.5… (全年目标 and
    2023年度 are left)."""
    if not year_so_far(draft, data) or draft.year is None:
        return text
    assert data is not None
    lead = re.compile(
        rf"(^|[。；，：])(?:{draft.year}年|全年|今年以来|今年)(?![度底末月\d目任计])，?"
    )
    return lead.sub(lambda m: f"{m.group(1)}{data.said_in(draft)}，", text)


# A time word a sentence opens with: a year, a span of months, a period kind's word, the year
# so far, a date it runs to (截至…) — and the seasons, which no figures file reports by.
_TIME_LEAD = re.compile(
    r"^(?:\d{1,2}-\d{1,2}月|20\d\d年|上半年|一季度|前三季度|全年|今年以来|截至)"
)
_SEASON_LEAD = re.compile(r"^(?:今年)?(?:春夏|春秋|夏秋|秋冬|春|夏|秋|冬)季(?:以来|期间)?[，,]?")


def season_led(sentence: str, label: str) -> str:
    """A figure sentence that opens with a season says the figures' period instead: no figures
    file reports by season, so 春季完成造林 refilled with 一季度's figure becomes 一季度完成造林."""
    season = _SEASON_LEAD.match(sentence)
    return label + sentence[season.end() :] if season else sentence


def lead_with(sentence: str, label: str) -> str:
    """A section's first figure sentence led by the period its figures are of (``label``): a
    season gives way to it (season_led), a sentence with no time word of its own gets
    ``label，``, one with its own (1-3月, 截至…) keeps it."""
    sentence = season_led(sentence, label)
    if _TIME_LEAD.match(sentence) or label in sentence[:16]:
        return sentence
    return f"{label}，{sentence}"


# A period word in a request to the chat assistant (写上半年…, 下半年计划, 明年).
REQUEST_WORD = re.compile(r"一季度|二季度|三季度|四季度|前三季度|上半年|下半年|全年|年度|明年")


def fits(word: str, file_period: Period) -> bool:
    """Whether a request's period word suits a figures file of ``file_period``: its own period,
    or the period right after it (下半年 with a 上半年 file: the plan), a year with a year."""
    asked = parse(word, file_period.year)
    if asked is None:
        return True
    if file_period.whole_year or asked.whole_year:
        return file_period.whole_year and asked.whole_year
    return asked.span == file_period.span or asked.first == file_period.last + 1


# --- the periods of a figures file ------------------------------------------------------------


def report_period(declared: Period | None, rows: Mapping[Period, int]) -> Period | None:
    """The period a figures file reports on: the one it declares, else the one most of its
    rows name (``rows``: each period and how many rows name it; spellings of one period count
    together: 1-6月 and 上半年 are one). None when two periods tie for most rows: the rows
    disagree about the report period itself."""
    if declared is not None:
        return declared
    ranked = Counter({p: n for p, n in rows.items() if p.since is None}).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def row_problem(row: Period, report: Period) -> str | None:
    """What is wrong with a row's period in a file reporting on ``report``: a row may name an
    earlier period (一季度, 2023年度), the whole report year (an annual target or plan), or a
    running total; one ending later than the report, or naming the report's months in another
    year, cannot be this file's."""
    if row.whole_year and row.year in (report.year, None):
        return None
    if row.ends_after(report):
        return f"期间“{row}”晚于报告期间“{report}”"
    if row.since is None and row.span == report.span and row.year != report.year:
        return f"期间“{row}”与报告期间“{report}”的年份不同"
    return None


# --- the time an item of 科室 material states for itself --------------------------------------

_STATED_SPAN = (
    r"(?:上半年|下半年|前三季度|第?[一二三四]季度|年底|年初|"
    r"\d{1,2}\s*月?\s*[-~至到]\s*\d{1,2}\s*月(?:底|末)?|\d{1,2}\s*月(?:份|底|末|初|[上中下]旬)?)"
)
_STATED = re.compile(
    rf"(?P<lead>较|比|与|同比|自|截至)?\s*(?P<phrase>(?:(?:19|20)\d\d\s*年)(?!度){_STATED_SPAN}?|"
    rf"(?<![\d年-]){_STATED_SPAN})(?P<tail>\s*(?:以来|起|同期|至今))?"
)


def stated(text: str, year: int | None = None) -> Period | None:
    """The time a sentence of 科室 material states for what it did: its first date or period
    (2024年12月, 3月, 上半年, 截至6月底, 2025年1-6月) with ``year`` filled in where none is said.
    A year of a comparison (较2024年同期), a running total (自2023年以来) or a subject (2024年度
    考核) is not the sentence's time."""
    for found in _STATED.finditer(normalise_for_matching(text)):
        lead, tail = found.group("lead"), found.group("tail")
        if tail or lead in ("较", "比", "与", "同比", "自"):
            continue
        phrase = ("截至" if lead == "截至" else "") + found.group("phrase")
        period = parse(phrase, year)
        if period is not None:
            return period.in_year(year)
    return None


def item_problem(period: Period, report: Period, plan: bool) -> str | None:
    """Why an item stating ``period`` cannot be drafted into a document about ``report``: another
    year's work (2024年12月 in a 2025年上半年 summary), or — for a done item — work after the
    report's end. A plan item may name any time of the report's year or the next."""
    if period.since is not None:
        return None
    years = (report.year,) if not plan else (report.year, (report.year or 0) + 1)
    if period.year is not None and report.year is not None and period.year not in years:
        return f"事项的时间“{period}”不在本期（{report}）"
    if not plan and period.ends_after(report) and not period.whole_year:
        return f"事项的时间“{period}”晚于本期（{report}）"
    return None


_DATE = re.compile(
    r"(?:19|20)\d\d\s*年(?:度|\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?|"
    r"(?<![\d-])\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号]|底|末|初|份)?"
)


def dates_in(text: str) -> list[str]:
    """The years, months and days a text writes (2024年12月, 2024年度, 6月30日, 10月底): the
    dates a sentence stating an item must take from the item."""
    return [found.group().replace(" ", "") for found in _DATE.finditer(text)]
