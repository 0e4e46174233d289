"""The check command: every number of a draft against the figures, as a table or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from ..types import FINDING_LABELS
from .common import (
    DataDirOption,
    DomainOption,
    ItemsOption,
    JsonOption,
    app,
    emit_json,
    out,
    settings_for,
)

if TYPE_CHECKING:
    from rich.table import Table

    from ..types import Finding

_CHECK_COLOURS = {
    "ok": "green",
    "mismatch": "bold red",
    "unit": "magenta",
    "direction": "red",
    "unsourced": "yellow",
    "stale": "red",
    "placeholder": "cyan",
    "period": "red",
    "foreign": "red",
    "name": "bold red",
    "comment": "magenta",
    "uncommented": "yellow",
    "slot": "cyan",
    "item": "bold red",
}
_CHECK_KINDS = {
    kind: f"[{colour}]{FINDING_LABELS[kind]}[/]" for kind, colour in _CHECK_COLOURS.items()
}


@app.command("check")
def check_command(
    draft: Annotated[Path, typer.Argument(help="草稿 (.docx/.md/.txt)")],
    figures: Annotated[Path, typer.Option("--figures", help="本期数据文件 (.csv/.xlsx/.yaml)")],
    annotate: Annotated[
        Path | None, typer.Option("--annotate", help="另存一份带批注的 .docx (仅 .docx 草稿)")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="一致的数字也列出 (并在 --annotate 中加批注)")
    ] = False,
    sidecar: Annotated[
        Path | None, typer.Option("--sidecar", help="溯源 .json (默认自动找 <文件名>.json)")
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="本单位名称 (默认取溯源 .json 或数据表中的单位)")
    ] = None,
    items: ItemsOption = None,
    data_dir: DataDirOption = None,
    domain_name: DomainOption = None,
    as_json: JsonOption = False,
) -> None:
    """核对草稿中的每个数字: 与本期数据一致、数值/单位/方向错误、无出处、沿用上年数、待补、
    期间不符 (句中说的期间不是数据的期间)，以及外单位名称 (不在本单位辖区的地名)。

    退出码: 0 全部一致; 1 有问题; 2 输入有误。
    """
    from ..check import check_draft, report_to_dict

    settings = settings_for(data_dir, domain=domain_name, items=items)  # the domain's words
    report = check_draft(
        draft,
        figures,
        sidecar=sidecar,
        annotate=annotate,
        include_ok=show_all,
        unit=unit,
        items=settings.items,
    )
    if as_json:
        emit_json(report_to_dict(report))
    else:
        shown = report.findings if show_all else report.problems
        if shown:
            out.print(_check_table(shown, f"数字核对: {draft.name}", out.width))
        counts = report.summary
        parts = [f"{name} {counts[kind]}" for kind, name in FINDING_LABELS.items() if counts[kind]]
        verdict = "[green]全部一致[/]" if report.ok else "[red]有问题[/]"
        if report.unstated:  # before the verdict, which stays the last line
            names = report.unstated_names
            named = "、".join(names[:12]) + ("…" if len(names) > 12 else "")
            out.print(f"数据文件中文内未提及的指标 {len(report.unstated)} 个: {named}")
        out.print(f"{verdict}: 数字 {counts['total']} 处 — " + ("，".join(parts) or "无数字"))
        if annotate is not None:
            out.print(f"批注已写入 {annotate}")
    if not report.ok:
        raise typer.Exit(code=1)


def _check_table(findings: Sequence[Finding], title: str, width: int) -> Table:
    """Readable down to 80 columns: the number, what it should be and the figure id stay whole
    on their lines; the message wraps and the context under it is cut with … to one line.
    Below WIDE_TABLE columns the expected value goes under the written one, saving a column."""
    from rich.cells import cell_len
    from rich.table import Table

    wide = width >= WIDE_TABLE
    table = Table(title=title, show_lines=True, expand=True, padding=(0, 1))
    table.add_column("结果", no_wrap=True)
    table.add_column("文中", no_wrap=True)
    if wide:
        table.add_column("应为", no_wrap=True)
    table.add_column("数据 / 段", overflow="fold", max_width=24 if wide else 14)
    table.add_column("说明 / 上下文", overflow="fold", ratio=1)
    cap = 24 if wide else 14
    columns = [
        [FINDING_LABELS[f.kind] for f in findings],
        [
            f.value if wide else max(f.value, f"→ {f.expected or ''}", key=cell_len)
            for f in findings
        ],
        [f.expected or "" for f in findings] if wide else None,
        [min(cap, max(cell_len(_figure_label(f)), 4)) * " " for f in findings],
    ]
    # each column: its text, 2 of padding, 1 of border; then the last column's own and the edge
    fixed = sum(3 + max(map(cell_len, column)) for column in columns if column) + 4
    room = max(10, width - fixed)
    for f in findings:
        number = Text(f.value)
        if f.expected and not wide:
            number.append("\n→ " + f.expected, style="bold")
        figure = _figure_label(f)
        where = f"{figure}\n第{f.block}段" if figure else f"第{f.block}段"
        about = Text(f.message)
        if f.context:
            near = _near(f.context, f.value, before=min(8, room // 3))
            about.append("\n" + _cut(near, room), style="dim")
        cells = [_CHECK_KINDS[f.kind], number]
        if wide:
            cells.append(Text(f.expected or ""))
        table.add_row(*cells, Text(where), about)
    return table


WIDE_TABLE = 110  # terminal columns from which 应为 gets a column of its own


def _figure_label(f: Finding) -> str:
    if not f.figure_id:
        return ""
    return f"{f.figure_id}{'' if f.field in (None, 'value') else '.' + f.field}"


def _near(context: str, value: str, before: int = 8) -> str:
    """The context from a few characters before the number, so a cut end still shows it."""
    at = context.find(value)
    return context if at <= before else "…" + context[at - before :]


def _cut(text: str, cells: int) -> str:
    """``text`` in at most ``cells`` terminal cells, ending in … when cut."""
    from rich.cells import cell_len, set_cell_size

    return text if cell_len(text) <= cells else set_cell_size(text, cells - 1) + "…"
