"""The guard in front of the web app: which Host names are served, the access token, and how big
a request may be — all decided before any route reads a byte of the body.

It is plain ASGI, not a FastAPI dependency, because FastAPI parses a multipart body (spooling it
to temp disk) before any dependency runs: a 300 MB upload without a token used to be written out
in full before its 401. Here the answer comes from the headers alone where it can (Host, token,
Content-Length), and a body without a length is cut the moment it passes the limit.

On a loopback address only the bound address and localhost are served as Host, so a page on
another site that rebinds its DNS name to 127.0.0.1 gets 400, not the user's sessions.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
MAX_JSON_BODY = 64 * 1024  # a chat message is at most 2,000 characters
MULTIPART_SLACK = 64 * 1024  # the multipart framing around an upload's bytes


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The name in a Host header, without the port and IPv6 brackets, lower-case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def served_hosts(bound: str, allowed: Sequence[str]) -> frozenset[str] | None:
    """The Host names answered: on loopback the bound address and localhost (plus any allowed);
    elsewhere the allowlist, or None (any name, the token guards) when it is empty."""
    names = {host_name(name) for name in allowed if name.strip()}
    if is_loopback(bound):
        return frozenset(names | {host_name(bound), *LOOPBACK_NAMES})
    return frozenset(names) or None


def body_limit(method: str, path: str, max_upload: int) -> int:
    """An upload may carry a file up to the upload limit; every other request is small JSON."""
    if method == "POST" and path.endswith("/upload"):
        return max_upload + MULTIPART_SLACK
    return MAX_JSON_BODY


class RequestGuard:
    """ASGI middleware: Host check, token check on /api/, request-size limit while reading."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        bound: str = "127.0.0.1",
        token: str | None = None,
        allowed_hosts: Sequence[str] = (),
        max_upload: int,
    ) -> None:
        self.app = app
        self.hosts = served_hosts(bound, allowed_hosts)
        self.token = token
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            status, message, extra = refusal
            await respond(send, status, message, extra)
            return
        limit = body_limit(scope["method"], scope["path"], self.max_upload)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await respond(send, 413, too_large(limit, self.max_upload), {"connection": "close"})
            return
        await _Limited(self.app, limit, too_large(limit, self.max_upload))(scope, receive, send)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str, dict] | None:
        if self.hosts is not None and host_name(headers.get("host", "")) not in self.hosts:
            return 400, "不受支持的访问地址（Host）", {"connection": "close"}
        if self.token is None or not scope["path"].startswith("/api/"):
            return None
        given = headers.get("authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(
            given.removeprefix("Bearer ").strip().encode(), self.token.encode()
        ):
            return None
        return 401, "需要访问令牌", {"www-authenticate": "Bearer", "connection": "close"}


class _Limited:
    """One request whose body is counted as it is read: past the limit the 413 goes out at once,
    the app is told the client left, and whatever it answers after that is dropped."""

    def __init__(self, app: ASGIApp, limit: int, message: str) -> None:
        self.app = app
        self.limit = limit
        self.message = message
        self.received = 0
        self.refused = False
        self.started = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def limited_receive() -> Message:
            if self.refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    self.refused = True
                    if not self.started:
                        self.started = True
                        await respond(send, 413, self.message, {"connection": "close"})
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if self.refused:
                return
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


def too_large(limit: int, max_upload: int) -> str:
    if limit > MAX_JSON_BODY:
        return f"文件过大（上限 {_megabytes(max_upload)}）：只上传本期数据文件或草稿"
    return f"请求过大（上限 {limit // 1024} KB）"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


async def respond(send: Send, status: int, message: str, extra: dict[str, str]) -> None:
    """A JSON error ({"error": "…"}, Chinese) straight onto the wire."""
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *((name.encode("latin-1"), value.encode("latin-1")) for name, value in extra.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
