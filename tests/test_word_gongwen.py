from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from assistant.types import Block, Mark
from assistant.word import read_blocks, read_comments, write_document

PLACEHOLDER = "〔待补：罚款金额〕"
PM25 = "PM2.5平均浓度为31.5微克/立方米，同比下降4.2%。"


def span(text: str, part: str, **kwargs: object) -> Mark:
    start = text.index(part)
    return Mark(start, start + len(part), **kwargs)


BLOCKS = [
    Block("示例区生态环境局2025年上半年工作总结", "title"),
    Block("一、主要工作成效", "h1"),
    Block("（一）大气污染防治", "h2"),
    Block("1.颗粒物管控", "h3"),
    Block("（1）扬尘治理", "h4"),
    Block(
        PM25,
        marks=[
            span(PM25, "31.5", comment="来源：figures.csv 第2行（监测站月报）"),
            span(PM25, "4.2%", comment="同比由上年同期32.9计算"),
        ],
    ),
    Block("指标\t数值\t单位", "table"),
    Block(
        "立案查处\t12\t件",
        "table",
        marks=[span("立案查处\t12\t件", "12", comment="来源：执法台账")],
    ),
    Block("合计\t见附件", "table"),
    Block(
        f"全年罚款{PLACEHOLDER}。",
        marks=[span(f"全年罚款{PLACEHOLDER}。", PLACEHOLDER, comment="缺少数据", highlight=True)],
    ),
]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    path = tmp_path / "draft.docx"
    write_document(
        path,
        BLOCKS,
        author="起草助手",
        properties={"title": "上半年工作总结", "keywords": "大气;执法", "comments": "草稿"},
    )
    return path


def _style_xml(document: docx.document.Document, name: str):
    return document.styles[name].element


def test_blocks_read_back_with_their_styles(written: Path) -> None:
    blocks = read_blocks(written)
    assert [b.text for b in blocks] == [b.text for b in BLOCKS]
    assert [b.style for b in blocks] == [b.style for b in BLOCKS]


def test_a4_page_with_gongwen_margins(written: Path) -> None:
    section = docx.Document(str(written)).sections[0]
    measured = {
        "width": section.page_width.mm,
        "height": section.page_height.mm,
        "top": section.top_margin.mm,
        "bottom": section.bottom_margin.mm,
        "left": section.left_margin.mm,
        "right": section.right_margin.mm,
    }
    expected = {"width": 210, "height": 297, "top": 37, "bottom": 35, "left": 28, "right": 26}
    for name, millimetres in expected.items():
        assert measured[name] == pytest.approx(millimetres, abs=0.1), name


@pytest.mark.parametrize(
    ("style", "font", "points"),
    [
        ("Title", "方正小标宋简体", 22),
        ("Heading 1", "黑体", 16),
        ("Heading 2", "楷体_GB2312", 16),
        ("Heading 3", "仿宋_GB2312", 16),
        ("Heading 4", "仿宋_GB2312", 16),
        ("Normal", "仿宋_GB2312", 16),
    ],
)
def test_style_fonts_sizes_and_spacing(written: Path, style: str, font: str, points: int) -> None:
    document = docx.Document(str(written))
    element = _style_xml(document, style)
    fonts = element.rPr.rFonts
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        assert fonts.get(qn(attribute)) == font
    assert not [name for name in fonts.attrib if "theme" in name.lower()]
    assert document.styles[style].font.size == Pt(points)
    layout = document.styles[style].paragraph_format
    assert layout.line_spacing == Pt(28)
    assert layout.line_spacing_rule == WD_LINE_SPACING.EXACTLY


@pytest.mark.parametrize("style", ["Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"])
def test_headings_black_plain_and_free_of_theme(written: Path, style: str) -> None:
    document = docx.Document(str(written))
    element = _style_xml(document, style)
    color = element.rPr.find(qn("w:color"))
    assert color.get(qn("w:val")) == "000000"
    assert not [name for name in color.attrib if "theme" in name.lower()]
    assert document.styles[style].font.bold is False
    assert document.styles[style].font.italic is False


def test_no_theme_fonts_or_numbering_anywhere(written: Path) -> None:
    document = docx.Document(str(written))
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        assert not [name for name in fonts.attrib if "theme" in name.lower()]
    assert not list(document.element.iter(qn("w:numPr")))
    for style in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        assert not list(_style_xml(document, style).iter(qn("w:numPr"))), style


def test_title_centred_and_body_indented_two_characters(written: Path) -> None:
    document = docx.Document(str(written))
    assert document.styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert document.paragraphs[0].style.name == "Title"
    normal_indent = _style_xml(document, "Normal").pPr.find(qn("w:ind"))
    assert normal_indent.get(qn("w:firstLineChars")) == "200"
    title_indent = _style_xml(document, "Title").pPr.find(qn("w:ind"))
    assert title_indent.get(qn("w:firstLineChars")) == "0"


