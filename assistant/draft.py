"""Write a draft: outline → per section exemplars, figures, writer → render → verify → Draft.

Every section goes the same way whatever the writer: its paragraphs (with ``{{id}}``
references) are rendered into numbers with citations, then checked by assistant.check. A
number the checker cannot tie to a figure gets one repair request (model writers only); what is
still unsourced becomes a highlighted 〔待核：…〕 — never kept. Output files (.docx in 公文
layout with a comment on every number, .md, and the provenance sidecar .json) are written only
after the whole draft succeeded, each atomically, so a failed model call leaves nothing behind.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from . import domain
from .errors import InputError
from .figures import load_figures
from .items import load_items, with_items
from .items.place import section_items, with_item_sections
from .names import Voice, chunk_names, figure_names, own_said
from .outline import (
    PARTS,
    Outline,
    PastDocument,
    Section,
    derive_outline,
    fit_headings,
    outline_from_file,
    own_headings,
    past_document,
)
from .periods import Period, parse_period, plan_period, year_so_far
from .provenance import Sidecar, marked_blocks
from .registry import make_writer
from .render import find_placeholders
from .sections import Paragraph, write_sections
from .settings import Settings
from .shape import plan_sections
from .signoff import default_finish
from .types import (
    Block,
    CheckReport,
    Chunk,
    Citation,
    Draft,
    FigureSet,
    Finish,
    Item,
    ItemSet,
    Placeholder,
)
from .writers import Context, OnToken

EXEMPLARS_PER_SECTION = 6
QUERY_CHARS = 48
Progress = Callable[[int, int, str], None]  # (sections done, sections in all, next heading)


@dataclass(frozen=True)
class DraftRequest:
    """What to draft. ``kind`` is inferred from the period when None; ``writer`` from settings.
    ``figures`` is the figures file, or the FigureSet a caller has already loaded from it."""

    figures: Path | FigureSet
    unit: str
    period: str
    kind: str | None = None
    section: str | None = None
    part: str = "全部"
    outline: Path | None = None
    writer: str | None = None
    date: date | None = None  # 成文日期 (None: the day the file is written)
    doc_number: str = ""  # 发文字号, e.g. 示环〔2025〕12号
    items: Path | ItemSet | None = None  # 科室 material (None: the ``items`` setting's, if any)


@dataclass
class DraftResult:
    """A draft with its final check (kept: the CLI and the chat show this one, they do not check
    again), the figures it was written from, the files written, and what verification did."""

    draft: Draft
    report: CheckReport
    figure_set: FigureSet
    files: dict[str, Path] = field(default_factory=dict)
    repairs: int = 0  # repair requests sent to the model
    unverified: int = 0  # numbers replaced by 〔待核〕
    notes: list[str] = field(default_factory=list)  # what the user should know about the draft
    items: ItemSet | None = None  # the 科室 material drafted with the figures


# --- exemplars and the past document ----------------------------------------------------------


class _QueryMemo:
    """The store's embedding model with query vectors remembered: a section searches one query
    under several filters, and a dense query embedding is the slow part of a search."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._vectors: dict[str, Any] = {}

    def embed_query(self, text: str) -> Any:
        if text not in self._vectors:
            self._vectors[text] = self._model.embed_query(text)
        return self._vectors[text]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def _open_retriever(settings: Settings) -> Any | None:
    """The retriever over the store, or None when the store holds nothing yet."""
    from .retrieve import Retriever

    retriever = Retriever.open(settings)
    if not retriever.index.ids:
        return None
    retriever.store.embeddings = _QueryMemo(retriever.store.embeddings)
    return retriever


def find_past(retriever: Any | None, period: Period) -> PastDocument | None:
    """The most recent past document of the same period kind (before the drafted year)."""
    if retriever is None:
        return None
    ids: list[str] = list(retriever.index.ids)
    kinds = retriever.index.labels["period"].tolist()
    years = [int(y) for y in retriever.index.labels["year"].tolist()]
    parts = retriever.index.labels["part"].tolist()
    candidates = [i for i, p in enumerate(kinds) if p == period.period_kind] or list(
        range(len(ids))
    )
    earlier = [i for i in candidates if years[i] and (not period.year or years[i] < period.year)]
    pool = earlier or candidates
    best_year = max(years[i] for i in pool)
    chosen = [ids[i] for i in pool if years[i] == best_year and parts[i] != "其他"]
    chosen += [ids[i] for i in pool if years[i] == best_year and parts[i] == "其他"]
    index = retriever.index  # current with the store: its chunks are the store's, no query
    chunks = [index.chunks[index.position[chunk_id]] for chunk_id in chosen]
    by_document: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_document.setdefault(chunk.document, []).append(chunk)
    if not by_document:
        return None
    document = min(by_document, key=lambda d: (-len(by_document[d]), d))
    return past_document(by_document[document])


