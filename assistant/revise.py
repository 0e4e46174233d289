"""Revise a draft by instruction, through the same render-and-verify path as drafting.

The writer never sees numbers: cited numbers are turned back into ``{{id}}`` references first,
the writer (whichever is registered under the setting's name, through Writer.revise) rewrites
the reference text, the renderer writes the numbers again from the figures file, and the checker
looks at whatever the writer typed itself. A number the revision introduces that no figure backs
becomes 〔待核：…〕; it is never kept.

For a .docx the result is written as Word tracked changes (w:ins/w:del): untouched paragraphs
keep their XML byte for byte, and the comments on numbers survive where the number survives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from . import domain, gate
from .condense import carries_figure, condense_paragraph
from .errors import InputError
from .metrics import find_metric
from .prose import zero_citations
from .provenance import number_marks, placeholder_marks
from .registry import make_writer
from .render import PLACEHOLDER, REFERENCE, find_placeholders, parse_comment, render
from .settings import Settings
from .splitting import classify_topic, detect_unit
from .types import Block, CheckReport, Citation, FigureSet, Finding, Mark, Placeholder
from .writers import RevisionJob

HEADINGS = ("h1", "h2", "h3", "h4")
_CONDENSE = re.compile(r"精简|压缩|简练|简洁|缩短|删减|精炼|短一些|短一点|简短")
_FORMAL = re.compile(r"正式|规范|书面|公文")
_ADD = re.compile(
    r"(?:加上|加入|增加|补充|添加|写上|补上|写入)(?:一下|一些|关于)?(.{1,20}?)(?:的)?(?:内容|情况|数据|指标|$|[，。,.；;])"
)
# What makes a number worth a 〔待核〕: the checker's verdicts that no figure backs it as written.
_UNBACKED = {"unsourced", "mismatch", "unit", "direction", "stale", "period"}


@dataclass
class Revision:
    """A revised document: every block's new text, its numbers' citations, what changed."""

    texts: list[str]
    styles: list[str]
    citations: list[Citation]
    placeholders: list[Placeholder]
    changed: list[int]
    findings: list[Finding] = field(default_factory=list)
    report: CheckReport | None = None  # the final check of the whole revised text, when changed
    flagged: list[str] = field(default_factory=list)  # numbers turned into 〔待核〕
    notes: list[str] = field(default_factory=list)  # what the writer did or could not do
    writer: str = "template"
    model: str | None = None
    prompts: dict[str, int] = field(default_factory=dict)
    instruction: str = ""
    section: str | list[int] | None = None  # a heading's text, or the exact blocks in scope


@dataclass
class RevisionReport:
    """What `assistant revise` did to a file."""

    source: Path
    output: Path
    revision: Revision
    added_comments: int = 0
    clean: Path | None = None  # the clean copy (清稿) beside the tracked one
    written: bool = True  # False: the revision changed nothing and no file was written


# --- scope ---------------------------------------------------------------------------------


def section_scope(blocks: Sequence[Block], section: str | Sequence[int] | None) -> list[int]:
    """Indices of the body blocks a revision may touch: all bodies; or the section under the
    first heading containing ``section`` (the CLI's --section); or exactly the given block
    indices (the chat, which located the passages itself), each of which must be a body."""
    if section is None:
        return [i for i, b in enumerate(blocks) if b.style in ("body", "table") and b.text.strip()]
    if not isinstance(section, str):
        bodies = set(section_scope(blocks, None))
        wanted = sorted(set(section))
        stray = [i for i in wanted if i not in bodies]
        if not wanted:
            raise InputError("没有指定要修改的段落")
        if stray:
            raise InputError(f"第{stray[0]}段不是可修改的正文段落", hint="标题和空段不改")
        return wanted
    wanted = re.sub(r"\s", "", section)
    for index, block in enumerate(blocks):
        if block.style in HEADINGS and wanted in re.sub(r"\s", "", block.text):
            level = HEADINGS.index(block.style)
            scope = []
            for later in range(index + 1, len(blocks)):
                style = blocks[later].style
                if (style in HEADINGS and HEADINGS.index(style) <= level) or style == "title":
                    break
                if style in ("body", "table") and blocks[later].text.strip():
                    scope.append(later)
            return scope
    headings = "、".join(b.text for b in blocks if b.style in HEADINGS) or "（无标题）"
    raise InputError(f"找不到标题含“{section}”的一节", hint=f"文中的标题有: {headings}")


def heading_of(blocks: Sequence[Block], index: int) -> str:
    return next((blocks[i].text for i in range(index, -1, -1) if blocks[i].style in HEADINGS), "")


# --- passages: the stretches of a draft a chat revision can target ------------------------

_PART_HEADINGS = (
    ("问题", re.compile(r"问题|不足|短板|差距")),
    ("计划", re.compile(r"计划|安排|打算|下一步|思路|要点")),
    ("总结", re.compile(r"总结|完成情况|工作情况|成效|进展|回顾")),
)


@dataclass(frozen=True)
class Passage:
    """The body blocks under one sub-heading, or one paragraph where there is no sub-heading
    (存在的问题's 一是…/二是…, a one-section draft): what an editor calls "the 大气 part"."""

    headings: tuple[str, ...]  # the title, the level-1 heading, … down to the passage's own
    part: str | None  # 总结 / 问题 / 计划, from the level-1 heading, else from the title
    blocks: tuple[int, ...]
    text: str
    name: str  # where it sits, as the editor reads it: "三、下半年工作计划 › （一）…", "…第1段"


def part_of(heading: str) -> str | None:
    """总结 / 问题 / 计划 when a heading names exactly one of them (a title like
    "…工作总结和下半年工作计划" names two: None)."""
    named = [part for part, pattern in _PART_HEADINGS if pattern.search(heading)]
    return named[0] if len(named) == 1 else None


def passages(blocks: Sequence[Block]) -> list[Passage]:
    """The draft cut into passages: the bodies under a level-2 (or deeper) heading together,
    each paragraph on its own under the title or a level-1 heading."""
    out: list[Passage] = []
    path: list[tuple[int, str]] = []  # (level, text); the title is level -1
    for index, block in enumerate(blocks):
        if block.style == "title":
            path = [(-1, block.text)]
            continue
        if block.style in HEADINGS:
            level = HEADINGS.index(block.style)
            path = [(lv, text) for lv, text in path if lv < level] + [(level, block.text)]
            continue
        if block.style not in ("body", "table") or not block.text.strip():
            continue
        headings = tuple(text for _, text in path)
        grouped = bool(path) and path[-1][0] >= 1
        if grouped and out and out[-1].headings == headings:
            last = out[-1]
            text = last.text + "\n" + block.text
            out[-1] = Passage(headings, last.part, (*last.blocks, index), text, last.name)
            continue
        top = next((text for lv, text in path if lv == 0), None)
        part = (part_of(top) if top else None) or next(
            (part_of(text) for lv, text in path if lv == -1), None
        )
        name = " › ".join(headings[1:])
        if not grouped:
            number = 1 + sum(p.headings == headings for p in out)
            name = f"{name} 第{number}段".strip()
        out.append(Passage(headings, part, (index,), block.text, name))
    return out


# --- references: numbers back into {{id}} --------------------------------------------------


def to_references(text: str, citations: Sequence[Citation]) -> str:
    """The block's text with each cited number replaced by the reference it was rendered from."""
    out, last = [], 0
    for c in sorted(citations, key=lambda c: c.start):
        if c.start < last or text[c.start : c.end] != c.text:
            continue  # an edited or overlapping span is literal text now: the checker will judge it
        if not re.search(r"\d", c.text):
            continue  # a zero said in words (无劣Ⅴ类断面) stays words, cited again once rendered
        suffix = "" if c.field == "value" else f".{c.field}"
        out += [text[last : c.start], f"{{{{{c.figure_id}{suffix}}}}}"]
        last = c.end
    out.append(text[last:])
    return "".join(out)


# --- the template writer's revisions ------------------------------------------------------


def condense(text: str, *, problem: bool = False, plan: bool = False) -> str:
    """Whole sentences and 一是… items only (assistant/condense.py); unchanged if none can go."""
    return condense_paragraph(text, problem=problem, plan=plan)


def _transitions(blocks: Sequence[Block]) -> set[int]:
    """In a document with headings, the opening (body before the first heading) and the closing
    (a last paragraph without a figure that follows another body paragraph): left whole."""
    body = [i for i, b in enumerate(blocks) if b.style == "body" and b.text.strip()]
    first_heading = next((i for i, b in enumerate(blocks) if b.style in HEADINGS), None)
    if first_heading is None:  # one section on its own: no opening or closing to keep
        return set()
    ends = {i for i in body if i < first_heading}
    if len(body) >= 2 and body[-2] == body[-1] - 1 and not carries_figure(blocks[body[-1]].text):
        ends.add(body[-1])
    return ends


def _role(blocks: Sequence[Block], index: int) -> dict[str, bool]:
    """Is the paragraph in 存在的问题 or in a plan (by the level-1 heading above it)?"""
    top = next(
        (blocks[i].text for i in range(index, -1, -1) if blocks[i].style == "h1"),
        heading_of(blocks, index),
    )
    part = part_of(top)
    return {"problem": part == "问题", "plan": part == "计划"}


def formalise(text: str) -> tuple[str, list[str]]:
    """Informal wording replaced from the domain pack's table (revise_phrases.yaml, longest
    first); also which entries applied."""
    table = domain.revise_phrases().formal
    applied = []
    for plain in sorted(table, key=len, reverse=True):
        if plain in text:
            applied.append(f"{plain}→{table[plain]}")
            text = text.replace(plain, table[plain])
    return text, applied


def _addition_terms(instruction: str) -> list[str]:
    return [m.group(1).strip() for m in _ADD.finditer(instruction) if m.group(1).strip()]


def without_additions(instruction: str) -> str:
    """The instruction minus what it asks to add: "在大气部分加上臭氧的内容" → "在大气部分"
    (臭氧 is what to write, not where)."""
    return _ADD.sub("", instruction)


def style_only(instruction: str) -> bool:
    """精简 / 语气更正式 and nothing to add: an edit that reads the same wherever it applies."""
    styled = _CONDENSE.search(instruction) or _FORMAL.search(instruction)
    return bool(styled) and not _addition_terms(instruction)


def figures_for(term: str, figure_set: FigureSet) -> list[str]:
    """Ids of the figures a term like 臭氧 or 优良天数 names (by name, metric or id)."""
    metric = find_metric(term)
    folded = term.lower()
    return [
        f.id
        for f in figure_set
        if term in f.name
        or folded in f.id
        or (metric is not None and f.metric == metric.name)
        or (metric is not None and metric.name in f.name)
    ]


def figure_sentence(figure_id: str, figure_set: FigureSet) -> str:
    """One sentence about a figure in reference form: value, 同比, target."""
    figure = figure_set[figure_id]
    sentence = f"{figure.name}为{{{{{figure_id}}}}}"
    if figure_set.change(figure_id) is not None:
        sentence += f"，同比{{{{{figure_id}.change}}}}"
    check = figure_set.target(figure_id)
    if check is not None:
        verb = "达到" if check.met else "尚未达到"
        sentence += f"，{verb}{{{{{figure_id}.target}}}}的目标要求"
    return sentence + "。"


def template_revise(
    paragraphs: dict[int, str],
    instruction: str,
    figure_set: FigureSet,
    blocks: Sequence[Block],
    notes: list[str],
) -> dict[int, str]:
    """Deterministic revisions for the common asks: 精简, 语气更正式, 加上…的内容."""
    condensing = bool(_CONDENSE.search(instruction))
    formal = bool(_FORMAL.search(instruction))
    terms = _addition_terms(instruction)
    if not (condensing or formal or terms):
        raise InputError(
            f"模板写作无法执行这条修改意见：“{instruction[:40]}”",
            hint="模板写作支持：精简/压缩、语气更正式、加上某指标的内容；"
            "其他修改请用 --writer openai",
        )
    new = dict(paragraphs)
    if condensing:
        ends = _transitions(blocks)
        new = {
            i: text if i in ends else condense(text, **_role(blocks, i)) for i, text in new.items()
        }
        shorter = sum(new[i] != paragraphs[i] for i in new)
        notes.append(
            f"精简：{shorter} 段删去了不带数字的整句或整条措施"
            if shorter
            else "模板写作的精简只删不带数字的整句或整条“一是…”措施，"
            "保留每段首句、带数字的句子、问题分析和至少一条措施；这些段落已无可删之句。"
            "要改写句子本身请用 --writer openai"
        )
    if formal:
        applied: list[str] = []
        for i, text in new.items():
            new[i], used = formalise(text)
            applied += used
        size = len(domain.revise_phrases().formal)
        notes.append(
            f"语气更正式：按口语→公文对照表 ({size} 组，revise_phrases.yaml) 替换 {len(applied)} 处"
            + (f"：{'、'.join(dict.fromkeys(applied))}" if applied else "")
            + ("" if applied else "；本稿没有表中的口语说法。要整体调整语气请用 --writer openai")
        )
    for term in terms:
        _add_term(term, new, figure_set, blocks, notes)
    return _gated(paragraphs, new, notes)


def _gated(old: dict[int, str], new: dict[int, str], notes: list[str]) -> dict[int, str]:
    """A revised paragraph that fails the sentence gate where the old one passed stays old."""
    kept = dict(new)
    for index, text in new.items():
        found = gate.problems(text)
        if text != old[index] and found and not gate.problems(old[index]):
            kept[index] = old[index]
            notes.append(f"第{index + 1}段修改后句子不完整（{found[0]}），保留原文")
    return kept


def _add_term(
    term: str,
    paragraphs: dict[int, str],
    figure_set: FigureSet,
    blocks: Sequence[Block],
    notes: list[str],
) -> None:
    if not paragraphs:
        notes.append(f"没有可加入“{term}”内容的段落")
        return
    cited = {m.group(1) for text in paragraphs.values() for m in REFERENCE.finditer(text)}
    ids = figures_for(term, figure_set)
    fresh = [i for i in ids if i not in cited]
    if ids and not fresh:
        notes.append(f"“{term}”的数据（{'、'.join(ids)}）已在文中，未重复加入")
        return
    if fresh:
        sentence = "".join(figure_sentence(i, figure_set) for i in fresh)
        topic = figure_set[fresh[0]].topic
    else:
        sentence = f"{term}方面，〔待补：{term}相关数据〕。"
        topic = classify_topic((), term)
        notes.append(f"数据文件中没有“{term}”的指标，已加〔待补〕标记")
    target = _paragraph_for(topic, paragraphs, figure_set, blocks)
    paragraphs[target] = paragraphs[target] + sentence


def _paragraph_for(
    topic: str | None,
    paragraphs: dict[int, str],
    figure_set: FigureSet,
    blocks: Sequence[Block],
) -> int:
    """The last paragraph citing a figure of the same topic, else under a heading on the topic,
    else the last one in scope."""
    same_topic = [
        i
        for i, text in paragraphs.items()
        if any(
            (f := figure_set.get(m.group(1))) and f.topic == topic for m in REFERENCE.finditer(text)
        )
    ]
    if same_topic:
        return same_topic[-1]
    under = [
        i for i in paragraphs if topic and classify_topic((heading_of(blocks, i),), "") == topic
    ]
    return (under or sorted(paragraphs))[-1]


# --- verify --------------------------------------------------------------------------------


def verify(
    texts: list[str],
    citations: list[Citation],
    changed: Sequence[int],
    old_texts: Sequence[str],
    old_citations: Sequence[Citation],
    figure_set: FigureSet,
) -> tuple[list[str], list[Citation], list[str], CheckReport]:
    """Check the revised text; a number the revision introduced that no figure backs becomes
    〔待核：…〕, one the checker ties to a figure gets that figure's citation.

    A number the checker finds wrong (mismatch, unit, direction, stale) is never kept in a
    revised paragraph, even if the old text had it: the tracked change shows the editor why.
    An unsourced number stays only if the old paragraph had it unsourced too (the editor's own
    figure); the same digits moved into a figure's place are new and are flagged.
    """
    from .check import check_blocks

    before = check_blocks(list(old_texts), figure_set, old_citations)
    existing = {
        (f.block, f.value) for f in before.findings if f.block in changed and f.kind == "unsourced"
    }
    report = check_blocks(texts, figure_set, citations)
    cited = {(c.block, c.start, c.end) for c in citations}
    flagged: list[str] = []
    by_block: dict[int, list[Finding]] = {}
    for finding in report.findings:
        if finding.block not in changed or (finding.block, finding.start, finding.end) in cited:
            continue
        if any(
            c.block == finding.block and c.start < finding.end and finding.start < c.end
            for c in citations
        ):
            continue
        if finding.kind == "unsourced" and (finding.block, finding.value) in existing:
            continue
        by_block.setdefault(finding.block, []).append(finding)

    texts = list(texts)
    citations = list(citations)
    cited_before = len(citations)
    for block, findings in by_block.items():
        for finding in sorted(findings, key=lambda f: f.start, reverse=True):
            if finding.kind == "ok" and finding.figure_id:
                citations.append(
                    Citation(
                        block,
                        finding.start,
                        finding.end,
                        texts[block][finding.start : finding.end],
                        finding.figure_id,
                        finding.field or "value",
                        finding.source or "",
                    )
                )
                continue
            if finding.kind not in _UNBACKED:
                continue
            mark = f"〔待核：{finding.value}〕"
            text = texts[block]
            texts[block] = text[: finding.start] + mark + text[finding.end :]
            shift = len(mark) - (finding.end - finding.start)
            citations = [
                c
                if c.block != block or c.start < finding.start
                else Citation(
                    c.block, c.start + shift, c.end + shift, c.text, c.figure_id, c.field, c.source
                )
                for c in citations
            ]
            flagged.append(finding.value)
    if not flagged and len(citations) == cited_before:
        return texts, citations, flagged, report  # the text and its citations as checked
    return texts, citations, flagged, check_blocks(texts, figure_set, citations)


# --- the whole revision --------------------------------------------------------------------


def revise_blocks(
    blocks: Sequence[Block],
    citations: Sequence[Citation],
    instruction: str,
    figure_set: FigureSet,
    settings: Settings,
    *,
    section: str | Sequence[int] | None = None,
    unit: str | None = None,
    on_token: Callable[[str], None] | None = None,
) -> Revision:
    """Revise ``blocks`` by ``instruction``; blocks outside the scope keep their exact text."""
    instruction = instruction.strip()
    if not instruction:
        example = domain.examples().addition
        raise InputError("修改意见是空的", hint=f"例如：再精简一些；语气更正式；{example}")
    scope = section_scope(blocks, section)
    texts = [b.text for b in blocks]
    references = {i: to_references(texts[i], [c for c in citations if c.block == i]) for i in scope}
    revision = Revision(
        texts=texts,
        styles=[b.style for b in blocks],
        citations=[],
        placeholders=[],
        changed=[],
        instruction=instruction,
        section=section if section is None or isinstance(section, str) else scope,
        writer=settings.writer,
    )
    writer = make_writer(settings.writer, settings)
    unit = unit or detect_unit(texts[0] if texts else "") or "本单位"
    job = RevisionJob(references, instruction, figure_set, blocks, unit)
    revised = writer.revise(job, on_token)
    new_refs = revised.paragraphs
    revision.notes += revised.notes
    revision.prompts = dict(revised.prompts)
    revision.model = revised.model

    new_texts = list(texts)
    changed = [i for i, text in new_refs.items() if text != references[i]]
    # untouched blocks keep their exact old text and citations
    new_citations = [c for c in citations if c.block not in changed]
    for index in changed:
        rendered = render(new_refs[index], figure_set, index)
        for unknown in rendered.unknown:
            revision.notes.append(f"未知数据 id“{unknown}”已标为〔待核〕")
        new_texts[index] = rendered.text
        new_citations += zero_citations(rendered.text, figure_set, index, rendered.citations)
    if not changed:
        revision.notes.append("没有需要修改的内容，未写出新文件")
    if changed:
        new_texts, new_citations, flagged, report = verify(
            new_texts, new_citations, changed, texts, citations, figure_set
        )
        revision.flagged = flagged
        revision.findings = list(report.findings)
        revision.report = report
    revision.texts = new_texts
    revision.citations = sorted(new_citations, key=lambda c: (c.block, c.start))
    revision.placeholders = [p for i, t in enumerate(new_texts) for p in find_placeholders(t, i)]
    revision.changed = sorted(changed)
    return revision


def revise_file(
    src: Path,
    instruction: str,
    figures: Path,
    out: Path,
    settings: Settings,
    *,
    section: str | None = None,
    unit: str | None = None,
    on_token: Callable[[str], None] | None = None,
) -> RevisionReport:
    """Revise a .docx draft into ``out`` as tracked changes, comments on numbers kept."""
    from .figures import load_figures
    from .uploads import check_zip
    from .word import read_blocks, read_comments, write_clean_copy, write_revision

    src, out = Path(src), Path(out)
    if not src.is_file():
        raise InputError("文件不存在", path=str(src))
    if src.suffix.lower() != ".docx":
        raise InputError("只能修改 .docx 草稿", path=str(src), hint="先在 Word 中另存为 .docx")
    check_zip(src)
    if out.resolve() == src.resolve():
        raise InputError("输出文件不能覆盖原稿", path=str(out), hint="用 --out 指定新文件名")
    figure_set = load_figures(figures)
    blocks = read_blocks(src)
    comments = read_comments(src)
    old_citations = []
    for ref in comments:
        parsed = parse_comment(ref.text)
        if parsed and ref.end > ref.start:
            old_citations.append(
                Citation(
                    ref.block_index, ref.start, ref.end, ref.anchored_text, parsed[0], parsed[1]
                )
            )
    revision = revise_blocks(
        blocks,
        old_citations,
        instruction,
        figure_set,
        settings,
        section=section,
        unit=unit,
        on_token=on_token,
    )
    if not revision.changed:  # nothing to show the editor: no copy of the old file
        return RevisionReport(source=src, output=out, revision=revision, written=False)
    marks = _new_marks(revision, blocks, old_citations, figure_set)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_revision(
        src,
        out,
        {i: revision.texts[i] for i in revision.changed},
        author=settings.author,
        comments=marks,
    )
    return RevisionReport(
        source=src,
        output=out,
        revision=revision,
        added_comments=sum(len(m) for m in marks.values()),
        clean=write_clean_copy(out),
    )


def _new_marks(
    revision: Revision,
    blocks: Sequence[Block],
    old: Sequence[Citation],
    figure_set: FigureSet,
) -> dict[int, list[Mark]]:
    """Comments for the numbers a revision wrote anew (a kept number keeps its old comment),
    and highlights on new 〔待补〕/〔待核〕 marks."""
    marks: dict[int, list[Mark]] = {}
    for index in revision.changed:
        before, after = blocks[index].text, revision.texts[index]
        equal = [
            (i1, j1, i2 - i1)
            for op, i1, i2, j1, _ in SequenceMatcher(
                None, before, after, autojunk=False
            ).get_opcodes()
            if op == "equal"
        ]
        kept = set()
        for c in (c for c in old if c.block == index):
            for i1, j1, size in equal:
                if i1 <= c.start and c.end <= i1 + size:
                    kept.add((c.start - i1 + j1, c.end - i1 + j1, c.figure_id, c.field))
        fresh = [
            c
            for c in revision.citations
            if c.block == index and (c.start, c.end, c.figure_id, c.field) not in kept
        ]
        old_marks = {m.group() for m in PLACEHOLDER.finditer(before)}
        added = number_marks(fresh, figure_set) + [
            m for m in placeholder_marks(after) if after[m.start : m.end] not in old_marks
        ]
        if added:
            marks[index] = added
    return marks
