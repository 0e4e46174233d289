"""Work that takes CPU or disk — reading a figures file, drafting, checking, diffing — runs in
worker threads, at most ``web_jobs`` at a time, so the event loop keeps answering every other
session while one person's big file is read (it used to parse on the loop and freeze everyone).

Python runs one thread at a time, so off the loop is not enough: a long read would take its turn
every few milliseconds, and each short job would wait that long again after every database or
disk call (the others' p95 tripled in bench_chat_load). A long read therefore paces itself
(``Jobs.pace``): it steps aside while short jobs run.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

log = logging.getLogger(__name__)
T = TypeVar("T")
PACE_STEP = 0.005  # seconds a long read sleeps at a time while short jobs run
PACE_MAX = 0.5  # at most this long per call, so a long read always gets on
SENT_GRACE = 0.05  # seconds a long read still waits after a turn's reply was handed over


class Jobs:
    """A bound on concurrent jobs; callers wait their turn without holding a thread. Reading an
    uploaded file has a slot of its own, so a big upload never takes a drafting slot."""

    def __init__(self, size: int) -> None:
        self.limiter = anyio.CapacityLimiter(size)
        self.files = anyio.CapacityLimiter(1)
        self.streaming = 0  # chat turns whose reply is still being sent (changed on the loop)
        self.sent_at = 0.0  # when the last turn's reply was handed over (time.monotonic)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        return await anyio.to_thread.run_sync(work, *args, limiter=self.limiter)

    async def read(self, work: Callable[..., T], *args: Any) -> T:
        """A job that reads an uploaded file (any size up to the limits, so never a drafting
        slot); the offered figures files are the office's own and go through ``run``."""
        return await anyio.to_thread.run_sync(work, *args, limiter=self.files)

    def pace(self) -> None:
        """Called from a long read between pieces (in its worker thread): sleep while any short
        job runs or a chat turn's reply is still being sent, at most PACE_MAX at a time. A
        sleeping thread leaves Python to the others."""
        waited = 0.0
        while self._busy() and waited < PACE_MAX:
            time.sleep(PACE_STEP)
            waited += PACE_STEP

    def _busy(self) -> bool:
        """A short job runs, a chat turn's reply is being sent, or one was handed over so lately
        that its last bytes are still on their way (they need Python's lock too)."""
        recent = time.monotonic() - self.sent_at < SENT_GRACE
        return bool(self.limiter.borrowed_tokens or self.streaming or recent)

    async def stream(self, work: Callable[[Callable[[dict], None]], dict]) -> AsyncIterator[dict]:
        """Run ``work(emit)`` as a job; yield what it emits as it goes, then what it returns.

        A failure is logged and becomes an "error" event with a Chinese sentence (no details)."""
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[dict] = asyncio.Queue()

        def emit(event: dict) -> None:
            loop.call_soon_threadsafe(events.put_nowait, event)

        async def job() -> dict:
            try:
                return await self.run(work, emit)
            except Exception:  # the page must hear about it; details go to the server log only
                log.exception("web job failed")
                return {"type": "error", "error": "服务器内部错误，请重试"}

        self.streaming += 1  # until the last line is sent: the turn is not done at the job's end
        try:
            task = asyncio.ensure_future(job())
            while not task.done() or not events.empty():
                getter = asyncio.ensure_future(events.get())
                await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    yield getter.result()
                else:
                    getter.cancel()
            yield task.result()
        finally:
            self.streaming -= 1
            self.sent_at = time.monotonic()
