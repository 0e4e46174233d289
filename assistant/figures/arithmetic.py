"""Rounding, formatting and what a figures file derives: 同比 (change_mode,
compute_change), targets and 完成率 (check_target), water-class ranks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any, Literal, TypeVar

from .. import domain
from ..metrics import normalise_unit
from ..types import Better, Change, Figure, MetricKind, TargetCheck, built, by_id, places_of

T = TypeVar("T")
DEFAULT_PERCENT_PLACES = 1  # 同比 % and 完成率, unless the row's 小数位 says otherwise
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # the common cell (12, 41.6): no folding needed
_ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5}
_ASCII_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ"}
_CLASS = re.compile(r"^(劣)?\s*(Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|I{1,3}|IV|V|[1-5])\s*类?$", re.IGNORECASE)
_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(10))  # 1, 0.1, 0.01 …
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋＞＜", "0123456789.,-+><")


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round as official statistics do: 0.05 → 0.1, 2.25 → 2.3 (not banker's rounding)."""
    quantum = _QUANTA[places] if 0 <= places < len(_QUANTA) else Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


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
    """ "同比下降3.6个百分点", "同比上升13.4%", "同比减少1天", or "与上年同期持平"."""
    if change.direction == "持平":
        return "与上年同期持平"
    return f"同比{change.word}{format_decimal(change.magnitude, change.decimals)}{change.unit}"


ChangeMode = Literal["points", "percent", "count"]


def change_mode(
    kind: MetricKind,
    unit: str | None,
    current: Decimal | None = None,
    previous: Decimal | None = None,
    pack: domain.Domain | None = None,
) -> ChangeMode | None:
    """How a 同比 change of this figure is written: "points" (个百分点), "percent" (%), "count"
    (the difference in the count's own unit: 减少1天, 增加3件), or None.

    A rate or ratio — unit % or a metric of kind rate — changes by the difference in 个百分点.
    A count whose unit the domain pack's count_change lists changes by its difference: days
    always, cases, enterprises, sections… while both values are small (the pack's small_below);
    without the values only days are known to. Everything else (amounts, concentrations, large
    counts) by the relative change in %. Categories (water classes) have no arithmetic.
    ``pack`` is the domain whose units and count rule apply (default: the active one).
    """
    if kind == "category":
        return None
    pack = pack or domain.current()
    normalised = normalise_unit(unit, pack)
    if kind == "rate" or (normalised is not None and normalised.kind == "percent"):
        return "points"
    if (
        kind != "concentration"
        and normalised is not None
        and _counted(pack, normalised.canonical, current, previous)
    ):
        return "count"
    return "percent"


def _counted(
    pack: domain.Domain, unit: str, current: Decimal | None, previous: Decimal | None
) -> bool:
    rule = pack.metrics.count_change
    if rule is None:
        return False
    if unit in rule.units:
        return True
    if unit not in rule.small_units or current is None or previous is None:
        return False
    return max(abs(current), abs(previous)) < rule.small_below


def compute_change(figure: Figure) -> Change | None:
    """The 同比 change of a figure with both a value and a previous value, else None.

    None too when a percent change would divide by a previous value of zero.
    """
    return _figure_change(domain.current(), figure, {})


class PerFigure(Mapping[str, T]):
    """What a figure set derives from each figure (同比 changes, target checks), by id, each
    worked out when first asked: a draft asks for the few dozen figures it writes, so a file of
    a hundred thousand rows loads without working them all out (iterating works out each).
    ``work_out`` gives a figure's value, or None when it has none."""

    def __init__(self, figures: Sequence[Figure], work_out: Callable[[Figure], T | None]) -> None:
        self._figures = figures
        self._work_out = work_out
        self._known: dict[str, T | None] = {}

    @cached_property
    def _by_id(self) -> dict[str, Figure]:
        return by_id(self._figures)

    def get(self, figure_id: str, default: Any = None) -> Any:  # no KeyError raised
        if figure_id in self._known:
            found = self._known[figure_id]
        elif (figure := self._by_id.get(figure_id)) is not None:
            found = self._known[figure_id] = self._work_out(figure)
        else:
            found = None
        return default if found is None else found

    def __getitem__(self, figure_id: str) -> T:
        found: T | None = self.get(figure_id)
        if found is None:
            raise KeyError(figure_id)
        return found

    def __contains__(self, figure_id: object) -> bool:
        return isinstance(figure_id, str) and self.get(figure_id) is not None

    def __iter__(self) -> Iterator[str]:
        return (figure_id for figure_id in self._by_id if self.get(figure_id) is not None)

    def __len__(self) -> int:
        return sum(1 for _figure_id in self)


