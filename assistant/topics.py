"""Which topic a figure belongs under when its file has no 主题 column: the metric dictionary's
topic where it names one, else the most specific hint word of the domain pack
(metric_hints.yaml) in the figure's name, else the topic whose words its name is closest to —
never the catch-all (重点工程) for a name nothing places."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from functools import cache, lru_cache, partial

from . import domain


def _hints() -> tuple[tuple[str, str], ...]:
    """(word, topic) pairs of the active pack, longest word first."""
    return _pack_hints(domain.current())


@cache
def _pack_hints(pack: domain.Domain) -> tuple[tuple[str, str], ...]:
    words = domain.file_data(pack, "metric_hints.yaml")["words"]
    pairs = [(w.upper(), t) for t, hinted in words.items() for w in hinted]
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


@cache
def _hint_index(pack: domain.Domain) -> tuple[re.Pattern[str], dict[str, tuple[int, str]]]:
    """The hint words as one pattern (in rank order), and each word's rank and topic."""
    ranks: dict[str, tuple[int, str]] = {}
    for rank, (word, topic) in enumerate(_pack_hints(pack)):
        ranks.setdefault(word, (rank, topic))
    return domain.alternation(word for word, _topic in _pack_hints(pack)), ranks


def hinted_topic(name: str) -> str | None:
    """The topic of the longest hint word in a figure's name (letters compared as upper)."""
    return _hinted(domain.current(), name)


@lru_cache(maxsize=8192)
def _hinted(pack: domain.Domain, name: str) -> str | None:
    """Cached by name: a large figures file repeats its metric names (one row per station)."""
    return hinted_in(pack, name)


def hinted_in(pack: domain.Domain, name: str) -> str | None:
    """hinted_topic in ``pack``, uncached."""
    return hinted_each(pack, (name,))[0]


def hinted_each(pack: domain.Domain, names: Sequence[str]) -> list[str | None]:
    """hinted_topic in ``pack`` for each of ``names``, searched in one go: the best-ranked word
    at each place a hint word starts; the best of those wins, as a scan of _pack_hints in
    order would find it."""
    pattern, ranks = _hint_index(pack)
    best: list[tuple[int, str] | None] = [None] * len(names)
    for index, found in domain.places(pattern, names, str.upper):
        ranked = ranks[found.group()]
        chosen = best[index]
        if chosen is None or ranked < chosen:
            best[index] = ranked
    return [chosen[1] if chosen else None for chosen in best]


def in_opening(name: str) -> bool:
    """Whether an office states the figure in its opening (metric_hints.yaml ``opening``: the
    period's overall standing, 公众满意度) rather than under its topic's section."""
    return any(word in name for word in domain.data("metric_hints.yaml")["opening"])


def figure_topic(name: str, metric_topic: str | None) -> str | None:
    """A figure's topic from its name: a dictionary metric's own topic wins unless it is the
    catch-all 综合 (投资 of a 湿地公园 is 生态's); a name no metric or hint places goes to the
    topic it is closest to (closest_topic)."""
    return topic_in(domain.current(), name, metric_topic)


def topic_in(pack: domain.Domain, name: str, metric_topic: str | None) -> str | None:
    """figure_topic in ``pack``, uncached."""
    return topics_in(pack, (name,), (metric_topic,))[0]


def topics_in(
    pack: domain.Domain,
    names: Sequence[str],
    metric_topics: Sequence[str | None],
    searched: Sequence[str] | None = None,
) -> list[str | None]:
    """figure_topic in ``pack`` for each name and its metric's topic, the hint words of all the
    names searched in one go (a figures file of a hundred thousand names); ``searched``, when
    given, is the text each name is searched in (search_keys)."""
    default = pack.topics.default
    keys = names if searched is None else searched
    rows = list(zip(names, keys, metric_topics, strict=True))
    unplaced = list(dict.fromkeys(key for _n, key, t in rows if not t or t == default))
    hinted = dict(zip(unplaced, hinted_each(pack, unplaced), strict=True))
    return [
        topic
        if topic and topic != default
        else hinted[key] or topic or _closest(pack, name.upper())
        for name, key, topic in rows
    ]


def search_keys(pack: domain.Domain, names: Sequence[str]) -> list[str]:
    """The text each name's metric and hint words are searched in: the name, or, when no
    alias or hint word with a digit occurs in it, the name with each run of digits as one
    mark. Other words hold no digit, so the runs change neither which of them occur nor their
    order: 监测点位12浓度 and 监测点位7浓度 are searched once (a large file numbers its
    stations)."""
    marked = list(map(partial(_DIGIT_RUN.sub, "\x00"), names))
    for pattern, fold in _digit_words(pack):
        for index, _found in domain.places(pattern, names, fold):
            marked[index] = names[index]
    return marked


_DIGIT_RUN = re.compile("[0-9]+")


@cache
def _digit_words(pack: domain.Domain) -> tuple[tuple[re.Pattern[str], Callable[[str], str]], ...]:
    """The alias and hint words that hold a digit (PM2.5, 12369), as patterns to search names
    folded as their own searches fold them."""
    aliases = [word for word in pack.alias_index[1] if _DIGIT_RUN.search(word)]
    hints = [word for word, _topic in _pack_hints(pack) if _DIGIT_RUN.search(word)]
    words = ((aliases, domain.match_key), (hints, str.upper))
    return tuple((domain.alternation(found), fold) for found, fold in words if found)


def closest_topic(name: str) -> str | None:
    """The topic (not the catch-all) whose words — keywords, hint words and section name —
    share the most character pairs with the name; None when none shares any."""
    return _closest(domain.current(), name.upper())


def closest_among(text: str, topics: Collection[str]) -> str | None:
    """closest_topic of a text (a 科室's item) among ``topics`` only: the section it goes to
    when its own topic has none in the draft."""
    return _closest(domain.current(), text.upper(), frozenset(topics))


@lru_cache(maxsize=8192)
def _closest(pack: domain.Domain, name: str, among: frozenset[str] | None = None) -> str | None:
    pairs = {name[i : i + 2] for i in range(len(name) - 1)}
    best: tuple[int, str] | None = None
    for topic, words in _topic_pairs(pack).items():
        if among is not None and topic not in among:
            continue
        shared = len(pairs & words)
        if shared and (best is None or shared > best[0]):
            best = (shared, topic)
    return best[1] if best else None


@cache
def _topic_pairs(pack: domain.Domain) -> dict[str, frozenset[str]]:
    """Each topic's character pairs, in the genre's order, the catch-all left out."""
    hints: dict[str, list[str]] = domain.file_data(pack, "metric_hints.yaml")["words"]
    found = {}
    for topic, spec in pack.topics.topics.items():
        if topic == pack.topics.default:
            continue
        words = [*spec.keywords, *hints.get(topic, ()), spec.section, topic]
        found[topic] = frozenset(w.upper()[i : i + 2] for w in words for i in range(len(w) - 1))
    return found
