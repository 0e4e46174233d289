"""The checker on real, correct prose: real reports checked against figures files of their own
numbers (issue 10 point 4).

    .venv/bin/python bench/bench_prose.py            # all targets of bench/real_figures
    .venv/bin/python bench/bench_prose.py --show     # plus every flag and every figure missed

For each target of bench/real_figures/targets.yaml (a real document under the shared folder and
a figures file built from its own numbers) the document's text is checked, paragraph by
paragraph, against that file. The text is correct, so every mismatch, direction, stale, unit or
period finding is a false flag. Printed per document:

- confirmed: figures of the file some number of the text was judged ok against / figures;
- numbers: quantities the checker read in the text;
- false: findings of kind mismatch/direction/stale/unit/period (all false on correct text), and
  their share of the numbers;
- unsourced: numbers the file has no figure for (the files hold a document's headline numbers,
  not every number, so these are expected, not errors);
- years: quantities that are a year or a document number (〔2024〕3号) — never quantities.

Targets marked ``heldout`` were kept out of all tuning and are summed apart; those gathered with
the search tool (source under ../gathered, beside the shared folder: real texts stay outside the
repository) are summed once more on their own, and skipped where that folder is absent. A
target's ``known_errors`` are numbers the real report itself gets wrong (its own arithmetic
disagrees with its own values): a flag on one is right, and is counted apart, not as false.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.check import check_blocks  # noqa: E402
from assistant.figures import load_figures  # noqa: E402
from assistant.numbers import extract_numbers  # noqa: E402

FIGURES = ROOT / "bench" / "real_figures"
FALSE = frozenset({"mismatch", "direction", "stale", "unit", "period"})
YEAR_LIKE = re.compile(r"^(?:19|20)\d\d$|^〔\d{4}〕|^\d{4}年$")


def shared_dir() -> Path:
    """The shared folder beside the checkout (main or a helper's worktree)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "real").is_dir():
            return base / "shared"
    raise SystemExit("shared/real not found beside the repository")


def run(target: dict, shared: Path, show: bool) -> dict | None:
    source = shared / target["source"]
    if not source.is_file():
        print(f"  [{target['id']}] skipped: {source} not found")
        return None
    text = source.read_text("utf-8")
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    figure_set = load_figures(FIGURES / target["figures"])
    report = check_blocks(paragraphs, figure_set)
    confirmed = {f.figure_id for f in report.findings if f.kind == "ok" and f.figure_id}
    known = set(target.get("known_errors", {}))
    flagged = [f for f in report.findings if f.kind in FALSE]
    false = [f for f in flagged if f.value not in known]
    true = [f for f in flagged if f.value in known]
    ranks = any(f.written.startswith("第") for f in figure_set)  # else ranks are not read
    numbers = sum(1 for p in paragraphs for q in extract_numbers(p) if q.form != "rank" or ranks)
    years = [
        q.text
        for p in paragraphs
        for q in extract_numbers(p)
        if YEAR_LIKE.match(q.number_text.strip()) and not q.unit
    ]
    missed = [f.id for f in figure_set if f.id not in confirmed]
    if show:
        for finding in false:
            where = f"{finding.value} in {finding.context}"
            print(f"  [{target['id']}] {finding.kind}: {where} — {finding.message}")
        for finding in true:
            why = target["known_errors"][finding.value]
            print(f"  [{target['id']}] the report's own error, flagged: {finding.value} — {why}")
        for figure_id in missed:
            figure = figure_set[figure_id]
            print(f"  [{target['id']}] missed: {figure_id} {figure.name} {figure.written}")
        for year in years:
            print(f"  [{target['id']}] year read as a quantity: {year}")
    return {
        "id": target["id"],
        "heldout": bool(target.get("heldout")),
        "gathered": target["source"].startswith("../gathered/"),
        "true": len(true),
        "confirmed": len(confirmed),
        "figures": len(figure_set),
        "numbers": numbers,
        "false": len(false),
        "unsourced": sum(1 for f in report.findings if f.kind == "unsourced"),
        "years": len(years),
    }


def summary(label: str, rows: list[dict]) -> None:
    if not rows:
        return
    confirmed, figures = sum(r["confirmed"] for r in rows), sum(r["figures"] for r in rows)
    numbers, false = sum(r["numbers"] for r in rows), sum(r["false"] for r in rows)
    years, true = sum(r["years"] for r in rows), sum(r["true"] for r in rows)
    print(
        f"{label}: confirmed {confirmed}/{figures} = {confirmed / max(1, figures):.1%}, "
        f"false flags {false}/{numbers} = {false / max(1, numbers):.2%}, years as quantities "
        f"{years}, the reports' own errors flagged {true}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every flag and miss")
    parser.add_argument("--only", help="one target id")
    args = parser.parse_args()
    shared = shared_dir()
    targets = yaml.safe_load((FIGURES / "targets.yaml").read_text("utf-8"))["targets"]
    runs = [run(t, shared, args.show) for t in targets if not args.only or t["id"] == args.only]
    rows = [r for r in runs if r is not None]
    heads = f"{'confirmed':>10} {'numbers':>8} {'false':>6} {'unsourced':>9} {'years':>6}"
    print(f"{'document':18} {heads}")
    for r in rows:
        mark = (" (held out, gathered)" if r["gathered"] else " (held out)") if r["heldout"] else ""
        print(
            f"{r['id']:18} {r['confirmed']:>4}/{r['figures']:<5} {r['numbers']:>8} "
            f"{r['false']:>6} {r['unsourced']:>9} {r['years']:>6}{mark}"
        )
    summary("tuned on", [r for r in rows if not r["heldout"]])
    summary("held out", [r for r in rows if r["heldout"]])
    summary("  of which gathered", [r for r in rows if r["gathered"]])


if __name__ == "__main__":
    main()
