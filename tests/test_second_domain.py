"""The second domain pack (应急管理) end to end, with no code of its own: the command line
ingests its sample corpus into its own collection, drafts from its figures and checks the draft
clean; the chat drafts a section and the whole document for it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import domain
from assistant.chat import ChatEngine
from assistant.ingest import ingest
from assistant.settings import load_settings
from tests.conftest import REPO_ROOT

CORPUS = REPO_ROOT / "corpus" / "应急管理"
FIGURES = CORPUS / "figures-2025H1.csv"
UNIT = "示例区应急管理局"
# words of the first domain that must not leak into the second one's drafts
OTHER_DOMAIN = ("生态环境", "污染", "大气", "水质", "环评", "蓝天")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args, "--domain", "应急管理"],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_ingest_draft_check_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDING", "hash")
    done = run("ingest", str(CORPUS), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "读取 4 个文件" in done.stdout

    done = run("search", "事故起数 同比", "--topic", "安全生产", "-k", "2", "--json", cwd=tmp_path)
    results = json.loads(done.stdout)
    assert results and all(r["topic"] == "安全生产" for r in results)

    out = tmp_path / "out"
    args = ("--figures", str(FIGURES), "--unit", UNIT, "--period", "2025年上半年")
    done = run("draft", *args, "--out", str(out), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["check"]["passed"] and report["check"]["total"] > 25, report["check"]
    text = Path(report["files"]["md"]).read_text(encoding="utf-8")
    assert text.startswith("# 示例区应急管理局2025年上半年工作总结")
    for heading in ("安全生产形势", "隐患排查", "防汛抗旱", "森林防火", "二、存在的问题"):
        assert heading in text, heading
    for value in ("4起", "96.8%", "612家次", "126.5万元", "1260人"):
        assert value in text, value
    assert not [word for word in OTHER_DOMAIN if word in text]

    done = run("check", report["files"]["docx"], "--figures", str(FIGURES), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "全部一致" in done.stdout


def test_each_domain_keeps_its_own_collection(tmp_path: Path) -> None:
    second = load_settings(embedding="hash", data_dir=tmp_path, domain="应急管理")
    first = load_settings(embedding="hash", data_dir=tmp_path)
    assert (second.collection, first.collection) == ("emergency", "summaries")
    named = load_settings(embedding="hash", data_dir=tmp_path, domain="应急管理", collection="x")
    assert named.collection == "x"


def test_chat_drafts_for_the_second_domain(tmp_path: Path) -> None:
    settings = load_settings(embedding="hash", data_dir=tmp_path, domain="应急管理")
    domain.use(settings.domain)
    ingest([CORPUS], settings)
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)

    first = engine.send("alice", info.id, "帮我起草上半年防汛抗旱部分")
    assert first.reply.kind == "draft" and first.draft is not None
    assert "防汛抗旱" in first.draft.title
    assert first.report is not None and first.report.ok
    assert "1260人" in first.reply.text

    whole = engine.send("alice", info.id, "写整篇")
    assert whole.report is not None and whole.report.ok
    assert "森林防火" in whole.reply.text and "存在的问题" in whole.reply.text
    assert not [word for word in OTHER_DOMAIN if word in whole.reply.text]

    asked = engine.send("alice", info.id, "帮我写一下")
    assert asked.reply.kind == "question" and "安全生产" in asked.reply.text
