"""Read Word comments back as spans of blocks, so a checker can see what each comment is about."""

from __future__ import annotations

from pathlib import Path

from ..types import CommentRef
from .read import block_paragraphs, open_docx
from .spans import COMMENT_END, COMMENT_REFERENCE, COMMENT_START, iter_markers, paragraph_text


def read_comments(path: Path) -> list[CommentRef]:
    """Every comment anchored in the body, in the order their ranges start (ties: oldest first).

    Offsets are those of read_blocks (a table row's are within its tab-joined text). Comments on
    headers, footnotes or text boxes have no place in those coordinates and are left out.
    """
    document = open_docx(Path(path))
    texts: list[str] = []
    starts: dict[str, tuple[int, int]] = {}
    ends: dict[str, tuple[int, int]] = {}
    references: dict[str, tuple[int, int]] = {}
    found = {COMMENT_START: starts, COMMENT_END: ends, COMMENT_REFERENCE: references}
    for block_index, paragraphs in enumerate(block_paragraphs(document)):
        base = 0
        for paragraph in paragraphs:
            for tag, comment_id, offset in iter_markers(paragraph):
                found[tag].setdefault(comment_id, (block_index, base + offset))
            base += len(paragraph_text(paragraph)) + 1
        texts.append("\t".join(paragraph_text(p) for p in paragraphs))

    located = []
    for comment in document.comments:
        comment_id = str(comment.comment_id)
        start = starts.get(comment_id) or references.get(comment_id)
        if start is None:
            continue
        block_index, start_offset = start
        end_block, end_offset = ends.get(comment_id, start)
        if end_block != block_index or end_offset < start_offset:
            end_offset = len(texts[block_index]) if end_block > block_index else start_offset
        text = texts[block_index]
        located.append(
            CommentRef(
                block_index=block_index,
                start=start_offset,
                end=end_offset,
                anchored_text=text[start_offset:end_offset],
                text=comment.text,
                author=comment.author,
            )
        )
    located.sort(key=lambda ref: (ref.block_index, ref.start))
    return located
