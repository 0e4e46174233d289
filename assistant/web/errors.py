"""Every error the web API answers is JSON, {"error": "<a sentence in Chinese>"}: the page shows
that sentence as it is, so nothing reaches the user as "Not Found", a validation dump in English
or an HTML 500 page that the browser then fails to parse as JSON.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

log = logging.getLogger(__name__)

STATUS_MESSAGES = {
    400: "请求有误",
    401: "需要访问令牌",
    403: "没有权限",
    404: "找不到请求的内容",
    405: "不支持这种请求方式",
    413: "请求过大",
    415: "不支持的内容类型",
    422: "请求内容不完整或格式不对",
    429: "请求太频繁，请稍后再试",
    500: "服务器内部错误，请重试",
    503: "服务器正忙，请稍后再试",
}
_FIELD_NAMES = {"file": "文件", "text": "消息", "a": "版本", "b": "版本", "version": "版本"}


def message_for(status: int, detail: object = None) -> str:
    """A detail already written for people (Chinese) is kept; otherwise the status's sentence."""
    if isinstance(detail, str) and any("\u4e00" <= c <= "\u9fff" for c in detail):
        return detail
    return STATUS_MESSAGES.get(status, f"请求失败（{status}）")


def install(app: FastAPI) -> None:
    """Register the handlers that turn HTTP, validation and unexpected errors into Chinese JSON."""

    @app.exception_handler(HTTPException)
    def http_error(_: Request, exc: HTTPException) -> Response:
        return JSONResponse(
            {"error": message_for(exc.status_code, exc.detail)},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    def invalid(_: Request, exc: RequestValidationError) -> Response:
        missing = sorted(
            {
                _FIELD_NAMES.get(str(error["loc"][-1]), str(error["loc"][-1]))
                for error in exc.errors()
                if error.get("loc")
            }
        )
        detail = f"：{'、'.join(missing)}" if missing else ""
        return JSONResponse({"error": STATUS_MESSAGES[422] + detail}, status_code=422)

    @app.exception_handler(Exception)
    def unexpected(_: Request, exc: Exception) -> Response:
        log.error("unexpected error", exc_info=exc)
        return JSONResponse({"error": STATUS_MESSAGES[500]}, status_code=500)
