"""A real uvicorn server on 127.0.0.1 (a free port, its own thread) for the tests that must see
what goes over the wire: request limits, Host checks, slow uploads, the browser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress

import uvicorn

LOOPBACK = "http://127.0.0.1"  # a TestClient base URL whose Host the server answers on loopback


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(app, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields the base URL (http://127.0.0.1:port)."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        assert thread.is_alive(), "the server stopped while starting"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def raw_request(port: int, head: str, body_chunks: Iterable[bytes] = ()) -> tuple[str, int]:
    """Send a request by hand: the head, then body pieces for as long as the server has not
    answered, then wait (up to a minute) for the answer. Returns the answer (status line, headers,
    body; empty when none came) and how many body bytes went out before the answer was there.
    Pass a bounded body to ask whether the server decides without the rest of it."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head.encode("latin-1"))
        conn.setblocking(False)
        sent, answer, pending = 0, b"", b""
        chunks = iter(body_chunks)
        while not answer:
            with suppress(BlockingIOError):
                answer = conn.recv(65536)
            if answer:
                break
            pending = pending or next(chunks, b"")
            if not pending:
                break
            try:
                count = conn.send(pending)
            except BlockingIOError:
                time.sleep(0.005)
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += count
            pending = pending[count:]
        conn.setblocking(True)
        conn.settimeout(60)
        while True:
            try:
                piece = conn.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not piece:
                break
            answer += piece
            if b"\r\n\r\n" in answer and _complete(answer):
                break
    return answer.decode("utf-8", "replace"), sent


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return False
