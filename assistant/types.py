"""The assistant's own data types: plain dataclasses with Decimal numbers, never LangChain objects.

Each section below belongs to one concern (corpus, documents, figures, checking, drafting);
the modules that produce them are named in the section comment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from .periods import Period

T = TypeVar("T")


def built(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of the frozen dataclass ``cls`` equal to ``cls(**values)``, made without
    ``__init__`` (its ``object.__setattr__`` per field was slow for a 100,000-row figures file).
    ``values`` names every field, defaults too, in field order: set one by one into the
    instance's attributes, they share the class's keys (a table of their own takes three times
    the memory). Only for classes without ``__post_init__``."""
    instance = object.__new__(cls)
    attributes = instance.__dict__
    for name, value in values.items():
        attributes[name] = value
    return instance


def by_id(figures: Iterable[Figure]) -> dict[str, Figure]:
    """Figures by id, the first of an id as a scan would find it."""
    found: dict[str, Figure] = {}
    for figure in figures:
        found.setdefault(figure.id, figure)
    return found


# --- corpus: produced by ingest, stored by store, returned by retrieve -----------------------

Part = Literal["总结", "问题", "计划", "其他"]
PeriodKind = Literal["一季度", "上半年", "前三季度", "全年"]


@dataclass(frozen=True)
class Names:
    """The proper names a passage carries, by kind (found at ingest by assistant.names)."""

    place: tuple[str, ...] = ()  # divisions, towns, streets (丹阳, 皇塘镇)
    water: tuple[str, ...] = ()  # rivers, lakes, reservoirs (白塔河)
    company: tuple[str, ...] = ()  # 金冠玻璃, 协联电厂
    person: tuple[str, ...] = ()  # a name after a title (书记孙某某 → 孙某某)

    def all(self) -> tuple[str, ...]:
        return self.place + self.water + self.company + self.person


@dataclass(frozen=True)
class Chunk:
    """One heading-delimited piece of a past summary, with where it sits and what it is about."""

    id: str  # stable content hash (document key + heading path + text)
    text: str  # original text, for display and exemplars
    document: str  # the source file, as the user knows it
    heading_path: tuple[str, ...] = ()
    part: Part = "其他"
    topic: str = "综合"
    unit: str | None = None
    year: int | None = None
    period: PeriodKind | None = None
    position: int = 0  # order within the document
    title: str = ""  # the document's title
    level: str | None = None  # the level its bureau speaks at (市/县/区), labelled at ingest
    names: Names | None = None  # the names it carries; None: stored before ingest labelled them


@dataclass
class Document:
    """A past summary read from disk and cleaned: its title and its text blocks, before splitting.

    Produced by assistant.reading; ``encoding`` is the detected text encoding (None for .docx).
    """

    path: Path
    title: str
    encoding: str | None
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class SearchResult:
    chunk: Chunk
    score: float
    dense_rank: int | None = None  # 1-based rank in the dense list, None if absent
    bm25_rank: int | None = None


@dataclass(frozen=True)
class SearchFilters:
    """Metadata filters applied to both the dense and the BM25 list (None = no filter)."""

    part: Part | None = None
    topic: str | None = None
    period: PeriodKind | None = None
    year_from: int | None = None
    year_to: int | None = None
    unit: str | None = None


@dataclass(frozen=True)
class SkippedFile:
    file: str
    reason: str


@dataclass(frozen=True)
class IngestedFile:
    """What one ingest did to one document: status new|changed|unchanged|removed."""

    document: str
    status: str
    chunks: int
    added: int = 0
    removed: int = 0


@dataclass
class IngestReport:
    """Counts of chunks added, unchanged and removed, and the files skipped with their reasons."""

    added: int = 0
    unchanged: int = 0
    removed: int = 0
    files: int = 0  # files read (new, changed or unchanged)
    chunks: int = 0  # chunks the read files hold now
    skipped: list[SkippedFile] = field(default_factory=list)
    documents: list[IngestedFile] = field(default_factory=list)


# --- documents: read and written by assistant.word (the only module that imports docx) --------

BlockStyle = Literal["title", "h1", "h2", "h3", "h4", "body", "table"]


@dataclass(frozen=True)
class Mark:
    """A character span of a block that carries a Word comment and/or a highlight."""

    start: int
    end: int
    comment: str | None = None
    highlight: bool = False


@dataclass
class Block:
    """One paragraph (or one table row, cells joined by a tab) of a document, in reading order."""

    text: str
    style: BlockStyle = "body"
    marks: list[Mark] = field(default_factory=list)


