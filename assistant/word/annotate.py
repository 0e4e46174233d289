"""Add comments (and highlights) to anyone's .docx without disturbing the rest of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..types import Mark
from .read import block_paragraphs, open_docx
from .save import save_atomically
from .spans import RevisionIds, apply_marks, block_length, check_marks, pieces


def annotate(src: Path, dst: Path, marks: Mapping[int, Sequence[Mark]], *, author: str) -> None:
    """Copy ``src`` to ``dst`` with a comment on each mark's span (block index → marks).

    Offsets are read_blocks' (for a table row, into its tab-joined text; a span may cross cells).
    Runs are split at the span's edges, each half keeping the run's formatting, so a number spread
    over runs like "3" + "2.5" is covered exactly. Existing comments and everything else stay as
    they were. Marks may overlap. A block index or span outside the document raises ValueError
    before anything is written; ``dst`` may be ``src``.
    """
    document = open_docx(Path(src))
    blocks = block_paragraphs(document)
    laid_out = {}
    for index, block_marks in marks.items():
        if not 0 <= index < len(blocks):
            raise ValueError(f"block {index} does not exist (the document has {len(blocks)})")
        laid_out[index] = pieces(blocks[index])
        check_marks(block_marks, block_length(laid_out[index]), f"block {index}")
    new_id = RevisionIds(document)  # runs inside tracked insertions split with their wrapper
    for index, block_marks in marks.items():
        apply_marks(document, laid_out[index], block_marks, author=author, new_id=new_id)
    save_atomically(document, Path(dst))
