"""The numbers inside 科室 items as figures, and what must be settled before drafting: an item
number the figures file contradicts, a fact two notes both wrote.

Every number of an item (assistant.numbers.extract_numbers) becomes a Figure whose provenance is
the item — its file, table row or paragraph, and 科室 — so the number rules hold unchanged: a
draft cites it, the checker verifies it, an editor's change is caught. Its ``written`` keeps the
number as the 科室 wrote it (3000余), so rendering it gives back the item's own words.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from .. import domain
from ..domain import match_key
from ..figures import round_half_up
from ..metrics import (
    convert,
    find_metric,
    kind_for_unit,
    metric_by_name,
    normalise_unit,
    same_measure,
)
from ..numbers import extract_numbers
from ..periods import Period
from ..reading import normalise_for_matching
from ..types import Figure, FigureSet, Item, ItemProblem, Provenance, Quantity

ID_PREFIX = "item_"
DUPLICATE_SHARE = 0.5  # bigram overlap of two items with the same numbers that makes them one
SAID_SHARE = 0.8  # share of an item's word bigrams the figures' names must hold to say it all
VERB_CHARS = 2  # a clause left with no more than this beside a stated figure's name only repeats it
_BRACKETS = re.compile(r"（[^）]*）|\([^)]*\)")


@dataclass(frozen=True)
class ItemNumber:
    """A number of an item as a figure, with the quantity it was read from (its span in the
    item's text, for writers that put a reference where the number stood)."""

    figure: Figure
    quantity: Quantity


def numbers_of(item: Item) -> list[Quantity]:
    """The plain numbers of an item's text (no masked numbers, classes or ranges)."""
    return [q for q in extract_numbers(item.text) if q.form == "number" and q.value is not None]


def figure_prefix(item: Item | str) -> str:
    """The stable stem of an item's figure ids (item_3fa2b1c0), from its id."""
    item_id = item if isinstance(item, str) else item.id
    return f"{ID_PREFIX}{zlib.crc32(item_id.encode('utf-8')):08x}"


def numbered(item: Item) -> Item:
    """``item`` with the ids its numbers have as figures (item_numbers gives them in this
    order), for an item read back from a sidecar."""
    count = len(numbers_of(item))
    return replace(
        item, figure_ids=tuple(f"{figure_prefix(item)}_{k}" for k in range(1, count + 1))
    )


def _written(quantity: Quantity) -> str:
    """The number as written, without its unit: 3000余, 203.4915, 40."""
    unit = quantity.unit_written or ""
    text = quantity.text
    return text[: len(text) - len(unit)] if unit and text.endswith(unit) else quantity.number_text


def item_numbers(item: Item, period: Period | None, sheet: str | None = None) -> list[ItemNumber]:
    """Each number of ``item`` as a figure sourced to the item."""
    found = []
    source = f"{item.office}，{item.source}" if item.source else f"{item.office}材料"
    where = Provenance(item.file, item.row or item.line or 0, source, sheet)
    for index, quantity in enumerate(numbers_of(item), start=1):
        unit = quantity.unit_written or ""
        normalised = normalise_unit(unit)
        metric = find_metric(quantity.metric) if quantity.metric else None
        name = quantity.metric or quantity.context.strip("，,、 ")[-16:] or f"{item.office}事项"
        figure = Figure(
            id=f"{figure_prefix(item)}_{index}",
            name=name,
            value=quantity.value,
            written=_written(quantity),
            unit=unit,
            unit_canonical=normalised.canonical if normalised else None,
            period=period,
            provenance=where,
            kind=metric.kind if metric is not None else kind_for_unit(unit),
            topic=item.topic,
            better=metric.better if metric is not None else None,
            metric=metric.name if metric is not None else None,
            note=f"{item.id}：{item.text}",
        )
        found.append(ItemNumber(figure, quantity))
    return found


# --- conflicts with the figures file --------------------------------------------------------


def _bare(name: str) -> str:
    return normalise_for_matching(_BRACKETS.sub("", name))


def _names_last(quantity: Quantity, figure: Figure) -> bool:
    """The words right before the number (but for a link: 达到, 共) are a name the domain pack
    gives the figure's metric (办理环境违法案件35件 for 立案查处; not 审批环评报告书6个, a part
    of 审批环评文件)."""
    metric = metric_by_name(figure.metric) if figure.metric else None
    if metric is None:
        return False
    words = match_key(quantity.context.strip("，,、 "))
    links = sorted(domain.data("items.yaml")["number_links"], key=len, reverse=True)
    while stripped := next((w for w in links if words.endswith(w) and len(words) > len(w)), ""):
        words = words[: -len(stripped)]
    return any(words.endswith(match_key(name)) for name in metric.names)


def _speaks_of(quantity: Quantity, figure: Figure, alone: bool) -> bool:
    """Whether an item's number states the same measure as a figure of the file: the figure's
    full name stands in the words before the number, or the number's metric (the domain pack's
    aliases, resolved as the figures loader resolves names) is the figure's, no other figure of
    the file has it, and — for a count — a name of it ends the words before the number (a count
    of a part of the work, 抽查企业368家次, is never the file's total)."""
    if not same_measure(figure.unit, quantity.unit_written or ""):
        return False
    if _bare(figure.name) and _bare(figure.name) in _bare(quantity.context):
        return True
    if not alone or quantity.metric is None or quantity.metric != figure.metric:
        return False
    return figure.kind == "rate" or quantity.unit == "%" or _names_last(quantity, figure)


def _agrees(quantity: Quantity, figure: Figure) -> bool:
    """The item's number is the figure's, at the precision the item wrote it."""
    assert figure.value is not None and quantity.value is not None
    value = convert(figure.value, figure.unit, quantity.unit_written or "")
    return value is not None and round_half_up(value, quantity.places) == quantity.value


def conflicts(
    item: Item, numbers: Sequence[ItemNumber], figure_set: FigureSet
) -> list[ItemProblem]:
    """Each number of ``item`` that states a figure of the file and disagrees with it (办结率100%
    in a note, 98.6% in the file). An approximate number (约、余、多) is never a conflict."""
    found = []
    own = [f for f in figure_set if f.value is not None and f.period in (None, figure_set.period)]
    for number in numbers:
        quantity = number.quantity
        if quantity.approx:
            continue
        same_metric = [f for f in own if quantity.metric and f.metric == quantity.metric]
        speaking = [f for f in own if _speaks_of(quantity, f, len(same_metric) == 1)]
        if not speaking or any(_agrees(quantity, f) for f in speaking):
            continue
        figure = max(speaking, key=lambda f: len(_bare(f.name)))
        found.append(
            ItemProblem(
                kind="conflict",
                message=(
                    f"{item.where}（{item.office}）写“{quantity.text}”，数据表"
                    f"{figure.provenance.describe()}的“{figure.name}”为"
                    f"{figure.written}{figure.unit}：请核实后改正其中一处，此事项暂不写入：{item.text}"
                ),
                file=item.file,
                item_id=item.id,
                row=item.row if item.row is not None else item.line,
                figure_id=figure.id,
            )
        )
    return found


def said_by(item: Item, figures: Sequence[Figure]) -> bool:
    """Whether figures a section states already say all of an item: each of its numbers is one
    of theirs (same measure and value) and its other words are their names (受理环境信访件241件，
    办结率100% beside the file's 受理环境信访件 and 环境信访办结率) — so it is not said twice."""
    numbers = numbers_of(item)
    if not numbers or any(q.approx for q in numbers):
        return False
    stated = [f for f in figures if f.value is not None]

    def said(q: Quantity) -> bool:
        alone = sum(1 for f in stated if q.metric and f.metric == q.metric) == 1
        return any(_speaks_of(q, f, alone) and _agrees(q, f) for f in stated)

    if not all(said(q) for q in numbers):
        return False
    words = item.text
    for quantity in reversed(numbers):
        words = words[: quantity.start] + words[quantity.end :]
    own = _bigrams(words)
    named = set().union(*(_bigrams(f.name) for f in stated))
    return bool(own) and len(own & named) / len(own) >= SAID_SHARE


# --- clauses the figures already say ---------------------------------------------------------

_CLAUSE = re.compile(r"[^，,；;]+[，,；;]?")


def _said_clause(
    clause: str,
    start: int,
    numbers: Sequence[Quantity],
    stated: Sequence[Figure],
    frame: Sequence[str],
) -> bool:
    """Whether a clause of an item (its text from ``start``) says only what stated figures say:
    it has numbers, each is a stated figure's value at the precision the item wrote it (2.98亿元
    for 2.977亿元), and its other words, but for ``frame`` words that state no fact of their
    own (确保完成全年…任务), are those figures' names (完成投资 in 重点工程完成投资)."""
    if not numbers or any(q.approx for q in numbers):
        return False
    names: list[Figure] = []
    for quantity in numbers:
        agreeing = [f for f in stated if _agrees(quantity, f)]
        if not agreeing:
            return False
        names += agreeing
    words = clause
    for quantity in reversed(numbers):
        words = words[: quantity.start - start] + words[quantity.end - start :]
    for word in sorted(frame, key=len, reverse=True):
        words = words.replace(word, " ")
    own = set().union(*(_bigrams(w) for w in words.split()))
    named = set().union(*(_bigrams(f.name) for f in names))
    return len(own & named) >= SAID_SHARE * len(own)


def _counts_named(quantity: Quantity, text: str, stated: Sequence[Figure]) -> bool:
    """A count written before the very name of a stated figure with that count (调度32项生态环境
    重点工程 beside 生态环境重点工程32项): the clause says more than the figure, so it stays, but
    without the count the figure already gives (调度生态环境重点工程)."""
    if quantity.approx or text[quantity.start : quantity.end] != quantity.text:
        return False
    after = _bare(text[quantity.end :])
    return any(
        _bare(f.name) and after.startswith(_bare(f.name)) and _agrees(quantity, f) for f in stated
    )


def _only_a_verb(clause: str, stated: Sequence[Figure]) -> bool:
    """Whether a clause whose count went is left as a bare verb before a stated figure's name
    (调度生态环境重点工程): alone it tells an editor nothing the figure does not."""
    words = _bare(clause.rstrip("，,；; "))
    for figure in stated:
        if _bare(figure.name):
            words = words.replace(_bare(figure.name), "")
    return len(words) <= VERB_CHARS


def unsaid(item: Item, figures: Sequence[Figure], forms: dict[str, Any]) -> Item | None:
    """``item`` without the clauses that figures a section states already say (四是新建改造城镇
    污水管网16.8公里，完成老旧小区雨污分流改造 beside the figure 16.8公里 → 完成老旧小区雨污分流
    改造), its figure ids those of the numbers left; None when every clause is said. A clause
    left that leans on a dropped one (其中报告书6个) keeps that one's words as its whole
    (审批建设项目环评文件中，报告书6个), and a count before a stated figure's very name goes
    (_counts_named): no fact of the item is lost that the figures do not say."""
    stated = [f for f in figures if f.value is not None]
    numbers = numbers_of(item)
    body = item.text.rstrip("。；;，, ")
    kept: list[str] = []
    ids: list[str] = []
    dropped: str | None = None  # the words of the clause just dropped, without its numbers
    for found in _CLAUSE.finditer(body):
        clause, start, end = found.group(), found.start(), found.end()
        within = [k for k, q in enumerate(numbers) if start <= q.start < end]
        own = [numbers[k] for k in within]
        if _said_clause(clause, start, own, stated, forms["frame_words"]):
            dropped = clause
            for quantity in reversed(own):
                dropped = dropped[: quantity.start - start] + dropped[quantity.end - start :]
            continue
        lead = forms["part_lead"]
        if dropped is not None and clause.startswith(lead):
            whole = forms["part_of"].format(whole=dropped.rstrip("，,；; "))
            clause = f"{whole}，{clause[len(lead) :].lstrip('，, ')}"
        dropped = None
        left = [k for k in within if not _counts_named(numbers[k], body, stated)]
        for k in reversed([k for k in within if k not in left]):
            at = numbers[k].start - start
            clause = clause[:at] + clause[at + len(numbers[k].text) :]
        if len(left) < len(within) and _only_a_verb(clause, stated):
            dropped = clause  # 调度生态环境重点工程 once 32项 went: a verb before the name
            continue
        kept.append(clause)
        ids += [item.figure_ids[k] for k in left if k < len(item.figure_ids)]
    if not kept:
        return None
    text = "".join(kept).rstrip("，,；; ") + "。"
    trimmed = replace(item, text=text, figure_ids=tuple(ids))
    if len(numbers_of(trimmed)) != len(ids):
        return item  # the numbers read differently without their clause: say it whole
    return trimmed


# --- duplicates -------------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    folded = re.sub(r"[^\w]", "", normalise_for_matching(text))
    return {folded[i : i + 2] for i in range(len(folded) - 1)}


def _number_key(item: Item) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(q.value), q.unit or "") for q in numbers_of(item)))


