"""Character spans of paragraphs at the XML level: text views, run splitting, comment anchors.

Writer, annotator, comment reader and revision writer all address text as (block, offset).
A block is one body paragraph or one table row (its cells' paragraphs joined by a tab). Which runs
count depends on the *view*: "accepted" is the text as Word shows it with every tracked change
accepted (the shared coordinate system, what read_blocks returns); "rejected" is the text as it was
before the tracked changes.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from docx.document import Document as DocumentObject
from docx.enum.text import WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from docx.text.run import Run
from lxml import etree

from ..types import Mark

View = Literal["accepted", "rejected"]

R = qn("w:r")
RPR = qn("w:rPr")
T = qn("w:t")
DEL_TEXT = qn("w:delText")
INSTR_TEXT = qn("w:instrText")
DEL_INSTR_TEXT = qn("w:delInstrText")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
COMMENT_START = qn("w:commentRangeStart")
COMMENT_END = qn("w:commentRangeEnd")
COMMENT_REFERENCE = qn("w:commentReference")
INSERTED = (qn("w:ins"), qn("w:moveTo"))
DELETED = (qn("w:del"), qn("w:moveFrom"))
REVISION_WRAPPERS = INSERTED + DELETED
# Containers whose runs Word shows as ordinary paragraph text.
_TRANSPARENT = (
    qn("w:hyperlink"),
    qn("w:smartTag"),
    qn("w:customXml"),
    qn("w:sdt"),
    qn("w:sdtContent"),
    qn("w:fldSimple"),
)
_ONE_CHAR = {qn("w:tab"): "\t", qn("w:ptab"): "\t", qn("w:cr"): "\n", qn("w:noBreakHyphen"): "-"}


def child_text(child: etree._Element) -> str:
    """What one child of a w:r contributes to the text (same mapping as python-docx)."""
    if child.tag in (T, DEL_TEXT):
        return child.text or ""
    if child.tag == qn("w:br"):
        return "\n" if child.get(qn("w:type"), "textWrapping") == "textWrapping" else ""
    return _ONE_CHAR.get(child.tag, "")


def run_text(run: etree._Element) -> str:
    return "".join(child_text(child) for child in run)


def counts(run: etree._Element, paragraph: etree._Element, view: View) -> bool:
    """Whether this w:r is part of the paragraph's text in the given view."""
    shown, hidden = (INSERTED, DELETED) if view == "accepted" else (DELETED, INSERTED)
    parent = run.getparent()
    while parent is not None and parent is not paragraph:
        if parent.tag in hidden or (parent.tag not in shown and parent.tag not in _TRANSPARENT):
            return False
        parent = parent.getparent()
    return parent is paragraph


def counted_runs(paragraph: etree._Element, view: View) -> list[tuple[etree._Element, int, int]]:
    """Each run that counts in the view, with its [start, end) in the paragraph's text."""
    spans = []
    offset = 0
    for run in paragraph.iter(R):
        if counts(run, paragraph, view):
            length = len(run_text(run))
            spans.append((run, offset, offset + length))
            offset += length
    return spans


def paragraph_text(paragraph: etree._Element, view: View = "accepted") -> str:
    return "".join(run_text(run) for run, _, _ in counted_runs(paragraph, view))


@dataclass(frozen=True)
class Piece:
    """One paragraph of a block and where its text starts in the block's text."""

    paragraph: etree._Element
    base: int
    length: int


def pieces(paragraphs: Sequence[etree._Element], view: View = "accepted") -> list[Piece]:
    """Lay the block's paragraphs end to end, one tab between them (as read_blocks joins cells)."""
    laid = []
    base = 0
    for paragraph in paragraphs:
        length = len(paragraph_text(paragraph, view))
        laid.append(Piece(paragraph, base, length))
        base += length + 1
    return laid


def block_length(laid: Sequence[Piece]) -> int:
    return laid[-1].base + laid[-1].length if laid else 0


class RevisionIds:
    """Hands out w:id values that no annotation of the document uses yet.

    The standard wants annotation ids (comments, insertions, deletions) unique across the
    document, so new comments draw from the same counter as new tracked changes.
    """

    def __init__(self, document: DocumentObject) -> None:
        elements = [document.element]
        with contextlib.suppress(KeyError):  # no comments part yet: don't create one
            elements.append(document.part.part_related_by(RT.COMMENTS).element)
        used = [
            int(value)
            for element in elements
            for value in element.xpath("//@w:id")
            if value.lstrip("-").isdigit()
        ]
        self._next = max(used, default=0) + 1

    def __call__(self) -> str:
        self._next += 1
        return str(self._next - 1)


