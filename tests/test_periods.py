"""Periods: every spelling of a span is one period; order, containment, the plan after it."""

from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.periods import (
    PACE,
    PLAN_START,
    Period,
    detect_period,
    fits,
    last_spoken,
    parse,
    parse_period,
    plan_period,
)


@pytest.mark.parametrize(
    ("text", "year", "first", "last"),
    [
        ("2025年上半年", 2025, 1, 6),
        ("2025年1-6月", 2025, 1, 6),
        ("2025年1—6月", 2025, 1, 6),
        ("1月至6月", 2025, 1, 6),
        ("截至6月底", 2025, 1, 6),
        ("截至2025年6月30日", 2025, 1, 6),
        ("一季度", 2025, 1, 3),
        ("第二季度", 2025, 4, 6),
        ("三季度", 2025, 7, 9),
        ("前三季度", 2025, 1, 9),
        ("下半年", 2025, 7, 12),
        ("2025年", 2025, 1, 12),
        ("2025年度", 2025, 1, 12),
        ("全年", 2025, 1, 12),
        ("年度", 2025, 1, 12),
        ("2023年度", 2023, 1, 12),
        ("上年度", 2024, 1, 12),
        ("明年", 2026, 1, 12),
        ("5月", 2025, 5, 5),
    ],
)
def test_parse_spellings(text: str, year: int, first: int, last: int) -> None:
    period = parse(text, 2025)
    assert period is not None
    assert (period.year, period.first, period.last, period.since) == (year, first, last, None)
    assert period.text == text


def test_a_running_total_is_its_own_period() -> None:
    since = parse("累计（自2023年起）", 2025)
    assert since is not None and since.since == 2023
    assert parse("2023年以来累计", 2025) == since
    assert since != parse("2025年", 2025)
    assert since.said_in(Period(2025, 1, 6)) == "自2023年以来累计"
    assert (parse("累计") or Period(None)).since == 0


def test_no_period_words_is_none() -> None:
    assert parse("") is None
    assert parse("本期") is None
    assert parse("区监测站") is None


def test_equivalent_spellings_are_one_period() -> None:
    half = parse("2025年上半年")
    assert half == parse("2025年1-6月") == parse("截至2025年6月底") == parse("上半年", 2025)
    assert len({half, parse("2025年1-6月"), parse("1至6月", 2025)}) == 1
    assert half != parse("2024年上半年")
    assert half != parse("2025年一季度")
    stock = parse("截至6月底", 2025)
    assert stock is not None and stock.stock and not (half and half.stock)


def test_ordering_and_containment() -> None:
    half = Period(2025, 1, 6)
    assert Period(2025, 7, 12).ends_after(half)
    assert Period(2025, 1, 9).ends_after(half)
    assert Period(2026, 1, 3).ends_after(half)
    assert not Period(2025, 1, 3).ends_after(half)
    assert not Period(2023).ends_after(half)
    assert not Period(2025, since=2023).ends_after(half)
    assert Period(2025).ends_after(half)  # the whole year ends later: a plan or a target
    assert Period(2025).contains(half) and half.contains(Period(2025, 1, 3))
    assert not half.contains(Period(2025, 7, 9))
    assert not Period(2024).contains(half)


def test_the_plan_period_after_each_period() -> None:
    assert Period(2025, 1, 6).next() == Period(2025, 7, 12)
    assert Period(2025, 1, 6).next().text == "2025年下半年"
    assert Period(2025).next() == Period(2026)
    assert Period(2025, 1, 3).next() == Period(2025, 4, 12)
    assert Period(2025, 10, 12).next() == Period(2026)
    assert plan_period(parse_period("2025年上半年")) == "2025年下半年"
    assert plan_period(parse_period("2025年")) == "2026年"
    assert plan_period(parse_period("2025年一季度")) == "2025年一季度"


def test_pace_and_plan_start_follow_the_span() -> None:
    assert PACE == {"一季度": 25, "上半年": 50, "前三季度": 75, "全年": 100}
    assert PLAN_START == {"一季度": 4, "上半年": 7, "前三季度": 10, "全年": 1}
    assert parse_period("2025年1-6月").pace == 50
    assert parse_period("2025年").pace == 100


def test_titles_and_how_a_report_says_another_period() -> None:
    report = Period(2025, 1, 6)
    assert Period(2025, 1, 6).title == "2025年上半年"
    assert Period(2025).title == "2025年"
    assert Period(2025, 4, 12).title == "2025年4-12月"
    assert Period(2023).said_in(report) == "2023年度"
    assert Period(2025).said_in(report) == "年度"
    assert Period(2025, 1, 3).said_in(report) == "一季度"
    assert Period(2024, 1, 6).said_in(report) == "2024年上半年"


def test_kind_of_document_and_labels() -> None:
    period = parse_period("2025年1-6月")
    assert (period.kind, period.period_kind, period.label, period.next_label) == (
        "half-year",
        "上半年",
        "1-6月",
        "下半年",
    )
    second = parse_period("2025年二季度")
    assert (second.kind, second.period_kind, second.label) == ("quarter", "一季度", "二季度")
    later = parse_period("2025年下半年", "half-year")
    assert (later.span, later.period_kind, later.kind) == ((7, 12), "上半年", "half-year")
    with pytest.raises(InputError, match="无法从期间"):
        parse_period("2025年下半年")
    with pytest.raises(InputError, match="无法从期间"):
        parse_period("累计（自2023年起）")


def test_title_kind_and_spoken_periods() -> None:
    assert detect_period("2024年度生态环境保护工作总结") == "全年"
    assert detect_period("第三季度重点工作") is None
    assert last_spoken("上半年，1-3月PM2.5浓度为") == Period(None, 1, 3)
    assert last_spoken("前三季度共办理") == Period(None, 1, 9)
    assert last_spoken("截至12月底累计") == Period(None, 1, 12)
    assert last_spoken("全区空气质量") is None


def test_request_words_fit_the_files_period() -> None:
    half = Period(2025, 1, 6)
    assert fits("上半年", half) and fits("下半年", half)
    assert not fits("前三季度", half) and not fits("全年", half)
    assert fits("二季度", Period(2025, 1, 3)) and not fits("上半年", Period(2025, 1, 3))
    assert fits("四季度", Period(2025, 1, 9))
    assert fits("明年", Period(2025)) and fits("年度", Period(2025))
    assert not fits("上半年", Period(2025))
