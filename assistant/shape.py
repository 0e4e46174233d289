"""The genre's shape once the past phrasing is known: which plan sections a draft keeps.

The outline offers a plan section for every topic the summary speaks of (the genre's shape,
shape.yaml). One stays when it has something of the office's own to say: a target to chase, a
past plan of its topic (its own phrasing, not our stock), a 科室's planned item of its topic, or
— in a half year's or a year's plan, not a quarter's brief 下一步 — this period's figures to
follow up. Without any, the first three stand, as they always did.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from .outline import Section, numbered, strip_number
from .periods import Period
from .types import Chunk, FigureSet

BRIEF_PLAN = 3  # sections of a quarter's plan when neither targets nor past plans choose


def plan_sections(
    sections: Sequence[Section],
    exemplars: Sequence[list[Chunk]],
    figure_set: FigureSet,
    period: Period,
    planned: Collection[str] = (),
) -> tuple[list[Section], list[list[Chunk]]]:
    """The outline's sections and their exemplars with the plan sections cut to those that have
    something of their own to say (see the module), renumbered. ``planned``: the topics of the
    科室's planned items, whose sections they fill."""
    plans = [i for i, s in enumerate(sections) if s.role == "plan"]

    def wanted(index: int) -> bool:
        section = sections[index]
        if any(figure_set.target(i) for i in section.figure_ids):
            return True
        if any(t in planned for t in section.topics):
            return True
        if period.kind != "quarter" and section.figure_ids:
            return True
        return any(c.part == "计划" and c.topic in section.topics for c in exemplars[index])

    kept = [i for i in plans if wanted(i)] or plans[:BRIEF_PLAN]
    out_sections: list[Section] = []
    out_exemplars: list[list[Chunk]] = []
    number = 0
    for index, (section, found) in enumerate(zip(sections, exemplars, strict=True)):
        if section.role == "plan":
            if index not in kept:
                continue
            heading = numbered(2, number, strip_number(section.heading or ""))
            section = Section(
                section.role, heading, section.level, section.topics, section.figure_ids
            )
            number += 1
        out_sections.append(section)
        out_exemplars.append(found)
    return out_sections, out_exemplars
