"""Reading a figures file (CSV, XLSX, YAML) into header-mapped rows, collecting problems."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import yaml

from ..errors import InputError
from ..types import places_of

HEADER_SCAN_ROWS = 30  # how far down a sheet we look for the header row

# field → accepted header spellings (Chinese first, then English)
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号"),
    "name": ("指标", "指标名称", "name"),
    "value": ("数值", "value"),
    "unit": ("单位", "unit"),
    "period": ("期间", "period"),
    "previous": ("上年同期", "previous"),
    "target": ("目标", "target"),
    "scope": ("范围", "scope"),
    "source": ("来源", "source"),
    "note": ("备注", "note"),
    "topic": ("主题", "topic"),
    "better": ("方向", "better"),
    "sum": ("合计", "sum"),
    "decimals": ("小数位", "decimals"),
}
_HEADER_LOOKUP = {spelling.lower(): key for key, names in COLUMNS.items() for spelling in names}
_REQUIRED_HEADERS = ("id", "name", "value")


class _Row(NamedTuple):
    """One row under the header: its number and each column's text as written ("" when empty
    or when the file has no such column), in COLUMNS' order. A tuple: one per row of a large
    file, its cells read by name without a dict."""

    number: int  # the row a person sees (1-based), or the YAML item number
    id: str
    name: str
    value: str
    unit: str
    period: str
    previous: str
    target: str
    scope: str
    source: str
    note: str
    topic: str
    better: str
    sum: str
    decimals: str


assert _Row._fields[1:] == tuple(COLUMNS)  # the cells in COLUMNS' order
_new_row = tuple.__new__  # _Row(...) without its Python-level __new__: one per row


@dataclass
class _Table:
    rows: list[_Row]
    headers: dict[str, str]  # field → the header as written, for messages
    sheet: str | None = None
    period: str | None = None
    organisation: str | None = None
    formula_free: bool = False  # its reader saw none of = + - @: no cell starts like a formula


class _Problems:
    """Collects every problem of a file so the user fixes them all in one go."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []
        self.places: list[tuple[int | None, str | None]] = []
        self.warnings: list[str] = []

    def error(self, row: int | None, column: str | None, what: str, todo: str) -> None:
        self.errors.append(self._line(row, column, what, todo))
        self.places.append((row, column))

    def warn(self, row: int | None, column: str | None, what: str, todo: str) -> None:
        self.warnings.append(f"{self.path}: {self._line(row, column, what, todo)}")

    @staticmethod
    def _line(row: int | None, column: str | None, what: str, todo: str) -> str:
        where = "，".join(
            part
            for part in (f"第{row}行" if row else "", f"列“{column}”" if column else "")
            if part
        )
        return f"{where + '：' if where else ''}{what} → {todo}"

    def extend(self, other: _Problems) -> None:
        """Add another collection's problems after these."""
        self.errors += other.errors
        self.places += other.places
        self.warnings += other.warnings

    def raise_if_any(self) -> None:
        if self.errors:
            self.fail()

    def fail(self) -> NoReturn:
        count = len(self.errors)
        listing = "\n".join(f"  - {line}" for line in self.errors)
        row, column = self.places[0] if count == 1 else (None, None)  # one place, say it apart
        raise InputError(
            f"数据文件有{count}处问题，未载入任何数据：\n{listing}",
            path=str(self.path),
            row=row,
            column=column,
            hint="按上面每一条修改文件后重新载入。",
        )


def _cell_text(value: Any, number_format: str | None = None) -> str:
    """A cell as the text a person sees: numbers without float noise, format places kept."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float | int | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number == number.to_integral_value() and isinstance(value, float):
            number = number.quantize(Decimal(1))
        shown = re.fullmatch(r"[#0,]*0\.(0+)%?", number_format or "")
        if shown and places_of(format(number, "f")) < len(shown.group(1)):
            number = number.quantize(Decimal(1).scaleb(-len(shown.group(1))))
        return format(number, "f")
    return str(value).strip()


def _header_fields(cells: list[str]) -> dict[int, str]:
    fields: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = _HEADER_LOOKUP.get(cell.strip().lower())
        if key is not None and key not in fields.values():
            fields[index] = key
    return fields


def _table_from_grid(
    grid: Iterable[tuple[int, list[str]]], sheet: str | None = None
) -> _Table | None:
    """Find the header row (the first with id, 指标 and 数值 columns) and read rows under it."""
    headers: dict[str, str] | None = None
    last = 0
    pick: Callable[[list[str]], tuple[str, ...]] = tuple
    for number, cells in grid:
        if headers is None:
            found = _header_fields(cells)
            if all(key in found.values() for key in _REQUIRED_HEADERS):
                headers = {key: cells[index].strip() for index, key in found.items()}
                last = max(found)
                where = {key: index for index, key in found.items()}
                pick = itemgetter(*(where.get(key, -1) for key in COLUMNS))  # -1: a "" added
                rows: list[_Row] = []
            elif number >= HEADER_SCAN_ROWS:
                return None
            continue
        if not (cells and cells[0].strip()) and not "".join(cells).strip():
            continue  # a blank line (the first cell settles it for most rows)
        cells = cells + [""] * (last + 2 - len(cells)) if len(cells) <= last else [*cells, ""]
        rows.append(_new_row(_Row, (number, *map(str.strip, pick(cells)))))
    if headers is None:
        return None
    return _Table(rows, headers, sheet=sheet)


def csv_text(data: bytes) -> str | None:
    """A CSV file's text (UTF-8 with or without BOM, else GBK); None when it is neither."""
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def csv_records(data: bytes) -> list[list[str]] | None:
    """A CSV file's rows as text; None when it is neither UTF-8 nor GBK."""
    text = csv_text(data)
    return None if text is None else _records(text)


