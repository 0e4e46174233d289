"""What the figures bear out: one figure's trouble for the period (behind pace, missed, worse
同比) and a topic's verdict on what a heading or an opening sentence claims (持续向好, 保持稳定,
全面完成). One rule for headings, the opening and 存在的问题 (assistant.outline, writers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .domain import patterns
from .periods import pace_for
from .types import FigureSet

HeadingClaim = Literal["better", "steady", "done"]


def heading_claim(heading: str) -> HeadingClaim | None:
    """What a heading claims about its topic's figures: "better" (持续向好, 稳步提升…),
    "done" (全面完成: every target achieved), "steady" (保持稳定, 有效管控…) or nothing."""
    claims = patterns()["heading_claims"]
    for kind in ("better", "done", "steady"):
        if any(word in heading for word in claims[kind]):
            return kind  # type: ignore[return-value]
    return None


Trouble = Literal["behind", "pressure", "missed", "worse"]


def trouble(figure_set: FigureSet, figure_id: str, period_kind: str) -> Trouble | None:
    """What is wrong with one figure for the period, the one rule for headings, the opening and
    存在的问题: an amount target behind the period's pace (PACE) is "behind"; a concentration or
    rate off its annual target is "missed" in a full year, but within the year only "pressure"
    and only when it also got worse 同比 (the seasons weigh on part-year averages: 一季度 PM2.5 is
    a winter figure); a figure on course for its target or without one is "worse" when it got
    worse 同比. None: nothing wrong, or the figure is missing."""
    figure = figure_set[figure_id]
    if figure.missing:
        return None
    change = figure_set.change(figure_id)
    worse = change is not None and change.improved is False
    check = figure_set.target(figure_id)
    if check is not None and not check.met:
        pace = pace_for(period_kind, figure.period or figure_set.period)
        if check.completion is not None:
            return "behind" if check.completion < pace else None
        if pace < 100:
            return "pressure" if worse else None
        return "missed"
    return "worse" if worse else None


@dataclass(frozen=True)
class Verdict:
    """What a topic's figures say: how many got better or worse 同比, how many missed a target
    by the rule of ``trouble`` (an amount behind the period's pace; within the year a
    concentration or rate only when it also got worse)."""

    improved: int = 0
    worse: int = 0
    missed: int = 0
    so_far: bool = False  # figures of part of the drafted period (an annual summary from 1-11月)

    def supports(self, claim: HeadingClaim | None) -> bool:
        if claim is None:
            return True
        if self.worse or self.missed or (claim == "done" and self.so_far):
            return False
        return claim in ("steady", "done") or self.improved > 0


def verdict(figure_set: FigureSet, figure_ids: Sequence[str], period_kind: str) -> Verdict:
    improved = worse = missed = 0
    so_far = False
    for figure_id in figure_ids:
        figure = figure_set[figure_id]
        if figure.missing:
            continue
        change = figure_set.change(figure_id)
        if change is not None and change.improved is not None:
            improved += change.improved
            worse += not change.improved
        missed += trouble(figure_set, figure_id, period_kind) in ("behind", "pressure", "missed")
        so_far |= pace_for(period_kind, figure.period or figure_set.period) < pace_for(period_kind)
    return Verdict(improved, worse, missed, so_far)
