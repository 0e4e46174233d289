"""Hybrid retrieval of the bureau's past phrasing: dense (Chroma) + BM25 (jieba tokens), fused.

Dense vectors find paraphrases ("空气质量改善了多少" → 优良天数比率 paragraphs); BM25 finds the
exact terms a bureau uses (PM2.5, 优Ⅲ, 河长制). Reciprocal-rank fusion combines the two lists
without calibrating their scores; the same metadata filters apply to both; near-copies (the same
paragraph reused year after year) are suppressed so the top results show different phrasings.

The BM25 index lives next to the store and carries the store's fingerprint (revision + count):
it is rebuilt after an ingest that changed something, or when opened against a store someone
else changed — never on a query when it is current.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import bm25s
import jieba
import numpy as np

from .errors import InputError
from .reading import normalise_for_matching
from .settings import Settings
from .store import Store
from .types import Part, PeriodKind, SearchFilters, SearchResult

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[str, ...] = get_args(Mode)
PARTS: tuple[str, ...] = get_args(Part)
PERIODS: tuple[str, ...] = get_args(PeriodKind)
TOPICS = (
    "大气",
    "水",
    "土壤",
    "固废",
    "生态",
    "执法",
    "信访",
    "监测",
    "审批",
    "党建",
    "宣传",
    "综合",
)

RRF_K = 10  # below the usual 60, so top ranks count more: measured better in bench/
CANDIDATES = 40  # per list, before fusion and diversification (at least 6×k)
NEAR_COPY = 0.6  # character-trigram Jaccard above which two results count as the same passage
TOKENIZER_VERSION = "2"

jieba.setLogLevel(logging.WARNING)

# Function words carry no topic; single characters like 水 and 上 do, so they stay.
_STOPWORD_LIST = (
    "的 了 和 与 及 以及 等 是 在 对 为 将 把 被 也 并 并且 以 于 其 之 而 或 就 都 又 "
    "着 从 向 由 至 个 一 这 那 我们 我局 本局 工作 情况 进行 开展 有关 相关 方面 "
    "多少 什么 怎么 如何 哪些 怎样 是否 吗 呢 吧"
)
STOPWORDS = frozenset(_STOPWORD_LIST.split())
_ASCII_TERM = re.compile(r"([a-z0-9]+(?:\.[0-9]+)*%?)")
_WORD = re.compile(r"\w")


def tokenize(text: str) -> list[str]:
    """BM25 tokens: jieba search-mode words of the normalised text, ASCII terms kept whole
    (PM2.5, 41.6%, o3), punctuation and function words dropped."""
    tokens: list[str] = []
    for index, piece in enumerate(_ASCII_TERM.split(normalise_for_matching(text))):
        if index % 2:  # the captured ASCII terms
            tokens.append(piece)
            continue
        for word in jieba.cut_for_search(piece):
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
        ("topic", topic, TOPICS),
        ("period", period, PERIODS),
    ):
        if value is not None and value not in allowed:
            raise InputError(
                f"{label} 不能是 “{value}”", hint=f"可选: {'、'.join(allowed)}", column=label
            )
    if year_from is not None and year_to is not None and year_from > year_to:
        raise InputError(f"年份范围 {year_from}–{year_to} 为空", hint="year-from 应不大于 year-to")
    return SearchFilters(part, topic, period, year_from, year_to, unit or None)  # type: ignore[arg-type]


# --- the BM25 index --------------------------------------------------------------------------


def index_dir(settings: Settings) -> Path:
    """The BM25 index of this collection (on this machine, also for a Chroma server)."""
    name = settings.collection
    if settings.chroma_url:
        name += "@" + hashlib.sha1(settings.chroma_url.encode()).hexdigest()[:10]
    return settings.store_dir / "bm25" / name


def fingerprint(store: Store) -> str:
    return f"{store.name}|{store.revision()}|{store.count()}|tokenizer {TOKENIZER_VERSION}"


class Bm25Index:
    """bm25s over every chunk, with each chunk's labels kept as arrays for filtering."""

    def __init__(self, model: bm25s.BM25 | None, ids: list[str], labels: dict[str, list]) -> None:
        self.model = model
        self.ids = ids
        self.labels = {key: np.asarray(values) for key, values in labels.items()}

    @classmethod
    def build(cls, store: Store) -> Bm25Index:
        ids: list[str] = []
        corpus: list[list[str]] = []
        labels: dict[str, list] = {key: [] for key in ("part", "topic", "period", "unit", "year")}
        for chunk in store.all_chunks():
            ids.append(chunk.id)
            corpus.append(tokenize(" ".join((*chunk.heading_path, chunk.text))))
            labels["part"].append(chunk.part)
            labels["topic"].append(chunk.topic)
            labels["period"].append(chunk.period or "")
            labels["unit"].append(chunk.unit or "")
            labels["year"].append(chunk.year or 0)
        model = None
        if ids:
            model = bm25s.BM25()
            model.index(corpus, show_progress=False)
        return cls(model, ids, labels)

    def save(self, directory: Path, print_: str) -> None:
        """Write to a fresh folder and swap it in, so a reader never sees half an index."""
        staging = directory.with_name(directory.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        if self.model is not None:
            self.model.save(str(staging), show_progress=False)
        meta = {
            "fingerprint": print_,
            "ids": self.ids,
            "labels": {key: values.tolist() for key, values in self.labels.items()},
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
        model = None
        if meta["ids"]:
            model = bm25s.BM25.load(str(directory), show_progress=False)
        return cls(model, meta["ids"], meta["labels"]), meta["fingerprint"]

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        if filters is None:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        for key in ("part", "topic", "period", "unit"):
            value = getattr(filters, key)
            if value is not None:
                keep &= self.labels[key] == value
        if filters.year_from is not None:
            keep &= self.labels["year"] >= filters.year_from
        if filters.year_to is not None:
            keep &= self.labels["year"] <= filters.year_to
            keep &= self.labels["year"] > 0
        return keep

    def search(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """The k best-scoring chunks (score > 0) that pass the filters, best first."""
        if self.model is None:
            return []
        vocabulary = self.model.vocab_dict
        token_ids = [vocabulary[token] for token in tokenize(query) if token in vocabulary]
        if not token_ids:
            return []
        scores = self.model.get_scores_from_ids(token_ids)
        keep = self.mask(filters)
        if keep is not None:
            scores = np.where(keep, scores, 0.0)
        count = min(k, len(scores))
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]


def refresh_index(store: Store, settings: Settings) -> Bm25Index:
    """The BM25 index for the store as it is now: loaded if current, else rebuilt and saved."""
    directory = index_dir(settings)
    current = fingerprint(store)
    loaded = Bm25Index.load(directory)
    if loaded is not None and loaded[1] == current:
        return loaded[0]
    index = Bm25Index.build(store)
    index.save(directory, current)
    return index


# --- fusion and diversification --------------------------------------------------------------


def reciprocal_rank_fusion(
    ranked_lists: Sequence[Sequence[str]], k: int = RRF_K
) -> list[tuple[str, float]]:
    """Ids scored by Σ 1/(k + rank) over the lists they appear in, best first (ties: first
    seen)."""
    scores: dict[str, float] = {}
    for ranked in ranked_lists:
        for rank, chunk_id in enumerate(ranked, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


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
        """The k best chunks for the query, filtered and with near-copies removed."""
        if mode not in MODES:
            raise InputError(f"检索方式不能是 “{mode}”", hint=f"可选: {'、'.join(MODES)}")
        if k < 1:
            raise InputError(f"结果数 k 应为正整数, 而不是 {k}")
        if not query.strip():
            raise InputError("检索词为空")
        filters = validate_filters(part, topic, period, year_from, year_to, unit)
        pool = max(CANDIDATES, 6 * k)
        dense = []
        if mode != "bm25":
            vector = self.store.embeddings.embed_query(query)
            dense = self.store.query(vector, pool, filters)
        lexical = self.index.search(query, pool, filters) if mode != "dense" else []
        dense_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(dense, start=1)}
        bm25_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(lexical, start=1)}
        if mode == "hybrid":
            scored = reciprocal_rank_fusion([[i for i, _ in dense], [i for i, _ in lexical]])
        elif mode == "dense":
            scored = [(chunk_id, 1.0 - distance) for chunk_id, distance in dense]
        else:
            scored = lexical
        chunks = {chunk.id: chunk for chunk in self.store.get([i for i, _ in scored])}
        ranked = [
            SearchResult(chunks[i], score, dense_rank.get(i), bm25_rank.get(i))
            for i, score in scored
            if i in chunks
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
