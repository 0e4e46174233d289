"""Score the number checker on the held-out sets (tests/data/check_heldout*.yaml).

Shared by tests/test_check_heldout.py (per-entry assertions) and bench/bench_check.py (precision
and recall per kind). A finding belongs to the expected number whose span it overlaps; a finding
that overlaps none is an extra (a false finding on text that holds no checkable number).
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from assistant.check import check_blocks
from assistant.types import FigureSet, Finding

HELDOUT = Path(__file__).parent / "data" / "check_heldout.yaml"
KINDS = ("ok", "mismatch", "unit", "direction", "unsourced", "stale", "placeholder")
_DIGITS = set("0123456789.")


@dataclass
class Expected:
    text: str
    kind: str
    figure: str | None
    start: int
    end: int


@dataclass
class Entry:
    id: str
    text: str
    numbers: list[Expected]
    traps: list[tuple[str, int, int]]
    gap: str | None = None


@dataclass
class Outcome:
    """The checker's findings on one entry, paired with what was expected."""

    entry: Entry
    pairs: list[tuple[Expected, Finding | None]]
    extras: list[Finding] = field(default_factory=list)

    def errors(self) -> list[str]:
        out = []
        for want, got in self.pairs:
            if got is None:
                out.append(f"{want.text}: expected {want.kind}, got no finding")
            elif not _right(want, got):
                out.append(
                    f"{want.text}: expected {want.kind}/{want.figure}, "
                    f"got {got.kind}/{got.figure_id} ({got.message})"
                )
        for got in self.extras:
            trap = [t for t, s, e in self.entry.traps if s < got.end and got.start < e]
            where = f" on trap {trap[0]!r}" if trap else ""
            out.append(f"{got.value}: unexpected {got.kind}{where} ({got.message})")
        return out


def _right(want: Expected, got: Finding) -> bool:
    return got.kind == want.kind and (want.figure is None or got.figure_id == want.figure)


def _locate(text: str, needle: str, after: int, entry_id: str) -> int:
    start = text.find(needle, after)
    if start < 0:
        raise ValueError(f"{entry_id}: {needle!r} not found after position {after}")
    end = start + len(needle)
    if needle[0] in _DIGITS and start > 0 and text[start - 1] in _DIGITS:
        raise ValueError(f"{entry_id}: {needle!r} starts inside a longer number")
    if needle[-1] in _DIGITS and end < len(text) and text[end] in _DIGITS:
        raise ValueError(f"{entry_id}: {needle!r} ends inside a longer number")
    return start


def load_heldout(path: Path = HELDOUT) -> list[Entry]:
    entries = []
    for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
        text, position, numbers = raw["text"], 0, []
        for needle, kind, figure in raw["numbers"]:
            needle = str(needle)
            if kind not in KINDS:
                raise ValueError(f"{raw['id']}: unknown kind {kind!r}")
            start = _locate(text, needle, position, raw["id"])
            numbers.append(Expected(needle, kind, figure, start, start + len(needle)))
            position = start + len(needle)
        traps = []
        for needle in raw.get("not", []):
            start = _locate(text, str(needle), 0, raw["id"])
            traps.append((str(needle), start, start + len(str(needle))))
        entries.append(Entry(raw["id"], text, numbers, traps, raw.get("gap")))
    return entries


def run_entry(entry: Entry, figure_set: FigureSet) -> Outcome:
    """A multi-line entry is one block per line (a table: its header row, then its rows);
    findings are placed back on the entry's text."""
    lines = entry.text.split("\n")
    offsets = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    findings = [
        replace(f, start=f.start + offsets[f.block], end=f.end + offsets[f.block])
        for f in check_blocks(lines, figure_set).findings
    ]
    pairs: list[tuple[Expected, Finding | None]] = []
    used: set[int] = set()
    for want in entry.numbers:
        hit = next(
            (
                i
                for i, f in enumerate(findings)
                if i not in used and f.start < want.end and want.start < f.end
            ),
            None,
        )
        if hit is not None:
            used.add(hit)
        pairs.append((want, findings[hit] if hit is not None else None))
    extras = [f for i, f in enumerate(findings) if i not in used]
    return Outcome(entry, pairs, extras)


@dataclass
class Scores:
    """Per kind: true positives (kind and figure right), predicted, expected."""

    tp: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    entries: int = 0
    entries_right: int = 0

    def add(self, outcome: Outcome) -> None:
        self.entries += 1
        self.entries_right += not outcome.errors()
        for want, got in outcome.pairs:
            self.expected[want.kind] += 1
            if got is not None:
                self.predicted[got.kind] += 1
                self.tp[want.kind] += _right(want, got)
        for got in outcome.extras:
            self.predicted[got.kind] += 1

    def precision(self, kind: str) -> float | None:
        return self.tp[kind] / self.predicted[kind] if self.predicted[kind] else None

    def recall(self, kind: str) -> float | None:
        return self.tp[kind] / self.expected[kind] if self.expected[kind] else None


def score_heldout(figure_set: FigureSet, entries: list[Entry]) -> tuple[Scores, list[Outcome]]:
    scores, outcomes = Scores(), []
    for entry in entries:
        outcome = run_entry(entry, figure_set)
        scores.add(outcome)
        outcomes.append(outcome)
    return scores, outcomes
