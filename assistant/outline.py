"""What a draft is made of: its period, its kind, and the sections in order, each with its figures.

The outline either comes from a file of headings the user gives (``--outline``) or from the
structure of the bureau's most recent past document of the same period kind, adjusted to the
topics the figures cover: a past section is kept when some figure's topic belongs to it, and a
topic no past section covers gets a section of its own (heading from the domain pack's topics.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from . import domain, era, names
from .domain import patterns, topic_heading
from .errors import InputError
from .periods import Period, plan_period
from .periods import parse_period as parse_period  # re-exported: callers import it from here
from .reading import numbering
from .splitting import classify_part, classify_topic, topic_scores
from .topics import in_opening
from .types import Chunk, FigureSet
from .verdicts import HeadingClaim as HeadingClaim  # re-exported: callers import them from here
from .verdicts import Trouble as Trouble
from .verdicts import Verdict as Verdict
from .verdicts import heading_claim as heading_claim
from .verdicts import trouble as trouble
from .verdicts import verdict as verdict

PartChoice = Literal["总结", "计划", "问题", "开头", "全部"]
PARTS: tuple[str, ...] = get_args(PartChoice)
# heading: a level-1 heading with no body; the others carry a body written by a writer.
Role = Literal["heading", "opening", "summary", "problems", "plan-intro", "plan"]

CN_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Section:
    """One piece of the outline; every role but "heading" gets a body from a writer."""

    role: Role
    heading: str | None = None  # numbered, as it will appear ("（一）…", "二、存在的问题")
    level: int = 2
    topics: tuple[str, ...] = ()
    figure_ids: tuple[str, ...] = ()
    name: str | None = None  # a section draft's name (大气污染防治), shown where no heading is

    @property
    def part(self) -> str:
        return {"summary": "总结", "problems": "问题", "plan": "计划", "plan-intro": "计划"}.get(
            self.role, "总结"
        )

    @property
    def title(self) -> str:
        """The heading without its number, for prompts and progress."""
        if not self.heading:
            if self.name:
                return self.name
            return {"opening": "开头", "problems": "存在的问题", "plan-intro": "计划引言"}.get(
                self.role, "正文"
            )
        found = numbering(self.heading)
        return self.heading[len(found[1]) :].strip() if found else self.heading


@dataclass
class Outline:
    title: str
    sections: list[Section] = field(default_factory=list)
    exemplars: list[str] = field(default_factory=list)  # chunk ids the structure came from


def figure_topic(figure_set: FigureSet, figure_id: str) -> str:
    figure = figure_set[figure_id]
    return figure.topic if figure.topic in domain.topics() else domain.default_topic()


def topics_covered(figure_set: FigureSet, unit: str = "") -> list[str]:
    """The topics the figures of the sections cover, in the genre's usual order."""
    present = set(_by_topic(figure_set, unit))
    return [topic for topic in domain.topics() if topic in present]


SUBJECT_CHARS = 4  # a run of characters two figure names share: the same campaign or work


def _runs(name: str) -> set[str]:
    return {name[i : i + SUBJECT_CHARS] for i in range(len(name) - SUBJECT_CHARS + 1)}


def assigned_topics(figure_set: FigureSet, unit: str = "") -> dict[str, str]:
    """Each figure's section, by topic first, then by shared subject: a figure of the catch-all
    topic whose name shares a run of four characters with the figures of exactly one topic
    (攻坚任务完成率 beside 大气攻坚任务数) joins that topic, so the figures of one campaign stay
    in one section. Runs of the unit's own name (生态环境) say nothing of a subject."""
    topics = {f.id: figure_topic(figure_set, f.id) for f in figure_set}
    default = domain.default_topic()
    own = _runs(unit)
    by_run: dict[str, set[str]] = {}
    for figure in figure_set:
        if topics[figure.id] != default:
            for run in _runs(figure.name) - own:
                by_run.setdefault(run, set()).add(topics[figure.id])
    for figure in figure_set:
        if topics[figure.id] == default:
            found = {t for run in _runs(figure.name) - own for t in by_run.get(run, ())}
            if len(found) == 1:
                topics[figure.id] = found.pop()
    return topics