@dataclass(frozen=True)
class CommentRef:
    """A Word comment and the span it is anchored on, in block coordinates (see read_blocks).

    ``anchored_text`` is always the block's text[start:end]; a comment whose range runs past its
    block is cut at the block's end, and one without a range has start == end.
    """

    block_index: int
    start: int
    end: int
    anchored_text: str
    text: str
    author: str


# --- backends: produced by assistant.backends (the only module that imports LangChain) ---------


@dataclass(frozen=True)
class ChatResult:
    """A model's whole reply to one exchange; ``finish_reason`` "length" means it was cut off."""

    text: str
    model: str  # as the endpoint reported it, else as configured
    finish_reason: str | None = None

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


# --- figures: produced by assistant.figures (loaded files) and assistant.numbers (text) -------

Better = Literal["lower", "higher"]
# concentration/amount/count: 同比 is a percent change; rate: a 个百分点 difference;
# category (water class Ⅰ–Ⅴ, 劣Ⅴ): no arithmetic, compared by class rank.
MetricKind = Literal["concentration", "amount", "count", "rate", "category"]
Direction = Literal["上升", "下降", "持平"]


@dataclass(frozen=True)
class Metric:
    """A metric of the genre (from the domain pack): how it is named, measured, and which way
    is better."""

    name: str
    aliases: tuple[str, ...]
    topic: str
    unit: str  # canonical unit
    units: tuple[str, ...]  # accepted unit spellings (canonical forms)
    better: Better | None
    kind: MetricKind
    period_words: tuple[str, ...] = ()  # how the period is usually stated for it

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Provenance:
    """Where a figure came from: the file, the sheet (XLSX only), the row a person sees in it."""

    file: str
    row: int  # CSV/XLSX: the 1-based row number in the file; YAML: the 1-based item number
    source: str  # the 来源 text as written
    sheet: str | None = None

    def describe(self) -> str:
        """Where it came from, e.g. figures.xlsx 表“数据” 第5行（来源：区监测站）."""
        sheet = f" 表“{self.sheet}”" if self.sheet else ""
        return f"{Path(self.file).name}{sheet} 第{self.row}行（来源：{self.source}）"


@dataclass(frozen=True)
class Figure:
    """One row of a figures file. ``value`` is None when missing (〔待补〕 or empty) or a category.

    ``written`` keeps the value text as written so precision survives ("85.10" has 2 places);
    ``unit`` is the written unit, ``unit_canonical`` its normalised spelling (None if unknown).
    A water class is a category figure: ``category`` holds "Ⅰ"…"Ⅴ" or "劣Ⅴ" (U+2160 numerals),
    ``value`` is None and ``kind`` is "category". A declared sum (合计) lists its parts in
    ``sum_of`` and gets its value computed (``computed`` is True when the file left it empty).
    """

    id: str
    name: str
    value: Decimal | None
    written: str
    unit: str
    unit_canonical: str | None
    period: Period | None  # the row's own period, else the file's (2023年度 in a 上半年 file)
    provenance: Provenance
    kind: MetricKind
    topic: str | None = None
    better: Better | None = None
    metric: str | None = None  # canonical name in assistant.metrics, when the name is known
    category: str | None = None
    previous: Decimal | None = None
    previous_written: str | None = None
    target: Decimal | None = None
    target_written: str | None = None
    scope: str | None = None
    note: str | None = None
    decimals: int | None = None  # 小数位: places for values derived from this figure
    sum_of: tuple[str, ...] = ()
    computed: bool = False

    @property
    def missing(self) -> bool:
        return self.value is None and self.category is None

    @property
    def places(self) -> int:
        """Decimal places of the value as written ("41.6" → 1, "85.10" → 2, "12" → 0)."""
        return places_of(self.written)


def places_of(written: str) -> int:
    """Decimal places of a number as written ("85.10" → 2; "1,234" → 0)."""
    _, dot, fraction = written.strip().partition(".")
    return len(fraction) - len(fraction.lstrip("0123456789")) if dot else 0