def test_every_run_carries_the_east_asian_font(written: Path) -> None:
    document = docx.Document(str(written))
    body = document.paragraphs[5]
    text_runs = [run for run in body.runs if run.text]
    assert len(text_runs) >= 3  # split at the comment boundaries
    for run in text_runs:
        assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
        assert run.font.size == Pt(16)
    assert document.paragraphs[0].runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"


def test_comments_read_back_exactly(written: Path) -> None:
    found = [(c.block_index, c.anchored_text, c.text, c.author) for c in read_comments(written)]
    assert found == [
        (5, "31.5", "来源：figures.csv 第2行（监测站月报）", "起草助手"),
        (5, "4.2%", "同比由上年同期32.9计算", "起草助手"),
        (7, "12", "来源：执法台账", "起草助手"),
        (9, PLACEHOLDER, "缺少数据", "起草助手"),
    ]


def test_placeholder_is_highlighted_and_nothing_else(written: Path) -> None:
    document = docx.Document(str(written))
    highlighted = [
        run.text
        for paragraph in document.paragraphs
        for run in paragraph.runs
        if run.font.highlight_color is not None
    ]
    assert highlighted == [PLACEHOLDER]
    placeholder_run = next(r for r in document.paragraphs[-1].runs if r.text == PLACEHOLDER)
    assert placeholder_run.font.highlight_color == WD_COLOR_INDEX.YELLOW


def test_consecutive_table_rows_make_one_bordered_table(written: Path) -> None:
    document = docx.Document(str(written))
    assert len(document.tables) == 1
    table = document.tables[0]
    assert len(table.rows) == 3
    assert table.style.name == "Table Grid"
    borders = table.style.element.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
    assert {child.get(qn("w:val")) for child in borders} == {"single"}
    assert [cell.text for cell in table.rows[1].cells] == ["立案查处", "12", "件"]
    # the short last row spans the missing column instead of adding an empty cell
    assert table.rows[2].cells[1].text == table.rows[2].cells[2].text == "见附件"


def test_core_properties(written: Path) -> None:
    core = docx.Document(str(written)).core_properties
    assert (core.title, core.author, core.keywords, core.comments) == (
        "上半年工作总结",
        "起草助手",
        "大气;执法",
        "草稿",
    )


def test_overlapping_and_nested_marks_are_kept_apart(tmp_path: Path) -> None:
    text = "优良天数比率为73.5%，同比下降3.6个百分点。"
    marks = [
        Mark(7, 12, comment="外层"),
        Mark(7, 12, comment="同一范围"),
        Mark(8, 10, comment="内层"),
        Mark(10, 20, comment="交叉"),
        Mark(8, 10, highlight=True),
    ]
    path = tmp_path / "overlap.docx"
    write_document(path, [Block(text, marks=marks)], author="甲")
    found = {(c.start, c.end, c.text): c.anchored_text for c in read_comments(path)}
    assert found == {
        (7, 12, "外层"): "73.5%",
        (7, 12, "同一范围"): "73.5%",
        (8, 10, "内层"): "3.",
        (10, 20, "交叉"): "5%，同比下降3.6",
    }
    paragraph = docx.Document(str(path)).paragraphs[0]
    assert paragraph.text == text
    assert [r.text for r in paragraph.runs if r.font.highlight_color] == ["3."]


@pytest.mark.parametrize("bad", [Mark(3, 3, "empty"), Mark(-1, 2, "before"), Mark(2, 99, "after")])
def test_bad_marks_rejected_before_writing(tmp_path: Path, bad: Mark) -> None:
    path = tmp_path / "bad.docx"
    with pytest.raises(ValueError, match="block 0"):
        write_document(path, [Block("十个字的一段正文内容", marks=[bad])], author="甲")
    assert not path.exists()


def test_unknown_property_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown document properties"):
        write_document(tmp_path / "p.docx", [Block("正文")], author="甲", properties={"x": "1"})


def test_failed_save_leaves_no_file_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "draft.docx"

    def crash(self, target: str) -> None:
        Path(target).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(docx.document.Document, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        write_document(path, BLOCKS, author="甲")
    assert not path.exists()
    assert list(folder.iterdir()) == []


def test_failed_save_keeps_the_previous_file(
    tmp_path: Path, written: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = written.read_bytes()
    monkeypatch.setattr(docx.document.Document, "save", lambda self, target: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        write_document(written, [Block("新内容")], author="甲")
    assert written.read_bytes() == before
    assert sorted(p.name for p in written.parent.iterdir() if p.suffix != "") == ["draft.docx"]


def _office() -> str:
    """LibreOffice, which `make test` installs (scripts/system-deps.sh): missing fails."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.fail(
            "LibreOffice missing: run scripts/system-deps.sh (installs libreoffice-writer-nogui)"
        )
    return office


def test_libreoffice_renders_pdf(written: Path, tmp_path: Path) -> None:
    office = _office()
    subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(written)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert (tmp_path / "draft.pdf").stat().st_size > 1000
