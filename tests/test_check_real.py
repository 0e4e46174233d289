"""check names what real drafts got past it: another unit's place, another period's time."""

from pathlib import Path

from assistant.check import check_blocks, check_file
from assistant.figures import load_figures
from assistant.types import Citation

ANNUAL = "id,指标,数值,单位,期间,来源\npm25,PM2.5平均浓度,37,微克/立方米,2023年,监测站\n"


def _annual(tmp_path: Path):
    path = tmp_path / "figures.csv"
    path.write_text(ANNUAL, "utf-8")
    return load_figures(path)


def test_a_number_said_of_another_period_is_a_period_finding(tmp_path: Path) -> None:
    figure_set = _annual(tmp_path)
    text = "今年截至3月31日，PM2.5平均浓度37微克/立方米。"
    start = text.index("37微克")
    citation = Citation(
        0, start, start + len("37微克/立方米"), "37微克/立方米", "pm25", "value", ""
    )
    report = check_blocks([text], figure_set, [citation])
    assert [f.kind for f in report.findings] == ["period"]
    assert not report.ok
    whole = "2023年，PM2.5平均浓度37微克/立方米。"
    begin = whole.index("37微克")
    cited = Citation(0, begin, begin + len("37微克/立方米"), "37微克/立方米", "pm25", "value", "")
    assert check_blocks([whole], figure_set, [cited]).ok


def test_another_units_place_is_a_foreign_finding(tmp_path: Path) -> None:
    figure_set = _annual(tmp_path)
    draft = tmp_path / "draft.md"
    draft.write_text(
        "# 示例县生态环境局2023年工作总结\n\n"
        "1-12月，吉首市环境空气优良天数稳定，PM2.5平均浓度37微克/立方米。\n",
        "utf-8",
    )
    report = check_file(draft, figure_set, unit="示例县生态环境局")
    foreign = [f for f in report.findings if f.kind == "foreign"]
    assert [f.value for f in foreign] == ["吉首市"]
    assert not report.ok
    own = check_file(draft, figure_set, unit="湘西州生态环境局吉首分局")
    assert not [f for f in own.findings if f.kind == "foreign"]
