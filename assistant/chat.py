"""The conversation engine behind `assistant chat` and the web chat.

A message in plain Chinese becomes an intent (draft a section or the whole document, revise the
current version, set the unit); when the intent is unclear the assistant asks back instead of
guessing. Every draft or revision is a numbered version of the conversation, written to disk with
its .docx/.md/.json, so any two can be diffed and the conversation survives a restart.

Sessions live in SQLite (data_dir/chat.sqlite3). Each belongs to one client id (one browser, or
the terminal), and every lookup is by (client, session): a session id alone opens nothing.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .errors import AssistantError, InputError
from .settings import Settings
from .splitting import detect_unit, topic_scores
from .types import Block, CheckReport, Draft, FigureSet

if TYPE_CHECKING:
    from .revise import Passage

TOPIC_SECTIONS = {
    "大气": "大气污染防治",
    "水": "水污染防治",
    "土壤": "土壤污染防治",
    "固废": "固体废物污染防治",
    "生态": "生态保护修复",
    "执法": "环境执法监管",
    "信访": "环境信访",
    "监测": "环境监测",
    "审批": "环评审批服务",
    "党建": "党建工作",
    "宣传": "宣传教育",
    "综合": "重点工程",
}
# Topic names users type that the keyword table does not weigh on their own.
_TOPIC_WORDS = {
    "大气": ("大气", "空气", "蓝天"),
    "水": ("水环境", "水污染", "水质", "碧水", "治水", "水生态", "水的"),
    "土壤": ("土壤", "净土"),
    "固废": ("固废", "固体废物", "危废"),
    "生态": ("生态保护", "生态修复", "自然保护"),
    "执法": ("执法", "监管执法"),
    "信访": ("信访",),
    "监测": ("监测",),
    "审批": ("审批", "环评"),
    "党建": ("党建",),
    "宣传": ("宣传",),
    "综合": ("重点工程",),
}
_DRAFT_VERB = re.compile(r"起草|(?<![改重缩])写|拟|生成|出一[份篇版稿]|来一[份篇版]|做一[份篇]")
_WHOLE = re.compile(r"整篇|全文|全篇|通篇|完整的?(?:总结|材料|稿)|整个(?:总结|材料|文档)|全部内容")
_REVISE = re.compile(
    r"精简|压缩|简练|简洁|缩短|删减|精炼|正式|规范|书面|加上|加入|增加|补充|添加|写上|补上|"
    r"改成|改为|改一下|改写|重写|缩写|润色|调整|语气|再短|长一些|展开|删去|删掉|去掉|具体|详细|充实|"
    r"细化"
)
_UNIT_SET = re.compile(r"单位(?:名称)?(?:是|为|：|:)\s*([^\s，。,；;]{2,30})")
_PLAN = re.compile(r"计划|安排|打算|下一步|下半年|明年|思路|要点")
_PROBLEM = re.compile(r"问题|不足|短板|差距")
_SUMMARY = re.compile(r"总结|成效|进展|做了|完成情况|工作情况|回顾")
# Where in the current draft a revision aims: the part words an editor uses for it.
_REVISE_PARTS = (
    ("问题", re.compile(r"问题|不足|短板")),
    ("计划", re.compile(r"计划|下半年|明年|下一步|下一阶段")),
    ("总结", re.compile(r"总结|完成情况|工作情况|上半年|一季度|前三季度|回顾")),
)
_PART_NAMES = {"总结": "工作总结", "问题": "存在的问题", "计划": "工作计划"}
_PERIOD_WORD = re.compile(r"一季度|二季度|三季度|四季度|前三季度|上半年|下半年|全年|年度|明年")
# A request's period word against the figures file's period kind: which words fit which file.
_FITS = {
    "一季度": {"一季度", "二季度"},
    "上半年": {"上半年", "下半年"},
    "前三季度": {"前三季度", "四季度"},
    "全年": {"全年", "年度", "明年"},
}
HELP = (
    "可以这样说：“帮我起草上半年大气污染防治部分”“写下半年水环境的工作计划”“写整篇”；"
    "有了草稿后可以说“再精简一些”“加上臭氧的内容”“语气更正式”，"
    "或者只改一部分：“把大气部分再精简一些”“精简存在的问题部分”。"
)

Action = Literal["draft", "revise", "ask", "unit"]


@dataclass(frozen=True)
class Intent:
    """What a message asks for; ``question`` is what to ask back when ``action`` is "ask"."""

    action: Action
    section: str | None = None  # a section name for DraftRequest.section; None = whole document
    topic: str | None = None
    part: str = "全部"
    period_word: str | None = None
    instruction: str | None = None
    unit: str | None = None
    question: str | None = None


def find_topics(text: str) -> list[str]:
    """Topics a request names, best first (keyword weights from splitting plus topic names)."""
    scores = dict(topic_scores(("",), text))
    for topic, words in _TOPIC_WORDS.items():
        if any(word in text for word in words):
            scores[topic] = scores.get(topic, 0) + 3
    return sorted((t for t, s in scores.items() if s >= 3), key=lambda t: -scores[t])


def parse_intent(text: str, *, has_draft: bool) -> Intent:
    """Which section, which part, which period — or the question to ask when that is unclear."""
    text = text.strip()
    if not text:
        return Intent("ask", question="请说说要起草什么。" + HELP)
    unit_match = _UNIT_SET.search(text)
    unit = unit_match.group(1) if unit_match else detect_unit(text)
    drafting = bool(_DRAFT_VERB.search(text))
    revising = bool(_REVISE.search(text))
    whole = bool(_WHOLE.search(text))
    topics = find_topics(text)
    if revising and has_draft and not (drafting and (whole or topics) and not _asks_to_add(text)):
        return _revision(text, unit)
    if revising and not drafting and not has_draft:
        return Intent("ask", question="还没有草稿可以修改。请先让我起草，例如“写整篇”。")
    if unit_match and not drafting:
        return Intent("unit", unit=unit)
    period_match = _PERIOD_WORD.findall(text)
    period_word = period_match[0] if period_match else None
    plan, problem = bool(_PLAN.search(text)), bool(_PROBLEM.search(text))
    summary = bool(_SUMMARY.search(text)) or period_word in ("上半年", "一季度", "前三季度")
    if "下半年" in period_match or "明年" in period_match:
        plan = True
        summary = summary and bool(_SUMMARY.search(text))
    parts = [p for p, on in (("总结", summary), ("问题", problem), ("计划", plan)) if on]
    part = parts[0] if len(parts) == 1 else "全部"
    if whole:
        return Intent("draft", part="全部", period_word=period_word, unit=unit)
    if not drafting and not topics:
        return Intent("ask", question="没听明白要做什么。" + HELP)
    if not topics:
        return Intent(
            "ask",
            question="要起草哪一部分？例如：大气、水、土壤、固废、生态、执法、信访、监测、"
            "审批……，或者说“写整篇”。",
        )
    if len(topics) > 1:
        named = "、".join(topics[:4])
        return Intent(
            "ask", question=f"这句话涉及{named}几个方面，请一次说一个部分，或者说“写整篇”。"
        )
    topic = topics[0]
    return Intent(
        "draft",
        section=TOPIC_SECTIONS.get(topic, topic),
        topic=topic,
        part=part,
        period_word=period_word,
        unit=unit,
    )


def _revision(text: str, unit: str | None) -> Intent:
    """A revision of the current draft, aimed at the one topic and/or part it names ("把大气部分
    再精简一些", "精简存在的问题部分", "下半年计划里的执法部分再具体些"); naming neither
    revises the whole document. What it asks to add (加上臭氧的内容) says what, not where."""
    from .revise import without_additions

    where = without_additions(text)
    topics = find_topics(where)
    if len(topics) > 1:
        named = "、".join(topics[:4])
        return Intent(
            "ask",
            question=f"这条修改涉及{named}几个部分，请一次改一个部分，"
            f"例如“把{topics[0]}部分再精简一些”，或者不提部分（改全文）。",
        )
    parts = [part for part, pattern in _REVISE_PARTS if pattern.search(where)]
    return Intent(
        "revise",
        topic=topics[0] if topics else None,
        part=parts[0] if len(parts) == 1 else "全部",
        instruction=text,
        unit=unit,
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
    the first heading is an overview, about no one topic. Its part (总结/问题/计划) comes from
    its level-1 heading, or from the title of a one-section draft.

    When the topic sits in more than one part and the editor named none: a pure style edit
    (精简, 语气更正式) rewrites all of them, since "大气部分再精简一些" means the document's 大气
    text and tightening half of it would leave the halves in two voices (the version's label
    and the diff name every passage changed); anything else (加上臭氧的内容, a free-form ask)
    belongs in one place, so the editor is asked which. A topic or part the draft lacks is
    said plainly and nothing is revised.
    """
    from .revise import HEADINGS, passages, style_only

    structured = any(block.style in HEADINGS for block in blocks)
    found = [
        p
        for p in passages(blocks)
        if (intent.part == "全部" or p.part == intent.part)
        and (
            intent.topic is None
            or (_about(p, intent.topic) and (len(p.headings) > 1 or not structured))
        )
    ]
    topic = TOPIC_SECTIONS.get(intent.topic, intent.topic) if intent.topic else None
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
    if any(word in own for word in _TOPIC_WORDS.get(topic, ())):
        return True
    scores = topic_scores(passage.headings, passage.text)
    return scores.get(topic, 0) >= 3 and scores[topic] == max(scores.values())


def _asks_to_add(text: str) -> bool:
    """加上…/补充… with a topic is a revision of the current draft, not a new section."""
    return bool(re.search(r"加上|加入|增加|补充|添加|写上|补上", text))


def period_problem(period_word: str | None, figures_period: str | None) -> str | None:
    """The question to ask when the request's period does not fit the figures file's."""
    if period_word is None or figures_period is None:
        return None
    from .splitting import detect_period

    kind = detect_period(figures_period) or (
        "全年" if re.fullmatch(r"20\d\d年度?", figures_period) else None
    )
    if kind is None or period_word in _FITS.get(kind, {period_word}):
        return None
    return (
        f"当前数据文件是{figures_period}的，您说的是“{period_word}”。"
        "请换用对应期间的数据文件（/figures 或上传），或确认按数据文件的期间起草。"
    )


# --- storage -------------------------------------------------------------------------------


class SessionNotFound(InputError):
    """No such session for this client (another client's session is not found, by design)."""


@dataclass(frozen=True)
class Message:
    id: int
    role: Literal["user", "assistant"]
    text: str
    version: int | None
    created: str
    kind: str = "text"  # text | draft | question | error | notice


@dataclass(frozen=True)
class Version:
    number: int
    label: str
    folder: Path
    stem: str
    created: str

    def file(self, fmt: str) -> Path:
        return self.folder / f"{self.stem}.{fmt}"


@dataclass(frozen=True)
class SessionInfo:
    id: str
    created: str
    updated: str
    title: str
    figures: str | None
    unit: str | None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, client TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '', figures TEXT, unit TEXT);
