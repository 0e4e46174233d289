"""A section's item citations checked against the items it was given, so no item is invented.

Rendering takes the 〔item:ID〕 marks out of a writer's text and records the stretch each closes
(assistant.render.take_item_marks). Here those stretches are held against the section's own
items (writers.Context.items): a mark naming an item the section was not given — an id the
material lacks, or an item held back (out of period, in conflict with the figures file) — and a
mark that names no id at all (〔item〕) are invented items. They go to the repair request and, if
still there after it, the stretch stays visible with a 〔待核：…〕 after it, never silently
(``mark_invented``). A sentence citing an item's own number ({{item_…}}) without the mark
states that item all the same, so it is cited too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .items import figure_prefix
from .types import Citation, Item, ItemCitation

# a mark a writer meant as an item mark but rendering could not read (〔item〕, 〔Item：〕)
MALFORMED = re.compile(r"〔\s*item\b[^〔〕\n]{0,60}〕", re.IGNORECASE)
_STOPS = "。！？；;"
_LEADING = "、，,：: "
INVENTED_MARK = "〔待核：科室材料中没有这件事〕"


@dataclass(frozen=True)
class Invented:
    """A stretch of text whose mark names no item given to its section."""

    item_id: str  # as written ("" for a mark without an id)
    start: int
    end: int


@dataclass
class Marked:
    """A paragraph's text with its figure citations, the items it states and the invented ones;
    every span is an offset into ``text``."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    items: list[ItemCitation] = field(default_factory=list)
    invented: list[Invented] = field(default_factory=list)


def item_source(item: Item) -> str:
    """Where an item was written, for a comment and the sidecar: 大气科 · 大气科.docx 第3段."""
    return f"{item.office} · {item.where}"


def _stretch(text: str, end: int) -> tuple[int, int]:
    """The sentence or clause ending at ``end``: back to the last stop, separators skipped."""
    while end > 0 and text[end - 1] in " \t" + _STOPS:
        end -= 1
    start = max(text.rfind(c, 0, end) for c in _STOPS) + 1
    while start < end and text[start] in _LEADING:
        start += 1
    return start, end


def _shifted(citations: Iterable[Citation], at: int, delta: int) -> list[Citation]:
    return [
        replace(c, start=c.start + delta, end=c.end + delta) if c.start >= at else c
        for c in citations
    ]


def shift_items(
    items: Sequence[ItemCitation], start: int, end: int, delta: int
) -> list[ItemCitation]:
    """Item citations after the text between ``start`` and ``end`` was replaced by a text
    ``delta`` characters longer: the ones after it move, the ones around it stretch."""
    moved = []
    for c in items:
        if c.start >= end:
            moved.append(replace(c, start=c.start + delta, end=c.end + delta))
        elif c.end >= end:
            moved.append(replace(c, end=c.end + delta))
        else:
            moved.append(c)
    return moved


def check_items(
    text: str,
    citations: Sequence[Citation],
    stated: Sequence[ItemCitation],
    given: Sequence[Item],
    block: int = 0,
) -> Marked:
    """A rendered paragraph's item stretches held against ``given`` (the section's items):
    those naming one of them kept with their source, the others invented; malformed marks
    taken out as invented too; sentences citing an item's number without its mark cited."""
    known = {item.id: item for item in given}
    out = Marked(text, list(citations))
    for cited in stated:
        item = known.get(cited.item_id)
        if item is None:
            out.invented.append(Invented(cited.item_id, cited.start, cited.end))
        else:
            out.items.append(replace(cited, block=block, source=item_source(item)))
    for match in reversed(list(MALFORMED.finditer(text))):
        size = match.end() - match.start()
        out.text = out.text[: match.start()] + out.text[match.end() :]
        out.citations = _shifted(out.citations, match.start(), -size)
        out.items = shift_items(out.items, match.start(), match.end(), -size)
        out.invented = [
            replace(i, start=i.start - size, end=i.end - size) if i.start >= match.end() else i
            for i in out.invented
        ]
        start, end = _stretch(out.text, match.start())
        if start < end:
            out.invented.append(Invented("", start, end))
    out.items += _cited_by_numbers(out, given, block)
    out.items.sort(key=lambda c: (c.start, c.end))
    return out


def _cited_by_numbers(marked: Marked, items: Sequence[Item], block: int) -> list[ItemCitation]:
    """The sentences citing an item's own number whose item no mark names there."""
    by_prefix = {figure_prefix(item): item for item in items}
    found: list[ItemCitation] = []
    for citation in marked.citations:
        item = by_prefix.get(citation.figure_id.rsplit("_", 1)[0])
        if item is None:
            continue
        covering = [c for c in marked.items + found if c.start <= citation.start < c.end]
        if any(c.item_id == item.id for c in covering):
            continue
        stops = [i for i in (marked.text.find(c, citation.end) for c in _STOPS) if i >= 0]
        start, end = _stretch(marked.text, min(stops, default=len(marked.text)))
        found.append(ItemCitation(block, start, end, item.id, item_source(item)))
    return found


def mark_invented(marked: Marked) -> int:
    """A visible 〔待核〕 after each stretch whose mark named no item (kept for a person to
    check against the material, never as if sourced); how many were marked."""
    ends = sorted({i.end for i in marked.invented}, reverse=True)
    for end in ends:
        marked.text = marked.text[:end] + INVENTED_MARK + marked.text[end:]
        marked.citations = _shifted(marked.citations, end, len(INVENTED_MARK))
        marked.items = shift_items(marked.items, end, end, len(INVENTED_MARK))
    marked.invented = []
    return len(ends)


def repair_items(invented: Sequence[Invented], text: str, items: Sequence[Item]) -> list[str]:
    """What the repair request says of each invented mark: where, why, the allowed fixes."""
    listed = "、".join(f"〔item:{i.id}〕" for i in items) or "（本节没有事项）"
    found = []
    for one in invented:
        where = text[max(one.start, one.end - 30) : one.end]
        reason = f"事项清单中没有“{one.item_id}”这一事项" if one.item_id else "标记没有写事项编号"
        found.append(
            f"“{where}”后的事项标记\n  原因：{reason}\n"
            f"  可用的改法：这句话写的是清单中的某一事项时，改为它的标记（{listed}）；"
            f"科室材料中没有的事，删去这句话；或在句末写〔待核：事项名〕"
        )
    return found
