"""The vector store: Chroma, locally (PersistentClient) or on a shared server (HttpClient).

The only module that imports chromadb. Two collections per corpus: ``<name>`` holds one record
per chunk (text, vector, metadata), ``<name>.documents`` one record per fully ingested document
(its content hash and chunk count) — written only after all its chunks are, so an interrupted
ingest is simply redone. The chunk collection's metadata names the embedding model (vectors of
two models never mix) and a ``revision`` that changes before every write, which tells the BM25
index when it is stale.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError
from chromadb.utils.embedding_functions import register_embedding_function

from .embeddings import Embeddings as EmbeddingModel
from .embeddings import HashEmbeddings, make_embeddings
from .errors import BackendError, ConfigError
from .settings import Settings, load_settings
from .types import Chunk, Names, SearchFilters

HEADING_JOINER = " > "
PAGE_SIZE = 5000
PASSAGE_FORMAT = "headings2"  # what is embedded for a chunk; see passage()
# how a chunk's level and names are stored; a chunk without it was stored before ingest
# labelled them (Chunk.names None: found at draft time until the next ingest labels it)
LABELS_FORMAT = "names1"
NAME_JOINER = "|"  # Chroma metadata is scalar: a kind's names joined
NAME_KINDS = tuple(f.name for f in fields(Names))
_COLLECTION_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]{1,50}[a-zA-Z0-9]")

Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)


@register_embedding_function
class AssistantEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's side of our embedding models: the full protocol, so Chroma never falls back to
    its default function (which downloads a model and fails offline)."""

    def __init__(self, model: EmbeddingModel) -> None:
        self.model = model

    def __call__(self, input: Documents) -> Embeddings:
        return [np.asarray(v, dtype=np.float32) for v in self.model.embed_documents(input)]

    def embed_query(self, input: Documents) -> Embeddings:
        return [np.asarray(self.model.embed_query(text), dtype=np.float32) for text in input]

    @staticmethod
    def name() -> str:
        return "assistant"

    def get_config(self) -> dict[str, Any]:
        return self.model.config()

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> AssistantEmbeddingFunction:
        if config.get("embedding") == "hash":
            return AssistantEmbeddingFunction(HashEmbeddings(int(config.get("dimensions", 256))))
        overrides = {"embedding": config.get("embedding"), "embedding_model": config.get("model")}
        return AssistantEmbeddingFunction(make_embeddings(load_settings(**overrides)))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine", "l2", "ip"]


@dataclass(frozen=True)
class DocumentRecord:
    """A fully ingested document: the hash of what produced its chunks, and how many there are."""

    document: str
    doc_hash: str
    chunks: int
    root: str


def validate_collection_name(name: str) -> str:
    if not _COLLECTION_NAME.fullmatch(name):
        raise ConfigError(
            f"集合名 “{name}” 不合法",
            hint="集合名只能含字母、数字和 . _ -，3–52 个字符，首尾为字母或数字",
        )
    return name


@functools.cache
def _chroma_settings() -> ChromaSettings:
    """Read once: chromadb reads its settings from the environment and a .env file, 10–40 ms of
    CPU that every chat draft paid again (each opens the store)."""
    return ChromaSettings(anonymized_telemetry=False)


