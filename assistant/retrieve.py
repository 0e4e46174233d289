"""Hybrid retrieval of the bureau's past phrasing: dense (Chroma) + BM25 (jieba tokens), fused.

Dense vectors find paraphrases; BM25 finds the exact terms a bureau uses (PM2.5, 优Ⅲ, 河长制).
A query is first expanded with the bureau's own wording (a small thesaurus of how people ask
versus how summaries are written, and the metric dictionary's names), because people ask "空气
质量改善了多少" where the summaries say PM2.5 and 优良天数比例. The two lists are fused on
min-max normalised scores; the same metadata filters apply to both; near-copies (the same
paragraph reused year after year) are suppressed so the top results show different phrasings.

The BM25 index lives next to the store, holds every chunk's text and labels (so a search never
asks the store for them, and filters are array masks) and carries the store's fingerprint
(revision + count): it is rebuilt after an ingest that changed something, or when opened against
a store someone else changed — never on a query when it is current.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import bm25s
import numpy as np

from . import domain
from .errors import InputError
from .reading import normalise_for_matching
from .segmenting import load_jieba
from .settings import Settings
from .store import NAME_KINDS, Store
from .types import Chunk, Names, Part, PeriodKind, SearchFilters, SearchResult

if TYPE_CHECKING:
    import jieba

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[str, ...] = get_args(Mode)
PARTS: tuple[str, ...] = get_args(Part)
PERIODS: tuple[str, ...] = get_args(PeriodKind)

CANDIDATES = 40  # per list, before fusion and diversification (at least 6×k)
BM25_WEIGHT = 0.5  # fusion: BM25 and dense min-max normalised scores count equally
EXPANSION_WEIGHT = 0.5  # an expansion term counts half as much as a word the user typed
DENSE_OVERFETCH = 4000  # most dense results fetched unfiltered before filtering falls to Chroma
NEAR_COPY = 0.6  # character-trigram Jaccard above which two results count as the same passage
TOKENIZER_VERSION = "3"
INDEX_FORMAT = 2  # chunks.json records: 2 added each chunk's level and names


# Function words carry no topic; single characters like 水 and 上 do, so they stay.
_STOPWORD_LIST = (
    "的 了 和 与 及 以及 等 是 在 对 为 将 把 被 也 并 并且 以 于 其 之 而 或 就 都 又 "
    "着 从 向 由 至 个 一 这 那 我们 我局 本局 工作 情况 进行 开展 有关 相关 方面 "
    "多少 什么 怎么 如何 哪些 怎样 是否 吗 呢 吧"
)
STOPWORDS = frozenset(_STOPWORD_LIST.split())
_ASCII_TERM = re.compile(r"([a-z0-9]+(?:\.[0-9]+)*%?)")
_WORD = re.compile(r"\w")

# How people ask and how the office writes: the domain pack's thesaurus.yaml. Matched on the
# normalised query; the terms added weigh EXPANSION_WEIGHT in BM25 and are appended to the text
# the dense query embeds.


@cache
def _thesaurus(pack: domain.Domain) -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    return tuple(
        (re.compile(normalise_for_matching(entry.asked)), tuple(entry.written.split()))
        for entry in pack.thesaurus.entries
    )


@cache
def _metric_aliases(pack: domain.Domain) -> tuple[tuple[str, str], ...]:
    """(normalised alias, metric name) for every alias of two characters or more."""
    return tuple(
        (normalise_for_matching(alias), metric.name)
        for metric in pack.metric_list
        for alias in metric.names
        if len(alias) >= 2
    )


def expand_query(query: str) -> list[str]:
    """Terms the bureau would write for what the query asks: thesaurus entries whose left side
    occurs in it, and the dictionary name of every metric it names by an alias (罚款 → 罚款金额)."""
    folded = normalise_for_matching(query)
    pack = domain.current()
    terms = [
        term for pattern, written in _thesaurus(pack) if pattern.search(folded) for term in written
    ]
    terms += [name for alias, name in _metric_aliases(pack) if alias in folded]
    return list(dict.fromkeys(terms))


def _segmenter() -> jieba.Tokenizer:
    return _pack_segmenter(domain.current())


@cache
def _pack_segmenter(pack: domain.Domain) -> jieba.Tokenizer:
    """jieba with the metric dictionary's names and the thesaurus terms as words, so 优良天数比例
    and 受污染耕地 are kept whole (search mode still adds their parts). Private: other users of
    jieba (names' part-of-speech tagger) see its default dictionary — loaded once and copied
    here (a dict copy takes milliseconds; a second load of the dictionary took seconds and
    ~100 MB)."""
    default = load_jieba().dt
    default.check_initialized()
    segmenter = load_jieba().Tokenizer()
    segmenter.FREQ, segmenter.total = dict(default.FREQ), default.total
    segmenter.initialized = True
    words = {name for _alias, name in _metric_aliases(pack)}
    words |= {alias for alias, _name in _metric_aliases(pack)}
    words |= {term for _pattern, written in _thesaurus(pack) for term in written}
    for word in sorted(words):
        word = normalise_for_matching(word)
        if len(word) >= 2 and not word.isascii():
            segmenter.add_word(word)
    return segmenter


def tokenize(text: str) -> list[str]:
    """BM25 tokens: jieba search-mode words of the normalised text (metric names kept whole),
    ASCII terms kept whole (PM2.5, 41.6%, o3), punctuation and function words dropped."""
    segmenter = _segmenter()
    tokens: list[str] = []
    for index, piece in enumerate(_ASCII_TERM.split(normalise_for_matching(text))):
        if index % 2:  # the captured ASCII terms
            tokens.append(piece)
            continue
        for word in segmenter.cut_for_search(piece):
            word = word.strip()
            if word and _WORD.search(word) and word not in STOPWORDS:
                tokens.append(word)
    return tokens


def validate_filters(
    part: str | None = None,
    topic: str | None = None,
    period: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    unit: str | None = None,
) -> SearchFilters:
    """Filters from user input, or an InputError listing the allowed (Chinese) values."""
    for label, value, allowed in (
        ("part", part, PARTS),
        ("topic", topic, domain.topics()),
        ("period", period, PERIODS),
    ):
        if value is not None and value not in allowed:
            raise InputError(f"--{label} 不能是 “{value}”", hint=f"可选: {'、'.join(allowed)}")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise InputError(f"年份范围 {year_from}–{year_to} 为空", hint="year-from 应不大于 year-to")
    return SearchFilters(part, topic, period, year_from, year_to, unit or None)  # type: ignore[arg-type]


# --- the index: BM25 plus every chunk's text and labels -------------------------------------


def index_dir(settings: Settings) -> Path:
    """The BM25 index of this collection (on this machine, also for a Chroma server)."""
    name = settings.collection
    if settings.chroma_url:
        name += "@" + hashlib.sha1(settings.chroma_url.encode()).hexdigest()[:10]
    return settings.store_dir / "bm25" / name


def fingerprint(store: Store) -> str:
    """What the index was built from: the store's state and the tokenizer, whose dictionary
    is the domain pack's (so switching domain rebuilds it)."""
    tokenizer = f"tokenizer {TOKENIZER_VERSION} {domain.current().name}"
    return f"{store.name}|{store.revision()}|{store.count()}|{tokenizer}"


_LABELS = ("part", "topic", "period", "unit", "year")


class Bm25Index:
    """bm25s over every chunk, with the chunks themselves (text, heading path, labels) held next
    to it: filters are masks over label arrays and results are built without asking the store."""

    def __init__(self, model: bm25s.BM25 | None, chunks: list[Chunk]) -> None:
        self.model = model
        self.chunks = chunks
        self.ids = [chunk.id for chunk in chunks]
        self.position = {chunk_id: i for i, chunk_id in enumerate(self.ids)}
        self.labels = {
            "part": np.asarray([c.part for c in chunks]),
            "topic": np.asarray([c.topic for c in chunks]),
            "period": np.asarray([c.period or "" for c in chunks]),
            "unit": np.asarray([c.unit or "" for c in chunks]),
            "year": np.asarray([c.year or 0 for c in chunks], dtype=np.int64),
        }

    @classmethod
    def build(cls, store: Store) -> Bm25Index:
        chunks = list(store.all_chunks())
        model = None
        if chunks:
            model = bm25s.BM25()
            corpus = [tokenize(" ".join((*c.heading_path, c.text))) for c in chunks]
            model.index(corpus, show_progress=False)
        return cls(model, chunks)

    def save(self, directory: Path, print_: str) -> None:
        """Write to a fresh folder and swap it in, so a reader never sees half an index."""
        staging = directory.with_name(directory.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        if self.model is not None:
            self.model.save(str(staging), show_progress=False)
        meta = {
            "format": INDEX_FORMAT,
            "fingerprint": print_,
            "chunks": [_record(chunk) for chunk in self.chunks],
        }
        (staging / "chunks.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            directory.rename(old)
        staging.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> tuple[Bm25Index, str] | None:
        meta_file = directory / "chunks.json"
        if not meta_file.is_file():
            return None
        meta = json.loads(meta_file.read_text("utf-8"))
        if meta.get("format") != INDEX_FORMAT:  # written by an older version: rebuild
            return None
        chunks = [_chunk(record) for record in meta["chunks"]]
        model = None
        if chunks:
            model = bm25s.BM25.load(str(directory), show_progress=False)
        return cls(model, chunks), meta["fingerprint"]

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Which chunks pass the filters (None: no filter, all pass)."""
        if filters is None or filters == SearchFilters():
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        for key in ("part", "topic", "period", "unit"):
            value = getattr(filters, key)
            if value is not None:
                keep &= self.labels[key] == value
        if filters.year_from is not None:
            keep &= self.labels["year"] >= filters.year_from
        if filters.year_to is not None:
            keep &= (self.labels["year"] <= filters.year_to) & (self.labels["year"] > 0)
        return keep

    def scores(self, query: str, expansions: Sequence[str] = ()) -> np.ndarray | None:
        """BM25 score of every chunk: the query's tokens weigh 1, expansion tokens
        EXPANSION_WEIGHT (a word both typed and expanded keeps 1). None when no token is known."""
        if self.model is None:
            return None
        vocabulary = self.model.vocab_dict
        weights: dict[int, float] = {}
        for token in tokenize(query):
            if token in vocabulary:
                weights[vocabulary[token]] = 1.0
        for token in tokenize(" ".join(expansions)):
            if token in vocabulary:
                weights.setdefault(vocabulary[token], EXPANSION_WEIGHT)
        if not weights:
            return None
        data = self.model.scores["data"]
        indices = self.model.scores["indices"]
        indptr = self.model.scores["indptr"]
        scores = np.zeros(len(self.ids), dtype=np.float64)
        for token_id, weight in weights.items():
            start, stop = indptr[token_id], indptr[token_id + 1]
            scores[indices[start:stop]] += weight * data[start:stop]  # unique within a token
        return scores

    def search(
        self,
        query: str,
        k: int,
        filters: SearchFilters | None = None,
        expansions: Sequence[str] = (),
    ) -> list[tuple[str, float]]:
        """The k best-scoring chunks (score > 0) that pass the filters, best first."""
        scores = self.scores(query, expansions)
        if scores is None:
            return []
        keep = self.mask(filters)
        if keep is not None:
            scores = np.where(keep, scores, 0.0)
        count = min(k, len(scores))
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]


def _record(chunk: Chunk) -> list:
    return [
        chunk.id,
        chunk.text,
        chunk.document,
        list(chunk.heading_path),
        chunk.part,
        chunk.topic,
        chunk.unit,
        chunk.year,
        chunk.period,
        chunk.position,
        chunk.title,
        chunk.level,
        None if chunk.names is None else [list(getattr(chunk.names, k)) for k in NAME_KINDS],
    ]


def _chunk(record: list) -> Chunk:
    chunk_id, text, document, heading, part, topic, unit, year, period, position, title = record[
        :11
    ]
    level, found = record[11:]
    return Chunk(
        chunk_id,
        text,
        document,
        tuple(heading),
        part,
        topic,
        unit,
        year,
        period,
        position,
        title,
        level,
        None if found is None else Names(*map(tuple, found)),
    )


def refresh_index(store: Store, settings: Settings) -> Bm25Index:
    """The BM25 index for the store as it is now: the one this process last used if the store
    has not changed since (every chat draft opens the retriever; reading the index costs ~8 ms),
    else loaded if current, else rebuilt and saved. An index is only read after it is built."""
    directory = index_dir(settings)
    current = fingerprint(store)  # changes with every write to the store (its revision)
    with _OPENED_LOCK:
        known = _OPENED.get(directory)
    if known is not None and known[0] == current:
        return known[1]
    loaded = Bm25Index.load(directory)
    if loaded is not None and loaded[1] == current:
        index = loaded[0]
    else:
        index = Bm25Index.build(store)
        index.save(directory, current)
    with _OPENED_LOCK:
        _OPENED.pop(directory, None)
        if len(_OPENED) >= _KEPT_OPEN:
            _OPENED.pop(next(iter(_OPENED)))
        _OPENED[directory] = (current, index)
    return index


_KEPT_OPEN = 8  # indexes kept open (a server uses one; tests open many stores)
_OPENED: dict[Path, tuple[str, Bm25Index]] = {}  # index folder → (fingerprint, index)
_OPENED_LOCK = threading.Lock()


# --- fusion and diversification --------------------------------------------------------------


def fuse_scores(
    ranked_lists: Sequence[Sequence[tuple[str, float]]], weights: Sequence[float]
) -> list[tuple[str, float]]:
    """Ids by the weighted sum of their min-max normalised scores, best first (ties: first seen).

    Each list's scores are scaled to 0..1 over its own candidates, so a BM25 score of 14 and a
    cosine similarity of 0.83 become comparable; an id missing from a list gets 0 there. Unlike
    reciprocal-rank fusion it keeps the gaps within a list (a runner-up far behind the winner
    gets little); on bench/queries.yaml it did better than RRF (bench/README.md).
    """
    fused: dict[str, float] = {}
    for ranked, weight in zip(ranked_lists, weights, strict=True):
        if not ranked:
            continue
        values = [score for _, score in ranked]
        low, span = min(values), max(values) - min(values)
        for chunk_id, score in ranked:
            normalised = (score - low) / span if span > 0 else 1.0
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight * normalised
    return sorted(fused.items(), key=lambda item: -item[1])


def shingles(text: str, size: int = 3) -> frozenset[str]:
    folded = re.sub(r"[\W_]+", "", normalise_for_matching(text))
    return frozenset(folded[i : i + size] for i in range(max(1, len(folded) - size + 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def diversify(
    results: Sequence[SearchResult], k: int, threshold: float = NEAR_COPY
) -> list[SearchResult]:
    """The first k results, skipping any that is a near-copy of one already kept."""
    kept: list[SearchResult] = []
    kept_shingles: list[frozenset[str]] = []
    for result in results:
        mine = shingles(result.chunk.text)
        if any(jaccard(mine, other) >= threshold for other in kept_shingles):
            continue
        kept.append(result)
        kept_shingles.append(mine)
        if len(kept) == k:
            break
    return kept


# --- the retriever ---------------------------------------------------------------------------


@dataclass
class Retriever:
    """An opened store and its BM25 index, for running many searches (the drafter does)."""

    settings: Settings
    store: Store
    index: Bm25Index

    @classmethod
    def open(cls, settings: Settings, store: Store | None = None) -> Retriever:
        store = store or Store(settings)
        return cls(settings, store, refresh_index(store, settings))

    def dense(
        self, query: str, pool: int, filters: SearchFilters | None, keep: np.ndarray | None
    ) -> list[tuple[str, float]]:
        """The pool nearest chunks passing the filters, as (id, cosine similarity).

        Chroma's search with a ``where`` filter is slow on a large collection (100-200 ms at
        100,000 chunks), an unfiltered one is not (under 10 ms for 4,000 results). So the
        filters are applied from the index's label arrays to an unfiltered result, fetched
        four times larger than the share of passing chunks asks for and, if that leaves too
        few (neighbours are often of one part), DENSE_OVERFETCH large; only a filter too
        selective for that goes to Chroma with ``where``.
        """
        total = len(self.index.ids)
        if total == 0:
            return []
        vector = self.store.embeddings.embed_query(query)
        if keep is None:
            found = self.store.query(vector, min(pool, total), total=total)
            return [(chunk_id, 1.0 - distance) for chunk_id, distance in found]
        passing = int(keep.sum())
        if passing == 0:
            return []
        first = min(total, math.ceil(4 * pool * total / passing))
        largest = min(total, DENSE_OVERFETCH)
        fetches = [first, largest] if first < largest else [first] if first == largest else []
        position = self.index.position
        for fetch in fetches:
            found = self.store.query(vector, fetch, total=total)
            kept = [
                (chunk_id, 1.0 - distance)
                for chunk_id, distance in found
                if chunk_id in position and keep[position[chunk_id]]
            ]
            # fewer than pool is fine: they are still the nearest chunks that pass
            if len(kept) >= min(passing, pool // 4) or fetch == total:
                return kept[:pool]
        found = self.store.query(vector, min(pool, passing), filters, total=total)
        return [(chunk_id, 1.0 - distance) for chunk_id, distance in found]

    def search(
        self,
        query: str,
        k: int = 5,
        part: str | None = None,
        topic: str | None = None,
        period: str | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        unit: str | None = None,
        mode: Mode = "hybrid",
    ) -> list[SearchResult]:
        """The k best chunks for the query, filtered and with near-copies removed.

        The query is expanded with the bureau's own terms (expand_query); BM25 weighs them
        less than the words typed, the dense query embeds them after the query.
        """
        if mode not in MODES:
            raise InputError(f"检索方式不能是 “{mode}”", hint=f"可选: {'、'.join(MODES)}")
        if k < 1:
            raise InputError(f"结果数 k 应为正整数, 而不是 {k}")
        if not query.strip():
            raise InputError("检索词为空")
        filters = validate_filters(part, topic, period, year_from, year_to, unit)
        keep = self.index.mask(filters)
        expansions = expand_query(query)
        pool = max(CANDIDATES, 6 * k)
        dense: list[tuple[str, float]] = []
        if mode != "bm25":
            dense_query = " ".join((query, *expansions))
            dense = self.dense(dense_query, pool, filters, keep)
        lexical = self.index.search(query, pool, filters, expansions) if mode != "dense" else []
        dense_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(dense, start=1)}
        bm25_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(lexical, start=1)}
        if mode == "hybrid":
            scored = fuse_scores([dense, lexical], [1.0 - BM25_WEIGHT, BM25_WEIGHT])
        else:
            scored = dense or lexical
        position = self.index.position
        ranked = [
            SearchResult(self.index.chunks[position[i]], score, dense_rank.get(i), bm25_rank.get(i))
            for i, score in scored
            if i in position
        ]
        return diversify(ranked, k)


def search(
    query: str,
    settings: Settings,
    k: int = 5,
    part: str | None = None,
    topic: str | None = None,
    period: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    unit: str | None = None,
    mode: Mode = "hybrid",
) -> list[SearchResult]:
    """One search against the store the settings name (opens it; use Retriever for many)."""
    return Retriever.open(settings).search(
        query, k, part, topic, period, year_from, year_to, unit, mode
    )
