"""The /ui coordinator page driven end to end in headless Chromium over a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from api.app import create_app
from api.routes import ui
from recommender.domain.profiles import Cohort, Feedback
from recommender.engine import Engine
from recommender.storage.keys import Keys
from tests.api.browser_support import NEEDS_BROWSER, chromium, serving
from tests.conftest import bearer, mentee, token

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

RED = "rgb(176, 0, 32)"
TOKEN_KEY = "mentor-match.token"

pytestmark = NEEDS_BROWSER

MENTEES = {
    "alice": ["heart failure with preserved ejection fraction"],
    "bruno": ["melanoma early detection"],
    "chen": ["adolescent depression and suicide prevention"],
    "dara": ["acute kidney injury after cardiac surgery"],
    "eli": ["thrombectomy for acute ischemic stroke"],
}
MENTORS = ["card1", "card2", "derm1", "psy1", "neph1", "neu1"]
PROGRAM = "internal-medicine"
"""The demo cohort's program: the coordinator key is scoped to it."""


def _rating(past_mentee: str, mentor_id: str) -> Feedback:
    return Feedback(mentee_id=past_mentee, mentor_id=mentor_id, date=date(2026, 6, 1), overall=5)


@pytest.fixture
def base_url(faculty_engine: Engine) -> Iterator[str]:
    """The API plus /ui served by uvicorn on 127.0.0.1 in a background thread.

    Cohorts: ``demo`` (program ``PROGRAM``) and ``surgery`` (another program). Feedback:
    psy1 rated by three past mentees (shown), card1 by one (withheld).
    """
    faculty_engine.write(
        "mentees", [mentee(name, interests=topics) for name, topics in MENTEES.items()]
    )
    faculty_engine.write(
        "cohorts",
        [
            Cohort(
                id="demo",
                name="Demo",
                program=PROGRAM,
                mentee_ids=list(MENTEES),
                mentor_ids=MENTORS,
            ),
            Cohort(
                id="surgery",
                name="Surgery",
                program="surgery",
                mentee_ids=["bruno"],
                mentor_ids=["derm1"],
            ),
        ],
    )
    faculty_engine.write(
        "feedback",
        [_rating(f"past{i}", "psy1") for i in range(3)] + [_rating("past9", "card1")],
    )
    app = create_app(engine=faculty_engine)
    if "/ui" not in [getattr(r, "path", None) for r in app.routes]:
        app.include_router(ui.router)
    with serving(app) as url:
        yield url


@pytest.fixture
def coordinator_token(faculty_engine: Engine) -> str:
    """A coordinator key scoped to the demo cohort's program."""
    return token(faculty_engine, role="coordinator", scopes=(PROGRAM,))


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Chromium (Debian's; Playwright's own download cannot work here)."""
    with chromium() as launched:
        yield launched


def _page(browser: Browser, errors: list[str]) -> Page:
    """A new tab that records every JavaScript error, and every Content-Security-Policy
    violation the console reports, in ``errors``."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return page


def _stored_token(page: Page) -> tuple[str | None, int]:
    """The token in sessionStorage, and how many entries localStorage holds."""
    stored, local = page.evaluate(
        f"() => [sessionStorage.getItem({TOKEN_KEY!r}), localStorage.length]"
    )
    return stored, local


def _expect_signed_out(page: Page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("token-input")).to_be_visible()
    expect(page.get_by_test_id("workspace")).to_be_hidden()
    expect(page.get_by_test_id("session")).to_be_hidden()
    expect(page.get_by_test_id("cohort-select").locator("option")).to_have_count(0)
    expect(page.get_by_test_id("shortlist-card")).to_have_count(0)


