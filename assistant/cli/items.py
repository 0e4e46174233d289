"""The items command: the 科室 material found, each item with its 科室, topic, part, period and
numbers, and what must be settled before drafting (out of period, conflicts, duplicates)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import DomainOption, JsonOption, app, emit_json, out, settings_for

items_app = typer.Typer(help="科室材料 (笔记和事项表): 查看读到的事项。", no_args_is_help=True)
app.add_typer(items_app, name="items")

_KIND_LABELS = {"period": "不在本期", "conflict": "与数据表不符", "duplicate": "重复"}


@items_app.command("show")
def items_show_command(
    items: Annotated[
        Path, typer.Option("--items", help="科室材料: 文件夹或文件 (.docx/.txt/.md、.csv/.xlsx)")
    ],
    figures: Annotated[
        Path | None,
        typer.Option("--figures", help="本期数据文件: 核对事项中的数字，并读其“事项”工作表"),
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="期间，默认取数据文件的期间，如 2025年上半年")
    ] = None,
    domain_name: DomainOption = None,
    as_json: JsonOption = False,
) -> None:
    """列出科室材料中的每条事项: 科室、主题、部分 (总结/计划/问题)、期间、其中的数字，以及
    不在本期、与数据表不符、重复的事项。"""
    from rich.table import Table

    from ..items import items_to_dict, read_material_set

    settings_for(None, domain=domain_name)  # the domain's topics and 科室 names
    item_set = read_material_set(items, figures, period)
    if as_json:
        emit_json(items_to_dict(item_set))
        return
    data = items_to_dict(item_set)
    title = f"科室材料 · {item_set.period or '期间未注明'} · {len(item_set)} 条可用"
    table = Table(title=title, expand=True)
    # the id names the 科室 (水科-68c3) and stays on one line: what a chat or a mark cites
    table.add_column("科室-编号", no_wrap=True)
    for column in ("主题", "部分", "期间", "事项", "数字", "说明"):
        table.add_column(column, overflow="fold", ratio=4 if column == "事项" else 1)
    held = {p.item_id: _KIND_LABELS[p.kind] for p in item_set.problems if p.kind != "duplicate"}
    for item in data["items"]:
        numbers = "、".join(n["text"] for n in item["numbers"])
        if not item["used"]:
            remark = f"[red]未使用：{held.get(item['id'], '')}[/]"
        else:
            remark = f"[yellow]合并了 {'、'.join(item['also'])}[/]" if item["also"] else ""
        table.add_row(
            item["id"],
            item["topic"],
            item["part"],
            item["period"] or "",
            item["text"],
            numbers,
            remark,
        )
    out.print(table)
    for problem in item_set.problems:
        colour = "yellow" if problem.kind == "duplicate" else "red"
        out.print(f"[{colour}]{_KIND_LABELS[problem.kind]}[/]: {problem.message}", highlight=False)
