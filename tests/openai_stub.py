"""A real OpenAI-compatible HTTP server on 127.0.0.1 with scripted replies, for tests and benches.

Tests get it through the ``openai_server`` fixture (registered in tests/conftest.py); bench
scripts use ``with OpenAIStub() as server:``. Queue replies with ``server.script([...])``: a plain
string is a text reply, ``Reply.of(text, chunks=[…])`` fixes how it streams; ``Reply.error(500)``,
``Reply.empty()``, ``Reply.delayed(2, "…")``, ``Reply.cut(text, after=2)`` (connection drops
midway) and ``Reply.stalled(text, after=1, seconds=3)`` cover failures.

Each POST to /v1/chat/completions takes the next reply (streamed as SSE when the request says
``stream: true``); when the queue is empty the ``always`` reply is served, or else a 500 that says
the script ran out. /v1/embeddings returns deterministic character-bigram vectors (similar texts
get similar vectors) and GET /v1/models lists one model. Only /v1 paths exist, so a client that
forgets the /v1 prefix gets a 404.
"""

from __future__ import annotations

import base64
import json
import math
import socket
import struct
import threading
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

STUB_MODEL = "stub-model"
EMBEDDING_DIMENSIONS = 64
CHUNK_CHARS = 4  # default size of a streamed piece when a reply gives no explicit chunks


@dataclass(frozen=True)
class Reply:
    """One scripted answer to a chat request."""

    text: str = ""
    chunks: tuple[str, ...] | None = None  # how a streamed reply is cut; default CHUNK_CHARS
    status: int = 200
    error_message: str = ""
    delay: float = 0.0  # seconds to wait before answering (to trigger client timeouts)
    finish_reason: str = "stop"
    cut_after: int | None = None  # stream only: drop the connection after this many pieces
    stall_after: int | None = None  # stream only: apply ``delay`` after this many pieces

    @classmethod
    def of(
        cls, text: str, *, chunks: Iterable[str] | None = None, finish_reason: str = "stop"
    ) -> Reply:
        pieces = tuple(chunks) if chunks is not None else None
        if pieces is not None and "".join(pieces) != text:
            raise ValueError("chunks must join to the reply text")
        return cls(text=text, chunks=pieces, finish_reason=finish_reason)

    @classmethod
    def error(cls, status: int, message: str | None = None) -> Reply:
        return cls(status=status, error_message=message or f"scripted error {status}")

    @classmethod
    def cut(cls, text: str, after: int) -> Reply:
        """A streamed reply whose connection drops midway: no finish chunk, no [DONE]."""
        return cls(text=text, cut_after=after)

    @classmethod
    def stalled(cls, text: str, after: int, seconds: float) -> Reply:
        """A streamed reply that goes silent midway for ``seconds`` (a read timeout mid-stream)."""
        return cls(text=text, stall_after=after, delay=seconds)

    @classmethod
    def empty(cls) -> Reply:
        return cls(text="")

    @classmethod
    def delayed(cls, seconds: float, reply: Reply | str = "迟到的回复") -> Reply:
        return replace(as_reply(reply), delay=seconds)

    def pieces(self) -> list[str]:
        if self.chunks is not None:
            return list(self.chunks)
        return [self.text[i : i + CHUNK_CHARS] for i in range(0, len(self.text), CHUNK_CHARS)]


def as_reply(reply: Reply | str) -> Reply:
    return reply if isinstance(reply, Reply) else Reply.of(reply)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: Any  # parsed JSON for POSTs, None for GETs