def _by_topic(figure_set: FigureSet, unit: str) -> dict[str, list[str]]:
    """The sections' figures by topic; a figure the opening states (topics.in_opening) is in
    none of them."""
    by_topic: dict[str, list[str]] = {}
    for figure_id, topic in assigned_topics(figure_set, unit).items():
        if not in_opening(figure_set[figure_id].name):
            by_topic.setdefault(topic, []).append(figure_id)
    return by_topic


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十 (a heading ladder never runs longer)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_NUMBERS[tens - 1] + "十")
    return head + (CN_NUMBERS[ones - 1] if ones else "") if n < 100 else str(n)


def numbered(level: int, index: int, text: str) -> str:
    number = cn_number(index + 1)
    if level == 1:
        return f"{number}、{text}"
    if level == 2:
        return f"（{number}）{text}"
    return f"{index + 1}.{text}"


def strip_number(heading: str) -> str:
    found = numbering(heading)
    text = heading[len(found[1]) :] if found else heading
    return text.strip().rstrip("。")


def title_for(unit: str, period: Period, section: str | None, part: str) -> str:
    """The document's title. A part-only draft is titled as what it is — 2025年上半年工作总结,
    2025年下半年工作计划, 2025年上半年工作存在的问题 — never as the whole 总结和计划, and a plan is
    titled with the period it plans for."""
    name = section or ""
    if part == "开头":
        return f"{unit}{period.text}工作总结开头"
    if part == "计划":
        if period.kind == "quarter":
            return f"{unit}{period.text}{name}下一步工作打算"
        return f"{unit}{plan_period(period)}{name}工作计划"
    if part == "总结":
        return f"{unit}{period.text}{name}工作总结"
    if part == "问题":
        return f"{unit}{period.text}{name or '工作'}存在的问题"
    if section:
        return f"{unit}{period.text}{section}工作情况和下一步打算"
    if period.kind == "annual":
        year = period.year
        return f"{unit}{period.text}工作总结及{year + 1 if year else '明'}年工作计划"
    if period.kind == "half-year":
        return f"{unit}{period.text}工作总结和下半年工作计划"
    return f"{unit}{period.text}工作总结"


# --- the past document's structure ------------------------------------------------------------


