"""The provenance model: the sidecar written and read in one place (a Draft survives the round
trip whole), its errors, and the .docx marks computed from (draft, figures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.draft import save_draft
from assistant.errors import InputError
from assistant.figures import load_figures
from assistant.provenance import (
    SIDECAR_FORMAT,
    Sidecar,
    load_sidecar,
    marked_blocks,
    read_sidecar,
    sidecar_beside,
)
from assistant.render import comment_text, find_placeholders, render
from assistant.types import Block, Draft, FigureSet
from assistant.word import read_comments
from tests.conftest import SAMPLE_DIR

H1 = SAMPLE_DIR / "figures-2025H1.csv"


@pytest.fixture(scope="module")
def figures() -> FigureSet:
    return load_figures(H1)


def a_draft(figure_set: FigureSet) -> Draft:
    """A small draft as compose makes one: rendered citations, a placeholder, exemplars."""
    lines = [
        "上半年，PM2.5平均浓度为{{pm25_avg}}，同比{{pm25_avg.change}}。",
        "优良天数比例为{{good_days_ratio}}，〔待补：臭氧浓度〕。",
    ]
    blocks = [Block("示例区生态环境局2025年上半年工作总结", "title"), Block("一、大气", "h1")]
    citations = []
    placeholders = []
    for line in lines:
        rendered = render(line, figure_set, len(blocks))
        citations += rendered.citations
        placeholders += find_placeholders(rendered.text, len(blocks))
        blocks.append(Block(rendered.text))
    return Draft(
        title=blocks[0].text,
        unit="示例区生态环境局",
        period="2025年上半年",
        kind="half-year",
        blocks=blocks,
        citations=citations,
        placeholders=placeholders,
        exemplars={2: ["chunk-a", "chunk-b"], 3: ["chunk-c"]},
        prompts={"patterns": 3, "system": 2},
        writer="template",
        model=None,
        figures_file=str(figure_set.path),
        figures_sha256=figure_set.sha256,
        created="2025-07-03T08:30:00+00:00",
    )


def test_write_then_read_gives_the_same_draft(figures: FigureSet, tmp_path: Path) -> None:
    draft = a_draft(figures)
    assert draft.citations and draft.placeholders  # the round trip has something to carry
    path = tmp_path / "d.json"
    path.write_text(Sidecar.of(draft).text(), encoding="utf-8")
    assert load_sidecar(path) == draft
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == SIDECAR_FORMAT and data["figures"]["sha256"] == figures.sha256
    assert data["numbers"][0]["text"] == "38.4微克/立方米"
    assert "〔待补" in path.read_text(encoding="utf-8")  # Chinese as written, not escaped


def test_saved_draft_reads_back_and_its_docx_has_one_comment_a_number(
    figures: FigureSet, tmp_path: Path
) -> None:
    draft = a_draft(figures)
    paths = save_draft(draft, figures, tmp_path, "d")
    assert load_sidecar(paths["json"]) == draft
    comments = read_comments(paths["docx"])
    assert [(c.block_index, c.start, c.end) for c in comments] == [
        (c.block, c.start, c.end) for c in draft.citations
    ]


def test_marks_are_computed_from_the_draft_and_the_figures(figures: FigureSet) -> None:
    draft = a_draft(figures)
    assert not any(b.marks for b in draft.blocks)  # a draft stores citations only
    blocks = marked_blocks(draft, figures)
    assert [b.text for b in blocks] == [b.text for b in draft.blocks]
    comments = [(i, m) for i, b in enumerate(blocks) for m in b.marks if m.comment]
    assert [(i, m.start, m.end) for i, m in comments] == [
        (c.block, c.start, c.end) for c in draft.citations
    ]
    for (_, mark), citation in zip(comments, draft.citations, strict=True):
        assert mark.comment == comment_text(citation, figures[citation.figure_id])
    highlighted = [(i, b.text[m.start : m.end]) for i, b in enumerate(blocks) for m in b.marks
                   if m.highlight]  # fmt: skip
    assert highlighted == [(3, "〔待补：臭氧浓度〕")]
    assert all(b.marks == sorted(b.marks, key=lambda m: m.start) for b in blocks)


def test_marks_without_the_figure_give_the_recorded_source(figures: FigureSet) -> None:
    draft = a_draft(figures)
    (first, *_) = draft.citations
    without = [m.comment for m in marked_blocks(draft, None)[first.block].marks if m.comment]
    assert without[0] == f"来源：{first.source}" and first.source


def test_a_json_that_is_not_ours(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"format": "x", "numbers": []}', encoding="utf-8")
    with pytest.raises(InputError, match="不是起草助手的溯源文件"):
        read_sidecar(other)
    assert sidecar_beside(other) is None
    with pytest.raises(InputError, match="溯源文件不存在"):
        read_sidecar(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="溯源文件无法读取"):
        sidecar_beside(broken)


def test_a_bad_sidecar_of_ours_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    number = {"paragraph": 1, "start": 0, "end": 2, "text": "12", "figure_id": "x"}
    path.write_text(
        json.dumps({"format": SIDECAR_FORMAT, "numbers": [{**number, "start": "a"}]}),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"numbers\.0\.start") as caught:
        sidecar_beside(path)
    assert caught.value.hint == "删除或重新生成该 .json"
    # a hand-written sidecar: only what it says; null field and source read as the defaults
    path.write_text(
        json.dumps({"format": SIDECAR_FORMAT, "numbers": [{**number, "field": None,
                                                              "source": None}]}),
        encoding="utf-8",
    )  # fmt: skip
    (citation,) = read_sidecar(path).citations
    assert (citation.field, citation.source, citation.figure_id) == ("value", "", "x")