@dataclass(frozen=True)
class Change:
    """A 同比 change computed in code: ``amount`` is the signed change, already rounded.

    ``mode`` "percent" means (current − previous) / previous × 100 written with %, "points"
    means current − previous written with 个百分点, "count" means current − previous written in
    the count's own unit ``counted`` (减少1天, 增加3件; see assistant.figures.change_mode).
    ``said`` is the direction word as the change is written: 上升/下降/持平, or for a count the
    domain pack's 增加/减少.
    """

    figure_id: str
    current: Decimal
    previous: Decimal
    mode: Literal["percent", "points", "count"]
    amount: Decimal
    decimals: int
    direction: Direction
    improved: bool | None  # None when 持平 or when the figure has no better direction
    counted: str = ""  # the count's unit (mode "count")
    said: str = ""  # the direction word written (default: ``direction``)

    @property
    def formula(self) -> str:
        """The computation written out: "(41.6 − 36.7) / 36.7 × 100 = 13.4（%）" (made when
        asked: a 100,000-row file has as many changes, and few are ever shown)."""
        amount = format(self.amount, "f")
        if self.mode == "percent":
            return f"({self.current} − {self.previous}) / {self.previous} × 100 = {amount}（%）"
        return f"{self.current} − {self.previous} = {amount}（{self.unit}）"

    @property
    def unit(self) -> str:
        return {"percent": "%", "points": "个百分点"}.get(self.mode, self.counted)

    @property
    def word(self) -> str:
        return self.said or self.direction

    @property
    def magnitude(self) -> Decimal:
        return abs(self.amount)

    @property
    def assessment(self) -> str | None:
        """改善 / 恶化, or None when 持平 or the direction of better is unknown."""
        return None if self.improved is None else ("改善" if self.improved else "恶化")


@dataclass(frozen=True)
class TargetCheck:
    """A figure against its target: met or not, and 完成率 for amounts.

    For category figures ``actual``/``target`` are class ranks (Ⅰ=1 … Ⅴ=5, 劣Ⅴ=6).
    """

    figure_id: str
    actual: Decimal
    target: Decimal
    better: Better
    met: bool
    completion: Decimal | None  # actual / target × 100, rounded; None unless amount/count
    decimals: int
    formula: str


@dataclass(frozen=True)
class Quantity:
    """A number found in text by assistant.numbers.extract_numbers, with its context.

    ``value`` is the number as written, in ``unit`` (5.877亿元 → 5.877 and "亿元"; convert with
    assistant.metrics.normalise_unit). A range keeps its upper end in ``high``; a fraction or
    ratio keeps its terms in ``terms`` and ``value`` = first / second. A rank (第二名,
    排名全市第一) has form "rank" and unit 名; a checker sources it only against a rank
    figure. Masked numbers (xx.x%, 202x, XX区) and water classes (Ⅱ类) have ``value`` None.
    """

    value: Decimal | None
    text: str  # the whole written quantity, e.g. "41.6微克/立方米", "3至5个", "二十余人"
    start: int
    end: int
    number_text: str  # the digits as written (half-width), "41.6", "一百二十", "xx.x"
    form: Literal["number", "range", "fraction", "ratio", "category", "masked", "rank"] = "number"
    unit: str | None = None  # normalised unit spelling, e.g. "微克/立方米", "%", "个百分点"
    unit_written: str | None = None
    places: int = 0
    high: Decimal | None = None
    terms: tuple[Decimal, Decimal] | None = None
    category: str | None = None  # "Ⅱ", "劣Ⅴ"
    approx: str | None = None  # 约/近/余/多/左右/超过…
    metric: str | None = None  # canonical metric name from the words around the number
    context: str = ""  # the clause before the number (since the last ，；。), for display
    period: tuple[str, ...] = ()  # time words of the sentence: 上半年, 1-6月, 截至6月底…
    comparison: str | None = None  # 同比 / 环比 / 较上年同期 … just before the number
    direction: str | None = None  # 上升/下降/提高/降低/增长/减少/改善/恶化/持平 just before it
    is_change: bool = False  # the number is a change amount (同比下降3.6个百分点 → 3.6)
    target: str | None = None  # 目标/控制在/以上/以内… in the same clause

    @property
    def is_percent_point(self) -> bool:
        return self.unit == "个百分点"

    @property
    def masked(self) -> bool:
        return self.form == "masked"


