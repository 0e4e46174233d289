"""Entries of 科室 material cut into one-fact items and labelled like the corpus.

A note's paragraph is cut before each 一是/二是… (assistant.splitting.item_pieces) and the rest
into sentences (assistant.gate.split_sentences); a sentence that only leads into a list (主要开展
了以下工作：) is no fact, but what it says (下半年…将) labels the items after it. A table row is
one item. Part and topic follow the corpus's rules (assistant.splitting.classify_part and the
domain pack's topic keywords), a 完成情况 cell deciding the part where it says one; an item of
no topic of its own takes its 科室's (a 科室 named for the catch-all, 综合科, names none), else
the topic the pack gives a figure of the same words (assistant.topics.figure_topic: never the
catch-all for want of a subject), else its 科室's most common one. The time an item states
(assistant.periods.stated) is checked against the report period: another year's item, or a done
item dated after the period, is held back with a message naming file and row.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import domain
from ..gate import split_sentences
from ..periods import Period, item_problem, parse, stated
from ..reading import normalise_for_matching, numbering
from ..splitting import classify_part, item_pieces
from ..topics import figure_topic
from ..types import Item, ItemProblem, Part
from .read import Entry

_ORDINAL = re.compile(r"^\s*[一二三四五六七八九十]{1,2}是[，,、：:]?\s*")
_LEAD = re.compile(r"(?:以下|如下)[^。；]{0,8}[：:。]?\s*$|[：:]\s*$")
_INLINE_HEAD = re.compile(r"^(?P<head>[^，,。；;：:“”]{2,12})[：:](?P<rest>.+)$")
_PARTS: tuple[Part, ...] = ("总结", "计划", "问题")
OFFICE_WEIGHT = 3  # a 科室's own topic counts like a keyword of weight 3 (or a heading's)


@dataclass(frozen=True)
class Piece:
    """One fact of an entry, before it gets its id: the text and the labels' evidence."""

    entry: Entry
    text: str
    context: tuple[str, ...]  # headings and the lead sentence before it


def _strip_number(text: str) -> str:
    """A fact without the list number it was written with (1. / （1） / 一是)."""
    found = numbering(text)
    if found is not None and found[0] >= 3:
        text = text[len(found[1]) :]
    return _ORDINAL.sub("", text).strip()


def pieces(entry: Entry) -> list[Piece]:
    """The facts of an entry: a table row whole, a note paragraph cut at 一是… and sentences."""
    if entry.row is not None:
        return [Piece(entry, _sentence_end(_strip_number(entry.text)), entry.headings)]
    found: list[Piece] = []
    lead: tuple[str, ...] = ()
    for chunk in item_pieces(_strip_number(entry.text)):
        if _ORDINAL.match(chunk):
            text = _strip_number(chunk).rstrip("；;")
            found.append(Piece(entry, _sentence_end(text), entry.headings + lead))
            continue
        for sentence in split_sentences(chunk):
            sentence = sentence.strip()
            if _LEAD.search(sentence):
                lead = (sentence,)
                continue
            inline = _INLINE_HEAD.match(sentence)
            if inline:  # 存在的问题：基层…
                lead, sentence = (inline.group("head"),), inline.group("rest").strip()
            if sentence:
                found.append(Piece(entry, _sentence_end(sentence), entry.headings + lead))
    return found


def _sentence_end(text: str) -> str:
    text = text.strip().rstrip("；;，,")
    return text if text.endswith(("。", "！", "？")) else text + "。"


def _status_part(status: str | None) -> Part | None:
    """The part a 完成情况 cell says (已完成 → 总结, 计划 → 计划, 滞后 → 问题), longest word
    first."""
    if not status:
        return None
    table = domain.data("items.yaml")["status"]
    words = sorted(((w, p) for p, ws in table.items() for w in ws), key=lambda x: -len(x[0]))
    return next((part for word, part in words if word in status), None)


def part_of(piece: Piece) -> Part:
    """总结 / 计划 / 问题: a 完成情况 cell first, then the corpus's rules over the headings and
    lead sentence above the item and its own words; material of the period that says neither
    is what was done (总结)."""
    said = _status_part(piece.entry.status)
    if said is not None:
        return said
    part = classify_part(piece.context, piece.text)
    return part if part in _PARTS else "总结"


