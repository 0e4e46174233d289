"""Drafting from another bureau's old summary: only the target bureau and its era speak, and
every sentence leaves whole (real-style material written for this test)."""

from pathlib import Path

import pytest

from assistant import era, gate, names
from assistant.draft import DraftRequest, compose, markdown
from assistant.ingest import ingest
from assistant.reading import read_document
from assistant.settings import load_settings

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "sample"
UNIT = "示例区生态环境局"

# Another city's old half-year summary: its names, its level, its era, PDF spacing, a cut clause.
FOREIGN = (Path(__file__).parent / "data" / "foreign-2005-h1.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def drafted(tmp_path_factory) -> str:
    work = tmp_path_factory.mktemp("real")
    corpus = work / "corpus"
    corpus.mkdir()
    (corpus / "江阴-2005-上半年.txt").write_text(FOREIGN, "utf-8")
    settings = load_settings(data_dir=work / "data", embedding="hash")
    ingest([corpus, SAMPLE], settings)
    result = compose(DraftRequest(SAMPLE / "figures-2025H1.csv", UNIT, "2025年上半年"), settings)
    assert result.report.ok
    return markdown(result.draft)


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line and not line.startswith("#"))


def test_no_other_bureaus_names(drafted: str) -> None:
    """The sample corpus is the target's own archive: its names (龙潭水库) may stay."""
    own = [
        name
        for path in SAMPLE.iterdir()
        if path.suffix in (".txt", ".md", ".docx")
        for block in read_document(path).blocks
        for name in names.find_names(block.text)
    ]
    assert names.foreign_names(_body(drafted), names.Voice.of(UNIT, own)) == []
    assert "我市" not in drafted and "江阴" not in drafted


def test_no_wording_out_of_its_era(drafted: str) -> None:
    assert era.stale(_body(drafted), 2025) == []


def test_every_sentence_is_whole(drafted: str) -> None:
    assert gate.problems(_body(drafted)) == []


def _figures(tmp_path: Path, rows: str):
    from assistant.figures import load_figures

    path = tmp_path / "figures.csv"
    path.write_text("id,指标,数值,单位,期间,上年同期,来源\n" + rows, "utf-8")
    return load_figures(path)


def test_a_total_and_its_parts_are_one_clause_with_the_subject_once(tmp_path: Path) -> None:
    from assistant.prose import figure_sentences

    figure_set = _figures(
        tmp_path,
        "eia,审批建设项目环评文件,26,件,2024年一季度,,审批股\n"
        "book,其中环境影响报告书,5,件,2024年一季度,,审批股\n"
        "form,其中环境影响报告表,21,件,2024年一季度,,审批股\n"
        "area,湿地公园规划面积,5000,亩,2024年一季度,,林业局\n"
        "invest,湿地公园预计投资,2,亿元,2024年一季度,,林业局\n",
    )
    said = figure_sentences(list(figure_set), figure_set)
    assert said == [
        "审批建设项目环评文件{{eia}}，其中环境影响报告书{{book}}、环境影响报告表{{form}}。",
        "湿地公园规划面积{{area}}，预计投资{{invest}}。",
    ]


def test_no_sentence_carries_more_than_four_figures(tmp_path: Path) -> None:
    from assistant.prose import capped, figure_sentences

    rows = "".join(
        f"c{i},环境信用{c}企业,{i + 1},家,2024年一季度,,法规股\n" for i, c in enumerate("绿蓝黄红")
    )
    figure_set = _figures(tmp_path, "total,企业环境信用评价,100,家,2024年一季度,,法规股\n" + rows)
    said = figure_sentences(list(figure_set), figure_set)
    assert len(said) == 2 and said[1].startswith("其中")
    assert all(s.count("{{") <= 4 for s in said)
    long = "PM2.5{{a}}，同比{{a.change}}；PM10{{b}}，同比{{b.change}}；优良天数{{c}}。"
    assert capped(long) == [
        "PM2.5{{a}}，同比{{a.change}}；PM10{{b}}，同比{{b.change}}。",
        "优良天数{{c}}。",
    ]


def test_a_change_whose_value_was_cut_is_not_given_to_the_figure_before(tmp_path: Path) -> None:
    from assistant.refill import Refiller

    figure_set = _figures(
        tmp_path,
        "pm10,PM10平均浓度,49,微克/立方米,2022年,58,监测站\n",
    )
    refiller = Refiller(figure_set, ["pm10"], "summary", 2022)
    refilled = refiller.sentence(
        "PM10平均浓度为52微克/立方米，同比下降8.1%；二氧化硫浓度为9微克/立方米，同比下降10%。"
    )
    assert refilled is not None
    assert refilled.text.count("{{pm10.change}}") == 1


def test_the_genre_s_sections_appear_without_figures_and_a_slot_says_what_to_add(
    tmp_path: Path,
) -> None:
    from assistant.check import check_file
    from assistant.draft import make_draft
    from assistant.outline import derive_outline, parse_period

    figure_set = _figures(tmp_path, "pm25,PM2.5平均浓度,35,微克/立方米,2025年上半年,38,监测站\n")
    outline = derive_outline(figure_set, parse_period("2025年上半年"), UNIT, None)
    summary = [s for s in outline.sections if s.role == "summary"]
    shape = ["大气", "水", "土壤", "固废", "生态", "执法", "信访", "审批", "监测", "综合"]
    assert [s.topics for s in summary] == [(topic,) for topic in shape]  # a half year's round
    assert [s.figure_ids for s in summary][1:] == [()] * (len(shape) - 1)

    settings = load_settings(data_dir=tmp_path / "empty", embedding="hash")
    request = DraftRequest(tmp_path / "figures.csv", UNIT, "2025年上半年")
    result = make_draft(request, settings, tmp_path / "out")
    text = markdown(result.draft)
    slots = len(shape) - 1  # every section but 大气: no figure, no past phrasing
    assert text.count("〔待补：本期") == slots
    report = check_file(result.files["docx"], figure_set)
    assert report.summary["slot"] == slots and report.ok  # prose to write, no number wrong


