"""Write Blocks as a .docx in 公文 layout (GB/T 9704-2012), with comments and highlights.

Layout: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; fixed 28 pt lines;
title 方正小标宋简体 二号 centred; 一级标题 黑体, 二级 楷体_GB2312, 三/四级 and body
仿宋_GB2312, all 三号.
Every paragraph except the title starts two characters in ("每个自然段左空二字", which the
standard applies to the numbered headings too). Chinese fonts only take effect through the
w:eastAsia attribute, and the template's theme fonts and blue heading colours would override
them, so the theme attributes are stripped from the whole style sheet.

Marks: each becomes a Word comment anchored exactly on its characters and/or a yellow highlight.
Overlapping and nested marks are supported (comment ranges are independent start/end markers in
Word); an empty or out-of-range mark raises ValueError before anything is written.

Tables: consecutive "table" blocks (cells separated by tabs) form one bordered table. A row with
fewer cells than the widest row gets its last cell merged across the remaining columns, so the
table reads back with exactly the cells it was given.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import docx
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from ..types import Block, BlockStyle, Finish
from .clean import clean_document
from .finish import add_finish, lay_out_pages
from .fonts import BODY_FONT, THEME_ATTRIBUTES, set_first_line_indent, set_fonts
from .read import table_rows
from .save import save_atomically
from .spans import apply_marks, check_marks, pieces

TITLE_FONT = "方正小标宋简体"
FONTS: dict[BlockStyle, tuple[str, float]] = {
    "title": (TITLE_FONT, 22),  # 二号
    "h1": ("黑体", 16),  # 三号
    "h2": ("楷体_GB2312", 16),
    "h3": (BODY_FONT, 16),
    "h4": (BODY_FONT, 16),
    "body": (BODY_FONT, 16),
    "table": (BODY_FONT, 16),
}
STYLE_NAMES: dict[BlockStyle, str] = {
    "title": "Title",
    "h1": "Heading 1",
    "h2": "Heading 2",
    "h3": "Heading 3",
    "h4": "Heading 4",
    "body": "Normal",
    "table": "Normal",
}
LINE_SPACING = Pt(28)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
PROPERTY_NAMES = frozenset(
    {"title", "subject", "keywords", "comments", "category", "content_status", "language"}
)


def write_document(
    path: Path,
    blocks: Sequence[Block],
    *,
    author: str,
    properties: Mapping[str, str] | None = None,
    created: datetime | None = None,
    finish: Finish | None = None,
    clean: Path | None = None,
) -> None:
    """Write ``blocks`` to ``path`` (atomically) in 公文 layout, marks as comments/highlights.

    ``created`` (default: now) is stamped as the created and modified time, so a draft's .docx
    can carry the same time as its provenance sidecar. Grid, page numbers and the line under the
    title are always there; ``finish`` adds 发文字号, 落款 and 成文日期 (see finish.py).
    ``clean``: also write the clean copy there, the same file write_clean_copy(path) would make.
    """
    properties = dict(properties or {})
    unknown = set(properties) - PROPERTY_NAMES
    if unknown:
        raise ValueError(
            f"unknown document properties {sorted(unknown)}; use {sorted(PROPERTY_NAMES)}"
        )
    for index, block in enumerate(blocks):
        check_marks(block.marks, len(block.text), f"block {index}")

    document = docx.Document(io.BytesIO(_blank_document()))
    _set_properties(document, author, properties, created)
    written = _write_blocks(document, blocks)
    add_finish(document, finish)

    for block, paragraphs in zip(blocks, written, strict=True):
        if block.marks:
            apply_marks(document, pieces(paragraphs), block.marks, author=author)
    save_atomically(document, Path(path))
    if clean is not None:
        clean_document(document)
        save_atomically(document, Path(clean))


@cache
def _blank_document() -> bytes:
    """The empty A4 document with our styles, grid and page numbers, built once per process:
    setting the styles up walks every style element (~75 ms of CPU), which every draft's two
    documents repeated."""
    document = docx.Document()
    _set_up_page(document)
    _set_up_styles(document)
    lay_out_pages(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@cache
def _style_ids() -> dict[BlockStyle, str | None]:
    """Each block style's paragraph style id in the empty document (None: the default style,
    which a paragraph leaves unnamed); looking a style up by name costs ~1 ms a paragraph."""
    document = docx.Document(io.BytesIO(_blank_document()))
    return {
        kind: document.part.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH)
        for kind, name in STYLE_NAMES.items()
    }


def _set_up_page(document: DocumentObject) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])


def _set_up_styles(document: DocumentObject) -> None:
    styles_element = document.styles.element
    for element in styles_element.iter():
        for attribute in THEME_ATTRIBUTES:
            element.attrib.pop(attribute, None)
    defaults = styles_element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    set_fonts(default_rpr, BODY_FONT, 16)
    language = default_rpr.find(qn("w:lang"))
    if language is not None:
        language.set(qn("w:eastAsia"), "zh-CN")

    for style_kind in ("body", "title", "h1", "h2", "h3", "h4"):
        style = document.styles[STYLE_NAMES[style_kind]]
        name, size = FONTS[style_kind]
        set_fonts(style.element.get_or_add_rPr(), name, size)
        style.font.bold = False
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        layout = style.paragraph_format
        layout.space_before = layout.space_after = Pt(0)
        layout.line_spacing = LINE_SPACING
        layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        if style_kind == "title":
            layout.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_first_line_indent(style.element.get_or_add_pPr(), 0)
            borders = style.element.pPr.find(qn("w:pBdr"))
            if borders is not None:
                style.element.pPr.remove(borders)
        else:
            set_first_line_indent(style.element.get_or_add_pPr(), 2 * size)


def _set_properties(
    document: DocumentObject,
    author: str,
    properties: dict[str, str],
    created: datetime | None,
) -> None:
    core = document.core_properties
    now = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    core.author = core.last_modified_by = author
    core.created = core.modified = now
    core.revision = 1
    for name in PROPERTY_NAMES:
        setattr(core, name, properties.get(name, ""))


def _write_blocks(document: DocumentObject, blocks: Sequence[Block]) -> list[list[etree._Element]]:
    """Write the blocks; each block's w:p elements, as read.block_paragraphs would find them."""
    body = document._body._body
    for paragraph in list(body.iterchildren(qn("w:p"))):  # the template's empty paragraph
        body.remove(paragraph)
    style_ids = _style_ids()
    written: list[list[etree._Element]] = []
    index = 0
    while index < len(blocks):
        if blocks[index].style == "table":
            end = index
            while end < len(blocks) and blocks[end].style == "table":
                end += 1
            table = _write_table(document, [block.text.split("\t") for block in blocks[index:end]])
            written += [[p._p for p in row] for row in table_rows(table)]
            index = end
        else:
            block = blocks[index]
            paragraph = document.add_paragraph()
            paragraph._p.style = style_ids[block.style]  # what style=name sets, found once
            _add_text(paragraph, block.text, block.style)
            written.append([paragraph._p])
            index += 1
    return written


def _write_table(document: DocumentObject, rows: list[list[str]]) -> Table:
    columns = max(len(cells) for cells in rows)
    table = document.add_table(rows=len(rows), cols=columns)
    table.style = document.styles["Table Grid"]
    for row_index, cells in enumerate(rows):
        if len(cells) < columns:
            table.cell(row_index, len(cells) - 1).merge(table.cell(row_index, columns - 1))
        for column, text in enumerate(cells):
            paragraph = table.cell(row_index, column).paragraphs[0]
            set_first_line_indent(paragraph._p.get_or_add_pPr(), 0)
            _add_text(paragraph, text, "table")
    return table


def _add_text(paragraph: Paragraph, text: str, style: BlockStyle) -> None:
    run = paragraph.add_run(text)
    set_fonts(run._r.get_or_add_rPr(), *FONTS[style])
