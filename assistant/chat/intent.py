"""What a chat message asks for: draft a section or the whole document, revise (which
part of the current draft), set the unit — or the question to ask back."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from .. import domain
from ..periods import REQUEST_WORD, Period, fits, parse
from ..splitting import detect_unit, topic_scores
from ..types import Block

if TYPE_CHECKING:
    from ..revise import Passage


# A topic's section name and the words users type for it are the domain pack's (topics.yaml:
# section, chat_words; thesaurus.yaml: how people ask); the words of the genre — the parts,
# verbs, changes, asks outside drafting — are its chat.yaml; what the chat says it can do is
# its examples.chat_help.
_UNIT_SET = re.compile(r"单位(?:名称)?(?:是|为|改成|改为|换成|：|:)\s*([^\s，。,；;]{2,30})")
_PART_NAMES = {"开头": "开头", "总结": "工作总结", "问题": "存在的问题", "计划": "工作计划"}
_LOOKING_AHEAD = ("下半年", "明年")


@dataclass(frozen=True)
class _Words:
    """The pack's chat.yaml, compiled."""

    draft: re.Pattern[str]
    whole: re.Pattern[str]
    revise: re.Pattern[str]
    add: re.Pattern[str]
    elsewhere: re.Pattern[str]
    parts: tuple[tuple[str, re.Pattern[str]], ...]  # 开头, 结尾 first: they sit inside the others
    revise_parts: tuple[tuple[str, re.Pattern[str]], ...]
    topic_follows: str
    topic_fillers: re.Pattern[str]
    small_talk: tuple[tuple[str, re.Pattern[str]], ...]  # (the friendly reply, its words)


@cache
def _pack_words(pack: domain.Domain) -> _Words:
    chat = pack.chat
    parts, aims = chat.parts, chat.revise_parts

    def either(alternatives: tuple[str, ...]) -> re.Pattern[str]:
        return re.compile("|".join(alternatives))

    return _Words(
        either(chat.draft),
        either(chat.whole),
        either(chat.revise),
        either(chat.add),
        either(chat.elsewhere),
        (
            ("开头", either(parts.opening)),
            ("结尾", either(parts.closing)),
            ("问题", either(parts.problems)),
            ("计划", either(parts.plan)),
            ("总结", either(parts.summary)),
        ),
        (
            ("开头", either(aims.opening)),
            ("问题", either(aims.problems)),
            ("计划", either(aims.plan)),
            ("总结", either(aims.summary)),
        ),
        "|".join(chat.topic_follows),
        re.compile(r"[\s，。,.！!？?、]|" + "|".join(chat.topic_fillers)),
        tuple((reply, either(said)) for reply, said in chat.small_talk.items()),
    )


def _words() -> _Words:
    return _pack_words(domain.current())


def help_text() -> str:
    """What the chat says it can do, with the domain pack's examples."""
    return domain.examples().chat_help


def can_do() -> str:
    """What the assistant does, said when it is asked for something else."""
    named = "、".join(domain.topics()[:2])
    return (
        "我能做的是：按本期数据文件起草工作总结和工作计划——整篇，或其中一部分（开头、工作总结、"
        f"存在的问题、工作计划），或某几个方面（如{named}）；修改当前草稿（精简、语气更正式、"
        "加上某项数据的内容）；核对数字；比较两个版本。"
    )


# said when a revision changed nothing, after what the writer said about it
EDIT_IN_WORD = "也可以下载 .docx 在 Word 里改好后上传，作为新的一版。"

Action = Literal["draft", "revise", "ask", "unit", "decline", "items", "no-items"]


def _material(text: str) -> Action | None:
    """ "用这些科室材料" → items (list and use the session's), "不用科室材料" → no-items; the
    words are the pack's chat.yaml (material, material_off)."""
    words = domain.current().chat
    if not words.material or not re.search("|".join(words.material), text):
        return None
    off = words.material_off and re.search("|".join(words.material_off), text)
    return "no-items" if off else "items"


@dataclass(frozen=True)
class Intent:
    """What a message asks for; ``question`` is what to ask back when ``action`` is "ask", or
    what the assistant can do instead when it is "decline"."""

    action: Action
    section: str | None = None  # a section name for DraftRequest.section; None = whole document
    topic: str | None = None
    part: str = "全部"
    period_word: str | None = None
    instruction: str | None = None
    unit: str | None = None
    question: str | None = None
    topics: tuple[str, ...] = ()  # every topic named (a draft of several: one combined section)


