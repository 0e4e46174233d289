"""Names and level labelled per chunk at ingest, used at draft time, and checked in drafts."""

from dataclasses import replace
from pathlib import Path

import pytest

from assistant import names
from assistant.check import check_file
from assistant.figures import load_figures
from assistant.ingest import ingest
from assistant.refill import adapt
from assistant.retrieve import Retriever
from assistant.settings import load_settings
from assistant.store import Store
from assistant.types import Chunk

# Another city's half-year summary (a county-level city: 我市), in the shape such documents have.
FOREIGN = """宜兴市生态环境局2022年上半年工作总结

一、大气污染防治
上半年，我市大气环境质量稳步改善，市委市政府高度重视。督促宏达化工、鑫源建材等企业完成提标改造。

二、水污染防治
对青溪河、白沙河等河道开展清淤整治。丁蜀镇完成农村生活污水治理任务。

三、队伍建设
在局长王建国的带领下，全局上下团结一心。以“建设美丽家园，服务宜兴人民”为宗旨，积极争创无锡市文明单位。
"""

# The target's own past summary: its own township and river keep their names.
OWN = """示例县生态环境局2021年上半年工作总结

一、水污染防治
上半年，我县持续推进柳塘镇污水管网建设，清水河出境断面水质稳定。
"""

UNIT = "示例县生态环境局"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "yixing-2022h1.txt").write_text(FOREIGN, "utf-8")
    (folder / "own-2021h1.txt").write_text(OWN, "utf-8")
    return folder


def _chunks(settings) -> dict[str, list[Chunk]]:
    found: dict[str, list[Chunk]] = {}
    for chunk in Store(settings).all_chunks():
        found.setdefault(chunk.document, []).append(chunk)
    return found


def test_ingest_stores_each_chunks_level_and_names_by_kind(corpus: Path, tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", embedding="hash")
    ingest([corpus], settings)
    stored = _chunks(settings)
    foreign = stored["yixing-2022h1.txt"]
    assert {c.level for c in foreign} == {"市"}
    said = {kind: set() for kind in ("place", "water", "company", "person")}
    for chunk in foreign:
        assert chunk.names is not None
        for kind in said:
            said[kind] |= set(getattr(chunk.names, kind))
    assert {"宜兴", "丁蜀镇", "无锡市"} <= said["place"]
    assert {"青溪河", "白沙河"} <= said["water"]
    assert "宏达化工" in said["company"]
    assert said["person"] == {"王建国"}
    own = stored["own-2021h1.txt"]
    assert {c.level for c in own} == {"县"}
    assert "柳塘镇" in {n for c in own for n in c.names.all()}
    index = Retriever.open(settings).index  # the BM25 index carries the same labels
    assert all(c.names is not None and c.level for c in index.chunks)


def test_unchanged_documents_are_not_labelled_again_and_old_stores_are(
    corpus: Path, tmp_path: Path
) -> None:
    settings = load_settings(data_dir=tmp_path / "data", embedding="hash")
    first = ingest([corpus], settings)
    again = ingest([corpus], settings)
    assert again.unchanged == first.chunks and again.added == 0
    assert {d.status for d in again.documents} == {"unchanged"}
    # a store written before ingest labelled chunks: no labels, and other document hashes
    store = Store(settings)
    chunks = [replace(c, level=None, names=None) for c in store.all_chunks()]
    store.delete(c.id for c in chunks)
    store.upsert(chunks, doc_hashes={c.document: "old" for c in chunks})
    store.record_documents([replace(r, doc_hash="old") for r in store.document_records().values()])
    unlabelled = next(c for c in store.all_chunks() if "宏达化工" in c.text)
    assert unlabelled.names is None  # not silently "no names": found when asked
    assert "宏达化工" in names.chunk_names(unlabelled).company
    relabel = ingest([corpus], settings)
    assert {d.status for d in relabel.documents} == {"changed"}
    assert relabel.added == 0  # the same passages: nothing new
    assert all(c.names is not None for c in Store(settings).all_chunks())


def _chunk(text: str, unit: str | None, level: str | None = None) -> Chunk:
    chunk = Chunk("c1", text, "doc", unit=unit, year=2022, period="上半年")
    return names.labelled([chunk])[0] if level is None else replace(chunk, level=level)


def test_a_reused_chunk_of_another_city_speaks_as_the_target() -> None:
    voice = names.Voice.of(UNIT)
    chunk = _chunk(FOREIGN.split("\n", 1)[1], "宜兴市生态环境局")
    text = adapt(chunk.text, chunk, 2024, "上半年", voice)
    assert names.foreign_names(text, voice) == []
    for general in ("我县", "县委县政府", "重点企业", "重点河湖", "服务人民群众", "争创文明单位"):
        assert general in text, text
    assert "王建国" not in text and "丁蜀镇" not in text  # no general form: the sentence goes
    assert "。。" not in text and not text.startswith("，")


def test_the_targets_own_past_document_keeps_its_names() -> None:
    voice = names.Voice.of(UNIT)
    chunk = _chunk(OWN.split("\n", 1)[1], UNIT)
    assert adapt(chunk.text, chunk, 2024, "上半年", voice) == chunk.text.replace("2021", "2024")


def test_stored_names_are_used_not_found_again() -> None:
    """A name ingest found is generalised even where this sentence alone would not show it."""
    voice = names.Voice.of(UNIT)
    chunk = replace(
        _chunk("督促宏达化工等企业完成治理。", "宜兴市生态环境局"),
        names=names.Names(company=("宏达化工",)),
    )
    assert adapt(chunk.text, chunk, 2024, "上半年", voice) == "督促重点企业完成治理。"
    told = replace(chunk, names=names.Names(), level="市")
    assert adapt(told.text, told, 2024, "上半年", voice) == told.text  # the labels decide


@pytest.mark.parametrize(
    ("target", "source", "text", "expected"),
    [
        ("示例县生态环境局", "市", "我市在市委市政府领导下", "我县在县委县政府领导下"),
        ("示例区生态环境局", "县", "我县在县委、县政府领导下", "我区在区委、区政府领导下"),
        ("示例市生态环境局", "区", "我区在区委区政府领导下", "我市在市委市政府领导下"),
        ("示例市生态环境局高新区分局", "市", "全市在市委市政府领导下", "全区在区委区政府领导下"),
        ("湘西州生态环境局吉首分局", "县", "我县在县委县政府领导下", "我市在市委市政府领导下"),
        ("示例县生态环境局", "县", "我县在市委、市政府领导下", "我县在市委、市政府领导下"),
    ],
)
def test_level_words_follow_the_target(target: str, source: str, text: str, expected: str) -> None:
    voice = names.Voice.of(target)
    chunk = _chunk(text + "。", None, level=source)
    chunk = replace(chunk, names=names.Names())
    assert adapt(chunk.text, chunk, 2022, "上半年", voice) == expected + "。"


def test_a_documents_level_is_labelled_on_every_chunk() -> None:
    """A chunk that never says 我县 still speaks at its document's level."""
    chunks = [
        Chunk("a", "我县空气质量持续改善。我县加强执法。", "doc"),
        Chunk("b", "在县委县政府领导下完成整治。", "doc", position=1),
    ]
    assert [c.level for c in names.labelled(chunks)] == ["县", "县"]
    voice = names.Voice.of("示例区生态环境局")
    second = names.labelled(chunks)[1]
    assert adapt(second.text, second, None, "上半年", voice) == "在区委区政府领导下完成整治。"


FIGURES = (
    "id,指标,数值,单位,期间,范围,来源\n"
    "sewage,柳塘镇污水管网新建长度,12,公里,2024年上半年,柳塘镇,县住建局\n"
)


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("上半年，吉首市环境空气优良天数稳定。", "吉首市"),
        ("青溪河出境断面水质保持Ⅲ类。", "青溪河"),
        ("督促宏达化工完成提标改造。", "宏达化工"),
        ("丁蜀镇完成农村生活污水治理任务。", "丁蜀镇"),
        ("在局长王建国的带领下，全局团结一心。", "王建国"),
        ("以服务宜兴人民为宗旨。", "宜兴"),
        ("争创无锡市文明单位。", "无锡市"),
    ],
)
def test_check_reports_each_kind_of_foreign_name(tmp_path: Path, sentence: str, name: str) -> None:
    figures = tmp_path / "figures.csv"
    figures.write_text(FIGURES, "utf-8")
    draft = tmp_path / "draft.md"
    draft.write_text(f"# {UNIT}2024年上半年工作总结\n\n{sentence}\n", "utf-8")
    report = check_file(draft, load_figures(figures), unit=UNIT)
    assert [f.value for f in report.findings if f.kind == "foreign"] == [name]
    assert not report.ok


