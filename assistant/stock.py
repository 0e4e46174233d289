"""Our stock phrasing made the unit's own: the template writer's last resort, where neither the
figures nor the bureau's past text give a sentence.

A stock string of the domain pack may hold groups of alternatives, ``[持续推进|深化|强化]``,
and slots code fills, ``{name}``. Each group's alternative is chosen by a stable hash of the
unit (so one bureau gets the same draft every time and two bureaus do not get the same sentence
word for word); an alternative naming a slot the caller has no value for is never chosen, one
whose slot it has (the unit's own figures, its own work) is chosen over those without. Which
stock sentences come first depends on the unit too: those whose topic words the unit's own
material (its figures, the past text retrieved for the section) says, then the unit's order.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Mapping, Sequence

from . import domain, era
from .domain import patterns
from .outline import topics_covered, trouble
from .prose import prose_name
from .types import Figure, FigureSet

GROUP = re.compile(r"\[([^\[\]]*)\]")
SLOT = re.compile(r"\{(\w+)\}")


def seed(unit: str, *keys: str) -> int:
    """A stable number for the unit and what is being chosen (never ``hash()``: it changes
    between runs; nor crc32, whose orders for two units of one length are the same up to an
    exclusive-or, so their choices would go together)."""
    digest = hashlib.blake2b("|".join((unit, *keys)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def identity(unit: str, figure_set: FigureSet) -> str:
    """Who a draft is for, as its choices are seeded: the unit and its figures' names (two
    bureaus' sheets differ even where an anonymised unit name does not; one bureau's same
    inputs give the same draft every time)."""
    return "|".join((unit, *sorted({f.name for f in figure_set})))


def _fits(alternative: str, slots: Mapping[str, str]) -> bool:
    return all(name in slots for name in SLOT.findall(alternative))


def choose(text: str, unit: str, key: str = "", slots: Mapping[str, str] | None = None) -> str:
    """One variant of a stock string for the unit: each ``[a|b|c]`` group's alternative picked
    by the unit's seed among those whose slots are given (one that says a slot is the unit's own
    and goes first), then the slots filled."""
    given = dict(slots or {})
    picked: list[str] = []

    def pick(found: re.Match[str]) -> str:
        options = [o for o in found.group(1).split("|") if _fits(o, given)]
        options = [o for o in options if SLOT.search(o)] or options  # the unit's own words first
        if not options:
            return ""
        index = seed(unit, key, text, str(len(picked))) % len(options)
        picked.append(options[index])
        return options[index]

    chosen = GROUP.sub(pick, text)
    return SLOT.sub(lambda m: given.get(m.group(1), m.group(0)), chosen)


def variants(text: str) -> list[str]:
    """Every variant a stock string can take, slots left as written (for measuring how near a
    draft's sentence is to our stock)."""
    pieces = GROUP.split(text)  # text, group, text, group, …
    choices = [[piece] if i % 2 == 0 else piece.split("|") for i, piece in enumerate(pieces)]
    return ["".join(parts) for parts in itertools.product(*choices)]


def plain(text: str) -> str:
    """A stock string with its groups read as their first alternative (for word tests)."""
    return GROUP.sub(lambda m: m.group(1).split("|")[0], text)


def relevance(text: str, words: Sequence[str], material: str) -> int:
    """How many of the topic's ``words`` both the stock string and the unit's material say."""
    low_text, low_material = text.lower(), material.lower()
    return sum(1 for w in words if w.lower() in low_text and w.lower() in low_material)


def ranked(
    stock: Sequence[str], unit: str, material: str = "", words: Sequence[str] = ()
) -> list[str]:
    """Stock strings in the unit's order: those speaking of what the unit's own material says
    first (its figures, its past text), then by the unit's seed."""
    return sorted(
        stock,
        key=lambda text: (not relevance(text, words, material), seed(unit, text), text),
    )


# --- the unit's own words for the slots ---------------------------------------------------------


def short_name(figure: Figure) -> str:
    """A figure's name as prose says it, without a bracketed gloss (臭氧浓度（O3-8h第90百分位）
    → 臭氧浓度: the gloss's digits are no figure of ours)."""
    return re.sub(r"[（(][^）)]*[）)]", "", prose_name(figure.name)).strip()


def work(figure_set: FigureSet, unit: str, limit: int = 3) -> str:
    """The work the unit's figures speak of, said as its topics' sections (大气污染防治、水污染
    防治和环境执法监管); empty when the figures name no topic of their own."""
    overview = domain.default_topic()
    names = [domain.section_name(t) for t in topics_covered(figure_set, unit) if t != overview]
    return joined(names[:limit])


def weak(figure_set: FigureSet, period_kind: str, limit: int = 2) -> str:
    """The figures in trouble this period (outline.trouble), by name: 优良天数比例和臭氧浓度."""
    found = [
        short_name(f) for f in figure_set if trouble(figure_set, f.id, period_kind) is not None
    ]
    return joined(list(dict.fromkeys(found))[:limit])


def joined(words: Sequence[str]) -> str:
    """A、B和C."""
    if len(words) <= 1:
        return "".join(words)
    return "、".join(words[:-1]) + "和" + words[-1]


def gov(level: str | None) -> str:
    """The unit's own government as the pack's level words say it (县委、县政府)."""
    return _own_word(level, "、")


def scope(level: str | None) -> str:
    """The unit's whole area as the pack's level words say it (全县)."""
    return _own_word(level, "全")


def _own_word(level: str | None, mark: str) -> str:
    words = [w for w in domain.data("levels.yaml")["own_words"] if mark in w]
    return words[0].format(L=level) if level and words else ""


def problem_title(figure: Figure, kind: str, unit: str) -> str:
    """A problem's title from the figure behind it and what is wrong with it (trouble's kind;
    a figure that got worse says which way)."""
    if kind == "worse":
        kind = "worse_lower" if figure.better == "lower" else "worse_higher"
    text = patterns()["problem_title"][kind]
    return choose(text, unit, "problem", {"name": short_name(figure)})


def adverbed(text: str, unit: str) -> str:
    """A stock measure opening with one of the pack's ``stock_verbs`` with one of its
    ``stock_adverbs`` before it, chosen by the unit (进一步加强…); else as it is."""
    table = patterns()
    adverbs = table.get("stock_adverbs", ())
    if not adverbs or not text.startswith(tuple(table.get("stock_verbs", ()))):
        return text
    return adverbs[seed(unit, "adverb", text) % len(adverbs)] + text


def measures(
    topics: Sequence[str],
    key: str,
    unit: str,
    material: str,
    year: int | None,
    slots: Mapping[str, str] | None = None,
) -> list[str]:
    """The topics' stock measures (key "measures") or plans ("plans") as the unit's own: those
    whose topic words the unit's ``material`` says first, each with its alternatives chosen by
    the unit and its ``slots`` filled (scope: 全县), in the year's wording (a sentence the year
    cannot say is left out)."""
    found: list[str] = []
    for topic in topics:
        words = domain.topic_words(topic)
        for text in ranked(domain.topic_sentences(topic, key), unit, material, words):  # type: ignore[arg-type]
            said = era.of_year(adverbed(choose(text, unit, topic, slots), unit), year)
            if said:
                found.append(said)
    return found
