"""Where each 科室 item goes in a draft: done items (总结) under the summary section of their
topic, planned ones (计划) under the plan's, difficulties (问题) under 存在的问题. A topic the
figures do not cover but items do gets a section of its own (its neutral heading from the domain
pack, in the genre's order), so the bureau's work is not lost for want of a number; an item no
section can take (a one-section draft of another topic) stays unused and is listed as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .. import domain
from ..outline import Outline, Role, Section, numbered, strip_number
from ..topics import closest_among
from ..types import Figure, FigureSet, Item, ItemSet
from .facts import said_by, unsaid
from .prose import forms

_ROLES = {"summary": "总结", "plan": "计划", "problems": "问题"}
_KINDS = {"summary": "neutral", "plan": "plan"}
_ADDED: tuple[tuple[Role, str], ...] = (("summary", "总结"), ("plan", "计划"))


def _order(section: Section) -> int:
    order = domain.topics()
    return min((order.index(t) for t in section.topics if t in order), default=len(order))


def with_item_sections(outline: Outline, item_set: ItemSet) -> Outline:
    """The outline with a summary (or plan) section added for each topic only items speak of,
    the sections of that part renumbered. A one-section outline is left as it is."""
    sections = outline.sections
    for role, part in _ADDED:
        present = [s for s in sections if s.role == role]
        if not present or any(s.name for s in present):
            continue
        covered = {t for s in present for t in s.topics}
        wanted = dict.fromkeys(i.topic for i in item_set.of_part(part) if i.topic not in covered)
        if not wanted:
            continue
        added = [Section(role, domain.topic_heading(t, _KINDS[role]), 2, (t,)) for t in wanted]
        merged = sorted([*present, *added], key=_order)
        renumbered = iter(
            replace(s, heading=numbered(2, index, strip_number(s.heading or "")))
            for index, s in enumerate(merged)
        )
        first = sections.index(present[0])
        rest = [s for s in sections if s.role != role]
        sections = rest[:first] + list(renumbered) + rest[first:]
    outline.sections = sections
    return outline


def _stated(section: Section, figure_set: FigureSet, targets: bool) -> list[Figure]:
    """The numbers a section's figures say: their values, in a plan (with ``targets``) the
    targets it sets (全年新建改造城镇污水管网35公里)."""
    figures = [figure_set[i] for i in section.figure_ids]
    if section.role != "plan":
        return figures
    return [replace(f, value=f.target) for f in figures if targets and f.target is not None]


def _nearest(item: Item, candidates: list[tuple[int, Section]]) -> list[int]:
    """The section whose topic the item's words are closest to by the pack's rules
    (topics.closest_among), never the catch-all's for want of a subject."""
    topics = {t for _i, s in candidates for t in s.topics}
    near = closest_among(item.text, topics)
    return [i for i, s in candidates if near in s.topics]


def section_items(
    sections: Sequence[Section], item_set: ItemSet, figure_set: FigureSet, targets: bool = True
) -> list[list[Item]]:
    """Each section's items, in material order: by part and topic; a done or planned item of
    no section's topic goes to the section of that part whose topic its words are closest to
    (never the catch-all's by default), else to the part's last section. Nothing is said
    twice: an item its section's figures already say in full (facts.said_by) is left out, and
    one they say in part keeps only the rest (facts.unsaid). ``targets``: plan sections state
    their figures' targets (not in a year's report, whose plan is the next year's)."""
    placed: list[list[Item]] = [[] for _ in sections]
    for item in item_set.items:
        roles = [i for i, s in enumerate(sections) if _ROLES.get(s.role) == item.part]
        if not roles:
            continue
        if item.part == "问题":
            placed[roles[0]].append(item)
            continue
        own = [i for i in roles if item.topic in sections[i].topics]
        if sections[roles[0]].name and not own:
            continue  # a one-section draft takes only its own topic's items
        index = (own or _nearest(item, [(i, sections[i]) for i in roles]) or roles[-1:])[0]
        stated = _stated(sections[index], figure_set, targets)
        rest = None if said_by(item, stated) else unsaid(item, stated, forms())
        if rest is not None:
            placed[index].append(rest)
    return placed
