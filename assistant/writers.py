"""The writers: each turns one outline section into paragraphs that cite figures by reference.

A writer never types a figure: its paragraphs carry ``{{id}}`` references that
assistant.render turns into numbers. The ``template`` writer (default, offline, deterministic)
re-fills the bureau's own past sentences (assistant.refill) and falls back to our phrase
patterns (the domain pack's patterns.yaml and topics.yaml) only where the past gives nothing.
The ``openai`` writer (assistant.model_writer) asks an OpenAI-compatible model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from . import domain, era, stock
from .errors import BackendError
from .gate import INLINE_HEADING, mend_paragraph
from .items.prose import clause as item_clause
from .items.prose import mark as item_mark
from .items.prose import paragraphs as item_paragraphs
from .measures import (
    _bigrams,
    _clause_history,
    _reusable_runs,
    _said,
    by_unit,
    in_plan_time,
    in_summary_time,
    reusable_measure,
)
from .names import Voice, area_subject
from .outline import (
    Outline,
    PastDocument,
    Period,
    Section,
    assigned_topics,
    fit_claims,
    patterns,
    time_bound,
    topic_heading,
    trouble,
    verdict,
)
from .periods import lead_with, restate, season_led, year_so_far
from .problems import _contradicted, past_problems
from .prose import (
    capped,
    continued,
    figure_clause,
    figure_sentences,
    named,
    prose_name,
    ref,
    slot,
    zero_count,
    zero_counts,
    zero_words,
)
from .refill import ITEM_PREFIX, Refiller, adapt, narrative, sentences
from .render import REFERENCE
from .settings import Settings
from .topics import in_opening
from .types import Block, Chunk, Figure, FigureSet, Item

OnToken = Callable[[str], None]
ORDINALS = "一二三四五六七八九十"
MAX_ITEMS = 4  # 一是…四是: the most a section's measures run to
STOCK_FILL = 2  # our stock sentences only bring a section's measures up to this many
JOIN = 3  # clauses of one past sentence an item may keep together


@dataclass
class Context:
    """Everything a writer may use for one section."""

    section: Section
    period: Period
    unit: str
    figure_set: FigureSet
    exemplars: list[Chunk]  # best first
    outline: Outline
    past: PastDocument | None = None
    voice: Voice | None = None  # the target's level and area: reused text speaks as it
    # the section's 科室 items (assistant.items), in material order; a paragraph built from one
    # marks it 〔item:id〕 right after what it says of it (assistant.render.ITEM_MARK), and cites
    # its numbers as {{figure id}} (item.figure_ids, found in item_figures)
    items: list[Item] = field(default_factory=list)
    item_figures: tuple[Figure, ...] = ()

    @property
    def rendering_set(self) -> FigureSet:
        """The file's figures and the section's item numbers: what the section's references
        render from and are checked against (``figure_set`` alone is what the section picks
        its figures from)."""
        if not self.item_figures:
            return self.figure_set
        return replace(self.figure_set, figures=self.figure_set.figures + self.item_figures)

    @property
    def identity(self) -> str:
        """What the unit's own choices of stock and of past sentences are seeded by."""
        return stock.identity(self.unit, self.figure_set)

    def own(self, chunk: Chunk) -> str:
        """A past chunk's text as the target's, for this period (see refill.adapt)."""
        return adapt(chunk.text, chunk, self.period.year, self.period.period_kind, self.voice)

    @property
    def figures(self) -> list[Figure]:
        return [self.figure_set[i] for i in self.section.figure_ids]


@dataclass
class Written:
    """A section's paragraphs (with references), and what they drew on."""

    paragraphs: list[str]
    exemplar_ids: list[str] = field(default_factory=list)
    prompts: dict[str, int] = field(default_factory=dict)
    model: str | None = None
    error: BackendError | None = None  # the model could not write it: the paragraph says so