@dataclass
class PastSection:
    heading: str  # without number
    chunks: list[Chunk]

    def scores(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for chunk in self.chunks:
            for topic, score in topic_scores((self.heading,), chunk.text).items():
                total[topic] = total.get(topic, 0) + score
            total[chunk.topic] = total.get(chunk.topic, 0) + 3
        return total


@dataclass
class PastDocument:
    """The part headings and level-2 sections of one past document, by part."""

    document: str
    year: int | None
    part_headings: dict[str, str] = field(default_factory=dict)  # part → heading, no number
    sections: dict[str, list[PastSection]] = field(default_factory=dict)  # part → sections
    opening: Chunk | None = None
    plan_intro: Chunk | None = None

    @property
    def chunk_ids(self) -> list[str]:
        ids = [c.id for part in self.sections.values() for s in part for c in s.chunks]
        return ids + [c.id for c in (self.opening, self.plan_intro) if c is not None]


def past_document(chunks: Sequence[Chunk]) -> PastDocument | None:
    """The structure of one document's chunks (all from the same document)."""
    if not chunks:
        return None
    ordered = sorted(chunks, key=lambda c: c.position)
    past = PastDocument(ordered[0].document, ordered[0].year)
    for chunk in ordered:
        if not chunk.heading_path:
            if past.opening is None:
                past.opening = chunk
            continue
        top = chunk.heading_path[0]
        part = classify_part((top,), "")
        if part == "其他":
            continue
        past.part_headings.setdefault(part, strip_number(top))
        if len(chunk.heading_path) == 1:
            if part == "计划" and past.plan_intro is None:
                past.plan_intro = chunk
            continue
        heading = strip_number(chunk.heading_path[-1])
        sections = past.sections.setdefault(part, [])
        if sections and sections[-1].heading == heading:
            sections[-1].chunks.append(chunk)
        else:
            sections.append(PastSection(heading, [chunk]))
    return past


def shift_years(text: str, shift: int) -> str:
    """Move every year in a past text by ``shift`` (2024年 → 2025年, “利剑2024” → “利剑2025”)."""
    if not shift:
        return text
    return re.sub(r"(?<!\d)(20\d\d)(?!\d)", lambda m: str(int(m.group(1)) + shift), text)


# --- building the outline ---------------------------------------------------------------------


def _assign(
    topics: Sequence[str], past_sections: Sequence[PastSection]
) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """Past sections (heading, topics) that some topic belongs to, in past order, and the
    topics no past section covers.

    A topic joins a past section only as its main topic or when the heading names it: the 2024
    “服务发展精准高效” section mentions monitoring in passing, but this period's monitoring
    figures get a section of their own rather than being folded into 审批.
    """
    claimed: dict[int, list[str]] = {}
    left: list[str] = []
    scores = [section.scores() for section in past_sections]
    named = [section_topics(section.heading) for section in past_sections]
    for topic in topics:
        best = max(range(len(scores)), key=lambda i: scores[i].get(topic, 0), default=None)
        score = scores[best].get(topic, 0) if best is not None else 0
        top = max(scores[best].values()) if best is not None else 0
        if (
            best is None
            or score < 4
            or 3 * score < top
            or (topic not in named[best] and score < top)
        ):
            left.append(topic)
        else:
            claimed.setdefault(best, []).append(topic)
    kept = [(past_sections[i].heading, claimed[i]) for i in sorted(claimed)]
    return kept, left


def _heading_ok(
    heading: str, topics: Sequence[str] = (), holds: Sequence[str] | None = None
) -> bool:
    """Past headings with figures, dated names or events (收官, 主题教育) in them are not reused,
    nor one that names none of its section's topics (“主要目标” over the water figures), nor
    one whose words weigh as much on a topic the section does not hold (``holds``, default
    ``topics``) as on those it does: a past “审批监测服务提质增效” over this draft's 监测
    section promises 审批 work that is elsewhere (土壤和固废环境风险 is still 土壤's)."""
    if re.search(r"\d", heading) or not 2 <= len(heading) <= 30 or time_bound(heading):
        return False
    if not topics:
        return True
    held = set(holds if holds is not None else topics)
    scores = topic_scores((heading,), "")
    own = max((scores.get(t, 0) for t in held), default=0)
    if any(s >= max(own, 3) for t, s in scores.items() if t not in held):
        return False
    named = set(section_topics(heading))
    return domain.default_topic() in topics or bool(named & set(topics))


def time_bound(text: str) -> bool:
    """True when ``text`` names an event tied to one year (the pack's time_bound words)."""
    return _time_bound(domain.current()).search(text) is not None


@cache
def _time_bound(pack: domain.Domain) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, pack.patterns.time_bound)))


def fit_heading(
    heading: str,
    section: Section,
    figure_set: FigureSet,
    period: Period,
    candidates: Sequence[str] = (),
    taken: Collection[str] = (),
) -> str:
    """A summary heading that claims no more than the section's figures bear out.

    The heading stays when its claim (if any) is supported; else the first of ``candidates``
    (past headings for the same topic, best first) whose claim is supported and that names the
    section's topic; else the heading without its claiming clause when that still names the
    topic; else our neutral heading for the topic. The number (（一）) is kept.
    """
    found = numbering(heading)
    prefix = found[1] if found else ""
    text = strip_number(heading)
    judged = verdict(figure_set, section.figure_ids, period.period_kind)
    if judged.supports(heading_claim(text)):
        return heading
    topic = section.topics[0] if section.topics else domain.default_topic()
    for candidate in candidates:
        candidate = strip_number(candidate)
        if (
            candidate != text
            and candidate not in taken
            and _heading_ok(candidate, section.topics[:1], section.topics)
            and judged.supports(heading_claim(candidate))
        ):
            return prefix + candidate
    clauses = [c for c in re.split(r"[，,：:]", text) if c and heading_claim(c) is None]
    if clauses and len(clauses) < len(re.split(r"[，,：:]", text)):
        trimmed = "，".join(clauses)
        if (
            len(trimmed) >= 6
            and _heading_ok(trimmed, section.topics[:1], section.topics)
            and trimmed not in taken
        ):
            return prefix + trimmed
    return prefix + topic_heading(topic, "neutral")