def _client(settings: Settings) -> Any:
    chroma_settings = _chroma_settings().model_copy()  # a client writes its own into them
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(
                f"Chroma 服务地址无效: {settings.chroma_url}", hint="形如 http://127.0.0.1:8000"
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # the client checks the server at once; any failure is ours
            raise BackendError(
                f"无法连接 Chroma 服务 {settings.chroma_url}: {exc}",
                hint="检查服务是否已启动 (chroma run --path DIR --port PORT)",
            ) from exc
    path = settings.store_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _metadata(chunk: Chunk, doc_hash: str) -> dict[str, str | int]:
    metadata: dict[str, str | int] = {
        "document": chunk.document,
        "heading_path": HEADING_JOINER.join(chunk.heading_path),
        "part": chunk.part,
        "topic": chunk.topic,
        "position": chunk.position,
        "title": chunk.title,
        "doc_hash": doc_hash,
        "passage": PASSAGE_FORMAT,
    }
    for key, value in (
        ("unit", chunk.unit),
        ("year", chunk.year),
        ("period", chunk.period),
        ("level", chunk.level),
    ):
        if value is not None:  # Chroma stores no None; a missing key means "unknown"
            metadata[key] = value
    if chunk.names is not None:
        metadata["labels"] = LABELS_FORMAT
        for kind in NAME_KINDS:
            metadata[f"names_{kind}"] = NAME_JOINER.join(getattr(chunk.names, kind))
    return metadata


def _names(metadata: Mapping[str, Any]) -> Names | None:
    if metadata.get("labels") != LABELS_FORMAT:
        return None
    return Names(
        **{
            kind: tuple(n for n in metadata.get(f"names_{kind}", "").split(NAME_JOINER) if n)
            for kind in NAME_KINDS
        }
    )


def passage(chunk: Chunk) -> str:
    """The text embedded for a chunk: its last two headings, then its text. A short body such as
    "执法人员年龄结构偏大…" says what it is about only in its heading (（四）执法队伍能力有待提升);
    measured better on bench/queries.yaml than the text alone."""
    headings = " ".join(chunk.heading_path[-2:])
    return f"{headings}\n{chunk.text}" if headings else chunk.text


def chunk_from_record(chunk_id: str, text: str, metadata: Mapping[str, Any]) -> Chunk:
    heading = metadata.get("heading_path") or ""
    return Chunk(
        id=chunk_id,
        text=text,
        document=metadata["document"],
        heading_path=tuple(heading.split(HEADING_JOINER)) if heading else (),
        part=metadata.get("part", "其他"),
        topic=metadata.get("topic", "综合"),
        unit=metadata.get("unit"),
        year=metadata.get("year"),
        period=metadata.get("period"),
        position=int(metadata.get("position", 0)),
        title=metadata.get("title", ""),
        level=metadata.get("level"),
        names=_names(metadata),
    )


def where_clause(filters: SearchFilters | None) -> dict[str, Any] | None:
    """The filters as a Chroma ``where`` document (None when there is nothing to filter)."""
    if filters is None:
        return None
    conditions: list[dict[str, Any]] = [
        {key: value}
        for key, value in (
            ("part", filters.part),
            ("topic", filters.topic),
            ("period", filters.period),
            ("unit", filters.unit),
        )
        if value is not None
    ]
    if filters.year_from is not None:
        conditions.append({"year": {"$gte": filters.year_from}})
    if filters.year_to is not None:
        conditions.append({"year": {"$lte": filters.year_to}})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Store:
    """One corpus in Chroma: chunks with vectors and metadata, and the ingested-document list."""

    def __init__(self, settings: Settings, embeddings: EmbeddingModel | None = None) -> None:
        self.settings = settings
        self.name = validate_collection_name(settings.collection)
        self.embeddings = embeddings or make_embeddings(settings)
        self.location = settings.chroma_url or str(settings.store_dir / "chroma")
        self._function = AssistantEmbeddingFunction(self.embeddings)
        self._client = _client(settings)
        try:
            self._chunks = self._open(self.name, {"embedding": self.embeddings.name}, "cosine")
            self._documents = self._open(f"{self.name}.documents", {"kind": "documents"}, "l2")
            self._batch = min(PAGE_SIZE, self._client.get_max_batch_size())
        except ChromaError as exc:
            raise BackendError(f"打开向量库 {self.location} 失败: {exc}") from exc
        stored = (self._chunks.metadata or {}).get("embedding")
        if stored != self.embeddings.name:
            raise ConfigError(
                f"集合 “{self.name}” ({self.location}) 的向量由 {stored} 生成, "
                f"当前设置为 {self.embeddings.name}; 不同模型的向量不能混用",
                hint="改回原来的 embedding 设置, 或用 ASSISTANT_COLLECTION 换一个集合名重新入库",
            )

    def _open(self, name: str, metadata: dict[str, str], space: str) -> Any:
        try:
            return self._client.get_collection(name, embedding_function=self._function)
        except NotFoundError:
            pass
        except ValueError as exc:  # Chroma refuses a collection made with another function
            raise ConfigError(
                f"集合 “{name}” 不是本工具创建的: {exc}",
                hint="用 ASSISTANT_COLLECTION 换一个集合名",
            ) from exc
        return self._client.get_or_create_collection(
            name,
            embedding_function=self._function,
            metadata=metadata,
            configuration={"hnsw": {"space": space}},
        )

    # --- state -------------------------------------------------------------------------------

    def count(self) -> int:
        return self._chunks.count()

    def revision(self) -> str:
        """Changes before every write; with count() it fingerprints the store's contents."""
        fresh = self._client.get_collection(self.name, embedding_function=self._function)
        return str((fresh.metadata or {}).get("revision", ""))

    def bump_revision(self) -> None:
        metadata = dict(self._chunks.metadata or {})
        metadata["revision"] = uuid.uuid4().hex
        self._chunks.modify(metadata=metadata)

    # --- chunks ------------------------------------------------------------------------------

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for batch in _batches(list(ids), self._batch):
            found.update(self._chunks.get(ids=list(batch), include=[])["ids"])
        return found

    def ids_by_document(self, documents: Iterable[str] | None = None) -> dict[str, set[str]]:
        """Chunk ids per document: of the given documents, or of every document in the store."""
        result: dict[str, set[str]] = {}
        if documents is None:
            pages = self._pages(include=["metadatas"], where=None)
        else:
            keys = sorted(set(documents))
            pages = (
                page
                for batch in _batches(keys, 500)
                for page in self._pages(
                    include=["metadatas"], where={"document": {"$in": list(batch)}}
                )
            )
        for page in pages:
            for chunk_id, metadata in zip(page["ids"], page["metadatas"], strict=True):
                result.setdefault(metadata["document"], set()).add(chunk_id)
        return result

    def vectors_by_passage(self, documents: Iterable[str]) -> dict[str, list[float]]:
        """Stored vectors of these documents' chunks, keyed by the passage embedded, so an edit
        that only moves a paragraph does not pay for embedding it again. Vectors embedded from
        another passage format are left out (they are embedded again)."""
        vectors: dict[str, list[float]] = {}
        for batch in _batches(sorted(set(documents)), 200):
            for page in self._pages(
                include=["documents", "metadatas", "embeddings"],
                where={"document": {"$in": list(batch)}},
            ):
                for chunk_id, text, metadata, vector in zip(
                    page["ids"], page["documents"], page["metadatas"], page["embeddings"],
                    strict=True,
                ):  # fmt: skip
                    if metadata.get("passage") == PASSAGE_FORMAT:
                        vectors[passage(chunk_from_record(chunk_id, text, metadata))] = list(vector)
        return vectors

    def _pages(self, include: list[str], where: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            page = self._chunks.get(where=where, include=include, limit=PAGE_SIZE, offset=offset)
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])

    def upsert(
        self,
        chunks: Sequence[Chunk],
        doc_hashes: Mapping[str, str] | None = None,
        vectors: Mapping[str, Sequence[float]] | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Write chunks, embedding in batches those whose passage has no vector in ``vectors``.

        Returns how many were embedded. Each batch is written as soon as it is embedded, so an
        interruption loses at most one batch of work; upsert makes a rerun harmless.
        """
        doc_hashes = doc_hashes or {}
        vectors = vectors or {}
        to_embed = sum(1 for chunk in chunks if passage(chunk) not in vectors)
        embedded = 0
        if progress:
            progress(0, to_embed)
        for batch in _batches(list(chunks), min(self._batch, self.embeddings.batch_size)):
            passages = [passage(chunk) for chunk in batch]
            missing = [text for text in passages if text not in vectors]
            fresh = iter(self.embeddings.embed_documents(missing) if missing else [])
            batch_vectors = [
                list(vectors[text]) if text in vectors else next(fresh) for text in passages
            ]
            self._chunks.upsert(
                ids=[chunk.id for chunk in batch],
                documents=[chunk.text for chunk in batch],
                embeddings=batch_vectors,
                metadatas=[_metadata(chunk, doc_hashes.get(chunk.document, "")) for chunk in batch],
            )
            embedded += len(missing)
            if progress and missing:
                progress(embedded, to_embed)
        return embedded

    def delete(self, ids: Iterable[str]) -> None:
        for batch in _batches(sorted(set(ids)), self._batch):
            self._chunks.delete(ids=list(batch))

    def query(
        self,
        vector: Sequence[float],
        k: int,
        filters: SearchFilters | None = None,
        total: int | None = None,
    ) -> list[tuple[str, float]]:
        """The k nearest chunks to a query vector, as (id, cosine distance), nearest first.

        ``total`` is the number of chunks if the caller knows it (counting costs a round trip).
        """
        total = self.count() if total is None else total
        if total == 0:
            return []
        result = self._chunks.query(
            query_embeddings=[list(vector)],
            n_results=min(k, total),
            where=where_clause(filters),
            include=["distances"],
        )
        return list(zip(result["ids"][0], result["distances"][0], strict=True))

    def get(self, ids: Sequence[str]) -> list[Chunk]:
        """Chunks by id, in the order asked (ids no longer stored are left out)."""
        found: dict[str, Chunk] = {}
        for batch in _batches(list(ids), self._batch):
            page = self._chunks.get(ids=list(batch), include=["documents", "metadatas"])
            for chunk_id, text, metadata in zip(
                page["ids"], page["documents"], page["metadatas"], strict=True
            ):
                found[chunk_id] = chunk_from_record(chunk_id, text, metadata)
        return [found[chunk_id] for chunk_id in ids if chunk_id in found]

    def all_chunks(self) -> Iterator[Chunk]:
        """Every chunk, a page at a time (100,000 chunks never sit in one response)."""
        for page in self._pages(include=["documents", "metadatas"], where=None):
            for chunk_id, text, metadata in zip(
                page["ids"], page["documents"], page["metadatas"], strict=True
            ):
                yield chunk_from_record(chunk_id, text, metadata)

    # --- the ingested-document list ----------------------------------------------------------

    def document_records(self) -> dict[str, DocumentRecord]:
        records: dict[str, DocumentRecord] = {}
        offset = 0
        while True:
            page = self._documents.get(include=["metadatas"], limit=PAGE_SIZE, offset=offset)
            if not page["ids"]:
                return records
            for key, metadata in zip(page["ids"], page["metadatas"], strict=True):
                records[key] = DocumentRecord(
                    key, metadata["doc_hash"], int(metadata["chunks"]), metadata.get("root", "")
                )
            offset += len(page["ids"])

    def record_documents(self, records: Sequence[DocumentRecord]) -> None:
        for batch in _batches(list(records), self._batch):
            self._documents.upsert(
                ids=[record.document for record in batch],
                embeddings=[[1.0]] * len(batch),
                metadatas=[
                    {"doc_hash": r.doc_hash, "chunks": r.chunks, "root": r.root} for r in batch
                ],
            )

    def forget_documents(self, documents: Iterable[str]) -> None:
        for batch in _batches(sorted(set(documents)), self._batch):
            self._documents.delete(ids=list(batch))
