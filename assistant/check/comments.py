"""What an editor's hands can do to a sourced .docx that the numbers alone do not show: a number
that lost its comment, a comment that no longer matches the text it sits on, and a number whose
metric name was broken while its value stayed (监测数据有效率99.1% → 监测数据率99.1%)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..diff import written_name
from ..metrics import find_metric
from ..numbers import extract_numbers
from ..render import parse_comment
from ..types import Citation, FigureSet, Finding

_RECORDED = re.compile(r"^数值：(.*)$", re.M)


def comment_findings(texts: Sequence[str], refs: Sequence[Any]) -> list[Finding]:
    """Our comments whose recorded 数值 is not the text they are anchored on (the editor changed
    the number, or moved the comment): kind ``comment``."""
    found = []
    for ref in refs:
        recorded = _RECORDED.search(ref.text)
        if parse_comment(ref.text) is None or recorded is None:
            continue
        written = recorded.group(1).strip()
        if written and written != ref.anchored_text.strip():
            text = texts[ref.block_index]
            found.append(
                Finding(
                    kind="comment",
                    value=ref.anchored_text,
                    block=ref.block_index,
                    start=ref.start,
                    end=ref.end,
                    context=text[max(0, ref.start - 12) : ref.end + 12],
                    message=f"批注记录的数值是“{written}”，正文此处是“{ref.anchored_text}”",
                    expected=written,
                    matched_by="comment",
                )
            )
    return found


def uncommented_findings(
    texts: Sequence[str],
    findings: Sequence[Finding],
    commented: Sequence[tuple[int, int, int]],
    recorded: Sequence[Citation],
) -> list[Finding]:
    """Numbers the draft cited (its sidecar says so, or the document comments its other numbers
    and this one matches a figure) that carry no comment now: kind ``uncommented``."""
    if not commented and not recorded:
        return []

    def has_comment(block: int, start: int, end: int) -> bool:
        return any(b == block and s < end and start < e for b, s, e in commented)

    spans = {(c.block, c.start, c.end): c.figure_id for c in recorded}
    if commented:  # our document: every number it ties to a figure should say where from
        spans.update(
            {
                (f.block, f.start, f.end): f.figure_id
                for f in findings
                if f.figure_id and f.matched_by == "context" and f.kind == "ok"
            }
        )
    found = []
    for (block, start, end), figure_id in sorted(spans.items()):
        if has_comment(block, start, end):
            continue
        text = texts[block]
        found.append(
            Finding(
                kind="uncommented",
                value=text[start:end],
                block=block,
                start=start,
                end=end,
                context=text[max(0, start - 12) : end + 12],
                message=f"引用数据“{figure_id}”的数字没有来源批注（批注被删除或数字是后加的）",
                figure_id=figure_id,
            )
        )
    return found


def renamed_findings(
    texts: Sequence[str], findings: Sequence[Finding], figure_set: FigureSet
) -> list[Finding]:
    """A cited number whose name was cut inside (监测数据有效率 → 监测数据率: what is written is
    the figure's name with characters taken out of its middle, and reads as no name of its
    metric) becomes kind ``name``, whatever its value says."""
    result = []
    for finding in findings:
        figure = figure_set.get(finding.figure_id) if finding.figure_id else None
        if figure is None or finding.matched_by not in ("comment", "provenance"):
            result.append(finding)
            continue
        text = texts[finding.block]
        quantity = next(
            (q for q in extract_numbers(text) if q.start < finding.end and finding.start < q.end),
            None,
        )
        metric = find_metric(figure.name)
        names = {figure.name, *(metric.names if metric else ())}
        written = written_name(text, quantity) if quantity is not None else ""
        known = metric is not None and quantity is not None and quantity.metric == metric.name
        cut = None if known else next((n for n in names if _cut_from(written, n)), None)
        if cut is None:
            result.append(finding)
            continue
        result.append(
            replace(
                finding,
                kind="name",
                message=f"指标名称不完整：正文写“{written}”，数字引用的是“{cut}”",
                expected=cut,
            )
        )
    return result


def _cut_from(written: str, name: str) -> bool:
    """Does ``written`` end in ``name`` with characters missing from inside it?"""
    if not written or name in written or len(name) < 3:
        return False
    for start in range(len(written) - 2):
        tail = written[start:]
        if tail[-1] == name[-1] and tail[0] == name[0] and _subsequence(tail, name):
            return tail not in name
    return False


def _subsequence(short: str, long: str) -> bool:
    characters = iter(long)
    return all(char in characters for char in short)
