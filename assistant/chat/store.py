"""Sessions, messages and versions in SQLite (data_dir/chat.sqlite3), every lookup by
(client, session)."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from ..errors import InputError


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
    """Sessions, messages and versions in one SQLite file in WAL mode, so server threads and a
    restarted process all see the same state; each call is one transaction.

    Each thread keeps its connection (closed with the store): opening one per call cost ~0.7 ms
    of CPU, and closing the last one checkpointed the log to disk, so a chat draft waited for
    ~10 disk flushes. Commits do not wait for the disk either (synchronous=NORMAL: in WAL mode a
    crash of the program loses nothing and the file stays whole; a power cut may lose the last
    messages, as it may the draft files, which are not flushed to disk either)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        with db:
            yield db

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
