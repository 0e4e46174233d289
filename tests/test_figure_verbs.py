"""Figures no past sentence carried, said as an office editor accepts them: counts of what was
done with their verb (not a list of names and numbers run together with semicolons), and a total
with four or more parts said as the total and then its parts, 其中 once (figures written for
this test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.draft import DraftRequest, compose, markdown
from assistant.figures import load_figures
from assistant.ingest import ingest
from assistant.prose import action, capped, continued, figure_sentences
from assistant.settings import load_settings
from assistant.types import FigureSet

PERIOD = "2025年上半年"


def _figures(tmp_path: Path, rows: str) -> FigureSet:
    path = tmp_path / "figures.csv"
    path.write_text("id,指标,数值,单位,期间,上年同期,来源\n" + rows, "utf-8")
    return load_figures(path)


def _row(figure_id: str, name: str, value: int, unit: str, previous: str = "") -> str:
    return f"{figure_id},{name},{value},{unit},{PERIOD},{previous},宣教科\n"


PUBLICITY = (
    _row("radio", "广播环保节目", 6, "期")
    + _row("press", "媒体报道", 15, "篇")
    + _row("posts", "政务微博信息推送", 80, "条")
    + _row("helpers", "生态环境志愿者", 300, "名")
)


def test_counts_of_what_was_done_are_said_with_their_verbs(tmp_path: Path) -> None:
    figures = _figures(tmp_path, PUBLICITY)
    said = figure_sentences(list(figures), figures)
    assert said == [
        "制作广播环保节目{{radio}}，刊发媒体报道{{press}}，推送政务微博信息{{posts}}，"
        "现有生态环境志愿者{{helpers}}。"
    ]


def test_a_verb_two_counts_share_is_said_once(tmp_path: Path) -> None:
    figures = _figures(
        tmp_path,
        _row("days", "党员主题党日活动", 6, "次")
        + _row("branch", "支部支委会", 6, "次")
        + _row("general", "支部党员大会", 2, "次")
        + _row("lecture", "讲党课", 3, "次"),
    )
    assert figure_sentences(list(figures), figures) == [
        "开展党员主题党日活动{{days}}，召开支部支委会{{branch}}、支部党员大会{{general}}，"
        "讲党课{{lecture}}。"
    ]


def test_a_name_ending_in_what_was_done_has_the_verb_first(tmp_path: Path) -> None:
    figures = _figures(
        tmp_path,
        _row("outlets", "入河排污口检查", 40, "个")
        + _row("dumping", "非法转移固体废物案件查处", 2, "起"),
    )
    assert [action(f) for f in figures] == [
        ("检查", "入河排污口"),
        ("查处", "非法转移固体废物案件"),
    ]
    assert figure_sentences(list(figures), figures) == [
        "检查入河排污口{{outlets}}，查处非法转移固体废物案件{{dumping}}。"
    ]


def test_figures_of_a_state_or_with_a_change_keep_their_semicolons(tmp_path: Path) -> None:
    """A concentration is no deed; a clause with its 同比 is a clause of its own."""
    figures = _figures(
        tmp_path,
        f"pm25,PM2.5平均浓度,31,微克/立方米,{PERIOD},,监测站\n"
        + _row("press", "媒体报道", 15, "篇", "12")
        + _row("radio", "广播环保节目", 6, "期"),
    )
    assert action(figures["pm25"]) is None
    assert figure_sentences(list(figures), figures) == [
        "PM2.5平均浓度{{pm25}}；刊发媒体报道{{press}}，"
        "同比{{press.change}}；制作广播环保节目{{radio}}。"
    ]


CREDIT = _row("total", "排污单位环境信用评价", 120, "家") + "".join(
    _row(f"c{i}", f"环境信用{colour}单位", value, "家")
    for i, (colour, value) in enumerate(
        zip(("诚信", "良好", "警示", "失信"), (40, 60, 15, 5), strict=True)
    )
)


def test_a_total_with_four_parts_says_them_after_it_with_one_qizhong(tmp_path: Path) -> None:
    figures = _figures(tmp_path, CREDIT)
    assert figure_sentences(list(figures), figures) == [
        "完成排污单位环境信用评价{{total}}。",
        "其中，诚信单位{{c0}}、良好单位{{c1}}、警示单位{{c2}}、失信单位{{c3}}。",
    ]


def test_a_total_after_another_figure_still_ends_before_its_parts(tmp_path: Path) -> None:
    figures = _figures(tmp_path, _row("outlets", "入河排污口检查", 40, "个") + CREDIT)
    said = figure_sentences(list(figures), figures)
    assert said == [
        "检查入河排污口{{outlets}}；完成排污单位环境信用评价{{total}}。",
        "其中，诚信单位{{c0}}、良好单位{{c1}}、警示单位{{c2}}、失信单位{{c3}}。",
    ]
    assert "".join(said).count("其中") == 1


def test_a_count_of_zero_is_said_in_words_without_a_verb(tmp_path: Path) -> None:
    figures = _figures(
        tmp_path, _row("radio", "广播环保节目", 0, "期") + _row("press", "媒体报道", 15, "篇")
    )
    assert figure_sentences(list(figures), figures) == ["无广播环保节目；刊发媒体报道{{press}}。"]


def test_five_parts_without_their_total_say_qizhong_once(tmp_path: Path) -> None:
    rows = "".join(_row(f"p{i}", f"其中环评报告{i}", i + 1, "件") for i in range(5))
    said = figure_sentences(list(_figures(tmp_path, rows)), _figures(tmp_path, rows))
    assert "".join(said).count("其中") == 1 and all(s.count("{{") <= 4 for s in said)


def test_names_that_both_add_to_a_stem_are_siblings_not_a_total_and_its_part(
    tmp_path: Path,
) -> None:
    figures = _figures(
        tmp_path,
        _row("first", "空气自动站一期", 4, "个")
        + _row("second", "空气自动站二期", 6, "个")
        + _row("area", "湿地公园规划面积", 3000, "亩")
        + _row("invest", "湿地公园预计投资", 1, "亿元"),
    )
    assert figure_sentences(list(figures), figures) == [
        "空气自动站一期{{first}}、二期{{second}}；湿地公园规划面积{{area}}，预计投资{{invest}}。"
    ]


def test_parts_with_their_changes_are_joined_by_semicolons(tmp_path: Path) -> None:
    rows = _row("total", "排污单位环境信用评价", 120, "家", "110") + "".join(
        _row(f"c{i}", f"环境信用{colour}单位", value, "家", str(value - 2))
        for i, (colour, value) in enumerate(
            zip(("诚信", "良好", "警示"), (40, 60, 20), strict=True)
        )
    )
    figures = _figures(tmp_path, rows)
    said = figure_sentences(list(figures), figures)
    assert said[0] == "完成排污单位环境信用评价{{total}}，同比{{total.change}}。"
    assert said[1] == "其中，诚信单位{{c0}}，同比{{c0.change}}；良好单位{{c1}}，同比{{c1.change}}。"
    assert said[2] == "警示单位{{c2}}，同比{{c2.change}}。"
    assert all(s.count("{{") <= 4 for s in said) and "".join(said).count("其中") == 1


@pytest.fixture
def settings(tmp_path: Path):
    return load_settings(embedding="hash", data_dir=tmp_path / "data")


def test_a_draft_says_the_publicity_counts_in_a_sentence_with_verbs(
    settings, tmp_path: Path
) -> None:
    """Drafted with no past summaries: the figures are said in our own sentences, every number
    still cited."""
    path = tmp_path / "figures.csv"
    path.write_text("id,指标,数值,单位,期间,来源\n" + PUBLICITY.replace(",,", ","), "utf-8")
    result = compose(DraftRequest(path, "示例区生态环境局", PERIOD), settings)
    text = markdown(result.draft)
    assert "制作广播环保节目6期，刊发媒体报道15篇，推送政务微博信息80条" in text
    assert "；媒体报道" not in text
    assert result.report.ok


def test_a_past_sentence_with_a_total_and_four_parts_is_cut_before_qizhong() -> None:
    said = capped(
        "上半年，共完成评价{{t}}，其中诚信单位{{a}}、良好单位{{b}}、警示单位{{c}}、失信单位{{d}}。"
    )
    assert said == [
        "上半年，共完成评价{{t}}。",
        "其中，诚信单位{{a}}、良好单位{{b}}、警示单位{{c}}、失信单位{{d}}。",
    ]
    assert capped("评价{{t}}，其中诚信单位{{a}}、良好单位{{b}}。") == [
        "评价{{t}}，其中诚信单位{{a}}、良好单位{{b}}。"
    ]


PAST = """示例区生态环境局2024年上半年工作总结