@dataclass
class RevisionJob:
    """What a writer revises: the paragraphs in scope by block index, in reference form (the
    cited numbers are ``{{id}}`` again), the instruction, and the document around them."""

    paragraphs: dict[int, str]
    instruction: str
    figure_set: FigureSet
    blocks: Sequence[Block]  # the whole document (headings say where a paragraph sits)
    unit: str


@dataclass
class Revised:
    """A writer's revision: each paragraph's new reference text (same indices, none added), and
    what the revision drew on or could not do."""

    paragraphs: dict[int, str]
    notes: list[str] = field(default_factory=list)
    prompts: dict[str, int] = field(default_factory=dict)
    model: str | None = None


class Writer(Protocol):
    """A way of writing, registered by name (assistant.registry). ``generative`` is True for a
    writer that asks a language model: its text streams as it comes, sections are asked for
    concurrently, and a reference to an id or field the figures file lacks is its error (sent to
    repair, then 〔待核〕). A deterministic writer (template) is False."""

    name: str
    generative: bool

    def write(self, context: Context, on_token: OnToken | None = None) -> Written: ...

    def repair(
        self, context: Context, written: Written, unsourced: Sequence[str]
    ) -> Written | None: ...

    def revise(self, job: RevisionJob, on_token: OnToken | None = None) -> Revised: ...


def items(parts: Sequence[str], end: str = "。") -> str:
    """一是…。二是…。 from clauses; a single clause stands alone (no 一是 without a 二是)."""
    if len(parts) == 1:
        return parts[0].rstrip("，；。") + end
    return "".join(
        f"{ORDINALS[i]}是{part.rstrip('，；。')}{end}" for i, part in enumerate(parts[:10])
    )


NEAR = 0.75  # share of the shorter clause's characters two clauses share: one measure twice


def _dedupe(texts: Sequence[str], near: bool = True) -> list[str]:
    """The measures less those that mostly repeat an earlier one: most of their character pairs
    are there, or (``near``) one of their clauses says nearly what a clause of it says (强化扬尘
    和移动源管控，… then 强化扬尘、移动源和面源精细化管控)."""
    seen: list[tuple[set[str], list[set[str]]]] = []
    kept = []
    for text in texts:
        grams = _bigrams(text)
        parts = [set(p) for p in re.split(r"[，；]", text) if len(p) >= 6] if near else []
        if any(
            len(grams & other) >= 0.45 * min(len(grams), len(other))
            or any(len(a & b) >= NEAR * min(len(a), len(b)) for a in parts for b in other_parts)
            for other, other_parts in seen
        ):
            continue
        seen.append((grams, parts))
        kept.append(text)
    return kept


LEAD_RUN = 5  # the fewest characters of a slogan two leads end on (净土保卫战)
LEAD_VERB = 4  # what a slogan lead may hold before it: a verb (扎实推进)


def _lead_once(measures: Sequence[str], title: str) -> list[str]:
    """The measures with a slogan lead said once: 一是持续深入打好净土保卫战，严格…评审 then
    二是扎实推进净土保卫战，严格建设用地… says the slogan twice, so the second keeps what follows
    it. A lead goes only when it is a verb and the words an earlier lead (or the heading) ends
    on; a lead with work of its own (聚焦重污染天气应对) stays."""
    leads = [title.partition("，")[0]]
    kept = []
    for measure in measures:
        lead, _, rest = measure.partition("，")
        tails = [lead[cut:] for cut in range(LEAD_VERB + 1) if len(lead) - cut >= LEAD_RUN]
        if rest and any(other.endswith(tail) for tail in tails for other in leads):
            measure = rest
        leads.append(lead)
        kept.append(measure)
    return kept


def _off_title(measures: Sequence[str], title: str) -> list[str]:
    """The measures without the clauses that only say the section's heading again (（七）持续
    加强党风廉政建设 then 一是持续加强党风廉政建设); a measure with nothing else goes."""
    heading = _bigrams(title)
    kept = []
    for measure in measures:
        rest = [
            clause
            for clause in measure.split("，")
            if len(_bigrams(clause) & heading) < 0.8 * len(_bigrams(clause))
        ]
        if rest:
            kept.append("，".join(rest))
    return kept


