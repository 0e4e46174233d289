"""Writing and verifying the sections of one draft.

Every section goes the same way whatever the writer: its paragraphs (with ``{{id}}``
references) are rendered into numbers with citations, then checked by assistant.check. A
number the checker cannot tie to a figure, or a reference to an id or field the figures file
does not have (a model's error), gets one repair request (model writers only) listing for each
item the reason and the allowed fixes; what is still wrong becomes a highlighted 〔待核：…〕 —
never kept, never a 〔待补〕 that would read as if the file lacked a number it never had.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from .gate import mend_paragraph
from .item_marks import Invented, Marked, check_items, mark_invented, repair_items
from .numbers import extract_numbers
from .prose import zero_citations
from .render import FIELD_LABELS, StreamRenderer, render
from .types import BlockStyle, Citation, FigureSet, Finding, Item, ItemCitation
from .writers import Context, OnToken, Writer, Written

MARK_ROUNDS = 3  # rounds of 〔待核〕 marking a section gets at most
BAD_KINDS = frozenset({"mismatch", "unit", "direction", "unsourced", "stale", "period"})
Progress = Callable[[int, int, str], None]  # (sections done, sections in all, next heading)
REWRITE = "删去这个数字，把句子改写成不用数字的说法（意思不变）"


@dataclass
class Paragraph:
    """One rendered paragraph of a section, with its citations and the exemplars used."""

    text: str
    style: BlockStyle
    citations: list[Citation] = field(default_factory=list)
    exemplars: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)  # unknown references, as id or id.field
    items: list[ItemCitation] = field(default_factory=list)  # stretches stating 科室 items
    invented: list[Invented] = field(default_factory=list)  # marks naming no item given


def render_all(
    paragraphs: Sequence[str], figure_set: FigureSet, strict: bool, items: Sequence[Item] = ()
) -> list[Paragraph]:
    """Each paragraph with its references rendered and its item marks taken out: numbers and
    the section's items (``items``) cited, unknown ids and invented items listed
    (assistant.item_marks)."""
    blocks = []
    for index, paragraph in enumerate(paragraphs):
        rendered = render(paragraph, figure_set, index, strict=strict)
        wrong = rendered.unknown + rendered.absent
        cited = zero_citations(rendered.text, figure_set, index, rendered.citations)
        marked = check_items(rendered.text, cited, rendered.items, items, index)
        blocks.append(
            Paragraph(
                marked.text,
                "body",
                marked.citations,
                wrong=wrong,
                items=marked.items,
                invented=marked.invented,
            )
        )
    return blocks


def bad_findings(blocks: Sequence[Paragraph], figure_set: FigureSet, plan: bool) -> list[Finding]:
    from .check import check_blocks

    citations = [c for b in blocks for c in b.citations]
    report = check_blocks([b.text for b in blocks], figure_set, citations, plan=plan)
    return [f for f in report.findings if f.kind in BAD_KINDS]


def _label(text: str, start: int, end: int) -> str:
    """What an unsourced number was about, without the number: its metric or its words."""
    for quantity in extract_numbers(text):
        if quantity.start <= start < quantity.end or start <= quantity.start < end:
            if quantity.metric:
                return quantity.metric
            words = re.sub(r"[\d.,%％]+", "", quantity.context)[-10:].strip("，；：、 ")
            return words or "数据"
    return "数据"


def mark_unverified(block: Paragraph, findings: Sequence[Finding]) -> int:
    """Replace each finding's span by 〔待核：…〕, moving the citations after it."""
    spans = sorted({(f.start, f.end) for f in findings}, reverse=True)
    for start, end in spans:
        mark = f"〔待核：{_label(block.text, start, end)}〕"
        block.text = block.text[:start] + mark + block.text[end:]
        delta = len(mark) - (end - start)
        kept = []
        for citation in block.citations:
            if citation.end <= start:
                kept.append(citation)
            elif citation.start >= end:
                kept.append(
                    Citation(
                        citation.block,
                        citation.start + delta,
                        citation.end + delta,
                        citation.text,
                        citation.figure_id,
                        citation.field,
                        citation.source,
                    )
                )
        block.citations = kept
        block.items = [_stretched(i, start, end, delta) for i in block.items]
    return len(spans)


