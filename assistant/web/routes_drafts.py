"""Routes for a session's versions: download one, diff two, check one against the figures."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from ..errors import InputError
from .state import Client, State

router = APIRouter(prefix="/api/sessions/{session}")


@router.get("/versions/{number}/download")
def download(
    session: str, number: int, client: Client, state: State, format: str = "docx"
) -> Response:
    if format not in ("docx", "clean", "md"):
        raise InputError("只能下载 docx (带批注)、clean (清稿 .docx) 或 md")
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    media = {"docx": word, "clean": word, "md": "text/markdown; charset=utf-8"}[format]
    name = f"清稿-第{number}版.docx" if format == "clean" else f"草稿-第{number}版.{format}"
    return FileResponse(
        state.engine.version_file(client, session, number, format),
        media_type=media,
        filename=name,
    )


@router.get("/diff")
async def diff(session: str, a: int, b: int, client: Client, state: State) -> dict[str, Any]:
    result = await state.jobs.run(state.engine.diff, client, session, a, b)
    return asdict(result) | {"summary": result.summary}


@router.get("/check")
async def check(
    session: str, client: Client, state: State, version: int | None = None
) -> dict[str, Any]:
    from ..check import finding_to_dict

    report = await state.jobs.run(state.engine.check, client, session, version)
    return {
        "ok": report.ok,
        "summary": report.summary,
        "findings": [finding_to_dict(f) for f in report.findings],
    }
