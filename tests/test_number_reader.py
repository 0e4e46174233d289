"""The number reader on real prose shapes (issue 10): a count named after it, 个 as the general
measure word, page marks, … — our own sentences of the shapes real reports use."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.check import check_blocks
from assistant.check.quantities import _same_measure
from assistant.figures import load_figures
from assistant.numbers import extract_numbers

ROWS = """id,指标,数值,单位,期间,上年同期,目标,来源
dump_cases,非法倾倒固体废物案件,7,件,2025年上半年,,,区执法大队
p_firms,涉磷企业,15,家,2025年上半年,,,区大气股
p_done,完成提标改造的涉磷企业,12,家,2025年上半年,,,区大气股
sections,市考以上监测断面,8,个,2025年上半年,,,区监测站
sections_ok,达标断面,7,个,2025年上半年,,,区监测站
section_rate,市考以上断面水质达标率,87.5,%,2025年上半年,,,区监测站
"""


@pytest.fixture
def figures(tmp_path: Path):
    path = tmp_path / "figures.csv"
    path.write_text(ROWS, encoding="utf-8")
    return load_figures(path)


def verdicts(text: str, figures) -> list[tuple[str, str, str | None]]:
    return [(f.value, f.kind, f.figure_id) for f in check_blocks([text], figures).findings]


def test_a_count_named_after_it_is_confirmed_and_can_be_wrong(figures) -> None:
    assert verdicts("上半年共查办7个非法倾倒固体废物案件。", figures) == [
        ("7个", "ok", "dump_cases")
    ]
    assert verdicts("上半年共查办9个非法倾倒固体废物案件。", figures) == [
        ("9个", "mismatch", "dump_cases")
    ]


def test_a_whole_and_its_part_both_named_after_them(figures) -> None:
    text = "全区15家涉磷企业中12家完成提标改造，8个市考以上监测断面中7个达标，达标率87.5%。"
    assert verdicts(text, figures) == [
        ("15家", "ok", "p_firms"),
        ("12家", "ok", "p_done"),
        ("8个", "ok", "sections"),
        ("7个", "ok", "sections_ok"),
        ("87.5%", "ok", "section_rate"),
    ]


def test_a_count_whose_name_runs_into_a_rate_is_a_count_of_the_things(figures) -> None:
    text = "全区8个市考以上监测断面水质达标率为87.5%。"
    assert verdicts(text, figures) == [("8个", "ok", "sections"), ("87.5%", "ok", "section_rate")]


def test_ge_is_the_general_measure_word_for_things_not_for_visits() -> None:
    assert _same_measure("个", "件") and _same_measure("家", "个")
    assert not _same_measure("个", "人次") and not _same_measure("个", "家次")
    assert not _same_measure("个", "万株") and not _same_measure("个", "吨")


def test_page_marks_of_a_pdf_are_not_numbers() -> None:
    text = "— 1 —关于上半年工作的汇报 推进项目前期工— 2 —作，完成3个项目"
    assert [q.text for q in extract_numbers(text)] == ["3个"]


def test_a_part_is_named_by_its_own_words_not_by_the_whole(figures) -> None:
    text = "全区15家涉磷企业中有10家已完成提标改造。"
    assert verdicts(text, figures) == [("15家", "ok", "p_firms"), ("10家", "mismatch", "p_done")]
    text = "全区15家涉磷企业中有3家停产。"
    assert [kind for _, kind, _ in verdicts(text, figures)] == ["ok", "unsourced"]


RANKED = ROWS + "rank,全市空气质量排名,第3,名,2025年上半年,,,市生态环境局\n"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("空气质量全市排名第三。", 3),
        ("空气质量排名全市第3位。", 3),
        ("在全市9个区县中空气质量位列第三。", 3),
        ("空气质量居全市第三名。", 3),
    ],
)
def test_ranks_are_read_in_their_usual_shapes(text: str, value: int) -> None:
    ranks = [q for q in extract_numbers(text) if q.form == "rank"]
    assert [(q.value, q.unit, q.text.startswith("第")) for q in ranks] == [(value, "名", True)]


def test_ordinals_that_rank_nothing_are_not_numbers() -> None:
    assert extract_numbers("第一，压实责任；第二批试点在第3季度启动。") == []


def test_a_rank_is_a_figure_only_where_the_file_holds_one(tmp_path: Path, figures) -> None:
    assert verdicts("空气质量全市排名第二。", figures) == []
    path = tmp_path / "ranked.csv"
    path.write_text(RANKED, encoding="utf-8")
    ranked = load_figures(path)
    assert verdicts("空气质量全市排名第三。", ranked) == [("第三", "ok", "rank")]
    assert verdicts("空气质量全市排名第二。", ranked) == [("第二", "mismatch", "rank")]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("上半年轻度污染共9日，同比减少4日。", ["9日", "4日"]),
        ("开展为期7日的集中检查。", ["7日"]),
        ("优良天数为176日。", ["176日"]),
        ("于12日召开推进会，20日起开展检查，6月28日完成验收。", []),
        ("每月10日前报送台账。", []),
    ],
)
def test_a_count_of_days_in_ri_is_told_from_a_date_by_its_words(text: str, found) -> None:
    quantities = extract_numbers(text)
    assert [q.text for q in quantities] == found
    assert all(q.unit == "天" for q in quantities)


def test_a_quoted_target_is_read_and_a_quoted_name_is_not() -> None:
    quoted = extract_numbers("全年未达到“优良天数比例82%”的年度目标。")
    assert [(q.text, q.target) for q in quoted] == [("82%", "目标")]
    assert extract_numbers("推进“两轮八项”行动，实施“三年60项”工程。") == []


@pytest.mark.parametrize(
    ("text", "written", "approx", "target"),
    [
        ("培训企业环保负责人近2万人次", "近2万人次", "近", None),
        ("完成治理投资约3.6亿元", "约3.6亿元", "约", None),
        ("查处违法案件30余起", "30余起", "余", None),
        ("出动执法人员超过900人次", "超过900人次", "超过", None),
        ("饮用水水源地水质达标率≥98%", "≥98%", None, "≥"),
    ],
)
def test_a_qualifier_stays_with_the_number(text: str, written: str, approx, target) -> None:
    [quantity] = extract_numbers(text)
    assert (quantity.text, quantity.approx, quantity.target) == (written, approx, target)
    assert text[quantity.start : quantity.end] == written


def test_check_shows_the_number_as_written_with_its_qualifier(tmp_path: Path) -> None:
    path = tmp_path / "figures.csv"
    path.write_text(
        "id,指标,数值,单位,期间,来源\n"
        "trained,培训企业环保负责人,近2万,人次,2025年上半年,区宣教中心\n"
        "cases,查处违法案件,30余,起,2025年上半年,区执法大队\n",
        encoding="utf-8",
    )
    figures = load_figures(path)
    text = "上半年培训企业环保负责人近2万人次，查处违法案件30余起；另培训企业环保负责人近3万人次。"
    assert verdicts(text, figures) == [
        ("近2万人次", "ok", "trained"),
        ("30余起", "ok", "cases"),
        ("近3万人次", "mismatch", "trained"),
    ]


def test_a_list_of_targets_goes_on_without_its_word() -> None:
    text = "市下达的年度目标为PM2.5平均浓度37微克/立方米，优良天数比例为80.5%，6月底前压力较大。"
    assert [(q.text, q.target) for q in extract_numbers(text)] == [
        ("37微克/立方米", "目标"),
        ("80.5%", "目标"),
    ]
    text = "年度目标为PM2.5平均浓度37微克/立方米，实际为35微克/立方米。"
    assert [q.target for q in extract_numbers(text)] == ["目标", None]
