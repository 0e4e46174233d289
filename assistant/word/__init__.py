"""Everything that touches .docx files. The only place in the package that imports python-docx."""

from __future__ import annotations

from .read import read_blocks

__all__ = ["read_blocks"]
