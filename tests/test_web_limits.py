"""Requests are bounded before they are read, against a real uvicorn on 127.0.0.1: an oversize
upload is refused from its Content-Length or cut at the limit while streaming, a request without
the token gets 401 before its body is read, and on loopback a forged Host header gets 400.

The client sends only part of a big body and then waits: the answer must come with that part
alone. (Counting what went out before the answer measured the kernel's loopback buffers — about
4 MB go out in a few milliseconds whatever the server does — and failed on a busy machine.)"""

from __future__ import annotations

import json
import threading
import time
from itertools import islice
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from assistant.figures.load import PACE_ROWS
from assistant.settings import Settings
from assistant.web import create_app
from assistant.web import jobs as web_jobs
from assistant.web.limits import MAX_JSON_BODY, body_limit, host_name, served_hosts
from tests.chat_support import FIGURES, UNIT, ingested_settings
from tests.web_support import raw_request, running

LIMIT = 1024 * 1024
HEADERS = {"X-Client-Id": "limits-000-browser"}
BOUNDARY = "----limits-test"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return ingested_settings(tmp_path_factory.mktemp("limits"))


def _session(base: str, headers: dict[str, str] = HEADERS) -> str:
    made = httpx.post(
        f"{base}/api/sessions", json={"figures": FIGURES.name, "unit": UNIT}, headers=headers
    )
    assert made.status_code == 200, made.text
    return made.json()["id"]


def _upload_head(port: int, session: str, extra: str) -> str:
    return (
        f"POST /api/sessions/{session}/upload HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nX-Client-Id: {HEADERS['X-Client-Id']}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{extra}\r\n"
    )


PIECE = 64 * 1024


