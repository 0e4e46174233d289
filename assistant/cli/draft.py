"""The draft command: a whole document or one section, with progress and a summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import (
    BaseUrlOption,
    ChromaUrlOption,
    DataDirOption,
    DomainOption,
    ItemsOption,
    JsonOption,
    ModelOption,
    WriterOption,
    _progress_lines,
    app,
    emit_json,
    err,
    out,
    settings_for,
)

if TYPE_CHECKING:
    from ..draft import DraftRequest
    from ..settings import Settings


@app.command("draft")
def draft_command(
    figures: Annotated[Path, typer.Option("--figures", help="本期数据文件 (.csv/.xlsx/.yaml)")],
    period: Annotated[
        str, typer.Option("--period", help="期间: 2025年上半年 / 2025年一季度 / 2025年 …")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="输出目录")] = Path("out"),
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="单位名称，默认取数据文件、设置 unit 或语料库中的单位"),
    ] = None,
    section: Annotated[
        str | None, typer.Option("--section", help="只起草一节：主题名或节名")
    ] = None,
    part: Annotated[str, typer.Option("--part", help="总结|计划|问题|开头|全部")] = "全部",
    outline: Annotated[
        Path | None, typer.Option("--outline", help="提纲文件 (每行一个标题)")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="half-year|annual|quarter，默认由期间判断")
    ] = None,
    writer: WriterOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    stem: Annotated[str | None, typer.Option("--stem", help="输出文件名 (不含扩展名)")] = None,
    dated: Annotated[
        str | None, typer.Option("--date", help="成文日期，如 2026-12-01 (默认当天)")
    ] = None,
    doc_number: Annotated[
        str, typer.Option("--doc-number", help="发文字号，如 示环〔2026〕12号 (默认不加)")
    ] = "",
    items: ItemsOption = None,
    chroma_url: ChromaUrlOption = None,
    data_dir: DataDirOption = None,
    domain_name: DomainOption = None,
    as_json: JsonOption = False,
) -> None:
    """起草工作总结/计划 (全文或一节)：输出 .docx (公文格式，数字带批注)、.md 和溯源 .json。"""
    from ..draft import DraftRequest
    from ..signoff import parse_date

    settings = settings_for(
        data_dir,
        chroma_url=chroma_url,
        writer=writer,
        model=model,
        base_url=base_url,
        domain=domain_name,
        items=items,
    )
    day = parse_date(dated) if dated else None
    request = DraftRequest(
        figures,
        unit or "",
        period,
        kind,
        section,
        part,
        outline,
        writer,
        day,
        doc_number,
        settings.items,
    )
    report = _draft_with_progress(request, settings, out_dir, stem, as_json)
    if as_json:
        emit_json(report)
        return
    _print_summary(report)


def _draft_with_progress(
    request: DraftRequest, settings: Settings, out_dir: Path, stem: str | None, as_json: bool
) -> dict[str, Any]:
    """Write the draft with a progress bar (and plain progress lines off a terminal), the
    writer's text shown as it streams; the summary of the result."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress

    from ..draft import make_draft, summary

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task("起草", total=None)
        lines = _progress_lines("起草", settings)
        pending: list[str] = []

        def progress(done: int, total: int, heading: str) -> None:
            bar.update(task, completed=done, total=total, description=heading or "完成")
            if lines is not None:
                lines.update(done, total, heading)
            if heading and not as_json:
                bar.console.print(f"[bold]{heading}[/]", highlight=False)

        def on_token(text: str) -> None:  # whole lines only, so the bar redraws cleanly
            pending.append(text)
            joined = "".join(pending)
            if "\n" in joined:
                lines, _, rest = joined.rpartition("\n")
                bar.console.print(lines, highlight=False, markup=False)
                pending[:] = [rest] if rest else []

        result = make_draft(
            request,
            settings,
            out_dir,
            stem=stem,
            on_token=None if as_json else on_token,
            progress=progress,
        )
    return summary(result)


def _print_summary(report: dict[str, Any]) -> None:
    """The sections table, the check's verdict, the files written and the notes."""
    from rich.table import Table

    table = Table(title=report["title"])
    for column in ("部分", "段落", "引用数字", "待补/待核"):
        table.add_column(column)
    for item in report["sections"]:
        marks = str(item["placeholders"]) if item["placeholders"] else ""
        table.add_row(item["heading"], str(item["paragraphs"]), str(item["numbers"]), marks)
    out.print(table)
    check = report["check"]
    verdict = "[green]通过[/]" if check["passed"] else "[red]未通过[/]"
    out.print(
        f"核对: {verdict} (一致 {check['ok']}, 待补/待核 {check['placeholder']}, "
        f"不一致 {check['mismatch'] + check['unit'] + check['direction']}, "
        f"无出处 {check['unsourced']}, 旧数 {check['stale']}); "
        f"写法: {report['writer']}{' · ' + report['model'] if report['model'] else ''}",
        highlight=False,
    )
    for path in report["files"].values():
        out.print(f"  {path}", highlight=False)
    for note in report["notes"]:
        err.print(f"[yellow]提示[/]: {note}", highlight=False)