def _stretched(item: ItemCitation, start: int, end: int, delta: int) -> ItemCitation:
    """An item's stretch after start..end of its block was replaced by text ``delta`` longer."""
    if item.end <= start:
        return item
    if item.start >= end:
        return replace(item, start=item.start + delta, end=item.end + delta)
    return replace(item, end=item.end + delta)


def _fix_for(finding: Finding) -> str:
    """The allowed fixes for one flagged number, the likeliest first."""
    fixes = []
    if finding.figure_id and finding.kind in ("mismatch", "unit", "stale"):
        suffix = "" if finding.field in (None, "value") else f".{finding.field}"
        fixes.append(f"改为引用 {{{{{finding.figure_id}{suffix}}}}}")
    elif finding.kind == "direction":
        fixes.append("按数据表“说明”列的结论改写这句话")
    else:
        fixes.append("数据表中有对应的数据时改为它的引用")
    fixes += [REWRITE, "换成〔待核：指标名〕"]
    return "；或".join(fixes)


def repair_list(
    blocks: Sequence[Paragraph],
    findings: Sequence[Finding],
    figure_set: FigureSet,
    given: Sequence[Item] = (),
) -> list[str]:
    """For each flagged number, each wrong reference and each mark naming no item of ``given``
    (the section's items): what, where, why, and the fixes."""
    items = []
    for f in findings:
        where = blocks[f.block].text[max(0, f.start - 20) : f.end + 10]
        items.append(f"“{f.value}”（{where}）\n  原因：{f.message}\n  可用的改法：{_fix_for(f)}")
    for block in blocks:
        for wrong in dict.fromkeys(block.wrong):
            figure_id, _, field_name = wrong.partition(".")
            figure = figure_set.get(figure_id)
            reason = (
                "数据表中没有这个 id"
                if figure is None
                else f"{figure.name}没有{FIELD_LABELS[field_name]}（数据表中没有这一行）"
            )
            items.append(
                f"“{{{{{wrong}}}}}”\n  原因：{reason}\n"
                f"  可用的改法：改用数据表中已有的引用；或删去这一处，把句子改写成不用它的说法"
                f"（意思不变）；或换成〔待核：指标名〕"
            )
    for block in blocks:
        items += repair_items(block.invented, block.text, given)
    return [f"{n}. {item}" for n, item in enumerate(items, start=1)]


def whole_sentences(written: Written) -> Written:
    """The writer's paragraphs through the sentence gate (assistant.gate): whatever the writer,
    no sentence leaves broken; a paragraph left empty goes."""
    mended = [piece for paragraph in written.paragraphs for piece in mend_paragraph(paragraph)]
    return replace(written, paragraphs=mended)


def verify_section(
    writer: Writer, context: Context, written: Written
) -> tuple[list[Paragraph], Written, int, int]:
    """Render, check, repair once, and mark what is still wrong: (blocks, written used,
    repairs, unverified). A model's reference to an id or field the file lacks is as wrong as
    a number nobody can source."""
    figure_set = context.rendering_set
    plan = context.section.part == "计划"
    strict = writer.generative
    given = context.items
    blocks = render_all(written.paragraphs, figure_set, strict, given)
    bad = bad_findings(blocks, figure_set, plan)
    repairs = 0
    if bad or any(b.wrong or b.invented for b in blocks):
        listed = repair_list(blocks, bad, figure_set, given)
        repaired = writer.repair(context, written, listed)
        if repaired is not None:
            repairs = 1
            written = repaired
            blocks = render_all(written.paragraphs, figure_set, strict, given)
            bad = bad_findings(blocks, figure_set, plan)
    unverified = sum(len(set(b.wrong)) for b in blocks)  # rendered as 〔待核〕 already
    unverified += sum(_mark_invented(block) for block in blocks)
    for round_ in range(MARK_ROUNDS):
        if not bad:
            break
        for index, block in enumerate(blocks):
            unverified += mark_unverified(block, [f for f in bad if f.block == index])
        # a replaced number can shift a claim onto its neighbour: look again (not after the last
        # round, whose findings nothing would use)
        bad = bad_findings(blocks, figure_set, plan) if round_ < MARK_ROUNDS - 1 else []
    return blocks, written, repairs, unverified


