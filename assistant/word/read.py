"""Read a .docx into Blocks in reading order: paragraphs and table rows, as Word shows them.

Block indices are the document's shared coordinate system: the checker, the annotator and the
revision writer all address paragraphs by the index this reader gives them. The text is what Word
shows with every tracked change accepted (python-docx alone would drop inserted text), so offsets
stay meaningful in documents that carry revisions.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document as DocumentObject
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from ..errors import InputError
from ..types import Block, BlockStyle
from ..uploads import check_zip
from .finish import FINISH_STYLES
from .spans import paragraph_text

_FINISH_STYLE_NAMES = frozenset(FINISH_STYLES.values())
_HEADING_STYLES: dict[str, BlockStyle] = {
    "title": "title",
    "heading 1": "h1",
    "heading 2": "h2",
    "heading 3": "h3",
    "heading 4": "h4",
}


def open_docx(path: Path) -> DocumentObject:
    """Open a .docx, turning every way it can be unreadable into one InputError."""
    if path.suffix.lower() == ".doc":
        raise InputError(
            "旧版 Word (.doc) 文件无法读取", path=str(path), hint="用 Word 另存为 .docx 后再导入"
        )
    check_zip(path, kind=".docx")  # a renamed file or a zip bomb is refused before docx parses it
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(
            f"无法读取 .docx: {exc}", path=str(path), hint="用 Word 打开并另存为 .docx"
        ) from exc


def iter_paragraphs(document: DocumentObject) -> Iterator[Paragraph | list[Paragraph]]:
    """Body paragraphs, and each table row as the list of its cells' paragraphs, in order.

    The 公文 finish (发文字号, 落款, 成文日期 in their own styles) is not text: it is left out, so
    the title stays block 0 and a date is never checked as a figure."""
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            yield from table_rows(item)
        elif item.style is None or item.style.name not in _FINISH_STYLE_NAMES:
            yield item


def table_rows(table: Table) -> Iterator[list[Paragraph]]:
    """Each row of ``table`` as its cells' paragraphs, a merged cell once."""
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for cell in row.cells:  # merged cells repeat: keep each once
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.extend(cell.paragraphs)
        yield cells


def block_paragraphs(document: DocumentObject) -> list[list[etree._Element]]:
    """The w:p elements of each block, indexed like read_blocks (one per paragraph, several per
    table row)."""
    return [
        [p._p for p in item] if isinstance(item, list) else [item._p]
        for item in iter_paragraphs(document)
    ]


def _style_of(paragraph: Paragraph) -> BlockStyle:
    name = (paragraph.style.name if paragraph.style is not None else "").lower()
    return _HEADING_STYLES.get(name, "body")


def read_blocks(path: Path) -> list[Block]:
    """All paragraphs and table rows (cells joined by a tab), including empty paragraphs.

    Empty paragraphs are kept so that block indices match the paragraphs' positions.
    """
    document = open_docx(path)
    blocks: list[Block] = []
    for item in iter_paragraphs(document):
        if isinstance(item, list):
            text = "\t".join(paragraph_text(p._p) for p in item)
            blocks.append(Block(text=text, style="table"))
        else:
            blocks.append(Block(text=paragraph_text(item._p), style=_style_of(item)))
    return blocks
