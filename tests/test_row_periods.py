"""A figures file of several periods: the report period, each row's own, and only later rows or
a file at odds about the report period refused."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.check import check_blocks
from assistant.cli import app
from assistant.errors import InputError
from assistant.figures import load_figures
from assistant.periods import Period, report_period, row_problem
from assistant.prose import figure_clause, named
from assistant.render import render

HEADER = "id,指标,数值,单位,期间,上年同期,目标,来源"
# A half-year sheet as an office keeps it: 1-6月 and 上半年 are one period, a stock at the end of
# June, annual targets and plans, last year's index, a running total and a quarter's figure.
MIXED = [
    "pm25,PM2.5平均浓度,31.2,微克/立方米,2025年1-6月,33.0,35,区监测站",
    "good_days,优良天数比例,82.4,%,2025年上半年,80.1,,区监测站",
    "cases,立案查处环境违法案件,18,件,上半年,15,,区执法大队",
    "permits,累计核发排污许可证,212,张,截至6月底,,,区审批科",
    "plan_invest,年度计划投资,5.68,亿元,全年,,,区发改局",
    "eqi,生态质量指数,64.38,,2023年度,64.15,,市生态环境局",
    "sites,累计建成监测站点,46,个,累计（自2023年起）,,,区监测站",
    "q1_cases,信访办结,21,件,一季度,,,区信访办",
]


def write(tmp_path: Path, rows: list[str], name: str = "figures.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_mixed_period_sheet_is_accepted_and_keeps_each_rows_period(tmp_path: Path) -> None:
    figures = load_figures(write(tmp_path, MIXED))
    half = Period(2025, 1, 6)
    assert figures.period == half
    assert figures["pm25"].period == figures["good_days"].period == half
    assert figures["cases"].period == half  # 上半年 takes the file's year
    assert figures["permits"].period == half and figures["permits"].period.stock
    assert figures["plan_invest"].period == Period(2025)
    assert figures["eqi"].period == Period(2023)
    assert figures["sites"].period is not None and figures["sites"].period.since == 2023
    assert figures["q1_cases"].period == Period(2025, 1, 3)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("later,下半年信访,3,件,2025年下半年,,,信访办", "晚于报告期间“2025年1-6月”"),
        ("later,三季度信访,3,件,前三季度,,,信访办", "晚于报告期间"),
        ("later,明年目标,3,件,2026年,,,信访办", "晚于报告期间"),
        ("stale,去年上半年,3,件,2024年上半年,,,信访办", "年份不同"),
        ("bad,信访,3,件,本期,,,信访办", "期间“本期”无法识别"),
    ],
)
def test_a_later_row_is_an_error_naming_file_row_and_column(
    tmp_path: Path, row: str, message: str
) -> None:
    path = write(tmp_path, [*MIXED, row])
    with pytest.raises(InputError) as caught:
        load_figures(path)
    text = str(caught.value)
    assert message in text and "第10行" in text and "列“期间”" in text and "figures.csv" in text
    assert caught.value.row == 10 and caught.value.column == "期间"


def test_rows_at_odds_about_the_report_period_are_refused(tmp_path: Path) -> None:
    rows = [
        "a,PM2.5平均浓度,31.2,微克/立方米,2025年上半年,,,监测站",
        "b,优良天数比例,82.4,%,2025年一季度,,,监测站",
    ]
    with pytest.raises(InputError, match="一样多，无法确定报告期间"):
        load_figures(write(tmp_path, rows))
    rows.append("c,立案查处,3,件,1-6月,,,执法大队")
    assert load_figures(write(tmp_path, rows)).period == Period(2025, 1, 6)  # 2 rows to 1


def test_report_period_counts_spellings_together() -> None:
    half, quarter = Period(2025, 1, 6, text="上半年"), Period(2025, 1, 3)
    spellings = [Period(2025, 1, 6, text="1-6月"), half, quarter, quarter]
    assert report_period(None, Counter(spellings)) is None  # 1-6月 and 上半年 are one: 2 to 2
    assert report_period(None, Counter([*spellings, Period(2025, 1, 6, stock=True)])) == half
    assert report_period(Period(2025, 1, 9), Counter(spellings)) == Period(2025, 1, 9)
    assert row_problem(Period(2025), half) is None  # an annual target in a half-year file
    assert row_problem(Period(2025, since=2021), half) is None
    assert row_problem(Period(2024), half) is None  # last year's index
    assert row_problem(Period(2025, 7, 9), half) == "期间“2025年三季度”晚于报告期间“上半年”"


def test_figures_show_lists_a_rows_own_period(tmp_path: Path) -> None:
    path = write(tmp_path, MIXED)
    result = CliRunner().invoke(app, ["figures", "show", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "期间" in result.output and "2023年度" in result.output
    assert "累计（自2023年起）" in result.output
    shown = CliRunner().invoke(app, ["figures", "show", str(path), "--json"])
    data = json.loads(shown.output)
    periods = {f["id"]: f["period"] for f in data["figures"]}
    assert data["period"] == "2025年1-6月"
    assert (periods["eqi"], periods["cases"], periods["plan_invest"]) == (
        "2023年度",
        "上半年",
        "全年",
    )


def test_the_draft_says_a_rows_period_where_it_differs(tmp_path: Path) -> None:
    figures = load_figures(write(tmp_path, MIXED))
    assert named(figures["eqi"], figures) == "2023年度生态质量指数"
    assert named(figures["plan_invest"], figures) == "年度计划投资"  # the name says it already
    assert named(figures["q1_cases"], figures) == "一季度信访办结"
    assert named(figures["sites"], figures) == "自2023年以来累计建成监测站点"
    assert named(figures["pm25"], figures) == "PM2.5平均浓度"  # the report's own period
    sentence = render(figure_clause(figures["eqi"], figures), figures).text
    assert sentence.startswith("2023年度生态质量指数")
    report = check_blocks([sentence + "。"], figures)
    assert [f.kind for f in report.findings] and all(f.kind == "ok" for f in report.findings)


def test_a_cited_row_of_its_own_period_is_not_another_periods(tmp_path: Path) -> None:
    figures = load_figures(write(tmp_path, MIXED))
    text = "一季度，信访办结{{q1_cases}}。上半年，PM2.5平均浓度{{pm25}}。"
    rendered = render(text, figures)
    report = check_blocks([rendered.text], figures, rendered.citations)
    assert [f.kind for f in report.findings] == ["ok", "ok"]
    wrong = render("一季度，PM2.5平均浓度{{pm25}}。", figures)
    found = check_blocks([wrong.text], figures, wrong.citations).findings
    assert [f.kind for f in found] == ["period"]
