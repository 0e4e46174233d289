"""The same ingest and search code against a Chroma server (`chroma run`) on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.ingest import ingest
from assistant.retrieve import Retriever
from assistant.settings import load_settings
from assistant.store import Store
from tests.conftest import SAMPLE_DIR

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def chroma_url(tmp_path: Path):
    port = free_port()
    log = (tmp_path / "chroma.log").open("wb")
    server = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not start: {(tmp_path / 'chroma.log').read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        server.kill()
        server.wait(timeout=10)
        log.close()


@pytest.mark.slow
def test_ingest_and_search_through_a_chroma_server(chroma_url, tmp_path) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE_DIR, folder)
    settings = load_settings(embedding="hash", chroma_url=chroma_url)

    first = ingest([folder], settings)
    assert first.added > 50 and not first.skipped
    again = ingest([folder], settings)
    assert again.added == 0 and again.unchanged == first.added

    store = Store(settings)
    assert store.location == chroma_url and store.count() == first.added
    results = Retriever.open(settings, store).search("臭氧 超标", k=3, part="问题")
    assert results and all(r.chunk.part == "问题" for r in results)
    assert not (settings.store_dir / "chroma").exists()  # nothing written to a local store
