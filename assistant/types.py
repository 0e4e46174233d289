"""The assistant's own data types: plain dataclasses with Decimal numbers, never LangChain objects.

Each section below belongs to one concern (corpus, documents, figures, checking, drafting);
the modules that produce them are named in the section comment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# --- corpus: produced by ingest, stored by store, returned by retrieve -----------------------

Part = Literal["总结", "问题", "计划", "其他"]
PeriodKind = Literal["一季度", "上半年", "前三季度", "全年"]


@dataclass(frozen=True)
class Chunk:
    """One heading-delimited piece of a past summary, with where it sits and what it is about."""

    id: str  # stable content hash (document key + heading path + text)
    text: str  # original text, for display and exemplars
    document: str  # the source file, as the user knows it
    heading_path: tuple[str, ...] = ()
    part: Part = "其他"
    topic: str = "综合"
    unit: str | None = None
    year: int | None = None
    period: PeriodKind | None = None
    position: int = 0  # order within the document
    title: str = ""  # the document's title


@dataclass
class Document:
    """A past summary read from disk and cleaned: its title and its text blocks, before splitting.

    Produced by assistant.reading; ``encoding`` is the detected text encoding (None for .docx).
    """

    path: Path
    title: str
    encoding: str | None
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class SearchResult:
    chunk: Chunk
    score: float
    dense_rank: int | None = None  # 1-based rank in the dense list, None if absent
    bm25_rank: int | None = None


@dataclass(frozen=True)
class SearchFilters:
    """Metadata filters applied to both the dense and the BM25 list (None = no filter)."""

    part: Part | None = None
    topic: str | None = None
    period: PeriodKind | None = None
    year_from: int | None = None
    year_to: int | None = None
    unit: str | None = None


@dataclass(frozen=True)
class SkippedFile:
    file: str
    reason: str


@dataclass(frozen=True)
class IngestedFile:
    """What one ingest did to one document: status new|changed|unchanged|removed."""

    document: str
    status: str
    chunks: int
    added: int = 0
    removed: int = 0


@dataclass
class IngestReport:
    """Counts of chunks added, unchanged and removed, and the files skipped with their reasons."""

    added: int = 0
    unchanged: int = 0
    removed: int = 0
    files: int = 0  # files read (new, changed or unchanged)
    chunks: int = 0  # chunks the read files hold now
    skipped: list[SkippedFile] = field(default_factory=list)
    documents: list[IngestedFile] = field(default_factory=list)


# --- documents: read and written by assistant.word (the only module that imports docx) --------

BlockStyle = Literal["title", "h1", "h2", "h3", "h4", "body", "table"]


@dataclass(frozen=True)
class Mark:
    """A character span of a block that carries a Word comment and/or a highlight."""

    start: int
    end: int
    comment: str | None = None
    highlight: bool = False


@dataclass
class Block:
    """One paragraph (or one table row, cells joined by a tab) of a document, in reading order."""

    text: str
    style: BlockStyle = "body"
    marks: list[Mark] = field(default_factory=list)


@dataclass(frozen=True)
class CommentRef:
    """A Word comment and the span it is anchored on, in block coordinates (see read_blocks).

    ``anchored_text`` is always the block's text[start:end]; a comment whose range runs past its
    block is cut at the block's end, and one without a range has start == end.
    """

    block_index: int
    start: int
    end: int
    anchored_text: str
    text: str
    author: str


# --- backends: produced by assistant.backends (the only module that imports LangChain) ---------


@dataclass(frozen=True)
class ChatResult:
    """A model's whole reply to one exchange; ``finish_reason`` "length" means it was cut off."""

    text: str
    model: str  # as the endpoint reported it, else as configured
    finish_reason: str | None = None

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"
