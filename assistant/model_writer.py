"""The ``openai`` writer: an OpenAI-compatible chat model behind the prompts under prompts/.

Every paragraph of a model draft is the model's — the opening, each section, 存在的问题 and the
plan part's introduction; the template writer is never mixed in. A section the model could not
write (an error after the backend's retries) becomes a visible 〔待补：…〕 giving the reason.

The model sees exemplars of its section's topic with their numbers masked, and the figures as a
table whose 程序写出 column is produced by assistant.render itself, so what the table says a
reference prints and what it prints are one text. The 说明 column states the conclusions the
model must follow — direction, and a target judged against the period's pace (outline.trouble,
the rule the template writer and the headings use) — and the 备注 only where it holds no number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from . import domain
from .errors import BackendError
from .items import numbers_of
from .numbers import extract_numbers
from .periods import pace_for
from .prompts import Prompt, load_prompt
from .prose import capped, named
from .refill import sentences
from .render import FIELD_LABELS, render
from .settings import Settings
from .types import Chunk, FigureSet, Item
from .writers import (
    Context,
    OnToken,
    Revised,
    RevisionJob,
    Written,
    headline_figures,
)

MASK = "××"
EXEMPLARS = 4
FIELDS = ("value", "change", "previous", "target", "completion")
ROLE_PROMPTS = {
    "opening": "opening",
    "summary": "section-summary",
    "plan": "section-plan",
    "problems": "problems",
    "plan-intro": "plan-intro",
}


def mask_numbers(text: str) -> str:
    """An exemplar with every quantity replaced by ××: phrasing without past facts."""
    quantities = extract_numbers(text)
    for quantity in sorted(quantities, key=lambda q: q.start, reverse=True):
        text = text[: quantity.start] + MASK + text[quantity.end :]
    return text


def ref(figure_id: str, field_name: str) -> str:
    return f"{{{{{figure_id}}}}}" if field_name == "value" else f"{{{{{figure_id}.{field_name}}}}}"


def offered(figure_set: FigureSet, figure_id: str) -> list[str]:
    """The references the table offers for one figure: the value always (a missing one prints
    〔待补〕), every other field only when the figure has that number."""
    fields = []
    for field_name in FIELDS:
        rendered = render(ref(figure_id, field_name), figure_set, strict=True)
        if field_name == "value" or rendered.citations:
            fields.append(field_name)
    return fields


def target_words(figure_set: FigureSet, figure_id: str, period_kind: str | None) -> str:
    """The target's conclusion as the model must write it, judged against the period's pace
    within the year (an annual target is not 未完成 in June)."""
    check = figure_set.target(figure_id)
    if check is None:
        return ""
    figure = figure_set[figure_id]
    pace = pace_for(period_kind, figure.period or figure_set.period)
    if check.met:
        return "已达到目标"
    if check.completion is not None:
        if pace == 100:
            return "未完成目标"
        if check.completion >= pace:
            return "全年任务，进度达到序时进度"
        return "全年任务，进度慢于序时进度：写“全年任务尚未完成、需加快进度”"
    if pace == 100:
        return "未完成目标"
    change = figure_set.change(figure_id)
    if change is not None and change.improved is False:
        return "年度目标，目前未达到且同比变差：写“完成年度目标压力较大”，不写“未完成”"
    return "年度目标，目前尚未达到但未变差：写“与年度目标尚有差距”，不写“未完成”"


def _note_words(note: str | None) -> str:
    """The 备注's clauses that hold no number (a number there has no id to cite)."""
    clauses = re.split(r"[，；;。]", note or "")
    return "，".join(c.strip() for c in clauses if c.strip() and not extract_numbers(c))


def figures_table(
    figure_set: FigureSet, figure_ids: Sequence[str], period_kind: str | None = None
) -> str:
    """The figures as the references a model may write, each with what it prints."""
    rows = ["引用 | 指标 | 程序写出 | 说明"]
    for figure_id in figure_ids:
        figure = figure_set[figure_id]
        for field_name in offered(figure_set, figure_id):
            reference = ref(figure_id, field_name)
            printed = render(reference, figure_set).text
            label = "" if field_name == "value" else FIELD_LABELS[field_name]
            notes: list[str] = []
            if field_name == "value":
                if figure.better:
                    notes.append("越低越好" if figure.better == "lower" else "越高越好")
                notes += [target_words(figure_set, figure_id, period_kind)]
                notes += [_note_words(figure.note)]
            elif field_name == "change":
                change = figure_set.change(figure_id)
                if change is not None and change.improved is not None:
                    notes.append("改善" if change.improved else "变差")
                shown = render("同比" + reference, figure_set).text[2:]
                if shown != printed:
                    notes.append(f"前面已写“同比”“较上年”时只写出“{shown}”")
            note = "；".join(n for n in notes if n).replace("|", "/")
            name = named(figure, figure_set)  # 2023年度生态质量指数: the row's own period
            rows.append(f"{reference} | {name}{label} | {printed} | {note}")
    return "\n".join(rows)