def find_topics(text: str) -> list[str]:
    """Topics a request names, best first (keyword weights from splitting plus topic names);
    a bare topic name (水, 大气) on its own is that topic. A request that names none in the
    office's words may in the public's (雾霾, 臭水沟): then the thesaurus's terms for what it
    asks (how the office writes it) are weighed instead."""
    for stem in domain.info().office_stems:  # the office's own field (生态环境局) is no topic
        text = text.replace(stem, "")
    chat = _words()
    bare = chat.topic_fillers.sub("", text)
    if bare in domain.topics():
        return [bare]
    found = _named_topics(text, chat)
    if found:
        return found
    from ..retrieve import expand_query

    return _named_topics(" ".join(expand_query(text)), chat)


def _named_topics(text: str, chat: _Words) -> list[str]:
    scores = dict(topic_scores(("",), text))
    for topic, words in domain.all_chat_words().items():
        listed = re.search(rf"(?:^|[、，,和及与]){topic}(?={chat.topic_follows}|$)", text)
        if listed or any(word in text for word in words):
            scores[topic] = scores.get(topic, 0) + 3
    strong = [t for t, s in scores.items() if s >= 3]  # a weak word alone names a topic only
    found = strong or [t for t, s in scores.items() if s >= 2]  # when nothing stronger does
    return sorted(found, key=lambda t: -scores[t])


def part_named(text: str) -> str:
    """The part a request names: 开头 or 结尾 when named; else 问题/计划/总结 when exactly one is
    (a period word looking back means 总结, looking ahead 计划); else 全部."""
    for part, pattern in _words().parts[:2]:
        if pattern.search(text):
            return part
    named = _named_parts(text)
    periods = REQUEST_WORD.findall(text)
    if any(word in _LOOKING_AHEAD for word in periods) and not {"计划", "总结"} & set(named):
        named.append("计划")
    if not named and any(_to_date(word) for word in periods):
        named = ["总结"]
    return named[0] if len(named) == 1 else "全部"


def parse_intent(text: str, *, has_draft: bool) -> Intent:
    """Which section, which part, which period — or the question to ask when that is unclear."""
    text = text.strip()
    if not text:
        return Intent("ask", question="请说说要起草什么。" + help_text())
    unit_match = _UNIT_SET.search(text)
    unit = unit_match.group(1) if unit_match else detect_unit(text)
    words = _words()
    drafting = bool(words.draft.search(text))
    material = _material(text)
    if material is not None and (not drafting or material == "no-items"):
        return Intent(material)
    revising = bool(words.revise.search(text))
    whole = bool(words.whole.search(text))
    topics = find_topics(text)
    if words.elsewhere.search(text):
        return Intent("decline", question="这个我做不了。" + can_do())
    if (unit_match or (unit and re.search(r"单位|我们是", text))) and not drafting:
        return Intent("unit", unit=unit)
    if revising and has_draft and not (drafting and (whole or topics) and not _asks_to_add(text)):
        return _revision(text, unit)
    if revising and not drafting and not has_draft:
        return Intent("ask", question="还没有草稿可以修改。请先让我起草，例如“写整篇”。")
    period_match = REQUEST_WORD.findall(text)
    period_word = period_match[0] if period_match else None
    part = part_named(text)
    if part == "结尾":
        said = "结尾段我还写不了（这类总结通常以工作计划收尾）。"
        return Intent("decline", part=part, question=said + can_do())
    if whole or (not topics and part == "全部" and len(_named_parts(text)) > 1):
        return Intent("draft", part="全部", period_word=period_word, unit=unit)
    if not topics and (part != "全部" and (drafting or len(text) <= 12)):
        return Intent("draft", part=part, period_word=period_word, unit=unit)
    if not topics:
        if drafting:
            named = "、".join(domain.topics()[:9])
            return Intent("ask", question=f"要起草哪一部分？例如：{named}……，或者说“写整篇”。")
        reply = _small_talk(text)
        if reply is not None:
            return Intent("decline", question=reply + can_do())
        return Intent("ask", question="没听明白要做什么。" + help_text())
    return Intent(
        "draft",
        section="和".join(domain.section_name(t) for t in topics),
        topic=topics[0],
        part=part if part != "开头" else "全部",
        period_word=period_word,
        unit=unit,
        topics=tuple(topics),
    )


def _small_talk(text: str) -> str | None:
    """The friendly word for small talk (the pack's chat.yaml small_talk), asked only of a
    message that names no topic and asks for no text."""
    return next((reply for reply, said in _words().small_talk if said.search(text)), None)


def _to_date(word: str) -> bool:
    """一季度, 上半年, 前三季度: a part of the year to date, which a summary looks back on."""
    asked = parse(word)
    return asked is not None and asked.first == 1 and not asked.whole_year


def _named_parts(text: str) -> list[str]:
    return [part for part, pattern in _words().parts[2:] if pattern.search(text)]