def fit_claims(sentence: str, judged: Verdict, neutral: str) -> str:
    """A sentence that claims no more than ``judged`` bears out: the clauses whose claim
    (heading_claims) is not supported give way to ``neutral`` once (…打好蓝天、碧水、净土保卫战，
    上半年各项工作总体达到序时进度。 → …保卫战，各项工作有序推进。), the rest are kept."""
    body = sentence.rstrip("。")
    parts = re.split(r"([，,；;])", body)
    kept: list[str] = []
    replaced = False
    for index in range(0, len(parts), 2):
        clause = parts[index]
        mark = parts[index - 1] if index else ""
        if clause and not judged.supports(heading_claim(clause)):
            if replaced:
                continue
            clause, replaced = neutral, True
        kept.append(mark + clause)
    text = "".join(kept).lstrip("，,；;")
    if not replaced:
        return sentence
    return text + sentence[len(body) :] if text else ""


def fit_headings(
    sections: Sequence[Section],
    exemplars: Sequence[Sequence[Chunk]],
    figure_set: FigureSet,
    period: Period,
) -> list[Section]:
    """Every summary heading fitted to its figures (fit_heading), the other headings of past
    summaries the section's exemplars came from offered as alternatives."""
    fitted = list(sections)
    for index, (section, chunks) in enumerate(zip(sections, exemplars, strict=True)):
        if section.role != "summary" or not section.heading:
            continue
        candidates = [
            c.heading_path[1] for c in chunks if c.part == "总结" and len(c.heading_path) >= 2
        ]
        taken = {strip_number(s.heading) for s in fitted if s.heading and s is not section}
        heading = fit_heading(
            section.heading, section, figure_set, period, list(dict.fromkeys(candidates)), taken
        )
        fitted[index] = replace(section, heading=heading)
    return fitted


def _groups(
    topics: Sequence[str],
    past: PastDocument | None,
    part: str,
    kind: str,
    voice: names.Voice | None = None,
    year: int | None = None,
) -> list[tuple[str, list[str]]]:
    past_sections = past.sections.get(part, []) if past else []
    kept, left = _assign(topics, past_sections)
    groups = [
        (
            _full_width(heading)
            if _heading_ok(heading, group) and _own_heading(heading, voice, year)
            else topic_heading(group[0], kind),
            group,
        )
        for heading, group in kept
    ]
    groups += [(topic_heading(topic, kind), [topic]) for topic in left]
    order = {topic: index for index, topic in enumerate(domain.topics())}
    # keep past order, but a new topic goes where the genre's order puts it
    groups.sort(key=lambda g: min(order.get(t, len(order)) for t in g[1]))
    return groups


def _own_heading(heading: str, voice: names.Voice | None, year: int | None) -> bool:
    """A past heading the target may say: no other unit's name, no wording out of its era."""
    if voice is not None and names.foreign_names(heading, voice):
        return False
    return not era.stale(heading, year)


def own_headings(
    sections: Sequence[Section], voice: names.Voice, year: int | None
) -> list[Section]:
    """Headings the target may say: one taken from another unit's or another era's document
    (a past heading the claim check chose) gives way to the topic's neutral heading; brackets
    full-width."""
    out = []
    for section in sections:
        heading = section.heading
        if heading and section.role != "heading" and section.topics:
            text = strip_number(heading)
            prefix = heading[: len(heading) - len(text)]
            if not _own_heading(text, voice, year):
                heading = prefix + topic_heading(section.topics[0], "neutral")
            out.append(replace(section, heading=_full_width(heading)))
        else:
            out.append(section)
    return out


def _full_width(heading: str) -> str:
    return re.sub(r"\(([^()]*)\)", r"（\1）", heading)


