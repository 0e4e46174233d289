"""A past 存在的问题 part as items: each problem's title and the sentences that explain it.

Offices write problems as “一是<title>。<why>。二是…” or as sub-headings (（一）<title>) over a
paragraph. The template writer reuses them whole — a title alone says little (一季度受不利气象
条件影响 is half a thought) — once the explanation's numbers, claims and other topics are gone
(assistant.writers decides which may stand).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .refill import ITEM_PREFIX, sentences

_ITEM_START = re.compile(r"(?:^|(?<=[。；;！？\n]))\s*(?=[一二三四五六七八九十]是)")
TITLE_CHARS = 30  # a longer first sentence is an explanation, not a title


@dataclass(frozen=True)
class ProblemItem:
    title: str  # without its 一是 and full stop
    explanation: str  # the sentences after it (may be empty)


def problem_items(text: str, heading_path: Sequence[str] = ()) -> list[ProblemItem]:
    """The problems a past chunk states: its 一是/二是 items (the lead-in before the first is
    not a problem), or, for a chunk under its own sub-heading, the heading over the text."""
    pieces = [p.strip() for p in _ITEM_START.split(text) if p.strip()]
    items = []
    for piece in pieces:
        if not ITEM_PREFIX.match(piece):
            continue
        said = sentences(ITEM_PREFIX.sub("", piece))
        if not said or len(said[0]) > TITLE_CHARS + 1:
            continue
        items.append(ProblemItem(said[0].rstrip("。！？；"), "".join(said[1:])))
    if items or len(heading_path) < 2:
        return items
    title = re.sub(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．])", "", heading_path[-1])
    title = title.strip().rstrip("。")
    return [ProblemItem(title, text.strip())] if 2 <= len(title) <= TITLE_CHARS else []