def item_words(item: Item) -> str:
    """An item's text with its numbers as references to its figures (what the model writes)."""
    text, pieces, last = item.text, [], 0
    for quantity, figure_id in zip(numbers_of(item), item.figure_ids, strict=False):
        pieces += [text[last : quantity.start], ref(figure_id, "value")]
        last = quantity.end
    return "".join(pieces) + text[last:]


def items_list(items: Sequence[Item], figure_set: FigureSet) -> str:
    """The section's 科室 items as the model may cite them: its mark, the 科室, the words with
    references, and what each reference prints."""
    lines = []
    for item in items:
        lines.append(f"〔item:{item.id}〕（{item.office}）{item_words(item)}")
        printed = [
            f"{ref(f, 'value')}写出“{render(ref(f, 'value'), figure_set).text}”"
            for f in item.figure_ids
            if figure_set.get(f) is not None
        ]
        if printed:
            lines.append("    其中" + "，".join(printed))
    return "\n".join(lines) or "（无）"


def topical(chunks: Sequence[Chunk], topics: Sequence[str]) -> list[Chunk]:
    """The exemplars about the section's own topics (monitoring gets no approval passages)."""
    if not topics:
        return list(chunks)
    return [c for c in chunks if c.topic in topics]


def exemplar_text(
    chunks: Sequence[Chunk], limit: int = EXEMPLARS, own: Callable[[Chunk], str] | None = None
) -> str:
    """The exemplars for the prompt, numbers masked; ``own`` makes a chunk's text the target's
    (level words, foreign names generalised, this period's wording: Context.own)."""
    parts = []
    for index, chunk in enumerate(chunks[:limit], start=1):
        where = " · ".join(
            x for x in (f"{chunk.year or ''}年{chunk.period or ''}", chunk.topic) if x
        )
        heading = " > ".join(chunk.heading_path)
        text = own(chunk) if own else chunk.text
        parts.append(f"〔范文{index}〕（{where}）{heading}\n{mask_numbers(text)}")
    return "\n\n".join(parts) or "（无）"


_MARKUP = re.compile(r"^\s*(?:#{1,6}\s*|[*\-•]\s+|>\s*)")
_DOUBLED_DIRECTION = re.compile(
    r"(?:上升|下降|提高|降低|增长|增加|减少|升高|持平)(?:了)?\s*(?=\{\{\s*[A-Za-z_][A-Za-z0-9_]*\.change\s*\}\})"
)


# an item mark written after the stop that ends what it marks: it belongs before the stop
_LATE_MARK = re.compile(r"([。；;！？])((?:〔item[:：][^〔〕\n]{0,60}〕)+)")


def clean_reply(text: str) -> list[str]:
    """A model's reply as paragraphs: Markdown marks dropped, a direction word written before a
    {{id.change}} dropped (the reference brings its own), an item mark written after its
    sentence's stop moved before it, a sentence citing more than four numbers cut at its
    semicolons (prose.capped: the rule the template writer keeps)."""
    text = _DOUBLED_DIRECTION.sub("", text.replace("**", ""))
    text = _LATE_MARK.sub(r"\2\1", text)
    paragraphs = []
    for line in text.splitlines():
        line = _MARKUP.sub("", line).strip()
        if line:
            paragraphs.append("".join(piece for s in sentences(line) for piece in capped(s)))
    return paragraphs


def failed_mark(title: str, error: BackendError) -> str:
    """The visible slot for a section the model could not write, with the reason (short enough
    to stay one 〔待补〕 mark)."""
    reason = re.sub(r"^模型 \S+?（[^）]*）\s*", "", error.message).split("；")[0]
    reason = reason.replace("〔", "").replace("〕", "")
    return f"〔待补：{title[:14]}（模型未能起草：{reason[:30]}）〕"


