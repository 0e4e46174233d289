"""Commands over files: show/validate a figures file, diff two drafts, revise a draft."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from ..periods import Period

from .common import (
    BaseUrlOption,
    DataDirOption,
    DomainOption,
    JsonOption,
    ModelOption,
    WriterOption,
    app,
    emit_json,
    err,
    out,
    settings_for,
)

figures_app = typer.Typer(help="本期数据文件 (CSV/XLSX/YAML): 查看、校验。", no_args_is_help=True)
app.add_typer(figures_app, name="figures")
FiguresFileArgument = Annotated[Path, typer.Argument(help="数据文件 (.csv/.xlsx/.yaml)")]


@figures_app.command("show")
def figures_show_command(
    path: FiguresFileArgument, domain_name: DomainOption = None, as_json: JsonOption = False
) -> None:
    """列出数据文件中的每个指标: 数值、同比、目标及是否完成、来源。"""
    from rich.table import Table

    from ..figures import (
        figure_set_to_dict,
        format_change,
        format_decimal,
        format_value,
        load_figures,
    )

    settings_for(None, domain=domain_name)  # the domain's metrics and topics
    figure_set = load_figures(path)
    if as_json:
        emit_json(figure_set_to_dict(figure_set))
        return
    table = Table(title=f"{path.name} · {figure_set.period or '期间未注明'}", expand=True)
    report = figure_set.period
    own = any(f.period is not None and f.period != report for f in figure_set)
    columns = ("id", "指标", "数值", *(("期间",) if own else ()), "同比", "目标", "完成?", "来源")
    for column in columns:
        table.add_column(column, overflow="fold")
    for figure in figure_set:
        change = figure_set.change(figure.id)
        check = figure_set.target(figure.id)
        change_text = ""
        if change is not None:
            assessment = f" ({change.assessment})" if change.assessment else ""
            change_text = format_change(change) + assessment
        met = ""
        if check is not None:
            met = "[green]是[/]" if check.met else "[red]否[/]"
            if check.completion is not None:
                met += f" 完成率{format_decimal(check.completion)}%"
        value = format_value(figure)
        table.add_row(
            figure.id,
            figure.name,
            f"[yellow]{value}[/]" if figure.missing else value,
            *((_own_period(figure.period, report),) if own else ()),
            change_text,
            f"{figure.target_written}{figure.unit}" if figure.target_written else "",
            met,
            f"{figure.provenance.source}（第{figure.provenance.row}行）",
        )
    out.print(table)
    for warning in figure_set.warnings:
        err.print(f"[yellow]提示[/]: {warning}", highlight=False)


def _own_period(period: Period | None, report: Period | None) -> str:
    """A row's period in `figures show`, where it is not the report's (blank where it is)."""
    return str(period) if period is not None and period != report else ""


@figures_app.command("validate")
def figures_validate_command(
    path: FiguresFileArgument, domain_name: DomainOption = None, as_json: JsonOption = False
) -> None:
    """校验数据文件；有错误时列出每处问题 (文件、行、列、怎么改) 并以非零状态退出。"""
    from ..figures import load_figures

    settings_for(None, domain=domain_name)  # the domain's metrics and topics
    figure_set = load_figures(path)
    missing = [figure.id for figure in figure_set.missing]
    if as_json:
        emit_json(
            {
                "ok": True,
                "file": str(path),
                "sha256": figure_set.sha256,
                "period": str(figure_set.period) if figure_set.period else None,
                "figures": len(figure_set),
                "missing": missing,
                "warnings": list(figure_set.warnings),
            }
        )
        return
    out.print(
        f"[green]✓[/] {path.name}: {len(figure_set)} 个指标，期间 {figure_set.period or '未注明'}"
        + (f"，待补 {len(missing)} 个: {', '.join(missing)}" if missing else "")
    )
    for warning in figure_set.warnings:
        err.print(f"[yellow]提示[/]: {warning}", highlight=False)


_DIFF_KINDS = {
    "changed": "[yellow]修改[/]",
    "added": "[green]新增[/]",
    "removed": "[red]删除[/]",
    "renamed": "[magenta]改名[/]",
}
_SPAN_STYLES = {"delete": "strike red", "insert": "underline green"}


def marked_text(spans: Any) -> Any:
    """A paragraph's change as rich Text: deleted characters struck, inserted underlined."""
    from rich.text import Text

    text = Text()
    for span in spans:
        text.append(span.text, style=_SPAN_STYLES.get(span.op, ""))
    return text