def office_topic(office: str) -> str | None:
    """The topic a 科室's name says (大气科 → 大气, 执法大队 → 执法): the longest topic name in
    it, the catch-all aside (综合科 does all sorts of work, 重点工程 being only one)."""
    named = [t for t in domain.topics() if t in office and t != domain.default_topic()]
    return max(named, key=len) if named else None


def topic_of(piece: Piece) -> str | None:
    """The item's topic: a known 主题 cell, else the pack's keyword scores over the headings and
    the item (assistant.domain.topic_scores, as for the corpus) with the topic its 科室's name
    says counted like a heading (大气科's "评估监测" is still 大气's); None when nothing scores."""
    given = piece.entry.topic
    if given and given in domain.topics():
        return given
    scores = domain.topic_scores(piece.context, piece.text)
    named = office_topic(piece.entry.office)
    if named is not None:
        scores[named] = scores.get(named, 0) + OFFICE_WEIGHT
    order = domain.topics()
    best = max(scores, key=lambda t: (scores[t], -order.index(t)), default=None)
    return best if best is not None and scores[best] >= OFFICE_WEIGHT else None


def _period(piece: Piece, report: Period | None) -> Period | None:
    year = report.year if report else None
    written = piece.entry.time
    if written:
        found = parse(written, year)
        if found is not None:
            return found.in_year(year)
    return stated(piece.text, year)


def _later_this_year(period: Period | None, report: Period | None) -> bool:
    if period is None or report is None:
        return False
    return period.year in (None, report.year) and period.ends_after(report)


ID_DIGITS = 4  # hex digits of an item id's hash (水科-3fa2); more only where two would clash


def item_id(office: str, file: str, text: str, taken: set[str]) -> str:
    """A short id that stays the item's while the material around it changes: the 科室 and a
    hash of its file's name and its own words (水科-3fa2), longer only where it would clash
    with one ``taken``, numbered only for the same words written twice in one file."""
    key = f"{office}\n{Path(file).name}\n{normalise_for_matching(text)}".encode()
    digest = hashlib.sha1(key).hexdigest()
    for digits in range(ID_DIGITS, len(digest) + 1, 2):
        found = f"{office}-{digest[:digits]}"
        if found not in taken:
            return found
    return next(f"{found}-{n}" for n in range(2, len(taken) + 3) if f"{found}-{n}" not in taken)


def label(found: Sequence[Piece], report: Period | None) -> tuple[list[Item], list[ItemProblem]]:
    """Items with ids (科室 and a hash of file and words: item_id), part, topic and period; the
    problems of those dated outside the report period (their items come back too, for the
    caller to hold)."""
    topics = [topic_of(p) for p in found]
    offices: dict[str, Counter[str]] = {}
    for piece, topic in zip(found, topics, strict=True):
        if topic:
            offices.setdefault(piece.entry.office, Counter())[topic] += 1
    taken: set[str] = set()
    items: list[Item] = []
    problems: list[ItemProblem] = []
    for piece, topic in zip(found, topics, strict=True):
        entry = piece.entry
        mine = offices.get(entry.office)
        if topic is None:  # the 科室's own topic, else where a figure of these words goes
            topic = (
                office_topic(entry.office)
                or figure_topic(piece.text, None)
                or (mine.most_common(1)[0][0] if mine else domain.default_topic())
            )
        part = part_of(piece)
        period = _period(piece, report)
        if part == "总结" and _later_this_year(period, report):
            part = "计划"  # a month after the period's end: not done yet
        identity = item_id(entry.office, entry.file, piece.text, taken)
        taken.add(identity)
        item = Item(
            id=identity,
            office=entry.office,
            text=piece.text,
            topic=topic,
            part=part,
            period=period.text or str(period) if period else None,
            file=entry.file,
            row=entry.row,
            line=entry.line,
            status=entry.status,
            source=entry.source,
        )
        items.append(item)
        why = item_problem(period, report, part == "计划") if period and report else None
        if why:
            problems.append(_period_problem(item, why))
    return items, problems


def _period_problem(item: Item, why: str) -> ItemProblem:
    return ItemProblem(
        kind="period",
        message=f"{item.where}（{item.office}）：{why}，未使用：{item.text}",
        file=item.file,
        item_id=item.id,
        row=item.row if item.row is not None else item.line,
    )
