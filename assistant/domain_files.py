"""The domain pack's files, one pydantic model each: what assistant/domain.py validates a pack
against. Unknown keys are errors, so a misspelt key never passes silently."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .types import Better, MetricKind

UnitKind = Literal[
    "percent", "points", "concentration", "money", "mass", "length", "area", "volume", "time",
    "count", "class", "ratio", "other",
]  # fmt: skip


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"不是有效的正则表达式: {exc}") from exc
    return value


class Examples(Strict):
    """What help texts and hints show as examples, in the office's own terms."""

    unit: str
    section: str
    metric: str
    source: str
    search: str
    addition: str
    chat_help: str


class PackInfo(Strict):
    """domain.yaml: the office this pack is for and how its name is written."""

    version: int = 1
    name: str
    office: str
    work: str  # what the office's work covers, as the model writer's system prompt says it
    collection: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,62}[A-Za-z0-9]$")
    office_names: str
    office_stems: tuple[str, ...] = ()
    not_quantities: tuple[str, ...] = ()
    # words that, after a count's name, begin what is said of the counted things (9个断面水质…)
    count_attributes: tuple[str, ...] = ()
    examples: Examples

    _check_office = field_validator("office_names")(_regex)

    @field_validator("not_quantities")
    @classmethod
    def _check_not_quantities(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            _regex(pattern)
        return value


class Headings(Strict):
    neutral: str
    summary: str
    plan: str
    problem: str


class GenericTopic(Headings):
    """Titles and stock sentences for a topic without its own ({topic} is its name)."""

    measures: tuple[str, ...]
    plans: tuple[str, ...]


class TopicSpec(Strict):
    section: str
    chat_words: tuple[str, ...] = ()
    keywords: dict[str, int]
    headings: Headings | None = None
    measures: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()


class TopicsFile(Strict):
    """topics.yaml: the topics in the order a document takes them."""

    version: int = 1
    default: str
    generic: GenericTopic
    topics: dict[str, TopicSpec] = Field(min_length=1)


class UnitSpec(Strict):
    spellings: tuple[str, ...]
    base: str
    scale: Decimal = Decimal(1)
    kind: UnitKind


class MetricSpec(Strict):
    name: str
    aliases: tuple[str, ...] = ()
    topic: str
    unit: str
    units: tuple[str, ...] = ()
    better: Better | None = None
    kind: MetricKind
    period_words: str | None = None


class CountChange(Strict):
    """How a count's 同比 is written: by the difference in its own unit (同比减少1天) for a unit in
    ``units`` whatever its size, and for one in ``small_units`` while both values are under
    ``small_below``; by % otherwise. ``up``/``down`` say the difference's direction."""

    units: tuple[str, ...] = ()
    small_units: tuple[str, ...] = ()
    small_below: Decimal = Decimal(0)
    up: str
    down: str


class MetricsFile(Strict):
    """metrics.yaml: the metric dictionary and the units it needs beyond the core table."""

    version: int = 1
    units: dict[str, UnitSpec] = {}
    count_change: CountChange | None = None
    period_words: dict[str, tuple[str, ...]] = {}
    metrics: tuple[MetricSpec, ...]


class ThesaurusEntry(Strict):
    asked: str
    written: str

    _check_asked = field_validator("asked")(_regex)


class ThesaurusFile(Strict):
    """thesaurus.yaml: how people ask (a pattern) and how the office writes (terms)."""

    version: int = 1
    entries: tuple[ThesaurusEntry, ...] = ()


class Parts(Strict):
    summary: str
    problems: str
    plan: str
    quarter_plan: str


class Targets(Strict):
    lower_met: str
    lower_missed: str
    higher_met: str
    higher_missed: str
    completion: str


class PlanTargets(Strict):
    lower: str
    higher: str
    keep: str


class ZeroCounts(Strict):
    """How a count of zero is said: of events (未发生…), of other things (无…), in a plan."""

    events: tuple[str, ...]
    happened: str
    none: str
    verbs: dict[str, str] = {}
    handling: tuple[str, ...] = ()
    plan_happened: str
    plan_none: str


class FigureVerbs(Strict):
    """How a count of what was done is said in a sentence of our own (制作环保专题节目5期, not a
    bare 环保专题节目5期 in a list): the verbs a figure's name may already open with
    (``leading``) or end with (``trailing``, moved before the rest: 查处非法倾倒…案件), and a
    word of the name → the verb an office writes before it (``words``)."""

    leading: tuple[str, ...] = ()
    trailing: tuple[str, ...] = ()
    words: dict[str, str] = {}


class Problems(Strict):
    target_lower: str
    target_higher: str
    behind: str
    pressure: str
    worse: str


class ProblemTitles(Strict):
    """A problem's title from the figure behind it, by what is wrong with it."""

    behind: str
    missed: str
    pressure: str
    worse_lower: str
    worse_higher: str


class HeadingClaims(Strict):
    better: tuple[str, ...]
    steady: tuple[str, ...]
    done: tuple[str, ...] = ()  # the period's targets all achieved: not from the year so far


class PatternsFile(Strict):
    """patterns.yaml: the template writer's fixed sentences and the claim words it guards."""

    version: int = 1
    parts: Parts
    opening: str
    opening_close: str
    opening_neutral: str
    plan_intro: str
    figures_lead: str
    no_problems: str
    figure: str
    figure_change: str
    header_endings: dict[str, str] = {}
    zero: ZeroCounts | None = None
    figure_verbs: FigureVerbs | None = None
    target: Targets
    plan_target: PlanTargets
    plan_target_lead: str
    problem: Problems
    problem_title: ProblemTitles
    stock_verbs: tuple[str, ...] = ()  # a stock measure opening with one may take an adverb
    stock_adverbs: tuple[str, ...] = ()
    claims: tuple[str, ...]
    figure_claims: tuple[str, ...]
    time_bound: tuple[str, ...]
    one_off: tuple[str, ...] = ()  # a past summary measure with one of these is one period's
    analysis_claims: tuple[str, ...] = ()  # what drives a figure: kept only when figures show it
    leading: tuple[str, ...] = ()  # figure names whose largest value says which one leads
    progress_words: tuple[str, ...] = ()  # a past problem title speaking of progress or quality
    heading_claims: HeadingClaims


class PhrasesFile(Strict):
    """revise_phrases.yaml: colloquial → formal wording, and fillers 精简 may drop."""

    formal: dict[str, str]
    fillers: tuple[str, ...]


class ConnectivesFile(Strict):
    """connectives.yaml: words that lean on a sentence before them (assistant.gate)."""

    leading: tuple[str, ...]


class DatedPhrase(Strict):
    model_config = ConfigDict(populate_by_name=True)

    text: str
    first: int | None = Field(default=None, alias="from")
    until: int | None = None
    then: str | None = None


class DatedFile(Strict):
    """dated.yaml: the years in which a phrase is current (assistant.era)."""

    phrases: tuple[DatedPhrase, ...] = ()


class LevelsFile(Strict):
    """levels.yaml: how an office names its own area and government (assistant.names)."""

    levels: tuple[str, ...]
    subject: str = ""  # the area as a sentence's subject ({L}: the level)
    own_words: tuple[str, ...]
    unit_markers: tuple[str, ...]
    area_words: dict[str, str] = {}
    area_neutral: str = ""
    area_not_before: tuple[str, ...] = ()
    branch_markers: tuple[str, ...]


class NameList(Strict):
    """How a list of names of one kind ("A、B等企业") is said generally."""

    nouns: tuple[str, ...]  # what may follow 等 (企业, 河道)
    general: str  # the general words (重点企业)


class NamesFile(Strict):
    """names.yaml: foreign names in reused sentences and how to make them general."""

    water_suffixes: tuple[str, ...]
    place_suffixes: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    person_titles: tuple[str, ...]
    place_then_generic: tuple[str, ...]
    generalise: dict[str, str]
    name_tags: tuple[str, ...]
    lists: dict[Literal["place", "water", "company"], NameList]
    short_followers: tuple[str, ...]
    common_words: tuple[str, ...] = ()
    everyones: tuple[str, ...] = ()


class MetricHintsFile(Strict):
    """metric_hints.yaml: words in a figure's name that say its topic (assistant.topics)."""

    words: dict[str, tuple[str, ...]] = {}
    opening: tuple[str, ...] = ()  # a figure's name words that put it in the opening


class ShapeFile(Strict):
    """shape.yaml: the summary sections each period kind expects (assistant.outline)."""

    kinds: dict[str, dict[Literal["always", "if_past"], tuple[str, ...]]] = {}
    slot: str = "〔待补：本期{section}〕"


class SubjectGroup(Strict):
    """Subjects of one kind that exclude one another (环境空气 / 饮用水水源地 / 地表水 …), each
    named by any of its words. ``applies_to``: words a figure's name must hold for the group to
    speak of it (empty: any figure that names one of the subjects). ``unnamed_is_whole``: a
    figure naming none of the subjects is the total (立案查处环境违法案件 holds every kind)."""

    name: str
    applies_to: tuple[str, ...] = ()
    unnamed_is_whole: bool = False
    subjects: dict[str, tuple[str, ...]]


class SubjectsFile(Strict):
    """subjects.yaml: whose a number is, for the checker (assistant.check.subjects)."""

    version: int = 1
    groups: tuple[SubjectGroup, ...] = ()


class ItemForms(Strict):
    """How the template writer joins a section's items (assistant.items.prose)."""

    ordinal: str = "{n}是{text}"  # one item of a list: 一是…
    separator: str = "；"  # between the items of a list
    name_separator: str = "、"  # between the campaigns one sentence names
    campaigns: str = "先后开展{names}等专项行动"  # items that only name a campaign, together
    # an item that only names a campaign (its name in the group "name"; a regex)
    campaign_item: str = r"(?:组织|联合|会同[^，。]{1,8}?)?开展(?P<name>[^，。；]{2,30}?)专项行动"
    # the 科室 speaking of itself at an item's start, dropped in the bureau's voice ({office})
    subject: str = r"(?:{office}|我科室|我科|我队|我站|本科室)(?:将|要)?"
    # a clause leaning on the one before (其中…), and the whole it then names ({whole}中)
    part_lead: str = "其中"
    part_of: str = "{whole}中"
    # words that state no fact of their own beside a number a section's figures already give
    # (确保完成全年35公里建设任务 after the target 全年新建改造城镇污水管网35公里)
    frame_words: tuple[str, ...] = ("确保", "力争", "完成", "全年", "年度", "建设任务", "任务")

    _campaign = field_validator("campaign_item")(_regex)


class ItemsFile(Strict):
    """items.yaml: 科室 material (assistant.items) — how a 科室's name ends, what a 完成情况 cell
    says about the part an item belongs to."""

    version: int = 1
    # a 科室's name in a file name or a first line, ending in one of these (a regex)
    office_names: str = (
        r"[\u4e00-\u9fff]{1,10}?(?:办公室|大队|支队|中队|中心|分局|科|股|室|站|所|办|处)"
    )
    # words of a 完成情况 cell, by the part an item so described belongs to
    status: dict[Literal["总结", "计划", "问题"], tuple[str, ...]] = {
        "总结": ("已完成", "完成", "已办结", "办结", "已开展", "开展", "推进中", "进行中"),
        "计划": ("计划", "拟开展", "拟", "待开展", "未开始", "下半年"),
        "问题": ("未完成", "滞后", "进度滞后", "存在问题", "困难", "暂缓"),
    }

    forms: ItemForms = ItemForms()
    # words between a measure's name and its number (信访件办结率达到100%, 案件共35件): a number
    # so written states that measure, for the conflict check against the figures file
    number_links: tuple[str, ...] = ("达到", "达", "为", "共计", "合计", "累计", "共", "计")

    _office = field_validator("office_names")(_regex)


Alternatives = tuple[str, ...]  # regular expressions, any of which matches


def _alternatives(value: Alternatives) -> Alternatives:
    for pattern in value:
        _regex(pattern)
    return value


class ChatParts(Strict):
    """The words a request names a part of the document by."""

    opening: Alternatives
    summary: Alternatives
    problems: Alternatives
    plan: Alternatives

    _check = field_validator("opening", "summary", "problems", "plan")(_alternatives)


class RequestParts(ChatParts):
    closing: Alternatives

    _check_closing = field_validator("closing")(_alternatives)


class ChatFile(Strict):
    """chat.yaml: how staff word their requests in the chat (assistant.chat.intent), each a
    list of alternatives (regular expressions): asking for a new text, the whole document, a
    change to the current draft, an addition, something the assistant does not do; the parts
    by name (in a request, and where in a draft a revision aims); what may follow a bare topic
    name in a list (大气和水两块), and the filler words around a topic said alone."""

    version: int = 1
    draft: Alternatives
    whole: Alternatives
    revise: Alternatives
    add: Alternatives
    elsewhere: Alternatives
    parts: RequestParts
    revise_parts: ChatParts
    topic_follows: Alternatives
    topic_fillers: Alternatives
    # the 科室 material (assistant.items) as staff name it ("用这些科室材料"), and the words that
    # drop it ("不用科室材料"); a pack without them never reads a request as about material
    material: Alternatives = ()
    material_off: Alternatives = ()
    # small talk (你好, 谢谢, 今天天气不错): the friendly word it is answered with → the ways it
    # is said; the answer goes on with what the assistant can do, it is never asked back
    small_talk: dict[str, Alternatives] = {}

    @field_validator("small_talk")
    @classmethod
    def _replies(cls, value: dict[str, Alternatives]) -> dict[str, Alternatives]:
        for reply, alternatives in value.items():
            if not reply.strip() or not alternatives:
                raise ValueError("small_talk: each reply needs its words")
            _alternatives(alternatives)
        return value

    _check = field_validator(
        "draft",
        "whole",
        "revise",
        "add",
        "elsewhere",
        "topic_follows",
        "topic_fillers",
        "material",
        "material_off",
    )(_alternatives)


FILES: dict[str, type[Strict]] = {
    "domain.yaml": PackInfo,
    "topics.yaml": TopicsFile,
    "metrics.yaml": MetricsFile,
    "thesaurus.yaml": ThesaurusFile,
    "patterns.yaml": PatternsFile,
    "revise_phrases.yaml": PhrasesFile,
    "connectives.yaml": ConnectivesFile,
    "dated.yaml": DatedFile,
    "levels.yaml": LevelsFile,
    "names.yaml": NamesFile,
    "metric_hints.yaml": MetricHintsFile,
    "shape.yaml": ShapeFile,
    "items.yaml": ItemsFile,
    "subjects.yaml": SubjectsFile,
    "chat.yaml": ChatFile,
}
# Files a pack may leave out (their model's defaults then hold: no dated wording, no hints).
OPTIONAL = frozenset(
    {"dated.yaml", "metric_hints.yaml", "shape.yaml", "items.yaml", "subjects.yaml"}
)
