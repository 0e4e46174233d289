"""科室 items said in the bureau's phrasing: each item's own words with its numbers as figure
references and a 〔item:id〕 mark after it, items of one kind joined in the genre's forms — one
campaign after another (先后开展…、…等专项行动), the rest as 一是…；二是…；.

Nothing is invented: an item keeps its words; only what the bureau's voice drops goes — the 科室
speaking of itself (执法大队将, 我科) and the period word its section already says (上半年，).
The forms and those words are the domain pack's (items.yaml ``forms``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from .. import domain
from ..outline import cn_number
from ..prose import ref
from ..types import Item
from .facts import numbers_of

PER_PARAGRAPH = 8  # 一是… items a paragraph takes before the list goes on in the next


def mark(item: Item) -> str:
    """The mark a writer puts after the words that state ``item`` (assistant.render.ITEM_MARK)."""
    return f"〔item:{item.id}〕"


@cache
def _forms(pack: domain.Domain) -> dict[str, Any]:
    return dict(domain.file_data(pack, "items.yaml")["forms"])


def forms() -> dict[str, Any]:
    return _forms(domain.current())


def _voice(text: str, item: Item, labels: Sequence[str]) -> str:
    """The item's words as the bureau says them in its section: a leading period word its
    section already names (上半年，) and the 科室 speaking of itself (执法大队将, 我科) go."""
    table = forms()
    times = "|".join(re.escape(label) for label in labels if label)
    if times:
        text = re.sub(rf"^(?:{times})(?:以来)?[，,]\s*", "", text)
    subject = table["subject"].format(office=re.escape(item.office))
    return re.sub(rf"^(?:{subject})", "", text).lstrip("，, ")


def clause(item: Item, labels: Sequence[str] = ()) -> str:
    """The item as one clause of a list: its words, its numbers as references to its figures,
    inner semicolons as commas (the list's own separator is ；), no closing stop."""
    text = item.text
    pieces: list[str] = []
    last = 0
    for quantity, figure_id in zip(numbers_of(item), item.figure_ids, strict=False):
        pieces.append(text[last : quantity.start])
        pieces.append(ref(figure_id))
        last = quantity.end
    pieces.append(text[last:])
    said = _voice("".join(pieces), item, labels)
    return said.rstrip("。；;，, ").replace("；", "，").replace(";", "，")


def campaign_name(item: Item) -> str | None:
    """The campaign an item only names (开展河湖“清四乱”专项行动 → 河湖“清四乱”), else None: an
    item that says more (what was found, how many) stays an item of its own."""
    text = item.text.rstrip("。")
    if numbers_of(item) or re.search(r"[，,；;]", text):
        return None
    found = re.fullmatch(forms()["campaign_item"], text)
    return found.group("name") if found else None


def paragraphs(items: Sequence[Item], labels: Sequence[str] = ()) -> list[str]:
    """The items of one section as paragraphs: campaigns joined (先后开展A、B等专项行动), then
    the rest as 一是…；二是…；, at most PER_PARAGRAPH to a paragraph, numbering going on.
    A single item is a sentence of its own, unnumbered."""
    table = forms()
    campaigns = [(i, n) for i in items if (n := campaign_name(i)) is not None]
    listed: list[str] = []
    if len(campaigns) >= 2:
        names = table["name_separator"].join(n + mark(i) for i, n in campaigns)
        listed.append(table["campaigns"].format(names=names))
    else:
        campaigns = []
    taken = {i.id for i, _ in campaigns}
    listed += [clause(i, labels) + mark(i) for i in items if i.id not in taken]
    if len(listed) == 1:
        return [listed[0] + "。"]
    out: list[str] = []
    size = -(-len(listed) // -(-len(listed) // PER_PARAGRAPH))  # even paragraphs
    for start in range(0, len(listed), size):
        chunk = listed[start : start + size]
        numbered = [
            table["ordinal"].format(n=cn_number(start + k + 1), text=text)
            for k, text in enumerate(chunk)
        ]
        out.append(table["separator"].join(numbered) + "。")
    return out