def split_run(run: etree._Element, at: int, new_id: Callable[[], str] | None = None) -> None:
    """Split a run at a character offset into two runs with the same properties.

    A run inside a tracked-change wrapper takes the wrapper along: the second half goes into a
    twin wrapper (with a fresh id from ``new_id``) so each wrapper still covers exactly its runs.
    """
    twin = copy.deepcopy(run)
    content = [child for child in run if child.tag != RPR]
    twin_content = [child for child in twin if child.tag != RPR]
    drop_here, drop_there = [], []
    position = 0
    for child, twin_child in zip(content, twin_content, strict=True):
        length = len(child_text(child))
        if position + length <= at:
            drop_there.append(twin_child)
        elif position >= at:
            drop_here.append(child)
        else:
            cut = at - position
            text = child.text or ""
            child.text, twin_child.text = text[:cut], text[cut:]
            child.set(XML_SPACE, "preserve")
            twin_child.set(XML_SPACE, "preserve")
        position += length
    for child in drop_here:
        run.remove(child)
    for child in drop_there:
        twin.remove(child)
    wrapper = run.getparent()
    if wrapper is not None and wrapper.tag in REVISION_WRAPPERS:
        if new_id is None:
            raise ValueError("splitting a run inside a tracked change needs revision ids")
        twin_wrapper = copy.deepcopy(wrapper)
        for child in list(twin_wrapper):
            twin_wrapper.remove(child)
        twin_wrapper.set(qn("w:id"), new_id())
        followers = list(run.itersiblings())
        twin_wrapper.append(twin)
        for follower in followers:
            twin_wrapper.append(follower)
        wrapper.addnext(twin_wrapper)
    else:
        run.addnext(twin)


def ensure_boundary(
    paragraph: etree._Element, offset: int, new_id: Callable[[], str] | None = None
) -> None:
    """Make accepted-text ``offset`` fall between two runs (splitting the run straddling it)."""
    for run, start, end in counted_runs(paragraph, "accepted"):
        if start < offset < end:
            split_run(run, offset - start, new_id)
            return


def runs_between(
    laid: Sequence[Piece],
    start: int,
    end: int,
    new_id: Callable[[], str] | None = None,
) -> list[etree._Element]:
    """The runs that exactly cover block characters [start, end), splitting runs as needed."""
    covered = []
    for piece in laid:
        local_start = max(start - piece.base, 0)
        local_end = min(end - piece.base, piece.length)
        if local_start >= local_end:
            continue
        ensure_boundary(piece.paragraph, local_start, new_id)
        ensure_boundary(piece.paragraph, local_end, new_id)
        covered.extend(
            run
            for run, run_start, run_end in counted_runs(piece.paragraph, "accepted")
            if local_start <= run_start and run_end <= local_end and run_end > run_start
        )
    return covered


def outermost(run: etree._Element) -> etree._Element:
    """The run, or the tracked-change wrapper around it: comment markers go outside wrappers."""
    node = run
    while node.getparent() is not None and node.getparent().tag in REVISION_WRAPPERS:
        node = node.getparent()
    return node


def check_marks(marks: Sequence[Mark], length: int, where: str) -> None:
    for mark in marks:
        if not 0 <= mark.start < mark.end <= length:
            raise ValueError(
                f"{where}: mark [{mark.start}, {mark.end}) is empty or outside the text "
                f"(length {length})"
            )


def apply_marks(
    document: DocumentObject,
    laid: Sequence[Piece],
    marks: Sequence[Mark],
    *,
    author: str,
    new_id: Callable[[], str] | None = None,
) -> None:
    """Give each mark its comment and/or highlight, anchored exactly on its characters.

    Marks may overlap or nest freely: Word comment ranges are independent start/end markers, and
    a highlight is a run property, so splitting runs at every mark boundary is all it takes.
    """
    for mark in marks:
        runs = runs_between(laid, mark.start, mark.end, new_id)
        if not runs:
            raise ValueError(f"mark [{mark.start}, {mark.end}) covers no text (only cell breaks)")
        if mark.highlight:
            for run in runs:
                Run(run, None).font.highlight_color = WD_COLOR_INDEX.YELLOW  # type: ignore[arg-type]
        if mark.comment is not None:
            _anchor_comment(document, runs, mark.comment, author, new_id)


def _anchor_comment(
    document: DocumentObject,
    runs: Sequence[etree._Element],
    text: str,
    author: str,
    new_id: Callable[[], str] | None,
) -> None:
    comment = document.comments.add_comment(text=text, author=author, initials=author[:2])
    if new_id is not None:
        comment._comment_elm.set(qn("w:id"), new_id())
    comment_id = str(comment.comment_id)
    outermost(runs[0]).addprevious(OxmlElement("w:commentRangeStart", {qn("w:id"): comment_id}))
    last = outermost(runs[-1])
    reference = OxmlElement("w:r")
    reference.append(OxmlElement("w:rPr"))
    reference[0].append(OxmlElement("w:rStyle", {qn("w:val"): "CommentReference"}))
    reference.append(OxmlElement("w:commentReference", {qn("w:id"): comment_id}))
    last.addnext(reference)
    last.addnext(OxmlElement("w:commentRangeEnd", {qn("w:id"): comment_id}))


def iter_markers(paragraph: etree._Element) -> Iterator[tuple[str, str, int]]:
    """(marker tag, comment id, offset in the accepted text) for each comment marker."""
    offset = 0
    for element in paragraph.iter(R, COMMENT_START, COMMENT_END, COMMENT_REFERENCE):
        if element.tag == R:
            if counts(element, paragraph, "accepted"):
                offset += len(run_text(element))
        else:
            yield element.tag, element.get(qn("w:id"), ""), offset
