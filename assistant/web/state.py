"""What every route shares: the engine, the job pool and the upload limit (one object on
app.state), the client-id dependency, and the JSON shapes of sessions, messages, versions."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from ..chat import ChatEngine, Message, segments
from ..errors import InputError
from ..settings import Settings
from ..types import FigureSet
from ..uploads import FIGURES_SUFFIXES
from .jobs import Jobs

_CLIENT_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


@dataclass(frozen=True)
class WebState:
    """The app's shared state: built once by create_app, read by every route."""

    settings: Settings
    engine: ChatEngine
    jobs: Jobs
    max_upload: int


def web_state(request: Request) -> WebState:
    return request.app.state.web  # type: ignore[no-any-return]


def client_id(x_client_id: str | None = Header(default=None)) -> str:
    """The calling browser (the token, if any, was checked in front of the app)."""
    if x_client_id is None or not _CLIENT_ID.fullmatch(x_client_id):
        raise InputError("缺少或无效的 X-Client-Id", hint="刷新页面")
    return f"web:{x_client_id}"


Client = Annotated[str, Depends(client_id)]
State = Annotated[WebState, Depends(web_state)]


def figures_dir(settings: Settings) -> Path:
    """Figures files offered for picking in the page: data_dir/figures/."""
    return Path(settings.data_dir) / "figures"


def offered(settings: Settings, name: str) -> Path:
    """A figures file from the offered list, by name (never a path the client made up)."""
    path = figures_dir(settings) / name
    if Path(name).name != name or path.suffix.lower() not in FIGURES_SUFFIXES or not path.is_file():
        raise InputError(f"没有名为“{name}”的数据文件", hint="从列表中选择或上传")
    return path


def uploads_dir(settings: Settings) -> Path:
    folder = Path(settings.data_dir) / "chat" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_name(path: str | None) -> str | None:
    return Path(path).name if path else None


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError("请求不是有效的 JSON") from exc
    if not isinstance(body, dict):
        raise InputError("请求须为 JSON 对象")
    return body


def session_dict(info: Any) -> dict[str, Any]:
    return asdict(info) | {"figures": file_name(info.figures)}


def version_dict(version: Any) -> dict[str, Any]:
    return {"number": version.number, "label": version.label, "created": version.created}


def message_dict(
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
        figure_set = figure_set or session_figures(engine, client, session)
        payload["blocks"] = segments(engine.load(client, session, message.version), figure_set)
    return payload


def session_figures(engine: ChatEngine, client: str, session: str) -> FigureSet | None:
    """The session's figures, or None when its file no longer loads (the draft keeps the
    sources recorded on its citations)."""
    try:
        return engine.figures(client, session)
    except InputError:
        return None


def loaded_note(shown: str, figure_set: Any) -> str:
    """What the chat says when a figures file is loaded: its size, period and warnings."""
    period = figure_set.period or "未注明"
    note = f"已载入数据文件 {shown}：{len(figure_set)} 个指标，期间 {period}。"
    for warning in figure_set.warnings[:5]:  # "<server-side path>: 第3行…": the path left out
        note += f"\n提示：{warning.split(': ', 1)[-1]}"
    return note


def pick_figures(engine: ChatEngine, client: str, session: str, path: Path) -> None:
    """Use an offered figures file; what is odd in it (a cell like a formula…) is said in the
    chat, since nothing else would show it."""
    figure_set = engine.set_figures(client, session, path)
    if figure_set.warnings:
        engine.store.add_message(
            session, "assistant", loaded_note(path.name, figure_set), kind="notice"
        )
