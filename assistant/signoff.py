"""How a draft signs off: 落款 (the unit) and 成文日期 close a whole document, with an optional
发文字号; the .docx writer lays them out (assistant/word/finish.py)."""

from __future__ import annotations

import re
from datetime import date

from .errors import InputError
from .types import Draft, Finish


def default_finish(draft: Draft, day: date | None = None, doc_number: str = "") -> Finish:
    """落款 (the draft's unit) and 成文日期 close a whole document; a section is a piece of one."""
    return Finish("" if draft.kind == "section" else draft.unit, day, doc_number)


_DATE = re.compile(r"^\s*(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> date:
    """A 成文日期 given as 2026-12-01, 2026/12/1 or 2026年12月1日."""
    match = _DATE.match(text)
    try:
        if match is None:
            raise ValueError(text)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InputError(
            f"成文日期无法识别: {text}", hint="写成 2026-12-01 或 2026年12月1日"
        ) from None