def target_voice(unit: str, figure_set: FigureSet, retriever: Any | None) -> Voice:
    """Who speaks: the unit, and as its own names those its figures file and its own past
    documents say (their chunks' names, labelled at ingest)."""
    own = figure_names(figure_set)
    if retriever is not None:
        own += [n for c in retriever.index.chunks if c.unit == unit for n in chunk_names(c).all()]
    return Voice.of(unit, own)


def gather_exemplars(
    retriever: Any | None, section: Section, period: Period, figure_set: FigureSet
) -> list[Chunk]:
    """Past chunks for a section: same part and topic, the same period kind and recent years
    first, near-copies already removed by the retriever."""
    if retriever is None or section.role in ("opening", "plan-intro", "heading"):
        return []
    # short: the heading and a few figure names say what the section is about, and the
    # embedding model's time grows faster than the query's length
    names = " ".join(re.sub(r"（.*?）", "", figure_set[i].name) for i in section.figure_ids[:3])
    query = f"{section.title} {names}".strip()[:QUERY_CHARS]
    found: dict[str, tuple[Chunk, float]] = {}
    topics: Sequence[str | None] = section.topics or (None,)
    if section.role == "problems":
        topics = (None,)
    k = EXEMPLARS_PER_SECTION * (2 if section.role == "problems" else 1)
    for topic in topics:
        results = retriever.search(
            query, k=k, part=section.part, topic=topic, period=period.period_kind
        )
        if len(results) < 3:
            results += retriever.search(query, k=k, part=section.part, topic=topic)
        for result in results:
            if result.chunk.id not in found or found[result.chunk.id][1] < result.score:
                found[result.chunk.id] = (result.chunk, result.score)

    def rank(item: tuple[Chunk, float]) -> tuple[int, int, int, float, str]:
        chunk, score = item
        future = 1 if period.year and chunk.year and chunk.year >= period.year else 0
        return (future, chunk.period != period.period_kind, -(chunk.year or 0), -score, chunk.id)

    return [chunk for chunk, _ in sorted(found.values(), key=rank)]


# --- the draft --------------------------------------------------------------------------------


def _validate(request: DraftRequest) -> None:
    if request.part not in PARTS:
        raise InputError(f"--part 不能是 “{request.part}”", hint=f"可选: {'、'.join(PARTS)}")
    if request.section is not None and not request.section.strip():
        raise InputError("--section 为空", hint=f"例如 --section {domain.examples().section}")
    if request.outline is not None and request.section is not None:
        raise InputError("--outline 与 --section 不能同时使用")
    if request.outline is not None and not Path(request.outline).is_file():
        raise InputError("提纲文件不存在", path=str(request.outline))


def _check_period(period: Period, figure_set: FigureSet) -> None:
    """Drafting one period from another period's figures would state the figures as the wrong
    period's (a 全年 total that is really the 上半年 value): refuse it."""
    if not figure_set.period:
        return
    theirs = figure_set.period
    if theirs.in_year(period.year) == period.in_year(theirs.year):
        return
    if year_so_far(period, theirs.in_year(period.year)):
        return  # an annual summary from the year's figures so far (1-11月): said as such
    raise InputError(
        f"期间“{period.text}”与数据文件的期间“{figure_set.period}”不一致",
        path=str(figure_set.path),
        hint=f"改用 --period {figure_set.period}，或换用{period.text}的数据文件",
    )


def resolve_unit(
    request_unit: str | None,
    figure_set: FigureSet,
    retriever: Any | None,
    default: str | None = None,
) -> str:
    """The unit as given, else the figures file's, else the ``unit`` setting, else the one the
    corpus names most often."""
    if request_unit and request_unit.strip():
        return request_unit.strip()
    if figure_set.organisation:
        return figure_set.organisation
    if default and default.strip():
        return default.strip()
    if retriever is not None:
        units = [u for u in retriever.index.labels["unit"].tolist() if u]
        if units:
            return max(sorted(set(units)), key=units.count)
    example = domain.examples().unit
    raise InputError("没有指定单位名称", hint=f"用 --unit 指定，例如 --unit {example}")