CREATE INDEX IF NOT EXISTS sessions_client ON sessions (client, updated);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session TEXT NOT NULL REFERENCES sessions (id),
    role TEXT NOT NULL, text TEXT NOT NULL, version INTEGER, kind TEXT NOT NULL DEFAULT 'text',
    created TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_session ON messages (session, id);
CREATE TABLE IF NOT EXISTS versions (
    session TEXT NOT NULL REFERENCES sessions (id), number INTEGER NOT NULL, label TEXT NOT NULL,
    folder TEXT NOT NULL, stem TEXT NOT NULL, created TEXT NOT NULL,
    PRIMARY KEY (session, number));
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ChatStore:
    """Sessions, messages and versions in one SQLite file; a connection per call, WAL mode, so
    server threads and a restarted process all see the same state."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        try:
            with db:
                yield db
        finally:
            db.close()

    def create(self, client: str, *, figures: str | None = None, unit: str | None = None) -> str:
        session = uuid.uuid4().hex
        now = _now()
        with self._db() as db:
            db.execute(
                "INSERT INTO sessions (id, client, created, updated, figures, unit) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (session, client, now, now, figures, unit),
            )
        return session

    def info(self, client: str, session: str) -> SessionInfo:
        with self._db() as db:
            row = db.execute(
                "SELECT * FROM sessions WHERE id = ? AND client = ?", (session, client)
            ).fetchone()
        if row is None:
            raise SessionNotFound(f"找不到会话 {session[:12]}", hint="新建一个会话")
        return SessionInfo(
            row["id"], row["created"], row["updated"], row["title"], row["figures"], row["unit"]
        )

    def sessions(self, client: str) -> list[SessionInfo]:
        with self._db() as db:
            rows = db.execute(
                "SELECT * FROM sessions WHERE client = ? ORDER BY updated DESC, created DESC",
                (client,),
            ).fetchall()
        return [
            SessionInfo(r["id"], r["created"], r["updated"], r["title"], r["figures"], r["unit"])
            for r in rows
        ]

    def update(self, client: str, session: str, **fields: str | None) -> None:
        self.info(client, session)
        allowed = {"title", "figures", "unit"}
        if not fields.keys() <= allowed:
            raise ValueError(f"unknown session fields {sorted(fields.keys() - allowed)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._db() as db:
            db.execute(
                f"UPDATE sessions SET {assignments}, updated = ? WHERE id = ? AND client = ?",
                (*fields.values(), _now(), session, client),
            )

    def add_message(
        self,
        session: str,
        role: str,
        text: str,
        *,
        version: int | None = None,
        kind: str = "text",
    ) -> Message:
        now = _now()
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO messages (session, role, text, version, kind, created) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (session, role, text, version, kind, now),
            )
            db.execute("UPDATE sessions SET updated = ? WHERE id = ?", (now, session))
        return Message(cursor.lastrowid or 0, role, text, version, now, kind)  # type: ignore[arg-type]

    def messages(self, client: str, session: str) -> list[Message]:
        self.info(client, session)
        with self._db() as db:
            rows = db.execute(
                "SELECT * FROM messages WHERE session = ? ORDER BY id", (session,)
            ).fetchall()
        return [
            Message(r["id"], r["role"], r["text"], r["version"], r["created"], r["kind"])
            for r in rows
        ]

    def add_version(self, session: str, label: str, folder: Path, stem: str) -> Version:
        with self._db() as db:
            (last,) = db.execute(
                "SELECT COALESCE(MAX(number), 0) FROM versions WHERE session = ?", (session,)
            ).fetchone()
            number = last + 1
            now = _now()
            db.execute(
                "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?)",
                (session, number, label, str(folder), stem, now),
            )
        return Version(number, label, folder, stem, now)

    def versions(self, client: str, session: str) -> list[Version]:
        self.info(client, session)
        with self._db() as db:
            rows = db.execute(
                "SELECT * FROM versions WHERE session = ? ORDER BY number", (session,)
            ).fetchall()
        return [
            Version(r["number"], r["label"], Path(r["folder"]), r["stem"], r["created"])
            for r in rows
        ]


# --- the engine ----------------------------------------------------------------------------


@dataclass
class Turn:
    """One exchange: the user's message, the reply, and the version the reply made (if any)."""

    user: Message
    reply: Message
    version: Version | None = None
    draft: Draft | None = None
    report: CheckReport | None = None
    streamed: bool = False
    notes: list[str] = field(default_factory=list)