def headline_figures(figure_set: FigureSet, limit: int = 3) -> list[Figure]:
    """The opening's figures: per quality topic, its first figure with a judgement, then those
    an office states in the opening whatever they are (公众满意度: topics.in_opening)."""
    chosen: list[Figure] = []
    topics_seen: set[str] = set()
    standing = [f for f in figure_set if in_opening(f.name) and not f.missing]
    for figure in figure_set:
        if figure.missing or figure.better is None or figure.topic in topics_seen:
            continue
        if figure_set.change(figure.id) is None and figure_set.target(figure.id) is None:
            continue
        chosen.append(figure)
        topics_seen.add(figure.topic or "")
        if len(chosen) == limit:
            break
    return [f for f in chosen if f not in standing] + standing


# --- the template writer ----------------------------------------------------------------------


class TemplateWriter:
    """Deterministic and offline: the bureau's own sentences, re-filled with the new figures."""

    name = "template"
    generative = False

    def __init__(self, settings: Settings | None = None) -> None:
        self.version = int(patterns().get("version", 1))

    def repair(self, context: Context, written: Written, unsourced: Sequence[str]) -> None:
        return None  # it writes no number of its own; the checker's verdict stands

    def revise(self, job: RevisionJob, on_token: OnToken | None = None) -> Revised:
        """The deterministic revisions (assistant.revise.template_revise), whose notes say what
        was done or what this writer cannot do."""
        from .revise import template_revise

        notes: list[str] = []
        paragraphs = template_revise(
            job.paragraphs, job.instruction, job.figure_set, job.blocks, notes
        )
        return Revised(paragraphs, notes)

    def write(self, context: Context, on_token: OnToken | None = None) -> Written:
        role = context.section.role
        method = {
            "opening": self._opening,
            "summary": self._summary,
            "problems": self._problems,
            "plan-intro": self._plan_intro,
            "plan": self._plan,
        }[role]
        written = method(context)
        written.prompts = {"patterns": self.version}
        return written

    # each role ---------------------------------------------------------------------------------

    def _opening(self, context: Context) -> Written:
        table = patterns()
        opening = context.past.opening if context.past else None
        kept: list[str] = []
        if opening is not None:
            text = context.own(opening)
            paragraph = max(text.split("\n"), key=len)
            refiller = Refiller(context.figure_set, (), "text", context.period.year)
            for sentence in sentences(paragraph):
                refilled = refiller.sentence(sentence)
                if refilled:
                    kept.append(zero_counts(refilled.text, context.figure_set))
        # the same claim check as the headings, over all the figures: the opening speaks for the
        # whole document, so 各项工作总体达到序时进度 needs every figure on course
        everything = [f.id for f in context.figure_set]
        judged = verdict(context.figure_set, everything, context.period.period_kind)
        kept = [s for s in (fit_claims(s, judged, table["opening_neutral"]) for s in kept) if s]
        close = _stock(table["opening_close"], context, "close")
        if kept and re.search(r"现将|如下", kept[-1]):
            close = kept.pop()
        if not kept:  # nothing past, or only its close: the period still needs its frame
            kept = [_stock(table["opening"], context, "opening")]
        chosen = headline_figures(context.figure_set)
        headline = [figure_clause(f, context.figure_set) for f in chosen]
        if headline and zero_count(chosen[0]):  # 全区无劣Ⅴ类断面, not a bare 无劣Ⅴ类断面
            headline[0] = area_subject(context.voice.level if context.voice else None) + headline[0]
        if headline:
            lead = figures_label(context)
            kept.append(table["figures_lead"].format(label=lead) + "；".join(headline) + "。")
        kept.append(close)
        ids = [opening.id] if opening is not None else []
        return Written(["".join(kept)], ids)

    def _summary(self, context: Context) -> Written:
        label = figures_label(context)
        refiller = Refiller(
            context.figure_set, context.section.figure_ids, "summary", context.period.year
        )
        lead: list[str] = []
        used_chunks: list[str] = []
        for chunk in context.exemplars:
            if not refiller.free():
                break
            text = context.own(chunk)
            took = False
            for sentence in sentences(text):
                if not refiller.free():
                    break
                refilled = refiller.sentence(sentence)
                if refilled and refilled.figure_ids:
                    text = zero_counts(ITEM_PREFIX.sub("", refilled.text), context.figure_set)
                    text = restate(text, context.period, context.figure_set.period)
                    text = _period_once(season_led(text, label), label)
                    if not survives_gate(text):
                        refiller.release(refilled)  # its figures go to a sentence that stands
                        continue
                    lead.extend(capped(text))  # no 二是 mid-paragraph
                    took = True
            if took:
                used_chunks.append(chunk.id)
        said = "".join(
            lead
        )  # a zero count a past sentence already said (未发生…) is not said again
        left = [
            f
            for f in refiller.free()
            if not (zero_count(f) and _said(zero_words(prose_name(f.name)), said))
        ]
        subject = area_subject(context.voice.level if context.voice else None)
        lead = continued(
            lead, figure_sentences(left, context.figure_set, subject), context.figure_set
        )
        if lead and not lead[0].startswith(label):
            lead[0] = lead_with(lead[0], label)
        paragraphs = ["".join(lead)] if lead else []
        if context.items:  # the 科室's own account of the period, not stock measures
            labels = (context.period.label,)
            paragraphs += item_paragraphs(context.items, labels)
            return Written(paragraphs, _ordered(used_chunks))
        measures, measure_ids = self._measures(context, "总结", "".join(lead))
        if not context.section.figure_ids and not measure_ids:
            # a section the genre expects that neither figures nor the past fill: say what the
            # editor must add rather than pass stock sentences off as this period's work
            measures = [slot(context.section.title)]
        if measures:
            paragraphs.append(items(measures))
        return Written(paragraphs, _ordered(used_chunks + measure_ids))

    def _measures(
        self, context: Context, part: str, written: str = ""
    ) -> tuple[list[str], list[str]]:
        """一是/二是 items from the exemplars' number-free clauses (sub-heading first), none
        repeating what the section already says; see reusable_measure for which past measures
        may stand in a new draft. Our patterns fill in where the past gives too few."""
        found: list[str] = []
        ids: list[str] = []
        allow_claims = part == "计划"
        year, kind = context.period.year, context.period.period_kind
        # the office's own documents speak first, then those of the same period kind; which of
        # another bureau's measures are taken depends on the unit (two bureaus drafting from one
        # shared corpus do not take the same ones)
        chunks = [c for c in _by_unit(context) if c.part == part and len(c.heading_path) >= 2]
        history = _clause_history(context.exemplars)
        leads: list[str] = []  # the past sub-headings already leading an item
        for chunk in chunks:
            text = context.own(chunk)
            runs = narrative(
                text,
                claims=allow_claims,
                limit=2 * MAX_ITEMS,
                actions=True,
                topics=context.section.topics,
                strict=True,
                join=JOIN,
            )

            def fits(clause: str, chunk: Chunk = chunk) -> bool:
                timely = in_plan_time if part == "计划" else in_summary_time
                return timely(clause, kind) and reusable_measure(
                    clause, chunk, context.section.topics, year, history
                )

            clauses = [item for run in runs for item in _reusable_runs(run, fits)][:MAX_ITEMS]
            heading = chunk.heading_path[-1] if len(chunk.heading_path) >= 3 else ""
            heading = re.sub(r"^\s*(?:\d+[.、．]|[（(][\d一二三四五六七八九十]+[）)])", "", heading)
            if heading and not re.search(r"\d", heading) and time_bound(heading):
                heading = ""  # 坚决打赢蓝天保卫战收官战: one year's slogan
            if heading and _said(heading, context.section.title + "".join(leads)):
                heading = ""  # 持续优化营商环境 under （七）持续优化营商环境 says it twice
            if heading and clauses:
                leads.append(heading)
            if heading and not re.search(r"\d", heading) and clauses:
                found.append(f"{heading.rstrip('。')}，{clauses[0]}")
            else:
                found.extend(clauses)
            if clauses:
                ids.append(chunk.id)
            if len(_dedupe(found)) >= MAX_ITEMS:
                break
        found = _off_title(found, context.section.title)
        # a measure dropped for nearly repeating another is replaced: the section keeps its size
        wanted = len([f for f in _dedupe(found, near=False) if not _said(f, written)][:MAX_ITEMS])
        found = [f for f in _dedupe(found) if not _said(f, written)][:MAX_ITEMS]
        if len(found) < max(STOCK_FILL, wanted):
            found = self._stock_fill(context, part, written, found, max(STOCK_FILL, wanted))
        found = _lead_once(found, context.section.title)
        if not found:
            ids = []
        return found, ids

    @staticmethod
    def _stock_fill(
        context: Context, part: str, written: str, found: list[str], wanted: int
    ) -> list[str]:
        """The section's measures brought up to ``wanted`` with our stock, made the unit's own
        (assistant.stock): sentences on what its figures and past text speak of first, their
        alternatives chosen by the unit."""
        key: Literal["measures", "plans"] = "plans" if part == "计划" else "measures"
        kind = context.period.period_kind
        material = "".join([f.name for f in context.figures] + [c.text for c in context.exemplars])
        topics = context.section.topics or (domain.default_topic(),)
        level = context.voice.level if context.voice else None
        slots = {"scope": stock.scope(level)} if level else {}
        year = context.period.year
        generic = stock.measures(topics, key, context.identity, material, year, slots)
        fill = [
            g
            for g in _off_title(generic, context.section.title)
            if not _said(g, written + "".join(found)) and (part != "计划" or in_plan_time(g, kind))
        ]
        return _dedupe(found + fill)[:wanted]

    def _problems(self, context: Context) -> Written:
        """存在的问题 from the figures, by the rule the headings and the opening use too
        (outline.trouble): an amount target behind the period's pace, a figure worse 同比, and a
        concentration or rate off its annual target. Within the year (一季度, 上半年, 前三季度)
        that last counts only when it also got worse 同比, and then as a pressure
        (完成…的年度目标压力较大), not a failure: the seasons weigh on part-year averages (一季度
        PM2.5 is a winter figure), so one above the annual target while improving is no problem
        of the period. A full year states the miss."""
        table = patterns()
        label = figures_label(context)  # 1-11月 where the year is not done
        figure_set = context.figure_set
        by_topic: dict[str, list[str]] = {}
        titles: dict[str, str] = {}  # a topic's problem said from its first figure in trouble
        topic_of = assigned_topics(figure_set, context.unit)  # the sections' own assignment
        troubled: set[str] = set()  # the metrics that missed a target or got worse
        measured = {f.metric for f in figure_set if f.metric and not f.missing}
        for figure in context.figures:
            if figure.missing:
                continue
            kind = trouble(figure_set, figure.id, context.period.period_kind)
            if kind is None:
                continue
            titles.setdefault(
                topic_of[figure.id], stock.problem_title(figure, kind, context.identity)
            )
            if kind == "missed":
                check = figure_set.target(figure.id)
                kind = "target_lower" if check and check.better == "lower" else "target_higher"
            clause = table["problem"][kind].format(  # each pattern takes the fields it names
                label="" if by_topic.get(topic_of[figure.id]) else label,
                name=named(figure, figure_set),
                value=ref(figure.id),
                change=ref(figure.id, "change"),
                target=ref(figure.id, "target"),
                completion=ref(figure.id, "completion"),
            )
            if clause:
                by_topic.setdefault(topic_of[figure.id], []).append(clause)
                troubled.add(figure.metric or figure.name)
        paragraphs: list[str] = []
        ids: list[str] = []
        from_items = _item_problems(context.items)
        topics = [t for t in context.section.topics if t in by_topic][:4]
        topics = [t for t in domain.topics() if t in topics or t in from_items]
        for topic in topics:
            if topic not in by_topic:  # only the 科室 material names it
                body = "；".join(from_items[topic])
                paragraphs.append(
                    f"{ORDINALS[len(paragraphs)]}是{topic_heading(topic, 'problem')}。{body}。"
                )
                continue
            found = _cause(context, topic, "".join(by_topic[topic]), measured, troubled)
            ids += [found[0]] if found else []
            title = titles[topic]
            own = from_items.get(topic, [])
            body = "；".join([_tail_once(c, "".join(own)) for c in by_topic[topic][:4]] + own)
            cause = f"，{found[1]}" if found else ""
            said = "".join(capped(f"{body}{cause}。"))  # at most four numbers a sentence
            paragraphs.append(f"{ORDINALS[len(paragraphs)]}是{title}。{said}")
        so_far = "".join(paragraphs)
        for chunk, problem in past_problems(context, set(by_topic), measured, troubled):
            if len(paragraphs) >= MAX_ITEMS:
                break
            if _said(problem, so_far, share=0.5):
                continue
            paragraphs.append(f"{ORDINALS[len(paragraphs)]}是{problem}")
            so_far += problem
            ids.append(chunk.id)
        if not paragraphs:
            paragraphs = [_stock(table["no_problems"], context, "no_problems")]
        return Written(paragraphs, _ordered(ids))

    def _plan_intro(self, context: Context) -> Written:
        intro = context.past.plan_intro if context.past else None
        if intro is not None:
            # only the intro: a past plan flattened into one paragraph carries its own
            # sub-headings (（一）…), which the outline already gives
            text = INLINE_HEADING.split(context.own(intro))[0]
            refiller = Refiller(context.figure_set, (), "text", context.period.year)
            kept = [
                r.text for s in sentences(text) if (r := refiller.sentence(s, claims_allowed=True))
            ]
            if kept:
                return Written(["".join(kept)], [intro.id])
        return Written([_stock(patterns()["plan_intro"], context, "plan_intro")])

    def _plan(self, context: Context) -> Written:
        figure_set = context.figure_set
        with_targets = [f.id for f in context.figures if f.target is not None]
        targets: list[str] = []
        used_chunks: list[str] = []
        if context.period.kind != "annual" and with_targets:
            refiller = Refiller(figure_set, with_targets, "plan", context.period.year)
            for chunk in context.exemplars:
                if chunk.part != "计划" or not refiller.free():
                    continue
                text = context.own(chunk)
                for sentence in sentences(text):
                    if not in_plan_time(sentence, context.period.period_kind):
                        continue
                    refilled = refiller.sentence(sentence, claims_allowed=True)
                    if refilled and refilled.figure_ids:
                        targets.append(refilled.text)
                        used_chunks.append(chunk.id)
            left = refiller.free()
            if left:
                clauses = [self._target_clause(f) for f in left]
                targets.append(patterns()["plan_target_lead"] + "，".join(clauses) + "。")
        if context.items:  # what the 科室 plan, after the targets
            said = item_paragraphs(context.items, (context.period.next_label,))
            return Written(["".join(targets) + said[0], *said[1:]], _ordered(used_chunks))
        measures, ids = self._measures(context, "计划", "".join(targets))
        paragraph = "".join(targets) + items(measures, "；")
        paragraph = paragraph.rstrip("；。") + "。"
        return Written([paragraph], _ordered(used_chunks + ids))

    @staticmethod
    def _target_clause(figure: Figure) -> str:
        table = patterns()["plan_target"]
        if zero_count(figure, target=True):
            return zero_words(prose_name(figure.name), plan=True)  # 确保全年不发生森林火灾
        check_value = figure.value is not None and figure.value == figure.target
        if figure.target is not None and (
            (figure.target == 100 and figure.unit == "%") or check_value
        ):
            key = "keep"
        else:
            key = "lower" if figure.better == "lower" else "higher"
        return table[key].format(name=prose_name(figure.name), target=ref(figure.id, "target"))