def compose(
    request: DraftRequest,
    settings: Settings,
    *,
    on_token: OnToken | None = None,
    progress: Progress | None = None,
) -> DraftResult:
    """Write and verify the whole draft in memory; nothing is written to disk here."""
    from .check import check_blocks

    figure_set, period, item_set = _inputs(request, settings)
    # the outline and the writers pick from the file's figures; the items' own numbers are
    # cited through their items, and the whole set renders and checks them
    whole = with_items(figure_set, item_set) if item_set is not None else figure_set
    writer = make_writer(request.writer or settings.writer, settings)
    retriever = _open_retriever(settings)
    notes = [f"科室材料：{message}" for message in (item_set.warnings if item_set else [])]
    if retriever is None:
        notes.append(
            f"向量库（{settings.chroma_url or settings.store_dir}）中没有往年总结，本稿未参考本局"
            "往年的表述，只用了通用句式；先运行 assistant ingest 往年总结目录 再起草"
        )
    unit = resolve_unit(request.unit, figure_set, retriever, settings.unit)
    past = find_past(retriever, period)
    voice = target_voice(unit, figure_set, retriever)
    outline = _outline(request, figure_set, period, unit, past, item_set)
    found = [gather_exemplars(retriever, s, period, figure_set) for s in outline.sections]
    if request.outline is None and request.section is None:
        shaped = plan_sections(outline.sections, found, figure_set, period, _planned(item_set))
        outline.sections, found = shaped
    if request.outline is None:  # the user's own headings stay as written
        outline.sections = fit_headings(outline.sections, found, figure_set, period)
        outline.sections = own_headings(outline.sections, voice, period.year)
    targets = period.kind != "annual"  # as the template's plan states them
    placed = section_items(outline.sections, item_set, figure_set, targets) if item_set else []
    contexts = [
        Context(section, period, unit, figure_set, exemplars, outline, past, voice)
        for section, exemplars in zip(outline.sections, found, strict=True)
    ]
    for context, items in zip(contexts, placed, strict=False):
        context.items = items
        context.item_figures = tuple(f for f in whole if f.id in _ids(items))
    contexts = [c for c in contexts if c.section.role != "heading"]
    outcomes = iter(
        write_sections(
            writer,
            contexts,
            concurrency=settings.concurrency,
            on_token=on_token,
            progress=progress,
        )
    )
    blocks: list[Paragraph] = [Paragraph(outline.title, "title")]
    prompts: dict[str, int] = {}
    model: str | None = None
    repairs = unverified = 0
    for section in outline.sections:
        if section.heading:
            blocks.append(Paragraph(section.heading, "h1" if section.level == 1 else "h2"))
        if section.role == "heading":
            continue
        outcome = next(outcomes)
        repairs += outcome.repairs
        unverified += outcome.unverified
        prompts.update(outcome.written.prompts)
        model = outcome.written.model or model
        if outcome.written.error is not None:
            message = outcome.written.error.message
            notes.append(f"“{section.title}”未能由模型起草（{message}），已标为待补")
        blocks.extend(outcome.blocks)

    draft = _assemble(blocks, outline, request, unit, period, whole, writer.name)
    _cite_items(draft, blocks, item_set)
    draft.prompts = dict(sorted(prompts.items()))
    draft.model = model
    draft.own_names = own_said("\n".join(b.text for b in draft.blocks), voice)
    report = check_blocks([b.text for b in draft.blocks], whole, draft.citations)
    result = DraftResult(draft, report, whole, repairs=repairs, unverified=unverified, notes=notes)
    result.items = item_set
    return result


def _ids(items: Sequence[Item]) -> set[str]:
    return {figure_id for item in items for figure_id in item.figure_ids}


def _planned(item_set: ItemSet | None) -> set[str]:
    """The topics of the 科室's planned items: their plan sections stay (shape.plan_sections)."""
    return {i.topic for i in item_set.of_part("计划")} if item_set else set()


def _outline(
    request: DraftRequest,
    figure_set: FigureSet,
    period: Period,
    unit: str,
    past: PastDocument | None,
    item_set: ItemSet | None,
) -> Outline:
    """The user's outline, else one derived from the past document and the figures, with a
    section for each topic only the 科室 material speaks of."""
    if request.outline is not None:
        return outline_from_file(Path(request.outline), figure_set, period, unit, request.part)
    outline = derive_outline(
        figure_set, period, unit, past, part=request.part, section=request.section
    )
    return with_item_sections(outline, item_set) if item_set is not None else outline