@dataclass(frozen=True)
class FigureSet:
    """A loaded, validated figures file with everything derived from it (see assistant.figures):
    ``changes`` and ``targets``, the 同比 changes and target checks by figure id (worked out when
    asked); ``warnings``, the problems that did not stop loading (unknown units or topics);
    ``organisation``, the reporting unit a YAML file may name at its top (``unit:``)."""

    path: Path
    sha256: str  # of the file's bytes, so a draft can say exactly which file it was checked against
    figures: tuple[Figure, ...]
    period: Period | None = None  # the report period: the file's, else the rows' most common
    sheet: str | None = None
    organisation: str | None = None
    changes: Mapping[str, Change] = field(default_factory=dict)
    targets: Mapping[str, TargetCheck] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Figure]:
        return iter(self.figures)

    def __len__(self) -> int:
        return len(self.figures)

    def __getitem__(self, figure_id: str) -> Figure:
        if (found := self.get(figure_id)) is None:
            raise KeyError(figure_id)
        return found

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.figures)

    def get(self, figure_id: str) -> Figure | None:
        return self._by_id.get(figure_id)

    @cached_property
    def _by_id(self) -> dict[str, Figure]:  # made when first asked: not a scan per lookup
        return by_id(self.figures)

    def by_topic(self, topic: str) -> list[Figure]:
        return [f for f in self.figures if f.topic == topic]

    def change(self, figure_id: str) -> Change | None:
        return self.changes.get(figure_id)

    def target(self, figure_id: str) -> TargetCheck | None:
        return self.targets.get(figure_id)

    @property
    def missing(self) -> list[Figure]:
        """Figures the file leaves to be filled in (〔待补〕 or empty value)."""
        return [f for f in self.figures if f.missing]


# --- items: the 科室's own material (notes and 事项 tables), read by assistant.items ----------

ItemProblemKind = Literal["period", "conflict", "duplicate"]


@dataclass(frozen=True)
class Item:
    """One fact of a 科室's material for the period: what was done (总结), planned (计划) or found
    hard (问题), as the 科室 wrote it.

    ``id`` is short and stable (the 科室 and a hash of its file's name and its words: 大气科-3fa2,
    the same while other items of the material change);
    ``row`` is the table row (None for a note, whose paragraph is ``line``); ``figure_ids`` are
    the figures made of the numbers inside ``text`` (their source is this item), so a draft cites
    them like any figure. ``also`` lists the other places the same fact was written (merged
    duplicates), ``period`` the time the item states for itself, as written.
    """

    id: str
    office: str
    text: str
    topic: str
    part: Part
    period: str | None
    file: str
    row: int | None = None
    line: int | None = None
    figure_ids: tuple[str, ...] = ()
    status: str | None = None  # 完成情况 as written (tables)
    source: str | None = None  # 来源 as written (tables)
    also: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        """Where the item was written: 大气科.docx 第3段, 事项.csv 第5行."""
        name = Path(self.file).name
        if self.row is not None:
            return f"{name} 第{self.row}行"
        return f"{name} 第{self.line}段" if self.line is not None else name


@dataclass(frozen=True)
class ItemProblem:
    """Something about the material a person must know before drafting: an item dated outside
    the period (not used), a number that disagrees with the figures file (not used until
    settled), a fact written twice (merged)."""

    kind: ItemProblemKind
    message: str
    file: str
    item_id: str | None = None
    row: int | None = None
    figure_id: str | None = None  # the figures file's figure a conflict is with


@dataclass(frozen=True)
class ItemSet:
    """The items of a folder of 科室 material: ``items`` may be drafted, ``held`` may not (out
    of period, or in conflict with the figures file); ``figures`` are the numbers of every item
    as figures (assistant.items.with_items adds the usable ones to a FigureSet)."""

    items: tuple[Item, ...] = ()
    held: tuple[Item, ...] = ()
    figures: tuple[Figure, ...] = ()
    problems: tuple[ItemProblem, ...] = ()
    files: tuple[str, ...] = ()
    period: Period | None = None
    path: str = ""  # the material given (absolute), "" for a figures workbook's 事项 sheet
    sha256: str = ""  # its files' fingerprint (assistant.items.read.material_sha256)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, item_id: str) -> Item | None:
        return next((i for i in (*self.items, *self.held) if i.id == item_id), None)

    def of_part(self, part: str, topic: str | None = None) -> list[Item]:
        """The usable items of one part (and topic), in material order."""
        return [i for i in self.items if i.part == part and topic in (None, i.topic)]

    @property
    def warnings(self) -> list[str]:
        return [p.message for p in self.problems]


# --- drafts: rendered by assistant.render, written by assistant.draft, checked by assistant.check

# Which number of a figure a reference stands for: {{id}} is the value, {{id.change}} the 同比
# change (direction word included), {{id.previous}} 上年同期, {{id.target}} 目标, {{id.completion}}
# 完成率.
FigureField = Literal["value", "change", "previous", "target", "completion"]


