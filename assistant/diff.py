"""What changed between two versions of a draft: paragraphs, and above all the numbers.

An editor mostly needs two answers: which paragraphs moved, and which figures now read differently
and where each side's figure came from. Sources come from our Word comments (render.comment_text)
or from the provenance sidecar next to the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Literal

from .errors import InputError
from .numbers import extract_numbers
from .provenance import sidecar_beside
from .render import parse_comment
from .types import Citation, Quantity

ParagraphKind = Literal["unchanged", "changed", "added", "removed"]
PAIR_RATIO = 0.4  # below this similarity two paragraphs are a removal plus an addition
RENAME_RATIO = 0.5  # names this alike are one name edited; less alike, the clause was reworded


@dataclass(frozen=True)
class SourcedNumber:
    """A span of a block known to carry a figure: from a comment, a sidecar or a citation."""

    block: int
    start: int
    end: int
    text: str
    figure_id: str | None = None
    field: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class TextSpan:
    """A run of a changed paragraph: kept ("equal"), struck ("delete") or new ("insert")."""

    op: Literal["equal", "delete", "insert"]
    text: str


@dataclass(frozen=True)
class ParagraphChange:
    kind: ParagraphKind
    a_index: int | None
    b_index: int | None
    a_text: str | None
    b_text: str | None
    spans: list[TextSpan] = field(
        default_factory=list
    )  # what changed inside, character by character


@dataclass(frozen=True)
class NumberChange:
    """One number that reads differently (or appears/disappears) between the two versions."""

    kind: Literal["changed", "added", "removed", "renamed"]  # renamed: same value, name changed
    a_index: int | None
    b_index: int | None
    old: str | None
    new: str | None
    metric: str | None = None
    old_name: str | None = None  # the name as written before the number (监测数据有效率)
    new_name: str | None = None
    old_source: str | None = None
    new_source: str | None = None
    old_figure: str | None = None
    new_figure: str | None = None


@dataclass
class DocumentDiff:
    a: str
    b: str
    paragraphs: list[ParagraphChange] = field(default_factory=list)
    numbers: list[NumberChange] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        counts = {kind: 0 for kind in ("unchanged", "changed", "added", "removed")}
        for change in self.paragraphs:
            counts[change.kind] += 1
        counts["numbers"] = len(self.numbers)
        return counts

    @property
    def identical(self) -> bool:
        return all(change.kind == "unchanged" for change in self.paragraphs)


def from_citations(citations: Sequence[Citation]) -> list[SourcedNumber]:
    return [
        SourcedNumber(c.block, c.start, c.end, c.text, c.figure_id, c.field, c.source)
        for c in citations
    ]


def sourced_numbers(path: Path, *, sidecar: Path | None = None) -> list[SourcedNumber]:
    """Numbers of a .docx tied to figures: our Word comments first, else the JSON sidecar.

    A sidecar is trusted only where the paragraph still reads as recorded, so an editor's later
    change to a paragraph is not passed off with the old source.
    """
    from .word import read_blocks, read_comments

    path = Path(path)
    found: list[SourcedNumber] = []
    for ref in read_comments(path):
        parsed = parse_comment(ref.text)
        if parsed is None:
            continue
        found.append(
            SourcedNumber(
                ref.block_index,
                ref.start,
                ref.end,
                ref.anchored_text,
                parsed[0],
                parsed[1],
                _source_line(ref.text),
            )
        )
    sidecar = sidecar or path.with_suffix(".json")
    if found or not sidecar.is_file():
        return found
    recorded = sidecar_beside(sidecar)
    if recorded is None:
        return []
    texts = [block.text for block in read_blocks(path)]
    return [n for n in from_citations(recorded.citations) if _still_reads(texts, n)]


def _source_line(comment: str) -> str | None:
    for line in comment.splitlines():
        if line.startswith("来源："):
            return line.removeprefix("来源：").strip() or None
    return None


def _still_reads(texts: list[str], number: SourcedNumber) -> bool:
    if not 0 <= number.block < len(texts):
        return False
    return texts[number.block][number.start : number.end] == number.text


def diff_files(a: Path, b: Path) -> DocumentDiff:
    """Diff two .docx drafts paragraph by paragraph, with the numbers that changed."""
    from .uploads import check_zip
    from .word import read_blocks

    for path in (a, b):
        if not Path(path).is_file():
            raise InputError("文件不存在", path=str(path))
        if Path(path).suffix.lower() != ".docx":
            raise InputError("只能比较 .docx 文件", path=str(path), hint="先把草稿另存为 .docx")
        check_zip(Path(path))
    return diff_texts(
        [block.text for block in read_blocks(Path(a))],
        [block.text for block in read_blocks(Path(b))],
        sourced_numbers(Path(a)),
        sourced_numbers(Path(b)),
        a_name=str(a),
        b_name=str(b),
    )


def diff_texts(
    a_texts: Sequence[str],
    b_texts: Sequence[str],
    a_numbers: Sequence[SourcedNumber] = (),
    b_numbers: Sequence[SourcedNumber] = (),
    *,
    a_name: str = "A",
    b_name: str = "B",
) -> DocumentDiff:
    """Align paragraphs (difflib), pair similar ones inside replaced runs, then diff numbers."""
    result = DocumentDiff(a=a_name, b=b_name)
    matcher = SequenceMatcher(None, list(a_texts), list(b_texts), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                result.paragraphs.append(ParagraphChange("unchanged", i, j, a_texts[i], b_texts[j]))
            continue
        for i, j in _pair(a_texts, b_texts, range(i1, i2), range(j1, j2)):
            a_text = None if i is None else a_texts[i]
            b_text = None if j is None else b_texts[j]
            kind: ParagraphKind = (
                "changed"
                if i is not None and j is not None
                else ("removed" if j is None else "added")
            )
            result.paragraphs.append(
                ParagraphChange(kind, i, j, a_text, b_text, char_spans(a_text or "", b_text or ""))
            )
    for change in result.paragraphs:
        if change.kind != "unchanged":
            result.numbers.extend(_number_changes(change, a_numbers, b_numbers))
    return result


def char_spans(old: str, new: str) -> list[TextSpan]:
    """The change inside a paragraph, character by character (as Word's compare marks it): a
    replaced stretch is its deletion followed by its insertion."""
    spans: list[TextSpan] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            spans.append(TextSpan("equal", old[i1:i2]))
            continue
        if i2 > i1:
            spans.append(TextSpan("delete", old[i1:i2]))
        if j2 > j1:
            spans.append(TextSpan("insert", new[j1:j2]))
    return spans


_CLAUSE_BREAK = re.compile(r"[，。；：、,;:（）()“”\s]")
_NAME_TAIL = re.compile(r"(?:为|是|达到|达|至|保持|保持在|控制在|提升至|下降至|上升至|约|共|仅)$")


def written_name(text: str, quantity: Quantity) -> str:
    """The words naming a number, as written: its clause up to the number, without the linking
    verb (上半年监测数据有效率为99.1% → 上半年监测数据有效率)."""
    head = text[: quantity.start]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(head)]
    name = head[breaks[-1] if breaks else 0 :]
    previous = None
    while previous != name:
        previous, name = name, _NAME_TAIL.sub("", name)
    return name


def _pair(
    a_texts: Sequence[str], b_texts: Sequence[str], a_range: range, b_range: range
) -> list[tuple[int | None, int | None]]:
    """Pairs in order: each old paragraph goes with the first later new one that resembles it."""
    pairs: list[tuple[int | None, int | None]] = []
    next_b = b_range.start
    for i in a_range:
        match = None
        for j in range(next_b, b_range.stop):
            if SequenceMatcher(None, a_texts[i], b_texts[j], autojunk=False).ratio() >= PAIR_RATIO:
                match = j
                break
        if match is None:
            pairs.append((i, None))
            continue
        pairs.extend((None, j) for j in range(next_b, match))
        pairs.append((i, match))
        next_b = match + 1
    pairs.extend((None, j) for j in range(next_b, b_range.stop))
    return pairs


def _source_of(
    numbers: Sequence[SourcedNumber], block: int | None, quantity: Quantity
) -> SourcedNumber | None:
    return next(
        (
            n
            for n in numbers
            if n.block == block and n.start < quantity.end and quantity.start < n.end
        ),
        None,
    )


def _number_key(q: Quantity) -> tuple[object, ...]:
    """What a number says, not how it is typed: 99.1％, 99.1 % and 99.1% are one value.

    The metric is compared beside it, so "38.4" of PM2.5 ≠ "38.4" of another metric.
    """
    if q.value is None:  # masked or a water class: only the written form can tell
        return (q.form, q.number_text, q.category, q.unit)
    return (q.form, q.value, q.high, q.terms, q.unit)


def _number_changes(
    change: ParagraphChange,
    a_numbers: Sequence[SourcedNumber],
    b_numbers: Sequence[SourcedNumber],
) -> list[NumberChange]:
    old = extract_numbers(change.a_text or "")
    new = extract_numbers(change.b_text or "")
    found: list[NumberChange] = []

    def record(kind: str, qa: Quantity | None, qb: Quantity | None) -> None:
        sa = _source_of(a_numbers, change.a_index, qa) if qa else None
        sb = _source_of(b_numbers, change.b_index, qb) if qb else None
        found.append(
            NumberChange(
                kind=kind,  # type: ignore[arg-type]
                a_index=change.a_index,
                b_index=change.b_index,
                old=qa.text if qa else None,
                new=qb.text if qb else None,
                metric=(qb.metric if qb else None) or (qa.metric if qa else None),
                old_name=written_name(change.a_text or "", qa) if qa else None,
                new_name=written_name(change.b_text or "", qb) if qb else None,
                old_source=sa.source if sa else None,
                new_source=sb.source if sb else None,
                old_figure=sa.figure_id if sa else None,
                new_figure=sb.figure_id if sb else None,
            )
        )

    left_a, left_b = list(old), list(new)
    # The same number on both sides is unchanged, wherever it moved and even where the rewording
    # hid its metric on one side ("超过98%的目标"); the same metric first, then an unknown one,
    # then another metric. Where the words naming it changed (监测数据有效率 → 监测数据率) it is
    # "renamed": a broken name must not hide behind an equal value.
    for same in (_same_metric, _metric_unknown, _any_metric):
        for qa in list(left_a):
            qb = next(
                (qb for qb in left_b if _number_key(qa) == _number_key(qb) and same(qa, qb)), None
            )
            if qb is not None:
                left_a.remove(qa)
                left_b.remove(qb)
                renamed = qa.metric != qb.metric and qa.metric and qb.metric
                if renamed or _renamed(change, qa, qb):
                    record("renamed", qa, qb)
    # What is left changed: paired by metric where both name one, the rest in reading order.
    for qa in list(left_a):
        qb = next((qb for qb in left_b if qa.metric and qb.metric == qa.metric), None)
        if qb is not None:
            left_a.remove(qa)
            left_b.remove(qb)
            record("changed", qa, qb)
    for qa, qb in zip(left_a, left_b, strict=False):
        record("changed", qa, qb)
    for qa in left_a[len(left_b) :]:
        record("removed", qa, None)
    for qb in left_b[len(left_a) :]:
        record("added", None, qb)
    return found


def _same_metric(qa: Quantity, qb: Quantity) -> bool:
    return qa.metric == qb.metric


def _metric_unknown(qa: Quantity, qb: Quantity) -> bool:
    return qa.metric is None or qb.metric is None


def _any_metric(qa: Quantity, qb: Quantity) -> bool:
    return True


def _renamed(change: ParagraphChange, qa: Quantity, qb: Quantity) -> bool:
    """The name's own words changed — not only a word before it (上半年, 全区) came or went, and
    not the whole clause reworded around a number (目标98% → 超过98%的目标)."""
    old = written_name(change.a_text or "", qa)
    new = written_name(change.b_text or "", qb)
    if not (old and new) or old.endswith(new) or new.endswith(old):
        return False
    return SequenceMatcher(None, old, new, autojunk=False).ratio() >= RENAME_RATIO