def test_a_past_heading_of_another_unit_or_era_gives_way() -> None:
    from assistant.outline import Section, own_headings

    voice = names.Voice.of(UNIT)
    sections = [
        Section("summary", "（一）创建江阴市文明单位", 2, ("党建",)),
        Section("summary", "（二）奋力推进生态示范区(风景名胜区)建设", 2, ("生态",)),
        Section("summary", "（三）强化执法(双随机)监管", 2, ("执法",)),
    ]
    headings = [s.heading for s in own_headings(sections, voice, 2025)]
    assert headings[0].startswith("（一）") and "江阴" not in headings[0]
    assert headings[1].startswith("（二）") and "生态示范区" not in headings[1]
    assert headings[2] == "（三）强化执法（双随机）监管"


def test_only_a_stem_the_part_starts_with_makes_it_a_part(tmp_path: Path) -> None:
    from assistant.prose import figure_sentences

    figure_set = _figures(
        tmp_path,
        "i,汽车尾气监测企业,3,家,2022年上半年,,大气股\nm,机动车尾气治理维护站,2,家,2022年上半年,,大气股\n",
    )
    assert figure_sentences(list(figure_set), figure_set) == [
        "汽车尾气监测企业{{i}}；机动车尾气治理维护站{{m}}。"
    ]


def test_a_past_clause_naming_another_metric_is_not_refilled_with_this_one(tmp_path: Path) -> None:
    from assistant.refill import Refiller

    figure_set = _figures(tmp_path, "land,污染地块安全利用率,100,%,2023年,,土壤股\n")
    refiller = Refiller(figure_set, ["land"], "summary", 2023)
    refilled = refiller.sentence("全市受污染耕地安全利用率达到98%，土壤环境质量总体稳定。")
    assert refilled is None or "{{land}}" not in refilled.text


def test_one_past_number_shared_by_several_measures_is_not_refilled_with_one_figure(
    tmp_path: Path,
) -> None:
    from assistant.refill import Refiller

    figure_set = _figures(
        tmp_path,
        "surface,地表水水质达标率,77.8,%,2023年,,监测站\n"
        "pm25,PM2.5平均浓度,31,微克/立方米,2023年,,监测站\n"
        "pm10,PM10平均浓度,55,微克/立方米,2023年,,监测站\n",
    )
    refiller = Refiller(figure_set, ["surface", "pm25", "pm10"], "summary", 2023)
    shared = refiller.sentence(
        "全县饮用水水源地水质达标率、国控断面水质优良率、省控断面水质达标率均保持100%。"
    )
    assert shared is None or "{{surface}}" not in shared.text
    # each measure with its own number still refills
    each = refiller.sentence("全县PM2.5平均浓度为35微克/立方米、PM10平均浓度为60微克/立方米。")
    assert each is not None and "{{pm25}}" in each.text and "{{pm10}}" in each.text


def test_headings_past_ten_are_numbered_in_chinese() -> None:
    from assistant.outline import numbered

    assert numbered(2, 10, "宣传教育") == "（十一）宣传教育"
    assert numbered(1, 19, "附件") == "二十、附件"


def test_a_past_problem_stands_only_on_a_topic_this_period_speaks_of(tmp_path: Path) -> None:
    """A past problem of a topic with no figure and no 科室 item this period (水环境质量不够稳定
    with no water figure) is a claim nobody can check: it goes; one of a topic the figures speak
    of (执法) may stand."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "示例区-2024-上半年.txt").write_text(
        "示例区生态环境局2024年上半年工作总结\n一、上半年工作开展情况\n（一）大气污染防治\n"
        "上半年，全区PM2.5平均浓度40微克/立方米。持续开展扬尘专项巡查。\n（二）环境执法\n"
        "上半年，立案查处环境违法案件20件。\n二、存在的问题\n"
        "一是支流水环境质量稳定达标难度较大。部分支流断面水质时有波动，汛期污染负荷偏高。\n"
        "二是基层执法监管力量偏弱。执法人员数量与监管对象不相匹配，非现场监管手段运用不够。\n"
        "三、下半年工作计划\n（一）大气污染防治\n持续开展扬尘专项巡查。\n",
        "utf-8",
    )
    _figures(
        tmp_path,
        "pm25,PM2.5平均浓度,35,微克/立方米,2025年上半年,38,监测站\n"
        "cases,立案查处环境违法案件,18,件,2025年上半年,20,执法大队台账\n",
    )
    settings = load_settings(data_dir=tmp_path / "data", embedding="hash")
    ingest([corpus], settings)
    result = compose(DraftRequest(tmp_path / "figures.csv", UNIT, "2025年上半年"), settings)
    text = markdown(result.draft)
    problems = text.split("存在的问题")[1].split("## ")[0]
    assert "执法监管力量偏弱" in problems
    assert "水环境质量" not in problems and "支流" not in problems