class OpenAIWriter:
    """An OpenAI-compatible chat model, streaming, behind the prompts under prompts/."""

    name = "openai"
    generative = True
    PROMPTS = ("system", *ROLE_PROMPTS.values(), "repair")

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.prompts: dict[str, Prompt] = {n: load_prompt(n, settings) for n in self.PROMPTS}

    def _system(self, context: Context) -> str:
        return self.prompts["system"].render(unit=context.unit, work=domain.info().work)

    def exemplars(self, context: Context) -> list[Chunk]:
        section = context.section
        if section.role == "plan-intro":
            intro = context.past.plan_intro if context.past else None
            return [intro] if intro is not None else []
        topics = () if section.role == "problems" else section.topics
        return topical(context.exemplars, topics)[:EXEMPLARS]

    def _user(self, context: Context, exemplars: Sequence[Chunk]) -> str:
        section = context.section
        period = context.period
        kind = period.period_kind
        name = ROLE_PROMPTS[section.role]
        values: dict[str, object] = {
            "unit": context.unit,
            "period": period.text,
            "exemplars": exemplar_text(exemplars, own=context.own),
            "figures_table": figures_table(context.figure_set, section.figure_ids, kind),
        }
        if section.role in ("opening", "plan-intro"):
            part = "计划" if section.role == "plan-intro" else None
            headings = [
                s.heading
                for s in context.outline.sections
                if s.heading and (part is None or s.part == part)
            ]
            values["outline"] = "\n".join(headings)
        if section.role == "opening":
            headline = [f.id for f in headline_figures(context.figure_set, 4)]
            values["title"] = context.outline.title
            values["figures_table"] = figures_table(context.figure_set, headline, kind)
        elif section.role == "plan-intro":
            targets = [f.id for f in context.figure_set if context.figure_set.target(f.id)]
            values["figures_table"] = figures_table(context.figure_set, targets, kind)
        if section.role in ("plan", "plan-intro"):
            values["next_period"] = period.next_label
        if section.role in ("summary", "plan", "problems"):
            values["items"] = items_list(context.items, context.rendering_set)
        if section.role in ("summary", "plan"):
            values["topic"] = "、".join(section.topics) or domain.default_topic()
            values["heading"] = section.title
        return self.prompts[name].render(**values)

    def write(self, context: Context, on_token: OnToken | None = None) -> Written:
        from .backends import run_chat  # LangChain loads only when a model is used

        name = ROLE_PROMPTS[context.section.role]
        exemplars = self.exemplars(context)
        versions = {"system": self.prompts["system"].version, name: self.prompts[name].version}
        user = self._user(context, exemplars)
        try:
            result = run_chat(self.settings, self._system(context), user, on_token=on_token)
        except BackendError as error:
            mark = failed_mark(context.section.title, error)
            return Written([mark], [], versions, None, error=error)
        return Written(clean_reply(result.text), [c.id for c in exemplars], versions, result.model)

    def repair(
        self, context: Context, written: Written, unsourced: Sequence[str]
    ) -> Written | None:
        """One request to fix what the checker flagged; None if there is nothing to do or the
        request failed (the flagged numbers are then marked 〔待核〕)."""
        from .backends import run_chat

        if not unsourced or written.error is not None:
            return None
        kind = context.period.period_kind
        user = self.prompts["repair"].render(
            heading=context.section.title,
            draft="\n\n".join(written.paragraphs),
            unsourced="\n".join(unsourced),
            figures_table=figures_table(context.figure_set, context.section.figure_ids, kind),
            items=items_list(context.items, context.rendering_set),
        )
        try:
            result = run_chat(self.settings, self._system(context), user)
        except BackendError:
            return None
        prompts = dict(written.prompts)
        prompts["repair"] = self.prompts["repair"].version
        return Written(clean_reply(result.text), written.exemplar_ids, prompts, result.model)

    def revise(self, job: RevisionJob, on_token: OnToken | None = None) -> Revised:
        """One request per section in scope; the reply's paragraphs replace the section's."""
        from .backends import run_chat
        from .revise import heading_of

        system = self.prompts["system"]
        prompt = load_prompt("revise", self.settings)
        revised = Revised({}, prompts={system.id: system.version, prompt.id: prompt.version})
        groups: dict[str, list[int]] = {}
        for index in sorted(job.paragraphs):
            groups.setdefault(heading_of(job.blocks, index), []).append(index)
        for heading, indices in groups.items():
            user = prompt.render(
                heading=heading or "全文",
                section="\n\n".join(job.paragraphs[i] for i in indices),
                instruction=job.instruction,
                figures_table=figures_table(job.figure_set, job.figure_set.ids),
            )
            result = run_chat(
                self.settings,
                system.render(unit=job.unit, work=domain.info().work),
                user,
                on_token=on_token,
            )
            revised.model = result.model
            replies = [p.strip() for p in re.split(r"\n\s*\n|\n", result.text) if p.strip()]
            # A revision rewrites paragraphs; it does not add or remove them (Word's tracked
            # changes work per paragraph): extra paragraphs join the last, missing ones are empty.
            if len(replies) > len(indices):
                replies[len(indices) - 1 :] = ["".join(replies[len(indices) - 1 :])]
            replies += [""] * (len(indices) - len(replies))
            revised.paragraphs.update(zip(indices, replies, strict=True))
        return revised
