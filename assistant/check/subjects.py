"""Whose a number is: the subjects (domain pack subjects.yaml) a figure's name and a number's
words name. A clause naming another subject of the same metric than the figure's (a drinking-water
source's 优良率, not the air's; one project's investment, not another campaign's) is evidence the
number is not that figure's: it is unsourced, never wrong, and never confirmed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .. import domain
from ..types import Figure
from .spots import _Spot

_Subjects = tuple[tuple[int, frozenset[str]], ...]


@dataclass(frozen=True)
class _Group:
    name: str
    applies_to: tuple[str, ...]
    whole: bool  # a figure naming none of the subjects is their total
    pattern: re.Pattern[str]  # every word of every subject, longest first
    owner: dict[str, str]  # folded word → subject


@cache
def _groups(pack: domain.Domain) -> tuple[_Group, ...]:
    if "subjects.yaml" not in pack.files:
        return ()
    groups = []
    for spec in domain.file_data(pack, "subjects.yaml")["groups"]:
        owner = {
            domain.match_key(word): subject
            for subject, words in spec["subjects"].items()
            for word in words
        }
        words = sorted(owner, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(w) for w in words))
        applies = tuple(domain.match_key(w) for w in spec["applies_to"])
        groups.append(_Group(spec["name"], applies, spec["unnamed_is_whole"], pattern, owner))
    return tuple(groups)


def _named(group: _Group, text: str) -> list[str]:
    """The subjects ``text`` names, in the order it names them."""
    return [group.owner[m.group()] for m in group.pattern.finditer(domain.match_key(text))]


@cache
def figure_subjects(
    pack: domain.Domain, name: str, scope: str
) -> tuple[tuple[int, frozenset[str]], ...]:
    """(group position, subjects the figure names) for each group that speaks of the figure;
    an empty set: the figure is the whole of a group whose subjects it does not name."""
    text = f"{name} {scope}"
    key = domain.match_key(text)
    out = []
    for position, group in enumerate(_groups(pack)):
        named = frozenset(_named(group, text))
        if group.applies_to and not any(word in key for word in group.applies_to):
            continue
        if named or group.whole:
            out.append((position, named))
    return tuple(out)


def _said(spot: _Spot, groups: tuple[_Group, ...]) -> tuple[tuple[set[str], set[str]], ...]:
    """Per group: the subjects the number's own clause names, and the one its sentence named
    last before the number (worked out once per number)."""
    if spot.said is None:
        own, before = spot.naming, spot.text[spot.sentence_start : spot.q.start]
        member = spot.member
        if member is not None and member.items:  # 大气、水类…分别为: this number's item only
            own = member.items[member.index] + own[len(member.subject) :]
            before = ""
        spot.said = tuple(
            (set(_named(group, own)), set(_named(group, before)[-1:])) for group in groups
        )
    return spot.said


def contradicted(spot: _Spot, figure: Figure) -> str | None:
    """The subject the number's words name that the figure's name excludes, else None. The
    number's own clause decides; where it names none of a group, the subject named last before
    the number in its sentence (never for a whole: there the number's own words must say it is
    a part)."""
    pack = domain.current()
    groups = _groups(pack)
    if not groups:
        return None
    said = _said(spot, groups)
    for position, subjects in figure_subjects(pack, figure.name, figure.scope or ""):
        own, last = said[position]
        named = own or (last if subjects else set())
        if named and not named & subjects:
            return sorted(named)[0]
    return None