def test_coordinator_flow_in_browser(
    base_url: str, coordinator_token: str, browser: Browser, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    assert httpx.get(f"{base_url}/ui/static/ui.js").status_code == 200
    assert httpx.get(f"{base_url}/ui/static/ui.html").status_code == 404
    assert httpx.get(f"{base_url}/v1/cohorts").status_code == 401

    errors: list[str] = []
    page = _page(browser, errors)
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if "/v1/" in r.url else None)
    page.goto(f"{base_url}/ui")

    # Before sign-in: only the sign-in area, and no call to the API at all.
    page.wait_for_load_state("networkidle")
    _expect_signed_out(page)
    assert api_calls == []

    # A wrong token: a red message, still signed out, nothing stored.
    page.get_by_test_id("token-input").fill("mm_not-a-real-token")
    page.get_by_test_id("sign-in").click()
    message = page.get_by_test_id("signin-message")
    expect(message).to_contain_text("401")
    expect(message).to_have_class("status error")
    expect(message).to_have_css("color", RED)
    _expect_signed_out(page)
    assert _stored_token(page) == (None, 0)

    # The coordinator's token: signed in, the token kept for this tab only.
    page.get_by_test_id("token-input").fill(coordinator_token)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("whoami")).to_have_text(f"Signed in as coordinator ({PROGRAM})")
    expect(page.get_by_test_id("signin")).to_be_hidden()
    assert _stored_token(page) == (coordinator_token, 0)
    # Only the cohort in the key's scopes is listed (not "surgery").
    options = page.get_by_test_id("cohort-select").locator("option")
    expect(options).to_have_count(1)
    expect(options).to_have_attribute("value", "demo")

    # A reload keeps the session.
    page.reload()
    expect(page.get_by_test_id("whoami")).to_contain_text("coordinator")
    expect(options).to_have_count(1)

    page.get_by_test_id("cohort-select").select_option("demo")
    page.get_by_test_id("load").click()
    card = page.get_by_test_id("shortlist-card").filter(has_text="alice")
    expect(card).to_be_visible()
    first = card.locator("li").first
    expect(first.get_by_test_id("signal-bar")).to_have_count(5)
    expect(first.get_by_test_id("signal-bar").first).to_be_visible()
    expect(page.get_by_test_id("shortlist-card")).to_have_count(len(MENTEES))

    # card1 has one rating: its feedback bar says "withheld" and shows no number; psy1's three
    # ratings are shown as a value.
    card1 = card.locator("li").filter(has_text="Dr Card1")
    withheld = card1.locator("[data-testid=signal-bar][data-signal=feedback]")
    expect(withheld).to_have_attribute("data-withheld", "true")
    expect(withheld.locator("span")).to_have_count(0)  # no filled part
    assert withheld.get_attribute("aria-valuenow") is None
    expect(card1.locator(".sig.withheld .sig-label b")).to_have_text("withheld")
    psy1 = page.get_by_test_id("shortlist-card").filter(has_text="chen")
    psy1 = psy1.locator("li").filter(has_text="Dr Psy1")
    shown = psy1.locator("[data-testid=signal-bar][data-signal=feedback]")
    expect(shown).not_to_have_attribute("data-withheld", "true")
    expect(shown).to_have_attribute("aria-valuenow", "100")

    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("summary")).to_contain_text(f"{len(MENTEES)} pairs")
    rows = page.get_by_test_id("pair-row")
    expect(rows).to_have_count(len(MENTEES))

    row = rows.filter(has_text="alice")
    before = row.get_attribute("data-mentor")
    select = row.get_by_test_id("override-select")
    choices = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    assert choices, "alice's override select lists no other mentor"
    new_mentor = choices[0]
    assert new_mentor != before
    select.select_option(new_mentor)
    row.get_by_test_id("override-button").click()  # no reason: the API's 409 shows
    status = page.get_by_test_id("status")
    expect(status).to_have_class("status error")
    expect(status).to_contain_text("reason")
    expect(row).to_have_attribute("data-mentor", before or "")
    row.get_by_test_id("override-reason").fill("mentee asked for this mentor")
    row.get_by_test_id("override-button").click()
    row = page.get_by_test_id("pair-row").filter(has_text="alice")
    expect(row).to_have_attribute("data-mentor", new_mentor)
    expect(row.get_by_test_id("pair-mentor")).to_contain_text(new_mentor)

    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("status")).to_contain_text("approved")
    audit = page.get_by_test_id("audit")
    expect(audit).to_contain_text("override")
    expect(audit).to_contain_text("approve")
    expect(audit).to_contain_text("by coordinator:test-coordinator")
    expect(page.get_by_test_id("status")).not_to_have_class("status error")

    shot = tmp_path / "ui.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nUI screenshot: {shot}")

    page.get_by_test_id("sign-out").click()
    _expect_signed_out(page)
    expect(page.get_by_test_id("audit").locator("li")).to_have_count(0)
    assert _stored_token(page) == (None, 0)
    assert not errors, errors


def test_fragment_token_then_revoked_key(
    base_url: str, faculty_engine: Engine, browser: Browser
) -> None:
    from playwright.sync_api import expect

    admin = token(faculty_engine)
    key_id = httpx.get(f"{base_url}/v1/me", headers=bearer(admin)).json()["key_id"]
    errors: list[str] = []
    page = _page(browser, errors)

    # `make run` style: the token in the fragment signs in and leaves the address bar.
    page.goto(f"{base_url}/ui#token={admin}")
    expect(page.get_by_test_id("whoami")).to_have_text("Signed in as admin (all cohorts)")
    assert "token" not in page.url
    assert page.url.endswith("/ui")
    expect(page.get_by_test_id("cohort-select").locator("option")).to_have_count(2)

    # The key is revoked mid-session: the next call's 401 signs the page out, in red.
    Keys(faculty_engine.store.database).revoke(key_id)
    page.get_by_test_id("cohort-select").select_option("demo")
    page.get_by_test_id("load").click()
    message = page.get_by_test_id("signin-message")
    expect(message).to_contain_text("Sign in again")
    expect(message).to_have_css("color", RED)
    _expect_signed_out(page)
    assert _stored_token(page) == (None, 0)
    assert not errors, errors
