"""The figure index: which figure does a piece of text name?"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import domain
from ..figures import format_decimal
from ..numbers import extract_numbers
from ..periods import Period, last_spoken
from ..types import Figure, FigureSet, Quantity
from .text import _CJK_ONLY, _CJK_OR_WORD, _fold, _grams


@dataclass
class _Index:
    figures: tuple[Figure, ...]
    grams: dict[str, dict[str, float]]  # figure id → bigram → weight
    totals: dict[str, float]
    year: int | None
    side_numbers: dict[str, list[Figure]]  # "32项" written in a figure's 范围/备注 → figures
    side_words: dict[str, list[tuple[Figure, set[str]]]]  # same, with the words around it
    chars: dict[str, float]  # character → weight (rarer among figure names: heavier)
    period: Period | None  # the file's span of months, without its year (1-6 for 2025年上半年)
    rare: dict[str, set[str]]  # figure id → bigrams of its name that at most one other name has
    years: dict[str, tuple[int | None, int | None]]  # figure id → (its data year, 上年同期's year)
    noted: dict[str, tuple[int, int]]  # figure id → the months its 备注/范围 say it covers
    _words: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def of(cls, figure_set: FigureSet) -> _Index:
        """The index of ``figure_set``, built once per set of figures, period and domain pack:
        a draft checks each section and then the whole against the same figures (the chat
        keeps them between messages and sessions), and building it reads every 范围 and 备注.
        Only the figures and the period go into it, so a copy of a set under another path
        (each chat session keeps its own) has the same index."""
        key = (id(figure_set.figures), figure_set.period, domain.current())
        with _BUILT_LOCK:
            known = _BUILT.get(key)
        if known is not None and known.figures is figure_set.figures:
            return known
        index = cls.build(figure_set)
        with _BUILT_LOCK:
            if len(_BUILT) >= _KEPT:
                _BUILT.pop(next(iter(_BUILT)))
            _BUILT[key] = index
        return index

    @classmethod
    def build(cls, figure_set: FigureSet) -> _Index:
        names = {f.id: _grams(_strip_brackets(f.name)) | _grams(f.name) for f in figure_set}
        frequency = Counter(g for grams in names.values() for g in grams)
        count = max(len(names), 1)
        grams = {
            fid: {g: math.log(1 + count / frequency[g]) for g in fg} for fid, fg in names.items()
        }
        totals = {fid: sum(weights.values()) or 1.0 for fid, weights in grams.items()}
        year = figure_set.period.year if figure_set.period else None
        side: dict[str, list[Figure]] = {}
        side_words: dict[str, list[tuple[Figure, set[str]]]] = {}
        for figure in figure_set:
            for text in (figure.scope, figure.note):
                for quantity in extract_numbers(text or ""):
                    if quantity.value is not None and quantity.unit:
                        side.setdefault(_key(quantity), []).append(figure)
                        around = text[max(0, quantity.start - 8) : quantity.end + 4]  # type: ignore[index]
                        side_words.setdefault(_key(quantity), []).append(
                            (figure, _grams(around.replace(quantity.text, " ")))
                        )
        letters = Counter(
            c for f in figure_set for c in set(_fold(f.name)) if _CJK_OR_WORD.match(c)
        )
        chars = {c: math.log(1 + count / n) for c, n in letters.items()}
        return cls(
            figure_set.figures,
            grams,
            totals,
            year,
            side,
            side_words,
            chars,
            _report_span(figure_set.period),
            {fid: {g for g in fg if frequency[g] <= 2} for fid, fg in names.items()},
            {f.id: _data_years(f, figure_set.period) for f in figure_set},
            {f.id: months for f in figure_set if (months := _noted_months(f)) is not None},
        )

    def words(self, figure: Figure) -> dict[str, float]:
        """The figure's name as words (jieba, loaded on first use), weighted by how few names
        have each word."""
        if not self._words:
            names = {f.id: _name_words(f.name) for f in self.figures}
            frequency = Counter(w for words in names.values() for w in words)
            count = max(len(names), 1)
            self._words.update(
                {
                    fid: {w: math.log(1 + count / frequency[w]) for w in ws}
                    for fid, ws in names.items()
                }
            )
        return self._words.get(figure.id, {})

    def overlap(self, figure: Figure, context: set[str]) -> float:
        weights = self.grams[figure.id]
        return sum(w for g, w in weights.items() if g in context) / self.totals[figure.id]


_KEPT = 32  # indexes kept; each holds its figures, so their id is not reused while it is kept
_BUILT: dict[tuple[int, Period | None, Any], _Index] = {}
_BUILT_LOCK = threading.Lock()

_THIS_YEAR = re.compile(r"本期(?:为|是|系)?\s*((?:19|20)\d{2})\s*年")
_LAST_YEAR = re.compile(r"上年同期(?:为|是|系)?\s*((?:19|20)\d{2})\s*年")
_YEAR_SCOPE = re.compile(r"((?:19|20)\d{2})\s*年度")


def _data_years(figure: Figure, period: Period | None) -> tuple[int | None, int | None]:
    """The year a figure's value belongs to, and its 上年同期's year. Usually the period's year,
    but an annual index published mid-year says otherwise in its 备注 or 来源 (EQI: "本期为2024
    年度值" in a 2025 half-year file), and then "2024年度…64.38" is this period's number."""
    note, source = figure.note or "", figure.provenance.source or ""
    match = _THIS_YEAR.search(note) or _YEAR_SCOPE.search(source)
    own = (figure.period or period or Period(None)).year
    year = int(match.group(1)) if match else own
    last = _LAST_YEAR.search(note)
    return year, int(last.group(1)) if last else (year - 1 if year else None)


def _noted_months(figure: Figure) -> tuple[int, int] | None:
    """The months a figure's 备注 or 范围 say its number covers, when not the whole year: an
    annual report written before the year ends gives 1-11月 numbers (and says so), a sheet
    notes them."""
    for text in (figure.note, figure.scope):
        spoken = last_spoken(text or "")
        if spoken is not None and spoken.since is None and not spoken.whole_year:
            return spoken.span
    return None


@functools.cache
def _segmenter() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer()


def _name_words(name: str) -> set[str]:
    """Content words of a figure's name: jieba words of two or more characters (类, 的 say
    nothing of what is counted), and letter/digit names (PM2.5, O3)."""
    plain = _fold(_strip_brackets(name))
    words = {w for w in _segmenter().lcut(plain) if len(w) >= 2 and _CJK_ONLY.match(w)}
    return words | {w for w in re.findall(r"[a-z][a-z0-9.]+", plain)}


def _strip_brackets(name: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]", "", name)


def _key(quantity: Quantity) -> str:
    return f"{format_decimal(quantity.value or Decimal(0))}{quantity.unit or ''}"


def _report_span(report: Period | None) -> Period | None:
    """The months the file reports on, compared with the periods sentences name (no year)."""
    return None if report is None or report.since is not None else Period(None, *report.span)
