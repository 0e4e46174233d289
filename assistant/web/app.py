"""The web chat's server: a JSON API over the chat engine, and the static page.

Who sees what: every API call names its browser (X-Client-Id, a random id the page keeps in
localStorage) and a session belongs to the browser that made it, so one user never lists, reads
or downloads another's sessions. On a non-loopback address a bearer token is required as well
(the page reads it once from the URL fragment #token=…, which never reaches server logs); the
token, the Host name and the request size are checked in front of the app (limits.py).
Reading figures, drafting, checking and diffing run as bounded jobs off the event loop (jobs.py).

Replies stream as NDJSON (one JSON object a line: token pieces, then the reply with its numbers
and their sources), so the page can show the text as it is written.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Header, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse

from ..chat import ChatEngine, Message, SessionNotFound, segments
from ..errors import AssistantError, InputError
from ..settings import Settings
from ..types import FigureSet
from ..uploads import (
    DRAFT_SUFFIXES,
    FIGURES_SUFFIXES,
    LEFTOVER_PREFIX,
    clean_leftovers,
    display_name,
    stored_name,
)
from . import errors
from .jobs import Jobs
from .limits import RequestGuard, is_loopback

log = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 2000
_CLIENT_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
_STATIC = {"app.js": "text/javascript", "app.css": "text/css"}


def figures_dir(settings: Settings) -> Path:
    """Figures files offered for picking in the page: data_dir/figures/."""
    return Path(settings.data_dir) / "figures"


def create_app(
    settings: Settings,
    *,
    token: str | None = None,
    max_upload: int | None = None,
    host: str = "127.0.0.1",
) -> FastAPI:
    """The app for a server bound to ``host``; with ``token`` every /api call needs
    ``Authorization: Bearer <token>``. Uploads a crash left behind are removed first."""
    engine = ChatEngine(settings)
    jobs = Jobs(settings.web_jobs)
    max_upload = max_upload or settings.web_max_upload
    clean_leftovers(_tmp(settings))
    app = FastAPI(title="起草助手", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.add_middleware(
        RequestGuard,
        bound=host,
        token=token,
        allowed_hosts=settings.web_allowed_hosts,
        max_upload=max_upload,
    )
    errors.install(app)

    def client_id(x_client_id: str | None = Header(default=None)) -> str:
        if x_client_id is None or not _CLIENT_ID.fullmatch(x_client_id):
            raise InputError("缺少或无效的 X-Client-Id", hint="刷新页面")
        return f"web:{x_client_id}"

    @app.exception_handler(AssistantError)
    def assistant_error(_: Request, exc: AssistantError) -> Response:
        status = 404 if isinstance(exc, SessionNotFound) else 400
        return JSONResponse({"error": str(exc)}, status_code=status)

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        html = resources.files(__package__).joinpath("index.html").read_text("utf-8")
        return Response(html, media_type="text/html; charset=utf-8", headers=_NO_SNIFF)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in _STATIC:
            return JSONResponse({"error": errors.STATUS_MESSAGES[404]}, status_code=404)
        body = resources.files(__package__).joinpath(name).read_text("utf-8")
        return Response(body, media_type=f"{_STATIC[name]}; charset=utf-8", headers=_NO_SNIFF)

    @app.get("/api/figures")
    def list_figures(client: str = Depends(client_id)) -> dict[str, Any]:
        folder = figures_dir(settings)
        names = (
            sorted(p.name for p in folder.glob("*") if p.suffix.lower() in FIGURES_SUFFIXES)
            if folder.is_dir()
            else []
        )
        return {"files": names}

    @app.get("/api/sessions")
    def list_sessions(client: str = Depends(client_id)) -> dict[str, Any]:
        return {
            "sessions": [
                asdict(s) | {"figures": _name(s.figures)} for s in engine.store.sessions(client)
            ]
        }

    @app.post("/api/sessions")
    async def create_session(request: Request, client: str = Depends(client_id)) -> Any:
        body = await _json(request)
        path = _offered(settings, str(body["figures"])) if body.get("figures") else None
        unit = (str(body["unit"]).strip()[:40] if body.get("unit") else None) or None
        info = await jobs.run(lambda: engine.create_session(client, unit=unit))
        if path is not None:
            await jobs.run(_pick, engine, client, info.id, path)
            info = engine.store.info(client, info.id)
        return asdict(info) | {"figures": _name(info.figures)}

    @app.get("/api/sessions/{session}")
    async def get_session(session: str, client: str = Depends(client_id)) -> dict[str, Any]:
        return await jobs.run(_state, engine, client, session)

    @app.patch("/api/sessions/{session}")
    async def update_session(
        session: str, request: Request, client: str = Depends(client_id)
    ) -> dict[str, Any]:
        """Pick another figures file from the list, or set the unit: each only when sent, so
        setting the unit never touches the session's figures file."""
        engine.store.info(client, session)
        body = await _json(request)
        if body.get("figures"):
            path = _offered(settings, str(body["figures"]))
            await jobs.run(_pick, engine, client, session, path)
        if body.get("unit"):
            engine.store.update(client, session, unit=str(body["unit"]).strip()[:40])
        info = engine.store.info(client, session)
        return asdict(info) | {"figures": _name(info.figures)}

    @app.post("/api/sessions/{session}/messages")
    async def post_message(
        session: str, request: Request, client: str = Depends(client_id)
    ) -> Response:
        engine.store.info(client, session)
        body = await _json(request)
        text = str(body.get("text", "")).strip()
        if not text:
            raise InputError("消息是空的")
        if len(text) > MAX_MESSAGE_CHARS:
            raise InputError(f"消息太长（{len(text)} 字，上限 {MAX_MESSAGE_CHARS} 字）")
        return StreamingResponse(
            _stream(jobs, engine, client, session, text),
            media_type="application/x-ndjson; charset=utf-8",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @app.post("/api/sessions/{session}/upload")
    async def upload(session: str, file: UploadFile, client: str = Depends(client_id)) -> Response:
        """A figures file for the session, or an edited .docx that becomes the next version.
        Any file name is stored under a safe one (the client's is kept for display); a bad file
        is answered in the chat, like any other reply."""
        engine.store.info(client, session)
        shown = display_name(file.filename)
        folder = Path(tempfile.mkdtemp(prefix=LEFTOVER_PREFIX, dir=_tmp(settings)))
        path = folder / stored_name(file.filename)
        try:
            await _receive(file, path, max_upload, shown)
            engine.store.add_message(session, "user", f"上传文件：{shown}", kind="upload")
            if path.suffix.lower() in DRAFT_SUFFIXES:
                turn = await jobs.run(engine.import_docx, client, session, path)
                shown_reply = await jobs.run(_message, engine, client, session, turn.reply)
                return JSONResponse({"message": shown_reply})
            figure_set = await jobs.run(engine.set_figures, client, session, path)
            note = _loaded(shown, figure_set)
            reply = engine.store.add_message(session, "assistant", note, kind="notice")
            return JSONResponse({"message": _message(engine, client, session, reply)})
        except AssistantError as exc:
            if isinstance(exc, SessionNotFound):
                raise
            reply = engine.store.add_message(
                session, "assistant", _public(exc, folder), kind="error"
            )
            return JSONResponse(
                {"message": _message(engine, client, session, reply)}, status_code=422
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @app.get("/api/sessions/{session}/versions/{number}/download")
    def download(
        session: str, number: int, format: str = "docx", client: str = Depends(client_id)
    ) -> Response:
        if format not in ("docx", "clean", "md"):
            raise InputError("只能下载 docx (带批注)、clean (清稿 .docx) 或 md")
        word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        media = {"docx": word, "clean": word, "md": "text/markdown; charset=utf-8"}[format]
        name = f"清稿-第{number}版.docx" if format == "clean" else f"草稿-第{number}版.{format}"
        return FileResponse(
            engine.version_file(client, session, number, format), media_type=media, filename=name
        )

    @app.get("/api/sessions/{session}/diff")
    async def diff(
        session: str, a: int, b: int, client: str = Depends(client_id)
    ) -> dict[str, Any]:
        result = await jobs.run(engine.diff, client, session, a, b)
        return asdict(result) | {"summary": result.summary}

    @app.get("/api/sessions/{session}/check")
    async def check(
        session: str, version: int | None = None, client: str = Depends(client_id)
    ) -> dict[str, Any]:
        from ..check import finding_to_dict

        report = await jobs.run(engine.check, client, session, version)
        return {
            "ok": report.ok,
            "summary": report.summary,
            "findings": [finding_to_dict(f) for f in report.findings],
        }

    return app


_NO_SNIFF = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'",
}


def _offered(settings: Settings, name: str) -> Path:
    """A figures file from the offered list, by name (never a path the client made up)."""
    path = figures_dir(settings) / name
    if Path(name).name != name or path.suffix.lower() not in FIGURES_SUFFIXES or not path.is_file():
        raise InputError(f"没有名为“{name}”的数据文件", hint="从列表中选择或上传")
    return path


def _tmp(settings: Settings) -> Path:
    folder = Path(settings.data_dir) / "chat" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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


def _pick(engine: ChatEngine, client: str, session: str, path: Path) -> None:
    """Use an offered figures file; what is odd in it (a cell like a formula…) is said in the
    chat, since nothing else would show it."""
    figure_set = engine.set_figures(client, session, path)
    if figure_set.warnings:
        engine.store.add_message(
            session, "assistant", _loaded(path.name, figure_set), kind="notice"
        )


def _loaded(shown: str, figure_set: Any) -> str:
    period = figure_set.period or "未注明"
    note = f"已载入数据文件 {shown}：{len(figure_set)} 个指标，期间 {period}。"
    for warning in figure_set.warnings[:5]:  # without the server-side path of the file
        note += f"\n提示：{warning.removeprefix(f'{figure_set.path}: ')}"
    return note


def _state(engine: ChatEngine, client: str, session: str) -> dict[str, Any]:
    info = engine.store.info(client, session)
    messages = engine.history(client, session)
    figure_set = _figures(engine, client, session) if any(m.version for m in messages) else None
    return {
        "session": asdict(info) | {"figures": _name(info.figures)},
        "messages": [_message(engine, client, session, m, figure_set) for m in messages],
        "versions": [_version(v) for v in engine.versions(client, session)],
    }


def _public(exc: AssistantError, folder: Path) -> str:
    """The error as the user should read it: no server-side temporary paths."""
    return str(exc).replace(str(folder) + os.sep, "")


def _name(path: str | None) -> str | None:
    return Path(path).name if path else None


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError("请求不是有效的 JSON") from exc
    if not isinstance(body, dict):
        raise InputError("请求须为 JSON 对象")
    return body


def _version(version: Any) -> dict[str, Any]:
    return {"number": version.number, "label": version.label, "created": version.created}


def _message(
    engine: ChatEngine,
    client: str,
    session: str,
    message: Message,
    figure_set: FigureSet | None = None,
) -> dict[str, Any]:
    """A message for the page; a draft's numbers carry their sources in plain words."""
    payload: dict[str, Any] = {
        "id": message.id,
        "role": message.role,
        "kind": message.kind,
        "text": message.text,
        "version": message.version,
        "created": message.created,
    }
    if message.version is not None:
        figure_set = figure_set or _figures(engine, client, session)
        payload["blocks"] = segments(engine.load(client, session, message.version), figure_set)
    return payload


def _figures(engine: ChatEngine, client: str, session: str) -> FigureSet | None:
    """The session's figures, or None when its file no longer loads (the draft keeps the
    sources recorded on its citations)."""
    try:
        return engine.figures(client, session)
    except InputError:
        return None


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
            "message": _message(engine, client, session, turn.reply),
        }
        if turn.version is not None:
            event["version"] = _version(turn.version)
            event["check"] = turn.report.summary if turn.report else {}
        return event

    async def lines() -> AsyncIterator[str]:
        yield json.dumps({"type": "start"}) + "\n"
        async for event in jobs.stream(work):
            yield json.dumps(event, ensure_ascii=False) + "\n"

    return lines()


def server_token(host: str, token: str | None, announce: Any = print) -> str | None:
    """The token to require: given (--token or the web_token setting), else generated (and
    announced) when the address is reachable from other machines; None on loopback without one."""
    if token is None and not is_loopback(host):
        token = secrets.token_urlsafe(24)
        announce(f"访问令牌（已生成）：{token}")
    return token


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = None,
    announce: Any = print,
) -> None:
    """Run the server; a non-loopback host gets a token (given, from settings, or generated)."""
    import uvicorn

    configured = settings.web_token.get_secret_value() if settings.web_token else None
    token = server_token(host, token or configured, announce)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    fragment = f"#token={token}" if token else ""
    announce(f"起草助手网页版：http://{shown}:{port}/{fragment}")
    app = create_app(settings, token=token, host=host)
    uvicorn.run(app, host=host, port=port, log_level="warning")
