"""Which topic a figure belongs under when its file has no 主题 column: the metric dictionary's
topic where it names one, else the most specific hint word of the domain pack
(metric_hints.yaml) in the figure's name, else the topic whose words its name is closest to —
never the catch-all (重点工程) for a name nothing places."""

from __future__ import annotations

from functools import cache, lru_cache

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
def _hints_by_first(pack: domain.Domain) -> dict[str, tuple[tuple[int, str, str], ...]]:
    """The hint words by their first character, each with its rank in _pack_hints."""
    buckets: dict[str, list[tuple[int, str, str]]] = {}
    for rank, (word, topic) in enumerate(_pack_hints(pack)):
        buckets.setdefault(word[0], []).append((rank, word, topic))
    return {first: tuple(words) for first, words in buckets.items()}


def hinted_topic(name: str) -> str | None:
    """The topic of the longest hint word in a figure's name (letters compared as upper)."""
    return _hinted(domain.current(), name)


@lru_cache(maxsize=8192)
def _hinted(pack: domain.Domain, name: str) -> str | None:
    """Cached by name: a large figures file repeats its metric names (one row per station).
    Only the words starting with one of the name's characters are tried (the best rank wins,
    as a scan of _pack_hints in order would find it)."""
    folded = name.upper()
    buckets = _hints_by_first(pack)
    best: tuple[int, str] | None = None
    for at, first in enumerate(folded):
        for rank, word, topic in buckets.get(first, ()):
            if (best is None or rank < best[0]) and folded.startswith(word, at):
                best = (rank, topic)
    return best[1] if best else None


def figure_topic(name: str, metric_topic: str | None) -> str | None:
    """A figure's topic from its name: a dictionary metric's own topic wins unless it is the
    catch-all 综合 (投资 of a 湿地公园 is 生态's); a name no metric or hint places goes to the
    topic it is closest to (closest_topic)."""
    if metric_topic and metric_topic != domain.default_topic():
        return metric_topic
    return hinted_topic(name) or metric_topic or closest_topic(name)


def closest_topic(name: str) -> str | None:
    """The topic (not the catch-all) whose words — keywords, hint words and section name —
    share the most character pairs with the name; None when none shares any."""
    return _closest(domain.current(), name.upper())


@lru_cache(maxsize=8192)
def _closest(pack: domain.Domain, name: str) -> str | None:
    pairs = {name[i : i + 2] for i in range(len(name) - 1)}
    best: tuple[int, str] | None = None
    for topic, words in _topic_pairs(pack).items():
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
