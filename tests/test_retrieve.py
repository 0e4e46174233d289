"""Hybrid retrieval: tokens, fusion, near-copy suppression, filters, the persisted BM25 index."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.errors import InputError
from assistant.retrieve import (
    Bm25Index,
    Retriever,
    diversify,
    expand_query,
    fuse_scores,
    index_dir,
    search,
    tokenize,
)
from assistant.settings import load_settings
from assistant.store import Store
from assistant.types import Chunk, SearchResult

UNIT = "示例区生态环境局"


def labelled(chunk_id, text, document, heading, part, topic, year, period, unit=UNIT) -> Chunk:
    return Chunk(chunk_id, text, document, heading, part, topic, unit, year, period)


CHUNKS = [
    labelled("air22", "上半年全区PM2.5平均浓度为41微克/立方米，同比下降3.5%。", "2022.txt",
             ("一、工作成效", "（一）大气污染防治"), "总结", "大气", 2022, "上半年"),
    labelled("air24", "全年优良天数比率达到82.1%，同比提高2.3个百分点，空气质量持续改善。",
             "2024.txt", ("一、工作成效", "（一）蓝天保卫战"), "总结", "大气", 2024, "全年"),
    labelled("ozone", "臭氧浓度连续上升，夏季臭氧超标天数占比较高，协同减排能力不足。", "2024.txt",
             ("二、存在问题",), "问题", "大气", 2024, "全年"),
    labelled("water", "3个国考断面水质稳定达到Ⅲ类，优Ⅲ比例保持100%，河长制巡河1200余次。",
             "2023.txt", ("一、工作成效", "（二）碧水保卫战"), "总结", "水", 2023, "上半年"),
    labelled("plan", "下半年将强化臭氧和PM2.5协同控制，开展挥发性有机物专项执法检查。", "2023.txt",
             ("三、下半年工作计划",), "计划", "大气", 2023, "上半年", unit="另一区生态环境局"),
    labelled("soil", "完成受污染耕地安全利用率评估，重点建设用地安全利用得到有效保障。", "2023.txt",
             ("一、工作成效", "（三）净土保卫战"), "总结", "土壤", 2023, "一季度"),
]  # fmt: skip


@pytest.fixture
def settings():
    settings = load_settings(embedding="hash")
    store = Store(settings)
    store.bump_revision()
    store.upsert(CHUNKS)
    return settings


def ids(results: list[SearchResult]) -> list[str]:
    return [r.chunk.id for r in results]


def test_tokenize_keeps_ascii_terms_and_drops_punctuation_and_function_words() -> None:
    tokens = tokenize("上半年PM2.5浓度为41.6微克/立方米，同比下降13.4%。")
    assert "pm2.5" in tokens and "41.6" in tokens and "13.4%" in tokens
    assert "浓度" in tokens and "上半年" in tokens
    assert not {"，", "。", "/", "为"} & set(tokens)
    assert tokenize("ＰＭ２．５浓度") == tokenize("PM2.5浓度")
    assert "的" not in tokenize("空气质量的改善")


def test_fuse_scores_on_a_hand_built_example() -> None:
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.5)]  # normalised: a 1, b 0.75, c 0
    lexical = [("c", 12.0), ("d", 6.0), ("a", 2.0)]  # normalised: c 1, d 0.4, a 0
    fused = fuse_scores([dense, lexical], [0.5, 0.5])
    assert [i for i, _ in fused] == ["a", "c", "b", "d"]  # a and c tie at 0.5: a seen first
    assert dict(fused) == pytest.approx({"a": 0.5, "c": 0.5, "b": 0.375, "d": 0.2})
    # the gaps within a list count, not only the ranks: a far-behind runner-up gets little
    assert fuse_scores([[("x", 10.0), ("y", 1.0), ("z", 0.9)]], [1.0])[1][1] < 0.02
    assert fuse_scores([[], [("q", 3.0)]], [0.5, 0.5]) == [("q", 0.5)]


def test_query_expansion_adds_the_bureaus_terms() -> None:
    assert {"PM2.5", "优良天数比例"} <= set(expand_query("空气质量改善了多少"))
    assert "饮用水" in expand_query("老百姓喝的水安不安全")
    assert "罚款金额" in expand_query("罚款多少")  # a metric alias brings the metric's name
    assert expand_query("签订责任书") == []


def test_tokenize_keeps_metric_names_whole() -> None:
    tokens = tokenize("全区受污染耕地安全利用率95.1%，优良天数比例76.9%")
    assert "受污染耕地安全利用率" in tokens and "优良天数比例" in tokens
    assert "耕地" in tokens and "优良" in tokens  # search mode keeps the parts too


def test_diversify_suppresses_near_copies() -> None:
    base = "全区PM2.5平均浓度同比下降，优良天数比率持续提高，空气质量稳中向好。"
    results = [
        SearchResult(Chunk("1", base, "a"), 3.0),
        SearchResult(Chunk("2", base.replace("持续", "进一步"), "b"), 2.0),
        SearchResult(Chunk("3", "断面水质稳定达标，饮用水水源地水质达标率100%。", "c"), 1.0),
    ]
    assert ids(diversify(results, 2)) == ["1", "3"]
    assert ids(diversify(results, 3, threshold=1.01)) == ["1", "2", "3"]


def test_hybrid_finds_keyword_and_paraphrase(settings) -> None:
    assert ids(search("PM2.5 浓度 同比", settings, k=1)) == ["air22"]
    assert ids(search("河长制", settings, k=1)) == ["water"]
    hit = search("优良天数比率", settings, k=1)[0]
    assert hit.chunk.id == "air24" and hit.dense_rank and hit.bm25_rank


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_filters_apply_in_every_mode(settings, mode) -> None:
    def found(**filters):
        return set(ids(search("臭氧 PM2.5 浓度 水质 耕地", settings, k=6, mode=mode, **filters)))

    assert found(part="问题") == {"ozone"}
    assert found(topic="水") <= {"water"}
    assert found(part="计划", year_from=2023, year_to=2023) == {"plan"}
    assert found(period="上半年") <= {"air22", "water", "plan"}
    assert "air22" not in found(year_from=2023)
    assert found(unit="另一区生态环境局") == {"plan"}
    assert found(topic="土壤", year_to=2022) == set()


def test_dense_filters_from_labels_and_falls_back_to_chroma_where(settings, monkeypatch) -> None:
    retriever = Retriever.open(settings)
    wheres = []
    real_query = Store.query

    def spying_query(self, vector, k, filters=None, total=None):
        wheres.append(filters)
        return real_query(self, vector, k, filters, total)

    monkeypatch.setattr(Store, "query", spying_query)
    masked = retriever.search("臭氧 PM2.5", k=3, mode="dense", part="问题", year_from=2024)
    assert ids(masked) == ["ozone"] and wheres == [None]  # unfiltered query, masked here
    monkeypatch.setattr("assistant.retrieve.DENSE_OVERFETCH", 2)  # too selective: use where
    wheres.clear()
    fallback = retriever.search("臭氧 PM2.5", k=3, mode="dense", part="问题", year_from=2024)
    assert ids(fallback) == ["ozone"] and wheres[-1] is not None and wheres[-1].part == "问题"


def test_filter_values_are_validated_with_the_allowed_names(settings) -> None:
    with pytest.raises(InputError, match="总结、问题、计划") as caught:
        search("x", settings, part="成效")
    assert str(caught.value).startswith("--part 不能是 “成效”")  # an option, not a table's 列
    with pytest.raises(InputError, match="大气"):
        search("x", settings, topic="空气")
    with pytest.raises(InputError, match="上半年"):
        search("x", settings, period="下半年")
    with pytest.raises(InputError, match="hybrid"):
        search("x", settings, mode="sparse")  # type: ignore[arg-type]


def test_bm25_index_is_persisted_and_not_rebuilt_while_current(settings, monkeypatch) -> None:
    Retriever.open(settings)
    assert (index_dir(settings) / "chunks.json").is_file()

    def no_rebuild(store):
        raise AssertionError("BM25 index rebuilt although the store did not change")

    monkeypatch.setattr(Bm25Index, "build", no_rebuild)
    retriever = Retriever.open(settings)
    assert ids(retriever.search("河长制", k=1, mode="bm25")) == ["water"]


def test_bm25_index_is_rebuilt_when_the_store_changed(settings, monkeypatch) -> None:
    Retriever.open(settings)
    store = Store(settings)
    store.bump_revision()
    store.upsert([Chunk("new", "新建污水处理厂一座，日处理能力五万吨。", "2025.txt", part="总结")])
    built = []
    real_build = Bm25Index.build

    def counting_build(store):
        built.append(1)
        return real_build(store)

    monkeypatch.setattr(Bm25Index, "build", counting_build)
    retriever = Retriever.open(settings)
    assert built == [1]
    assert ids(retriever.search("污水处理厂", k=1, mode="bm25")) == ["new"]


def test_empty_store_gives_no_results() -> None:
    assert search("PM2.5", load_settings(embedding="hash", collection="empty")) == []


def test_cli_search_json(settings, monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDING", "hash")
    result = CliRunner().invoke(app, ["search", "臭氧", "--part", "问题", "-k", "3", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["document"] for row in rows] == ["2024.txt"]
    assert rows[0]["heading_path"] == ["二、存在问题"]
    assert {"text", "part", "topic", "year", "period", "score"} <= set(rows[0])


def test_cli_search_rejects_unknown_topic(settings, monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDING", "hash")
    result = CliRunner().invoke(app, ["search", "臭氧", "--topic", "空气"])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
