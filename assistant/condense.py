"""精简 without breaking the text: whole sentences or whole 一是… items go, never a clause or a
word inside one (a name cut inside, 监测数据有效率 → 监测数据率, is exactly what must not happen).

What stays: a paragraph's first sentence (its topic or the transition it opens with), every
sentence or item carrying a figure (a {{reference}} or a 〔待补〕 mark), the last sentence of a
存在的问题 paragraph (the analysis), and at least one measure where a paragraph listed some (一是…,
or in a plan a sentence without a figure after the targets). The document's opening and closing
paragraphs (the transitions) are left whole by the caller. What is left of a list is
renumbered (一是, 二是…); a lone 一是 loses its number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import extract_numbers
from .render import REFERENCE

_SENTENCE = re.compile(r"[^。！？]*[。！？]|[^。！？]+$")
_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]是)")
_NUMERALS = "一二三四五六七八九十"


@dataclass(eq=False)
class Unit:
    """A sentence, or one 一是… item of an enumerating sentence."""

    text: str
    sentence: int
    item: bool


def carries_figure(text: str) -> bool:
    """A reference, a 〔待补〕 mark, or a number written out (a document without our comments,
    an editor's own figure): such a sentence is never dropped."""
    return bool(REFERENCE.search(text) or "〔" in text or extract_numbers(text))


def units(paragraph: str) -> list[Unit]:
    found: list[Unit] = []
    for number, sentence in enumerate(_SENTENCE.findall(paragraph)):
        pieces = re.findall(r"[^；]*；|[^；]+$", sentence)
        if len(pieces) > 1 and all(_ITEM_START.match(p.lstrip()) for p in pieces):
            found.extend(Unit(p, number, True) for p in pieces)
        elif _ITEM_START.match(sentence.lstrip()):
            found.append(Unit(sentence, number, True))
        else:
            found.append(Unit(sentence, number, False))
    return found


def condense_paragraph(paragraph: str, *, problem: bool = False, plan: bool = False) -> str:
    """The paragraph with the sentences and items it can spare removed (unchanged if none)."""
    parts = units(paragraph)
    if len(parts) <= 1:
        return paragraph
    sentences = max(u.sentence for u in parts) + 1
    keep = [
        index == 0
        or parts[index].sentence == 0
        or carries_figure(part.text)
        or (problem and part.sentence == sentences - 1)
        for index, part in enumerate(parts)
    ]
    items = [i for i, part in enumerate(parts) if any(part is v for v in _listed(parts))]
    if plan and not items:  # a plan's measures may be plain sentences after its targets
        items = [i for i, part in enumerate(parts) if i > 0 and not carries_figure(part.text)]
    if items and not any(keep[i] for i in items):
        keep[items[0]] = True  # a plan keeps at least one measure
    if all(keep):
        return paragraph
    kept = [part for part, wanted in zip(parts, keep, strict=True) if wanted]
    return "".join(_renumber(kept, _listed(parts)))


def _listed(parts: list[Unit]) -> list[Unit]:
    """The paragraph's own list. A paragraph opening with a 一是 sentence that no 二是 follows
    is one item of a list across paragraphs (一是空气质量改善压力较大。…): not this list's."""
    first = [u for u in parts if u.sentence == 0]
    continued = any(u.text.lstrip().startswith("二是") for u in parts[1:])
    if len(first) == 1 and first[0].item and not continued:
        return [u for u in parts if u.item and u.sentence > 0]
    return [u for u in parts if u.item]


def _renumber(kept: list[Unit], listed: list[Unit]) -> list[str]:
    """一是/二是 in order again; a lone 一是 drops its number; each sentence ends as it ended."""
    items = [u for u in kept if any(u is v for v in listed)]
    out: list[str] = []
    for index, unit in enumerate(kept):
        text = unit.text
        if any(unit is v for v in items):
            position = next(i for i, v in enumerate(items) if v is unit)
            body = _ITEM_START.sub("", text.lstrip())
            text = body if len(items) == 1 else f"{_NUMERALS[position]}是{body}"
            last_of_sentence = index == len(kept) - 1 or kept[index + 1].sentence != unit.sentence
            if last_of_sentence and text.endswith("；"):
                text = text[:-1] + "。"
            elif not last_of_sentence and text.endswith("。"):
                text = text[:-1] + "；"
        out.append(text)
    return out