@dataclass(frozen=True)
class Citation:
    """A number in a draft tied to the figure it came from: block index and span of its text."""

    block: int
    start: int
    end: int
    text: str  # the rendered text at the span, e.g. "41.6微克/立方米", "上升13.4%"
    figure_id: str
    field: FigureField = "value"
    source: str = ""  # Provenance.describe() of the figure


@dataclass(frozen=True)
class ItemCitation:
    """A stretch of a draft built from a 科室 item (a sentence, or one 一是… clause): block and
    span, the item it states and where the item was written (科室, file, row). Writers mark it
    with 〔item:id〕 after the stretch; rendering takes the mark out (render.ITEM_MARK)."""

    block: int
    start: int
    end: int
    item_id: str
    source: str = ""  # e.g. 大气科 · 大气科.docx 第3段


@dataclass(frozen=True)
class Placeholder:
    """A 〔待补：…〕 or 〔待核：…〕 mark left in a draft for a person to fill in."""

    block: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finish:
    """What closes a 公文 besides its text: 发文字号 above the title, 落款 and 成文日期 at the end
    (today when ``date`` is None). No unit, no 落款."""

    unit: str = ""
    date: date | None = None
    doc_number: str = ""


@dataclass
class Draft:
    """A written draft with everything needed to trust it: citations, exemplars, prompts, model.

    ``exemplars`` maps a block index to the corpus chunk ids that block drew on.
    """

    title: str
    unit: str
    period: str
    kind: str  # "half-year" | "annual" | "quarter" | "section"
    blocks: list[Block]
    citations: list[Citation] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    exemplars: dict[int, list[str]] = field(default_factory=dict)
    prompts: dict[str, int] = field(default_factory=dict)  # prompt id → version
    writer: str = "template"
    model: str | None = None
    figures_file: str = ""
    figures_sha256: str = ""
    created: str = ""  # ISO timestamp
    items: list[Item] = field(default_factory=list)  # the 科室 material offered, held ones too
    item_citations: list[ItemCitation] = field(default_factory=list)  # 科室 material stated
    items_unused: list[str] = field(default_factory=list)  # ids of the items no sentence states
    items_path: str = ""  # where the 科室 material was (ItemSet.path): check finds it there
    items_sha256: str = ""  # and knows it unchanged (ItemSet.sha256)
    # names that are the unit's own only by its past documents or figures file (柳塘镇): check
    # reads them from the sidecar and does not call them foreign
    own_names: tuple[str, ...] = ()


FindingKind = Literal[
    "ok",
    "mismatch",
    "unit",
    "direction",
    "unsourced",
    "stale",
    "placeholder",
    "period",
    "foreign",
    "name",
    "comment",
    "uncommented",
    "slot",
    "item",
]
FINDING_LABELS: dict[str, str] = {  # how a finding kind is named to people
    "ok": "一致",
    "mismatch": "数值不符",
    "unit": "单位错误",
    "direction": "方向错误",
    "unsourced": "无出处",
    "stale": "沿用上年数",
    "placeholder": "待补",
    "period": "期间不符",
    "foreign": "外单位名称",
    "name": "指标名称不符",
    "comment": "批注不符",
    "uncommented": "缺批注",
    "slot": "待写",  # a section's prose left to the editor: shown, but no number is wrong
    "item": "事项不符",  # a stretch stating a 科室 item says what the item does not
}


@dataclass(frozen=True)
class Finding:
    """The checker's verdict on one number (or placeholder) of a draft: data, not an exception."""

    kind: FindingKind
    value: str  # as written in the text
    block: int
    start: int
    end: int
    context: str
    message: str
    unit: str | None = None
    figure_id: str | None = None
    field: FigureField | None = None
    expected: str | None = None  # the figure's value as it should be written
    source: str | None = None
    matched_by: Literal["provenance", "comment", "context"] | None = None


@dataclass
class CheckReport:
    """Every finding of one check, in document order, with counts by kind (produced by
    assistant.check). ``ok`` only when every number matched and no placeholder is left."""

    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    path: Path | None = None  # the checked draft, when read from a file
    figures_file: str = ""
    figures_sha256: str = ""
    unstated: tuple[str, ...] = ()  # ids of the file's figures no number of the text speaks of
    unstated_names: tuple[str, ...] = ()  # their names, in the same order

    @property
    def ok(self) -> bool:
        return all(f.kind in ("ok", "slot") for f in self.findings)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.kind != "ok"]
