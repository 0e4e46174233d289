"""Split a read document along its heading ladder into Chunks, and label each one.

Each chunk is one lowest-level section body (long bodies cut at 一是/二是 items or sentences,
tiny pieces merged back), tables on their own, with its heading path from the top level down.
Labels — part (总结/问题/计划/其他), topic, unit, year, period — come from rules over the headings
first and the text second, because headings in this genre say plainly what a section is.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import domain
from .errors import InputError
from .periods import PERIOD_KINDS
from .periods import detect_period as detect_period  # re-exported for callers
from .reading import (
    ends_sentence,
    is_title_like,
    normalise_for_matching,
    numbering,
    read_document,
)
from .types import Block, Chunk, Document, Part

MAX_CHUNK_CHARS = 600  # longer section bodies are cut at 一是/二是 items, then at sentences
MIN_CHUNK_CHARS = 80  # shorter pieces of a section are merged into a neighbour
MAX_HEADING_CHARS = 40  # a numbered line's first sentence longer than this is body, not heading

OVERRIDE_KEYS = ("unit", "year", "period", "title")

# --- headings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = 一、, 2 = （一）, 3 = 1., 4 = （1）; styled headings use their style level
    text: str  # as written, numbering included, trailing 。 removed
    body: str = ""  # the text after an inline heading ("（一）…推进。聚焦…" → "聚焦…")


_STYLE_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
_DIGIT = re.compile(r"[0-9０-９]")


def split_heading(block: Block) -> Heading | None:
    """The heading a block starts with, if any; an inline heading is split from its body.

    A numbered line is a heading when it is short (≤ 40 characters, no 。 inside), or when its
    first sentence is that short and more text follows ("（一）…推进。聚焦…"). A numbered line
    whose first sentence is long is a numbered paragraph: body. A short numbered line that is
    one whole sentence with figures in it ("1.共检查企业120家。") is body too.
    """
    text = block.text.strip()
    found = numbering(text)
    if found is None:
        level = _STYLE_LEVELS.get(block.style)
        return Heading(level, text.rstrip("。")) if level and text else None
    level, number = found
    rest = text[len(number) :]
    stop = rest.find("。")
    if stop == -1:
        return Heading(level, text) if len(text) <= MAX_HEADING_CHARS else None
    head, body = text[: len(number) + stop], rest[stop + 1 :].strip()
    if len(head) > MAX_HEADING_CHARS:
        return None
    if not body and (len(head) > 30 or _DIGIT.search(rest)):
        return None
    return Heading(level, head, body)


# --- labels ----------------------------------------------------------------------------------

# Matched against normalise_for_matching(text): half-width punctuation, lower-case ASCII.
_NOT_A_PROBLEM = re.compile(
    r"问题整改|整改问题|问题整治|问题线索|解决.{0,8}问题|突出.{0,4}问题|"
    r"补(齐|强|上)?[^,，。;；]{0,8}(短板|弱项)|弥补[^,，。;；]{0,8}(不足|短板)|缩小[^,，。;；]{0,8}差距"
)
_PART_HEADINGS: tuple[tuple[Part, re.Pattern[str]], ...] = (
    (
        "问题",
        re.compile(
            r"存在(的)?(主要)?问题|问题(和|与|及)(不足|困难|短板|挑战|差距)|不足|短板|薄弱环节|"
            r"困难和问题|主要问题|面临的(困难|问题|挑战)|差距"
        ),
    ),
    (
        "总结",
        re.compile(
            r"完成情况|进展情况|开展情况|落实情况|总体情况|基本情况|工作情况|主要成效|工作成效|取得成效|"
            r"主要做法|工作总结|工作回顾|主要工作|工作开展|工作进展|取得的成绩|主要成绩"
        ),
    ),
    (
        "计划",
        re.compile(
            r"下半年|下一步|下阶段|下步|明年|今后|计划|打算|安排|思路|展望|"
            r"(20\d\d|20[x×]{1,2}|202[x×])年度?(重点工作|工作重点|重点任务|目标任务|工作目标|"
            r"主要任务|工作要点)"
        ),
    ),
)
_PLAN_WORDS = re.compile(
    r"将(继续|进一步|持续|加快|加大|全力|着力|重点|以|围绕|坚持|不断|认真|深入|积极|切实|全面|"
    r"统筹|严格|推动|推进|开展|完成|实现)|要(继续|进一步|加强|加大|坚持|以|着力|重点|严格|针对)|"
    r"计划|力争|确保(?!了)|争取|下半年|下一步|下阶段|明年|拟|我们将|我局将|奋力|努力"
)
_PROBLEM_WORDS = re.compile(
    r"仍然|仍存在|仍有|依然|不足|滞后|压力较大|压力大|短板|薄弱|不到位|有待|亟待|不够|不高|"
    r"不明显|难以|欠缺|较为突出|不容忽视|不健全|不充分|困难|形势严峻|差距"
)
_SUMMARY_WORDS = re.compile(
    r"(?<!力争|奋力|努力|确保)完成|取得|共计|累计|同比|已|查处|立案|实现|达到|出动|建成|办结|"
    r"下降|上升|改善|半年来|今年以来|年以来|截至|(?<!为)了(?!解)|扎实|有效|成效|显著|稳定|"
    r"紧紧围绕|保持|全面落实|落实到位"
)


def classify_part(heading_path: Iterable[str], text: str) -> Part:
    """总结/问题/计划/其他: the deepest heading that says so decides, else the text's wording.

    Headings: 存在问题/不足/短板 → 问题 (but not 问题整改), 完成情况/主要成效/工作开展 → 总结,
    下半年/下一步/明年/计划/打算/安排/思路 → 计划. Text: plan words (将继续, 要, 力争, 确保),
    problem words (仍然, 不足, 滞后, 压力较大) and achievement words are counted; problem and plan
    need two hits to beat achievements, and text with none of them is 其他.
    """
    for heading in reversed(tuple(heading_path)):
        folded = _NOT_A_PROBLEM.sub("", normalise_for_matching(heading))
        for part, pattern in _PART_HEADINGS:
            if pattern.search(folded):
                return part
    folded = normalise_for_matching(text)
    plan = len(_PLAN_WORDS.findall(folded))
    problem = len(_PROBLEM_WORDS.findall(_NOT_A_PROBLEM.sub("", folded)))
    summary = len(_SUMMARY_WORDS.findall(folded))
    if problem >= 2 and problem >= plan and problem >= summary:
        return "问题"
    if plan >= 2 and plan >= summary:
        return "计划"
    if summary:
        return "总结"
    if plan or problem:
        return "计划" if plan >= problem else "问题"
    return "其他"


# The topic of a text is the domain pack's question (keywords in its topics.yaml).
topic_scores = domain.topic_scores
classify_topic = domain.classify_topic


_YEAR = re.compile(r"(20\d\d)\s*年")
_NEXT_YEAR_PLAN = re.compile(r"(总结|情况).*?(20\d\d)\s*年度?(工作)?(计划|安排|思路|打算|要点)")
_MASKED_YEAR = re.compile(r"20[x×]{2}|202[x×]", re.IGNORECASE)


def detect_year(text: str) -> int | None:
    """The year a title or opening reports on; a masked year (202x) gives None.

    "工作总结及2025年度工作计划" reports on 2024: a year named only for the plan is the next one.
    """
    folded = normalise_for_matching(text)
    plan_year = _NEXT_YEAR_PLAN.search(folded)
    years = _YEAR.findall(folded)
    if plan_year and years == [plan_year.group(2)]:
        return int(plan_year.group(2)) - 1
    if years:
        return int(years[0])
    return None


# A place name never holds these words; what precedes them in a match is the sentence around it.
_UNIT_LEAD_IN = re.compile(r"以来|年来|关于|期间|我们|全体|上级|指导|领导|[在的与对向为由将]")


def detect_unit(text: str) -> str | None:
    """The office a title or opening names (a place, then the office name the domain pack
    writes, e.g. 示例区…局 or its …分局), lead-in words dropped.

    An office name with no place before it (我局, 上级…局, 区…局) names no unit.
    """
    for found in domain.office_matches(text):
        unit = _UNIT_LEAD_IN.split(found.group(0))[-1]
        unit = re.sub(r"^(今年|上半年|一季度|前三季度|全年|我)+", "", unit)
        if domain.names_no_place(unit):
            continue
        return unit
    return None


# --- overrides -------------------------------------------------------------------------------


def _validated_overrides(raw: Mapping[str, object], source: str) -> dict[str, object]:
    unknown = sorted(set(raw) - set(OVERRIDE_KEYS))
    if unknown:
        raise InputError(
            f"未知的设置项: {', '.join(unknown)}",
            path=source,
            hint=f"可用的设置项: {', '.join(OVERRIDE_KEYS)}",
        )
    clean: dict[str, object] = {}
    for key, value in raw.items():
        if value is None or value == "":
            clean[key] = None
        elif key == "year":
            if isinstance(value, bool) or not re.fullmatch(r"(19|20)\d\d", str(value).strip()):
                raise InputError(f"year 应为四位年份, 而不是 “{value}”", path=source, column=key)
            clean[key] = int(str(value).strip())
        elif key == "period":
            if value not in PERIOD_KINDS:
                kinds = "、".join(PERIOD_KINDS)
                raise InputError(
                    f"period 应为 {kinds} 之一, 而不是 “{value}”", path=source, column=key
                )
            clean[key] = value
        else:
            clean[key] = str(value).strip()
    return clean


def sidecar_path(path: Path) -> Path | None:
    """The metadata file next to a document, e.g. 总结.docx.meta.yaml, if there is one."""
    for suffix in (".meta.yaml", ".meta.yml", ".meta.json"):
        candidate = path.with_name(path.name + suffix)
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path) -> dict[str, object]:
    """The overrides in a document's sidecar file ({} when there is none)."""
    sidecar = sidecar_path(path)
    if sidecar is None:
        return {}
    try:
        text = sidecar.read_text(encoding="utf-8-sig")
        raw = json.loads(text) if sidecar.suffix == ".json" else yaml.safe_load(text)
    except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"无法读取元数据文件: {exc}", path=str(sidecar)) from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError("元数据文件应是键值对 (unit/year/period/title)", path=str(sidecar))
    return _validated_overrides(raw, str(sidecar))


