"""The model writer: a recorded capable model's draft next to the template writer's, and the
time a whole draft takes against a slow endpoint, sections one at a time vs at once.

    .venv/bin/python bench/bench_model.py                  # both (about 5 minutes)
    .venv/bin/python bench/bench_model.py --only replay    # the recording only (seconds)
    .venv/bin/python bench/bench_model.py --only concurrency --latency 10
    .venv/bin/python bench/bench_model.py --only items       # with the 科室 material (seconds)

- Replay: `assistant draft --writer openai` for the sample corpus and figures-2025H1 against
  tests/replay_server.py (the recording in tests/data/cassettes/sample-2025H1, matched by
  section role and topic), and the template writer on the same input. Per draft: foreign names,
  out-of-era phrases and sentence-gate failures (bench_real's measures), numbers cited, bad
  findings (mismatch/unit/direction/unsourced/stale/period), 〔待核〕 and 〔待补〕 marks, repairs,
  characters and body paragraphs, sentences with 5 or more numbers (a dump), change citations
  without 同比/较上年 before them, and paragraphs not from the writer asked for (template text
  in a model draft). Then the requests the recording had no reply for (answered by a scripted
  stand-in), and the recordings never asked for (prompts changed since the recording).
- Items (issue 13): the same draft with the sample 科室 material (corpus/items-2025H1). The
  recording predates items, so it shows what the replayed model does with material it was never
  asked to cite (nothing); a third run appends to each recorded section reply a scripted
  paragraph stating every item its prompt lists (their words with their {{item_…}} references and
  〔item:ID〕 marks, as the prompt asks) — the plumbing measured, not a model: items offered to a
  section and stated, items no section was given (unused, listed in the sidecar), stated items
  with a source comment, item numbers that fail the check, 〔待核〕 marks.
- Concurrency: the same whole draft against the replay server answering every request after
  ``--latency`` seconds, with ``concurrency`` 1 and the default; prints both times and the ratio
  (the target is at most 30 %).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import era, gate, names  # noqa: E402
from assistant.draft import DraftRequest, compose  # noqa: E402
from assistant.ingest import ingest  # noqa: E402
from assistant.numbers import extract_numbers  # noqa: E402
from assistant.settings import Settings, load_settings  # noqa: E402
from tests.openai_stub import Reply  # noqa: E402
from tests.replay_server import SCRIPTED_PLAN_INTRO, ReplayServer  # noqa: E402

SAMPLE = ROOT / "corpus" / "sample"
MATERIAL = ROOT / "corpus" / "items-2025H1"
_LISTED = re.compile(r"【科室事项开始】\n(.*?)\n【科室事项结束】", re.S)
_ITEM_LINE = re.compile(r"^(〔item:[^〕]+〕)（[^）]*）(.+?)。?$", re.M)
REQUEST = DraftRequest(SAMPLE / "figures-2025H1.csv", "示例区生态环境局", "2025年上半年")
BAD = ("mismatch", "unit", "direction", "unsourced", "stale", "period")
# the bureau's own names: its unit and the places its figures file names (清溪河, 龙潭水库)
VOICE = names.Voice.of(REQUEST.unit, names.find_names(REQUEST.figures.read_text("utf-8-sig")))
COMPARED = re.compile(r"(同比|较上年(?:度|同期)?|与上年同期|比上年(?:同期)?)$")


def model_settings(settings: Settings, server: ReplayServer, **extra: object) -> Settings:
    values = {"writer": "openai", "base_url": server.base_url, "model": "recorded", **extra}
    return settings.model_copy(update={"max_retries": 0, "timeout": 120.0, **values})


def metrics(result, own: set[str] | None = None) -> dict[str, object]:
    """What the table prints for one draft; ``own``: the texts the model said (its paragraphs'
    openings), to count paragraphs that came from elsewhere."""
    draft = result.draft
    bodies = [b.text for b in draft.blocks if b.style == "body"]
    body = "\n".join(bodies)
    sentences = [s for s in re.split(r"(?<=[。！？])", body) if s.strip()]
    lost = [
        c
        for c in draft.citations
        if c.field == "change" and not COMPARED.search(draft.blocks[c.block].text[: c.start])
    ]
    foreign = None
    if own is not None:
        foreign = sum(1 for b in bodies if not any(b.startswith(o[:8]) for o in own))
    text = "".join(bodies)
    return {
        "foreign": len(names.foreign_names(body, VOICE)),
        "era": len(era.stale(body, 2025)),
        "gate": len(gate.problems(body)),
        "numbers": len(draft.citations),
        "bad": sum(result.report.summary.get(k, 0) for k in BAD),
        "待核": text.count("〔待核"),
        "待补": text.count("〔待补"),
        "repairs": result.repairs,
        "chars": len(text),
        "paragraphs": len(bodies),
        "dumps": sum(1 for s in sentences if len(extract_numbers(s)) >= 5),
        "同比 lost": len(lost),
        "not the writer's": "-" if foreign is None else foreign,
    }


def replay(settings: Settings) -> None:
    print("\n== Replay: a recorded capable model vs the template writer (sample, 2025H1) ==")
    template = compose(REQUEST, settings)
    with ReplayServer() as server:
        model = compose(REQUEST, model_settings(settings, server))
        said = [r.reply for r in server.recordings] + [SCRIPTED_PLAN_INTRO]
        own = {line for reply in said for line in reply.splitlines() if line.strip()}
        rows = {"template": metrics(template), "openai (replay)": metrics(model, own)}
        served, unmatched = server.served, server.unmatched
        unused = [r for r in server.recordings if r.number not in server.matched]
    keys = list(rows["template"])
    print(f"{'writer':16} " + " ".join(f"{k:>8}" for k in keys))
    for name, row in rows.items():
        print(f"{name:16} " + " ".join(f"{row[k]!s:>8}" for k in keys))
    answered = len(served) - len(unmatched)
    print(f"\nrequests sent: {len(served)}; answered from the recording: {answered}")
    for item in unmatched:
        print(f"  no recorded reply (scripted stand-in): {item.role:10} {item.first_line[:50]}")
    for recording in unused:
        print(f"  recorded but not asked for: {recording.number:03d} {recording.asked.role}")


class ItemsReplay(ReplayServer):
    """The recording, with a scripted paragraph after each section reply that states every item
    the request lists, each with its mark (a model doing exactly what the prompt asks); a
    recorded repair, which replaces the section, gets it again."""

    def reply_for(self, body: dict) -> Reply:
        reply = super().reply_for(body)
        user = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        listed = _LISTED.search(user)
        if listed is None or "〔item:" in reply.text:  # an unrecorded repair: its draft back
            return reply
        said = [f"{words}{mark}" for mark, words in _ITEM_LINE.findall(listed.group(1))]
        if not said:
            return reply
        text = reply.text + "\n\n" + "；".join(said) + "。"
        return Reply(text=text, chunks=(text,), delay=reply.delay)


def item_metrics(result) -> dict[str, object]:
    """What the items table prints for one draft."""
    draft, usable = result.draft, len(result.items.items) if result.items else 0
    stated = {c.item_id for c in draft.item_citations}
    numbers = [f for f in result.report.findings if (f.figure_id or "").startswith("item_")]
    return {
        "usable": usable,
        "stated": len(stated),
        "share": f"{len(stated) / usable:.0%}" if usable else "-",
        "unused": len(draft.items_unused),
        "sourced": f"{sum(1 for c in draft.item_citations if c.source)}/"
        f"{len(draft.item_citations)}",
        "nums ok": sum(1 for f in numbers if f.kind == "ok"),
        "nums bad": sum(1 for f in numbers if f.kind in BAD),
        "待核": sum(b.text.count("〔待核") for b in draft.blocks),
        "chars": sum(len(b.text) for b in draft.blocks if b.style == "body"),
    }


def items(settings: Settings) -> None:
    print("\n== Items: the replayed model with the sample 科室 material (2025H1) ==")
    with_items = DraftRequest(REQUEST.figures, REQUEST.unit, REQUEST.period, items=MATERIAL)
    rows = {}
    for name, server_class, request in (
        ("replay, no items", ReplayServer, REQUEST),
        ("replay + items", ReplayServer, with_items),
        ("+ scripted items", ItemsReplay, with_items),
    ):
        with server_class() as server:
            result = compose(request, model_settings(settings, server))
            rows[name] = item_metrics(result)
            matched = len(server.served) - len(server.unmatched)
            rows[name]["matched"] = f"{matched}/{len(server.served)}"
    keys = list(rows["replay + items"])
    print(f"{'run':18} " + " ".join(f"{k:>8}" for k in keys))
    for name, row in rows.items():
        print(f"{name:18} " + " ".join(f"{row[k]!s:>8}" for k in keys))
    print("(the recording predates items: its replies state none; the scripted paragraph is")
    print(" the plumbing's upper bound, not a model's quality)")


def concurrency(settings: Settings, latency: float) -> None:
    print(f"\n== Concurrency: whole draft, endpoint answering after {latency:g} s ==")
    default = Settings.model_fields["concurrency"].default
    times: dict[int, float] = {}
    for workers in (1, default):
        with ReplayServer() as server:
            server.delay = latency
            started = time.perf_counter()
            compose(REQUEST, model_settings(settings, server, concurrency=workers))
            times[workers] = time.perf_counter() - started
            requests = len(server.served)
        print(f"concurrency {workers}: {times[workers]:7.1f} s for {requests} requests")
    ratio = times[default] / times[1]
    print(f"ratio {ratio:.0%} of the sequential time (target ≤ 30 %)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("replay", "items", "concurrency"))
    parser.add_argument("--latency", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(embedding="hash", data_dir=Path(folder))
        ingest([SAMPLE], settings)
        if args.only in (None, "replay"):
            replay(settings)
        if args.only in (None, "items"):
            items(settings)
        if args.only in (None, "concurrency"):
            concurrency(settings, args.latency)


if __name__ == "__main__":
    main()
