"""Plain progress lines where rich hides its bar (stderr not a terminal: logs, CI)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from assistant.progress import ProgressLines
from tests.conftest import SAMPLE_DIR


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_line_every_interval_and_the_last_one() -> None:
    clock, stream = Clock(), io.StringIO()
    lines = ProgressLines("嵌入段落", 10, stream=stream, clock=clock)
    for done in range(0, 20_001, 100):  # 20,000 chunks at 50 per second: 400 s
        clock.now = done / 50
        lines.update(done, 20_000)
    out = stream.getvalue().splitlines()
    assert len(out) == 40  # one per 10 s of 400 s; the last one is the final line
    assert out[0] == "[进度] 嵌入段落 500/20000 (2%)，已用 0:10，预计还需 6:30"
    assert out[-1] == "[进度] 嵌入段落 20000/20000 (100%)，已用 6:40"


def test_a_short_run_prints_nothing() -> None:
    clock, stream = Clock(), io.StringIO()
    lines = ProgressLines("嵌入段落", 10, stream=stream, clock=clock)
    for done in range(11):
        clock.now = done * 0.1
        lines.update(done, 10)
    assert stream.getvalue() == ""


def test_piped_ingest_prints_progress_lines_on_stderr(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ASSISTANT_EMBEDDING": "hash",
        "ASSISTANT_PROGRESS_EVERY": "0",
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("FORCE_TERMINAL", None)
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(SAMPLE_DIR), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    progress = re.findall(r"\[进度\] 嵌入段落 (\d+)/(\d+)", done.stderr)
    assert progress, done.stderr
    total = int(progress[-1][1])
    assert total > 0 and int(progress[-1][0]) == total
    assert '"added"' in done.stdout and "[进度]" not in done.stdout
