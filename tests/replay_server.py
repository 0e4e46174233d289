"""A recorded capable model, replayed by a real OpenAI-compatible server on 127.0.0.1.

tests/data/cassettes/<run>/ holds the requests the project once sent (req/NNN.json) and the
replies a capable model gave (resp/NNN.txt). Prompts change after a recording, so a request is
matched by what it asks for — its section role (opening, summary, plan, problems, repair,
plan-intro) and its topic — read from the request's messages the same way for the recorded and
the incoming request, never by exact prompt text:

- the role from the words of the task (开头/总述, 存在的问题, 工作计划, 工作总结, 待核清单 …);
- the topic from the figure ids the request's table lists (and the 主题 it names), so a section
  is found again when its heading or the table's layout changed;
- a repair by the draft it asks to repair (the recorded reply's own text comes back).

A request with no recorded reply is answered tolerantly and logged in ``unmatched``: a repair
or revision gets its draft back unchanged (a model that fixed nothing), the plan part's
introduction (never recorded) and any other section a generic reply marked as scripted. Every
reply served is logged in ``served`` with the recording it came from, or None when scripted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.openai_stub import OpenAIStub, Reply

CASSETTES = Path(__file__).parent / "data" / "cassettes"
SAMPLE_RUN = CASSETTES / "sample-2025H1"
SCRIPTED_PLAN_INTRO = (
    "下半年，我局将紧盯全年生态环境保护目标任务，针对上半年工作中的短板弱项，"
    "查漏补缺、精准发力，重点抓好以下工作："
)
SCRIPTED_SECTION = "〔待补：回放录音中没有这一节的回复〕"
_FENCED = re.compile(r"【(原稿|数据表)开始】\n?(.*?)【\1结束】", re.S)
_ROW_ID = re.compile(r"^\s*(?:\{\{)?\s*([A-Za-z_][A-Za-z0-9_]*)", re.M)
_TOPIC = re.compile(r"主题[：:]\s*([^；;）)\n]+)")


@dataclass(frozen=True)
class Asked:
    """What one chat request asks for, read from its messages."""

    role: str
    topics: frozenset[str]
    ids: frozenset[str]
    draft: str  # the 原稿 a repair or revision hands over ("" otherwise)
    first_line: str


def read_request(body: dict[str, Any]) -> Asked:
    messages = body.get("messages") or []
    user = "\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")
    fenced = {name: text for name, text in _FENCED.findall(user)}
    first = user.strip().split("\n", 1)[0]
    table = fenced.get("数据表", "")
    ids = {i for i in _ROW_ID.findall(table) if i not in ("id", "引用")}
    topic = _TOPIC.search(first)
    topics = {t.strip() for t in re.split(r"[、，,]", topic.group(1))} if topic else set()
    return Asked(
        _role(user, first), frozenset(topics), frozenset(ids), fenced.get("原稿", ""), first
    )


def _role(user: str, first: str) -> str:
    if "待核清单" in user or ("原稿" in user and "核对" in first):
        return "repair"
    if "修改意见" in user:
        return "revise"
    if "总述" in first:
        return "opening"
    if re.search(r"引言|导语|计划部分", first):
        return "plan-intro"
    if "存在的问题" in first:
        return "problems"
    if re.search(r"工作计划|打算", first):
        return "plan"
    if "工作总结" in first:
        return "summary"
    return "unknown"


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _overlap(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


@dataclass(frozen=True)
class Recording:
    number: int
    asked: Asked
    reply: str


@dataclass(frozen=True)
class Served:
    role: str
    first_line: str
    recording: int | None  # None: a scripted stand-in, not the recorded model


def load_cassette(folder: Path) -> list[Recording]:
    recordings = []
    for request in sorted((folder / "req").glob("*.json")):
        reply = folder / "resp" / f"{request.stem}.txt"
        body = json.loads(request.read_text(encoding="utf-8"))
        recordings.append(
            Recording(int(request.stem), read_request(body), reply.read_text(encoding="utf-8"))
        )
    return recordings


class ReplayServer(OpenAIStub):
    """The OpenAI-compatible stub answering from a cassette instead of a script."""

    def __init__(self, folder: Path = SAMPLE_RUN, chunk_chars: int = 12) -> None:
        super().__init__()
        self.recordings = load_cassette(folder)
        self.chunk_chars = chunk_chars
        self.served: list[Served] = []
        self.delay = 0.0  # seconds before each reply (a slow endpoint, for benches)

    @property
    def unmatched(self) -> list[Served]:
        return [s for s in self.served if s.recording is None]

    @property
    def matched(self) -> list[int]:
        return [s.recording for s in self.served if s.recording is not None]

    def find(self, asked: Asked) -> Recording | None:
        same = [r for r in self.recordings if r.asked.role == asked.role]
        if asked.role == "repair":
            grams = _bigrams(asked.draft)
            scored = [(_overlap(grams, _bigrams(r.asked.draft)), r) for r in same]
            best = max(scored, key=lambda s: s[0], default=(0.0, None))
            return best[1] if best[0] >= 0.8 else None
        if asked.role in ("opening", "problems", "plan-intro"):
            return same[0] if same else None
        scored = [
            (_overlap(asked.ids, r.asked.ids) + (asked.topics == r.asked.topics), r) for r in same
        ]
        best = max(scored, key=lambda s: s[0], default=(0.0, None))
        return best[1] if best[0] > 0.3 else None

    def reply_for(self, body: dict[str, Any]) -> Reply:
        asked = read_request(body)
        found = self.find(asked)
        if found is not None:
            text = found.reply
        elif asked.draft:
            text = asked.draft  # a repair nobody recorded: a model that changed nothing
        elif asked.role == "plan-intro":
            text = SCRIPTED_PLAN_INTRO
        else:
            text = SCRIPTED_SECTION
        with self._lock:
            self.served.append(
                Served(asked.role, asked.first_line, found.number if found else None)
            )
        size = self.chunk_chars
        pieces = [text[i : i + size] for i in range(0, len(text), size)]
        return Reply(text=text, chunks=tuple(pieces), delay=self.delay)


@pytest.fixture
def replay_server() -> Iterator[ReplayServer]:
    """The sample-2025H1 recording served on 127.0.0.1, stopped after the test."""
    with ReplayServer() as server:
        yield server
