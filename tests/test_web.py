"""The web chat's API: streaming replies with sourced numbers, isolation between browsers, the
token off loopback, uploads (good and bad), downloads, diff, restart."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from urllib.parse import quote

import docx
import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings, load_settings
from assistant.web import create_app
from assistant.web.app import is_loopback, server_token
from tests.chat_support import FIGURES, UNIT, ingested_settings
from tests.web_support import LOOPBACK

ALICE = {"X-Client-Id": "alice-0000-browser"}
BOB = {"X-Client-Id": "bob-00000-browser"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return ingested_settings(tmp_path)


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings, max_upload=200_000), base_url=LOOPBACK)


def new_session(client: TestClient, headers: dict[str, str] = ALICE) -> str:
    response = client.post(
        "/api/sessions", json={"figures": FIGURES.name, "unit": UNIT}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def say(client: TestClient, session: str, text: str, headers=ALICE) -> list[dict]:
    url = f"/api/sessions/{session}/messages"
    response = client.post(url, json={"text": text}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines() if line.strip()]


def test_page_and_assets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "起草助手" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "textContent" in script.text
    assert "innerHTML" not in script.text.replace("never innerHTML", "")
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_streamed_section_with_sourced_numbers(client: TestClient) -> None:
    session = new_session(client)
    events = say(client, session, "帮我起草上半年大气污染防治部分")
    kinds = [e["type"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "reply" and "token" in kinds
    reply = events[-1]
    assert reply["version"]["number"] == 1 and reply["check"]["ok"] > 0
    numbers = [
        piece
        for block in reply["message"]["blocks"]
        for piece in block["segments"]
        if piece["kind"] == "num"
    ]
    pm25 = next(p for p in numbers if p["text"] == "38.4微克/立方米")
    assert pm25["where"] == ["数据表 第2行", "区环境监测站月报（2025年6月）", "PM2.5平均浓度"]
    change = next(p for p in numbers if p["text"].startswith("下降"))
    assert "上年同期 39.8" in change["where"]
    assert not any("pm25_avg" in word for p in numbers for word in p["where"])  # no internal ids
    text = "".join(p["text"] for b in reply["message"]["blocks"] for p in b["segments"])
    assert text.replace("\n", "") == reply["message"]["text"].replace("\n", "")


def test_placeholders_are_marked(client: TestClient, settings: Settings) -> None:
    csv = FIGURES.read_text(encoding="utf-8-sig").replace(
        "pm25_avg,PM2.5平均浓度,38.4,", "pm25_avg,PM2.5平均浓度,〔待补〕,"
    )
    session = new_session(client)
    upload = client.post(
        f"/api/sessions/{session}/upload",
        files={"file": ("figures-missing.csv", csv.encode("utf-8"), "text/csv")},
        headers=ALICE,
    )
    assert upload.status_code == 200 and "已载入" in upload.json()["message"]["text"]
    reply = say(client, session, "帮我起草上半年大气污染防治部分")[-1]
    marks = [
        p["text"]
        for b in reply["message"]["blocks"]
        for p in b["segments"]
        if p["kind"] == "placeholder"
    ]
    assert any(m.startswith("〔待补：PM2.5平均浓度") for m in marks)


def test_revision_aimed_at_one_section(client: TestClient) -> None:
    session = new_session(client)
    first = say(client, session, "写整篇")[-1]["message"]["blocks"]
    reply = say(client, session, "在计划里的大气部分加上臭氧的内容")[-1]
    assert reply["version"]["number"] == 2 and "空气质量目标" in reply["version"]["label"]
    second = reply["message"]["blocks"]
    plan_air = next(i for i, b in enumerate(first) if "空气质量目标" in _text(b)) + 1
    changed = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
    assert changed == [plan_air] and "臭氧" in _text(second[plan_air])
    diff = client.get(f"/api/sessions/{session}/diff?a=1&b=2", headers=ALICE).json()
    assert [p["a_index"] for p in diff["paragraphs"] if p["kind"] != "unchanged"] == [plan_air]
    asked = say(client, session, "在大气部分加上臭氧的内容")[-1]
    assert asked["message"]["kind"] == "question" and "version" not in asked


def _text(block: dict) -> str:
    return "".join(piece["text"] for piece in block["segments"])


def test_browsers_do_not_see_each_other(client: TestClient) -> None:
    session = new_session(client)
    say(client, session, "写整篇")
    assert client.get(f"/api/sessions/{session}", headers=BOB).status_code == 404
    assert client.get("/api/sessions", headers=BOB).json()["sessions"] == []
    assert (
        client.post(
            f"/api/sessions/{session}/messages", json={"text": "写整篇"}, headers=BOB
        ).status_code
        == 404
    )
    download = f"/api/sessions/{session}/versions/1/download"
    assert client.get(download, headers=BOB).status_code == 404
    assert client.get(download, headers=ALICE).status_code == 200
    assert client.get("/api/sessions").status_code == 400  # no client id at all
    assert client.get("/api/sessions", headers={"X-Client-Id": "../../etc"}).status_code == 400


def test_token_required_when_set(settings: Settings) -> None:
    client = TestClient(create_app(settings, token="s3cret-token"), base_url=LOOPBACK)
    assert client.get("/").status_code == 200  # the page itself holds no data
    assert client.get("/api/sessions", headers=ALICE).status_code == 401
    wrong = {**ALICE, "Authorization": "Bearer nope"}
    assert client.get("/api/sessions", headers=wrong).status_code == 401
    right = {**ALICE, "Authorization": "Bearer s3cret-token"}
    assert client.get("/api/sessions", headers=right).status_code == 200
    assert client.get("/api/sessions", headers=right).json() == {"sessions": []}


def test_token_is_generated_for_non_loopback_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    assert server_token("127.0.0.1", None, said.append) is None
    assert server_token("localhost", None, said.append) is None
    generated = server_token("0.0.0.0", None, said.append)
    assert generated and len(generated) >= 24 and generated in said[0]
    assert server_token("0.0.0.0", "given", said.append) == "given"
    monkeypatch.setenv("ASSISTANT_WEB_TOKEN", "from-env")
    configured = load_settings().web_token
    assert configured is not None and configured.get_secret_value() == "from-env"
    assert is_loopback("::1") and not is_loopback("10.0.0.1")


def test_downloads_open_in_word_and_markdown(client: TestClient) -> None:
    session = new_session(client)
    say(client, session, "写下半年水环境的工作计划")
    base = f"/api/sessions/{session}/versions/1/download"
    docx_bytes = client.get(base + "?format=docx", headers=ALICE)
    assert docx_bytes.status_code == 200
    document = docx.Document(io.BytesIO(docx_bytes.content))
    assert any("35公里" in p.text for p in document.paragraphs)
    assert any(True for _ in document.comments)
    clean = client.get(base + "?format=clean", headers=ALICE)
    assert clean.status_code == 200
    assert quote("清稿") in clean.headers["content-disposition"]
    clean_document = docx.Document(io.BytesIO(clean.content))
    assert [p.text for p in clean_document.paragraphs] == [p.text for p in document.paragraphs]
    assert not list(clean_document.comments) and b"w:highlight" not in clean.content
    markdown = client.get(base + "?format=md", headers=ALICE)
    assert markdown.status_code == 200 and "35公里" in markdown.text
    assert client.get(base + "?format=exe", headers=ALICE).status_code == 400
    missing = client.get(f"/api/sessions/{session}/versions/9/download", headers=ALICE)
    assert missing.status_code == 400


def test_revision_diff_and_check(client: TestClient) -> None:
    session = new_session(client)
    say(client, session, "写下半年水环境的工作计划")
    second = say(client, session, "再精简一些")[-1]
    assert second["version"]["number"] == 2
    diff = client.get(f"/api/sessions/{session}/diff?a=1&b=2", headers=ALICE).json()
    assert diff["summary"]["changed"] >= 1
    check = client.get(f"/api/sessions/{session}/check", headers=ALICE).json()
    assert check["ok"] and check["summary"]["ok"] > 0
    state = client.get(f"/api/sessions/{session}", headers=ALICE).json()
    assert [v["number"] for v in state["versions"]] == [1, 2]
    assert [m["role"] for m in state["messages"]] == ["user", "assistant"] * 2
    assert state["messages"][1]["blocks"]


def test_html_in_a_message_is_kept_as_text(client: TestClient) -> None:
    session = new_session(client)
    attack = "<img src=x onerror=alert(1)><script>alert(2)</script>写整篇"
    say(client, session, attack)
    state = client.get(f"/api/sessions/{session}", headers=ALICE).json()
    assert state["messages"][0]["text"] == attack  # stored and returned as text, not markup
    assert state["messages"][1]["kind"] == "draft"


def test_message_limits(client: TestClient) -> None:
    session = new_session(client)
    url = f"/api/sessions/{session}/messages"
    assert client.post(url, json={"text": "  "}, headers=ALICE).status_code == 400
    assert client.post(url, json={"text": "写" * 5000}, headers=ALICE).status_code == 400
    assert client.post(url, content=b"{not json", headers=ALICE).status_code == 400


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BAD_UPLOADS = [
    ("draft.docx", b"%PDF-1.4 not a word file", "不是有效的Word 文档"),
    ("empty.docx", b"", "0 字节"),
    ("figures.xlsx", b"PK\x03\x04 broken", "不是有效的Excel 表格"),
    ("figures.xlsx", _zip({"[Content_Types].xml": b"<Types/>"}), "缺少 xl/workbook.xml"),
    (
        "bomb.docx",
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * 50_000_000}),
        "压缩炸弹",
    ),
    ("figures.csv", b"id,name\n\x00\x01\x02", "二进制"),
    ("figures.exe", b"MZ", "不支持的文件类型"),
    ("figures.csv", "id,指标,数值,单位,来源\npm25,PM2.5,abc,微克/立方米,站\n".encode(), "第2行"),
]


@pytest.mark.parametrize(("name", "data", "error"), BAD_UPLOADS)
def test_bad_uploads_are_answered_in_the_chat(
    client: TestClient, settings: Settings, name: str, data: bytes, error: str
) -> None:
    session = new_session(client)
    response = client.post(
        f"/api/sessions/{session}/upload", files={"file": (name, data)}, headers=ALICE
    )
    assert response.status_code == 422
    message = response.json()["message"]
    assert message["kind"] == "error" and error in message["text"], message["text"]
    assert str(settings.data_dir) not in message["text"]  # no server paths leak
    state = client.get(f"/api/sessions/{session}", headers=ALICE).json()
    assert state["messages"][-1]["text"] == message["text"]  # the error is part of the chat
    assert state["session"]["figures"] == FIGURES.name  # the good file stays in use
    assert not list((Path(settings.data_dir) / "chat" / "uploads").iterdir())


def test_an_oversize_upload_is_refused_before_the_chat(client: TestClient) -> None:
    session = new_session(client)
    huge = b"id,name,value\n" + b"a,b,1\n" * 60_000
    response = client.post(
        f"/api/sessions/{session}/upload", files={"file": ("huge.csv", huge)}, headers=ALICE
    )
    assert response.status_code == 413 and "文件过大" in response.json()["error"]
    state = client.get(f"/api/sessions/{session}", headers=ALICE).json()
    assert state["session"]["figures"] == FIGURES.name and not state["messages"]


def test_sessions_survive_a_restart(settings: Settings) -> None:
    first = TestClient(create_app(settings), base_url=LOOPBACK)
    session = new_session(first)
    say(first, session, "帮我起草上半年大气污染防治部分")
    second = TestClient(create_app(settings), base_url=LOOPBACK)
    state = second.get(f"/api/sessions/{session}", headers=ALICE).json()
    assert len(state["messages"]) == 2 and state["versions"][0]["number"] == 1
    assert (
        second.get(f"/api/sessions/{session}/versions/1/download", headers=ALICE).status_code == 200
    )


def test_picking_an_offered_file_only(client: TestClient) -> None:
    response = client.post("/api/sessions", json={"figures": "../../etc/passwd"}, headers=ALICE)
    assert response.status_code == 400 and "没有名为" in response.json()["error"]
    offered = client.get("/api/figures", headers=ALICE).json()["files"]
    assert FIGURES.name in offered
    session = new_session(client)
    changed = client.patch(
        f"/api/sessions/{session}", json={"figures": "figures-2025Q3.yaml"}, headers=ALICE
    )
    assert changed.status_code == 200 and changed.json()["figures"] == "figures-2025Q3.yaml"
