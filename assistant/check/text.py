"""Reading primitives shared by the checker: folding, bigrams, clause bounds, the period a
text names."""

from __future__ import annotations

import itertools
import re
import unicodedata

from ..numbers import span_bounds
from ..types import Quantity

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


_YEAR_MENTION = re.compile(r"((?:19|20)\d{2})\s*年(度|同期|底|末|\d{1,2}月)?")


def _context(text: str, start: int, end: int) -> str:
    """The clause around a number, for display (≤ 40 characters either side)."""
    left, right = span_bounds(text, start, end, _SENTENCE_STOPS)
    left = max(left, start - 40)
    right = min(right, end + 40)
    return text[left:right].strip()


_COUNTED = ("项", "个", "类", "方面", "条", "种", "大")
_LISTED = re.compile(r"、|以及|和|及|与")


def counts_named(text: str, quantity: Quantity) -> bool:
    """两项/三个 counting the things its clause names just before (PM2.5和优良天数比例两项指标,
    臭氧、PM10、降尘三项): a count of words in the sentence, not a figure to source."""
    value = quantity.value
    if value is None or value != int(value) or not 2 <= value <= 9:
        return False
    if (quantity.unit_written or quantity.unit) not in _COUNTED:
        return False
    left = max(text.rfind(stop, 0, quantity.start) for stop in _CLAUSE_STOPS) + 1
    named = [item for item in _LISTED.split(text[left : quantity.start]) if item.strip()]
    return len(named) == int(value)
