"""Output: findings as JSON, and a .docx annotated with a comment on each finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError
from ..types import FINDING_LABELS, CheckReport, Draft, FigureSet, Finding, Mark
from .document import check_file, sidecar_of

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
    summary["unstated_names"] = list(report.unstated_names)
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
    """Load the figures and the 科室 material's numbers (``items``, else the material the draft's
    sidecar records), check the draft and, when asked, write the annotated copy (the CLI)."""
    from ..figures import load_figures
    from ..items import load_items, with_items

    if annotate is not None and Path(draft).suffix.lower() != ".docx":
        raise InputError("--annotate 只适用于 .docx 草稿", path=str(draft), hint="去掉 --annotate")
    figure_set = load_figures(figures)
    record = sidecar_of(Path(draft), sidecar) if Path(draft).is_file() else None
    if items is not None:
        figure_set = with_items(figure_set, load_items(items, figure_set))
    elif record is not None:
        figure_set = with_material(figure_set, record.draft())
    report = check_file(draft, figure_set, sidecar=sidecar, unit=unit)
    if annotate is not None:
        annotate_report(Path(draft), Path(annotate), report, include_ok=include_ok)
    return report


def with_material(figure_set: FigureSet, draft: Draft) -> FigureSet:
    """The figures with the numbers of the 科室 material ``draft`` was written from (as its
    sidecar records it: recorded_material; none, or the figures workbook's 事项 sheet)."""
    from ..items import load_items, with_items

    if not draft.items:
        return figure_set
    return with_items(figure_set, load_items(recorded_material(draft), figure_set))


def recorded_material(draft: Draft) -> Path | None:
    """The 科室 material a draft was written from, where its sidecar says it was (None: the
    figures workbook's 事项 sheet); an InputError when it is no longer there or has changed
    since, naming what to do."""
    from ..items import material_sha256

    where = draft.items_path
    if not where:
        return None
    path = Path(where)
    if not path.exists():
        raise InputError(
            "找不到起草时用的科室材料（溯源 .json 记录的位置已没有这些文件）",
            path=where,
            hint="材料移动过的话，核对时用 --items 指明它现在的位置；或用现有的材料重新起草",
        )
    if draft.items_sha256 and material_sha256(path) != draft.items_sha256:
        raise InputError(
            "科室材料在起草后改动过，事项中的数字可能已不是草稿所据的",
            path=where,
            hint="用 --items 指明要据以核对的材料（按现在的材料核对），或用现在的材料重新起草",
        )
    return path