一、上半年工作完成情况

（一）环境执法保持高压态势

上半年，共完成排污单位环境信用评价85家，其中诚信单位30家、良好单位40家、警示单位10家、失信单位5家。一是推行非现场执法，提升监管效能。二是深化“双随机、一公开”监管。
"""


def test_a_refilled_total_with_four_parts_reads_as_two_sentences(settings, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "示例区-2024-上半年.txt").write_text(PAST, "utf-8")
    ingest([corpus], settings)
    path = tmp_path / "figures.csv"
    rows = [("total", "排污单位环境信用评价", 120), ("c0", "诚信单位", 40), ("c1", "良好单位", 60)]
    rows += [("c2", "警示单位", 15), ("c3", "失信单位", 5)]
    path.write_text(
        "id,指标,数值,单位,期间,来源,主题\n"
        + "".join(f"{i},{name},{value},家,{PERIOD},法规科,执法\n" for i, name, value in rows),
        "utf-8",
    )
    result = compose(DraftRequest(path, "示例区生态环境局", PERIOD), settings)
    text = markdown(result.draft)
    assert (
        "共完成排污单位环境信用评价120家。其中，诚信单位40家、良好单位60家、警示单位15家、失信单位5家。"
        in text
    )
    assert result.report.ok


def test_parts_go_on_in_the_sentence_that_gave_their_total(tmp_path: Path) -> None:
    figures = _figures(
        tmp_path,
        _row("eia", "审批环评文件", 30, "件")
        + _row("book", "其中环评报告书", 4, "件")
        + _row("form", "其中环评报告表", 26, "件")
        + _row("press", "媒体报道", 15, "篇"),
    )
    parts = figure_sentences([figures["book"], figures["form"]], figures)
    said = continued(["上半年共审批环评文件{{eia}}。"], parts, figures)
    assert said == ["上半年共审批环评文件{{eia}}，其中环评报告书{{book}}、环评报告表{{form}}。"]
    # not after a sentence ending on another figure, nor one ending with more words
    other = ["上半年刊发媒体报道{{press}}。"]
    assert continued(other, parts, figures) == [*other, *parts]
    wordy = ["上半年共审批环评文件{{eia}}，审批效率明显提升。"]
    assert continued(wordy, parts, figures) == [*wordy, *parts]


def test_a_deed_goes_on_after_a_count_not_after_a_concentration(tmp_path: Path) -> None:
    figures = _figures(
        tmp_path,
        f"pm25,PM2.5平均浓度,31,微克/立方米,{PERIOD},,监测站\n"
        + _row("cases", "立案查处环境违法案件", 12, "起")
        + _row("outlets", "入河排污口检查", 40, "个"),
    )
    more = figure_sentences([figures["outlets"]], figures)
    assert continued(["上半年立案查处环境违法案件{{cases}}。"], more, figures) == [
        "上半年立案查处环境违法案件{{cases}}，检查入河排污口{{outlets}}。"
    ]
    state = ["上半年PM2.5平均浓度{{pm25}}。"]
    assert continued(state, more, figures) == [*state, *more]


def test_a_draft_says_a_past_total_and_the_files_parts_in_one_sentence(
    settings, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    past = PAST.replace("（一）环境执法保持高压态势", "（一）审批服务持续优化").replace(
        PAST.splitlines()[6], "上半年，共审批建设项目环评文件42件。一是深化环评审批制度改革。"
    )
    (corpus / "示例区-2024-上半年.txt").write_text(past, "utf-8")
    ingest([corpus], settings)
    path = tmp_path / "figures.csv"
    rows = [("eia", "审批建设项目环评文件", 30), ("book", "其中环境影响报告书", 4)]
    rows += [("form", "其中环境影响报告表", 26)]
    path.write_text(
        "id,指标,数值,单位,期间,来源,主题\n"
        + "".join(f"{i},{name},{value},件,{PERIOD},审批科,审批\n" for i, name, value in rows),
        "utf-8",
    )
    result = compose(DraftRequest(path, "示例区生态环境局", PERIOD), settings)
    text = markdown(result.draft)
    assert "共审批建设项目环评文件30件，其中环境影响报告书4件、环境影响报告表26件。" in text
    assert result.report.ok


def test_a_count_of_cases_is_said_as_cases_dealt_with(tmp_path: Path) -> None:
    """A count of cases opens with what was done with them (查处…案件; 信访 cases are 办理),
    never a bare name and number (违法焚烧秸秆案件6件。)."""
    figures = _figures(
        tmp_path,
        _row("burning", "违法焚烧秸秆案件", 6, "件") + _row("petitions", "环境信访案件", 12, "件"),
    )
    assert [action(f) for f in figures] == [
        ("查处", "违法焚烧秸秆案件"),
        ("办理", "环境信访案件"),
    ]
