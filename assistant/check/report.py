"""Output: findings as JSON, and a .docx annotated with a comment on each finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError
from ..types import FINDING_LABELS, CheckReport, Finding, Mark
from .document import check_file

ANNOTATION_AUTHOR = "起草助手·数据核对"


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "value": finding.value,
        "unit": finding.unit,
        "figure_id": finding.figure_id,
        "field": finding.field,
        "expected": finding.expected,
        "paragraph": finding.block,
        "start": finding.start,
        "end": finding.end,
        "context": finding.context,
        "message": finding.message,
        "source": finding.source,
        "matched_by": finding.matched_by,
    }


def report_to_dict(report: CheckReport) -> dict[str, Any]:
    """{"findings": [...], "summary": {counts by kind, total, all_ok, draft, figures}}."""
    summary: dict[str, Any] = dict(report.summary)
    summary["all_ok"] = report.ok
    summary["draft"] = str(report.path) if report.path else None
    summary["figures"] = report.figures_file or None
    summary["figures_sha256"] = report.figures_sha256 or None
    summary["unstated"] = list(report.unstated)
    return {"findings": [finding_to_dict(f) for f in report.findings], "summary": summary}


def annotation_text(finding: Finding) -> str:
    """The Word comment for one finding: verdict, figure, expected value, source, message."""
    lines = [f"核对：{FINDING_LABELS[finding.kind]}"]
    if finding.figure_id:
        suffix = "" if finding.field in (None, "value") else f".{finding.field}"
        lines.append(f"数据：{finding.figure_id}{suffix}")
    if finding.expected:
        lines.append(f"应为：{finding.expected}")
    if finding.source:
        lines.append(f"来源：{finding.source}")
    lines.append(finding.message)
    return "\n".join(lines)


def annotate_report(src: Path, dst: Path, report: CheckReport, *, include_ok: bool = False) -> int:
    """Write a copy of ``src`` with a comment on every finding (ok ones too with include_ok).

    Returns how many comments were added.
    """
    from ..word import annotate

    if Path(src).suffix.lower() != ".docx":
        raise InputError(
            "只能给 .docx 文件加批注", path=str(src), hint="去掉 --annotate，或检查 .docx 文件"
        )
    if Path(dst).suffix.lower() != ".docx":
        raise InputError("批注输出文件应以 .docx 结尾", path=str(dst))
    marks: dict[int, list[Mark]] = {}
    count = 0
    for finding in report.findings:
        if finding.kind == "ok" and not include_ok:
            continue
        if finding.end <= finding.start:
            continue
        marks.setdefault(finding.block, []).append(
            Mark(finding.start, finding.end, comment=annotation_text(finding), highlight=False)
        )
        count += 1
    annotate(Path(src), Path(dst), marks, author=ANNOTATION_AUTHOR)
    return count


def check_draft(
    draft: str | Path,
    figures: str | Path,
    *,
    sidecar: Path | None = None,
    annotate: Path | None = None,
    include_ok: bool = False,
    unit: str | None = None,
    items: Path | None = None,
) -> CheckReport:
    """Load the figures (and the 科室 material's numbers, with ``items``), check the draft and,
    when asked, write the annotated copy (the CLI)."""
    from ..figures import load_figures
    from ..items import load_items, with_items

    if annotate is not None and Path(draft).suffix.lower() != ".docx":
        raise InputError("--annotate 只适用于 .docx 草稿", path=str(draft), hint="去掉 --annotate")
    figure_set = load_figures(figures)
    if items is not None:
        figure_set = with_items(figure_set, load_items(items, figure_set))
    report = check_file(draft, figure_set, sidecar=sidecar, unit=unit)
    if annotate is not None:
        annotate_report(Path(draft), Path(annotate), report, include_ok=include_ok)
    return report
