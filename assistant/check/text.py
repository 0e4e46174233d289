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


_RANGE = r"1\s*[-—–~～至到]\s*"
_PERIOD_KINDS = (  # the period a text speaks of; "全年" in a half-year summary is the plan
    ("Q1-3", rf"前三季度|{_RANGE}9月|9月底|9月30日"),
    ("Q1", rf"一季度|{_RANGE}3月(?!\d)|3月底|3月31日"),
    ("Q2", r"二季度"),
    ("Q3", r"三季度"),
    ("Q4", r"四季度"),
    ("H1", rf"上半年|{_RANGE}6月|6月底|6月30日"),
    ("H2", r"下半年"),
    ("Y", rf"全年|{_RANGE}1[0-2]月|12月底|12月31日"),
)


def _period_kind(text: str) -> str | None:
    """The last period named in ``text`` (一季度, 1-6月, 截至9月底…), as a kind."""
    best: tuple[int, str] | None = None
    for kind, pattern in _PERIOD_KINDS:
        for match in re.finditer(pattern, text):
            start = match.start()
            if kind == "Q3" and text[max(0, start - 1) : start] == "前":
                continue
            if best is None or start > best[0]:
                best = (start, kind)
    return best[1] if best else None


_YEAR_MENTION = re.compile(r"((?:19|20)\d{2})\s*年(度|同期|底|末|\d{1,2}月)?")


def _context(text: str, start: int, end: int) -> str:
    """The clause around a number, for display (≤ 40 characters either side)."""
    left, right = _bounds(text, start, end, _SENTENCE_STOPS)
    left = max(left, start - 40)
    right = min(right, end + 40)
    return text[left:right].strip()
