"""Whatever name an upload carries, it is stored under a safe one and answered in Chinese
JSON (against a real uvicorn, where `..` used to give a 500 and `.` a reset connection); every
API error is {"error": "<Chinese>"}; uploads a crashed server left behind are removed on start
(and only those)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings
from assistant.uploads import STALE_SECONDS, clean_leftovers, display_name, stored_name
from assistant.web import create_app
from tests.chat_support import FIGURES, UNIT, ingested_settings
from tests.web_support import running

HEADERS = {"X-Client-Id": "names-0000-browser"}
LONG = "生态环境局二〇二五年上半年各项主要指标完成情况统计表" * 4 + ".csv"  # 269 bytes
NAMES = [
    ("..", 422, "不支持的文件类型"),
    (".", 422, "不支持的文件类型"),
    ("", 422, "不支持的文件类型"),
    (LONG, 200, "已载入数据文件"),
    ("本期\x00数据\x07\x1b[31m.csv", 200, "已载入数据文件 本期数据[31m.csv"),
    ("../../../etc/figures.csv", 200, "已载入数据文件 figures.csv"),
    ("a/b\\c<d>e|f?.CSV", 200, "已载入数据文件"),
]


BOUNDARY = "names-test-boundary"


def _multipart(name: str, data: bytes) -> bytes:
    """The body a browser sends, the file name as given (httpx would drop an empty one)."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    )
    return head.encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return ingested_settings(tmp_path_factory.mktemp("names"))


def test_any_upload_name_is_answered_in_chinese(settings: Settings) -> None:
    assert len(LONG.encode()) > 255
    data = FIGURES.read_bytes()
    with (
        running(create_app(settings)) as base,
        httpx.Client(base_url=base, headers=HEADERS) as http,
    ):
        for name, status, said in NAMES:
            session = http.post("/api/sessions", json={"unit": UNIT}).json()["id"]
            response = http.post(
                f"/api/sessions/{session}/upload",
                content=_multipart(name, data),
                headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            )
            assert response.status_code == status, (name, response.text)
            text = response.json()["message"]["text"]
            assert said in text and "\x00" not in text and "\x1b" not in text, (name, text)
            kept = http.get(f"/api/sessions/{session}").json()["session"]["figures"]
            if status == 200:
                assert kept and len(kept.encode()) <= 120 and "/" not in kept and "\\" not in kept
            else:
                assert kept is None
    assert not any((Path(settings.data_dir) / "chat" / "uploads").iterdir())


def test_names_are_made_safe_and_readable() -> None:
    assert stored_name("..") == stored_name(".") == stored_name("") == "upload"
    assert stored_name(LONG).endswith(".csv") and len(stored_name(LONG).encode()) <= 120
    assert stored_name("C:\\Users\\张三\\数据.XLSX") == "数据.xlsx"
    assert stored_name("x\u202egpj.csv") == "xgpj.csv"  # no right-to-left override
    assert display_name("..") == ".." and display_name("") == "（无文件名）"
    shown = display_name(LONG)
    assert len(shown) == 60 and "…" in shown and shown.endswith(".csv")


def test_every_api_error_is_chinese_json(settings: Settings) -> None:
    with (
        running(create_app(settings)) as base,
        httpx.Client(base_url=base, headers=HEADERS) as http,
    ):
        session = http.post("/api/sessions", json={"unit": UNIT}).json()["id"]
        answers = [
            http.get("/api/nothing-here"),
            http.get("/static/app.py"),
            http.put("/api/sessions"),
            http.post(f"/api/sessions/{session}/upload"),  # no file at all
            http.post(f"/api/sessions/{session}/messages", content=b"{not json"),
            http.get(f"/api/sessions/{session}/diff?a=x&b=2"),
            http.get("/api/sessions/unknown-session"),
            http.get("/api/sessions", headers={"X-Client-Id": "../.."}),
        ]
    for answer in answers:
        assert answer.status_code >= 400, answer.request.url
        assert answer.headers["content-type"].startswith("application/json"), answer.text
        assert _has_chinese(answer.json()["error"]), (answer.request.url, answer.text)
    assert answers[3].json()["error"] == "请求内容不完整或格式不对：文件"


def test_a_starting_server_removes_only_what_a_gone_server_left(settings: Settings) -> None:
    """Two servers on one data folder: one starting used to delete the other's upload in
    flight. Now it removes a folder only when its server's process is gone, or when nothing in
    it changed for an hour (another machine's, or an older version's)."""
    uploads = Path(settings.data_dir) / "chat" / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    script = (
        "import sys, tempfile, time\n"
        "from assistant.uploads import upload_prefix\n"
        "print(tempfile.mkdtemp(prefix=upload_prefix(), dir=sys.argv[1]), flush=True)\n"
        "time.sleep(120)\n"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", script, str(uploads)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout is not None
        in_flight = Path(other.stdout.readline().strip())
        (in_flight / "figures.csv").write_text("half a file", encoding="utf-8")
        old, fresh = uploads / "upload-crashed", uploads / "upload-k2x9w1"
        elsewhere = uploads / f"upload-{other.pid}-00000000-abcd1234"  # another machine's
        for folder in (old, fresh, elsewhere):
            folder.mkdir()
            (folder / "figures.csv").write_text("half a file", encoding="utf-8")
        hours_ago = time.time() - 2 * STALE_SECONDS
        for path in (old / "figures.csv", old):
            os.utime(path, (hours_ago, hours_ago))
        create_app(settings)
        assert in_flight.exists() and fresh.exists() and elsewhere.exists()
        assert not old.exists()
    finally:
        other.kill()
        other.wait()
    create_app(settings)  # the other server is gone: what it left is a leftover now
    assert not in_flight.exists() and fresh.exists()
    assert clean_leftovers(uploads, now=time.time() + 2 * STALE_SECONDS) == 2
    assert list(uploads.iterdir()) == []
