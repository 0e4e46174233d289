"""The checker on held-out, editor-style text written apart from the checker's rules and the
benchmark's generator: tests/data/check_heldout.yaml (the checker was then fixed against it),
check_heldout_fresh.yaml (written after those fixes) and check_heldout_third.yaml (written before
the table/data-year/plan/naming fixes; multi-line entries are tables). Entries with a ``gap`` are
known weaknesses: they must still fail (strict xfail), so a fix shows up as an unexpected pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.figures import load_figures
from assistant.numbers import extract_numbers

from .heldout import HELDOUT, load_heldout, run_entry

ROOT = Path(__file__).resolve().parents[1]
ENTRIES = [
    entry
    for name in ("check_heldout.yaml", "check_heldout_fresh.yaml", "check_heldout_third.yaml")
    for entry in load_heldout(HELDOUT.with_name(name))
]


@pytest.fixture(scope="module")
def figure_set():
    return load_figures(ROOT / "corpus/sample/figures-2025H1.csv")


def test_heldout_is_large_and_covers_every_kind():
    kinds = {n.kind for e in ENTRIES for n in e.numbers}
    assert len(ENTRIES) >= 80
    assert len({e.id for e in ENTRIES}) == len(ENTRIES)
    assert kinds == {"ok", "mismatch", "unit", "direction", "unsourced", "stale", "placeholder"}
    assert sum(1 for e in ENTRIES if e.traps) >= 20


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(e, id=e.id, marks=pytest.mark.xfail(reason=e.gap, strict=True))
        if e.gap
        else pytest.param(e, id=e.id)
        for e in ENTRIES
    ],
)
def test_heldout_entry(entry, figure_set):
    outcome = run_entry(entry, figure_set)
    assert outcome.errors() == [], entry.text


def test_table_cells_are_not_a_range():
    """ "3\t-33.3%" is two cells (上年同期, 同比), not the range 3–33.3."""
    found = extract_numbers("重污染天数（天）\t2\t3\t-33.3%")
    assert [(q.text, q.form) for q in found] == [
        ("2", "number"),
        ("3", "number"),
        ("-33.3%", "number"),
    ]
