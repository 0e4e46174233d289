"""Our unit table and the metric dictionary's entry points: what a figure's name and unit mean
for arithmetic.

The metrics themselves are the active domain pack's (assistant/domain.py, metrics.yaml); this
module keeps the unit arithmetic. The figures loader asks it for a figure's topic, better
direction and kind when the file does not say; the number extractor asks it which metric the
words before a number name. Units are normalised so every spelling of one unit (微克/立方米,
μg/m³, ug/m3) compares equal, and scaled so 万元, 亿元 and 元 can be compared (``convert``).
A pack adds the units its metrics need to the core table here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from . import domain
from .domain import Domain
from .types import Metric, MetricKind

__all__ = [
    "COUNT_UNITS",
    "Metric",
    "Unit",
    "convert",
    "find_metric",
    "kind_for_unit",
    "metric_by_name",
    "normalise_unit",
    "same_measure",
    "unit_spellings",
]

# --- units -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A normalised unit: its canonical spelling, the base unit it scales to, and its kind.

    Two quantities are comparable when their units share ``base``; ``scale`` converts to it
    (万元 → base 元, scale 10000). ``kind`` groups units for the 同比 rule: "percent",
    "points", "concentration", "money", "mass", "length", "area", "volume", "time", "count",
    "class", "ratio" (倍), "other".
    """

    canonical: str
    base: str
    scale: Decimal
    kind: str


# canonical → (spellings, base, scale to base, kind): the units every office writes; a domain
# pack adds its own (concentrations, …) in its metrics.yaml.
_CORE_UNITS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "%": (("%", "百分比"), "%", "1", "percent"),
    "个百分点": (("个百分点", "百分点"), "个百分点", "1", "points"),
    "元": (("元",), "元", "1", "money"),
    "万元": (("万元",), "元", "10000", "money"),
    "亿元": (("亿元",), "元", "100000000", "money"),
    "吨": (("吨", "t"), "吨", "1", "mass"),
    "千克": (("千克", "公斤", "kg"), "吨", "0.001", "mass"),
    "万吨": (("万吨",), "吨", "10000", "mass"),
    "米": (("米", "m"), "米", "1", "length"),
    "公里": (("公里", "千米", "km"), "米", "1000", "length"),
    "毫米": (("毫米", "mm"), "米", "0.001", "length"),
    "厘米": (("厘米", "cm"), "米", "0.01", "length"),
    "平方米": (("平方米", "m2"), "平方米", "1", "area"),
    "平方公里": (("平方公里", "km2"), "平方米", "1000000", "area"),
    "亩": (("亩",), "平方米", "666.6666666666666666666666667", "area"),
    "公顷": (("公顷",), "平方米", "10000", "area"),
    "立方米": (("立方米", "m3"), "立方米", "1", "volume"),
    "天": (("天", "日"), "天", "1", "time"),
    "小时": (("小时", "h"), "小时", "1", "time"),
    "个月": (("个月",), "个月", "1", "time"),
    "年": (("年",), "年", "1", "time"),
    "类": (("类",), "类", "1", "class"),
    "倍": (("倍",), "倍", "1", "ratio"),
    "分贝": (("分贝", "dB(A)", "dB（A）", "dBA", "dB"), "分贝", "1", "other"),
    "分": (("分",), "分", "1", "other"),
    "千瓦": (("千瓦", "kw"), "千瓦", "1", "other"),
    "分钟": (("分钟",), "分钟", "1", "time"),
    "周": (("周",), "周", "1", "time"),
    "吨/日": (("吨/日", "吨/天", "t/d"), "吨/日", "1", "other"),
    "立方米/日": (("立方米/日", "立方米/天", "m3/d"), "立方米/日", "1", "other"),
    "吨/年": (("吨/年", "t/a"), "吨/年", "1", "other"),
}

# measure words: each its own base, so 家 and 家次 never silently compare equal
_COUNT_WORDS = """
件 起 家 家次 厂次 人次 车次 辆次 人 名 个 项 份 次 批 批次 条 处 座 台 套 辆 艘
户 所 场 期 轮 宗 块 篇 部 张 组 支 只 根 口 头 株 棵
"""
COUNT_UNITS = tuple(_COUNT_WORDS.split())
for _word in COUNT_UNITS:
    _CORE_UNITS[_word] = ((_word,), _word, "1", "count")

