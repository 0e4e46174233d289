"""Streaming a model writer's reply: what a watcher sees (terminal, chat, web) has its figure
references already rendered, even when a reference arrives split across streamed pieces."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.chat import ChatEngine
from assistant.cli import app
from assistant.draft import DraftRequest, compose
from assistant.figures import load_figures
from assistant.render import StreamRenderer, render
from assistant.settings import load_settings
from assistant.web import create_app
from tests.chat_support import FIGURES, UNIT, ingested_settings
from tests.openai_stub import Reply
from tests.web_support import LOOPBACK

SECTION = (
    "上半年，全区PM2.5平均浓度{{pm25_avg}}，同比{{pm25_avg.change}}，高于年度目标{{pm25_avg.target}}；"
    "优良天数比例{{good_days_ratio}}，同比{{good_days_ratio.change}}。\n\n"
    "一是深化VOCs综合治理。二是强化扬尘精细管控。"
)


def split_inside_references(text: str) -> list[str]:
    """Pieces cut in the middle of every reference: after “{”, inside the id, between “}}”."""
    cuts = set()
    start = 0
    while (found := text.find("{{", start)) >= 0:
        end = text.index("}}", found) + 2
        cuts.update({found + 1, found + 5, end - 1})
        start = end
    bounds = [0, *sorted(cuts), len(text)]
    return [text[a:b] for a, b in pairwise(bounds) if b > a]


@pytest.fixture(scope="module")
def figure_set():
    return load_figures(FIGURES)


# --- the renderer -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 11, 1000])
def test_streamed_pieces_render_to_the_whole_text(figure_set, size: int) -> None:
    stream = StreamRenderer(figure_set)
    shown = [stream.feed(SECTION[i : i + size]) for i in range(0, len(SECTION), size)]
    shown.append(stream.flush())
    assert "".join(shown) == render(SECTION, figure_set).text
    assert not any("{" in piece or "}" in piece for piece in shown)


def test_an_incomplete_reference_is_held_back_until_it_closes(figure_set) -> None:
    stream = StreamRenderer(figure_set)
    assert stream.feed("浓度{") == "浓度"
    assert stream.feed("{pm25_") == ""
    assert stream.feed("avg}") == ""
    assert stream.feed("}，同比") == "38.4微克/立方米，同比"
    assert stream.flush() == ""


def test_braces_that_never_become_a_reference_are_passed_on(figure_set) -> None:
    stream = StreamRenderer(figure_set)
    assert stream.feed("{ 不是引用 }") == "{ 不是引用 }"
    long_tail = "{{" + "说明" * 50
    assert stream.feed(long_tail) == long_tail  # too long for an id: not held
    assert stream.feed("{{pm10") == ""
    assert stream.flush() == "{{pm10"  # the end of the stream: whatever is held goes out


def test_unknown_and_missing_references_stream_as_marks(figure_set) -> None:
    stream = StreamRenderer(figure_set)
    shown = stream.feed("{{no_such") + stream.feed("_id}}，{{cases_total.target}}") + stream.flush()
    assert shown == "〔待核：未知数据no_such_id〕，〔待补：立案查处环境违法案件目标〕"


# --- the model writer over the local stub -----------------------------------------------------


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stream")
    ingested_settings(folder)
    return folder


def model_settings(root: Path, base_url: str):
    return load_settings(
        embedding="hash",
        data_dir=root / "data",
        writer="openai",
        base_url=base_url,
        model="stub-writer",
        timeout=5.0,
        max_retries=0,
    )


def test_draft_streams_rendered_numbers(root: Path, openai_server, figure_set) -> None:
    pieces = split_inside_references(SECTION)
    assert any(p.endswith("{") for p in pieces)  # the server really splits references
    openai_server.script([Reply.of(SECTION, chunks=pieces)])
    request = DraftRequest(FIGURES, UNIT, "2025年上半年", section="大气污染防治", part="总结")
    shown: list[str] = []
    result = compose(request, model_settings(root, openai_server.base_url), on_token=shown.append)
    streamed = "".join(shown)
    assert "{" not in streamed and "}" not in streamed
    assert "PM2.5平均浓度38.4微克/立方米，同比下降3.5%，高于年度目标35微克/立方米" in streamed
    assert streamed.strip() == render(SECTION, figure_set).text.strip()
    assert result.report.ok


def test_cli_draft_prints_numbers_not_references(root: Path, openai_server, tmp_path) -> None:
    openai_server.script([Reply.of(SECTION, chunks=split_inside_references(SECTION))])
    args = ["draft", "--figures", str(FIGURES), "--period", "2025年上半年", "--unit", UNIT]
    args += ["--section", "大气污染防治", "--part", "总结", "--writer", "openai"]
    args += ["--base-url", openai_server.base_url, "--model", "stub-writer"]
    args += ["--out", str(tmp_path), "--data-dir", str(root / "data")]
    result = CliRunner().invoke(app, args, env={"ASSISTANT_EMBEDDING": "hash"})
    assert result.exit_code == 0, result.output
    shown = result.output.replace("\n", "")  # rich wraps long lines
    assert "PM2.5平均浓度38.4微克/立方米" in shown and "{{" not in shown


def test_chat_revision_streams_rendered_numbers(root: Path, openai_server) -> None:
    settings = load_settings(embedding="hash", data_dir=root / "data")
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    engine.send("alice", info.id, "写上半年大气污染防治的总结")
    revised = "上半年PM2.5平均浓度{{pm25_avg}}，同比{{pm25_avg.change}}。"
    openai_server.always = Reply.of(revised, chunks=split_inside_references(revised))
    engine.settings = model_settings(root, openai_server.base_url)
    shown: list[str] = []
    turn = engine.send("alice", info.id, "再精简一些", on_token=shown.append)
    assert turn.streamed and openai_server.chat_requests
    streamed = "".join(shown)
    assert "38.4微克/立方米" in streamed and "{" not in streamed


def test_web_chat_streams_rendered_numbers(root: Path, openai_server) -> None:
    openai_server.script([Reply.of(SECTION, chunks=split_inside_references(SECTION))])
    client = TestClient(create_app(model_settings(root, openai_server.base_url)), base_url=LOOPBACK)
    headers = {"X-Client-Id": "carol-000-browser"}
    session = client.post(
        "/api/sessions", json={"figures": FIGURES.name, "unit": UNIT}, headers=headers
    ).json()["id"]
    response = client.post(
        f"/api/sessions/{session}/messages",
        json={"text": "帮我起草上半年大气污染防治部分"},
        headers=headers,
    )
    events = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    tokens = "".join(e["text"] for e in events if e["type"] == "token")
    assert "38.4微克/立方米" in tokens and "{" not in tokens
    assert events[-1]["type"] == "reply"
