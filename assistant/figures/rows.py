"""One row as a Figure: its cells parsed (numbers with qualifiers, classes, 待补) and validated."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial

from .. import domain
from ..domain import Domain, metrics_in
from ..metrics import Unit, kind_for_unit, normalise_unit, same_measure
from ..periods import Period
from ..topics import search_keys, topics_in
from ..types import Better, Figure, Metric, MetricKind, Provenance
from .arithmetic import _FULLWIDTH, _NUMBER, _PLAIN, _class_of
from .tables import _Problems, _Row, _Table

_ID = re.compile(r"[a-z][a-z0-9_]*")
_MISSING = re.compile(r"^(?:〔待补(?:[:：][^〕]*)?〕|\[待补\]|【待补】|待补)$")
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
# A number with the words that qualify it (约4.2, 近3万, 40余, 120多, ≥95, 95以上, a rank 第2).
_QUALIFIED = re.compile(
    r"^(?P<before>约|近|将近|接近|大约|逾|超过|超|不足|不到|≥|≤|>=|<=|>|<|第)?"
    r"(?P<number>[+-]?[\d,]+(?:\.\d+)?)(?P<big>万|亿)?(?P<after>余|多|左右|以上|以下|以内)?"
    r"(?P<big2>万|亿)?$"
)
_BIG = {"万": Decimal(10000), "亿": Decimal(100000000)}


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


def _not_a_number(text: str) -> str:
    """What to tell a user whose value cell is not a number."""
    if re.search(r"\d\s*[^\d.,\s]+$", text):
        return "把数字和单位分开：数字写在数值列，单位写在单位列"
    return "改为数字；尚无数据就写〔待补〕或留空"


@dataclass(frozen=True)
class _Numbers:
    value: Decimal | None
    written: str
    category: str | None


_EMPTY = _Numbers(None, "", None)


def _read_value(text: str, is_class: bool) -> tuple[_Numbers, tuple[str, str] | None]:
    """A cell's numbers, and what is wrong with it (what, what to do) or None."""
    written = text.strip()
    if not is_class and _PLAIN.fullmatch(written):  # 41.6: what _number would make of it
        return _Numbers(Decimal(written), written, None), None
    if not written or _MISSING.match(written):
        return _EMPTY, None
    if is_class:
        category = _class_of(written)
        if category is None:
            return _Numbers(None, written, None), (
                f"“{written}”不是类别（Ⅰ–Ⅴ类）",
                "写作 Ⅰ、Ⅱ、Ⅲ、Ⅳ、Ⅴ 或 劣Ⅴ",
            )
        return _Numbers(None, written, category), None
    value = _number(written)
    if value is None:
        return _Numbers(None, written, None), (f"“{written}”不是数字", _not_a_number(written))
    return _Numbers(value, written.translate(_FULLWIDTH).replace(",", ""), None), None


# _read_value of a number cell and of a class cell, cached by the text alone: a large file
# writes the same few hundred numbers on row after row.
_VALUE_READERS = (
    lru_cache(maxsize=4096)(partial(_read_value, is_class=False)),
    lru_cache(maxsize=1024)(partial(_read_value, is_class=True)),
)


def names_said(pack: Domain, rows: Iterable[_Row]) -> dict[str, tuple[Metric | None, str | None]]:
    """Each distinct name of a file's rows with the dictionary metric and the topic it says,
    looked up in one search over all the names (a large file may name a hundred thousand), and
    once for names alike but for their numbers (search_keys)."""
    names = list(dict.fromkeys(row.name for row in rows))
    keys = search_keys(pack, names)
    distinct = list(dict.fromkeys(keys))
    metric_of = dict(zip(distinct, metrics_in(pack, distinct), strict=True))
    metrics = [metric_of[key] for key in keys]
    metric_topics = [metric.topic if metric else None for metric in metrics]
    topics = topics_in(pack, names, metric_topics, keys)
    return dict(zip(names, zip(metrics, topics, strict=True), strict=True))


@lru_cache(maxsize=1024)
def _measure(
    pack: Domain, unit: str, metric: Metric | None
) -> tuple[Unit | None, bool, MetricKind, Better | None]:
    """What a written unit says of a figure of ``metric`` (or of no dictionary metric): the
    Unit, whether it is a class, the kind and the default direction. Cached: a file writes a
    handful of units."""
    normalised = normalise_unit(unit, pack)
    is_class = normalised is not None and normalised.kind == "class"
    is_class = is_class or (not unit and metric is not None and metric.kind == "category")
    kind: MetricKind
    if is_class:
        kind = "category"
    elif normalised is not None and normalised.kind == "percent":
        kind = "rate"
    elif metric is not None and (same_measure(metric.unit, unit) or not (unit or metric.unit)):
        kind = metric.kind
    else:
        kind = kind_for_unit(unit)
    better = metric.better if metric is not None and kind == metric.kind else None
    return normalised, is_class, kind, better


