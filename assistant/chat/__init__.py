"""The conversation engine behind `assistant chat` and the web chat.

A message in plain Chinese becomes an intent (draft a section or the whole document, revise the
current version, set the unit); when the intent is unclear the assistant asks back instead of
guessing. Every draft or revision is a numbered version of the conversation, written to disk with
its .docx/.md/.json, so any two can be diffed and the conversation survives a restart.

Sessions live in SQLite (data_dir/chat.sqlite3). Each belongs to one client id (one browser, or
the terminal), and every lookup is by (client, session): a session id alone opens nothing.
"""

from .engine import ChatEngine, Turn, draft_text, terminal_client
from .intent import (
    Action,
    Intent,
    Target,
    find_topics,
    help_text,
    parse_intent,
    period_problem,
    target,
)
from .marks import segments
from .store import ChatStore, Message, SessionInfo, SessionNotFound, Version

__all__ = [
    "Action",
    "ChatEngine",
    "ChatStore",
    "Intent",
    "Message",
    "SessionInfo",
    "SessionNotFound",
    "Target",
    "Turn",
    "Version",
    "draft_text",
    "find_topics",
    "help_text",
    "parse_intent",
    "period_problem",
    "segments",
    "target",
    "terminal_client",
]