_PREFIXES = {
    "万": Decimal(10000),
    "亿": Decimal(100000000),
    "千": Decimal(1000),
    "百": Decimal(100),
}


def _spelling_key(written: str) -> str:
    """Fold width, case, superscripts and micro signs so every spelling of a unit meets."""
    text = unicodedata.normalize("NFKC", written).strip().lower()
    text = text.replace("µ", "μ").replace("／", "/").replace(" ", "")
    return text


@cache
def _unit_table(pack: Domain) -> dict[str, tuple[tuple[str, ...], str, Decimal, str]]:
    """The core units and the pack's own, canonical → (spellings, base, scale, kind)."""
    table = {
        canonical: (spellings, base, Decimal(scale), kind)
        for canonical, (spellings, base, scale, kind) in _CORE_UNITS.items()
    }
    for canonical, spec in pack.metrics.units.items():
        table[canonical] = (spec.spellings, spec.base, spec.scale, spec.kind)
    return table


@cache
def _spellings(pack: Domain) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, (spellings, _base, _scale, _kind) in _unit_table(pack).items():
        for spelling in (canonical, *spellings):
            table[_spelling_key(spelling)] = canonical
    return table


def unit_spellings() -> tuple[str, ...]:
    """Every accepted unit spelling, longest first (for matching units after a number)."""
    table = _unit_table(domain.current())
    forms = {s for spellings, *_ in table.values() for s in spellings} | set(table)
    return tuple(sorted(forms, key=len, reverse=True))


def normalise_unit(written: str | None, pack: Domain | None = None) -> Unit | None:
    """The Unit a written spelling means, or None when we do not know it.

    A 万/亿/千 prefix on a known unit scales it (万人次, 万亩, 千吨); 万元/亿元/万吨 are units of
    their own. An empty unit is None too (a bare number). ``pack`` is the domain whose units
    count (default: the active one).
    """
    if not written or not written.strip():
        return None
    return _unit_of(pack or domain.current(), written)


@lru_cache(maxsize=1024)
def _unit_of(pack: Domain, written: str) -> Unit | None:
    """Cached by spelling: a figures file writes a handful of units on every row."""
    key = _spelling_key(written)
    canonical = _spellings(pack).get(key)
    if canonical is not None:
        _s, base, scale, kind = _unit_table(pack)[canonical]
        return Unit(canonical, base, scale, kind)
    if len(key) > 1 and key[0] in _PREFIXES:
        inner = normalise_unit(key[1:], pack)
        if inner is not None and inner.kind not in ("percent", "points", "class"):
            return Unit(
                key[0] + inner.canonical, inner.base, inner.scale * _PREFIXES[key[0]], inner.kind
            )
    return None


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (2.977亿元 → 29770万元); None if the
    units are unknown or measure different things."""
    source, target = normalise_unit(from_unit), normalise_unit(to_unit)
    if source is None or target is None or source.base != target.base:
        return None
    return value * source.scale / target.scale


def same_measure(a: str | None, b: str | None) -> bool:
    """True when two written units measure the same thing (万元 and 亿元; not % and 个百分点)."""
    ua, ub = normalise_unit(a), normalise_unit(b)
    return ua is not None and ub is not None and ua.base == ub.base


# --- metrics: the active domain pack's dictionary (assistant/domain.py) ---------------------

find_metric = domain.find_metric
metric_by_name = domain.metric_by_name


def __getattr__(name: str) -> object:
    """METRICS: the active pack's metric dictionary (a module attribute for older callers)."""
    if name == "METRICS":
        return domain.metrics()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def kind_for_unit(unit: str | None) -> MetricKind:
    """What a unit alone says about a figure's kind, for names the dictionary does not know."""
    normalised = normalise_unit(unit)
    if normalised is None:
        return "amount"
    kinds: dict[str, MetricKind] = {
        "percent": "rate",
        "points": "rate",
        "concentration": "concentration",
        "class": "category",
        "count": "count",
    }
    return kinds.get(normalised.kind, "amount")
