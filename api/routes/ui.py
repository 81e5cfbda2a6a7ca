"""``/ui``: a single-page coordinator console over the cohort JSON endpoints (no build step)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

STATIC = Path(__file__).parent.parent / "static"
ASSETS = {"ui.js": "text/javascript", "ui.css": "text/css"}

router = APIRouter(include_in_schema=False)


@router.get("/ui", response_class=HTMLResponse)
def ui_page() -> HTMLResponse:
    """The coordinator page."""
    return HTMLResponse((STATIC / "ui.html").read_text(encoding="utf-8"))


@router.get("/ui/static/{name}")
def ui_asset(name: str) -> FileResponse:
    """The page's script and style sheet (only those two files)."""
    if name not in ASSETS:
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(STATIC / name, media_type=ASSETS[name])
