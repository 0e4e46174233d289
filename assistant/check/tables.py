"""Tables: the header row says what each column holds."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ..metrics import normalise_unit
from ..types import FigureField, Quantity
from .index import _Index
from .quantities import _SIGNS
from .text import _YEAR_MENTION, _fold

ColumnRole = Literal[
    "name", "ordinal", "unit", "note", "value", "previous", "change", "target", "completion"
]
_FIELDS = ("value", "previous", "change", "target", "completion")
_NUMERIC_CELL = re.compile(r"\s*(?!(?:19|20)\d{2}\s*年)[-+−－＋]?\d")
_COLUMN_WORDS: tuple[tuple[ColumnRole, re.Pattern[str]], ...] = (
    ("ordinal", re.compile(r"^(?:序号|编号|序|no\.?)$")),
    ("unit", re.compile(r"^(?:计量)?单位$")),
    ("note", re.compile(r"备注|说明|是否|情况|排名|责任")),
    ("completion", re.compile(r"完成率|完成比例|完成进度|进度")),
    ("change", re.compile(r"同比|增减|增幅|降幅|涨幅|变化|变幅|增长|较上年|比上年")),
    ("previous", re.compile(r"上年|去年|同期")),
    ("target", re.compile(r"目标|任务|计划")),
    (
        "value",
        re.compile(
            r"数值|本期|实际|完成|累计|当期|本年|今年|上半年|季度|全年|1\s*[-—–~至]\s*\d+月"
        ),
    ),
    ("name", re.compile(r"指标|项目|名称|内容|类别|事项|类型")),
)


@dataclass(frozen=True)
class _Column:
    role: ColumnRole | None
    unit: str | None  # the header's unit: 数值（微克/立方米）


def _column(cell: str, index: _Index) -> _Column:
    text = _fold(cell.strip())
    bracket = re.search(r"[(]([^)]*)[)]", text)
    unit = normalise_unit(bracket.group(1)) if bracket else None
    label = re.sub(r"[(][^)]*[)]", "", text).strip()
    year = _YEAR_MENTION.match(label)
    if year and index.year is not None and not re.search(r"目标|任务|计划|同比|增减", label):
        if int(year.group(1)) == index.year:
            return _Column("value", unit.canonical if unit else None)
        if int(year.group(1)) == index.year - 1:
            return _Column("previous", unit.canonical if unit else None)
    role = next((role for role, words in _COLUMN_WORDS if words.search(label)), None)
    return _Column(role, unit.canonical if unit else None)


def _header(cells: Sequence[str], index: _Index) -> list[_Column] | None:
    """The columns a header row declares, or None when the row is not a header (it holds a
    number, or names fewer than two columns, none of them a figure's number)."""
    if len(cells) < 2 or any(_NUMERIC_CELL.match(cell) for cell in cells):
        return None
    columns = [_column(cell, index) for cell in cells]
    roles = [c.role for c in columns if c.role is not None and c.role != "note"]
    if len(roles) < 2 or not any(role in _FIELDS for role in roles):
        return None
    return columns


@dataclass(frozen=True)
class _Row:
    """A table row read through its header: which cells name the row, and what each column is."""

    text: str
    columns: tuple[_Column, ...]
    starts: tuple[int, ...]  # where each cell starts
    name: str
    unit: str | None  # the row's unit: its 单位 cell, or the name's （家次）

    @classmethod
    def read(cls, text: str, columns: Sequence[_Column]) -> _Row:
        cells = text.split("\t")
        starts = tuple(itertools.accumulate((len(c) + 1 for c in cells[:-1]), initial=0))
        named = [c for c, col in zip(cells, columns, strict=True) if col.role == "name"]
        if not named:  # no 指标 column: the first cell that is not an ordinal or a number
            named = [
                c
                for c, col in zip(cells, columns, strict=True)
                if col.role not in ("ordinal", "unit") and not _NUMERIC_CELL.match(c)
            ][:1]
        units = [c for c, col in zip(cells, columns, strict=True) if col.role == "unit"]
        unit = normalise_unit(units[0].strip()) if units else None
        if unit is None and named:
            bracket = re.search(r"[(]([^)]*)[)]", _fold(named[0]))
            unit = normalise_unit(bracket.group(1)) if bracket else None
        name = " ".join(named)
        return cls(text, tuple(columns), starts, name, unit.canonical if unit else None)

    def column_at(self, position: int) -> _Column:
        cell = sum(1 for start in self.starts[1:] if start <= position)
        return self.columns[cell]

    def field_at(self, position: int) -> FigureField | None:
        role = self.column_at(position).role
        return role if role in _FIELDS else None  # type: ignore[return-value]

    def quantities(self, quantities: Sequence[Quantity]) -> list[Quantity]:
        """The row's numbers as the header reads them: none in a 序号/单位 column; a number with
        no unit takes its row's or its column's (a 同比 cell: its column's first); a 同比 cell is
        a change (7.7 there is 上升7.7)."""
        out = []
        for q in quantities:
            column = self.column_at(q.start)
            if column.role in ("ordinal", "unit"):
                continue
            unit = q.unit
            if unit is None and column.role == "completion":
                unit = "%"
            elif unit is None and column.role == "change":  # 同比（%）, else a difference
                unit = column.unit or self.unit
            elif unit is None:  # the row's own unit is the more specific
                unit = self.unit or column.unit
            if column.role == "change":
                signed = q.number_text[:1] in _SIGNS
                direction = q.direction
                if direction is None and not signed and q.value is not None:
                    direction = "持平" if q.value == 0 else "上升"
                q = replace(q, is_change=True, direction=direction)
            out.append(replace(q, unit=unit, unit_written=q.unit_written or unit))
        return out


_HEADING = re.compile(  # 一、 / （一） / 1. — the heading's level is the group that matched
    r"\s*(?:([一二三四五六七八九十]+、)|([（(][一二三四五六七八九十]+[）)])|(\d+[.．、](?!\d)))"
)
_PLAN_HEADING = re.compile(r"计划|安排|打算|下一步|下半年|下阶段|明年|思路")
