"""科室 material in the template draft: what the items add and whether every one is sourced.

    .venv/bin/python bench/bench_items.py

Over the sample corpus (ingested with the hash embedding into a temporary folder), the 2025H1
figures and corpus/items-2025H1, it drafts the half-year document with and without the items
and prints:

- draft length (characters of body text) with items vs without;
- share of the bureau's items (the usable ones: the traps — last year's items and the one in
  conflict with the figures file — are held back, a duplicate counts once) that reach the draft:
  stated by a sourced stretch, or said in full by the section's figures (not repeated);
- stretches stating an item that carry a Word comment naming the 科室 and the file (read back
  from the .docx);
- item facts altered: `check`'s ``item`` findings on the saved draft (numbers, dates, quoted
  names of a stretch that its item does not have);
- out-of-period items used: stretches stating an item held back for its period;
- repeated facts: numbers of item stretches that equal (at the precision the item wrote them) a
  figure of the file cited in the same section, and the items cut to avoid them;
- `assistant check` exit code on the .docx without `--items` (the material found where the
  sidecar says it was), its unsourced numbers, and the figures it lists as never stated.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.draft import DraftRequest, compose, save_draft  # noqa: E402
from assistant.figures import round_half_up  # noqa: E402
from assistant.ingest import ingest  # noqa: E402
from assistant.metrics import convert  # noqa: E402
from assistant.numbers import extract_numbers  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.word import read_comments  # noqa: E402

FIGURES = ROOT / "corpus" / "sample" / "figures-2025H1.csv"
ITEMS = ROOT / "corpus" / "items-2025H1"
UNIT = "示例区生态环境局"


def _length(draft) -> int:  # type: ignore[no-untyped-def]
    return sum(len(b.text) for b in draft.blocks if b.style == "body")


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _repeated(draft, figure_set) -> list[str]:  # type: ignore[no-untyped-def]
    """Item stretch numbers a file figure cited in the same section already gives: the same
    value at the precision the item wrote it, and half the figure's name in the words around
    the number (its clause), or half those words in the name."""
    section = 0
    sections: list[int] = []
    for block in draft.blocks:
        section += block.style in ("h1", "h2")
        sections.append(section)
    found = []
    for cited in draft.item_citations:
        stretch = draft.blocks[cited.block].text[cited.start : cited.end]
        figures = [
            figure_set[c.figure_id]
            for c in draft.citations
            if sections[c.block] == sections[cited.block]
            and not c.figure_id.startswith("item_")
            and c.field == "value"
        ]
        for q in extract_numbers(stretch):
            if q.value is None or q.approx:
                continue
            clause = re.split(r"[，；。、]", stretch[q.end :])[0]
            around = _pairs(re.split(r"[，；。]", stretch[: q.start])[-1] + clause)
            for f in figures:
                if len(_pairs(f.name) & around) < min(len(_pairs(f.name)), len(around)) / 2:
                    continue
                value = convert(f.value, f.unit, q.unit_written or "") if f.value else None
                if value is not None and round_half_up(value, q.places) == q.value:
                    found.append(f"{q.text} ({f.name})")
    return found


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(embedding="hash", data_dir=Path(folder))
        ingest([ROOT / "corpus" / "sample"], settings)
        plain = compose(DraftRequest(FIGURES, UNIT, "2025年上半年"), settings)
        result = compose(DraftRequest(FIGURES, UNIT, "2025年上半年", items=ITEMS), settings)
        files = save_draft(result.draft, result.figure_set, Path(folder) / "out")
        item_set = result.items
        assert item_set is not None
        draft = result.draft
        stated = {c.item_id for c in draft.item_citations}
        usable = [i.id for i in item_set.items]
        said = [i for i in usable if i not in stated]
        period_held = {p.item_id for p in item_set.problems if p.kind == "period"}
        comments = [r for r in read_comments(files["docx"]) if r.text.startswith("事项：")]
        commented = sum(
            any(
                r.block_index == c.block and r.start == c.start and c.source in r.text
                for r in comments
            )
            for c in draft.item_citations
        )
        check = subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "assistant"),
                "check",
                str(files["docx"]),
                "--figures",
                str(FIGURES),
                "--json",
            ],
            capture_output=True,
            text=True,
            cwd=folder,
        )
        import json

        report = json.loads(check.stdout)
        altered = report["summary"].get("item", 0)
        unsourced = report["summary"].get("unsourced", 0)
        unstated = report["summary"].get("unstated_names", [])
        repeated = _repeated(draft, result.figure_set)
        cut: dict[str, int] = {}  # item → its numbers the stretch leaves to the figures
        for c in draft.item_citations:
            item = item_set.get(c.item_id)
            assert item is not None
            own = [
                n
                for n in draft.citations
                if n.block == c.block
                and c.start <= n.start < c.end
                and n.figure_id in item.figure_ids
            ]
            if len(own) < len(item.figure_ids):
                cut[item.id] = len(item.figure_ids) - len(own)
    print(
        f"draft body length: without items {_length(plain.draft)} chars, "
        f"with items {_length(draft)} chars"
    )
    print(
        f"items read {len(item_set.items) + len(item_set.held)} "
        f"(usable {len(usable)}, held {len(item_set.held)}: "
        f"{', '.join(p.kind for p in item_set.problems if p.kind != 'duplicate')}; "
        f"duplicates merged {sum(p.kind == 'duplicate' for p in item_set.problems)})"
    )
    reached = len(stated & set(usable))
    print(
        f"usable items reaching the draft: {reached + len(said)}/{len(usable)} "
        f"= {100 * (reached + len(said)) / len(usable):.1f}% "
        f"(stated {reached}, said in full by the section's figures {len(said)}: {said})"
    )
    share = 100 * commented / len(draft.item_citations) if draft.item_citations else 0
    print(
        f"item stretches with a source comment: {commented}/{len(draft.item_citations)} "
        f"= {share:.1f}%"
    )
    print(f"item facts altered (check 'item' findings): {altered}")
    print(f"out-of-period items used: {len(stated & period_held)}")
    print(f"repeated facts (item numbers a cited figure of the section gives): {len(repeated)}")
    for fact in repeated:
        print(f"  {fact}")
    print(
        f"item numbers left to the section's figures (clause cut): {sum(cut.values())} "
        f"in {len(cut)} items"
    )
    print(
        f"check without --items: exit code {check.returncode}, unsourced {unsourced}, "
        f"never stated: {len(unstated)} {unstated}"
    )


if __name__ == "__main__":
    main()
