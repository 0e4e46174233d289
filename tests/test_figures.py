"""Figures files: loading each format with provenance, validation, and the derivation rules."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.errors import InputError
from assistant.figures import (
    change_mode,
    format_change,
    format_decimal,
    format_value,
    load_figures,
    round_half_up,
)
from tests.conftest import SAMPLE_DIR

HEADER = "id,指标,数值,单位,期间,上年同期,目标,来源,备注,主题,方向,合计,小数位"


def write_csv(path: Path, *rows: str, header: str = HEADER, encoding: str = "utf-8") -> Path:
    path.write_text("\n".join((header, *rows)) + "\n", encoding=encoding)
    return path


def load_rows(tmp_path: Path, *rows: str, header: str = HEADER):
    return load_figures(write_csv(tmp_path / "f.csv", *rows, header=header))


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_figures(path)
    return str(caught.value)


# --- loading -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        "pm25_avg,PM2.5平均浓度,41.6,微克/立方米,2025年上半年,36.7,35,区监测站,,,,,",
        "cases,立案查处,12,件,2025年上半年,,,区执法大队,,,,,",
        encoding=encoding,
    )
    figures = load_figures(path)
    assert figures.ids == ("pm25_avg", "cases")
    pm25 = figures["pm25_avg"]
    assert pm25.value == Decimal("41.6") and pm25.written == "41.6" and pm25.places == 1
    assert pm25.provenance.row == 2 and pm25.provenance.source == "区监测站"
    assert pm25.provenance.file == str(path) and pm25.provenance.sheet is None
    assert (pm25.topic, pm25.better, pm25.kind) == ("大气", "lower", "concentration")
    assert figures["cases"].provenance.row == 3
    assert str(figures.period) == "2025年上半年"
    assert figures.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_csv_with_a_title_row_and_english_headers(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "示例区2025年上半年数据,,,,\n\nid,name,value,unit,source,better,decimals\n"
        "rate,办结率,85.10,%,区信访办,higher,2\n",
        encoding="utf-8",
    )
    figure = load_figures(path)["rate"]
    assert figure.provenance.row == 4
    assert figure.written == "85.10" and figure.places == 2
    assert format_value(figure) == "85.10%"
    assert figure.decimals == 2 and figure.better == "higher" and figure.kind == "rate"


def test_xlsx_header_below_a_title_on_the_second_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes.append(["本表为示例"])
    sheet = workbook.create_sheet("数据")
    sheet.append(["示例区生态环境局2025年上半年工作数据"])
    sheet.append([])
    sheet.append(["id", "指标", "数值", "单位", "期间", "上年同期", "来源"])
    sheet.append(["rate", "办结率", 85.1, "%", "2025年上半年", 100, "区信访办"])
    sheet.append(["fines", "罚款金额", 112.3295, "万元", "2025年上半年", None, "区执法大队"])
    sheet.append(["days", "优良天数", 135.0, "天", "2025年上半年", "140", "区监测站"])
    sheet["C4"].number_format = "0.00"
    path = tmp_path / "f.xlsx"
    workbook.save(path)

    figures = load_figures(path)
    assert figures.sheet == "数据"
    rate = figures["rate"]
    assert (rate.provenance.sheet, rate.provenance.row) == ("数据", 4)
    assert rate.written == "85.10"  # the cell's number format shows two places
    assert format_value(figures["fines"]) == "112.3295万元"
    assert figures["fines"].provenance.row == 5
    assert figures["days"].written == "135" and figures["days"].previous == 140
    assert rate.provenance.describe() == "f.xlsx 表“数据” 第4行（来源：区信访办）"


def test_yaml_mapping_keeps_written_precision_and_top_level_period(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(
        "period: 2025年上半年\nunit: 示例区生态环境局\nfigures:\n"
        "  - {id: rate, name: 开工率, value: 85.10, unit: '%', previous: 81.70, source: 台账}\n"
        "  - {id: fines, 指标: 罚款金额, 数值: 112.3295, 单位: 万元, 来源: 执法大队}\n"
        "  - {id: later, name: 拘留, value: 〔待补〕, unit: 件, source: 公安分局}\n"
        "  - {id: blank, name: 查封, value: , unit: 件, source: 执法大队}\n",
        encoding="utf-8",
    )
    figures = load_figures(path)
    assert str(figures.period) == "2025年上半年" and figures.organisation == "示例区生态环境局"
    rate = figures["rate"]
    assert rate.written == "85.10" and rate.previous_written == "81.70"
    assert rate.provenance.row == 1 and str(rate.period) == "2025年上半年"
    assert figures["fines"].provenance.row == 2
    assert [f.id for f in figures.missing] == ["later", "blank"]
    assert format_value(figures["later"]) == "〔待补：拘留〕"


def test_yaml_plain_list(tmp_path: Path) -> None:
    path = tmp_path / "f.yml"
    path.write_text("- {id: a, name: 检查企业, value: 12, unit: 家, source: 台账}\n", "utf-8")
    figures = load_figures(path)
    assert figures["a"].value == 12 and figures.period is None
    assert figures.get("nope") is None
    with pytest.raises(KeyError):
        figures["nope"]


def test_by_topic_uses_the_column_then_the_dictionary(tmp_path: Path) -> None:
    figures = load_rows(
        tmp_path,
        "pm25,细颗粒物浓度,30,微克/立方米,,,,监测站,,,,,",
        "odd,自定义指标,3,件,,,,台账,,执法,,,",
        "cases,立案查处,5,件,,,,台账,,,,,",
    )
    assert [f.id for f in figures.by_topic("执法")] == ["odd", "cases"]
    assert [f.id for f in figures.by_topic("大气")] == ["pm25"]


# --- water classes -------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["Ⅱ", "II", "Ⅱ类", "2", "ii"])
def test_water_class_spellings(tmp_path: Path, written: str) -> None:
    figures = load_rows(tmp_path, f"section,断面水质,{written},类,,Ⅲ,Ⅲ,监测站,,,,,")
    figure = figures["section"]
    assert (figure.category, figure.value, figure.kind) == ("Ⅱ", None, "category")
    assert format_value(figure) == "Ⅱ类" and not figure.missing
    assert figures.change("section") is None  # no arithmetic on classes
    check = figures.target("section")
    assert check is not None and check.met and check.completion is None


def test_water_class_worse_than_target(tmp_path: Path) -> None:
    figures = load_rows(tmp_path, "section,断面水质,劣Ⅴ,类,,,Ⅳ,监测站,,,,,")
    assert figures["section"].category == "劣Ⅴ"
    check = figures.target("section")
    assert check is not None and not check.met and (check.actual, check.target) == (6, 4)


# --- validation ----------------------------------------------------------------------------


def test_every_problem_is_reported_at_once_with_row_and_column(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        ",PM2.5平均浓度,41.6,微克/立方米,2025年上半年,,,监测站,,,,,",  # row 2: no id
        "cases,,12,件,2025年上半年,,,台账,,,,,",  # row 3: no name
        "fines,罚款,四十左右,万元,2025年上半年,,,,,,,,",  # row 4: not a number, no source
        "cases,立案查处,12件,,2025年上半年,,,台账,,,,,",  # row 5: duplicate, number with unit
        "Bad-Id,检查企业,3,家,2025年上半年,x,y,台账,,,,,",  # row 6: id, previous, target
        "days,优良天数,5,天,2024年上半年,,,台账,,,,,",  # row 7: another period
        "total,合计,,件,2025年上半年,,,台账,,,,cases+ghost,",  # row 8: unknown id
        "rate,办结率,90,%,2025年上半年,,,台账,,,更好,,七",  # row 9: bad 方向 and 小数位
    )
    message = error_of(path)
    assert str(path) in message
    expected = [
        ("第2行，列“id”", "缺少 id"),
        ("第3行，列“指标”", "缺少指标名称"),
        ("第4行，列“数值”", "“四十左右”不是数字"),
        ("第4行，列“来源”", "缺少来源"),
        ("第5行，列“id”", "与第3行重复"),
        ("第5行，列“数值”", "把数字和单位分开"),
        ("第6行，列“id”", "格式不对"),
        ("第6行，列“上年同期”", "“x”不是数字"),
        ("第6行，列“目标”", "“y”不是数字"),
        ("第7行，列“期间”", "与报告期间“2025年上半年”的年份不同"),
        ("第8行，列“合计”", "不存在的 id：ghost"),
        ("第9行，列“方向”", "无法识别"),
        ("第9行，列“小数位”", "无效"),
    ]
    lines = message.splitlines()
    for where, what in expected:
        assert any(where in line and what in line for line in lines), (where, what)
    assert f"{len(expected)}处问题" in message
    assert message.count("\n  - ") == len(expected)


def test_missing_values_are_allowed(tmp_path: Path) -> None:
    figures = load_rows(
        tmp_path,
        "a,检查企业,〔待补〕,家,,,,台账,,,,,",
        "b,检查企业数,,家,,,,台账,,,,,",
        "c,立案,待补,件,,,,台账,,,,,",
    )
    assert all(figure.missing for figure in figures)
    assert figures.changes == {} and figures.targets == {}


def test_unknown_unit_is_a_warning_not_an_error(tmp_path: Path) -> None:
    figures = load_rows(tmp_path, "a,某指标,3,斤,,,,台账,,,,,")
    assert figures["a"].unit_canonical is None
    assert len(figures.warnings) == 1
    assert "第2行" in figures.warnings[0] and "单位“斤”" in figures.warnings[0]


def test_no_header_row(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    assert "找不到表头行" in error_of(path)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n", b",,,\n,,\n"])
def test_an_empty_csv_says_it_is_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    message = error_of(path)
    assert "文件为空" in message and "找不到表头行" not in message


def test_an_empty_xlsx_file_says_it_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"")
    assert "文件为空" in error_of(path)


def test_a_formula_without_a_computed_value_names_the_cell(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "指标", "数值", "单位", "期间", "上年同期", "来源"])
    sheet.append(["days", "优良天数", 135, "天", "2025年上半年", 140, "区监测站"])
    sheet.append(["rate", "优良天数比例", "=C2/181*100", "%", "2025年上半年", None, "区监测站"])
    path = tmp_path / "f.xlsx"
    workbook.save(path)  # openpyxl stores the formula only, as a script-made file would
    with pytest.raises(InputError) as caught:
        load_figures(path)
    message = str(caught.value)
    assert "C3" in message and "公式没有计算结果：请在 Excel 中打开并保存后再导入" in message
    assert caught.value.row == 3


def test_a_single_problem_carries_its_row_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", "a,检查企业,三,家,,,,台账,,,,,")
    with pytest.raises(InputError) as caught:
        load_figures(path)
    assert (caught.value.row, caught.value.column) == (2, "数值")


def test_source_column_is_required(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", "a,检查企业,3,家", header="id,指标,数值,单位")
    message = error_of(path)
    assert "缺少“来源”列" in message and message.count("\n  - ") == 1


def test_unsupported_and_unreadable_files(tmp_path: Path) -> None:
    assert "不支持" in error_of(tmp_path / "f.txt")
    assert "无法读取" in error_of(tmp_path / "absent.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert "无法作为 Excel 文件打开" in error_of(broken)
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("figures: [\n", encoding="utf-8")
    assert "YAML 无法解析" in error_of(bad_yaml)


# --- derivation rules --------------------------------------------------------------------


def test_change_mode_rule() -> None:
    assert change_mode("rate", "%") == "points"
    assert change_mode("rate", "") == "points"
    assert change_mode("amount", "%") == "points"  # unit % makes it a rate
    assert change_mode("concentration", "微克/立方米") == "percent"
    assert change_mode("count", "件") == "percent"
    assert change_mode("amount", "万元") == "percent"
    assert change_mode("category", "类") is None


def test_rate_change_is_in_percentage_points(tmp_path: Path) -> None:
    figures = load_rows(tmp_path, "good,优良天数比例,73.5,%,,77.1,,监测站,,,,,")
    change = figures.change("good")
    assert change is not None
    assert (change.mode, change.amount, change.direction) == ("points", Decimal("-3.6"), "下降")
    assert change.improved is False and change.assessment == "恶化"
    assert format_change(change) == "同比下降3.6个百分点"
    assert "73.5 − 77.1" in change.formula


def test_concentration_change_is_a_percentage(tmp_path: Path) -> None:
    figures = load_rows(tmp_path, "pm25,PM2.5平均浓度,41.6,μg/m³,,36.7,,监测站,,,,,")
    change = figures.change("pm25")
    assert change is not None
    assert (change.mode, change.amount, change.decimals) == ("percent", Decimal("13.4"), 1)
    assert format_change(change) == "同比上升13.4%"
    assert change.improved is False  # a higher concentration is worse
    assert figures["pm25"].unit_canonical == "微克/立方米"


def test_better_column_overrides_the_dictionary(tmp_path: Path) -> None:
    figures = load_rows(
        tmp_path,
        "p1,受理环境信访,30,件,,40,,信访办,,,,,",
        "p2,受理环境信访件,30,件,,40,,信访办,,,越高越好,,",
    )
    assert figures.change("p1").improved is True  # dictionary: fewer petitions is better
    assert figures.change("p2").improved is False


def test_flat_when_equal_or_rounding_to_zero(tmp_path: Path) -> None:
    figures = load_rows(
        tmp_path,
        "a,优良天数比例,100,%,,100.0,,监测站,,,,,",
        "b,立案查处,20000,件,,19999,,台账,,,,,",  # +0.005% rounds to 0.0
        "c,立案,0,件,,0,,台账,,,,,",
    )
    for figure_id in ("a", "b", "c"):
        change = figures.change(figure_id)
        assert change is not None and change.direction == "持平", figure_id
        assert format_change(change) == "与上年同期持平"
        assert change.improved is None


def test_no_percent_change_from_zero(tmp_path: Path) -> None:
    figures = load_rows(
        tmp_path, "a,排污许可登记,300,件,,0,,台账,,,,,", "b,立案,3,件,,0,,台账,,,,,"
    )
    assert figures.change("a") is None
    assert any("上年同期为0" in warning for warning in figures.warnings)
    change = figures.change("b")  # a small count changes by its difference, from zero too
    assert change is not None and format_change(change) == "同比增加3件"


def test_half_up_rounding() -> None:
    assert round_half_up(Decimal("2.25"), 1) == Decimal("2.3")
    assert round_half_up(Decimal("2.35"), 1) == Decimal("2.4")
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")
    assert round_half_up(Decimal("-3.65"), 1) == Decimal("-3.7")
    assert format_decimal(Decimal("81.0450"), 2) == "81.05"
    assert format_decimal(Decimal("1E+2")) == "100"


def test_decimals_column_sets_places_and_rounds_half_up(tmp_path: Path) -> None:
    figures = load_rows(
        tmp_path,
        "a,危险废物转移量,200.25,吨,,200,,系统,,,,,2",
        "b,危险废物处置量,200.25,吨,,200,,系统,,,,,",
    )
    assert figures.change("a").amount == Decimal("0.13")  # 0.125 → 0.13, not banker's 0.12
    assert figures.change("b").amount == Decimal("0.1")


def test_points_keep_the_finer_written_precision(tmp_path: Path) -> None:
    figures = load_rows(tmp_path, "a,开工率,85.10,%,,81.7,,台账,,,,,")
    change = figures.change("a")
    assert change.amount == Decimal("3.40") and format_change(change) == "同比上升3.40个百分点"


def test_completion_rate_and_target_met(tmp_path: Path) -> None:
    figures = load_rows(
        tmp_path,
        "inv,重点工程完成投资,2.977,亿元,,,3.673,规划科,,,,,2",
        "pm25,PM2.5平均浓度,38.4,微克/立方米,,,35,监测站,,,,,",
        "pm10,PM10平均浓度,58,微克/立方米,,,60,监测站,,,,,",
        "good,优良天数比例,80,%,,,80,监测站,,,,,",
        "heavy,重污染天数,2,天,,,4,监测站,,,,,",
    )
    investment = figures.target("inv")
    assert investment.completion == Decimal("81.05") and investment.met is False
    assert "2.977 / 3.673" in investment.formula
    pm25 = figures.target("pm25")
    assert (pm25.better, pm25.met, pm25.completion) == ("lower", False, None)
    assert figures.target("pm10").met is True
    assert figures.target("good").met is True  # reaching the target exactly is meeting it
    heavy = figures.target("heavy")
    assert heavy.met is True and heavy.completion is None  # lower-is-better: no 完成率


def test_default_completion_has_one_decimal(tmp_path: Path) -> None:
    figures = load_rows(tmp_path, "pipe,新建污水管网,16.8,公里,,,35,住建局,,,,,")
    assert figures.target("pipe").completion == Decimal("48.0")


# --- sums ----------------------------------------------------------------------------------


def test_declared_sum_is_computed(tmp_path: Path) -> None:
    figures = load_rows(
        tmp_path,
        "air,大气类案件,14,件,,,,台账,,,,,",
        "water,水类案件,9,件,,,,台账,,,,,",
        "total,立案查处环境违法案件,,件,,35,,台账,,,,air+water,",
        "given,立案查处案件,23,件,,,,台账,,,,air+water,",
    )
    total = figures["total"]
    assert total.value == 23 and total.written == "23" and total.computed
    assert total.sum_of == ("air", "water")
    assert figures.change("total").amount == Decimal("-12")  # a small count: 减少12件
    assert figures["given"].computed is False


def test_sum_converts_units_and_checks_a_given_value(tmp_path: Path) -> None:
    figures = load_rows(
        tmp_path,
        "f1,罚款,12.5,万元,,,,台账,,,,,",
        "f2,罚款金额,5000,元,,,,台账,,,,,",
        "fines,罚没款,,万元,,,,台账,,,,f1+f2,",
    )
    assert figures["fines"].value == Decimal("13")
    path = write_csv(
        tmp_path / "wrong.csv",
        "a,大气类案件,14,件,,,,台账,,,,,",
        "b,水类案件,9,件,,,,台账,,,,,",
        "t,合计,24,件,,,,台账,,,,a+b,",
    )
    message = error_of(path)
    assert "第4行，列“数值”" in message and "a+b = 23" in message


def test_sum_with_a_missing_part_is_missing(tmp_path: Path) -> None:
    figures = load_rows(
        tmp_path,
        "a,大气类案件,14,件,,,,台账,,,,,",
        "b,水类案件,〔待补〕,件,,,,台账,,,,,",
        "t,合计,,件,,,,台账,,,,a+b,",
    )
    assert figures["t"].missing
    assert any("组成部分 b 缺数值" in warning for warning in figures.warnings)


def test_sum_cycles_and_incompatible_units_are_errors(tmp_path: Path) -> None:
    cycle = write_csv(
        tmp_path / "cycle.csv",
        "a,甲,,件,,,,台账,,,,b+c,",
        "b,乙,,件,,,,台账,,,,a+c,",
        "c,丙,1,件,,,,台账,,,,,",
    )
    assert "循环引用" in error_of(cycle)
    units = write_csv(
        tmp_path / "units.csv",
        "a,甲,1,件,,,,台账,,,,,",
        "b,乙,2,吨,,,,台账,,,,,",
        "t,合计,,件,,,,台账,,,,a+b,",
    )
    assert "不能相加" in error_of(units)


# --- the sample files ----------------------------------------------------------------------


def test_sample_csv_and_xlsx_agree() -> None:
    csv_set = load_figures(SAMPLE_DIR / "figures-2025H1.csv")
    xlsx_set = load_figures(SAMPLE_DIR / "figures-2025H1.xlsx")
    assert csv_set.ids == xlsx_set.ids and len(csv_set) >= 30
    assert str(csv_set.period) == str(xlsx_set.period) == "2025年上半年"
    for a, b in zip(csv_set, xlsx_set, strict=True):
        same = ("name", "value", "written", "unit", "previous", "target", "kind", "better", "topic")
        assert [getattr(a, k) for k in same] == [getattr(b, k) for k in same], a.id
        assert a.provenance.source == b.provenance.source
        assert b.provenance.row == a.provenance.row + 2  # the XLSX has a title above the header
    assert csv_set.changes == xlsx_set.changes or all(
        csv_set.change(i).amount == xlsx_set.change(i).amount for i in csv_set.changes
    )
    total = csv_set["cases_total"]
    assert total.computed and total.value == sum(
        csv_set[i].value for i in ("cases_air", "cases_water", "cases_other")
    )
    assert format_change(csv_set.change("good_days_ratio")) == "同比下降2.3个百分点"
    assert csv_set.target("key_projects_investment").completion == Decimal("52.4")


def test_sample_yaml_has_two_missing_values() -> None:
    figures = load_figures(SAMPLE_DIR / "figures-2025Q3.yaml")
    assert {f.id for f in figures.missing} == {"farmland_safe_use_rate", "detention_referrals"}
    assert str(figures.period) == "2025年前三季度"


# --- command line --------------------------------------------------------------------------


def test_cli_show_json_and_validate(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        "good,优良天数比例,73.5,%,2025年上半年,77.1,80,监测站,,,,,",
        "later,立案,〔待补〕,件,2025年上半年,,,台账,,,,,",
    )
    runner = CliRunner()
    shown = runner.invoke(app, ["figures", "show", str(path), "--json"])
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    good = document["figures"][0]
    assert good["change"]["text"] == "同比下降3.6个百分点"
    assert good["target_check"]["met"] is False and good["row"] == 2
    assert document["figures"][1]["rendered"] == "〔待补：立案〕"
    table = runner.invoke(app, ["figures", "show", str(path)], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "同比下降3.6个百分点" in table.stdout
    valid = runner.invoke(app, ["figures", "validate", str(path), "--json"])
    assert json.loads(valid.stdout)["missing"] == ["later"]


def test_cli_validate_exits_non_zero_on_errors(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", "x,检查企业,12家,,,,,,,,,,")
    run = subprocess.run(
        [sys.executable, "-m", "assistant", "figures", "validate", str(path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "第2行" in run.stderr and "数值" in run.stderr
