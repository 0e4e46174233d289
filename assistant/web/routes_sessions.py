"""Routes for sessions and the figures files offered for them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ..chat import ChatEngine
from ..uploads import FIGURES_SUFFIXES
from .state import (
    Client,
    State,
    figures_dir,
    json_body,
    message_dict,
    offered,
    pick_figures,
    session_dict,
    session_figures,
    version_dict,
)

router = APIRouter(prefix="/api")


@router.get("/figures")
def list_figures(client: Client, state: State) -> dict[str, Any]:
    folder = figures_dir(state.settings)
    names = (
        sorted(p.name for p in folder.glob("*") if p.suffix.lower() in FIGURES_SUFFIXES)
        if folder.is_dir()
        else []
    )
    return {"files": names}


@router.get("/sessions")
def list_sessions(client: Client, state: State) -> dict[str, Any]:
    return {"sessions": [session_dict(s) for s in state.engine.store.sessions(client)]}


@router.post("/sessions")
async def create_session(request: Request, client: Client, state: State) -> Any:
    engine = state.engine
    body = await json_body(request)
    path = offered(state.settings, str(body["figures"])) if body.get("figures") else None
    unit = (str(body["unit"]).strip()[:40] if body.get("unit") else None) or None
    info = await state.jobs.run(lambda: engine.create_session(client, unit=unit))
    if path is not None:
        await state.jobs.run(pick_figures, engine, client, info.id, path)
        info = engine.store.info(client, info.id)
    return session_dict(info)


@router.get("/sessions/{session}")
async def get_session(session: str, client: Client, state: State) -> dict[str, Any]:
    return await state.jobs.run(_session_state, state.engine, client, session)


@router.patch("/sessions/{session}")
async def update_session(
    session: str, request: Request, client: Client, state: State
) -> dict[str, Any]:
    """Pick another figures file from the list, or set the unit: each only when sent, so
    setting the unit never touches the session's figures file."""
    engine = state.engine
    engine.store.info(client, session)
    body = await json_body(request)
    if body.get("figures"):
        path = offered(state.settings, str(body["figures"]))
        await state.jobs.run(pick_figures, engine, client, session, path)
    if body.get("unit"):
        engine.store.update(client, session, unit=str(body["unit"]).strip()[:40])
    return session_dict(engine.store.info(client, session))


def _session_state(engine: ChatEngine, client: str, session: str) -> dict[str, Any]:
    info = engine.store.info(client, session)
    messages = engine.history(client, session)
    figures = session_figures(engine, client, session) if any(m.version for m in messages) else None
    return {
        "session": session_dict(info),
        "messages": [message_dict(engine, client, session, m, figures) for m in messages],
        "versions": [version_dict(v) for v in engine.versions(client, session)],
    }