def expected_topics(topics: Sequence[str], past: PastDocument | None, period: Period) -> list[str]:
    """The summary's topics: those the figures cover, and those the genre expects for the
    period kind (domain pack shape.yaml) — some always, some when the last document of the kind
    had a section on them — in the document's order."""
    shape = domain.data("shape.yaml")["kinds"].get(period.period_kind or "", {})
    had = {
        t
        for s in (past.sections.get("总结", []) if past else [])
        for t in section_topics(s.heading)
    }
    wanted = set(topics) | set(shape.get("always", ())) | (set(shape.get("if_past", ())) & had)
    return [t for t in domain.topics() if t in wanted]


def derive_outline(
    figure_set: FigureSet,
    period: Period,
    unit: str,
    past: PastDocument | None,
    *,
    part: str = "全部",
    section: str | None = None,
) -> Outline:
    """The outline from a past document's structure (or our patterns), adjusted to the figures."""
    by_topic = _by_topic(figure_set, unit)
    topics = topics_covered(figure_set, unit)
    shift = (period.year - past.year) if past and past.year and period.year else 0
    outline = Outline(title_for(unit, period, section, part))
    if past is not None:
        outline.exemplars = [c.id for c in (past.opening, past.plan_intro) if c is not None]

    if section is not None:
        return _section_outline(outline, section, figure_set, by_topic, period, part)
    if part == "开头":  # the opening paragraph alone, as the whole document would open
        outline.sections = [Section("opening")]
        return outline

    def ids(group: Sequence[str]) -> tuple[str, ...]:
        return tuple(i for topic in group for i in by_topic.get(topic, ()))

    def part_heading(name: str) -> str:
        fallback_key = "quarter_plan" if name == "计划" and period.kind == "quarter" else None
        past_heading = past.part_headings.get(name) if past else None
        if past_heading and not _own_heading(past_heading, names.Voice.of(unit), period.year):
            past_heading = None
        if past_heading and (shift or not re.search(r"20\d\d", past_heading)):
            return shift_years(past_heading, shift)
        key = fallback_key or {"总结": "summary", "问题": "problems", "计划": "plan"}[name]
        return patterns()["parts"][key].format(label=period.label, next=period.next_label)

    voice = names.Voice.of(unit)
    sections: list[Section] = []
    h1 = 0
    shaped = expected_topics(topics, past, period)  # problems and plans may speak of them too
    if part in ("全部", "总结"):
        sections.append(Section("opening"))
        sections.append(Section("heading", numbered(1, h1, part_heading("总结")), 1))
        h1 += 1
        summary_groups = _groups(shaped, past, "总结", "summary", voice, period.year)
        for index, (heading, group) in enumerate(summary_groups):
            sections.append(
                Section("summary", numbered(2, index, heading), 2, tuple(group), ids(group))
            )
    if part in ("全部", "问题"):
        sections.append(Section("heading", numbered(1, h1, part_heading("问题")), 1))
        h1 += 1
        sections.append(Section("problems", None, 2, tuple(shaped), figure_set.ids))
    if part in ("全部", "计划"):
        sections.append(Section("heading", numbered(1, h1, part_heading("计划")), 1))
        sections.append(Section("plan-intro", None, 2, tuple(topics)))
        plan_groups = _groups(shaped, past, "计划", "plan", voice, period.year)
        # cut once the exemplars are known (shape.plan_sections)
        for index, (heading, group) in enumerate(plan_groups):
            sections.append(
                Section("plan", numbered(2, index, heading), 2, tuple(group), ids(group))
            )
    outline.sections = sections
    return outline


def section_topics(name: str) -> tuple[str, ...]:
    """The topics a section name is about (大气污染防治 → 大气; 土壤和固废 → 土壤, 固废; a topic's
    own name, 水 or 生态, is that topic)."""
    if name.strip() in domain.topics():
        return (name.strip(),)
    scores = topic_scores((name,), "")
    found = tuple(t for t in domain.topics() if scores.get(t, 0) >= 3)
    if found:
        return found
    topic = classify_topic((name,), name)
    return (topic,) if topic in domain.topics() else ()


