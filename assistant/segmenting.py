"""jieba, loaded once for the whole process: its default dictionary serves the BM25 tokenizer
(assistant.retrieve, a copy with the pack's words) and the part-of-speech tagger that finds
names at ingest (assistant.names) — one load of the dictionary, not two.

jieba's _compat imports setuptools' pkg_resources (half a second or more, and a deprecation
warning) only to open its own data files, and opens them beside its modules when that import
fails; it is imported here with pkg_resources blocked for that moment, so every command that
segments starts sooner. Quiet: jieba's start-up lines are no user's business."""

from __future__ import annotations

import logging
import sys
from functools import cache
from types import ModuleType


@cache
def load_jieba() -> ModuleType:
    """The jieba module, imported without pkg_resources (unless something already loaded it)."""
    blocked = "jieba" not in sys.modules and "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails: fallback
    try:
        import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


@cache
def load_posseg() -> ModuleType:
    """jieba's part-of-speech tagger over the default dictionary (jieba.dt) the BM25
    tokenizer's dictionary is copied from."""
    load_jieba()
    from jieba import posseg

    return posseg
