"""Drafting: faithfulness, coverage, phrasing and speed of `assistant draft`.

    .venv/bin/python bench/bench_draft.py                  # all four, 10k-chunk store for speed
    .venv/bin/python bench/bench_draft.py --chunks 2000    # quicker speed run

- Faithfulness: both writers over two figures files (2025H1, 2025Q1); the checker's verdict on
  every number of the final draft (mismatch/unit/direction/unsourced/stale must be 0). The
  openai writer runs against tests.openai_stub.OpenAIStub with scripted replies that cite the
  section's figures by id AND invent numbers and ids, so every section goes through the repair
  request; half the repairs still invent, which must end as 〔待核〕.
- Coverage: share of the file's figures (with a value) cited by value in the template draft.
- Phrasing: for each sentence of the template draft, the best character-trigram Jaccard
  similarity to any sentence of the sample corpus (digits masked on both sides); the share at or
  above 0.5 is printed, next to the same measure for a draft written with no corpus at all
  (our own patterns only) as the baseline.
- Speed: template writer, full half-year document, end to end (figures, retriever, outline,
  writing, checking, .docx/.md/.json) over a store of N synthetic chunks (bench_scale's
  generator) plus the sample corpus, hash embedding.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.check import check_file  # noqa: E402
from assistant.draft import (  # noqa: E402
    DraftRequest,
    _open_retriever,
    compose,
    find_past,
    make_draft,
    markdown,
)
from assistant.figures import load_figures  # noqa: E402
from assistant.ingest import ingest  # noqa: E402
from assistant.outline import derive_outline, parse_period  # noqa: E402
from assistant.reading import read_document  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from bench.bench_scale import write_corpus  # noqa: E402
from tests.openai_stub import OpenAIStub, Reply  # noqa: E402

SAMPLE = ROOT / "corpus" / "sample"
UNIT = "示例区生态环境局"
FILES = [
    (SAMPLE / "figures-2025H1.csv", "2025年上半年"),
    (SAMPLE / "figures-2025Q1.csv", "2025年一季度"),
]
BAD = ("mismatch", "unit", "direction", "unsourced", "stale")
CLOSE = 0.5
INVENTED = "一是完成治理项目37个，投入资金1.26亿元。二是{{made_up}}。"  # numbers and an id


def bad_count(summary: dict[str, int]) -> int:
    return sum(summary[kind] for kind in BAD)


# --- faithfulness -----------------------------------------------------------------------------


def scripted_replies(settings, figures: Path, period_text: str) -> list[Reply]:
    """For each section the model writes: a reply citing its figures and inventing two numbers
    and an id, then the repair reply (odd sections fixed, even ones still inventing)."""
    figure_set = load_figures(figures)
    period = parse_period(period_text)
    past = find_past(_open_retriever(settings), period)
    outline = derive_outline(figure_set, period, UNIT, past)
    replies: list[Reply] = []
    for index, section in enumerate(s for s in outline.sections if s.role != "heading"):
        ids = section.figure_ids[:6]
        if section.role == "plan":
            refs = [f"{figure_set[i].name}{{{{{i}.target}}}}" for i in ids if figure_set[i].target]
        else:
            refs = [f"{figure_set[i].name}{{{{{i}}}}}" for i in ids]
        cited = "；".join(refs) or "各项工作有序推进"
        invented = f"{period.label}，{cited}。{INVENTED}"
        fixed = f"{period.label}，{cited}。一是扎实推进治理项目。二是〔待核：项目数〕。"
        replies += [Reply.of(invented), Reply.of(fixed if index % 2 else invented)]
    return replies


def faithfulness(settings, out: Path) -> None:
    print("\n== Faithfulness (checker verdict on the final drafts) ==")
    print(
        f"{'writer':8} {'figures':22} {'numbers':>7} {'bad':>4} {'待核':>4} {'repairs':>7} "
        f"{'docx re-check':>13}"
    )
    for figures, period in FILES:
        result = make_draft(DraftRequest(figures, UNIT, period), settings, out / "template")
        recheck = check_file(result.files["docx"], load_figures(figures))
        print(
            f"{'template':8} {figures.name:22} {len(result.draft.citations):7d} "
            f"{bad_count(result.report.summary):4d} {result.unverified:4d} {result.repairs:7d} "
            f"{'bad ' + str(bad_count(recheck.summary)):>13}"
        )
        with OpenAIStub() as server:
            server.script(scripted_replies(settings, figures, period))
            model = settings.model_copy(
                update={
                    "writer": "openai",
                    "base_url": server.base_url,
                    "model": "stub",
                    "max_retries": 0,
                    "concurrency": 1,  # the script is served in order
                }
            )
            result = make_draft(DraftRequest(figures, UNIT, period), model, out / "openai")
            left = server.pending
        recheck = check_file(result.files["docx"], load_figures(figures))
        text = markdown(result.draft)
        invented_left = sum(text.count(n) for n in ("37个", "1.26亿元"))
        print(
            f"{'openai':8} {figures.name:22} {len(result.draft.citations):7d} "
            f"{bad_count(result.report.summary):4d} {result.unverified:4d} {result.repairs:7d} "
            f"{'bad ' + str(bad_count(recheck.summary)):>13}   invented numbers left in text: "
            f"{invented_left}; unused scripted replies: {left}"
        )


# --- coverage and phrasing --------------------------------------------------------------------


def coverage(settings) -> None:
    print("\n== Coverage (template writer, full draft) ==")
    for figures, period in FILES:
        result = compose(DraftRequest(figures, UNIT, period), settings)
        figure_set = load_figures(figures)
        with_value = {f.id for f in figure_set if not f.missing}
        cited = {c.figure_id for c in result.draft.citations if c.field == "value"}
        share = len(cited & with_value) / len(with_value)
        print(
            f"{figures.name:22} {len(cited & with_value)}/{len(with_value)} figures cited "
            f"= {share:.1%}"
        )


def _grams(sentence: str) -> frozenset[str]:
    folded = re.sub(r"\d+(?:\.\d+)?", "#", re.sub(r"[，。；：、“”（）\s]", "", sentence))
    return frozenset(folded[i : i + 3] for i in range(max(1, len(folded) - 2)))


def corpus_sentences() -> list[frozenset[str]]:
    found = []
    for path in sorted(SAMPLE.iterdir()):
        if path.name.startswith("figures-") or path.suffix not in (".md", ".txt", ".docx"):
            continue
        for block in read_document(path).blocks:
            found += [_grams(s) for s in re.split(r"[。！？]", block.text) if len(s) >= 6]
    return found


def phrasing_share(text: str, corpus: list[frozenset[str]]) -> tuple[float, float, int]:
    scores = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        for sentence in re.split(r"[。！？]", line):
            if len(sentence) < 6:
                continue
            mine = _grams(sentence)
            scores.append(max(len(mine & other) / len(mine | other) for other in corpus))
    close = sum(1 for s in scores if s >= CLOSE) / len(scores)
    return close, statistics.median(scores), len(scores)


def phrasing(settings, work: Path) -> None:
    print(
        f"\n== Phrasing (sentences whose nearest corpus sentence has trigram Jaccard ≥ {CLOSE}) =="
    )
    corpus = corpus_sentences()
    bare = load_settings(data_dir=work / "empty", embedding="hash")
    for figures, period in FILES:
        drafted = markdown(compose(DraftRequest(figures, UNIT, period), settings).draft)
        baseline = markdown(compose(DraftRequest(figures, UNIT, period), bare).draft)
        close, median, count = phrasing_share(drafted, corpus)
        b_close, b_median, b_count = phrasing_share(baseline, corpus)
        print(
            f"{figures.name:22} with corpus: {close:.1%} close (median {median:.2f}, "
            f"{count} sentences); patterns only: {b_close:.1%} (median {b_median:.2f}, {b_count})"
        )


# --- speed ------------------------------------------------------------------------------------


def speed(chunks: int, work: Path, embedding: str) -> None:
    print(
        f"\n== Speed (template writer, full half-year draft, ~{chunks} synthetic chunks + "
        f"sample, {embedding} embedding) =="
    )
    corpus = work / "scale"
    write_corpus(corpus, chunks, seed=chunks)
    settings = load_settings(data_dir=work / "scale-data", embedding=embedding)
    started = time.perf_counter()
    report = ingest([corpus, SAMPLE], settings)
    print(f"store: {report.chunks} chunks (ingest {time.perf_counter() - started:.0f}s)")
    times = []
    for run in range(3):
        started = time.perf_counter()
        result = make_draft(
            DraftRequest(FILES[0][0], UNIT, FILES[0][1]), settings, work / f"speed{run}"
        )
        times.append(time.perf_counter() - started)
    print(
        f"end to end: first {times[0]:.2f}s, median of 3 {statistics.median(times):.2f}s "
        f"({len(result.draft.blocks)} paragraphs, {len(result.draft.citations)} numbers, "
        f"check ok: {result.report.ok})"
    )
    command = [sys.executable, "-m", "assistant", "draft", "--figures", str(FILES[0][0])]
    command += ["--unit", UNIT, "--period", FILES[0][1], "--out", str(work / "cli"), "--json"]
    environment = dict(os.environ, ASSISTANT_DATA_DIR=str(work / "scale-data"))
    environment["ASSISTANT_EMBEDDING"] = embedding
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=environment)
    print(
        f"`assistant draft` as a command (new process, imports included): "
        f"{time.perf_counter() - started:.2f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--embedding", default="hash", help="store embedding for the speed run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        settings = load_settings(data_dir=work / "data", embedding="hash")
        ingest([SAMPLE], settings)
        faithfulness(settings, work / "out")
        coverage(settings)
        phrasing(settings, work)
        if args.chunks:
            speed(args.chunks, work, args.embedding)


if __name__ == "__main__":
    main()
