"""The web chat: a FastAPI app (JSON API + a static Chinese single-page UI shipped here)."""

from __future__ import annotations

from .app import create_app, serve

__all__ = ["create_app", "serve"]
