"""What a chat draft costs: work done once per process instead of once per draft, and proof that
the files a user gets are the same as when it was done every time (issue 14: others' p95)."""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest

from assistant.chat import ChatEngine
from assistant.check.index import _Index
from assistant.draft import DraftRequest, compose, save_draft
from assistant.figures import load_figures
from assistant.ingest import ingest
from assistant.retrieve import Retriever
from assistant.settings import Settings
from assistant.types import Block, Finish, Mark
from assistant.word import clean_path, write_clean_copy, write_document
from assistant.word.gongwen import _write_blocks
from assistant.word.read import block_paragraphs
from tests.chat_support import FIGURES, UNIT, ingested_settings

BLOCKS = [
    Block("示例区2025年上半年工作总结", "title"),
    Block("一、大气污染防治", "h1"),
    Block(
        "PM2.5平均浓度为32微克/立方米，同比下降5.2%。",
        "body",
        marks=[Mark(10, 18, comment="来源：监测站"), Mark(23, 27, comment="计算", highlight=True)],
    ),
    Block("指标\t数值\t单位", "table"),
    Block("PM2.5\t32", "table"),  # a short row: its last cell merged across
    Block("（一）水环境", "h2"),
    Block("1.国考断面", "h3"),
    Block("（1）水质", "h4"),
    Block("罚款〔待补：罚款金额〕。", "body", marks=[Mark(2, 11, highlight=True)]),
]
FINISH = Finish(UNIT, date(2025, 7, 1), "示环〔2025〕12号")


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("finish", [None, FINISH], ids=["plain", "finished"])
def test_clean_copy_from_memory_is_the_file_read_back(tmp_path: Path, finish) -> None:
    """The clean copy made from the document in memory has exactly the parts, in the same
    order and with the same bytes, as the one made by reading the annotated file back."""
    annotated, clean = tmp_path / "稿.docx", tmp_path / "稿-内存.docx"
    created = datetime(2025, 7, 1, tzinfo=UTC)
    write_document(
        annotated, BLOCKS, author="起草助手", created=created, finish=finish, clean=clean
    )
    read_back = write_clean_copy(annotated, tmp_path / "稿-读回.docx")
    assert list(_members(clean)) == list(_members(read_back))
    assert _members(clean) == _members(read_back)
    assert b"w:comment" not in _members(clean)["word/document.xml"]


def test_written_paragraphs_are_the_ones_the_reader_finds() -> None:
    """The marks go on the paragraphs the writer returns; they are the ones every reader of the
    file (check, annotate, revise) addresses by block index, finish paragraphs left out."""
    from assistant.word.finish import add_finish
    from assistant.word.gongwen import _blank_document

    document = docx.Document(io.BytesIO(_blank_document()))
    written = _write_blocks(document, BLOCKS)
    add_finish(document, FINISH)
    assert written == block_paragraphs(document)
    assert len(written) == len(BLOCKS)


def test_chat_makes_the_clean_copy_when_first_asked(tmp_path: Path) -> None:
    """A chat version is saved without its clean copy; the first download makes it, the same
    file save_draft writes for the command line."""
    settings = ingested_settings(tmp_path)
    engine = ChatEngine(settings)
    session = engine.create_session("alice", figures=FIGURES, unit=UNIT).id
    turn = engine.send("alice", session, "写下半年水环境的工作计划")
    assert turn.version is not None
    annotated = turn.version.file("docx")
    assert annotated.is_file() and not clean_path(annotated).exists()
    clean = engine.version_file("alice", session, 1, "clean")
    assert clean == clean_path(annotated) and clean.is_file()
    assert turn.draft is not None
    eager = save_draft(turn.draft, engine.figures("alice", session), tmp_path / "cli", "draft")
    assert _members(clean)["word/document.xml"] == _members(eager["clean"])["word/document.xml"]


def test_one_index_per_figures_and_period(tmp_path: Path) -> None:
    figure_set = load_figures(FIGURES)
    index = _Index.of(figure_set)
    assert _Index.of(replace(figure_set, path=tmp_path / "copy.csv")) is index  # same figures
    other = load_figures(FIGURES)  # read again: other objects, its own index
    assert _Index.of(other) is not index
    assert _Index.of(other).grams == index.grams


def test_sessions_choosing_one_file_share_its_figures_until_it_changes(tmp_path: Path) -> None:
    settings = ingested_settings(tmp_path)
    engine = ChatEngine(settings)
    offered = tmp_path / "offered.csv"
    offered.write_bytes(FIGURES.read_bytes())
    first = engine.set_figures("a", engine.create_session("a").id, offered)
    second = engine.set_figures("b", engine.create_session("b").id, offered)
    assert second.figures is first.figures and second.path != first.path
    text = offered.read_text(encoding="utf-8").replace("32", "31", 1)
    offered.write_text(text, encoding="utf-8")
    os.utime(offered, ns=(1, 1))  # another size or time: read again
    third = engine.set_figures("c", engine.create_session("c").id, offered)
    assert third.figures is not first.figures


def test_retriever_sees_a_new_ingest_at_once(tmp_path: Path, settings_with: Settings) -> None:
    """The BM25 index is kept open between drafts only while the store is unchanged."""
    before = Retriever.open(settings_with)
    assert Retriever.open(settings_with).index is before.index  # unchanged: not read again
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "2021-上半年工作总结.txt").write_text(
        "一、大气污染防治\n上半年，我局扎实推进扬尘管控，新增雾炮车三台，工地围挡全部到位。\n",
        encoding="utf-8",
    )
    ingest([extra], settings_with)
    after = Retriever.open(settings_with)
    assert after.index is not before.index
    assert len(after.index.ids) > len(before.index.ids)
    assert any("雾炮车" in chunk.text for chunk in after.index.chunks)


@pytest.fixture
def settings_with(tmp_path: Path) -> Settings:
    return ingested_settings(tmp_path / "data")


def test_draft_files_are_unchanged_by_the_savings(tmp_path: Path) -> None:
    """A whole draft with 发文字号 and 落款 saved for the command line: the clean copy written
    from memory equals the one read back from the annotated file."""
    settings = ingested_settings(tmp_path)
    request = DraftRequest(
        figures=FIGURES, unit=UNIT, period="2025年上半年", doc_number="示环〔2025〕1号"
    )
    result = compose(request, settings)
    paths = save_draft(result.draft, result.figure_set, tmp_path / "out", "稿")
    assert set(paths) == {"docx", "md", "json", "clean"}
    read_back = write_clean_copy(paths["docx"], tmp_path / "读回.docx")
    assert _members(paths["clean"]) == _members(read_back)


def test_index_chunks_are_the_stores(settings_with: Settings) -> None:
    """find_past takes the past document's chunks from the open index, not from the store: the
    same chunks, labels and names included."""
    retriever = Retriever.open(settings_with)
    ids = list(retriever.index.ids)
    assert ids and retriever.store.get(ids) == list(retriever.index.chunks)