def terminal_client() -> str:
    """The client id of the terminal chat: one per operating-system user."""
    import getpass

    return f"terminal:{getpass.getuser()}"


def draft_text(draft: Draft) -> str:
    return "\n".join(block.text for block in draft.blocks)


class ChatEngine:
    """Conversations over the drafting, revision, check and diff functions."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = Path(settings.data_dir) / "chat"
        self.store = ChatStore(Path(settings.data_dir) / "chat.sqlite3")
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def _lock(self, session: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(session, threading.Lock())

    # sessions and figures

    def create_session(
        self, client: str, *, figures: Path | None = None, unit: str | None = None
    ) -> SessionInfo:
        session = self.store.create(client, unit=unit)
        if figures is not None:
            self.set_figures(client, session, figures)
        return self.store.info(client, session)

    def set_figures(self, client: str, session: str, path: Path) -> FigureSet:
        """Validate a figures file and keep a copy in the session's folder (the session keeps
        working when the original moves). A bad file raises InputError and changes nothing."""
        from .figures import load_figures
        from .uploads import FIGURES_SUFFIXES, check_upload

        self.store.info(client, session)
        path = Path(path)
        if not path.is_file():
            raise InputError("数据文件不存在", path=str(path))
        check_upload(path, allowed=FIGURES_SUFFIXES)
        figure_set = load_figures(path)
        folder = self.root / session / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        kept = folder / path.name
        if path.resolve() != kept.resolve():
            shutil.copyfile(path, kept)
        self.store.update(client, session, figures=str(kept))
        unit = figure_set.organisation
        if unit and not self.store.info(client, session).unit:
            self.store.update(client, session, unit=unit)
        return load_figures(kept)

    def figures(self, client: str, session: str) -> FigureSet | None:
        from .figures import load_figures

        info = self.store.info(client, session)
        return load_figures(info.figures) if info.figures else None

    # versions

    def versions(self, client: str, session: str) -> list[Version]:
        return self.store.versions(client, session)

    def version(self, client: str, session: str, number: int | None = None) -> Version:
        versions = self.store.versions(client, session)
        if not versions:
            raise InputError("这个会话还没有草稿", hint="先让我起草一部分，例如“写整篇”")
        if number is None:
            return versions[-1]
        found = next((v for v in versions if v.number == number), None)
        if found is None:
            raise InputError(
                f"没有第 {number} 版",
                hint=f"现有版本: {', '.join(str(v.number) for v in versions)}",
            )
        return found

    def load(self, client: str, session: str, number: int | None = None) -> Draft:
        from .draft import load_sidecar

        return load_sidecar(self.version(client, session, number).file("json"))

    def diff(self, client: str, session: str, a: int, b: int):  # -> DocumentDiff
        from .diff import diff_texts, from_citations

        old, new = self.load(client, session, a), self.load(client, session, b)
        return diff_texts(
            [x.text for x in old.blocks],
            [x.text for x in new.blocks],
            from_citations(old.citations),
            from_citations(new.citations),
            a_name=f"第{a}版",
            b_name=f"第{b}版",
        )

    def check(self, client: str, session: str, number: int | None = None) -> CheckReport:
        from .check import check_blocks

        draft = self.load(client, session, number)
        figure_set = self.figures(client, session)
        if figure_set is None:
            raise InputError("这个会话还没有数据文件", hint="用 /figures 文件 或上传数据文件")
        return check_blocks([b.text for b in draft.blocks], figure_set, draft.citations)

    def export(
        self, client: str, session: str, folder: Path, number: int | None = None
    ) -> dict[str, Path]:
        """Copy a version's .docx/.md/.json into ``folder`` (default: the latest version)."""
        version = self.version(client, session, number)
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        saved = {}
        for fmt in ("docx", "md", "json"):
            target = folder / f"草稿-{session[:8]}-v{version.number}.{fmt}"
            shutil.copyfile(version.file(fmt), target)
            saved[fmt] = target
        return saved

    def import_docx(self, client: str, session: str, path: Path) -> Turn:
        """An editor's .docx (e.g. the downloaded version, edited in Word) becomes the next
        version; numbers keep their sources where our comments still sit on them."""
        from .diff import sourced_numbers
        from .render import find_placeholders
        from .types import Citation
        from .uploads import DRAFT_SUFFIXES, check_upload
        from .word import read_blocks

        info = self.store.info(client, session)
        check_upload(Path(path), allowed=DRAFT_SUFFIXES)
        blocks = read_blocks(Path(path))
        if not any(block.text.strip() for block in blocks):
            raise InputError("文档没有文字内容", path=Path(path).name)
        citations = [
            Citation(
                n.block, n.start, n.end, n.text, n.figure_id, n.field or "value", n.source or ""
            )
            for n in sourced_numbers(Path(path))
            if n.figure_id and n.end > n.start
        ]
        figure_set = self.figures(client, session)
        draft = Draft(
            title=blocks[0].text,
            unit=info.unit or "",
            period=(figure_set.period if figure_set else None) or "",
            kind="section",
            blocks=blocks,
            citations=citations,
            placeholders=[p for i, b in enumerate(blocks) for p in find_placeholders(b.text, i)],
            writer="editor",
            figures_file=str(figure_set.path) if figure_set else "",
            figures_sha256=figure_set.sha256 if figure_set else "",
            created=_now(),
        )
        user = Message(0, "user", Path(path).name, None, _now(), "upload")
        with self._lock(session):
            return self._keep(
                client,
                session,
                user,
                draft,
                f"导入：{Path(path).name}"[:40],
                figure_set,
                None,
                [],
                False,
            )

    # messages

    def history(self, client: str, session: str) -> list[Message]:
        return self.store.messages(client, session)

    def send(
        self,
        client: str,
        session: str,
        text: str,
        *,
        on_token: Callable[[str], None] | None = None,
        replay: bool = True,
    ) -> Turn:
        """Handle one user message. Errors become an assistant message of kind "error" (the
        conversation goes on); only a session that is not this client's raises.

        ``on_token`` gets the writer's text as it streams; with ``replay`` a writer that does not
        stream (the template writer) has its finished text passed on line by line instead.
        """
        info = self.store.info(client, session)
        with self._lock(session):
            user = self.store.add_message(session, "user", text)
            if not info.title:
                self.store.update(client, session, title=text.strip()[:30])
            try:
                turn = self._respond(client, session, text, user, on_token, replay)
            except AssistantError as exc:
                reply = self.store.add_message(session, "assistant", str(exc), kind="error")
                return Turn(user, reply)
        return turn

    def _respond(
        self,
        client: str,
        session: str,
        text: str,
        user: Message,
        on_token: Callable[[str], None] | None,
        replay: bool,
    ) -> Turn:
        info = self.store.info(client, session)
        has_draft = bool(self.store.versions(client, session))
        intent = parse_intent(text, has_draft=has_draft)
        if intent.unit and intent.unit != info.unit:
            self.store.update(client, session, unit=intent.unit)
            info = self.store.info(client, session)

        def ask(question: str, kind: str = "question") -> Turn:
            return Turn(user, self.store.add_message(session, "assistant", question, kind=kind))

        if intent.action == "ask":
            return ask(intent.question or HELP)
        if intent.action == "unit":
            return ask(f"好的，单位设为“{info.unit}”。", kind="notice")
        figure_set = self.figures(client, session)
        if figure_set is None:
            return ask("请先选择或上传本期的数据文件（CSV/XLSX/YAML），再让我起草。")
        if intent.action == "revise":
            return self._revise(client, session, intent, user, figure_set, info, on_token, replay)
        if not info.unit:
            return ask("请告诉我单位名称，例如：单位是示例区生态环境局。")
        problem = period_problem(intent.period_word, figure_set.period)
        if problem:
            return ask(problem)
        if not figure_set.period:
            return ask("数据文件没有注明期间（期间列），请补上后重新上传。")
        return self._draft(client, session, intent, user, figure_set, info, on_token, replay)

    def _draft(self, client, session, intent, user, figure_set, info, on_token, replay) -> Turn:
        from .draft import DraftRequest, write_draft

        streamed = []

        def token(piece: str) -> None:
            streamed.append(piece)
            if on_token is not None:
                on_token(piece)

        request = DraftRequest(
            figures=Path(info.figures),
            unit=info.unit,
            period=figure_set.period,
            section=intent.section,
            part=intent.part,  # type: ignore[arg-type]
        )
        draft = write_draft(request, self.settings, on_token=token)
        label = f"{intent.section or '全文'}·{intent.part}"
        return self._keep(
            client, session, user, draft, label, figure_set, on_token, streamed, replay
        )

    def _revise(self, client, session, intent, user, figure_set, info, on_token, replay) -> Turn:
        from .render import StreamRenderer
        from .revise import revise_blocks

        current = self.load(client, session)
        scope, where = None, ""
        if intent.topic or intent.part != "全部":
            aimed = target(current.blocks, intent)
            if aimed.reply:
                reply = self.store.add_message(session, "assistant", aimed.reply, kind=aimed.kind)
                return Turn(user, reply)
            scope = [i for p in aimed.passages for i in p.blocks]
            last = re.sub(r"^(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)", "",
                          aimed.passages[0].name.split(" › ")[-1])  # fmt: skip
            where = (
                last
                if len(aimed.passages) == 1
                else f"{intent.topic or intent.part}·{len(aimed.passages)}处"
            )
        streamed = []
        stream = StreamRenderer(figure_set)  # the model streams {{id}}: show numbers instead

        def token(piece: str) -> None:
            text = stream.feed(piece)
            streamed.append(piece)
            if on_token is not None and text:
                on_token(text)

        revision = revise_blocks(
            current.blocks,
            current.citations,
            intent.instruction or "",
            figure_set,
            self.settings,
            section=scope,
            unit=info.unit or current.unit,
            on_token=token,
        )
        if on_token is not None and (tail := stream.flush()):
            on_token(tail)
        if not revision.changed:
            note = "；".join(revision.notes) or "没有需要修改的内容"
            return Turn(user, self.store.add_message(session, "assistant", note, kind="notice"))
        draft = replace(
            current,
            blocks=[Block(t, s) for t, s in zip(revision.texts, revision.styles, strict=True)],  # type: ignore[arg-type]
            citations=revision.citations,
            placeholders=revision.placeholders,
            prompts={**current.prompts, **revision.prompts},
            writer=revision.writer,
            model=revision.model or current.model,
            created=_now(),
        )
        turn = self._keep(
            client,
            session,
            user,
            draft,
            f"修改（{where}）：{intent.instruction}"[:40]
            if where
            else f"修改：{intent.instruction}"[:40],
            figure_set,
            on_token,
            streamed,
            replay,
        )
        turn.notes = revision.notes
        if scope is not None:
            changed = [p.name for p in aimed.passages if set(p.blocks) & set(revision.changed)]
            turn.notes = [f"只改了：{'；'.join(changed)}", *revision.notes]
        return turn

    def _keep(
        self, client, session, user, draft, label, figure_set, on_token, streamed, replay
    ) -> Turn:
        """Save the draft as the next version, check it, and reply with its text."""
        from .check import check_blocks
        from .draft import save_draft

        number = len(self.store.versions(client, session)) + 1
        folder = self.root / session / f"v{number}"
        save_draft(with_marks(draft, figure_set), folder, "draft", author=self.settings.author)
        version = self.store.add_version(session, label, folder, "draft")
        text = draft_text(draft)
        if on_token is not None and not streamed and replay:
            for line in text.splitlines(keepends=False):
                on_token(line + "\n")
        report = None
        if figure_set is not None:
            report = check_blocks([b.text for b in draft.blocks], figure_set, draft.citations)
        reply = self.store.add_message(
            session, "assistant", text, version=version.number, kind="draft"
        )
        return Turn(user, reply, version, draft, report, streamed=bool(streamed))


