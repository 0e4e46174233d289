"""Everything that touches .docx files. The only place in the package that imports python-docx."""

from __future__ import annotations

from .annotate import annotate
from .clean import clean_path, write_clean_copy
from .comments import read_comments
from .gongwen import write_document
from .read import read_blocks
from .tracked import accepted_text, rejected_text, write_revision

__all__ = [
    "accepted_text",
    "annotate",
    "clean_path",
    "read_blocks",
    "read_comments",
    "rejected_text",
    "write_clean_copy",
    "write_document",
    "write_revision",
]
