"""起草助手: drafts 工作总结/工作计划 in a bureau's own phrasing, with every number sourced.

The library API lives here; the CLI (assistant.cli) is a thin shell over it.
"""

from __future__ import annotations

from .errors import AssistantError, BackendError, ConfigError, InputError, PromptError
from .prompts import Prompt, list_prompts, load_prompt
from .reading import normalise_for_matching, read_document
from .settings import Settings, load_settings
from .splitting import chunks_from_file, split_document
from .types import Block, ChatResult, Chunk, CommentRef, Document, Mark, SearchResult

__version__ = "0.1.0"

__all__ = [
    "AssistantError",
    "BackendError",
    "Block",
    "ChatResult",
    "Chunk",
    "CommentRef",
    "ConfigError",
    "Document",
    "InputError",
    "Mark",
    "Prompt",
    "PromptError",
    "SearchResult",
    "Settings",
    "__version__",
    "chunks_from_file",
    "list_prompts",
    "load_prompt",
    "load_settings",
    "normalise_for_matching",
    "read_document",
    "split_document",
]