# --- splitting -------------------------------------------------------------------------------


@dataclass
class _Section:
    path: tuple[str, ...]
    items: list[tuple[str, list[str]]] = field(default_factory=list)  # ("para"|"table", lines)

    def add(self, kind: str, text: str) -> None:
        if self.items and self.items[-1][0] == kind:
            self.items[-1][1].append(text)
        else:
            self.items.append((kind, [text]))


_CLOSING = re.compile(r"^(总之|综上所述|综上|总而言之|总的来看)")


def _sections(blocks: list[Block]) -> list[_Section]:
    """Blocks grouped under their heading paths; titles before the first heading are dropped.

    A numbered paragraph that is not a heading ("、由于受…影响，…。") ends the sections at its
    level and below, so it lands under its parent rather than inside the previous item; a
    closing paragraph (总之…) belongs to the whole document.
    """
    stack: list[Heading] = []
    sections = [_Section(())]

    def open_section(path: tuple[str, ...]) -> None:
        if sections[-1].path != path:
            sections.append(_Section(path))

    for block in blocks:
        text = block.text
        if block.style == "title":
            continue
        if block.style == "table":
            sections[-1].add("table", text)
            continue
        heading = split_heading(block)
        if heading is None:
            if not stack and is_title_like(text):
                continue  # a web copy repeats the title (once with a date, once without)
            found = numbering(text)
            if found or _CLOSING.match(text):
                level = found[0] if found else 1
                while stack and stack[-1].level >= level:
                    stack.pop()
                open_section(tuple(h.text for h in stack))
            sections[-1].add("para", text)
            continue
        first_line = not stack and not sections[-1].items
        if first_line and block.style == "h1" and is_title_like(heading.text):
            continue  # a markdown "# 2024年…工作总结" is the title, not section 一
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)
        sections.append(_Section(tuple(h.text for h in stack)))
        if heading.body:
            sections[-1].add("para", heading.body)
    return [s for s in sections if s.items]


