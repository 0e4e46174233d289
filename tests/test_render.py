"""Figure references into numbers: every rendered number carries a citation whose span is exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.figures import load_figures
from assistant.render import StreamRenderer, comment_text, parse_comment, render
from assistant.types import FigureSet

HEADER = "id,指标,数值,单位,期间,上年同期,目标,来源,方向"
ROWS = (
    "pm25_avg,PM2.5平均浓度,38.4,微克/立方米,2025年上半年,39.8,35,区监测站月报,越低越好",
    "good_ratio,优良天数比例,74.6,%,2025年上半年,76.9,80,区监测站月报,越高越好",
    "pipes,新建污水管网,16.8,公里,2025年上半年,18.35,35,区住建局,越高越好",
    "fines,罚款金额,〔待补〕,万元,2025年上半年,,,区执法大队,",
    "flat,立案查处,12,件,2025年上半年,12,,区执法大队,",
)


@pytest.fixture
def figures(tmp_path: Path) -> FigureSet:
    path = tmp_path / "figures.csv"
    path.write_text("\n".join((HEADER, *ROWS)) + "\n", encoding="utf-8")
    return load_figures(path)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("{{pm25_avg}}", "38.4微克/立方米"),
        ("{{pm25_avg.value}}", "38.4微克/立方米"),
        ("{{pm25_avg.change}}", "下降3.5%"),
        ("{{pm25_avg.previous}}", "39.8微克/立方米"),
        ("{{pm25_avg.target}}", "35微克/立方米"),
        ("{{good_ratio.change}}", "下降2.3个百分点"),
        ("{{pipes.completion}}", "48.0%"),
        ("{{flat.change}}", "持平"),
        ("{{ pm25_avg }}", "38.4微克/立方米"),
    ],
)
def test_each_field_renders_from_the_figures(
    figures: FigureSet, reference: str, expected: str
) -> None:
    rendered = render(f"较上年{reference}。", figures, block=4)
    assert rendered.text == f"较上年{expected}。"
    (citation,) = rendered.citations
    assert (citation.block, citation.start, citation.text) == (4, 3, expected)
    assert rendered.text[citation.start : citation.end] == expected
    assert "区" in citation.source and "第" in citation.source


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("为{{pm25_avg}}，{{pm25_avg.change}}。", "为38.4微克/立方米，同比下降3.5%。"),
        ("为{{pm25_avg}}，同比{{pm25_avg.change}}。", "为38.4微克/立方米，同比下降3.5%。"),
        ("与上年同期{{flat.change}}", "与上年同期持平"),
        ("较上年度{{pm25_avg.change}}", "较上年度下降3.5%"),
        ("优良天数比例{{good_ratio.change}}", "优良天数比例同比下降2.3个百分点"),
    ],
)
def test_a_change_never_loses_what_it_is_compared_with(figures, text, expected) -> None:
    rendered = render(text, figures)
    assert rendered.text == expected
    (citation,) = [c for c in rendered.citations if c.field == "change"]
    assert not citation.text.startswith("同比")  # the citation is the number alone


def test_a_streamed_change_reads_the_pieces_before_it(figures: FigureSet) -> None:
    stream = StreamRenderer(figures)
    shown = stream.feed("浓度同") + stream.feed("比{{pm25_") + stream.feed("avg.change}}，")
    assert shown + stream.flush() == "浓度同比下降3.5%，"


def test_a_field_the_figure_lacks_is_the_models_error_when_strict(figures: FigureSet) -> None:
    loose = render("目标{{pm25_avg.completion}}", figures)
    assert "〔待补：" in loose.text and not loose.absent
    strict = render("目标{{pm25_avg.completion}}", figures, strict=True)
    assert strict.text.startswith("目标〔待核：") and strict.absent == ["pm25_avg.completion"]


def test_spans_stay_exact_after_earlier_replacements(figures: FigureSet) -> None:
    text = "{{pm25_avg}}，同比{{pm25_avg.change}}；比例{{good_ratio}}，{{good_ratio.change}}。"
    rendered = render(text, figures)
    assert [rendered.text[c.start : c.end] for c in rendered.citations] == [
        c.text for c in rendered.citations
    ]
    assert [c.field for c in rendered.citations] == ["value", "change", "value", "change"]


def test_missing_numbers_become_placeholders_without_citations(figures: FigureSet) -> None:
    rendered = render("罚款{{fines}}，立案{{flat.target}}。", figures)
    assert rendered.text == "罚款〔待补：罚款金额〕，立案〔待补：立案查处目标〕。"
    assert rendered.citations == []
    marks = [p.text for p in rendered.placeholders]
    assert marks == ["〔待补：罚款金额〕", "〔待补：立案查处目标〕"]


def test_unknown_ids_are_reported_and_marked_for_checking(figures: FigureSet) -> None:
    rendered = render("新增{{pm99}}项，{{pm25_avg}}。", figures)
    assert rendered.unknown == ["pm99"]
    assert "〔待核：未知数据pm99〕" in rendered.text
    assert len(rendered.citations) == 1


def test_text_without_references_is_unchanged(figures: FigureSet) -> None:
    text = "持续推进大气污染防治，{不是引用}，{{ 1abc }}。"
    rendered = render(text, figures)
    assert rendered.text == text and rendered.citations == []


def test_comment_text_reads_back_to_figure_and_field(figures: FigureSet) -> None:
    rendered = render("{{pm25_avg}}，{{pm25_avg.change}}", figures)
    for citation in rendered.citations:
        text = comment_text(citation, figures[citation.figure_id])
        assert parse_comment(text) == (citation.figure_id, citation.field)
        assert citation.text in text and "区监测站月报" in text


@pytest.mark.parametrize(
    "text", ["普通批注：请核实", "数据：PM2.5（pm25_avg.bogus）", "", "数值：38.4"]
)
def test_foreign_comments_are_not_mistaken_for_ours(text: str) -> None:
    assert parse_comment(text) is None