def changes_of(figures: Sequence[Figure]) -> PerFigure[Change]:
    """The figures' 同比 changes as compute_change gives them, by the rules of the pack active
    now (not when one is asked); figures of the same inputs share the work, never the result
    (each change carries its own id)."""
    pack = domain.current()
    same: dict[tuple[Any, ...], Change | None] = {}
    return PerFigure(figures, lambda figure: _figure_change(pack, figure, same))


def _figure_change(
    pack: domain.Domain, figure: Figure, same: dict[tuple[Any, ...], Change | None]
) -> Change | None:
    """compute_change in ``pack``, sharing the work through ``same`` (inputs → change)."""
    if figure.value is None or figure.previous is None:
        return None
    inputs = _change_inputs(figure)
    if inputs not in same:
        same[inputs] = _change(pack, *inputs)
    found = same[inputs]
    return None if found is None else _with_id(found, figure.id)


def _change_inputs(figure: Figure) -> tuple[Any, ...]:
    """What a figure's change depends on (its id aside). Each value comes with its written
    text, so 41.6 and 41.60 (equal Decimals) never share a change."""
    return (
        figure.kind,
        figure.unit,
        figure.value,
        figure.written,
        figure.previous,
        figure.previous_written or "",
        figure.decimals,
        figure.better,
    )


def _with_id(change: Change, figure_id: str) -> Change:
    values = vars(change).copy()
    values["figure_id"] = figure_id
    return built(Change, values)  # no slow frozen __init__: one per row of a large file


def _change(
    pack: domain.Domain,
    kind: MetricKind,
    unit: str,
    current: Decimal,
    written: str,
    previous: Decimal,
    previous_written: str,
    decimals: int | None,
    better: Better | None,
) -> Change | None:
    """The change of any figure with these inputs (its figure_id left empty)."""
    if not (is_plain(written) and is_plain(previous_written)):
        return None  # 40余 against 35: a 同比 % would state a precision nobody measured
    mode = change_mode(kind, unit, current, previous, pack)
    if mode is None:
        return None
    if mode != "percent":
        places = max(places_of(written), places_of(previous_written))
        places = decimals if decimals is not None else places
        amount = round_half_up(current - previous, places)
    else:
        if previous == 0 and current != 0:
            return None
        places = decimals if decimals is not None else DEFAULT_PERCENT_PLACES
        ratio = (current - previous) / previous * 100 if previous else Decimal(0)
        amount = round_half_up(ratio, places)
    direction: Literal["上升", "下降", "持平"]
    if current == previous or amount == 0:
        direction = "持平"
    else:
        direction = "上升" if current > previous else "下降"
    improved = None
    if direction != "持平" and better is not None:
        improved = (direction == "下降") == (better == "lower")
    said = ""
    rule = pack.metrics.count_change if mode == "count" else None
    if rule is not None and direction != "持平":
        said = rule.up if direction == "上升" else rule.down
    return Change(
        figure_id="",
        current=current,
        previous=previous,
        mode=mode,
        amount=amount,
        decimals=places,
        direction=direction,
        improved=improved,
        counted=unit if mode == "count" else "",
        said=said,
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


def is_plain(written: str) -> bool:
    """Whether a written value is a bare number (not 40余, 约4.2, ≥95, 3万): only a bare number
    enters arithmetic that states a new number (同比)."""
    if _PLAIN.fullmatch(written):
        return True
    return bool(_NUMBER.match(written.translate(_FULLWIDTH).replace(" ", "")))
