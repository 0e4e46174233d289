"""科室 material in the chat: uploaded as one or several files (web) or named by /items
(terminal), listed like a figures file with its warnings, used by the session's drafts, dropped
on request; "用这些科室材料" is understood (words from the domain pack)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.chat import ChatEngine
from assistant.chat.intent import parse_intent
from assistant.errors import InputError
from assistant.settings import Settings, load_settings
from assistant.web import create_app
from tests.chat_support import FIGURES, SAMPLE_DIR, UNIT, ingested_settings
from tests.openai_stub import Reply
from tests.test_draft_items_openai import INVENTORY, VOCS
from tests.web_support import LOOPBACK

MATERIAL = SAMPLE_DIR.parent / "items-2025H1"
FILES = ("大气科.docx", "水科.md", "执法大队.txt", "事项.csv")
ALICE = {"X-Client-Id": "alice-0000-browser"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One ingested data folder for the module: every test opens its own session."""
    return ingested_settings(tmp_path_factory.mktemp("chat-items"))


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("用这些科室材料", "items"),
        ("把各科室的材料也用上", "items"),
        ("看看事项表里有什么", "items"),
        ("不用科室材料了", "no-items"),
        ("去掉事项表", "no-items"),
        ("用科室材料写整篇", "draft"),
        ("写上半年大气污染防治部分", "draft"),
    ],
)
def test_material_requests_are_understood(text: str, action: str) -> None:
    assert parse_intent(text, has_draft=False).action == action


def upload(client: TestClient, session: str, names: tuple[str, ...]):
    files = [("files", (name, (MATERIAL / name).read_bytes())) for name in names]
    return client.post(f"/api/sessions/{session}/items/upload", files=files, headers=ALICE)


def web_session(client: TestClient) -> str:
    response = client.post(
        "/api/sessions", json={"figures": FIGURES.name, "unit": UNIT}, headers=ALICE
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def test_web_upload_of_several_files_lists_the_items_and_warnings(settings: Settings) -> None:
    client = TestClient(create_app(settings), base_url=LOOPBACK)
    session = web_session(client)
    response = upload(client, session, FILES)
    assert response.status_code == 200, response.text
    text = response.json()["message"]["text"]
    lines = text.split("\n")
    files = "事项.csv、大气科.docx、执法大队.txt、水科.md"
    assert lines[0].startswith(f"已载入科室材料（{files}，期间 2025年上半年")
    assert "暂不使用" in lines[0] and lines[1] == "科室 | 主题 | 部分 | 事项 | 数字"
    air = [line for line in lines if line.startswith("大气科 | 大气 | 总结 | ")]
    assert any(line.endswith(" | 32家、6家") for line in air)
    warnings = [line for line in lines if line.startswith("提示：")]
    assert any("35件" in w and "32件" in w for w in warnings)  # the conflict with the figures
    assert any("2024年12月" in w and "不在本期" in w for w in warnings)  # last year's item
    assert any("同一件事" in w for w in warnings)  # the duplicate, merged
    state = client.get(f"/api/sessions/{session}", headers=ALICE).json()
    said = [m["text"] for m in state["messages"]]
    assert said[0] == "上传科室材料：" + "、".join(FILES) and said[1] == text
    assert not list((Path(settings.data_dir) / "chat" / "uploads").iterdir())
    # asked again, the chat lists the same items
    reply = client.post(
        f"/api/sessions/{session}/messages", json={"text": "用这些科室材料"}, headers=ALICE
    )
    events = [json.loads(line) for line in reply.text.splitlines() if line.strip()]
    assert events[-1]["message"]["text"] == text


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("材料.zip", b"PK\x03\x04", "压缩包不能直接作为科室材料"),
        ("材料.exe", b"MZ", "不支持的文件类型"),
        ("空.txt", "科室：水科\n\n".encode(), "没有读到任何事项"),
    ],
)
def test_a_bad_material_file_is_answered_and_changes_nothing(
    settings: Settings, name: str, data: bytes, error: str
) -> None:
    client = TestClient(create_app(settings), base_url=LOOPBACK)
    session = web_session(client)
    assert upload(client, session, ("水科.md",)).status_code == 200
    files = [("files", (name, data))]
    response = client.post(f"/api/sessions/{session}/items/upload", files=files, headers=ALICE)
    assert response.status_code == 422
    message = response.json()["message"]
    assert message["kind"] == "error" and error in message["text"], message["text"]
    assert str(settings.data_dir) not in message["text"]
    reply = client.post(
        f"/api/sessions/{session}/messages", json={"text": "用这些科室材料"}, headers=ALICE
    )
    listed = json.loads(reply.text.splitlines()[-1])["message"]["text"]
    offices = {line.split(" | ")[0] for line in listed.split("\n")[2:] if " | " in line}
    assert listed.startswith("已载入科室材料（水科.md") and offices == {"水科"}


