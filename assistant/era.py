"""The era a phrase belongs to: a reused sentence keeps only wording current in the drafted
year (the dated wording table of the domain pack, dated.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .names import pack

_SENTENCE = re.compile(r"[^。！？\n]*(?:[。！？]+[”’）]?|$)")


@dataclass(frozen=True)
class Dated:
    text: str
    first: int | None
    last: int | None
    then: str | None  # the wording that took its place after ``last``

    def current(self, year: int) -> bool:
        return (self.first is None or year >= self.first) and (self.last is None or year <= self.last)


@cache
def table() -> tuple[Dated, ...]:
    rows = pack("dated.yaml")["phrases"]
    found = [Dated(r["text"], r.get("from"), r.get("until"), r.get("then")) for r in rows]
    return tuple(sorted(found, key=lambda d: len(d.text), reverse=True))


def stale(text: str, year: int | None) -> list[str]:
    """The dated phrases of a text not current in ``year`` (longest wins where they overlap)."""
    if year is None:
        return []
    found = []
    covered: list[tuple[int, int]] = []
    for dated in table():
        for match in re.finditer(re.escape(dated.text), text):
            span = match.span()
            if any(a <= span[0] < b for a, b in covered):
                continue
            covered.append(span)
            if not dated.current(year):
                found.append(dated.text)
    return found


def _renew(sentence: str, year: int) -> str | None:
    """The sentence in the year's wording, or None when a phrase has no successor."""
    for dated in table():
        if dated.text not in sentence or dated.current(year):
            continue
        later = dated.then is not None and dated.last is not None and year > dated.last
        if not later:
            return None
        sentence = sentence.replace(dated.text, dated.then)  # type: ignore[arg-type]
    return sentence if not stale(sentence, year) else None


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
