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
