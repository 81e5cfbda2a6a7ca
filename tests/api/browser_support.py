"""Shared parts of the browser tests: Debian's Chromium, a live uvicorn server in a thread,
a tab that records errors, the screenshot folder, the check that a page fits its width.

The fixtures ``browser``, ``shots`` and ``coordinator_token`` are defined here as
``browser_fixture``, ``shots_fixture`` and ``coordinator_token_fixture``: a test module binds
them to the names its tests ask for (``browser = browser_support.browser_fixture``; pytest
finds fixtures among a module's names).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import uvicorn

from recommender.domain.profiles import Cohort
from tests.conftest import token

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Browser, Locator, Page

    from recommender.engine import Engine

CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

NEEDS_BROWSER = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (/usr/bin/chromium)"),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="playwright is not installed (pip install playwright)",
    ),
]
"""``pytestmark`` of a browser test module: skip with the reason when a part is missing."""

PROGRAM = "internal-medicine"
"""The program of the console tests' cohorts: the ``coordinator_token`` key is scoped to it."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 in a background thread; yields its base URL
    once ``/health`` answers (fails the test after 20 s)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            pytest.fail("uvicorn did not answer /health within 20 s")
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


EXPECT_MS = 15_000
"""How long an ``expect`` assertion waits for its state (the pages' default timeout too)."""


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium (Debian's; Playwright's own download cannot work here).

    ``expect`` waits as long as a page's own actions do (``EXPECT_MS``), not Playwright's
    5 s: on a loaded machine an approval or Swagger UI's first render took longer, and the
    assertion failed while the page was still on its way to the awaited state."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_MS)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(name="browser")
def browser_fixture() -> Iterator[Browser]:
    """Headless Chromium for one test (``chromium()``)."""
    with chromium() as launched:
        yield launched


@pytest.fixture(name="shots")
def shots_fixture(tmp_path: Path) -> Path:
    """Where a test's screenshots go: ``$MENTOR_MATCH_SCREENSHOTS`` when set (to look at
    them), else a folder in the test's tmp_path."""
    folder = Path(os.environ.get("MENTOR_MATCH_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_page(
    browser: Browser,
    errors: list[str],
    *,
    width: int = 1280,
    timeout_ms: int = EXPECT_MS,
    every_console_error: bool = False,
    **options: Any,
) -> Page:
    """A new tab ``width`` px wide (900 high) that records in ``errors`` every JavaScript
    error and every Content-Security-Policy violation the console reports (with
    ``every_console_error``, every error the console reports). ``options`` go to
    ``browser.new_page`` (e.g. ``accept_downloads=True``)."""
    page = browser.new_page(viewport={"width": width, "height": 900}, **options)
    page.set_default_timeout(timeout_ms)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if every_console_error:
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    else:
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
    return page


def fits_the_width(page: Page) -> dict[str, Any]:
    """How the page sits in its window: ``scroll`` (the document's width), ``width`` (the
    window's) and ``past``, the visible elements reaching past the right edge. The page
    scrolls sideways when ``scroll > width``."""
    found: dict[str, Any] = page.evaluate(
        """() => {
          const width = window.innerWidth;
          const past = [...document.querySelectorAll('body *')]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 0.5)
            .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);
          return {scroll: document.documentElement.scrollWidth, width, past};
        }"""
    )
    return found


def enabled_options(select: Locator) -> list[str]:
    """The values a ``<select>`` offers: its options not disabled, without the empty one."""
    options = select.locator("option:not([disabled])")
    return [str(value) for value in options.evaluate_all("os => os.map(o => o.value)") if value]


def override_without_reason(row: Locator, mentor_id: str) -> None:
    """On the console, choose ``mentor_id`` in ``row``'s open "Change mentor" editor and
    press the button with no reason: the row refuses, its message an alert asking for one."""
    from playwright.sync_api import expect

    row.get_by_test_id("override-select").select_option(mentor_id)
    row.get_by_test_id("override-button").click()
    message = row.get_by_test_id("row-message")
    expect(message).to_have_attribute("role", "alert")
    expect(message).to_contain_text("reason")
    expect(message).to_have_class("status row-msg error")


def program_cohort(cohort_id: str, mentee_ids: Iterable[str], mentor_ids: Iterable[str]) -> Cohort:
    """A cohort of ``PROGRAM``, named after its id (``walk``: "Walk")."""
    return Cohort(
        id=cohort_id,
        name=cohort_id.title(),
        program=PROGRAM,
        mentee_ids=list(mentee_ids),
        mentor_ids=list(mentor_ids),
    )


@pytest.fixture(name="coordinator_token")
def coordinator_token_fixture(faculty_engine: Engine) -> str:
    """A coordinator key scoped to ``PROGRAM``."""
    return token(faculty_engine, role="coordinator", scopes=(PROGRAM,))
