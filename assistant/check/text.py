"""Reading primitives shared by the checker: folding, bigrams, clause bounds, the period a
text names."""

from __future__ import annotations

import itertools
import re
import unicodedata

_SENTENCE_STOPS = "。！？!?；;\n"
_CLAUSE_STOPS = _SENTENCE_STOPS + "，,：:"
_YEAR = re.compile(r"(?:19|20)\d{2}")
_CJK_ONLY = re.compile(r"[\u4e00-\u9fff]")
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff\u2160-\u217fA-Za-z0-9.]")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _grams(text: str) -> set[str]:
    chars = [c for c in _fold(text) if _CJK_OR_WORD.match(c)]
    return {a + b for a, b in itertools.pairwise(chars)}


def _bounds(text: str, start: int, end: int, stops: str) -> tuple[int, int]:
    left = max((text.rfind(ch, 0, start) for ch in stops), default=-1) + 1
    rights = [i for ch in stops if (i := text.find(ch, end)) >= 0]
    return left, min(rights, default=len(text))


_YEAR_MENTION = re.compile(r"((?:19|20)\d{2})\s*年(度|同期|底|末|\d{1,2}月)?")


def _context(text: str, start: int, end: int) -> str:
    """The clause around a number, for display (≤ 40 characters either side)."""
    left, right = _bounds(text, start, end, _SENTENCE_STOPS)
    left = max(left, start - 40)
    right = min(right, end + 40)
    return text[left:right].strip()