class OpenAIStub:
    """The server plus its script and the log of what it received."""

    def __init__(self) -> None:
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.always: Reply | None = None
        self.api_key: str | None = None  # when set, other bearer keys get a 401
        self.received: list[Received] = []
        self.in_flight = 0  # chat requests being answered now
        self.peak = 0  # the most chat requests answered at once
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[Any]:
        """The JSON bodies received (chat and embeddings), in order."""
        return [item.body for item in self.received if item.method == "POST"]

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [i.body for i in self.received if i.path.endswith("/chat/completions")]

    def script(self, replies: Iterable[Reply | str]) -> None:
        """Queue replies, served one per chat request in order."""
        with self._lock:
            self._queue.extend(as_reply(reply) for reply in replies)

    @property
    def pending(self) -> int:
        """Scripted replies not yet served (a test can assert the script was used up)."""
        with self._lock:
            return len(self._queue)

    def next_reply(self) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return self.always or Reply.error(500, "openai_stub: the script has no reply left")

    def reply_for(self, body: dict[str, Any]) -> Reply:
        """The reply to one chat request: the script's next (a replay server overrides this)."""
        return self.next_reply()

    def start(self) -> OpenAIStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes delayed replies so handler threads finish promptly
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def __enter__(self) -> OpenAIStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def unused_base_url() -> str:
    """A loopback URL where nothing listens: requests to it are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def embedding_vector(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """Character-bigram counts hashed into ``dimensions`` buckets, L2-normalised."""
    vector = [0.0] * dimensions
    grams = [text[i : i + 2] for i in range(max(len(text) - 1, 1))] if text else []
    for gram in grams:
        vector[zlib.crc32(gram.encode("utf-8")) % dimensions] += 1.0
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm else [1.0] + [0.0] * (dimensions - 1)


def _handler_for(stub: OpenAIStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

        def _headers(self) -> dict[str, str]:
            return {name.lower(): value for name, value in self.headers.items()}

        def do_GET(self) -> None:
            stub.received.append(Received("GET", self.path, self._headers(), None))
            if self.path.rstrip("/") == "/v1/models":
                model = {"id": STUB_MODEL, "object": "model", "created": 0, "owned_by": "stub"}
                self._send_json(200, {"object": "list", "data": [model]})
            else:
                self._send_error(404, f"no route {self.path}", "not_found")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"_raw": raw.decode("utf-8", "replace")}
            stub.received.append(Received("POST", self.path, self._headers(), body))
            if stub.api_key and self.headers.get("Authorization") != f"Bearer {stub.api_key}":
                self._send_error(401, "Incorrect API key provided", "invalid_api_key")
            elif self.path == "/v1/chat/completions":
                self._chat(body)
            elif self.path == "/v1/embeddings":
                self._embeddings(body)
            else:
                self._send_error(404, f"no route {self.path}", "not_found")

        def _chat(self, body: dict[str, Any]) -> None:
            with stub._lock:
                stub.in_flight += 1
                stub.peak = max(stub.peak, stub.in_flight)
            try:
                self._answer(body)
            finally:
                with stub._lock:
                    stub.in_flight -= 1

        def _answer(self, body: dict[str, Any]) -> None:
            reply = stub.reply_for(body)
            if reply.delay and reply.stall_after is None:
                stub.wait(reply.delay)
            model = body.get("model") or STUB_MODEL
            try:
                if reply.status != 200:
                    self._send_error(reply.status, reply.error_message, "server_error")
                elif body.get("stream"):
                    self._stream(reply, model)
                else:
                    self._send_json(200, _completion(reply, model))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing left to do

        def _stream(self, reply: Reply, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            events = list(_stream_events(reply, model))
            if reply.cut_after is not None:
                events = events[: reply.cut_after + 1]  # the role chunk, then the pieces
            for index, event in enumerate(events):
                if reply.stall_after is not None and index == reply.stall_after + 1:
                    stub.wait(reply.delay)
                self.wfile.write(f"data: {event}\n\n".encode())
                self.wfile.flush()
            if reply.cut_after is not None:
                self.close_connection = True
                return
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _embeddings(self, body: dict[str, Any]) -> None:
            inputs = body.get("input")
            texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
            dimensions = int(body.get("dimensions") or EMBEDDING_DIMENSIONS)
            data = []
            for index, text in enumerate(texts):
                vector = embedding_vector(str(text), dimensions)
                if body.get("encoding_format") == "base64":
                    packed = struct.pack(f"<{len(vector)}f", *vector)
                    encoded: Any = base64.b64encode(packed).decode("ascii")
                else:
                    encoded = vector
                data.append({"object": "embedding", "index": index, "embedding": encoded})
            tokens = sum(len(str(t)) for t in texts)
            self._send_json(
                200,
                {
                    "object": "list",
                    "data": data,
                    "model": body.get("model") or STUB_MODEL,
                    "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
                },
            )

        def _send_json(self, status: int, payload: Any) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send_error(self, status: int, message: str, code: str) -> None:
            kind = "invalid_request_error" if status < 500 else "server_error"
            error = {"message": message, "type": kind, "param": None, "code": code}
            self._send_json(status, {"error": error})

    return Handler


def _completion(reply: Reply, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _stream_events(reply: Reply, model: str) -> Iterator[str]:
    def chunk(delta: dict[str, str], finish_reason: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        payload = {
            "id": "chatcmpl-stub",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [choice],
        }
        return json.dumps(payload, ensure_ascii=False)

    yield chunk({"role": "assistant", "content": ""})
    for piece in reply.pieces():
        yield chunk({"content": piece})
    yield chunk({}, reply.finish_reason)


@pytest.fixture
def openai_server() -> Iterator[OpenAIStub]:
    """A scripted OpenAI-compatible server on 127.0.0.1, stopped after the test."""
    with OpenAIStub() as server:
        yield server