def same_fact(first: Item, second: Item) -> bool:
    """Two items say one fact: the same text, or the same numbers (at least one) in wording
    that mostly overlaps (会同执法大队开展… / 会同大气科开展…)."""
    if normalise_for_matching(first.text) == normalise_for_matching(second.text):
        return True
    key = _number_key(first)
    if not key or key != _number_key(second):
        return False
    a, b = _bigrams(first.text), _bigrams(second.text)
    return bool(a and b) and len(a & b) / len(a | b) >= DUPLICATE_SHARE


def merge_duplicates(items: Sequence[Item]) -> tuple[list[Item], list[ItemProblem]]:
    """Items with each fact once (the first written kept, the others named in its ``also``),
    and a message for each merge."""
    kept: list[Item] = []
    problems: list[ItemProblem] = []
    for item in items:
        index = next((i for i, k in enumerate(kept) if same_fact(k, item)), None)
        if index is None:
            kept.append(item)
            continue
        first = kept[index]
        kept[index] = replace(first, also=(*first.also, f"{item.where}（{item.office}）"))
        problems.append(
            ItemProblem(
                kind="duplicate",
                message=(
                    f"{item.where}（{item.office}）与{first.where}（{first.office}）"
                    f"写的是同一件事，已合并为一条（{first.id}）：{first.text}"
                ),
                file=item.file,
                item_id=first.id,
                row=item.row if item.row is not None else item.line,
            )
        )
    return kept, problems
