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

import secrets
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ..chat import ChatEngine, SessionNotFound
from ..errors import AssistantError
from ..settings import Settings
from ..uploads import clean_leftovers
from . import errors, routes_chat, routes_drafts, routes_sessions
from .jobs import Jobs
from .limits import RequestGuard, is_loopback
from .routes_chat import MAX_MESSAGE_CHARS
from .state import WebState, figures_dir, uploads_dir

__all__ = ["MAX_MESSAGE_CHARS", "create_app", "figures_dir", "is_loopback", "serve"]

_STATIC = {"app.js": "text/javascript", "app.css": "text/css"}
_NO_SNIFF = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'",
}


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
    max_upload = max_upload or settings.web_max_upload
    clean_leftovers(uploads_dir(settings))
    app = FastAPI(title="起草助手", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.state.web = WebState(settings, engine, Jobs(settings.web_jobs), max_upload)
    app.add_middleware(
        RequestGuard,
        bound=host,
        token=token,
        allowed_hosts=settings.web_allowed_hosts,
        max_upload=max_upload,
    )
    errors.install(app)
    app.add_exception_handler(AssistantError, _assistant_error)  # type: ignore[arg-type]
    app.add_api_route("/", _index, methods=["GET"], include_in_schema=False)
    app.add_api_route("/static/{name}", _static, methods=["GET"], include_in_schema=False)
    for module in (routes_sessions, routes_chat, routes_drafts):
        app.include_router(module.router)
    return app


def _assistant_error(_: Request, exc: AssistantError) -> Response:
    status = 404 if isinstance(exc, SessionNotFound) else 400
    return JSONResponse({"error": str(exc)}, status_code=status)


def _index() -> Response:
    html = resources.files(__package__).joinpath("index.html").read_text("utf-8")
    return Response(html, media_type="text/html; charset=utf-8", headers=_NO_SNIFF)


def _static(name: str) -> Response:
    if name not in _STATIC:
        return JSONResponse({"error": errors.STATUS_MESSAGES[404]}, status_code=404)
    body = resources.files(__package__).joinpath(name).read_text("utf-8")
    return Response(body, media_type=f"{_STATIC[name]}; charset=utf-8", headers=_NO_SNIFF)


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
