"""The era a phrase belongs to: a reused sentence keeps only wording current in the drafted
year (the dated wording table of the domain pack, dated.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from . import domain

_SENTENCE = re.compile(r"[^。！？\n]*(?:[。！？]+[”’）]?|$)")


@dataclass(frozen=True)
class Dated:
    text: str
    first: int | None
    last: int | None
    then: str | None  # the wording that took its place after ``last``

    def current(self, year: int) -> bool:
        return (self.first is None or year >= self.first) and (
            self.last is None or year <= self.last
        )


def table() -> tuple[Dated, ...]:
    """The active domain pack's dated wording, longest phrase first."""
    return _table(domain.current())


@cache
def _table(pack: domain.Domain) -> tuple[Dated, ...]:
    rows = domain.file_data(pack, "dated.yaml")["phrases"]
    found = [Dated(r["text"], r.get("from"), r.get("until"), r.get("then")) for r in rows]
    return tuple(sorted(found, key=lambda d: len(d.text), reverse=True))


def stale_spans(text: str, year: int) -> list[tuple[int, int, Dated]]:
    """Where a text says a phrase not current in ``year``; the longest phrase wins a span
    (深入打好污染防治攻坚战 is not 打好污染防治攻坚战)."""
    found = []
    covered: list[tuple[int, int]] = []
    for dated in table():
        if dated.text not in text:  # most phrases are in no given text: skip the regex
            continue
        for match in re.finditer(re.escape(dated.text), text):
            start, end = match.span()
            if any(a < end and start < b for a, b in covered):
                continue
            covered.append((start, end))
            if not dated.current(year):
                found.append((start, end, dated))
    return sorted(found, key=lambda item: item[0])


def stale(text: str, year: int | None) -> list[str]:
    """The dated phrases of a text not current in ``year``."""
    return [] if year is None else [dated.text for _, _, dated in stale_spans(text, year)]


def _renew(sentence: str, year: int) -> str | None:
    """The sentence in the year's wording, or None when a phrase has no successor."""
    for start, end, dated in reversed(stale_spans(sentence, year)):
        if dated.then is None or dated.last is None or year <= dated.last:
            return None
        sentence = sentence[:start] + dated.then + sentence[end:]
    return sentence


def of_year(text: str, year: int | None) -> str:
    """A past passage with every sentence in the year's wording; sentences that cannot be are
    dropped."""
    if year is None:
        return text
    paragraphs = []
    for paragraph in text.split("\n"):
        kept = []
        for sentence in _SENTENCE.findall(paragraph):
            if sentence.strip() and (renewed := _renew(sentence, year)) is not None:
                kept.append(renewed)
        paragraphs.append("".join(kept))
    return "\n".join(paragraphs)
