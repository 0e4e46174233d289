"""annotate() and read_comments() on documents written by someone else, with odd run splits."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt

from assistant.types import Mark
from assistant.word import annotate, read_blocks, read_comments

SENTENCE = "PM2.5平均浓度为32.5微克/立方米。"
ROW = "罚款金额\t112.3295万元\t来源：执法台账"


def span(text: str, part: str, **kwargs: object) -> Mark:
    start = text.index(part)
    return Mark(start, start + len(part), **kwargs)


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    """A document as an editor's Word might leave it: a number split over runs with different
    formatting, a styled heading, an existing comment by another author, a table."""
    document = docx.Document()
    document.add_heading("一、大气环境", level=1)
    paragraph = document.add_paragraph()
    for text, bold, italic in [
        ("PM2.5平均浓度为", False, False),
        ("3", True, False),
        ("2.5", False, False),
        ("微克/立方", False, True),
        ("米。", False, False),
    ]:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(15)
    earlier = document.add_paragraph()
    first = earlier.add_run("已有批注的")
    earlier.add_run("一段话。")
    document.add_comment(first, text="早先的意见", author="王科长", initials="王")
    table = document.add_table(rows=1, cols=3)
    cells = table.rows[0].cells
    cells[0].text = "罚款金额"
    amount = cells[1].paragraphs[0]
    for text, bold in [("112", True), (".32", False), ("95万元", True)]:
        amount.add_run(text).bold = bold
    cells[2].text = "来源：执法台账"
    path = tmp_path / "foreign.docx"
    document.save(str(path))
    return path


def _runs(path: Path, index: int) -> list[tuple[str, bool | None, bool | None]]:
    paragraph = docx.Document(str(path)).paragraphs[index]
    return [(r.text, r.bold, r.italic) for r in paragraph.runs if r.text]


def test_number_split_over_runs_gets_one_comment(foreign: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.docx"
    annotate(foreign, out, {1: [span(SENTENCE, "32.5", comment="与台账不符")]}, author="核对助手")
    [ref] = [c for c in read_comments(out) if c.author == "核对助手"]
    assert (ref.block_index, ref.anchored_text, ref.text) == (1, "32.5", "与台账不符")
    assert _runs(out, 1) == _runs(foreign, 1)  # boundaries already there: nothing split


def test_span_inside_runs_splits_them_keeping_formatting(foreign: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.docx"
    annotate(foreign, out, {1: [span(SENTENCE, "2.5微克", comment="单位")]}, author="核对助手")
    assert _runs(out, 1) == [
        ("PM2.5平均浓度为", False, False),
        ("3", True, False),
        ("2.5", False, False),
        ("微克", False, True),
        ("/立方", False, True),
        ("米。", False, False),
    ]
    sizes = {r.font.size for r in docx.Document(str(out)).paragraphs[1].runs if r.text}
    assert sizes == {Pt(15)}
    [ref] = [c for c in read_comments(out) if c.author == "核对助手"]
    assert ref.anchored_text == "2.5微克"


def test_span_starting_mid_run(foreign: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.docx"
    annotate(foreign, out, {1: [span(SENTENCE, "度为3", comment="x", highlight=True)]}, author="甲")
    assert _runs(out, 1)[:3] == [
        ("PM2.5平均浓", False, False),
        ("度为", False, False),
        ("3", True, False),
    ]
    paragraph = docx.Document(str(out)).paragraphs[1]
    assert [r.text for r in paragraph.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW] == [
        "度为",
        "3",
    ]


def test_table_cell_span_maps_into_the_right_cell(foreign: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.docx"
    marks = {3: [span(ROW, "2.3295", comment="小数位"), span(ROW, "万元\t来源", comment="跨格")]}
    annotate(foreign, out, marks, author="核对助手")
    refs = {c.text: c for c in read_comments(out) if c.author == "核对助手"}
    assert refs["小数位"].block_index == 3
    assert refs["小数位"].anchored_text == "2.3295"
    assert refs["跨格"].anchored_text == "万元\t来源"
    cell = docx.Document(str(out)).tables[0].rows[0].cells[1].paragraphs[0]
    assert [(r.text, r.bold) for r in cell.runs if r.text] == [
        ("11", True),
        ("2", True),
        (".32", False),
        ("95", True),
        ("万元", True),
    ]


def test_existing_comments_and_text_survive(foreign: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.docx"
    annotate(foreign, out, {2: [Mark(0, 2, comment="新意见")]}, author="核对助手")
    refs = [(c.anchored_text, c.text, c.author) for c in read_comments(out)]
    assert refs == [("已有批注的", "早先的意见", "王科长"), ("已有", "新意见", "核对助手")]
    assert [b.text for b in read_blocks(out)] == [b.text for b in read_blocks(foreign)]
    heading = docx.Document(str(out)).paragraphs[0]
    assert heading.style.name == "Heading 1"


def test_annotate_in_place(foreign: Path) -> None:
    annotate(foreign, foreign, {0: [Mark(0, 2, comment="标题序号")]}, author="甲")
    assert [c.anchored_text for c in read_comments(foreign) if c.author == "甲"] == ["一、"]


@pytest.mark.parametrize(
    ("marks", "message"),
    [({9: [Mark(0, 1, "x")]}, "block 9 does not exist"), ({1: [Mark(5, 99, "x")]}, "outside")],
)
def test_bad_targets_rejected_without_writing(
    foreign: Path, tmp_path: Path, marks: dict[int, list[Mark]], message: str
) -> None:
    out = tmp_path / "out.docx"
    with pytest.raises(ValueError, match=message):
        annotate(foreign, out, marks, author="甲")
    assert not out.exists()


def test_comment_across_paragraphs_is_cut_at_its_block(tmp_path: Path) -> None:
    document = docx.Document()
    first = document.add_paragraph("第一段").runs[0]
    last = document.add_paragraph("第二段").runs[0]
    document.add_comment([first, last], text="两段", author="乙")
    point = document.comments.add_comment(text="无范围", author="丙")
    document.add_paragraph("第三段").runs[0]._r.addnext(
        parse_xml(f'<w:r {nsdecls("w")}><w:commentReference w:id="{point.comment_id}"/></w:r>')
    )
    path = tmp_path / "c.docx"
    document.save(str(path))
    found = [(c.block_index, c.start, c.end, c.anchored_text, c.text) for c in read_comments(path)]
    assert found == [(0, 0, 3, "第一段", "两段"), (2, 3, 3, "", "无范围")]


def test_span_reaching_into_a_hyperlink(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("详见")
    paragraph._p.append(
        parse_xml(
            f'<w:hyperlink {nsdecls("w", "r")} r:id="rId99"><w:r><w:t>生态环境局网站</w:t></w:r>'
            "</w:hyperlink>"
        )
    )
    paragraph.add_run("。")
    source = tmp_path / "link.docx"
    document.save(str(source))
    text = "详见生态环境局网站。"
    assert [b.text for b in read_blocks(source)] == [text]
    annotate(source, source, {0: [span(text, "见生态环境", comment="链接")]}, author="甲")
    [ref] = read_comments(source)
    assert ref.anchored_text == "见生态环境"
    assert [b.text for b in read_blocks(source)] == [text]


def test_document_without_comments_reads_none(tmp_path: Path) -> None:
    path = tmp_path / "plain.docx"
    docx.Document().save(str(path))
    assert read_comments(path) == []