_ITEM_START = re.compile(r"(?<=[。；;:：])(?=[一二三四五六七八九十]{1,2}是)")
_SENTENCE_STOP = re.compile(r"(?<=[。！？!?；;])")


def item_pieces(paragraph: str) -> list[str]:
    """A paragraph cut before each 一是/二是… that follows a stop (。；：), the way long sections
    are cut: the text before the first item stays a piece of its own."""
    return [p for p in _ITEM_START.split(paragraph) if p.strip()]


def _cut(paragraph: str, limit: int) -> list[str]:
    """A long paragraph cut at 一是/二是 items, and items still too long at sentences."""
    if len(paragraph) <= limit:
        return [paragraph]
    pieces: list[str] = []
    for item in item_pieces(paragraph):
        if len(item) <= limit:
            pieces.append(item)
        else:
            pieces.extend(s for s in _SENTENCE_STOP.split(item) if s)
    return pieces


def _pack(paragraphs: list[str], limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Paragraphs packed into pieces of at most ``limit`` characters where possible.

    Pieces of one paragraph are rejoined directly, separate paragraphs with a newline; a piece
    shorter than MIN_CHUNK_CHARS is merged into its neighbour.
    """
    units = [(index, piece) for index, p in enumerate(paragraphs) for piece in _cut(p, limit)]
    packed: list[tuple[int, str]] = []  # (index of the last paragraph in it, text)
    for index, piece in units:
        if packed and len(packed[-1][1]) + len(piece) <= limit:
            last_index, text = packed[-1]
            packed[-1] = (index, text + ("" if last_index == index else "\n") + piece)
        else:
            packed.append((index, piece))
    texts = [text for _, text in packed]
    merged: list[str] = []
    for text in texts:
        if merged and (len(text) < MIN_CHUNK_CHARS or len(merged[-1]) < MIN_CHUNK_CHARS):
            separator = "" if not ends_sentence(merged[-1]) else "\n"
            merged[-1] = merged[-1] + separator + text
        else:
            merged.append(text)
    return merged


def chunk_id(document_key: str, heading_path: tuple[str, ...], text: str, position: int) -> str:
    """A stable content hash: the same chunk of the same file always gets the same id."""
    material = "\x1f".join((document_key, "\x1e".join(heading_path), text, str(position)))
    return hashlib.sha1(material.encode("utf-8")).hexdigest()[:20]


def _opening(sections: list[_Section]) -> str:
    """The text before the first heading, or else the first paragraph: where unit/year hide."""
    for section in sections[:1]:
        for kind, lines in section.items:
            if kind == "para":
                return lines[0]
    return ""


def _labels(title: str, opening: str, overrides: Mapping[str, object]) -> dict[str, object]:
    """unit, year, period and title: overrides first, then the title, then the opening.

    A masked year in the title (202x) leaves year None rather than guessing from the body.
    """
    title_year = detect_year(title)
    if title_year is None and not _MASKED_YEAR.search(normalise_for_matching(title)):
        title_year = detect_year(opening)
    labels: dict[str, object] = {
        "title": title,
        "unit": detect_unit(title) or detect_unit(opening),
        "year": title_year,
        "period": detect_period(title) or detect_period(opening),
    }
    labels.update(overrides)
    return labels


def split_document(
    document: Document,
    document_key: str,
    overrides: Mapping[str, object] | None = None,
) -> list[Chunk]:
    """A read document's chunks, in order and labelled; overrides may set unit/year/period/title."""
    sections = _sections(document.blocks)
    labels = _labels(
        document.title, _opening(sections), _validated_overrides(overrides or {}, "overrides")
    )
    chunks: list[Chunk] = []
    for section in sections:
        for _kind, lines in section.items:
            texts = _pack(lines)  # table rows pack like paragraphs, one per line
            for text in texts:
                position = len(chunks)
                chunks.append(
                    Chunk(
                        id=chunk_id(document_key, section.path, text, position),
                        text=text,
                        document=document_key,
                        heading_path=section.path,
                        part=classify_part(section.path, text),
                        topic=classify_topic(section.path, text),
                        unit=labels["unit"],  # type: ignore[arg-type]
                        year=labels["year"],  # type: ignore[arg-type]
                        period=labels["period"],  # type: ignore[arg-type]
                        position=position,
                        title=str(labels["title"] or ""),
                    )
                )
    return chunks


def chunks_from_file(
    path: Path,
    document_key: str | None = None,
    overrides: Mapping[str, object] | None = None,
) -> list[Chunk]:
    """Read, clean, split and label one past summary.

    ``document_key`` names the document in every chunk (default: the file's name). Labels the
    text does not give, or gives wrongly, can be set: ``overrides`` (keys unit, year, period,
    title) win over a sidecar file next to the document — ``<file>.meta.yaml``, ``.meta.yml`` or
    ``.meta.json`` with the same keys, e.g. ``year: 2024`` / ``period: 上半年`` — which wins over
    what is detected from the title and opening paragraph.
    """
    path = Path(path)
    document = read_document(path)
    merged = read_sidecar(path)
    merged.update(_validated_overrides(overrides or {}, "overrides"))
    return split_document(document, document_key or path.name, merged)