def test_check_takes_the_figures_files_names_as_the_targets_own(tmp_path: Path) -> None:
    figures = tmp_path / "figures.csv"
    figures.write_text(FIGURES, "utf-8")
    draft = tmp_path / "draft.md"
    draft.write_text(
        f"# {UNIT}2024年上半年工作总结\n\n我县加快柳塘镇污水管网建设，全县生态环境持续改善。\n",
        "utf-8",
    )
    report = check_file(draft, load_figures(figures), unit=UNIT)
    assert not [f for f in report.findings if f.kind == "foreign"]


def test_the_great_rivers_are_everyones(tmp_path: Path) -> None:
    figures = tmp_path / "figures.csv"
    figures.write_text(FIGURES, "utf-8")
    draft = tmp_path / "draft.md"
    draft.write_text(
        f"# {UNIT}2024年上半年工作总结\n\n深入推进长江大保护，青溪河水质持续改善。\n", "utf-8"
    )
    report = check_file(draft, load_figures(figures), unit=UNIT)
    assert [f.value for f in report.findings if f.kind == "foreign"] == ["青溪河"]
    voice = names.Voice.of(UNIT)
    assert names.speak_as("深入推进长江大保护。", "县", voice) == "深入推进长江大保护。"


def test_check_reports_a_sibling_county_of_the_units_city(tmp_path: Path) -> None:
    """衢州市…江山分局's draft saying 柯城区 (another district of 衢州市) is flagged; 衢州市 and
    江山 are its own."""
    unit = "衢州市生态环境局江山分局"
    figures = tmp_path / "figures.csv"
    figures.write_text(
        "id,指标,数值,单位,期间,来源\nscore,生态环境公众满意度,90.5,分,2024年,省统计局\n", "utf-8"
    )
    draft = tmp_path / "draft.md"
    draft.write_text(
        f"# {unit}2024年工作总结\n\n2024年，柯城区生态环境公众满意度90.5分。"
        "衢州市下达的目标任务全面完成，江山市空气质量持续改善。\n",
        "utf-8",
    )
    report = check_file(draft, load_figures(figures), unit=unit)
    assert [f.value for f in report.findings if f.kind == "foreign"] == ["柯城区"]