def _tail_once(clause: str, items: str) -> str:
    """A figure's problem clause without its closing verdict when the 科室's items of the
    topic say it next (…仅完成年度目标的48.0%，进度滞后；部分乡镇污水管网建设进度滞后 says
    进度滞后 once)."""
    head, _, tail = clause.rpartition("，")
    return head if head and tail and "{{" not in tail and tail in items else clause


def _cause(
    context: Context, topic: str, said: str, measured: set[str], troubled: set[str]
) -> tuple[str, str] | None:
    """A past cause of the topic's problem (chunk id, clause), in the unit's order of the past
    chunks: one the figures' sentences do not already say and no figure contradicts."""
    for chunk in _by_unit(context):
        if chunk.part != "问题" or chunk.topic != topic:
            continue
        for cause in narrative(
            context.own(chunk), limit=2, min_chars=10, topics=(topic,), strict=True
        )[:2]:
            if not _said(cause, said, share=0.5) and not _contradicted(cause, measured, troubled):
                return chunk.id, cause
    return None


def _item_problems(found: Sequence[Item]) -> dict[str, list[str]]:
    """The difficulties the 科室 wrote, by topic, each a clause marked with its item."""
    said: dict[str, list[str]] = {}
    for item in found:
        said.setdefault(item.topic, []).append(item_clause(item) + item_mark(item))
    return said