def _inputs(request: DraftRequest, settings: Settings) -> tuple[FigureSet, Period, ItemSet | None]:
    """The request checked, its figures, its period and its 科室 material."""
    _validate(request)
    figures = request.figures
    figure_set = figures if isinstance(figures, FigureSet) else load_figures(figures)
    period = parse_period(request.period, request.kind)
    _check_period(period, figure_set)
    return figure_set, period, _items(request, settings, figure_set, period)


def _items(
    request: DraftRequest, settings: Settings, figure_set: FigureSet, period: Period
) -> ItemSet | None:
    """The 科室 material: the request's, else the ``items`` setting's, and a 事项 sheet of the
    figures workbook; None when there is none."""
    given = request.items if request.items is not None else settings.items
    if isinstance(given, ItemSet):
        return given
    found = load_items(Path(given) if given is not None else None, figure_set, period)
    return found if given is not None or found.items or found.held else None


def _assemble(
    blocks: Sequence[Paragraph],
    outline: Outline,
    request: DraftRequest,
    unit: str,
    period: Period,
    figure_set: FigureSet,
    writer: str,
) -> Draft:
    """Global block indices for citations and placeholders."""
    final: list[Block] = []
    citations: list[Citation] = []
    placeholders: list[Placeholder] = []
    exemplars: dict[int, list[str]] = {}
    for index, block in enumerate(blocks):
        citations += [replace(c, block=index) for c in block.citations]
        placeholders += find_placeholders(block.text, index)
        if block.exemplars:
            exemplars[index] = list(block.exemplars)
        final.append(Block(block.text, block.style))
    return Draft(
        title=outline.title,
        unit=unit,
        period=period.text,
        kind="section" if request.section else period.kind,
        blocks=final,
        citations=citations,
        placeholders=placeholders,
        exemplars=exemplars,
        writer=writer,
        figures_file=str(figure_set.path),
        figures_sha256=figure_set.sha256,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _cite_items(draft: Draft, blocks: Sequence[Paragraph], item_set: ItemSet | None) -> None:
    """The draft's stretches stating items, with their block and source (科室 · file and row),
    and the items no stretch states (held ones among them)."""
    if item_set is None:
        return
    for index, block in enumerate(blocks):
        for cited in block.items:
            item = item_set.get(cited.item_id)
            source = f"{item.office} · {item.where}" if item is not None else ""
            draft.item_citations.append(replace(cited, block=index, source=source))
    stated = {c.item_id for c in draft.item_citations}
    draft.items = [*item_set.items, *item_set.held]
    draft.items_path, draft.items_sha256 = item_set.path, item_set.sha256
    draft.items_unused = [i.id for i in draft.items if i.id not in stated]


def write_draft(
    request: DraftRequest,
    settings: Settings,
    *,
    on_token: OnToken | None = None,
    progress: Progress | None = None,
) -> Draft:
    """The verified, rendered draft (nothing written to disk)."""
    return compose(request, settings, on_token=on_token, progress=progress).draft


def make_draft(
    request: DraftRequest,
    settings: Settings,
    out_dir: Path,
    *,
    stem: str | None = None,
    on_token: OnToken | None = None,
    progress: Progress | None = None,
) -> DraftResult:
    """Write the draft and save its three files: what `assistant draft` does."""
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise InputError("--out 应是文件夹，这里是一个文件", path=str(out_dir))
    result = compose(request, settings, on_token=on_token, progress=progress)
    stem = stem or default_stem(result.draft, request.part)
    finish = default_finish(result.draft, request.date, request.doc_number)
    result.files = save_draft(
        result.draft,
        result.figure_set,
        out_dir,
        stem,
        author=settings.author,
        finish=finish,
    )
    return result


# --- files ------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def default_stem(draft: Draft, part: str = "全部") -> str:
    """示例区生态环境局-2025年上半年-工作总结 for the whole document; a section draft adds the
    section's title (…-大气污染防治工作计划), a part-only draft its part (…-计划部分), so neither
    overwrites the whole draft."""
    tail = "工作总结"
    if draft.kind == "section":
        title = draft.title.removeprefix(draft.unit)
        try:  # a section plan is titled with the period it plans for
            plan = plan_period(parse_period(draft.period))
        except InputError:
            plan = draft.period
        tail = title.removeprefix(draft.period).removeprefix(plan) or tail
    elif part in ("总结", "计划", "问题", "开头"):
        tail = f"{part}部分"
    return _UNSAFE.sub("_", f"{draft.unit}-{draft.period}-{tail}")


_MD_PREFIX = {"title": "# ", "h1": "## ", "h2": "### ", "h3": "#### ", "h4": "##### "}


def markdown(draft: Draft) -> str:
    """The same text as the .docx, one block a paragraph (headings as #, tables as rows).
    Text from figures files and uploads is escaped (<, >, &), so markup in a figure's name or a
    pasted paragraph reads as text in any Markdown viewer instead of running as HTML."""
    lines = []
    for block in draft.blocks:
        lines.append(_MD_PREFIX.get(block.style, "") + html.escape(block.text, quote=False))
    return "\n\n".join(lines) + "\n"


def _write_text(path: Path, text: str) -> Path:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    return Path(temporary)


def _created_time(created: str) -> datetime | None:
    """The sidecar's ``created`` as a time for the .docx properties (None if unreadable)."""
    try:
        moment = datetime.fromisoformat(created)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def save_draft(
    draft: Draft,
    figure_set: FigureSet | None,
    out_dir: Path,
    stem: str | None = None,
    *,
    author: str = "起草助手",
    finish: Finish | None = None,
    clean: bool = True,
) -> dict[str, Path]:
    """Write ``<stem>.docx`` (annotated), ``<stem>-清稿.docx`` (clean: no comments, no
    highlights), ``.md`` and ``.json`` into ``out_dir``; each file appears whole (written to a
    temporary name, then renamed), the .docx last of all only if all succeeded.

    The .docx's comments come from ``figure_set`` (None: an imported draft without figures,
    whose comments give only the recorded source); ``finish`` (default: the unit and today, see
    default_finish) closes it. ``clean=False`` leaves the clean copy out (the chat makes it
    when it is first asked for, the same file: a copy few versions need is not made for all)."""
    from .word import clean_path, write_document
    from .word.save import unwritable

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unwritable(out_dir, exc) from exc
    stem = stem or default_stem(draft)
    paths = {suffix: out_dir / f"{stem}.{suffix}" for suffix in ("docx", "md", "json")}
    if clean:
        paths["clean"] = clean_path(paths["docx"])
    staged: dict[str, Path] = {}
    try:
        staged["md"] = _write_text(paths["md"], markdown(draft))
        staged["json"] = _write_text(paths["json"], Sidecar.of(draft).text())
        for name in ("docx", "clean") if clean else ("docx",):
            handle, made = tempfile.mkstemp(prefix=f".{stem}.", suffix=".docx", dir=out_dir)
            os.close(handle)
            staged[name] = Path(made)
        write_document(
            staged["docx"],
            marked_blocks(draft, figure_set),
            author=author,
            properties={"title": draft.title, "subject": f"{draft.unit}{draft.period}"},
            created=_created_time(draft.created),
            finish=finish or default_finish(draft),
            clean=staged.get("clean"),  # made from the document in memory, not read back
        )
    except BaseException as exc:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise unwritable(out_dir, exc) from exc
        raise
    for suffix in ("md", "json", "clean", "docx"):
        if suffix not in staged:
            continue
        os.chmod(staged[suffix], 0o644)
        os.replace(staged[suffix], paths[suffix])
    return paths


def summary(result: DraftResult) -> dict[str, Any]:
    """What the CLI shows: per section the numbers cited and placeholders, the check, files."""
    draft = result.draft
    sections: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for index, block in enumerate(draft.blocks):
        if block.style in ("h1", "h2") or current is None:
            current = {"heading": block.text, "numbers": 0, "placeholders": 0, "paragraphs": 0}
            sections.append(current)
        if block.style == "body":
            current["paragraphs"] += 1
        current["numbers"] += sum(1 for c in draft.citations if c.block == index)
        current["placeholders"] += sum(1 for p in draft.placeholders if p.block == index)
    sections = [s for s in sections if s["paragraphs"]]
    return {
        "title": draft.title,
        "unit": draft.unit,
        "period": draft.period,
        "kind": draft.kind,
        "writer": draft.writer,
        "model": draft.model,
        "sections": sections,
        "numbers": len(draft.citations),
        "placeholders": [p.text for p in draft.placeholders],
        "check": {"passed": result.report.ok, **result.report.summary},
        "repairs": result.repairs,
        "unverified": result.unverified,
        "files": {suffix: str(path) for suffix, path in result.files.items()},
        "notes": list(result.notes),
    }
