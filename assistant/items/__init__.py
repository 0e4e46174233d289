"""科室 material as a second sourced input: what the bureau did in the period, beyond the numbers.

``load_items`` reads a folder (or file) of material — notes (.docx/.txt/.md, one file per 科室,
the 科室 from a first line 科室：… or the file name) and 事项 tables (.csv/.xlsx with columns 科室,
主题, 事项, 完成情况, 时间, 来源), plus a sheet named 事项 in the figures workbook — cuts it into
one-fact items (assistant.items.split), labels them by part, topic and period like the corpus,
and turns every number inside an item into a figure sourced to the item (assistant.items.facts).
What must be settled before drafting comes back as problems, never silently resolved: an item
dated outside the period and one whose number the figures file contradicts are held back (not
drafted), a fact two notes wrote is merged. ``with_items`` adds the usable items' figures to a
FigureSet, so rendering, provenance and the checker treat them like the file's.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..periods import Period, parse_period
from ..types import Figure, FigureSet, Item, ItemProblem, ItemSet
from .facts import (
    ID_PREFIX,
    ItemNumber,
    conflicts,
    figure_prefix,
    item_numbers,
    merge_duplicates,
    numbers_of,
    same_fact,
)
from .read import (
    COLUMNS,
    ITEMS_SHEET,
    Entry,
    material_files,
    material_sha256,
    office_in,
    read_material,
    workbook_items,
)
from .split import label, part_of, pieces, topic_of

__all__ = [
    "COLUMNS",
    "ID_PREFIX",
    "ITEMS_SHEET",
    "Entry",
    "ItemNumber",
    "figure_prefix",
    "item_numbers",
    "items_to_dict",
    "load_items",
    "material_sha256",
    "numbers_of",
    "office_in",
    "part_of",
    "read_material_set",
    "same_fact",
    "topic_of",
    "with_items",
]


def _report(period: Period | str | None, figure_set: FigureSet | None) -> Period | None:
    if isinstance(period, str):
        return parse_period(period)
    return period or (figure_set.period if figure_set is not None else None)


def load_items(
    path: Path | None,
    figure_set: FigureSet | None = None,
    period: Period | str | None = None,
) -> ItemSet:
    """The items of the material at ``path`` (a folder or one file; None: only the figures
    workbook's 事项 sheet) for the report ``period`` (default: the figures file's), checked
    against ``figure_set`` when given. Raises InputError for a file that cannot be read."""
    report = _report(period, figure_set)
    files = material_files(Path(path)) if path is not None else []
    entries: list[Entry] = []
    for file in files:
        entries.extend(read_material(file))
    if figure_set is not None:
        entries.extend(workbook_items(figure_set.path))
    if path is not None and not entries:
        raise InputError(
            "科室材料中没有读到任何事项",
            path=str(path),
            hint="放入各科室的 .docx/.txt/.md 材料，或含“事项”列的 .csv/.xlsx 事项表",
        )
    found = [piece for entry in entries for piece in pieces(entry)]
    labelled, problems = label(found, report)
    sheets = {(p.entry.file, p.entry.row): p.entry.sheet for p in found}
    figures: dict[str, list[ItemNumber]] = {}
    numbered: list[Item] = []
    for item in labelled:
        numbers = item_numbers(item, report, sheets.get((item.file, item.row)))
        figures[item.id] = numbers
        numbered.append(replace(item, figure_ids=tuple(n.figure.id for n in numbers)))
    if figure_set is not None:
        for item in numbered:
            problems += conflicts(item, figures[item.id], figure_set)
    merged, duplicates = merge_duplicates(numbered)
    held_ids = {p.item_id for p in problems}
    return ItemSet(
        items=tuple(i for i in merged if i.id not in held_ids),
        held=tuple(i for i in merged if i.id in held_ids),
        figures=tuple(n.figure for i in merged for n in figures[i.id]),
        problems=tuple(problems + duplicates),
        files=tuple(dict.fromkeys([str(f) for f in files] + [e.file for e in entries])),
        period=report,
        path=str(Path(path).resolve()) if path is not None else "",
        sha256=material_sha256(Path(path)) if path is not None else "",
    )


def read_material_set(
    items: Path, figures: Path | None = None, period: str | None = None
) -> ItemSet:
    """The items of ``items`` checked against the figures file at ``figures`` (when given) for
    ``period`` (default: the figures file's): what `assistant items show` lists."""
    from ..figures import load_figures

    figure_set = load_figures(figures) if figures is not None else None
    return load_items(items, figure_set, period)


def with_items(figure_set: FigureSet, item_set: ItemSet) -> FigureSet:
    """The figure set with the usable items' figures added (a held item's numbers are not)."""
    usable = {figure_id for item in item_set.items for figure_id in item.figure_ids}
    added = tuple(f for f in item_set.figures if f.id in usable)
    clash = sorted(set(figure_set.ids) & {f.id for f in added})
    if clash:
        raise InputError(
            f"数据文件的 id 与事项数字的 id 重复：{'、'.join(clash)}",
            path=str(figure_set.path),
            hint=f"数据文件的 id 不要以 {ID_PREFIX} 开头",
        )
    return replace(figure_set, figures=figure_set.figures + added)


def _item_dict(item: Item, figures: dict[str, Figure], used: bool) -> dict[str, Any]:
    return {
        "id": item.id,
        "office": item.office,
        "text": item.text,
        "topic": item.topic,
        "part": item.part,
        "period": item.period,
        "file": item.file,
        "row": item.row,
        "line": item.line,
        "status": item.status,
        "source": item.source,
        "also": list(item.also),
        "used": used,
        "numbers": [
            {"figure_id": f, "text": figures[f].written + figures[f].unit, "name": figures[f].name}
            for f in item.figure_ids
            if f in figures
        ],
    }


def _problem_dict(problem: ItemProblem) -> dict[str, Any]:
    return {
        "kind": problem.kind,
        "message": problem.message,
        "file": problem.file,
        "item": problem.item_id,
        "row": problem.row,
        "figure_id": problem.figure_id,
    }


def items_to_dict(item_set: ItemSet) -> dict[str, Any]:
    """A JSON-ready view of an item set (for --json and the chat)."""
    figures = {f.id: f for f in item_set.figures}
    return {
        "period": str(item_set.period) if item_set.period else None,
        "files": list(item_set.files),
        "items": [_item_dict(i, figures, True) for i in item_set.items]
        + [_item_dict(i, figures, False) for i in item_set.held],
        "problems": [_problem_dict(p) for p in item_set.problems],
    }
