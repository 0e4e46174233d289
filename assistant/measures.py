"""Which past measures may stand in a new draft, and when: a one-year task or standing practice,
the period a clause speaks of, and the past chunks in a unit's own order (the template writer's
rules, assistant.writers)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from . import domain, stock
from .domain import patterns
from .outline import section_topics
from .periods import PLAN_START, SPANS
from .refill import clauses, sentences
from .splitting import classify_topic
from .types import Chunk


def by_unit(
    chunks: Sequence[Chunk], unit: str, period_kind: str, identity: str = ""
) -> list[Chunk]:
    """Past chunks in the order a unit draws on them: its own documents first, the most recent
    first; then the others of the drafted period kind before the rest, each in an order of the
    unit's own (a stable hash of its ``identity``, assistant.stock.identity, and the chunk).
    When several past sentences fit, two bureaus drafting from one shared corpus do not take
    the same ones, and one bureau takes the same ones every time."""
    seed = identity or unit

    def key(chunk: Chunk) -> tuple[bool, bool, int, str]:
        own = bool(unit) and chunk.unit == unit
        order = -(chunk.year or 0) if own else stock.seed(seed, chunk.id)
        return (not own, chunk.period != period_kind, order, chunk.id)

    return sorted(chunks, key=key)


# A measure tied to one year's work: a deadline (9月底前, 年底前), a project phase (三期), a named
# water body or place, a document title, or a bid for a title (力争…创建).
SPECIFIC = re.compile(
    r"(?:\d{1,2}|[一二三四五六七八九十]{1,2})月(?:底|末|中旬|上旬|下旬|份)?(?:前|起)|年底前|年内|"
    r"[一二三四五六七八九]期|《|力争|[\u4e00-\u9fff]{2}(?:沟|水库|入江口|湿地公园|森林公园|街道)"
)
RECURS = 0.6  # share of a clause's character bigrams another year's clause must share


# The first month a plan covers, by the period drafted, and the seasons already over by then.
_SEASONS_OVER = {"上半年": ("春季", "春节"), "前三季度": ("春季", "春节", "夏季", "汛期")}
_MONTH = re.compile(r"(?<![\d年-])(1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])月(?![\d份]*[-至~])")
_CN_MONTHS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)} | {
    "十一": 11,
    "十二": 12,
}


def in_plan_time(text: str, period_kind: str) -> bool:
    """Whether a past plan's clause still lies ahead: the 四季度 plan cannot "5月起启动夏季臭氧
    攻坚" — a month before the plan's first month, or a season already over, is last year's."""
    start = PLAN_START.get(period_kind, 1)
    for found in _MONTH.finditer(text):
        month = found.group(1)
        if (int(month) if month.isdigit() else _CN_MONTHS[month]) < start:
            return False
    return not any(word in text for word in _SEASONS_OVER.get(period_kind, ()))


# Seasons a part-year summary cannot yet speak of (its period ends before them).
_SEASONS_AHEAD = {"一季度": ("夏季", "秋季", "汛期"), "上半年": ("秋季",)}
_MONTHS_SAID = re.compile(r"(\d{1,2})\s*(?:[-—至~]\s*(\d{1,2})\s*)?月")


def in_summary_time(text: str, period_kind: str) -> bool:
    """Whether a past summary's clause can be about the drafted period: an 一季度 summary does
    not “5-9月实施VOCs夏季攻坚” — no month after the period's last, no season still ahead."""
    last = SPANS[period_kind][1] if period_kind in SPANS else 12
    for found in _MONTHS_SAID.finditer(text):
        if max(int(m) for m in found.groups() if m) > last:
            return False
    return not any(word in text for word in _SEASONS_AHEAD.get(period_kind, ()))


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _clause_history(chunks: Sequence[Chunk]) -> list[tuple[int | None, set[str]]]:
    """Every clause of the exemplars (any part) as bigrams with its document's year."""
    return [
        (chunk.year, _bigrams(piece))
        for chunk in chunks
        for sentence in sentences(chunk.text)
        for piece in clauses(sentence)
    ]


def recurs(clause: str, year: int | None, history: Sequence[tuple[int | None, set[str]]]) -> bool:
    """Whether a clause comes back in a past document of another year: the bureau's standing
    practice, not one year's task."""
    grams = _bigrams(clause)
    if not grams:
        return False
    return any(
        other_year != year and len(grams & other) >= RECURS * len(grams)
        for other_year, other in history
    )


def subject_year(chunk: Chunk) -> int | None:
    """The year a past chunk is about: an annual document's plan is about the next year."""
    if chunk.year and chunk.part == "计划" and chunk.period == "全年":
        return chunk.year + 1
    return chunk.year


def reusable_measure(
    clause: str,
    chunk: Chunk,
    topics: Sequence[str],
    year: int | None,
    history: Sequence[tuple[int | None, set[str]]],
) -> bool:
    """Whether a past 一是/二是 measure may stand in the new draft.

    - Its topic must be the section's: a clause no topic can be read from is kept only when
      the past section it came from was about no other topic.
    - In a summary (what was done this period) a measure that recurs across years is
      plausible, and so is standing practice (see practice); anything else is one year's work.
    - In a plan a measure naming a project, place or deadline is kept only from a document about
      the drafted year, or when it recurs across years.
    """
    topic = classify_topic((), clause)
    overview = domain.default_topic()
    if topic != overview and topic not in topics:
        return False
    if topic == overview and len(chunk.heading_path) >= 2:
        named = set(section_topics(chunk.heading_path[1])) - {overview}
        if named - set(topics):
            return False
    standing = recurs(clause, chunk.year, history)
    if chunk.part != "计划":
        return standing or practice(clause)
    if SPECIFIC.search(clause):
        return standing or (year is not None and subject_year(chunk) == year)
    return True


def practice(clause: str) -> bool:
    """Whether a past summary measure reads as standing practice an office states every period
    (推行“双随机、一公开”监管, 狠抓扬尘面源管控): no deadline, project phase, named place or title
    (SPECIFIC), and none of the pack's one-off words (启动, 召开, 评为, 春节 …)."""
    if SPECIFIC.search(clause) or _MONTHS_SAID.search(clause):
        return False
    return not any(word in clause for word in patterns().get("one_off", ()))


def _reusable_runs(run: str, fits: Callable[[str], bool]) -> list[str]:
    """A run of clauses (narrative's join) cut where a clause may not stand: the clauses that
    do, each stretch of them kept together."""
    stretches: list[list[str]] = [[]]
    for clause in run.split("，"):
        if fits(clause):
            stretches[-1].append(clause)
        elif stretches[-1]:
            stretches.append([])
    return ["，".join(stretch) for stretch in stretches if stretch]


def _said(measure: str, written: str, share: float = 0.6) -> bool:
    """Whether the section's text already says a measure, or one of its clauses (most of the
    bigrams are there)."""
    said = _bigrams(written)
    pieces = [measure, *(p for p in re.split(r"[，；]", measure) if len(p) >= 6)]
    for piece in pieces:
        grams = _bigrams(piece)
        if grams and len(grams & said) >= share * len(grams):
            return True
    return False
