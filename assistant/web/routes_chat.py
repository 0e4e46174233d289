"""Routes for the conversation: a message (its reply streamed as NDJSON) and uploads."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ..chat import ChatEngine, SessionNotFound
from ..errors import AssistantError, InputError
from ..uploads import DRAFT_SUFFIXES, display_name, stored_name, upload_prefix
from .jobs import Jobs
from .state import (
    Client,
    State,
    json_body,
    loaded_note,
    message_dict,
    uploads_dir,
    version_dict,
)

MAX_MESSAGE_CHARS = 2000

router = APIRouter(prefix="/api/sessions/{session}")


@router.post("/messages")
async def post_message(session: str, request: Request, client: Client, state: State) -> Response:
    state.engine.store.info(client, session)
    body = await json_body(request)
    text = str(body.get("text", "")).strip()
    if not text:
        raise InputError("消息是空的")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(f"消息太长（{len(text)} 字，上限 {MAX_MESSAGE_CHARS} 字）")
    return StreamingResponse(
        _stream(state.jobs, state.engine, client, session, text),
        media_type="application/x-ndjson; charset=utf-8",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post("/upload")
async def upload(session: str, file: UploadFile, client: Client, state: State) -> Response:
    """A figures file for the session, or an edited .docx that becomes the next version.
    Any file name is stored under a safe one (the client's is kept for display); a bad file
    is answered in the chat, like any other reply."""
    engine, jobs = state.engine, state.jobs
    engine.store.info(client, session)
    shown = display_name(file.filename)
    folder = Path(tempfile.mkdtemp(prefix=upload_prefix(), dir=uploads_dir(state.settings)))
    path = folder / stored_name(file.filename)
    try:
        await _receive(file, path, state.max_upload, shown)
        engine.store.add_message(session, "user", f"上传文件：{shown}", kind="upload")
        if path.suffix.lower() in DRAFT_SUFFIXES:
            turn = await jobs.run(engine.import_docx, client, session, path)
            shown_reply = await jobs.run(message_dict, engine, client, session, turn.reply)
            return JSONResponse({"message": shown_reply})
        read = partial(engine.set_figures, pace=jobs.pace)  # short requests go first
        figure_set = await jobs.read(read, client, session, path)
        note = loaded_note(shown, figure_set)
        reply = engine.store.add_message(session, "assistant", note, kind="notice")
        return JSONResponse({"message": message_dict(engine, client, session, reply)})
    except AssistantError as exc:
        return _refused(engine, client, session, exc, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.post("/items/upload")
async def upload_items(
    session: str, files: list[UploadFile], client: Client, state: State
) -> Response:
    """科室 material for the session: one or several files in one upload (together within the
    upload limit; a zip is refused — the files are chosen themselves). The reply lists the
    items like a figures file's, with the warnings; drafts of the session then use them."""
    from ..chat.items import items_note

    engine, jobs = state.engine, state.jobs
    engine.store.info(client, session)
    shown = [display_name(f.filename) for f in files]
    folder = Path(tempfile.mkdtemp(prefix=upload_prefix(), dir=uploads_dir(state.settings)))
    try:
        paths = []
        for file, name in zip(files, shown, strict=True):
            path = folder / stored_name(file.filename)
            await _receive(file, path, state.max_upload, name)
            paths.append(path)
        engine.store.add_message(
            session, "user", f"上传科室材料：{'、'.join(shown)}", kind="upload"
        )
        item_set = await jobs.read(engine.set_items, client, session, paths)
        reply = engine.store.add_message(session, "assistant", items_note(item_set), kind="notice")
        return JSONResponse({"message": message_dict(engine, client, session, reply)})
    except AssistantError as exc:
        return _refused(engine, client, session, exc, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _receive(file: UploadFile, path: Path, limit: int, shown: str) -> None:
    """Write the upload to ``path``, refusing it past ``limit`` bytes."""
    size = 0
    with path.open("wb") as handle:
        while piece := await file.read(1 << 16):
            size += len(piece)
            if size > limit:
                raise InputError(
                    f"文件过大（超过 {limit / 1024 / 1024:.0f} MB）",
                    path=shown,
                    hint="只上传本期数据文件或草稿",
                )
            handle.write(piece)


def _public(exc: AssistantError, folder: Path) -> str:
    """The error as the user should read it: no server-side temporary paths."""
    return str(exc).replace(str(folder) + os.sep, "")


def _stream(
    jobs: Jobs, engine: ChatEngine, client: str, session: str, text: str
) -> AsyncIterator[str]:
    """Run the turn as a job; pass its tokens on as they come, then the reply."""

    def work(emit) -> dict[str, Any]:
        turn = engine.send(
            client, session, text, on_token=lambda t: emit({"type": "token", "text": t})
        )
        event: dict[str, Any] = {
            "type": "reply",
            "message": message_dict(engine, client, session, turn.reply),
        }
        if turn.version is not None:
            event["version"] = version_dict(turn.version)
            event["check"] = turn.report.summary if turn.report else {}
        return event

    async def lines() -> AsyncIterator[str]:
        yield json.dumps({"type": "start"}) + "\n"
        async for event in jobs.stream(work):
            yield json.dumps(event, ensure_ascii=False) + "\n"

    return lines()


def _refused(
    engine: ChatEngine, client: str, session: str, exc: AssistantError, folder: Path
) -> Response:
    """A bad upload is answered in the chat (422), without the server's paths; a session that
    is not the client's stays an error of its own."""
    if isinstance(exc, SessionNotFound):
        raise exc
    reply = engine.store.add_message(session, "assistant", _public(exc, folder), kind="error")
    return JSONResponse({"message": message_dict(engine, client, session, reply)}, status_code=422)