def _section_outline(
    outline: Outline,
    name: str,
    figure_set: FigureSet,
    by_topic: dict[str, list[str]],
    period: Period,
    part: str,
) -> Outline:
    topics = section_topics(name) or (domain.default_topic(),)
    ids = tuple(i for t in topics for i in by_topic.get(t, ()))
    if name.strip() not in domain.topics() and not topic_scores((name,), ""):
        # no topic's words: the figures that name it (重点工程), never 综合's by default
        ids = tuple(f.id for f in figure_set if name.strip() in f.name)
        if not ids:
            raise InputError(
                f"“{name}”不是已知的主题，数据文件中也没有名称含“{name}”的指标",
                hint=f"换用主题名（{'、'.join(domain.topics())}）或指标名称中的词，"
                "或用 --outline 自拟标题",
            )
        topics = tuple(dict.fromkeys(figure_topic(figure_set, i) for i in ids))
    summary = Section("summary", None, 2, topics, ids, name)
    plan = Section("plan", None, 2, topics, ids, name)
    if part == "总结":
        outline.sections = [summary]
    elif part == "计划":
        outline.sections = [plan]
    elif part == "问题":
        outline.sections = [Section("problems", None, 2, topics, ids, name)]
    else:
        outline.sections = [
            Section("heading", numbered(1, 0, f"{period.label}工作情况"), 1),
            summary,
            Section("heading", numbered(1, 1, f"{period.next_label}工作打算"), 1),
            plan,
        ]
    return outline


def outline_from_file(
    path: Path, figure_set: FigureSet, period: Period, unit: str, part: str = "全部"
) -> Outline:
    """An outline imposed by a file of headings (one a line; #, 一、, （一）, 1. set the level).

    A level-1 heading's words say which part it opens (总结/问题/计划); a level-2 heading under
    it gets the figures of the topics its words name. A part heading with no sub-headings gets
    one body covering every topic not claimed elsewhere.
    """
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines()]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取提纲文件: {exc}", path=str(path)) from exc
    entries: list[tuple[int, str]] = []
    for line in lines:
        if not line:
            continue
        hashes = len(line) - len(line.lstrip("#"))
        text = line.lstrip("#").strip()
        if not text:
            continue
        found = numbering(text)
        level = found[0] if found else (min(hashes, 3) if hashes else 2)
        entries.append((level, text))
    if not entries or all(level != 1 for level, _ in entries):
        raise InputError(
            "提纲文件中没有一级标题",
            path=str(path),
            hint="每行一个标题，一级标题写成“一、上半年工作总结”或“# 上半年工作总结”",
        )
    by_topic = _by_topic(figure_set, unit)
    claimed = {t for level, text in entries if level >= 2 for t in section_topics(text)}
    unclaimed = tuple(t for t in topics_covered(figure_set, unit) if t not in claimed)
    outline = Outline(title_for(unit, period, None, part))
    sections: list[Section] = [Section("opening")] if part in ("全部", "总结") else []
    for index, (level, text) in enumerate(entries):
        if level != 1:
            continue
        current = classify_part((text,), "")
        current = current if current != "其他" else "总结"
        if part != "全部" and current != part:
            continue
        children = []
        for child_level, child in entries[index + 1 :]:
            if child_level == 1:
                break
            if child_level == 2:
                children.append(child)
        sections.append(Section("heading", text, 1))
        role: Role = {"总结": "summary", "问题": "problems", "计划": "plan"}[current]  # type: ignore[assignment]
        if current == "问题":
            sections.append(
                Section("problems", None, 2, topics_covered(figure_set, unit), figure_set.ids)
            )  # type: ignore[arg-type]
            continue
        if current == "计划" and children:
            sections.append(Section("plan-intro", None, 2))
        if not children:
            topics = unclaimed if claimed else tuple(topics_covered(figure_set, unit))
            ids = tuple(i for t in topics for i in by_topic.get(t, ()))
            sections.append(Section(role, None, 2, topics, ids))
        for child in children:
            topics = section_topics(child)
            ids = tuple(i for t in topics for i in by_topic.get(t, ()))
            sections.append(Section(role, child, 2, topics, ids))
    outline.sections = [replace(s) for s in sections]
    return outline