def _file_part(size: int, piece: int = PIECE):
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    for _ in range(size // piece):
        yield b"a,b,1\n" * (piece // 6)


def _first(pieces, size: int):
    """The first ``size`` bytes' worth of pieces (the multipart head counts as one piece)."""
    return islice(pieces, size // PIECE)


def _chunked(pieces):
    for piece in pieces:
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"


def _answer(raw: str) -> tuple[int, dict]:
    assert raw, "no answer: the server waited for the rest of the body"
    status = int(raw.split(" ", 2)[1])
    return status, json.loads(raw.partition("\r\n\r\n")[2])


def test_oversize_upload_is_refused_from_its_length(settings: Settings) -> None:
    with running(create_app(settings, max_upload=LIMIT)) as base:
        port = urlparse(base).port
        session = _session(base)
        declared = 400 * 1024 * 1024
        raw, sent = raw_request(
            port,
            _upload_head(port, session, f"Content-Length: {declared}\r\n"),
            _first(_file_part(declared), LIMIT // 4),
        )
    status, body = _answer(raw)  # answered with a quarter of the limit sent, of 400 MB declared
    assert status == 413 and "文件过大" in body["error"] and "1 MB" in body["error"]
    assert sent <= LIMIT // 4, f"{sent} bytes went out before the answer"
    assert not any((Path(settings.data_dir) / "chat" / "uploads").iterdir())


def test_upload_without_a_length_is_cut_at_the_limit(settings: Settings) -> None:
    with running(create_app(settings, max_upload=LIMIT)) as base:
        port = urlparse(base).port
        session = _session(base)
        raw, sent = raw_request(
            port,
            _upload_head(port, session, "Transfer-Encoding: chunked\r\n"),
            _chunked(_first(_file_part(200 * LIMIT), 2 * LIMIT)),
        )
        status, body = _answer(raw)  # cut with two limits' worth sent, not the 200 the body has
        assert status == 413 and "文件过大" in body["error"]
        assert LIMIT < sent <= 2 * LIMIT + PIECE, f"{sent} bytes went out before the answer"
        # the server goes on serving, and the session is as it was
        state = httpx.get(f"{base}/api/sessions/{session}", headers=HEADERS).json()
    assert state["session"]["figures"] == FIGURES.name


def test_no_token_is_refused_before_the_body_is_read(settings: Settings) -> None:
    with running(create_app(settings, token="s3cret", max_upload=LIMIT)) as base:
        port = urlparse(base).port
        authorised = {**HEADERS, "Authorization": "Bearer s3cret"}
        session = _session(base, authorised)
        declared = 300 * 1024 * 1024
        raw, sent = raw_request(
            port,
            _upload_head(port, session, f"Content-Length: {LIMIT // 2}\r\n"),
            _first(_file_part(declared), LIMIT // 4),
        )
    status, body = _answer(raw)  # answered with half the declared body still to come
    assert status == 401 and body == {"error": "需要访问令牌"}
    assert sent <= LIMIT // 4, f"{sent} bytes went out before the answer"


def test_a_forged_host_is_refused_on_loopback(settings: Settings) -> None:
    with running(create_app(settings)) as base:
        port = urlparse(base).port
        forged = httpx.get(f"{base}/api/sessions", headers={**HEADERS, "Host": "attacker.example"})
        assert forged.status_code == 400 and "Host" in forged.json()["error"]
        page = httpx.get(f"{base}/", headers={"Host": f"attacker.example:{port}"})
        assert page.status_code == 400
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost"):
            ok = httpx.get(f"{base}/api/sessions", headers={**HEADERS, "Host": host})
            assert ok.status_code == 200, host


def test_a_big_json_message_is_refused(settings: Settings) -> None:
    with running(create_app(settings)) as base:
        session = _session(base)
        big = httpx.post(
            f"{base}/api/sessions/{session}/messages",
            content=b'{"text": "' + b"a" * (MAX_JSON_BODY + 10) + b'"}',
            headers={**HEADERS, "Content-Type": "application/json"},
        )
    assert big.status_code == 413 and "请求过大" in big.json()["error"]


def test_served_host_names() -> None:
    assert host_name("LocalHost:8765") == "localhost"
    assert host_name("[::1]:8765") == "::1"
    assert host_name("127.0.0.1") == "127.0.0.1"
    loopback = served_hosts("127.0.0.1", ())
    assert loopback is not None and {"127.0.0.1", "localhost", "::1"} <= loopback
    assert "attacker.example" not in loopback
    assert served_hosts("0.0.0.0", ()) is None  # off loopback the token guards
    assert served_hosts("0.0.0.0", ["Office-PC:8765", " "]) == {"office-pc"}
    assert body_limit("POST", "/api/sessions/x/upload", LIMIT) > LIMIT
    assert body_limit("POST", "/api/sessions/x/messages", LIMIT) == MAX_JSON_BODY


def _rows_csv(rows: int) -> bytes:
    lines = ["id,指标,数值,单位,期间,来源"]
    row = "m{0},点位{0}浓度,{1},微克/立方米,2025年上半年,监测站"
    lines += [row.format(i, 30 + i % 17) for i in range(rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_reading_an_upload_leaves_other_sessions_answered(settings: Settings) -> None:
    """While an upload's figures are being read, another browser is answered: the read is held
    until that answer has come, which can only happen when it runs off the event loop (on the
    loop, as before, the other request waited for the whole parse — minutes for a big file)."""
    app = create_app(settings)
    engine = app.state.engine
    reading, answered = threading.Event(), threading.Event()
    real = engine.set_figures
    outcome: dict[str, object] = {}

    def held(*args, **kwargs):
        reading.set()
        outcome["released by the answer"] = answered.wait(timeout=20)
        return real(*args, **kwargs)

    with running(app) as base:
        session = _session(base)
        engine.set_figures = held

        def upload() -> None:
            files = {"file": ("本期数据.csv", FIGURES.read_bytes(), "text/csv")}
            url = f"{base}/api/sessions/{session}/upload"
            outcome["upload"] = httpx.post(url, files=files, headers=HEADERS, timeout=60)

        busy = threading.Thread(target=upload)
        busy.start()
        assert reading.wait(timeout=20), "the upload never reached the figures reader"
        other = httpx.get(
            f"{base}/api/sessions", headers={"X-Client-Id": "other-0000-browser"}, timeout=60
        )
        answered.set()
        busy.join(timeout=60)
    assert other.status_code == 200 and outcome["released by the answer"]
    assert outcome["upload"].status_code == 200  # type: ignore[union-attr]


def _draft(base: str, session: str, headers: dict[str, str]) -> float:
    """Ask for a section; the seconds until the whole reply has streamed."""
    started = time.perf_counter()
    url = f"{base}/api/sessions/{session}/messages"
    with httpx.stream("POST", url, json={"text": "写大气污染防治的总结"}, headers=headers) as r:
        lines = [line for line in r.iter_lines() if line.strip()]
    assert r.status_code == 200 and json.loads(lines[-1])["type"] == "reply", lines[-1:]
    return time.perf_counter() - started


@pytest.mark.slow
def test_a_big_upload_steps_aside_for_a_draft(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one browser's 50,000-row file is read, another's draft is answered about as fast
    as alone, and the read waits meanwhile (Python runs one thread at a time: before pacing, the
    read took its turn throughout and the others' latency tripled). The read is held at its
    first piece until the draft's job runs, so the draft's whole time overlaps it; each call of
    the pace is PACE_ROWS rows read (PACE_MAX raised: a slow machine's draft is not cut short)."""
    monkeypatch.setattr(web_jobs, "PACE_MAX", 60.0)
    app = create_app(settings.model_copy(update={"figures_max_rows": 60_000}))
    jobs = app.state.web.jobs
    real_pace, pieces, outcome, reached = jobs.pace, [], {}, threading.Event()

    def counted_pace() -> None:
        if not pieces:  # hold the read until a drafting job runs (at most 60 s)
            reached.set()
            deadline = time.monotonic() + 60
            while not jobs.limiter.borrowed_tokens and time.monotonic() < deadline:
                time.sleep(0.005)
        pieces.append(time.perf_counter())
        real_pace()

    jobs.pace = counted_pace
    other = {"X-Client-Id": "drafting-0000-browser"}
    with running(app) as base:
        session = _session(base, other)
        alone = min(_draft(base, session, other) for _ in range(2))
        heavy = _session(base)

        def upload() -> None:
            files = {"file": ("all-stations.csv", _rows_csv(50_000), "text/csv")}
            url = f"{base}/api/sessions/{heavy}/upload"
            outcome["upload"] = httpx.post(url, files=files, headers=HEADERS, timeout=600)
            outcome["done"] = time.perf_counter()

        reader = threading.Thread(target=upload)
        reader.start()
        assert reached.wait(timeout=120), "the upload never reached the rows"
        started = time.perf_counter()
        took = _draft(base, session, other)
        ended = time.perf_counter()
        reader.join(timeout=600)
    read = sum(started <= at <= ended for at in pieces)
    assert outcome["upload"].status_code == 200, outcome["upload"].text  # type: ignore[attr-defined]
    assert outcome["done"] > ended, "the file was read before the draft was answered"
    assert read <= 3, f"{read} pieces of {PACE_ROWS} rows read during a {took:.2f} s draft"
    assert took < 3 * alone + 2, f"draft {took:.2f} s with the upload, {alone:.2f} s alone"


def test_a_figures_file_over_the_row_limit_is_refused(settings: Settings) -> None:
    with running(create_app(settings)) as base:
        session = _session(base)
        files = {"file": ("all-stations.csv", _rows_csv(100_000), "text/csv")}
        answer = httpx.post(
            f"{base}/api/sessions/{session}/upload", files=files, headers=HEADERS, timeout=600
        )
    text = answer.json()["message"]["text"]
    assert answer.status_code == 422 and "100000 行数据，超过上限 5000 行" in text, text
    assert "ASSISTANT_FIGURES_MAX_ROWS" in text


def test_a_long_read_waits_until_a_turns_reply_is_out() -> None:
    """The pace steps aside while a chat turn's reply is being sent (its job has ended, its last
    lines are still on their way) and for a moment after, not only while a job runs."""
    jobs = web_jobs.Jobs(2)

    def paced() -> float:
        started = time.perf_counter()
        jobs.pace()
        return time.perf_counter() - started

    assert paced() < web_jobs.PACE_STEP  # nothing running: straight on
    jobs.streaming = 1
    assert paced() >= web_jobs.PACE_MAX  # a reply being sent: it waits (at most PACE_MAX)
    jobs.streaming = 0
    jobs.sent_at = time.monotonic()
    assert web_jobs.PACE_STEP <= paced() < web_jobs.PACE_MAX  # just sent: a short wait
