"""The genre's shape once the past phrasing is known: which plan sections a quarter's brief
下一步 keeps.

A quarter's 下一步工作打算 is short: a section for each topic with a target to chase, and for
each topic the office's past plans have words for (its own phrasing, not our stock). Without
either, the first three topics stand, as they always did.
"""

from __future__ import annotations

from collections.abc import Sequence

from .outline import Section, numbered, strip_number
from .periods import Period
from .types import Chunk, FigureSet

BRIEF_PLAN = 3  # sections of a quarter's plan when neither targets nor past plans choose


def brief_plan(
    sections: Sequence[Section],
    exemplars: Sequence[list[Chunk]],
    figure_set: FigureSet,
    period: Period,
) -> tuple[list[Section], list[list[Chunk]]]:
    """The outline's sections and their exemplars with a quarter's plan sections cut to those
    with a target or a past plan chunk of their topic, renumbered; other kinds as they are."""
    if period.kind != "quarter":
        return list(sections), list(exemplars)
    plans = [i for i, s in enumerate(sections) if s.role == "plan"]

    def wanted(index: int) -> bool:
        section = sections[index]
        if any(figure_set.target(i) for i in section.figure_ids):
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
