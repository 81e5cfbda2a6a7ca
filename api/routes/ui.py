"""The browser pages, single files with no build step over the JSON endpoints:

- ``/ui``: the coordinator console over the cohort endpoints;
- ``/me``: the mentee page (sign in with a mentee key, edit the profile, see suggestions,
  request a mentor).

Each page loads only its own scripts and style sheets from this server (the mentee page
also loads the console's ``page-common.js``, the DOM, HTTP and session helpers both use,
and links its ``ui.css`` for the shared look), under the page policy
``PAGE_CSP``. ``/ui`` gets it from the guard by its path; ``/me`` sets it here.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from api.security import PAGE_CSP

STATIC = Path(__file__).parent.parent / "static"
UI_SCRIPTS = (
    "page-common",
    "ui-core",
    "ui-shortlists",
    "ui-assign",
    "ui-compare",
    "ui-dashboard",
    "ui-relationships",
    "ui",
)
"""The console's scripts, in the order ui.html loads them (they share top-level names);
``page-common`` (DOM, HTTP, session) is the mentee page's too."""
ASSETS = {**{f"{name}.js": "text/javascript" for name in UI_SCRIPTS}, "ui.css": "text/css"}
MENTEE_ASSETS = {"mentee.js": "text/javascript", "mentee.css": "text/css"}
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP}
"""The page policy, set by the route: the guard keeps a policy a response already has."""

router = APIRouter(include_in_schema=False)


@router.get("/ui", response_class=HTMLResponse)
def ui_page() -> HTMLResponse:
    """The coordinator page."""
    return HTMLResponse((STATIC / "ui.html").read_text(encoding="utf-8"))


@router.get("/ui/static/{name}")
def ui_asset(name: str) -> FileResponse:
    """The page's scripts and style sheet (only those files)."""
    if name not in ASSETS:
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(STATIC / name, media_type=ASSETS[name])


@router.get("/me", response_class=HTMLResponse)
def mentee_page() -> HTMLResponse:
    """The mentee page."""
    html = (STATIC / "mentee.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers=PAGE_HEADERS)


@router.get("/me/static/{name}")
def mentee_asset(name: str) -> FileResponse:
    """The mentee page's script and style sheet (only those two files)."""
    if name not in MENTEE_ASSETS:
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(STATIC / name, media_type=MENTEE_ASSETS[name], headers=PAGE_HEADERS)
