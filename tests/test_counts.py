"""Counts are written as an office writes them: days, cases and sections change by 增加/减少N天
/件/个 (the domain pack's count_change), a zero count reads 未发生…/无…, and the checker judges
both the difference and a real text's percentage."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assistant import domain
from assistant.check import check_blocks
from assistant.figures import change_mode, format_change, load_figures
from assistant.render import render
from assistant.types import FigureSet

HEADER = "id,指标,数值,单位,期间,上年同期,目标,来源"
ROWS = [
    "smog,重污染天数,3,天,2025年上半年,5,,区监测站",
    "fine,优良天数,150,天,2025年上半年,141,,区监测站",
    "cases,立案查处环境违法案件,21,件,2025年上半年,17,,区执法大队台账",
    "letters,受理环境信访件,318,件,2025年上半年,352,,区信访台账",
    "bad_v,劣Ⅴ类断面数,0,个,2025年上半年,1,,区监测站",
    "ratio,优良天数比例,82.9,%,2025年上半年,78.5,,区监测站",
    "pm25,PM2.5平均浓度,33.2,微克/立方米,2025年上半年,35.0,,区监测站",
]


def sheet(tmp_path: Path, *rows: str) -> FigureSet:
    path = tmp_path / "counts.csv"
    path.write_text("\n".join([HEADER, *(rows or ROWS)]) + "\n", encoding="utf-8")
    return load_figures(path)


@pytest.fixture()
def figures(tmp_path: Path) -> FigureSet:
    return sheet(tmp_path)


def said(figures: FigureSet, figure_id: str) -> str:
    change = figures.change(figure_id)
    assert change is not None
    return format_change(change)


# --- which counts change by their difference ------------------------------------------------


def test_days_change_by_days_whatever_their_number(figures: FigureSet) -> None:
    assert said(figures, "smog") == "同比减少2天"
    assert said(figures, "fine") == "同比增加9天"
    change = figures.change("fine")
    assert change is not None and change.mode == "count" and change.unit == "天"
    assert change.formula == "150 − 141 = 9（天）" and change.improved is True


def test_small_counts_by_difference_large_ones_by_percent(figures: FigureSet) -> None:
    assert said(figures, "cases") == "同比增加4件"
    assert said(figures, "bad_v") == "同比减少1个"
    assert said(figures, "letters") == "同比下降9.7%"  # hundreds of letters: a share
    assert said(figures, "ratio") == "同比上升4.4个百分点"
    assert said(figures, "pm25") == "同比下降5.1%"


def test_the_rule_is_the_packs_data() -> None:
    rule = domain.current().metrics.count_change
    assert rule is not None and "天" in rule.units and "件" in rule.small_units
    assert change_mode("count", "天") == "count"  # days without their values
    assert change_mode("count", "件") == "percent"  # a case count needs its size
    assert change_mode("count", "件", Decimal(12), Decimal(9)) == "count"
    big = rule.small_below
    assert change_mode("count", "件", big, Decimal(9)) == "percent"
    assert change_mode("concentration", "微克/立方米", Decimal(3), Decimal(4)) == "percent"


def test_a_count_change_renders_with_increase_words(figures: FigureSet) -> None:
    text = "重污染天数{{smog}}，{{smog.change}}；立案查处环境违法案件{{cases}}，{{cases.change}}。"
    rendered = render(text, figures)
    assert rendered.text == "重污染天数3天，同比减少2天；立案查处环境违法案件21件，同比增加4件。"
    change = [c for c in rendered.citations if c.field == "change"]
    assert [c.text for c in change] == ["减少2天", "增加4件"]


# --- the checker ----------------------------------------------------------------------------


def kinds(text: str, figures: FigureSet) -> dict[str, str]:
    return {f.value: f.kind for f in check_blocks([text], figures).findings}


def test_checker_confirms_the_difference_and_flags_a_wrong_one(figures: FigureSet) -> None:
    right = "今年上半年全区出现重污染天气3天，比去年同期减少2天。"
    assert kinds(right, figures) == {"3天": "ok", "2天": "ok"}
    wrong = "今年上半年全区出现重污染天气3天，比去年同期减少4天。"
    assert kinds(wrong, figures)["4天"] == "mismatch"
    upward = "今年上半年全区出现重污染天气3天，比去年同期增加2天。"
    assert kinds(upward, figures)["2天"] == "direction"


def test_checker_still_judges_a_count_change_written_as_percent(figures: FigureSet) -> None:
    # (21 − 17) / 17 = 23.5 %: a real report may write a count's change so
    right = "上半年共办理环境违法案件21件，同比增长23.5%。"
    assert kinds(right, figures) == {"21件": "ok", "23.5%": "ok"}
    wrong = "上半年共办理环境违法案件21件，同比增长25.5%。"
    assert kinds(wrong, figures)["25.5%"] == "mismatch"
    points = "上半年共办理环境违法案件21件，同比增加4个百分点。"
    assert kinds(points, figures)["4个百分点"] == "unit"


# --- names said once, as in prose; zero counts in words -------------------------------------

ZERO_ROWS = [
    "fires,森林火灾起数,0,起,2025年上半年,1,0,区林业站",
    "big,较大以上事故起数,0,起,2025年上半年,0,0,区安委办",
    "bad_v,劣Ⅴ类断面数,0,个,2025年上半年,0,0,区监测站",
    "dead,事故死亡人数,0,人,2025年上半年,2,,区安委办",
    "pm10,PM10平均浓度,61,微克/立方米,2025年上半年,64,,区监测站",
]


def test_a_header_is_said_as_prose(tmp_path: Path) -> None:
    from assistant.prose import prose_name

    assert prose_name("森林火灾起数") == "森林火灾"
    assert prose_name("劣Ⅴ类断面数") == "劣Ⅴ类断面"
    assert prose_name("重污染天数") == "重污染天数"  # days keep their 天数
    assert prose_name("监测数据有效率") == "监测数据有效率"


def test_a_zero_count_reads_as_words_and_its_handling_goes(tmp_path: Path) -> None:
    from assistant.prose import figure_clause, zero_counts

    figures = sheet(tmp_path, *ZERO_ROWS)
    refilled = "今年以来加强林区巡查，全区发生森林火灾{{fires}}，均得到及时处置，无人员伤亡。"
    assert zero_counts(refilled, figures) == "今年以来加强林区巡查，全区未发生森林火灾。"
    flat = "较大以上事故起数{{big}}，同比{{big.change}}；巡查林区{{pm10}}。"
    assert zero_counts(flat, figures) == "未发生较大以上事故；巡查林区{{pm10}}。"
    assert figure_clause(figures["bad_v"], figures) == "无劣Ⅴ类断面"
    assert render(figure_clause(figures["fires"], figures), figures).text == (
        "未发生森林火灾，同比减少1起"
    )
    # a zero of people stays a number: 无事故死亡人数 is no sentence
    assert render(figure_clause(figures["dead"], figures), figures).text == (
        "事故死亡人数0人，同比减少2人"
    )


def test_a_plan_target_of_zero_reads_as_words(tmp_path: Path) -> None:
    from assistant.writers import TemplateWriter

    figures = sheet(tmp_path, *ZERO_ROWS)
    assert TemplateWriter._target_clause(figures["fires"]) == "不发生森林火灾"
    assert TemplateWriter._target_clause(figures["bad_v"]) == "无劣Ⅴ类断面"


def test_a_name_whose_head_the_clause_says_is_not_doubled(tmp_path: Path) -> None:
    from assistant.refill import with_subject

    figures = sheet(tmp_path, *ZERO_ROWS)
    pm10 = figures["pm10"]
    text = "城区PM10浓度为{{pm10}}，同比{{pm10.change}}"
    assert with_subject(text, pm10) == "城区PM10平均浓度为{{pm10}}，同比{{pm10.change}}"
    bare = "城区平均浓度为{{pm10}}"  # only the tail said: the whole name comes in
    assert with_subject(bare, pm10) == "城区PM10平均浓度为{{pm10}}"


def test_a_count_change_in_the_wrong_unit_is_a_unit_finding(figures: FigureSet) -> None:
    text = "今年上半年全区出现重污染天气3天，比去年同期减少2%。"
    assert kinds(text, figures)["2%"] == "unit"


# --- a county's annual draft from 1-11月 figures, from other bureaus' sentences ---------------


def test_a_citys_urban_area_is_neutral_in_a_countys_draft() -> None:
    from assistant.names import Voice, speak_as

    county = Voice.of("某县生态环境分局")
    text = "全年市区环境空气质量综合指数为4.01，市区两级联动开展执法检查。"
    assert (
        speak_as(text, "区", county)
        == "全年城区环境空气质量综合指数为4.01，市区两级联动开展执法检查。"
    )
    city = Voice.of("某市生态环境局")
    assert speak_as(text, "区", city) == text


def test_the_year_so_far_is_said_as_its_months() -> None:
    from assistant.periods import parse, parse_period, restate, year_so_far

    annual, so_far = parse_period("2024年"), parse("2024年1-11月")
    assert so_far is not None and year_so_far(annual, so_far)
    assert not year_so_far(annual, parse("2024年")) and not year_so_far(annual, parse("上年度"))
    sentence = "全年全县PM2.5平均浓度{{pm25}}，完成全年目标任务；2024年度生态质量指数{{eqi}}。"
    assert restate(sentence, annual, so_far) == (
        "1-11月，全县PM2.5平均浓度{{pm25}}，完成全年目标任务；2024年度生态质量指数{{eqi}}。"
    )
    assert (
        restate("2024年，城区综合指数为{{aqi}}。", annual, so_far)
        == "1-11月，城区综合指数为{{aqi}}。"
    )
    assert restate(sentence, annual, parse("2024年")) == sentence


def test_an_annual_draft_may_use_the_year_so_far_but_not_a_half_year(tmp_path: Path) -> None:
    from assistant.draft import _check_period
    from assistant.errors import InputError
    from assistant.periods import parse_period

    rows = ["pm25,PM2.5平均浓度,31,微克/立方米,2024年1-11月,33,,县监测站"]
    _check_period(parse_period("2024年"), sheet(tmp_path, *rows))
    half = ["pm25,PM2.5平均浓度,31,微克/立方米,2024年上半年,33,,县监测站"]
    with pytest.raises(InputError):
        _check_period(parse_period("2024年"), sheet(tmp_path, *half))


def test_a_sentence_the_gate_would_cut_does_not_take_its_figures(tmp_path: Path) -> None:
    from assistant.refill import Refiller
    from assistant.writers import survives_gate

    figures = sheet(tmp_path)
    assert survives_gate("全县PM2.5平均浓度{{pm25}}，同比{{pm25.change}}。")
    # a PDF line break left a unit's tail in front of the sentence
    assert not survives_gate("方米, 优良天数比例{{ratio}}。")
    refiller = Refiller(figures, ["pm25", "ratio"], "summary", 2025)
    refilled = refiller.sentence("全县PM2.5平均浓度为36.1微克/立方米，优良天数比例为80.2%。")
    assert refilled is not None and [f.id for f in refiller.free()] == []
    refiller.release(refilled)
    assert [f.id for f in refiller.free()] == ["pm25", "ratio"]


def test_the_period_is_said_once_and_a_zero_in_words_counts_as_stated(tmp_path: Path) -> None:
    from assistant.writers import _period_once

    said = _period_once("上半年，加强巡查，组织护林1200人次，上半年未发生森林火灾。", "上半年")
    assert said == "上半年，加强巡查，组织护林1200人次，未发生森林火灾。"
    assert _period_once("全区上半年未发生森林火灾。", "上半年") == "全区上半年未发生森林火灾。"
    figures = sheet(tmp_path, *ZERO_ROWS)
    report = check_blocks(["上半年全县未发生森林火灾，无劣Ⅴ类断面。"], figures)
    assert "fires" not in report.unstated and "bad_v" not in report.unstated
    assert "big" in report.unstated  # never said