def _build_figure(
    row: _Row,
    table: _Table,
    file: str,
    problems: _Problems,
    period: Period | None,
    said: tuple[Metric | None, str | None],
) -> Figure | None:
    """One row of the file ``file`` as a Figure of ``period`` (the row's own, else the
    report's) with the metric and topic its name says (``said``), or None when the row has
    errors (collected in ``problems``)."""
    col = table.headers
    name, unit, source = row.name, row.unit, row.source
    well_formed = name and (source or "source" not in col) and _ID.fullmatch(row.id)
    ok = bool(well_formed) or _identity_ok(row, col, problems)  # the usual row: nothing to say
    metric, topic = said
    measure, is_class, kind, better = _measure(domain.current(), unit, metric)
    if unit and measure is None:
        problems.warn(
            row.number, col.get("unit"), f"不认识的单位“{unit}”", "确认单位写法；同比等仍按数值计算"
        )
    read = _VALUE_READERS[is_class]
    value, wrong = read(row.value)
    previous, wrong_previous = read(row.previous)
    target, wrong_target = read(row.target)
    if wrong or wrong_previous or wrong_target:
        _report_values(row, col, (wrong, wrong_previous, wrong_target), problems)
    optional = row.better or row.decimals or row.topic or row.sum
    options = _options(row, col, problems) if optional else _NO_OPTIONS  # most rows fill none
    if not ok or options is None:
        return None
    provenance = object.__new__(Provenance)  # as types.built makes them, fields written out
    place = provenance.__dict__  # filled in field order: they share the class's keys
    place["file"] = file
    place["row"] = row.number
    place["source"] = source
    place["sheet"] = table.sheet
    figure = object.__new__(Figure)
    values = figure.__dict__
    values["id"] = row.id
    values["name"] = name
    values["value"] = value.value
    values["written"] = value.written if value.category is None else value.category
    values["unit"] = unit
    values["unit_canonical"] = measure.canonical if measure else None
    values["period"] = period
    values["provenance"] = provenance
    values["kind"] = kind
    values["topic"] = options.topic or topic
    values["better"] = options.better or better
    values["metric"] = metric.name if metric else None
    values["category"] = value.category
    values["previous"] = previous.value
    values["previous_written"] = previous.category or previous.written or None
    values["target"] = target.value
    values["target_written"] = target.category or target.written or None
    values["scope"] = row.scope or None
    values["note"] = row.note or None
    values["decimals"] = options.decimals
    values["sum_of"] = options.sum_of
    values["computed"] = False
    return figure


def _report_values(
    row: _Row,
    col: Mapping[str, str],
    wrongs: tuple[tuple[str, str] | None, ...],
    problems: _Problems,
) -> None:
    """Collect what is wrong with the value, previous and target cells, in that order."""
    headers = (col["value"], col.get("previous", "上年同期"), col.get("target", "目标"))
    for header, wrong in zip(headers, wrongs, strict=True):
        if wrong is not None:
            problems.error(row.number, header, *wrong)


def _identity_ok(row: _Row, col: Mapping[str, str], problems: _Problems) -> bool:
    """The row's id, name and (when the file has the column) source are there and well formed."""
    figure_id = row.id
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
    if not row.name:
        example = domain.examples().metric
        problems.error(row.number, col["name"], "缺少指标名称", f"填写指标名称，如 {example}")
        ok = False
    if not row.source and "source" in col:
        problems.error(
            row.number,
            col.get("source", "来源"),
            "缺少来源",
            f"写明数据出处，如 {domain.examples().source}",
        )
        ok = False
    return ok


@dataclass(frozen=True)
class _Options:
    """The optional cells of a row: 方向, 小数位, 主题, 合计."""

    better: Better | None
    decimals: int | None
    topic: str | None
    sum_of: tuple[str, ...]


_NO_OPTIONS = _Options(None, None, None, ())


def _options(row: _Row, col: Mapping[str, str], problems: _Problems) -> _Options | None:
    """The row's optional cells, or None when one of them is wrong (each problem collected)."""
    ok = True
    better: Better | None = None
    if row.better:
        better = _BETTER.get(row.better.strip().lower())  # type: ignore[assignment]
        if better is None:
            problems.error(
                row.number,
                col.get("better"),
                f"方向“{row.better}”无法识别",
                "写“越低越好”或“越高越好”（英文 lower / higher）",
            )
            ok = False
    decimals = None
    if row.decimals:
        if re.fullmatch(r"[0-6]", row.decimals.strip()):
            decimals = int(row.decimals)
        else:
            problems.error(
                row.number,
                col.get("decimals"),
                f"小数位“{row.decimals}”无效",
                "写 0 到 6 之间的整数",
            )
            ok = False
    topic = row.topic or None
    if topic and topic not in domain.topics():
        problems.warn(
            row.number,
            col.get("topic"),
            f"主题“{topic}”不在约定列表中",
            "可用：" + "、".join(domain.topics()),
        )
    sum_of: list[str] = []
    if row.sum:
        sum_of = [part.strip() for part in re.split(r"[+＋]", row.sum)]
        if not all(_ID.fullmatch(part) for part in sum_of):
            problems.error(
                row.number,
                col.get("sum"),
                f"合计“{row.sum}”格式不对",
                "写成用 + 连接的 id，如 cases_air+cases_water",
            )
            ok = False
    return _Options(better, decimals, topic, tuple(sum_of)) if ok else None
