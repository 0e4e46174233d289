"""Write an editor's new wording into a .docx as Word tracked changes (修订), not as a silent edit.

The reviewer sees exactly which characters changed and can accept or reject each change in Word.
Only the paragraphs that change are touched: every other paragraph keeps its XML byte for byte,
and comments on untouched text survive.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path

from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from lxml import etree

from ..errors import InputError
from ..types import Mark
from .read import block_paragraphs, open_docx
from .save import save_atomically
from .spans import (
    DEL_INSTR_TEXT,
    DEL_TEXT,
    INSTR_TEXT,
    REVISION_WRAPPERS,
    RPR,
    RevisionIds,
    T,
    View,
    apply_marks,
    block_length,
    check_marks,
    counted_runs,
    ensure_boundary,
    outermost,
    paragraph_text,
    pieces,
)


def write_revision(
    src: Path,
    dst: Path,
    new_texts: Mapping[int, str],
    *,
    author: str,
    date: datetime | None = None,
    comments: Mapping[int, Sequence[Mark]] | None = None,
) -> None:
    """Copy ``src`` to ``dst`` with each block in ``new_texts`` changed to its new text as tracked
    insertions/deletions (a minimal character diff; unchanged characters stay ordinary runs).

    ``comments`` (block index → marks in the *new* text's coordinates) adds comments on kept or
    inserted text. A table row's new text must keep its tab-separated cell count, and each cell is
    revised in place. A block that already carries tracked changes is refused (InputError): accept
    or reject them in Word first. Everything is checked before anything is written.
    """
    document = open_docx(Path(src))
    blocks = block_paragraphs(document)
    comments = comments or {}
    stamp = (date or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    plans: list[tuple[etree._Element, str, str]] = []
    for index, new_text in new_texts.items():
        paragraphs = _block(blocks, index)
        if any(next(p.iter(*REVISION_WRAPPERS), None) is not None for p in paragraphs):
            raise InputError(
                f"第{index + 1}段（块 {index}）已有未处理的修订",
                path=str(src),
                hint="在 Word 中先接受或拒绝该段已有的修订, 再写入新的修订",
            )
        old_parts = [paragraph_text(p) for p in paragraphs]
        plans.extend(
            zip(paragraphs, old_parts, _split_cells(index, old_parts, new_text), strict=True)
        )
    for index, marks in comments.items():
        _block(blocks, index)
        length = (
            len(new_texts[index]) if index in new_texts else block_length(pieces(blocks[index]))
        )
        check_marks(marks, length, f"block {index}")

    new_id = RevisionIds(document)
    for paragraph, old, new in plans:
        if old != new:
            _revise(paragraph, old, new, {"w:author": author, "w:date": stamp}, new_id)
    for index, marks in comments.items():
        apply_marks(document, pieces(blocks[index]), marks, author=author, new_id=new_id)
    save_atomically(document, Path(dst))


def accepted_text(path: Path) -> list[str]:
    """Each block's text as if every tracked change were accepted (what read_blocks returns)."""
    return _texts(Path(path), "accepted")


def rejected_text(path: Path) -> list[str]:
    """Each block's text as if every tracked change were rejected: the text before revision."""
    return _texts(Path(path), "rejected")


def _texts(path: Path, view: View) -> list[str]:
    document = open_docx(path)
    return [
        "\t".join(paragraph_text(p, view) for p in paragraphs)
        for paragraphs in block_paragraphs(document)
    ]


def _block(blocks: list[list[etree._Element]], index: int) -> list[etree._Element]:
    if not 0 <= index < len(blocks):
        raise ValueError(f"block {index} does not exist (the document has {len(blocks)})")
    return blocks[index]


def _split_cells(index: int, old_parts: list[str], new_text: str) -> list[str]:
    """The new text of each paragraph of the block (a table row's cells split at tabs)."""
    if len(old_parts) == 1:
        return [new_text]
    if any("\t" in part for part in old_parts):
        raise ValueError(f"block {index}: a cell of this row holds a tab, so cells are ambiguous")
    new_parts = new_text.split("\t")
    if len(new_parts) != len(old_parts):
        raise ValueError(
            f"block {index}: the new row text has {len(new_parts)} cells, the table row "
            f"{len(old_parts)}; a revision changes cell text, not the table's shape"
        )
    return new_parts


def _revise(
    paragraph: etree._Element,
    old: str,
    new: str,
    stamp: dict[str, str],
    new_id: RevisionIds,
) -> None:
    """Turn one paragraph's text from ``old`` into ``new`` with w:del/w:ins around the changes."""
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for _, old_start, old_end, _, _ in opcodes:
        ensure_boundary(paragraph, old_start)
        ensure_boundary(paragraph, old_end)
    spans = [
        (run, start, end) for run, start, end in counted_runs(paragraph, "accepted") if end > start
    ]

    def runs_in(start: int, end: int) -> list[etree._Element]:
        return [run for run, s, e in spans if start <= s and e <= end]

    cursor: etree._Element | None = None  # new insertions go right after this element
    for operation, old_start, old_end, new_start, new_end in opcodes:
        template = None
        if operation == "equal":
            cursor = outermost(runs_in(old_start, old_end)[-1])
        if operation in ("delete", "replace"):
            deleted = runs_in(old_start, old_end)
            template = deleted[0]
            for run in deleted:
                cursor = _wrap(run, "w:del", stamp, new_id)
        if operation in ("insert", "replace"):
            if template is None:
                template = _neighbour(spans, old_start)
            inserted = _inserted_run(new[new_start:new_end], template, stamp, new_id)
            if cursor is not None:
                cursor.addnext(inserted)
            elif spans:
                outermost(spans[0][0]).addprevious(inserted)
            else:
                paragraph.append(inserted)
            cursor = inserted


def _neighbour(spans: list[tuple[etree._Element, int, int]], offset: int) -> etree._Element | None:
    """The run just before ``offset`` (or, at the start, just after): new text is formatted
    like the text it continues."""
    for run, _, end in spans:
        if end == offset:
            return run
    return next((run for run, start, _ in spans if start == offset), None)


def _wrap(
    run: etree._Element, tag: str, stamp: dict[str, str], new_id: RevisionIds
) -> etree._Element:
    wrapper = OxmlElement(tag, {qn("w:id"): new_id(), **{qn(k): v for k, v in stamp.items()}})
    if run.getparent() is not None:
        run.addprevious(wrapper)
    wrapper.append(run)
    if tag == "w:del":
        for child in run:
            if child.tag == T:
                child.tag = DEL_TEXT
            elif child.tag == INSTR_TEXT:
                child.tag = DEL_INSTR_TEXT
    return wrapper


def _inserted_run(
    text: str, template: etree._Element | None, stamp: dict[str, str], new_id: RevisionIds
) -> etree._Element:
    """A run holding the new text, formatted like its neighbour (but never highlighted: the
    highlight marks a placeholder, and new text is not one)."""
    run = OxmlElement("w:r")
    properties = template.find(RPR) if template is not None else None
    if properties is not None:
        properties = copy.deepcopy(properties)
        for highlight in properties.findall(qn("w:highlight")):
            properties.remove(highlight)
        run.append(properties)
    run.text = text
    return _wrap(run, "w:ins", stamp, new_id)