def _revision(text: str, unit: str | None) -> Intent:
    """A revision of the current draft, aimed at the one topic and/or part it names ("把大气部分
    再精简一些", "精简存在的问题部分", "下半年计划里的执法部分再具体些"); naming neither
    revises the whole document. What it asks to add (加上臭氧的内容) says what, not where."""
    from ..revise import without_additions

    where = without_additions(text)
    topics = find_topics(where)
    if len(topics) > 1:
        named = "、".join(topics[:4])
        return Intent(
            "ask",
            question=f"这条修改涉及{named}几个部分，请一次改一个部分，"
            f"例如“把{topics[0]}部分再精简一些”，或者不提部分（改全文）。",
        )
    parts = [part for part, pattern in _words().revise_parts if pattern.search(where)]
    return Intent(
        "revise",
        topic=topics[0] if topics else None,
        part=parts[0] if len(parts) == 1 else "全部",
        instruction=text,
        unit=unit,
        topics=tuple(topics),
    )


@dataclass(frozen=True)
class Target:
    """The passages a revision rewrites, or (``reply``) what to say instead of revising."""

    passages: list[Passage]
    reply: str | None = None
    kind: str = "question"


def target(blocks: Sequence[Block], intent: Intent) -> Target:
    """The passages of the current draft a revision aimed at ``intent.topic`` / ``intent.part``
    rewrites.

    A passage is the bodies under one sub-heading, or one paragraph where a part has none
    (存在的问题's 一是…). It is about a topic when its headings and text score that topic
    highest (splitting's keyword weights: "（一）深入打好蓝天保卫战" is 大气), or when its own
    heading carries the topic's name (the 土壤 of "土壤和固废"); the opening paragraph before
    the first heading is an overview, about no one topic, and is what 开头 aims at. Its part
    (总结/问题/计划) comes from its level-1 heading, or from the title of a one-section draft.

    When the topic sits in more than one part and the editor named none: a pure style edit
    (精简, 语气更正式) rewrites all of them, since "大气部分再精简一些" means the document's 大气
    text and tightening half of it would leave the halves in two voices (the version's label
    and the diff name every passage changed); anything else (加上臭氧的内容, a free-form ask)
    belongs in one place, so the editor is asked which. A topic or part the draft lacks is
    said plainly and nothing is revised.
    """
    from ..revise import HEADINGS, passages, style_only

    structured = any(block.style in HEADINGS for block in blocks)
    first_heading = next((i for i, b in enumerate(blocks) if b.style in HEADINGS), len(blocks))
    found = [
        p
        for p in passages(blocks)
        if (
            intent.part == "全部"
            or p.part == intent.part
            or (intent.part == "开头" and structured and p.blocks[-1] < first_heading)
        )
        and (
            intent.topic is None
            or (_about(p, intent.topic) and (len(p.headings) > 1 or not structured))
        )
    ]
    topic = domain.section_name(intent.topic) if intent.topic else None
    if not found:
        if topic and intent.part != "全部":
            said = f"当前草稿的{_PART_NAMES[intent.part]}部分没有讲{topic}的内容"
        elif topic:
            said = f"当前草稿里没有讲{topic}的部分"
        else:
            said = f"当前草稿没有“{_PART_NAMES[intent.part]}”部分"
        headings = [b.text for b in blocks if b.style in HEADINGS] or [blocks[0].text]
        listed = "、".join(headings[:10]) + ("等" if len(headings) > 10 else "")
        return Target([], f"{said}，这次没有修改。文中的标题有：{listed}。", "notice")
    parts = list(dict.fromkeys(p.part for p in found))
    if len(parts) > 1 and intent.part == "全部" and not style_only(intent.instruction or ""):
        places = "、".join(f"“{p.name}”" for p in found)
        examples = "或".join(
            f"“{_PART_NAMES[part]}里的{intent.topic}部分…”" for part in parts if part
        )
        return Target(
            [],
            f"文中有{len(found)}处讲{topic}：{places}。这条修改要改哪一处？请说明，例如{examples}。",
        )
    return Target(found)


def _about(passage: Passage, topic: str) -> bool:
    own = passage.headings[-1] if passage.headings else ""
    if any(word in own for word in domain.chat_words(topic)):
        return True
    scores = topic_scores(passage.headings, passage.text)
    return scores.get(topic, 0) >= 3 and scores[topic] == max(scores.values())


def _asks_to_add(text: str) -> bool:
    """加上…/补充… with a topic is a revision of the current draft, not a new section."""
    return bool(_words().add.search(text))


def period_problem(period_word: str | None, file_period: Period | None) -> str | None:
    """The question to ask when the request's period does not fit the figures file's."""
    if period_word is None or file_period is None:
        return None
    if file_period.since is not None or fits(period_word, file_period):
        return None
    return (
        f"当前数据文件是{file_period}的，您说的是“{period_word}”。"
        "请换用对应期间的数据文件（/figures 或上传），或确认按数据文件的期间起草。"
    )
