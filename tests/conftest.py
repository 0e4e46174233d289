"""Every test runs isolated: its own home, data folder and working directory, no OPENAI_*,
ASSISTANT_*, LANGSMITH_* or LANGCHAIN_* from the developer's shell (LangChain tracing would try
the network), and no way to reach any address but loopback."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.fake_writer import FakeWriter

pytest_plugins = ["tests.openai_stub"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO_ROOT / "corpus" / "sample"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkBlocked(AssertionError):
    """Raised when code under test tries to leave the machine."""


def _is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a hostname: resolving it would already be a network access


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise NetworkBlocked(f"test tried to connect to non-loopback address {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise NetworkBlocked(f"test tried to connect to non-loopback address {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Fresh home, data folder and cwd; environment cleared; network limited to loopback; the
    default domain pack active again afterwards."""
    from assistant import domain

    for name in list(os.environ):
        if name.startswith(("OPENAI_", "ASSISTANT_", "LANGSMITH_", "LANGCHAIN_")):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(work)
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    yield tmp_path
    domain.reset()


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpus/sample ingested once per test module (fast hash embedding), for drafting tests."""
    from assistant.ingest import ingest
    from assistant.settings import load_settings

    folder = tmp_path_factory.mktemp("store")
    ingest([SAMPLE_DIR], load_settings(embedding="hash", data_dir=folder))
    return folder


@pytest.fixture
def fake_writer() -> Iterator[FakeWriter]:
    """The in-process fake writer (tests/fake_writer.py), registered as ``fake`` for one test:
    settings with writer="fake" get this very instance, so the test can see what it was asked."""
    from assistant.registry import register_writer, unregister_writer
    from tests.fake_writer import FakeWriter

    writer = FakeWriter()
    register_writer("fake", lambda settings: writer)
    yield writer
    unregister_writer("fake")
