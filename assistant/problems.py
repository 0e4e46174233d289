"""A past 存在的问题 part as items: each problem's title and the sentences that explain it.

Offices write problems as “一是<title>。<why>。二是…” or as sub-headings (（一）<title>) over a
paragraph. The template writer reuses them whole — a title alone says little (一季度受不利气象
条件影响 is half a thought) — once the explanation's numbers, claims and other topics are gone
(past_problems decides which may stand).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .domain import patterns
from .measures import _said, by_unit, in_summary_time
from .metrics import find_metric
from .numbers import extract_numbers
from .outline import assigned_topics, trouble
from .refill import ITEM_PREFIX, YEAR, narrative, sentences
from .splitting import classify_topic
from .types import Chunk

if TYPE_CHECKING:
    from .writers import Context

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


def past_problems(
    context: Context, stated: set[str], measured: set[str], troubled: set[str]
) -> list[tuple[Chunk, str]]:
    """The past problems that may stand in this draft, as “title。why。”: of a topic the draft
    covers whose figures stated no problem (the section's own topics: 土壤 gets no VOCs problem),
    no number, no claim about the past period, nothing a current figure contradicts. A topic
    this period's figures and 科室 material say nothing of gets none: 水环境质量不够稳定 with no
    water figure is a claim nobody can check."""
    found: list[tuple[Chunk, str]] = []
    kind = context.period.period_kind or ""
    taken = set(stated)  # one problem a topic
    topic_of = assigned_topics(context.figure_set, context.unit)
    on_pace = _on_pace(context, topic_of)
    spoken = set(topic_of.values()) | {item.topic for item in context.items}
    for chunk in by_unit(context.exemplars, context.unit, kind, context.identity):
        if chunk.part != "问题":
            continue
        for item in problem_items(context.own(chunk), chunk.heading_path):
            topic = classify_topic((), item.title + item.explanation)
            if topic not in context.section.topics or topic in taken or topic not in spoken:
                continue
            title = item.title
            if extract_numbers(title) or YEAR.search(title) or len(title) < 6:
                continue
            if _contradicted(title, measured, troubled) or not in_summary_time(title, kind):
                continue
            if topic in on_pace and any(w in title for w in patterns().get("progress_words", ())):
                continue  # 重点工程进度不均衡 while the topic's targets are on pace
            why = [
                cause
                for cause in narrative(item.explanation, limit=2, min_chars=8, join=3)
                if not _unmeasured_claim(cause, troubled) and in_summary_time(cause, kind)
            ]
            text = f"{title}。" + (f"{'；'.join(why)}。" if why else "")
            if not any(_said(text, other, share=0.5) for _, other in found):
                found.append((chunk, text))
                taken.add(topic)
    return found


def _on_pace(context: Context, topic_of: dict[str, str]) -> set[str]:
    """The topics whose figures with a target are all on pace (outline.trouble finds nothing
    wrong with any): a past problem of slow progress there has no figure behind it, and the
    figures say otherwise. ``topic_of``: each figure's section (outline.assigned_topics)."""
    figure_set, kind = context.figure_set, context.period.period_kind or ""
    targeted: dict[str, list[bool]] = {}
    for figure in figure_set:
        if figure.missing or figure_set.target(figure.id) is None:
            continue
        fine = trouble(figure_set, figure.id, kind) is None
        targeted.setdefault(topic_of[figure.id], []).append(fine)
    return {topic for topic, fine in targeted.items() if all(fine)}


def _unmeasured_claim(cause: str, troubled: set[str]) -> bool:
    """Whether a past problem's reason speaks of a metric this period's figures do not show in
    trouble (完成投资低于时间进度 with no investment figure behind it, or one on track): a claim
    nobody can check against the figures, so it does not stand; a reason naming no metric
    (执法人员不足与监管对象多的矛盾依然突出) may."""
    return any(
        (metric := find_metric(clause)) is not None and metric.name not in troubled
        for clause in cause.split("，")
    )


def _contradicted(cause: str, measured: set[str], troubled: set[str]) -> bool:
    """A past problem's cause about a metric this period's figures show on track (污水管网建设
    进度滞后 when the pipes are ahead of pace; PM2.5浓度仍处于高位 under the target) is false."""
    metric = find_metric(cause)
    return metric is not None and metric.name in measured and metric.name not in troubled
