"""Loading a whole file: rows to figures, periods, sums and formula cells checked, all or
nothing; and the figure set as a dict for --json."""

from __future__ import annotations

import gc
import hashlib
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

from .. import domain, periods
from ..errors import InputError
from ..metrics import convert
from ..periods import Period
from ..types import Figure, FigureSet
from .arithmetic import (
    PerFigure,
    change_mode,
    changes_of,
    check_target,
    format_change,
    format_decimal,
    format_value,
    round_half_up,
)
from .rows import _build_figure, _number, names_said
from .tables import _READERS, COLUMNS, _Problems, _Table

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CELLS = itemgetter(slice(1, None))  # a row's cells, its number left out
_FORMULA_CELL = re.compile("\x1f[=+\\-@\t\r]")  # one such start in "\x1f" + cells joined by it


PACE_ROWS = 500  # rows read between two calls of load_figures' pace
_PERIOD_HINT = "写成 2025年上半年、1-6月、截至6月底、一季度、全年、2023年度 或 累计（自2023年起）"


def _check_periods(table: _Table, problems: _Problems) -> tuple[Period | None, dict[str, Period]]:
    """The report period (the file's, else the rows' most common), and the period each 期间
    text names (a row without one takes the report's). A row may name an earlier period, the
    whole year or a running total; a later period, or the report's months in another year, is
    an error (periods.row_problem). Each distinct 期间 text is parsed and judged once: a large
    file writes the same few on every row."""
    column = table.headers.get("period", "期间")
    declared = periods.parse(table.period or "")
    if table.period and declared is None:
        problems.error(None, column, f"文件的期间“{table.period}”无法识别", _PERIOD_HINT)
    counts = Counter(row.period for row in table.rows)
    parsed = {text: periods.parse(text) for text in counts if text}
    if None in parsed.values():
        for row in table.rows:
            if row.period and parsed[row.period] is None:
                problems.error(row.number, column, f"期间“{row.period}”无法识别", _PERIOD_HINT)
    years: Counter[int] = Counter()
    for text, found in parsed.items():
        if found is not None and found.year is not None and found.since is None:
            years[found.year] += counts[text]
    year = declared.year if declared and declared.year else None
    if year is None and years:
        year = years.most_common(1)[0][0]
    placed = {text: p.in_year(year) for text, p in parsed.items() if p is not None}
    named: Counter[Period] = Counter()
    for text, found in placed.items():
        named[found] += counts[text]
    report = periods.report_period(declared and declared.in_year(year), named)
    if report is None and placed:
        listed = "、".join(dict.fromkeys(str(p) for p in placed.values()))
        problems.error(
            None, column, f"各行的期间（{listed}）一样多，无法确定报告期间", "在文件中写明期间"
        )
    judged = {text: periods.row_problem(p, report) for text, p in placed.items()} if report else {}
    if any(judged.values()):
        for row in table.rows:
            if problem := judged.get(row.period):
                problems.error(row.number, column, problem, "数据文件只放报告期及以前的数据")
    return report, placed


