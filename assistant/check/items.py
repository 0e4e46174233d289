"""The 科室 items a draft states, checked against the items themselves: a stretch that states an
item (its sidecar says which) must say nothing the item does not — no number, date or quoted
name of its own. An editor who changes 检查企业86家次 to 96家次, or a writer that adds 2024年 to
an item, is caught: kind ``item``, data like every finding."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from decimal import Decimal

from ..metrics import normalise_unit
from ..numbers import extract_numbers
from ..periods import dates_in
from ..provenance import Sidecar
from ..types import Finding

_NAMES = re.compile(r"“[^”]{1,30}”|《[^》]{1,40}》")


def _numbers(text: str) -> set[tuple[Decimal, str]]:
    found = set()
    for quantity in extract_numbers(text):
        if quantity.value is None:
            continue
        unit = normalise_unit(quantity.unit_written or "")
        found.add((quantity.value, unit.canonical if unit else quantity.unit or ""))
    return found


def facts_not_in(stretch: str, item: str) -> list[str]:
    """The numbers, dates and quoted names of ``stretch`` that ``item`` does not have."""
    extra: list[str] = []
    have = _numbers(item)
    for quantity in extract_numbers(stretch):
        if quantity.value is None:
            continue
        unit = normalise_unit(quantity.unit_written or "")
        key = (quantity.value, unit.canonical if unit else quantity.unit or "")
        if key not in have:
            extra.append(quantity.text)
    extra += [d for d in dates_in(stretch) if d not in item]
    extra += [n for n in _NAMES.findall(stretch) if n not in item]
    return extra


def _located(recorded: str, current: str, start: int, end: int) -> tuple[int, int] | None:
    """Where a recorded stretch of a paragraph is in the paragraph as it reads now."""
    if recorded == current:
        return start, end
    head, tail = recorded[:start], recorded[end:]
    if current.startswith(head) and current.endswith(tail) and len(current) >= len(head + tail):
        return start, len(current) - len(tail)
    matcher = difflib.SequenceMatcher(None, recorded, current, autojunk=False)
    blocks = matcher.get_matching_blocks()

    def moved(position: int) -> int | None:
        for a, b, size in blocks:
            if a <= position <= a + size:
                return b + position - a
        return None

    begin, stop = moved(start), moved(end)
    return (begin, stop) if begin is not None and stop is not None and begin < stop else None


def item_findings(texts: Sequence[str], record: Sidecar) -> list[Finding]:
    """A finding for each fact of a stated stretch that its item does not have."""
    items = {i.id: i for i in record.items}
    recorded = record.texts
    found = []
    for cited in record.item_citations:
        item = items.get(cited.item_id)
        paragraph = recorded.get(cited.paragraph)
        if item is None or paragraph is None or cited.paragraph >= len(texts):
            continue
        current = texts[cited.paragraph]
        place = _located(paragraph, current, cited.start, cited.end)
        if place is None:
            continue
        start, end = place
        for fact in facts_not_in(current[start:end], item.text):
            at = current.find(fact, start, end)
            found.append(
                Finding(
                    kind="item",
                    value=fact,
                    block=cited.paragraph,
                    start=at if at >= 0 else start,
                    end=at + len(fact) if at >= 0 else end,
                    context=current[start:end],
                    message=f"“{fact}”不在{cited.source or item.office}的事项中"
                    f"（事项原文：{item.text}）",
                    source=cited.source,
                )
            )
    return found
