"""ASGI entry point: ``uvicorn api.main:app`` (settings from ``MENTOR_MATCH_*`` variables)."""

from __future__ import annotations

from api.app import create_app

app = create_app(own_process=True)