@app.command("diff")
def diff_command(
    a: Annotated[Path, typer.Argument(help="旧版 .docx")],
    b: Annotated[Path, typer.Argument(help="新版 .docx")],
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """逐段比较两版草稿，列出改动的段落和变化的数字及其来源。"""
    from dataclasses import asdict

    from ..diff import diff_files

    result = diff_files(a, b)
    if as_json:
        emit_json({**asdict(result), "summary": result.summary})
        return
    print_diff(result, f"{a.name} → {b.name}")


def print_diff(result: Any, title: str) -> None:
    """A diff as two rich tables: changed paragraphs, then changed numbers with sources."""
    from rich.table import Table

    counts = result.summary
    if result.identical:
        out.print(f"两版相同（{counts['unchanged']} 段）")
        return
    table = Table(title=f"段落变化: {title}", show_lines=True, expand=True)
    for column, ratio in (
        ("", None),
        ("旧段", None),
        ("新段", None),
        ("改动 (删除线=删, 下划线=增)", 8),
    ):
        table.add_column(column, ratio=ratio, overflow="fold")
    for change in result.paragraphs:
        if change.kind == "unchanged":
            continue
        table.add_row(
            _DIFF_KINDS[change.kind],
            "" if change.a_index is None else str(change.a_index),
            "" if change.b_index is None else str(change.b_index),
            marked_text(change.spans),
        )
    out.print(table)
    if result.numbers:
        numbers = Table(title="变化的数字和指标名称", expand=True)
        for column in ("", "指标", "旧值", "旧来源", "新值", "新来源"):
            numbers.add_column(column, overflow="fold")
        for n in result.numbers:
            name = n.metric or ""
            if n.kind == "renamed" or (n.old_name and n.new_name and n.old_name != n.new_name):
                name = f"{n.old_name} → {n.new_name}"
            numbers.add_row(
                _DIFF_KINDS[n.kind],
                name,
                n.old or "",
                n.old_source or ("[red]无来源[/]" if n.old else ""),
                n.new or "",
                n.new_source or ("[red]无来源[/]" if n.new else ""),
            )
        out.print(numbers)
    out.print(
        f"未变 {counts['unchanged']} 段, 修改 {counts['changed']}, 新增 {counts['added']}, "
        f"删除 {counts['removed']}; 数字变化 {counts['numbers']} 处"
    )


@app.command("revise")
def revise_command(
    draft: Annotated[Path, typer.Argument(help="要修改的草稿 .docx")],
    instruction: Annotated[
        str, typer.Option("--instruction", "-i", help="修改意见，如 “再精简一些”")
    ],
    figures: Annotated[Path, typer.Option("--figures", help="本期数据文件 (.csv/.xlsx/.yaml)")],
    output: Annotated[Path, typer.Option("--out", help="输出的 .docx (修订模式)")],
    section: Annotated[
        str | None, typer.Option("--section", help="只改这一节 (标题中的文字)")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="单位名称 (默认从标题识别)")] = None,
    writer: WriterOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    data_dir: DataDirOption = None,
    domain_name: DomainOption = None,
    as_json: JsonOption = False,
) -> None:
    """按修改意见改写草稿，以 Word 修订 (插入/删除) 写出，数字重新渲染并核对，批注保留。"""
    from rich.table import Table

    from ..check import finding_to_dict
    from ..revise import revise_file

    settings = settings_for(
        data_dir, writer=writer, model=model, base_url=base_url, domain=domain_name
    )
    report = revise_file(draft, instruction, figures, output, settings, section=section, unit=unit)
    revision = report.revision
    if as_json:
        emit_json(
            {
                "source": str(report.source),
                "output": str(report.output) if report.written else None,
                "clean": str(report.clean) if report.clean else None,
                "changed": [{"paragraph": i, "text": revision.texts[i]} for i in revision.changed],
                "flagged": revision.flagged,
                "notes": revision.notes,
                "added_comments": report.added_comments,
                "writer": revision.writer,
                "model": revision.model,
                "prompts": revision.prompts,
                "findings": [finding_to_dict(f) for f in revision.findings],
            }
        )
        return
    if not report.written:
        for note in revision.notes:
            err.print(f"[yellow]提示[/]: {note}", highlight=False)
        out.print(f"没有修改，未写出 {output}")
        return
    table = Table(title=f"修订: {draft.name} → {output.name}", show_lines=True, expand=True)
    table.add_column("段", no_wrap=True)
    table.add_column("修改后", overflow="fold")
    for index in revision.changed:
        table.add_row(str(index), revision.texts[index])
    out.print(table)
    for note in revision.notes:
        err.print(f"[yellow]提示[/]: {note}", highlight=False)
    if revision.flagged:
        err.print(f"[red]未能对应数据、已标〔待核〕的数字[/]: {'、'.join(revision.flagged)}")
    problems = [f for f in revision.findings if f.kind != "ok"]
    out.print(
        f"修改 {len(revision.changed)} 段，新增批注 {report.added_comments} 条；"
        f"核对: 问题 {len(problems)} 处 → {output} (修订稿)，{report.clean} (清稿)"
    )