def _resolve_sums(figures: list[Figure], table: _Table, problems: _Problems) -> list[Figure]:
    """Compute declared sums (合计) from their parts, in dependency order."""
    if not any(f.sum_of for f in figures):
        return figures  # most files declare none
    by_id = {f.id: f for f in figures}
    in_file = {row.id for row in table.rows}
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
    if table.formula_free:
        return
    every_cell = chain.from_iterable(map(_CELLS, table.rows))  # no Python loop over the rows
    if not _FORMULA_CELL.search("\x1f" + "\x1f".join(every_cell)):
        return  # no cell starts like a formula: one search for the whole of a large file
    for row in table.rows:
        if not _FORMULA_CELL.search("\x1f" + "\x1f".join(row[1:])):
            continue
        for key, text in zip(COLUMNS, row[1:], strict=True):
            if text[:1] in _FORMULA_STARTS and _number(text) is None:
                problems.warn(
                    row.number,
                    table.headers.get(key, key),
                    f"“{text[:30]}”以“{text[0]}”开头，会被 Excel/WPS 当作公式执行",
                    "若是文字请去掉开头的符号；不要打开来历不明的表格",
                )


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, when it is of a kind we read."""
    if path.suffix.lower() not in _READERS:
        raise InputError(
            f"不支持的数据文件类型“{path.suffix}”", path=str(path), hint="使用 .csv、.xlsx 或 .yaml"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"无法读取数据文件（{exc.strerror}）", path=str(path), hint="检查路径和权限"
        ) from exc


def load_figures(
    path: str | Path, *, max_rows: int | None = None, pace: Callable[[], None] | None = None
) -> FigureSet:
    """Read, validate and derive a figures file; raise one InputError listing every problem.

    Pure: nothing is stored or half-loaded; the FigureSet exists only for a clean file. A table
    longer than ``max_rows`` is refused before any row is validated (the chat's limit). ``pace``
    is called every PACE_ROWS rows: the web server's lets short requests go first, so a big
    upload read in a thread does not slow everyone else (Python runs one thread at a time)."""
    with _COLLECTOR.paused():
        return _load(Path(path), max_rows, pace)


class _Collector:
    """Holds off Python's cyclic garbage collector while files load: a load makes several
    objects per row and no cycles, and the collector's passes over them doubled the time of a
    100,000-row file. Loads may overlap (the web's worker threads): the collector is back on
    when the last one ends, and only if it was on before the first began. Before it is back on,
    what was made meanwhile joins the oldest generation (freeze, then unfreeze: nothing in this
    program freezes objects otherwise), as it would after surviving two passes; else the first
    pass after the load would walk all of it (0.2 s for 100,000 rows)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loads = 0
        self._was_on = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self._lock:
            if self._loads == 0:
                self._was_on = gc.isenabled()
                gc.disable()
            self._loads += 1
        try:
            yield
        finally:
            with self._lock:
                self._loads -= 1
                if self._loads == 0 and self._was_on:
                    gc.freeze()
                    gc.unfreeze()
                    gc.enable()


_COLLECTOR = _Collector()


def _load(path: Path, max_rows: int | None, pace: Callable[[], None] | None) -> FigureSet:
    """load_figures for a path, with the collector paused."""
    data = _read_bytes(path)
    problems = _Problems(path)
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        problems.error(
            None, None, "文件为空", "填入表头和数据：id,指标,数值,单位,期间,上年同期,目标,来源"
        )
        problems.fail()
    table = _READERS[path.suffix.lower()](path, data, problems)
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

    file = str(path)
    period_problems = _Problems(path)  # listed after the rows' own problems, as always
    period, period_of = _check_periods(table, period_problems)
    said = names_said(domain.current(), table.rows)
    figures: list[Figure] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(table.rows):
        if pace is not None and index % PACE_ROWS == 0:
            pace()
        figure_id = row.id
        if figure_id in seen:
            problems.error(
                row.number,
                table.headers["id"],
                f"id“{figure_id}”与第{seen[figure_id]}行重复",
                "每个 id 只能出现一次",
            )
        elif figure_id:
            seen[figure_id] = row.number
        row_period = period_of.get(row.period, period)
        figure = _build_figure(row, table, file, problems, row_period, said[row.name])
        if figure is not None and seen.get(figure.id) == row.number:
            figures.append(figure)
    if not table.rows:
        problems.error(None, None, "表头下没有任何数据行", "每行填写一个指标")
    problems.extend(period_problems)
    figures = _resolve_sums(figures, table, problems)
    problems.raise_if_any()

    changes = changes_of(figures)
    warnings = list(problems.warnings)
    for figure in figures:
        no_base = figure.previous == 0 and figure.value is not None and figure.id not in changes
        if no_base and change_mode(figure.kind, figure.unit, figure.value, Decimal(0)) == "percent":
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
        targets=PerFigure(figures, check_target),
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
                "unit": change.unit,
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
