"""起草助手: drafts 工作总结/工作计划 in a bureau's own phrasing, with every number sourced.

The library API lives here; the CLI (assistant.cli) is a thin shell over it.
"""

from __future__ import annotations

from .check import check_blocks, check_file
from .errors import AssistantError, BackendError, ConfigError, InputError, PromptError
from .figures import format_change, format_value, load_figures
from .metrics import Metric, Unit, find_metric, normalise_unit
from .numbers import extract_numbers
from .prompts import Prompt, list_prompts, load_prompt
from .reading import normalise_for_matching, read_document
from .settings import Settings, load_settings
from .splitting import chunks_from_file, split_document
from .types import (
    Block,
    Change,
    ChatResult,
    CheckReport,
    Chunk,
    CommentRef,
    Document,
    Figure,
    FigureSet,
    Finding,
    IngestReport,
    Mark,
    Provenance,
    Quantity,
    SearchFilters,
    SearchResult,
    TargetCheck,
)

__version__ = "0.1.0"

# The store's half pulls in chromadb, jieba and bm25s (seconds to import): loaded on first use,
# so `assistant --version` and modules that never search stay quick. (ingest is not here: the
# submodule assistant.ingest would shadow the function; use assistant.ingest.ingest.)
_LAZY = {
    "search": "retrieve",
    "Retriever": "retrieve",
    "Store": "store",
    "make_embeddings": "embeddings",
    "diff_files": "diff",
    "diff_texts": "diff",
    "revise_file": "revise",
    "revise_blocks": "revise",
    "DraftRequest": "draft",
    "write_draft": "draft",
    "save_draft": "draft",
    "load_sidecar": "provenance",
    "make_draft": "draft",
    "ChatEngine": "chat",
    "parse_intent": "chat",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AssistantError",
    "BackendError",
    "Block",
    "Change",
    "ChatEngine",
    "ChatResult",
    "CheckReport",
    "Chunk",
    "CommentRef",
    "ConfigError",
    "Document",
    "DraftRequest",
    "Figure",
    "FigureSet",
    "Finding",
    "IngestReport",
    "InputError",
    "Mark",
    "Metric",
    "Prompt",
    "PromptError",
    "Provenance",
    "Quantity",
    "Retriever",
    "SearchFilters",
    "SearchResult",
    "Settings",
    "Store",
    "TargetCheck",
    "Unit",
    "__version__",
    "check_blocks",
    "check_file",
    "chunks_from_file",
    "diff_files",
    "diff_texts",
    "extract_numbers",
    "find_metric",
    "format_change",
    "format_value",
    "list_prompts",
    "load_figures",
    "load_prompt",
    "load_settings",
    "load_sidecar",
    "make_draft",
    "make_embeddings",
    "normalise_for_matching",
    "normalise_unit",
    "parse_intent",
    "read_document",
    "revise_blocks",
    "revise_file",
    "save_draft",
    "search",
    "split_document",
    "write_draft",
]
