"""Figures text that is not what it seems: a cell a spreadsheet would run as a formula is named
in the chat (the figure is kept, never dropped without a word), and markup in a figure's name
reaches the .md download escaped, as it is shown escaped on the page."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.web import create_app
from tests.chat_support import FIGURES, UNIT, ingested_settings
from tests.web_support import LOOPBACK

HEADERS = {"X-Client-Id": "markup-000-browser"}
FORMULA = "=cmd|' /C calc'!A0"
MARKUP = "PM10<img src=x onerror=alert(1)>平均浓度"


def _figures() -> bytes:
    text = FIGURES.read_text(encoding="utf-8-sig")
    text = text.replace("pm25_avg,PM2.5平均浓度,38.4,", f'pm25_avg,"{FORMULA}",38.4,')
    return text.replace("pm10_avg,PM10平均浓度,68.7,", f"pm10_avg,{MARKUP},〔待补〕,").encode()


def test_formula_cells_are_named_and_markup_is_escaped(tmp_path: Path) -> None:
    settings = ingested_settings(tmp_path)
    client = TestClient(create_app(settings), base_url=LOOPBACK)
    session = client.post("/api/sessions", json={"unit": UNIT}, headers=HEADERS).json()["id"]
    upload = client.post(
        f"/api/sessions/{session}/upload",
        files={"file": ("本期数据.csv", _figures(), "text/csv")},
        headers=HEADERS,
    )
    assert upload.status_code == 200, upload.text
    note = upload.json()["message"]["text"]
    assert "第2行，列“指标”" in note and FORMULA in note and "公式" in note
    assert str(settings.data_dir) not in note  # the warning without the server's path

    url = f"/api/sessions/{session}/messages"
    lines = client.post(url, json={"text": "帮我起草上半年大气污染防治部分"}, headers=HEADERS)
    reply = json.loads(lines.text.splitlines()[-1])
    numbers = [p["text"] for b in reply["message"]["blocks"] for p in b["segments"]]
    assert "38.4微克/立方米" in numbers  # the figure under the odd name is still written
    assert MARKUP in reply["message"]["text"]  # the page shows it as text (textContent)
    markdown = client.get(
        f"/api/sessions/{session}/versions/1/download?format=md", headers=HEADERS
    ).text
    assert "<img" not in markdown and "PM10&lt;img src=x onerror=alert(1)&gt;平均浓度" in markdown


def test_an_offered_file_with_formula_cells_says_so_in_the_chat(tmp_path: Path) -> None:
    settings = ingested_settings(tmp_path)
    (Path(settings.data_dir) / "figures" / "odd.csv").write_bytes(_figures())
    client = TestClient(create_app(settings), base_url=LOOPBACK)
    made = client.post("/api/sessions", json={"figures": "odd.csv"}, headers=HEADERS).json()
    state = client.get(f"/api/sessions/{made['id']}", headers=HEADERS).json()
    assert made["figures"] == "odd.csv" and state["messages"][-1]["kind"] == "notice"
    assert "第2行，列“指标”" in state["messages"][-1]["text"]