def _by_unit(context: Context) -> list[Chunk]:
    """The section's past chunks in the unit's own order (measures.by_unit)."""
    return by_unit(context.exemplars, context.unit, context.period.period_kind, context.identity)


def _stock(text: str, context: Context, key: str) -> str:
    """A stock sentence of the pack as the unit's own (assistant.stock): its alternatives
    chosen by the unit, its slots filled from the unit's figures and level, in the year's
    wording."""
    figure_set, period = context.figure_set, context.period
    slots = {
        "label": period.label,
        "next": period.next_label,
        "gov": stock.gov(context.voice.level if context.voice else None),
        "work": stock.work(figure_set, context.unit),
        "weak": stock.weak(figure_set, period.period_kind),
    }
    chosen = stock.choose(text, context.identity, key, {k: v for k, v in slots.items() if v})
    return era.of_year(chosen.replace("\n", ""), period.year)


def figures_label(context: Context) -> str:
    """How the body names the period its figures are of: the draft's (上半年, 2023年), or the
    year so far where an annual summary is drafted from 1-11月 figures (periods.year_so_far)."""
    data = context.figure_set.period
    if data is not None and year_so_far(context.period, data.in_year(context.period.year)):
        return data.said_in(context.period)
    return context.period.label


def survives_gate(text: str) -> bool:
    """Whether the sentence gate (assistant.gate) keeps every figure reference of ``text``: a
    re-filled past sentence it would cut (a heading run in, a fragment left by a PDF line break)
    must not take its figures with it."""
    mended = "".join(mend_paragraph(text))
    return sorted(REFERENCE.findall(mended)) == sorted(REFERENCE.findall(text))


def _period_once(sentence: str, label: str) -> str:
    """A sentence that opens with the period says it once: 上半年，…，上半年未发生森林火灾 → …，
    未发生森林火灾 (a zero count's clause, or two past clauses joined, may repeat it)."""
    if not sentence.startswith(label):
        return sentence
    head = len(label)
    return sentence[:head] + re.sub(rf"([，；]){re.escape(label)}，?", r"\1", sentence[head:])


def _ordered(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def references_in(text: str) -> list[str]:
    return [m.group(1) for m in REFERENCE.finditer(text)]
