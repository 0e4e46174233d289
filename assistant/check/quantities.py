"""Comparing one written number with one expected number (precision, hedging, units), and
the layout of numbers in a block (分别 lists, signed changes)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from ..figures import round_half_up
from ..metrics import convert, normalise_unit, same_measure
from ..numbers import span_bounds
from ..render import expected_number
from ..types import Figure, FigureField, FigureSet, Quantity
from .text import _CLAUSE_STOPS, _SENTENCE_STOPS

_MULTIPLIER = {"亿": Decimal(10) ** 8, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6}
_MULTIPLIER["万"] = Decimal(10) ** 4


def _multiplier(quantity: Quantity) -> Decimal:
    for word, factor in _MULTIPLIER.items():
        if quantity.number_text.endswith(word):
            return factor
    return Decimal(1)


def _close(written: Quantity, expected: Decimal) -> bool:
    """Is ``expected`` what ``written`` says, at the precision and hedging it was written with?"""
    assert written.value is not None
    scale = _multiplier(written)
    value, target = written.value / scale, expected / scale
    if written.approx is None:
        return round_half_up(target, written.places) == value
    if written.places:
        step = Decimal(1).scaleb(-written.places)
    else:
        digits = format(abs(value).to_integral_value(), "f")
        zeros = len(digits) - len(digits.rstrip("0")) if digits != "0" else 0
        more = written.approx in ("余", "多", "超过", "超", "逾")
        step = Decimal(10) ** (zeros if more or zeros >= 2 else 0)  # 约30 is 30, 约1300 is ±50
    if written.approx in ("余", "多", "超过", "超", "逾"):
        return value <= target < value + step
    if written.approx in ("近", "将近", "接近", "不足", "不到"):
        return value - step < target <= value
    return abs(target - value) <= step / 2


Fit = Literal["yes", "unit", "no"]


def _fit(written: Quantity, expected: Decimal | None, unit: str | None) -> Fit:
    """yes: same number, compatible unit; unit: the number is right but its unit is not (a
    different measure, or a 万/亿 dropped or added)."""
    if written.value is None or expected is None:
        return "no"
    converted: Decimal | None = expected
    if written.unit and unit and written.unit != unit:
        converted = (
            _convert(expected, unit, written.unit) if _same_measure(written.unit, unit) else None
        )
    if converted is not None and _close(written, converted):
        return "yes"
    plain = written.value / _multiplier(written)
    if round_half_up(expected, written.places) == plain or expected == written.value:
        return "unit"
    if converted is not None and converted and written.value:
        for factor in _SCALES:
            if _close(written, converted / factor) or _close(written, converted * factor):
                return "unit"
    return "no"


_SCALES = (Decimal(10) ** 4, Decimal(10) ** 8)
_SYNONYMS = (frozenset({"件", "起"}),)  # counting words the genre uses interchangeably for cases


def _same_measure(a: str | None, b: str | None) -> bool:
    return same_measure(a, b) or frozenset({a, b}) in _SYNONYMS or _generic_count(a, b)


def _generic_count(a: str | None, b: str | None) -> bool:
    """个 is the general measure word: 6个违法案件 counts what 6件 counts, 3个企业 what 3家
    counts — but not visits (人次, 家次) nor a scaled count (万株)."""
    if "个" not in (a, b) or a == b:
        return False
    other = normalise_unit(b if a == "个" else a)
    return (
        other is not None
        and other.kind == "count"
        and other.scale == 1
        and not other.canonical.endswith("次")
    )


def _convert(value: Decimal, unit: str, to: str) -> Decimal | None:
    if frozenset({unit, to}) in _SYNONYMS or _generic_count(unit, to):
        return value
    return convert(value, unit, to)


def _value_unit(figure: Figure) -> str:
    unit = normalise_unit(figure.unit)
    return unit.canonical if unit else figure.unit


def _absolute(q: Quantity | None, figure: Figure) -> bool:
    """Is a change written as a difference in the figure's own unit (同比减少22件,
    下降1.4微克/立方米, EQI 提高0.23) rather than as a percentage or 个百分点?"""
    if q is None or q.unit in ("%", "个百分点") or figure.value is None:
        return False
    unit = _value_unit(figure)
    if q.unit is None:
        return not unit or unit == "%"  # a bare number: the index's own scale, or points
    return unit != "%" and _same_measure(q.unit, unit)


def _unit_of(
    figure: Figure, figure_set: FigureSet, field_name: FigureField, q: Quantity | None = None
) -> str:
    if field_name == "change":
        if _absolute(q, figure):
            return _value_unit(figure)
        change = figure_set.change(figure.id)
        if change is not None and change.mode == "count" and q is not None and q.unit == "%":
            return "%"  # a count's change as a percentage, as real texts often write it
        return change.unit if change else ""
    if field_name == "completion":
        return "%"
    return _value_unit(figure)


def _raw(
    figure: Figure, figure_set: FigureSet, field_name: FigureField, q: Quantity | None = None
) -> Decimal | None:
    """The unrounded number behind a field, so a text may round it to any precision."""
    if field_name == "change":
        change = figure_set.change(figure.id)
        if change is None:
            return None
        if _absolute(q, figure):
            return abs(change.current - change.previous)
        if change.mode == "points" or not change.previous:
            return abs(change.current - change.previous) if change.mode == "points" else 0
        return abs((change.current - change.previous) / change.previous * 100)
    if field_name == "completion":
        check = figure_set.target(figure.id)
        if check is None or check.completion is None or not check.target:
            return None
        return check.actual / check.target * 100
    return expected_number(figure, figure_set, field_name)


def _fits_field(q: Quantity, figure: Figure, fs: FigureSet, field_name: FigureField) -> Fit:
    expected = _raw(figure, fs, field_name, q)
    unit = _unit_of(figure, fs, field_name, q)
    result = _fit(q, expected, unit)
    if result == "no" and field_name in ("change", "completion") and not _absolute(q, figure):
        shown = expected_number(figure, fs, field_name)  # the rounded figure as rendered
        change = fs.change(figure.id) if field_name == "change" else None
        if change is not None and change.mode == "count":
            unit = change.unit  # 减少1天 written 减少1%: the right number in the wrong unit
        result = _fit(q, shown, unit)
    return result


@dataclass(frozen=True)
class _Member:
    """A number of a 分别 list ("PM2.5、PM10浓度分别为38.4和68.7"): the list's subject, split into
    items, and which item this number stands for."""

    subject: str
    items: tuple[str, ...]
    index: int


_JOINER = re.compile(r"\s*(?:、|和|及|与|以及)\s*")
_SIGNS = "+-−－＋"


def _split_items(subject: str, count: int) -> tuple[str, ...] | None:
    for pattern in ("、", "、|和|及|与"):
        items = tuple(re.split(pattern, subject))
        if len(items) == count and all(item.strip() for item in items):
            return items
    return None


def _groups(text: str, quantities: Sequence[Quantity]) -> list[list[int]]:
    """Runs of numbers joined only by 、/和/及/与 ("14件、9件和9件")."""
    groups: list[list[int]] = []
    for position, q in enumerate(quantities):
        if position and _JOINER.fullmatch(text[quantities[position - 1].end : q.start]):
            groups[-1].append(position)
        else:
            groups.append([position])
    return [g for g in groups if len(g) > 1]


def _members(text: str, quantities: Sequence[Quantity]) -> dict[int, _Member]:
    """Number position → its place in a 分别 list. A list without a subject of its own (同比分别
    下降3.5%和3.1%) takes the items of the sentence's previous list, or else stands for the
    figures of the numbers just before it (出动…3690人次，检查…1274家次，分别同比下降3.3%和3.1%):
    those members get no items."""
    out: dict[int, _Member] = {}
    last: tuple[int, str, tuple[str, ...]] | None = None
    for group in _groups(text, quantities):
        first = quantities[group[0]]
        sentence_start, _ = span_bounds(text, first.start, first.end, _SENTENCE_STOPS)
        clause_start, _ = span_bounds(text, first.start, first.end, _CLAUSE_STOPS)
        head = text[clause_start : first.start]
        if "分别" not in head:
            continue
        subject = head[: head.rfind("分别")]
        items = _split_items(subject, len(group))
        if items is None and last and last[0] == sentence_start and len(last[2]) == len(group):
            _, subject, items = last
        if items is None:
            for index, position in enumerate(group):
                out[position] = _Member("", (), index)
            continue
        last = (sentence_start, subject, items)
        for index, position in enumerate(group):
            out[position] = _Member(subject, items, index)
    return out


def _normalise_quantities(
    text: str, quantities: Sequence[Quantity], *, tabled: bool = False
) -> list[Quantity]:
    """What a reader infers from the layout: a signed number is a change (−3.5% in a table's 同比
    column: 下降3.5%); in a table row a percentage after the row's value is its change; and the
    later numbers of a list share the first one's direction (同比下降3.5%和3.1%)."""
    out = list(quantities)
    for position, q in enumerate(out):
        signed = q.number_text[:1] in _SIGNS if q.number_text else False
        if q.value and signed and q.direction is None:
            word = "上升" if q.value > 0 else "下降"
            out[position] = replace(q, value=abs(q.value), is_change=True, direction=word)
        elif (
            "\t" in text
            and not tabled
            and q.unit in ("%", "个百分点")
            and not q.is_change
            and position
            and "\t" in text[out[position - 1].end : q.start]
        ):
            out[position] = replace(q, is_change=True)
    for group in _groups(text, out):
        first = out[group[0]]
        if not first.is_change:
            continue
        for position in group[1:]:
            q = out[position]
            if not q.is_change and q.direction is None:
                out[position] = replace(
                    q, is_change=True, direction=first.direction, comparison=first.comparison
                )
    return out