def _mark_invented(block: Paragraph) -> int:
    """A 〔待核〕 after each stretch whose item mark named no item (assistant.item_marks)."""
    if not block.invented:
        return 0
    marked = Marked(block.text, block.citations, block.items, block.invented)
    count = mark_invented(marked)
    block.text, block.citations, block.items, block.invented = (
        marked.text,
        marked.citations,
        marked.items,
        [],
    )
    return count


# --- the sections of a draft, concurrently -----------------------------------------------------


@dataclass
class Outcome:
    """One section written and verified."""

    blocks: list[Paragraph]
    written: Written
    repairs: int
    unverified: int


class OrderedStream:
    """Streamed text in document order while sections are written at once: the first unfinished
    section streams live; a later one's text waits until every section before it is done."""

    def __init__(self, on_token: OnToken, count: int) -> None:
        self._on_token = on_token
        self._held: list[list[str]] = [[] for _ in range(count)]
        self._done = [False] * count
        self._cursor = 0
        self._lock = threading.Lock()
        self.closed = False  # after an abort nothing more is shown

    def emit(self, index: int, text: str) -> None:
        with self._lock:
            if self.closed or not text:
                return
            if index == self._cursor:
                self._on_token(text)
            else:
                self._held[index].append(text)

    def finish(self, index: int) -> None:
        with self._lock:
            self._done[index] = True
            while self._cursor < len(self._done) and not self.closed:
                for text in self._held[self._cursor]:
                    self._on_token(text)
                self._held[self._cursor] = []
                if not self._done[self._cursor]:
                    break
                self._cursor += 1


def _write_one(
    writer: Writer, context: Context, index: int, stream: OrderedStream | None
) -> Outcome:
    renderer = StreamRenderer(context.rendering_set, strict=True) if stream else None
    on_token = None
    if stream is not None and renderer is not None and writer.generative:

        def on_token(piece: str) -> None:
            stream.emit(index, renderer.feed(piece))

    written = whole_sentences(writer.write(context, on_token))
    if stream is not None and renderer is not None and writer.generative:
        stream.emit(index, renderer.flush())
    if written.error is not None:
        if stream is not None:
            stream.emit(index, "\n" + "\n".join(written.paragraphs) + "\n")
        return Outcome([Paragraph(p, "body") for p in written.paragraphs], written, 0, 0)
    blocks, used, repairs, unverified = verify_section(writer, context, written)
    for block in blocks:
        block.exemplars = list(used.exemplar_ids)
    if stream is not None:
        text = "" if writer.generative else "\n".join(b.text for b in blocks)
        stream.emit(index, text + "\n")
    return Outcome(blocks, used, repairs, unverified)


def write_sections(
    writer: Writer,
    contexts: Sequence[Context],
    *,
    concurrency: int = 1,
    on_token: OnToken | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Every section written and verified, up to ``concurrency`` at once (a model writer; the
    template writer works in this thread), outcomes in document order.

    A section the model could not write is a 〔待补〕 saying why — unless no section had been
    written yet: then the endpoint is down or misconfigured, and its error ends the draft."""
    count = len(contexts)
    stream = OrderedStream(on_token, count) if on_token else None
    outcomes: list[Outcome | None] = [None] * count
    lock = threading.Lock()
    workers = max(1, concurrency) if writer.generative else 1

    def run(index: int) -> Outcome:
        outcome = _write_one(writer, contexts[index], index, stream)
        with lock:
            error = outcome.written.error
            if error is not None and not any(o and not o.written.error for o in outcomes):
                if stream is not None:
                    stream.closed = True
                raise error
            outcomes[index] = outcome
            if stream is not None:
                stream.finish(index)
            if progress:
                left = [c.section.title for c, o in zip(contexts, outcomes, strict=True) if not o]
                progress(count - len(left), count, left[0] if left else "")
        return outcome

    if progress and count:
        progress(0, count, contexts[0].section.title)
    if workers == 1:
        for index in range(count):
            run(index)
    else:
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="section")
        try:
            for future in as_completed([pool.submit(run, i) for i in range(count)]):
                future.result()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    return [o for o in outcomes if o is not None]