def model_engine(settings: Settings, base_url: str) -> ChatEngine:
    return ChatEngine(
        load_settings(
            data_dir=settings.data_dir,
            embedding="hash",
            writer="openai",
            base_url=base_url,
            timeout=10,
            max_retries=0,
        )
    )


@pytest.mark.slow
def test_drafts_in_the_session_use_its_items_until_dropped(
    settings: Settings, openai_server
) -> None:
    engine = model_engine(settings, openai_server.base_url)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    listed = engine.set_items("alice", info.id, [MATERIAL / n for n in FILES])
    assert {"大气科", "水科", "执法大队", "审批科"} <= {i.office for i in listed.items}
    openai_server.always = Reply.of(f"完成全区重点行业企业VOCs排放源清单更新〔item:{INVENTORY}〕。")
    turn = engine.send("alice", info.id, "写上半年大气污染防治部分")
    assert turn.version is not None and turn.draft is not None, turn.reply.text
    prompt = openai_server.chat_requests[-1]["messages"][1]["content"]
    assert f"〔item:{INVENTORY}〕（大气科）" in prompt
    assert [c.item_id for c in turn.draft.item_citations] == [INVENTORY]
    assert "〔item" not in turn.reply.text
    assert any("35件" in note for note in turn.notes)  # the conflict said with the draft
    saved = engine.load("alice", info.id)  # the version's sidecar keeps the item citations
    assert [c.item_id for c in saved.item_citations] == [INVENTORY]
    assert VOCS in saved.items_unused and INVENTORY not in saved.items_unused

    dropped = engine.send("alice", info.id, "不用科室材料了")
    assert dropped.reply.kind == "notice" and "不再使用科室材料" in dropped.reply.text
    assert engine.items("alice", info.id) is None
    engine.send("alice", info.id, "起草上半年大气污染防治部分")
    prompt = openai_server.chat_requests[-1]["messages"][1]["content"]
    assert "【科室事项开始】\n（无）\n【科室事项结束】" in prompt
    asked = engine.send("alice", info.id, "用这些科室材料")
    assert asked.reply.kind == "notice" and "还没有科室材料" in asked.reply.text


def test_set_items_refuses_a_missing_file_and_keeps_the_material(settings: Settings) -> None:
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    engine.set_items("alice", info.id, [MATERIAL / "综合科.txt"])
    with pytest.raises(InputError, match="不存在"):
        engine.set_items("alice", info.id, [MATERIAL / "没有这个.txt"])
    kept = engine.items("alice", info.id)
    assert kept is not None and {i.office for i in kept.items} == {"综合科"}


def test_terminal_items_command_reads_a_folder(settings: Settings) -> None:
    from assistant.cli.chat import _chat_command

    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    assert _chat_command(engine, "alice", info.id, f"/items {MATERIAL}")
    found = engine.items("alice", info.id)
    assert found is not None and len(found.files) == 5 and found.held


@pytest.mark.slow
def test_checking_a_session_draft_reads_the_material_it_was_written_from(
    settings: Settings,
) -> None:
    """The chat's (and web page's) check of a version finds the material where the version's
    sidecar says it was, so the item numbers it states are checked, not 无出处."""
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    engine.set_items("alice", info.id, [MATERIAL / n for n in FILES])
    turn = engine.send("alice", info.id, "写上半年大气污染防治部分")
    assert turn.draft is not None and turn.draft.item_citations, turn.reply.text
    assert any(c.figure_id.startswith("item_") for c in turn.draft.citations)
    report = engine.check("alice", info.id)
    assert report.ok, [f for f in report.problems]
    assert not [f for f in report.findings if f.kind == "unsourced"]
    engine.send("alice", info.id, "不用科室材料了")  # the material gone: said, not 无出处
    with pytest.raises(InputError, match="找不到起草时用的科室材料"):
        engine.check("alice", info.id)
