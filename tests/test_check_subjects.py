"""check calls a number wrong only on evidence (issue 10 point 3): a clause that names another
subject of the same metric (another project's investment, one kind of case, data supplied
rather than audited, a drinking-water source rather than the air) makes the number unsourced,
not wrong; a target is checked against the figure's 目标, never its value; years, dates,
document numbers and plan names are never quantities. The sentences are the team's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.check import check_blocks
from assistant.figures import load_figures
from assistant.numbers import extract_numbers

ROWS = """id,指标,数值,单位,期间,上年同期,目标,来源
invest,城乡人居环境整治行动完成投资,3.6,亿元,2026年上半年,,,区发改局
cases,立案查处环境违法案件,42,起,2026年上半年,,,执法大队
audited,审核排污单位自行监测数据,180,个,2026年上半年,,,监测站
good_ratio,优良天数比例,78.6,%,2026年上半年,80.1,80,监测站
pm25,PM2.5平均浓度,33,微克/立方米,2026年上半年,36,35,监测站
noise,声环境功能区夜间达标率,92.5,%,2026年上半年,,,监测站
"""

SOURCE = "source,集中式饮用水水源地水质达标率,100,%,2026年上半年,100,,监测站\n"


@pytest.fixture
def figures(tmp_path: Path):
    path = tmp_path / "figures.csv"
    path.write_text(ROWS, encoding="utf-8")
    return load_figures(path)


@pytest.fixture
def with_source(tmp_path: Path):
    path = tmp_path / "source.csv"
    path.write_text(ROWS + SOURCE, encoding="utf-8")
    return load_figures(path)


def kinds(text: str, figures) -> list[tuple[str, str, str | None]]:
    return [(f.value, f.kind, f.figure_id) for f in check_blocks([text], figures).findings]


def test_another_projects_investment_is_unsourced_not_wrong(figures) -> None:
    park = "滨河生态公园提升项目完成投资1.2亿元，已完成主体工程。"
    assert kinds(park, figures) == [("1.2亿元", "unsourced", None)]
    own = "城乡人居环境整治行动完成投资3.6亿元。"
    assert kinds(own, figures) == [("3.6亿元", "ok", "invest")]
    wrong = "城乡人居环境整治行动完成投资3.9亿元。"
    assert kinds(wrong, figures) == [("3.9亿元", "mismatch", "invest")]


def test_one_projects_investment_is_a_part_of_all_projects(tmp_path: Path) -> None:
    path = tmp_path / "invest.csv"
    path.write_text(
        "id,指标,数值,单位,期间,来源\ntotal,重点工程完成投资,5.2,亿元,2026年上半年,发改\n",
        encoding="utf-8",
    )
    figures = load_figures(path)
    park = "滨河生态公园提升项目完成投资1.2亿元。"
    assert kinds(park, figures) == [("1.2亿元", "unsourced", None)]
    whole = "推进污水管网等重点工程建设，完成投资5.6亿元。"
    assert kinds(whole, figures) == [("5.6亿元", "mismatch", "total")]


def test_one_kind_of_case_is_not_all_cases(figures) -> None:
    waste = "严厉打击非法转移处置固体废物行为，查处固废违法案件5起。"
    assert kinds(waste, figures) == [("5起", "unsourced", None)]
    wrong = "上半年立案查处环境违法案件45起。"
    assert kinds(wrong, figures) == [("45起", "mismatch", "cases")]


def test_data_supplied_is_not_data_audited(figures) -> None:
    supplied = "向省级平台报送排污单位自行监测数据300余个。"
    assert kinds(supplied, figures) == [("300余个", "unsourced", None)]
    wrong = "审核排污单位自行监测数据200个。"
    assert kinds(wrong, figures) == [("200个", "mismatch", "audited")]


def test_problems_found_are_not_problems_fixed(tmp_path: Path) -> None:
    path = tmp_path / "fixed.csv"
    path.write_text(
        "id,指标,数值,单位,期间,来源\nfixed,环境问题整改销号,98,个,2026年上半年,督察办\n",
        encoding="utf-8",
    )
    figures = load_figures(path)
    both = "全区排查环境问题120个，整改销号98个。"
    assert kinds(both, figures) == [("120个", "unsourced", None), ("98个", "ok", "fixed")]
    wrong = "环境问题整改销号95个。"
    assert kinds(wrong, figures) == [("95个", "mismatch", "fixed")]


def test_a_drinking_water_rate_is_not_the_air_rate(figures) -> None:
    water = "全区饮用水水源地水质优良率为95%。"
    assert kinds(water, figures) == [("95%", "unsourced", None)]
    said = check_blocks([water], figures).findings[0].message
    assert "饮用水水源地" in said and "优良天数比例" in said
    air = "全区环境空气优良率为75.2%。"
    assert kinds(air, figures) == [("75.2%", "mismatch", "good_ratio")]


def test_a_hundred_percent_of_another_measure_is_not_confirmed(with_source) -> None:
    checks = "辐射安全许可单位现场检查率100%。"
    assert kinds(checks, with_source) == [("100%", "unsourced", None)]
    sections = "地表水考核断面水质达标率100%。"
    assert kinds(sections, with_source) == [("100%", "unsourced", None)]
    own = "集中式饮用水水源地水质达标率保持100%。"
    assert kinds(own, with_source) == [("100%", "ok", "source")]


def test_a_target_is_checked_against_the_target_never_the_value(figures) -> None:
    plan = "下半年，PM2.5平均浓度力争控制在35微克/立方米以内。"
    assert kinds(plan, figures) == [("35微克/立方米", "ok", "pm25")]
    assert check_blocks([plan], figures).findings[0].field == "target"
    other = "全年PM2.5平均浓度目标38微克/立方米。"
    assert kinds(other, figures) == [("38微克/立方米", "mismatch", "pm25")]
    assert check_blocks([other], figures).findings[0].field == "target"
    bound = "确保PM2.5平均浓度不高于35微克/立方米。"
    assert kinds(bound, figures) == [("35微克/立方米", "ok", "pm25")]


def test_next_years_target_is_not_this_years(figures) -> None:
    plan = "明年，PM2.5平均浓度力争控制在31微克/立方米以内。"
    assert kinds(plan, figures) == [("31微克/立方米", "unsourced", None)]
    this_year = "下半年，PM2.5平均浓度力争控制在31微克/立方米以内。"
    assert kinds(this_year, figures) == [("31微克/立方米", "mismatch", "pm25")]


def test_a_target_the_file_does_not_hold_is_unsourced(figures) -> None:
    goal = "声环境功能区夜间达标率力争达到88%。"
    assert kinds(goal, figures) == [("88%", "unsourced", None)]
    both = "声环境功能区夜间达标率92.5%，高于88%的年度目标。"
    assert kinds(both, figures) == [("92.5%", "ok", "noise"), ("88%", "unsourced", None)]
    achieved = "声环境功能区夜间达标率控制在92.5%。"
    assert kinds(achieved, figures) == [("92.5%", "ok", "noise")]


def test_a_quoted_target_is_read_and_the_claim_checked_both_ways(figures) -> None:
    missed = "优良天数比例78.6%，未达到“优良率80%”年度目标。"
    assert kinds(missed, figures) == [("78.6%", "ok", "good_ratio"), ("80%", "ok", "good_ratio")]
    assert [f.field for f in check_blocks([missed], figures).findings] == ["value", "target"]
    said_met = "优良天数比例78.6%，达到“优良率80%”年度目标。"
    assert kinds(said_met, figures)[0] == ("78.6%", "direction", "good_ratio")
    met = "PM2.5平均浓度33微克/立方米，完成“PM2.5浓度35微克/立方米”年度目标。"
    assert kinds(met, figures) == [
        ("33微克/立方米", "ok", "pm25"),
        ("35微克/立方米", "ok", "pm25"),
    ]
    said_missed = "PM2.5平均浓度33微克/立方米，未完成“PM2.5浓度35微克/立方米”年度目标。"
    assert kinds(said_missed, figures)[0] == ("33微克/立方米", "direction", "pm25")
    wrong_goal = "优良天数比例78.6%，未达到“优良率85%”年度目标。"
    assert kinds(wrong_goal, figures)[1] == ("85%", "mismatch", "good_ratio")


@pytest.mark.parametrize(
    "text",
    [
        "对照《示例区“十四五”生态环境保护规划》，落实示环〔2024〕12号文件要求。",
        "2023年度生态质量指数评价结果于今年6月发布。",
        "区总河长签发第2号总河长令，部署2025—2027年河湖治理。",
        "根据[2025]7号通知，7月15日前完成2024年度排污许可执行报告审核。",
    ],
)
def test_years_dates_document_numbers_and_plan_names_are_not_quantities(text: str) -> None:
    assert extract_numbers(text) == []
