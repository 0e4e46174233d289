"""Load a period's figures file (CSV, XLSX, YAML) with provenance, validate it, derive from it.

Loading is all or nothing: every problem in the file is collected and reported in one
InputError naming file, row and column, and no FigureSet exists until the file is clean.

Rules, as implemented here:

- A value of 〔待补〕 (or 待补, 〔待补：…〕) or an empty cell is "missing": allowed; the draft
  shows 〔待补：指标名〕. Any other value must be a plain number (thousands separators allowed);
  "约40" or "12件" are errors.
- Water classes are categories: unit 类 (or a name the dictionary knows as a class), value
  written "Ⅱ", "II", "Ⅱ类", "劣Ⅴ" or the class number 1–5. The figure keeps ``category``
  "Ⅱ" (U+2160 numerals), ``value`` None, and is compared by rank (Ⅰ=1 … Ⅴ=5, 劣Ⅴ=6); no
  同比 arithmetic. A target class ("Ⅲ") is met when the class is at least as good.
- 同比 (``change_mode``): a rate or ratio (unit %, or a metric of kind rate) changes in
  个百分点 = current − previous; anything else (amounts, counts, concentrations) in % =
  (current − previous) / previous × 100. Categories have no 同比.
- Rounding is half-up (ROUND_HALF_UP), as in official statistics. Derived percentages (同比 %,
  完成率) have 1 decimal place; a 个百分点 difference keeps the finer written precision of its
  two inputs; a 小数位 (decimals) column overrides both for that row.
- Direction: 持平 when the two values are equal, or when the change rounded to its places is
  zero (so it would be written 0.0); otherwise 上升/下降. Improved/worsened follow the
  figure's better direction: its 方向 column first, else the metric dictionary.
- Targets: met when value ≤ target for lower-is-better figures, value ≥ target otherwise (a
  target with no known direction is a level to reach). 完成率 = value / target × 100 for
  amounts and counts to reach (investment, kilometres of pipe), not for concentrations, rates
  or lower-is-better counts.
- 合计 (sum) lists ids joined by +; the value is computed from the parts (converted to the
  sum's unit) and, when the file also gives one, must agree with it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

import yaml

from . import domain, periods
from .errors import InputError
from .metrics import convert, find_metric, kind_for_unit, normalise_unit, same_measure
from .periods import Period
from .topics import figure_topic
from .types import (
    Better,
    Change,
    Figure,
    FigureSet,
    MetricKind,
    Provenance,
    TargetCheck,
    places_of,
)

DEFAULT_PERCENT_PLACES = 1  # 同比 % and 完成率, unless the row's 小数位 says otherwise
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

_ID = re.compile(r"[a-z][a-z0-9_]*")
_MISSING = re.compile(r"^(?:〔待补(?:[:：][^〕]*)?〕|\[待补\]|【待补】|待补)$")
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_BETTER = {
    "越低越好": "lower",
    "越小越好": "lower",
    "lower": "lower",
    "低": "lower",
    "越高越好": "higher",
    "越大越好": "higher",
    "higher": "higher",
    "高": "higher",
}
_ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5}
_ASCII_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ"}
_CLASS = re.compile(r"^(劣)?\s*(Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|I{1,3}|IV|V|[1-5])\s*类?$", re.IGNORECASE)
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋＞＜", "0123456789.,-+><")
# A number with the words that qualify it (约4.2, 近3万, 40余, 120多, ≥95, 95以上, a rank 第2).
_QUALIFIED = re.compile(
    r"^(?P<before>约|近|将近|接近|大约|逾|超过|超|不足|不到|≥|≤|>=|<=|>|<|第)?"
    r"(?P<number>[+-]?[\d,]+(?:\.\d+)?)(?P<big>万|亿)?(?P<after>余|多|左右|以上|以下|以内)?"
    r"(?P<big2>万|亿)?$"
)
_BIG = {"万": Decimal(10000), "亿": Decimal(100000000)}


# --- rounding and formatting -----------------------------------------------------------------


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round as official statistics do: 0.05 → 0.1, 2.25 → 2.3 (not banker's rounding)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_decimal(value: Decimal, places: int | None = None) -> str:
    """Plain notation, never exponent form; rounded half-up to ``places`` when given."""
    if places is not None:
        value = round_half_up(value, places)
    return format(value, "f")


def format_value(figure: Figure) -> str:
    """Value and unit as the file wrote them: "41.6微克/立方米", "85.10%", "112.3295万元", "Ⅱ类".

    A missing value renders as the placeholder 〔待补：指标名〕.
    """
    if figure.category is not None:
        return f"{figure.category}类"
    if figure.value is None:
        return f"〔待补：{figure.name}〕"
    return f"{figure.written}{figure.unit}"


def format_change(change: Change) -> str:
    """ "同比下降3.6个百分点", "同比上升13.4%", or "与上年同期持平"."""
    if change.direction == "持平":
        return "与上年同期持平"
    return f"同比{change.direction}{format_decimal(change.magnitude, change.decimals)}{change.unit}"


# --- the derivation rules --------------------------------------------------------------------


def change_mode(kind: MetricKind, unit: str | None) -> str | None:
    """How a 同比 change of this figure is written: "points" (个百分点), "percent" (%), or None.

    The one rule: a rate or ratio — unit % or a metric of kind rate — changes by the
    difference in 个百分点; amounts, counts and concentrations by the relative change in %.
    Categories (water classes) have no arithmetic.
    """
    if kind == "category":
        return None
    normalised = normalise_unit(unit)
    if kind == "rate" or (normalised is not None and normalised.kind == "percent"):
        return "points"
    return "percent"


def compute_change(figure: Figure) -> Change | None:
    """The 同比 change of a figure with both a value and a previous value, else None.

    None too when a percent change would divide by a previous value of zero.
    """
    if figure.value is None or figure.previous is None:
        return None
    if not (is_plain(figure.written) and is_plain(figure.previous_written or "")):
        return None  # 40余 against 35: a 同比 % would state a precision nobody measured
    mode = change_mode(figure.kind, figure.unit)
    if mode is None:
        return None
    current, previous = figure.value, figure.previous
    written_places = (figure.places, places_of(figure.previous_written or ""))
    if mode == "points":
        places = figure.decimals if figure.decimals is not None else max(written_places)
        amount = round_half_up(current - previous, places)
        formula = f"{current} − {previous} = {format_decimal(amount)}（个百分点）"
    else:
        if previous == 0 and current != 0:
            return None
        places = figure.decimals if figure.decimals is not None else DEFAULT_PERCENT_PLACES
        ratio = (current - previous) / previous * 100 if previous else Decimal(0)
        amount = round_half_up(ratio, places)
        formula = f"({current} − {previous}) / {previous} × 100 = {format_decimal(amount)}（%）"
    if current == previous or amount == 0:
        direction = "持平"
    else:
        direction = "上升" if current > previous else "下降"
    improved = None
    if direction != "持平" and figure.better is not None:
        improved = (direction == "下降") == (figure.better == "lower")
    return Change(
        figure_id=figure.id,
        current=current,
        previous=previous,
        mode=mode,
        amount=amount,
        decimals=places,
        direction=direction,
        improved=improved,
        formula=formula,
    )


def target_met(value: Decimal, target: Decimal, better: Better) -> bool:
    """Lower-is-better: value ≤ target; higher-is-better: value ≥ target."""
    return value <= target if better == "lower" else value >= target


def check_target(figure: Figure) -> TargetCheck | None:
    """The figure against its target (met?, 完成率 for amounts), or None without both."""
    if figure.category is not None and figure.target_written:
        actual = Decimal(class_rank(figure.category))
        target = Decimal(class_rank(_class_of(figure.target_written) or ""))
        better: Better = "lower"  # a lower class number is cleaner water
    elif figure.value is not None and figure.target is not None:
        actual, target = figure.value, figure.target
        better = figure.better or "higher"
    else:
        return None
    places = figure.decimals if figure.decimals is not None else DEFAULT_PERCENT_PLACES
    completion = None
    formula = f"{actual} {'≤' if better == 'lower' else '≥'} {target}"
    if figure.kind in ("amount", "count") and better == "higher" and target != 0:
        completion = round_half_up(actual / target * 100, places)
        formula += f"; 完成率 {actual} / {target} × 100 = {format_decimal(completion)}%"
    return TargetCheck(
        figure_id=figure.id,
        actual=actual,
        target=target,
        better=better,
        met=target_met(actual, target, better),
        completion=completion,
        decimals=places,
        formula=formula,
    )


def class_rank(category: str) -> int:
    """Ⅰ=1 … Ⅴ=5, 劣Ⅴ=6: a lower rank is cleaner water."""
    return 6 if category.startswith("劣") else _ROMAN[category]


def _class_of(text: str) -> str | None:
    found = _CLASS.match(text.strip())
    if found is None:
        return None
    worse, numeral = found.groups()
    numeral = numeral.upper()
    if numeral.isdigit():
        numeral = "ⅠⅡⅢⅣⅤ"[int(numeral) - 1]
    numeral = _ASCII_ROMAN.get(numeral, numeral)
    return f"劣{numeral}" if worse else numeral


# --- reading the three formats into raw rows -------------------------------------------------


@dataclass
class _Row:
    number: int  # the row a person sees (1-based), or the YAML item number
    cells: dict[str, str]  # field → text as written ("" when empty)


@dataclass
class _Table:
    rows: list[_Row]
    headers: dict[str, str]  # field → the header as written, for messages
    sheet: str | None = None
    period: str | None = None
    organisation: str | None = None


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    fields = {}
    for index, cell in enumerate(cells):
        key = _HEADER_LOOKUP.get(cell.strip().lower())
        if key is not None and key not in fields.values():
            fields[index] = key
    return fields


def _table_from_grid(
    grid: Iterable[tuple[int, list[str]]], sheet: str | None = None
) -> _Table | None:
    """Find the header row (the first with id, 指标 and 数值 columns) and read rows under it."""
    fields: dict[int, str] | None = None
    headers: dict[str, str] = {}
    rows: list[_Row] = []
    for number, cells in grid:
        if fields is None:
            found = _header_fields(cells)
            if all(key in found.values() for key in _REQUIRED_HEADERS):
                fields = found
                headers = {key: cells[index].strip() for index, key in found.items()}
            elif number >= HEADER_SCAN_ROWS:
                return None
            continue
        if not any(cell.strip() for cell in cells):
            continue
        row = {key: (cells[i].strip() if i < len(cells) else "") for i, key in fields.items()}
        rows.append(_Row(number, row))
    if fields is None:
        return None
    return _Table(rows, headers, sheet=sheet)


def _read_csv(path: Path, data: bytes, problems: _Problems) -> _Table | None:
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        problems.error(None, None, "文件既不是 UTF-8 也不是 GBK 编码", "另存为 UTF-8 编码的 CSV")
        return None
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not any(cell.strip() for row in records for cell in row):  # only commas and blank lines
        problems.error(
            None, None, "文件为空", "填入表头和数据：id,指标,数值,单位,期间,上年同期,目标,来源"
        )
        return None
    return _table_from_grid(enumerate(records, start=1))


def _read_xlsx(path: Path, data: bytes, problems: _Problems) -> _Table | None:
    import openpyxl  # only this loader needs it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.error(None, None, f"无法作为 Excel 文件打开（{exc}）", "用 Excel 另存为 .xlsx")
        return None
    try:
        for sheet in workbook.worksheets:
            grid = (
                (n, [_cell_text(c.value, getattr(c, "number_format", None)) for c in row])
                for n, row in enumerate(sheet.iter_rows(min_row=1), start=1)
            )
            table = _table_from_grid(grid, sheet=sheet.title)
            if table is not None:
                _check_formulas(data, sheet.title, {r.number for r in table.rows}, problems)
                return table
    finally:
        workbook.close()
    return None


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
    return str(loader.construct_scalar(node))


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
        cells = {}
        for raw_key, raw_value in item.items():
            key = _HEADER_LOOKUP.get(str(raw_key).strip().lower())
            if key is None:
                problems.warn(number, str(raw_key), "不认识的键，已忽略", "对照表头说明改名")
                continue
            headers.setdefault(key, str(raw_key))
            cells[key] = _cell_text(raw_value)
        rows.append(_Row(number, cells))
    table = _Table(rows, {key: headers.get(key, COLUMNS[key][-1]) for key in COLUMNS})
    table.period = _cell_text(top.get("period") or top.get("期间")) or None
    table.organisation = _cell_text(top.get("unit") or top.get("单位")) or None
    return table


_READERS = {".csv": _read_csv, ".xlsx": _read_xlsx, ".xlsm": _read_xlsx, ".yaml": _read_yaml}
_READERS[".yml"] = _read_yaml


# --- validation and building -----------------------------------------------------------------


def _number(text: str) -> Decimal | None:
    """The number of a cell as written: 12, 1,234.5, and with its qualifier — 40余, 120多, 近3万,
    约4.2, 6000余, ≥95 — the number it qualifies (30000 for 近3万)."""
    cleaned = text.translate(_FULLWIDTH).replace(" ", "")
    found = _QUALIFIED.match(cleaned)
    if found is None or not _NUMBER.match(found.group("number")):
        return None
    big = found.group("big") or found.group("big2")
    try:
        value = Decimal(found.group("number").replace(",", ""))
    except InvalidOperation:
        return None
    return value * _BIG[big] if big else value


def is_plain(written: str) -> bool:
    """Whether a written value is a bare number (not 40余, 约4.2, ≥95, 3万): only a bare number
    enters arithmetic that states a new number (同比)."""
    return bool(_NUMBER.match(written.translate(_FULLWIDTH).replace(" ", "")))


def _not_a_number(text: str) -> str:
    """What to tell a user whose value cell is not a number."""
    if re.search(r"\d\s*[^\d.,\s]+$", text):
        return "把数字和单位分开：数字写在数值列，单位写在单位列"
    return "改为数字；尚无数据就写〔待补〕或留空"


@dataclass
class _Numbers:
    value: Decimal | None
    written: str
    category: str | None


def _parse_value(
    text: str, is_class: bool, row: _Row, column: str, problems: _Problems
) -> _Numbers:
    """A value, previous or target cell: number, class, or missing (error collected)."""
    written = text.strip()
    if not written or _MISSING.match(written):
        return _Numbers(None, "", None)
    if is_class:
        category = _class_of(written)
        if category is None:
            problems.error(
                row.number, column, f"“{written}”不是类别（Ⅰ–Ⅴ类）", "写作 Ⅰ、Ⅱ、Ⅲ、Ⅳ、Ⅴ 或 劣Ⅴ"
            )
        return _Numbers(None, written, category)
    value = _number(written)
    if value is None:
        problems.error(row.number, column, f"“{written}”不是数字", _not_a_number(written))
        return _Numbers(None, written, None)
    return _Numbers(value, written.translate(_FULLWIDTH).replace(",", ""), None)


def _build_figure(row: _Row, table: _Table, path: Path, problems: _Problems) -> Figure | None:
    """One row as a Figure, or None when the row has errors (collected in ``problems``)."""
    cells, col = row.cells, table.headers
    figure_id = cells.get("id", "")
    name = cells.get("name", "")
    source = cells.get("source", "")
    ok = True
    if not figure_id:
        problems.error(row.number, col["id"], "缺少 id", "填写英文小写下划线 id，如 pm25_avg")
        ok = False
    elif not _ID.fullmatch(figure_id):
        problems.error(
            row.number,
            col["id"],
            f"id“{figure_id}”格式不对",
            "id 只用小写英文字母、数字和下划线，以字母开头，如 cases_total",
        )
        ok = False
    if not name:
        example = domain.examples().metric
        problems.error(row.number, col["name"], "缺少指标名称", f"填写指标名称，如 {example}")
        ok = False
    if not source and "source" in col:
        problems.error(
            row.number,
            col.get("source", "来源"),
            "缺少来源",
            f"写明数据出处，如 {domain.examples().source}",
        )
        ok = False

    unit = cells.get("unit", "")
    metric = find_metric(name) if name else None
    normalised = normalise_unit(unit)
    is_class = normalised is not None and normalised.kind == "class"
    is_class = is_class or (not unit and metric is not None and metric.kind == "category")
    if unit and normalised is None:
        problems.warn(
            row.number, col.get("unit"), f"不认识的单位“{unit}”", "确认单位写法；同比等仍按数值计算"
        )

    value = _parse_value(cells.get("value", ""), is_class, row, col["value"], problems)
    previous = _parse_value(
        cells.get("previous", ""), is_class, row, col.get("previous", "上年同期"), problems
    )
    target = _parse_value(
        cells.get("target", ""), is_class, row, col.get("target", "目标"), problems
    )

    better: Better | None = None
    if cells.get("better"):
        better = _BETTER.get(cells["better"].strip().lower())  # type: ignore[assignment]
        if better is None:
            problems.error(
                row.number,
                col.get("better"),
                f"方向“{cells['better']}”无法识别",
                "写“越低越好”或“越高越好”（英文 lower / higher）",
            )
            ok = False
    decimals = None
    if cells.get("decimals"):
        if re.fullmatch(r"[0-6]", cells["decimals"].strip()):
            decimals = int(cells["decimals"])
        else:
            problems.error(
                row.number,
                col.get("decimals"),
                f"小数位“{cells['decimals']}”无效",
                "写 0 到 6 之间的整数",
            )
            ok = False
    topic = cells.get("topic") or None
    if topic and topic not in domain.topics():
        problems.warn(
            row.number,
            col.get("topic"),
            f"主题“{topic}”不在约定列表中",
            "可用：" + "、".join(domain.topics()),
        )
    sum_of: list[str] = []
    if cells.get("sum"):
        sum_of = [part.strip() for part in re.split(r"[+＋]", cells["sum"])]
        if not all(_ID.fullmatch(part) for part in sum_of):
            problems.error(
                row.number,
                col.get("sum"),
                f"合计“{cells['sum']}”格式不对",
                "写成用 + 连接的 id，如 cases_air+cases_water",
            )
            ok = False
    if not ok:
        return None

    if is_class:
        kind: MetricKind = "category"
    elif normalised is not None and normalised.kind == "percent":
        kind = "rate"
    elif metric is not None and (same_measure(metric.unit, unit) or not (unit or metric.unit)):
        kind = metric.kind
    else:
        kind = kind_for_unit(unit)
    if better is None and metric is not None and (kind == metric.kind):
        better = metric.better
    return Figure(
        id=figure_id,
        name=name,
        value=value.value,
        written=value.written if value.category is None else value.category,
        unit=unit,
        unit_canonical=normalised.canonical if normalised else None,
        period=None,  # set with the file's periods, once all rows are read
        provenance=Provenance(str(path), row.number, source, table.sheet),
        kind=kind,
        topic=topic or figure_topic(name, metric.topic if metric else None),
        better=better,
        metric=metric.name if metric else None,
        category=value.category,
        previous=previous.value,
        previous_written=previous.category or previous.written or None,
        target=target.value,
        target_written=target.category or target.written or None,
        scope=cells.get("scope") or None,
        note=cells.get("note") or None,
        decimals=decimals,
        sum_of=tuple(sum_of),
    )


_PERIOD_HINT = "写成 2025年上半年、1-6月、截至6月底、一季度、全年、2023年度 或 累计（自2023年起）"


def _check_periods(
    table: _Table, figures: list[Figure], problems: _Problems
) -> tuple[Period | None, list[Figure]]:
    """The report period (the file's, else the rows' most common), and the figures each with its
    row's own period (else the report's). A row may name an earlier period, the whole year or a
    running total; a later period, or the report's months in another year, is an error
    (periods.row_problem)."""
    column = table.headers.get("period", "期间")
    declared = periods.parse(table.period or "")
    if table.period and declared is None:
        problems.error(None, column, f"文件的期间“{table.period}”无法识别", _PERIOD_HINT)
    written: dict[int, Period] = {}
    for row in table.rows:
        text = row.cells.get("period")
        found = periods.parse(text) if text else None
        if text and found is None:
            problems.error(row.number, column, f"期间“{text}”无法识别", _PERIOD_HINT)
        elif found is not None:
            written[row.number] = found
    years = Counter(p.year for p in written.values() if p.year is not None and p.since is None)
    year = declared.year if declared and declared.year else None
    if year is None and years:
        year = years.most_common(1)[0][0]
    rows = {number: p.in_year(year) for number, p in written.items()}
    report = periods.report_period(declared and declared.in_year(year), list(rows.values()))
    if report is None and rows:
        named = "、".join(dict.fromkeys(str(p) for p in rows.values()))
        problems.error(
            None, column, f"各行的期间（{named}）一样多，无法确定报告期间", "在文件中写明期间"
        )
    for number, period in rows.items():
        problem = periods.row_problem(period, report) if report else None
        if problem:
            problems.error(number, column, problem, "数据文件只放报告期及以前的数据")
    return report, [replace(f, period=rows.get(f.provenance.row, report)) for f in figures]


def _resolve_sums(figures: list[Figure], table: _Table, problems: _Problems) -> list[Figure]:
    """Compute declared sums (合计) from their parts, in dependency order."""
    by_id = {f.id: f for f in figures}
    in_file = {row.cells.get("id") for row in table.rows}
    column = table.headers.get("sum", "合计")
    resolved: dict[str, Figure] = {}

    def resolve(figure: Figure, chain: tuple[str, ...]) -> Figure:
        if figure.id in resolved or not figure.sum_of:
            return resolved.get(figure.id, figure)
        row = figure.provenance.row
        unknown = [part for part in figure.sum_of if part not in in_file]
        if unknown:
            problems.error(
                row,
                column,
                f"合计引用了不存在的 id：{'、'.join(unknown)}",
                "检查拼写，或补上这些行",
            )
            return figure
        if any(part not in by_id for part in figure.sum_of):
            return figure  # a part's own row has errors, reported there
        if figure.id in chain or figure.id in figure.sum_of:
            problems.error(row, column, "合计循环引用了自己", "合计只能由其他行相加")
            return figure
        parts = [resolve(by_id[part], (*chain, figure.id)) for part in figure.sum_of]
        total = Decimal(0)
        for part in parts:
            if part.value is None:
                problems.warn(row, column, f"组成部分 {part.id} 缺数值，合计暂缺", "补齐后重新载入")
                resolved[figure.id] = figure
                return figure
            same_unit = part.unit == figure.unit or not (part.unit and figure.unit)
            converted = part.value if same_unit else convert(part.value, part.unit, figure.unit)
            if converted is None:
                problems.error(
                    row,
                    column,
                    f"组成部分 {part.id} 的单位“{part.unit}”与合计的“{figure.unit}”不能相加",
                    "统一单位",
                )
                return figure
            total += converted
        if all(part.unit == figure.unit for part in parts):
            total = round_half_up(total, max(part.places for part in parts))
        if figure.value is not None and figure.value != total:
            problems.error(
                row,
                table.headers["value"],
                f"数值 {figure.written} 与合计 {'+'.join(figure.sum_of)} = {total} 不符",
                "改正数值，或留空让程序计算",
            )
            return figure
        done = replace(
            figure, value=total, written=format(total, "f"), computed=figure.value is None
        )
        resolved[figure.id] = done
        return done

    return [resolve(f, ()) for f in figures]


def _check_table(table: _Table, path: Path, max_rows: int | None, problems: _Problems) -> None:
    """Refuse a table longer than ``max_rows``; warn of text cells that a spreadsheet would run
    as a formula (=, +, -, @ first: CSV injection), naming the cell, so a figure whose name is
    one is never dropped without a word."""
    if max_rows is not None and len(table.rows) > max_rows:
        raise InputError(
            f"数据文件有 {len(table.rows)} 行数据，超过上限 {max_rows} 行，未载入",
            path=str(path),
            hint="只保留本期要写的指标（一般几十行）；确需更多可调 ASSISTANT_FIGURES_MAX_ROWS",
        )
    for row in table.rows:
        for key, text in row.cells.items():
            if text[:1] in _FORMULA_STARTS and _number(text) is None:
                problems.warn(
                    row.number,
                    table.headers.get(key, key),
                    f"“{text[:30]}”以“{text[0]}”开头，会被 Excel/WPS 当作公式执行",
                    "若是文字请去掉开头的符号；不要打开来历不明的表格",
                )


def load_figures(path: str | Path, *, max_rows: int | None = None) -> FigureSet:
    """Read, validate and derive a figures file; raise one InputError listing every problem.

    Pure: nothing is stored or half-loaded; the FigureSet exists only for a clean file. A table
    longer than ``max_rows`` is refused before any row is validated (the chat's limit)."""
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(
            f"不支持的数据文件类型“{path.suffix}”", path=str(path), hint="使用 .csv、.xlsx 或 .yaml"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"无法读取数据文件（{exc.strerror}）", path=str(path), hint="检查路径和权限"
        ) from exc
    problems = _Problems(path)
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        problems.error(
            None, None, "文件为空", "填入表头和数据：id,指标,数值,单位,期间,上年同期,目标,来源"
        )
        problems.fail()
    table = reader(path, data, problems)
    if table is None:
        if not problems.errors:
            problems.error(
                None,
                None,
                "找不到表头行（需要 id、指标、数值 三列）",
                "在数据上方加一行表头：id,指标,数值,单位,期间,上年同期,目标,来源",
            )
        problems.fail()
    _check_table(table, path, max_rows, problems)
    if "source" not in table.headers and table.rows:
        problems.error(None, "来源", "表头缺少“来源”列", "加一列“来源”，写明每个数据的出处")

    figures: list[Figure] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        figure_id = row.cells.get("id", "")
        if figure_id in seen:
            problems.error(
                row.number,
                table.headers["id"],
                f"id“{figure_id}”与第{seen[figure_id]}行重复",
                "每个 id 只能出现一次",
            )
        elif figure_id:
            seen[figure_id] = row.number
        figure = _build_figure(row, table, path, problems)
        if figure is not None and seen.get(figure.id) == row.number:
            figures.append(figure)
    if not table.rows:
        problems.error(None, None, "表头下没有任何数据行", "每行填写一个指标")
    period, figures = _check_periods(table, figures, problems)
    figures = _resolve_sums(figures, table, problems)
    problems.raise_if_any()

    changes = {f.id: c for f in figures if (c := compute_change(f)) is not None}
    targets = {f.id: t for f in figures if (t := check_target(f)) is not None}
    warnings = list(problems.warnings)
    for figure in figures:
        no_base = figure.previous == 0 and figure.value is not None and figure.id not in changes
        if no_base and change_mode(figure.kind, figure.unit) == "percent":
            warnings.append(
                f"{path}: 第{figure.provenance.row}行：{figure.id} 上年同期为0，"
                "不计算同比增幅 → 文中写实际增减数"
            )
    return FigureSet(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        figures=tuple(figures),
        period=period,
        sheet=table.sheet,
        organisation=table.organisation,
        changes=changes,
        targets=targets,
        warnings=tuple(warnings),
    )


def figure_set_to_dict(figure_set: FigureSet) -> dict[str, Any]:
    """A JSON-ready view (numbers as strings, so no precision is lost) for --json output."""

    def figure_dict(figure: Figure) -> dict[str, Any]:
        change = figure_set.change(figure.id)
        target = figure_set.target(figure.id)
        return {
            "id": figure.id,
            "name": figure.name,
            "value": figure.written or None,
            "unit": figure.unit,
            "unit_canonical": figure.unit_canonical,
            "kind": figure.kind,
            "category": figure.category,
            "missing": figure.missing,
            "period": str(figure.period) if figure.period else None,
            "previous": figure.previous_written,
            "target": figure.target_written,
            "topic": figure.topic,
            "better": figure.better,
            "metric": figure.metric,
            "sum_of": list(figure.sum_of),
            "computed": figure.computed,
            "scope": figure.scope,
            "note": figure.note,
            "source": figure.provenance.source,
            "file": figure.provenance.file,
            "sheet": figure.provenance.sheet,
            "row": figure.provenance.row,
            "rendered": format_value(figure),
            "change": None
            if change is None
            else {
                "text": format_change(change),
                "mode": change.mode,
                "amount": format_decimal(change.amount),
                "direction": change.direction,
                "assessment": change.assessment,
                "formula": change.formula,
            },
            "target_check": None
            if target is None
            else {
                "met": target.met,
                "better": target.better,
                "completion": None
                if target.completion is None
                else format_decimal(target.completion),
                "formula": target.formula,
            },
        }

    return {
        "file": str(figure_set.path),
        "sha256": figure_set.sha256,
        "sheet": figure_set.sheet,
        "period": str(figure_set.period) if figure_set.period else None,
        "organisation": figure_set.organisation,
        "figures": [figure_dict(f) for f in figure_set.figures],
        "warnings": list(figure_set.warnings),
    }