def _records(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _read_csv(path: Path, data: bytes, problems: _Problems) -> _Table | None:
    text = csv_text(data)
    if text is None:
        problems.error(None, None, "文件既不是 UTF-8 也不是 GBK 编码", "另存为 UTF-8 编码的 CSV")
        return None
    records = _records(text)
    if not any(cell.strip() for row in records for cell in row):  # only commas and blank lines
        problems.error(
            None, None, "文件为空", "填入表头和数据：id,指标,数值,单位,期间,上年同期,目标,来源"
        )
        return None
    table = _table_from_grid(enumerate(records, start=1))
    if table is not None:
        table.formula_free = not any(start in text for start in "=+-@")  # 4 scans, no regex
    return table


def _read_xlsx(path: Path, data: bytes, problems: _Problems) -> _Table | None:
    import openpyxl  # only this loader needs it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.error(None, None, f"无法作为 Excel 文件打开（{exc}）", "用 Excel 另存为 .xlsx")
        return None
    try:
        for sheet in workbook.worksheets:
            table = _table_from_grid(sheet_grid(sheet), sheet=sheet.title)
            if table is not None:
                _check_formulas(data, sheet.title, {r.number for r in table.rows}, problems)
                return table
    finally:
        workbook.close()
    return None


def sheet_grid(sheet: Any) -> Iterable[tuple[int, list[str]]]:
    """An openpyxl worksheet's rows as (row number, cell texts as a person sees them)."""
    return (
        (n, [_cell_text(c.value, getattr(c, "number_format", None)) for c in row])
        for n, row in enumerate(sheet.iter_rows(min_row=1), start=1)
    )


def _check_formulas(data: bytes, title: str, rows: set[int], problems: _Problems) -> None:
    """A formula saved without its result (written by a script, never opened in Excel) reads
    as empty and would become 〔待补〕 unnoticed; name each such cell instead."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        cached = values[title].iter_rows(min_row=1)
        for number, (row, results) in enumerate(
            zip(workbook[title].iter_rows(min_row=1), cached, strict=False), 1
        ):
            if number not in rows:
                continue
            for cell, result in zip(row, results, strict=False):
                formula = cell.value
                if isinstance(formula, str) and formula.startswith("=") and result.value is None:
                    problems.error(
                        number,
                        None,
                        f"单元格 {cell.coordinate}（{formula}）的公式没有计算结果："
                        "请在 Excel 中打开并保存后再导入",
                        "或把公式换成数值",
                    )
    finally:
        workbook.close()
        values.close()


class _KeepWritten(yaml.SafeLoader):
    """A YAML loader that keeps numbers as written, so "85.10" keeps its two places."""


def _number_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]  # int/float: scalars


_KeepWritten.add_constructor("tag:yaml.org,2002:float", _number_as_text)
_KeepWritten.add_constructor("tag:yaml.org,2002:int", _number_as_text)


def _read_yaml(path: Path, data: bytes, problems: _Problems) -> _Table | None:
    try:
        document = yaml.load(data.decode("utf-8-sig"), Loader=_KeepWritten)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.error(None, None, f"YAML 无法解析（{exc}）", "检查缩进、冒号和引号")
        return None
    top: Mapping[str, Any] = {}
    items = document
    if isinstance(document, Mapping):
        top, items = document, document.get("figures")
    if not isinstance(items, list):
        problems.error(None, None, "YAML 应是指标列表，或含 figures: 列表的映射", "按示例改写")
        return None
    headers: dict[str, str] = {}
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            problems.error(number, None, "这一项不是“键: 值”映射", "写成 {id: …, 指标: …}")
            continue
        cells = dict.fromkeys(COLUMNS, "")
        for raw_key, raw_value in item.items():
            key = _HEADER_LOOKUP.get(str(raw_key).strip().lower())
            if key is None:
                problems.warn(number, str(raw_key), "不认识的键，已忽略", "对照表头说明改名")
                continue
            headers.setdefault(key, str(raw_key))
            cells[key] = _cell_text(raw_value)
        rows.append(_Row(number, **cells))
    table = _Table(rows, {key: headers.get(key, COLUMNS[key][-1]) for key in COLUMNS})
    table.period = _cell_text(top.get("period") or top.get("期间")) or None
    table.organisation = _cell_text(top.get("unit") or top.get("单位")) or None
    return table


_READERS = {".csv": _read_csv, ".xlsx": _read_xlsx, ".xlsm": _read_xlsx, ".yaml": _read_yaml}
_READERS[".yml"] = _read_yaml
