"""/docs and /redoc render in headless Chromium with every request to another host blocked:
the docs' assets come from the app itself, and the pages' Content-Security-Policy lets them run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from api.app import create_app
from recommender.engine import Engine
from tests.api import browser_support
from tests.api.browser_support import NEEDS_BROWSER, new_page, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

SCREENSHOT = "/tmp/docs_offline.png"

pytestmark = NEEDS_BROWSER

# The shared fixtures, under the names the tests ask for (pytest finds them among a module's names).
browser = browser_support.browser_fixture


@pytest.fixture
def base_url(faculty_engine: Engine) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 in a background thread."""
    with serving(create_app(engine=faculty_engine)) as url:
        yield url


def _offline_page(browser: Browser, blocked: list[str], errors: list[str]) -> Page:
    """A tab that may reach 127.0.0.1 only: any other request is aborted and recorded in
    ``blocked``; JavaScript errors and console errors (CSP violations among them) go to
    ``errors``."""
    page = new_page(browser, errors, every_console_error=True)

    def local_only(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", local_only)
    return page


def test_swagger_ui_renders_offline(base_url: str, browser: Browser) -> None:
    from playwright.sync_api import expect

    blocked: list[str] = []
    errors: list[str] = []
    page = _offline_page(browser, blocked, errors)
    page.goto(f"{base_url}/docs")

    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".information-container .title")).to_contain_text("mentor-match")
    suggestions = page.locator('.opblock-summary-path[data-path="/v1/suggestions"]')
    expect(suggestions).to_be_visible()
    # An operation opens and shows its parameters and responses (the UI's scripts run).
    operation = page.locator(".opblock-post", has=suggestions)
    operation.locator(".opblock-summary").click()
    expect(operation.locator(".responses-wrapper")).to_be_visible()
    expect(operation.get_by_role("button", name="Try it out")).to_be_visible()
    # The style sheet applied: a POST operation is drawn green.
    expect(operation).to_have_css("border-top-color", "rgb(73, 204, 144)")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=SCREENSHOT, full_page=False)
    print(f"\ndocs screenshot: {SCREENSHOT}")

    assert blocked == []
    assert errors == []


def test_redoc_renders_offline(base_url: str, browser: Browser) -> None:
    from playwright.sync_api import expect

    blocked: list[str] = []
    errors: list[str] = []
    page = _offline_page(browser, blocked, errors)
    page.goto(f"{base_url}/redoc")

    expect(page.locator("h1").first).to_contain_text("mentor-match")
    expect(page.get_by_role("menuitem").first).to_be_visible()
    expect(page.get_by_text("/v1/suggestions").first).to_be_attached()
    page.wait_for_load_state("networkidle")

    assert blocked == []
    # ReDoc's attribution logo points at its CDN: the policy refuses it before any request.
    refused = [e for e in errors if "cdn.redoc.ly/redoc/logo-mini.svg" in e]
    assert [e for e in errors if e not in refused] == []