def with_marks(draft: Draft, figure_set: FigureSet | None) -> Draft:
    """The draft with a Word comment on every cited number and a highlight on every placeholder
    (what the .docx shows), rebuilt from its citations so a revised text gets them right."""
    from .render import comment_text, find_placeholders
    from .types import Mark

    blocks = []
    for index, block in enumerate(draft.blocks):
        marks = []
        for c in draft.citations:
            if c.block != index:
                continue
            figure = figure_set.get(c.figure_id) if figure_set is not None else None
            text = comment_text(c, figure) if figure is not None else f"来源：{c.source}"
            marks.append(Mark(c.start, c.end, comment=text))
        marks += [Mark(p.start, p.end, highlight=True) for p in find_placeholders(block.text)]
        blocks.append(Block(block.text, block.style, sorted(marks, key=lambda m: m.start)))
    return replace(draft, blocks=blocks)


def segments(draft: Draft) -> list[dict[str, object]]:
    """Each block as text pieces marked num (with its source) or placeholder, for display."""
    from .render import find_placeholders

    out = []
    for index, block in enumerate(draft.blocks):
        spans = [
            (c.start, c.end, "num", _source_label(c.source, c.figure_id, c.field))
            for c in draft.citations
            if c.block == index
        ]
        spans += [(p.start, p.end, "placeholder", "") for p in find_placeholders(block.text, index)]
        spans.sort()
        pieces: list[dict[str, str]] = []
        cursor = 0
        for start, end, kind, source in spans:
            if start < cursor:
                continue
            if start > cursor:
                pieces.append({"text": block.text[cursor:start], "kind": "text"})
            piece = {"text": block.text[start:end], "kind": kind}
            if source:
                piece["source"] = source
            pieces.append(piece)
            cursor = end
        if cursor < len(block.text):
            pieces.append({"text": block.text[cursor:], "kind": "text"})
        out.append({"style": block.style, "segments": pieces})
    return out


def _source_label(source: str, figure_id: str, field_name: str) -> str:
    reference = figure_id if field_name == "value" else f"{figure_id}.{field_name}"
    return f"{source}（数据 {reference}）"
