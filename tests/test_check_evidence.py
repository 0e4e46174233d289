"""check matches a number to a figure only on evidence (issue 10 point 3, first cases): a hidden
year's number, a count whose name follows it, a range against a single number."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.check import check_blocks
from assistant.figures import load_figures

ROWS = """id,指标,数值,单位,期间,来源
pm25,PM2.5平均浓度,60,微克/立方米,2026年一季度,监测站
testers,汽车尾气检测企业,3,家,2026年一季度,执法
repairs,机动车维修治理站,2,家,2026年一季度,执法
aqi,空气质量综合指数,3.12,,2026年一季度,监测站
"""


@pytest.fixture
def figures(tmp_path: Path):
    path = tmp_path / "figures.csv"
    path.write_text(ROWS, encoding="utf-8")
    return load_figures(path)


def kinds(text: str, figures) -> list[tuple[str, str, str | None]]:
    return [(f.value, f.kind, f.figure_id) for f in check_blocks([text], figures).findings]


def test_a_hidden_years_number_in_a_quarters_report_is_not_this_quarters(figures) -> None:
    text = "202x年全区PM2.5平均浓度52微克/立方米，完成考核任务。"
    assert kinds(text, figures) == [("52微克/立方米", "unsourced", None)]
    quarter = "202x年一季度，全区PM2.5平均浓度60微克/立方米。"
    assert kinds(quarter, figures) == [("60微克/立方米", "ok", "pm25")]
    wrong = "202x年一季度，全区PM2.5平均浓度62微克/立方米。"
    assert kinds(wrong, figures) == [("62微克/立方米", "mismatch", "pm25")]


def test_two_counts_each_named_after_it(figures) -> None:
    text = "加强全区3家汽车尾气检测企业和2家机动车维修治理站监管。"
    assert kinds(text, figures) == [("3家", "ok", "testers"), ("2家", "ok", "repairs")]
    wrong = "加强全区3家汽车尾气检测企业和5家机动车维修治理站监管。"
    assert kinds(wrong, figures)[1] == ("5家", "mismatch", "repairs")


def test_a_range_is_not_judged_against_a_single_number(figures) -> None:
    text = "一季度空气质量指数（AQI）为25-160，空气质量综合指数为3.12。"
    assert kinds(text, figures) == [("25-160", "unsourced", None), ("3.12", "ok", "aqi")]


def test_check_lists_the_figures_the_text_never_states(figures) -> None:
    report = check_blocks(["加强全区3家汽车尾气检测企业和2家机动车维修治理站监管。"], figures)
    assert report.unstated == ("pm25", "aqi")
    everything = "PM2.5平均浓度60微克/立方米，空气质量综合指数3.12，检测企业3家，维修治理站2家。"
    assert check_blocks([everything], figures).unstated == ()


def test_the_check_command_says_which_figures_the_text_never_states(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from assistant.cli import app

    figures = tmp_path / "figures.csv"
    figures.write_text(ROWS, encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text("一季度，全区PM2.5平均浓度60微克/立方米。\n", encoding="utf-8")
    shown = CliRunner().invoke(app, ["check", str(draft), "--figures", str(figures)])
    assert shown.exit_code == 0, shown.output
    said = shown.output.replace("\n", "")
    assert "文内未提及的指标 3 个: 汽车尾气检测企业、机动车维修治理站、空气质量综合指数" in said
    assert "testers" not in shown.output  # names, not ids
    data = CliRunner().invoke(app, ["check", str(draft), "--figures", str(figures), "--json"])
    summary = json.loads(data.output)["summary"]
    assert summary["unstated"] == ["testers", "repairs", "aqi"]
    assert summary["unstated_names"] == ["汽车尾气检测企业", "机动车维修治理站", "空气质量综合指数"]


YEAR_ROWS = """id,指标,数值,单位,期间,上年同期,来源,备注
pm10,PM10平均浓度,55,微克/立方米,2026年,57,监测站,1-11月
o3,臭氧浓度,150,微克/立方米,2026年,,监测站,
"""


def test_months_a_figure_notes_are_its_own_in_a_years_report(tmp_path: Path) -> None:
    """A year's report written before the year ends says 1-11月 of the numbers its sheet notes
    as 1-11月; another span, or a figure noted otherwise, is still another period's number."""
    path = tmp_path / "year.csv"
    path.write_text(YEAR_ROWS, encoding="utf-8")
    figures = load_figures(path)
    noted = "1-11月，全县PM10平均浓度55微克/立方米，同比下降3.5%。"
    assert kinds(noted, figures) == [
        ("55微克/立方米", "ok", "pm10"),
        ("3.5%", "ok", "pm10"),
    ]
    wrong = "1-11月，全县PM10平均浓度58微克/立方米。"
    assert kinds(wrong, figures) == [("58微克/立方米", "mismatch", "pm10")]
    unnoted = "1-11月，全县臭氧浓度150微克/立方米。"
    assert kinds(unnoted, figures) == [("150微克/立方米", "unsourced", None)]
    half = "1-6月，全县PM10平均浓度55微克/立方米。"
    assert kinds(half, figures) == [("55微克/立方米", "unsourced", None)]
