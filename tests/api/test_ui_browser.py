"""The /ui coordinator page driven end to end in headless Chromium over a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from api.app import create_app
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort, Feedback
from recommender.engine import Engine
from recommender.storage.keys import Keys
from tests.api import browser_support
from tests.api.browser_support import NEEDS_BROWSER, PROGRAM, fits_the_width, new_page, serving
from tests.conftest import FACULTY, bearer, mentee, token

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

RED = "rgb(176, 0, 32)"
TOKEN_KEY = "mentor-match.token"

pytestmark = NEEDS_BROWSER

# The shared fixtures, under the names the tests ask for (pytest finds them among a module's names).
browser = browser_support.browser_fixture
shots = browser_support.shots_fixture
coordinator_token = browser_support.coordinator_token_fixture

MENTEES = {
    "alice": ["heart failure with preserved ejection fraction"],
    "bruno": ["melanoma early detection"],
    "chen": ["adolescent depression and suicide prevention"],
    "dara": ["acute kidney injury after cardiac surgery"],
    "eli": ["thrombectomy for acute ischemic stroke"],
}
MENTORS = ["card1", "card2", "derm1", "psy1", "neph1", "neu1"]


def _rating(past_mentee: str, mentor_id: str) -> Feedback:
    return Feedback(mentee_id=past_mentee, mentor_id=mentor_id, date=date(2026, 6, 1), overall=5)


@pytest.fixture
def base_url(faculty_engine: Engine) -> Iterator[str]:
    """The API plus /ui served by uvicorn on 127.0.0.1 in a background thread.

    Cohorts: ``demo`` (program ``PROGRAM``) and ``surgery`` (another program). Feedback:
    psy1 rated by three past mentees (shown), card1 by one (withheld).
    """
    faculty_engine.write(
        Kind.MENTEES, [mentee(name, interests=topics) for name, topics in MENTEES.items()]
    )
    faculty_engine.write(
        Kind.COHORTS,
        [
            browser_support.program_cohort("demo", MENTEES, MENTORS),
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
        Kind.FEEDBACK,
        [_rating(f"past{i}", "psy1") for i in range(3)] + [_rating("past9", "card1")],
    )
    with serving(create_app(engine=faculty_engine)) as url:
        yield url


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
    base_url: str, coordinator_token: str, browser: Browser, shots: Path
) -> None:
    from playwright.sync_api import expect

    assert httpx.get(f"{base_url}/ui/static/ui.js").status_code == 200
    assert httpx.get(f"{base_url}/ui/static/ui.html").status_code == 404
    assert httpx.get(f"{base_url}/v1/cohorts").status_code == 401

    errors: list[str] = []
    page = new_page(browser, errors)
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
    expect(page.get_by_test_id("shortlist-card")).to_have_count(len(MENTEES))
    # Shortlists start closed (one line per mentee); opening one shows its mentors' bars.
    expect(card.get_by_test_id("signal-bar")).to_have_count(0)
    card.get_by_test_id("shortlist-summary").click()
    first = card.get_by_test_id("suggestion").first
    expect(first.get_by_test_id("signal-bar")).to_have_count(5)
    expect(first.get_by_test_id("signal-bar").first).to_be_visible()

    # card1 has one rating: its feedback bar says "withheld" and shows no number; psy1's three
    # ratings are shown as a value.
    card1 = card.get_by_test_id("suggestion").filter(has_text="Dr Card1")
    withheld = card1.locator("[data-testid=signal-bar][data-signal=feedback]")
    expect(withheld).to_have_attribute("data-withheld", "true")
    expect(withheld.locator("span")).to_have_count(0)  # no filled part
    assert withheld.get_attribute("aria-valuenow") is None
    expect(card1.locator(".sig.withheld .sig-label b")).to_have_text("withheld")
    chen = page.get_by_test_id("shortlist-card").filter(has_text="chen")
    chen.get_by_test_id("shortlist-summary").click()
    psy1 = chen.get_by_test_id("suggestion").filter(has_text="Dr Psy1")
    shown = psy1.locator("[data-testid=signal-bar][data-signal=feedback]")
    expect(shown).not_to_have_attribute("data-withheld", "true")
    expect(shown).to_have_attribute("aria-valuenow", "100")

    # Search narrows the shortlists to the mentees (or mentors) it names.
    page.get_by_test_id("shortlist-search").fill("bru")
    expect(page.get_by_test_id("shortlist-card")).to_have_count(1)
    expect(page.get_by_test_id("shortlist-card")).to_have_attribute("data-mentee", "bruno")
    page.get_by_test_id("shortlist-search").fill("")
    expect(page.get_by_test_id("shortlist-card")).to_have_count(len(MENTEES))

    page.get_by_test_id("mode").select_option("fair")
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("summary")).to_contain_text(f"{len(MENTEES)} pairs")
    expect(page.get_by_test_id("assignment-status")).to_have_attribute("data-status", "draft")
    rows = page.get_by_test_id("pair-row")
    expect(rows).to_have_count(len(MENTEES))
    # The Rank column is the pair's place in the mentee's shortlist ("—" outside it), and
    # mentors show by name.
    for row in rows.all():
        rank = row.get_attribute("data-rank") or "0"
        expect(row.get_by_test_id("pair-rank")).to_have_text(rank if rank != "0" else "—")
        expect(row.get_by_test_id("pair-mentor")).to_contain_text("Dr ")

    # A reload shows the stored draft as it is: its mode, its status.
    page.reload()
    page.get_by_test_id("cohort-select").select_option("demo")
    page.get_by_test_id("load").click()
    expect(rows).to_have_count(len(MENTEES))
    expect(page.get_by_test_id("mode")).to_have_value("fair")
    expect(page.get_by_test_id("assignment-status")).to_have_attribute("data-status", "draft")

    row = rows.filter(has_text="alice")
    before = row.get_attribute("data-mentor")
    row.get_by_test_id("edit-toggle").click()
    select = row.get_by_test_id("override-select")
    expect(select).not_to_have_attribute("data-loaded", "false")
    choices = browser_support.enabled_options(select)
    assert choices, "alice's override select lists no other mentor"
    new_mentor = choices[0]
    assert new_mentor != before
    browser_support.override_without_reason(row, new_mentor)
    expect(page.get_by_test_id("status")).not_to_have_class("status error")
    expect(row).to_have_attribute("data-mentor", before or "")
    row.get_by_test_id("override-reason").fill("mentee asked for this mentor")
    row.get_by_test_id("override-button").click()
    row = page.get_by_test_id("pair-row").filter(has_text="alice")
    expect(row).to_have_attribute("data-mentor", new_mentor)
    expect(row.get_by_test_id("pair-mentor")).to_contain_text(new_mentor)
    expect(row.get_by_test_id("pair-mentor")).to_contain_text("locked")
    expect(row.get_by_test_id("row-message")).to_have_class("status row-msg ok")

    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("status")).to_contain_text("approved")
    expect(page.get_by_test_id("assignment-status")).to_have_text("Approved")
    # After approval every mentor still shows by name, also after a reload.
    page.reload()
    page.get_by_test_id("cohort-select").select_option("demo")
    page.get_by_test_id("load").click()
    expect(page.get_by_test_id("assignment-status")).to_have_text("Approved")
    for row in rows.all():
        expect(row.get_by_test_id("pair-mentor")).to_contain_text("Dr ")
    expect(page.get_by_test_id("edit-toggle")).to_have_count(0)
    expect(page.get_by_test_id("approve")).to_be_disabled()
    audit = page.get_by_test_id("audit")
    expect(audit).to_contain_text("override")
    expect(audit).to_contain_text("approve")
    expect(audit).to_contain_text("by coordinator:test-coordinator")
    expect(page.get_by_test_id("status")).not_to_have_class("status error")

    shot = shots / "ui.png"
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
    key_id = httpx.get(f"{base_url}/v1/me", headers=bearer(admin), timeout=30).json()["key_id"]
    errors: list[str] = []
    page = new_page(browser, errors)

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


TOPICS = [
    "heart failure",
    "melanoma",
    "adolescent depression",
    "kidney injury",
    "stroke thrombectomy",
    "childhood asthma",
    "lymphoma trials",
    "trauma ultrasound",
    "preeclampsia",
    "antimicrobial stewardship",
]
BIG = 100


@pytest.fixture
def big_url(faculty_engine: Engine) -> Iterator[str]:
    """A cohort of 100 mentees over the faculty (13 mentors, 3 places each: over-subscribed)."""
    ids = [f"m{i:03d}" for i in range(BIG)]
    faculty_engine.write(
        Kind.MENTEES,
        [
            mentee(mid, name=f"Mentee {i:03d}", interests=[TOPICS[i % len(TOPICS)]])
            for i, mid in enumerate(ids)
        ],
    )
    faculty_engine.write(
        Kind.COHORTS,
        [browser_support.program_cohort("big", ids, [m.id for m in FACULTY])],
    )
    with serving(create_app(engine=faculty_engine)) as url:
        yield url


def test_big_cohort_is_paged_searchable_and_fits(
    big_url: str, coordinator_token: str, browser: Browser, shots: Path
) -> None:
    """A 100-mentee cohort: 20 mentees a page (shortlists closed), page controls, search,
    filters and sort, for the shortlists and the assignment; the page stays a few screens
    tall and, at 800 px, does not scroll sideways."""
    from playwright.sync_api import expect

    errors: list[str] = []
    page = new_page(browser, errors)
    page.goto(f"{big_url}/ui#token={coordinator_token}")
    page.get_by_test_id("cohort-select").select_option("big")
    page.get_by_test_id("load").click()
    cards = page.get_by_test_id("shortlist-card")
    # 100 shortlists are ranked, and Load fetches the cohort's relationships too: on a loaded
    # machine (a fresh-clone run beside the browser) allow it 20 s
    expect(cards).to_have_count(20, timeout=20_000)
    expect(page.get_by_test_id("shortlist-page")).to_have_text("Page 1 of 5")
    expect(page.get_by_test_id("shortlist-count")).to_contain_text("1–20 of 100")
    # Names come from the profiles: the list is in name order.
    expect(cards.first).to_contain_text("Mentee 000")
    page.get_by_test_id("shortlist-next").click()
    expect(page.get_by_test_id("shortlist-page")).to_have_text("Page 2 of 5")
    expect(cards.first).to_contain_text("Mentee 020")
    page.get_by_test_id("shortlist-search").fill("mentee 042")
    expect(cards).to_have_count(1)
    expect(cards).to_have_attribute("data-mentee", "m042")
    expect(page.get_by_test_id("shortlist-pager").locator("button")).to_have_count(0)
    page.get_by_test_id("shortlist-search").fill("")
    page.get_by_test_id("shortlist-sort").select_option("score")
    expect(page.get_by_test_id("shortlist-page")).to_have_text("Page 1 of 5")

    page.get_by_test_id("run").click()
    rows = page.locator("[data-testid=pair-row], [data-testid=unmatched-row]")
    expect(rows).to_have_count(20)
    expect(page.get_by_test_id("pairs-page")).to_have_text("Page 1 of 5")
    expect(page.get_by_test_id("unmatched-panel")).to_be_visible()
    page.get_by_test_id("pairs-show").select_option("unmatched")
    expect(page.get_by_test_id("pair-row")).to_have_count(0)
    expect(page.get_by_test_id("unmatched-row").first).to_be_visible()
    page.get_by_test_id("pairs-show").select_option("flagged")
    for flagged in page.get_by_test_id("pair-row").all():
        expect(flagged.get_by_test_id("flag").first).to_be_visible()
    page.get_by_test_id("pairs-show").select_option("all")
    page.get_by_test_id("pairs-sort").select_option("score")
    scores = [float(s) for s in page.get_by_test_id("pair-score").all_inner_texts()]
    assert scores == sorted(scores, reverse=True), scores

    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 9000, f"the 100-mentee page is {height} px tall"
    page.set_viewport_size({"width": 800, "height": 900})
    page.wait_for_timeout(150)
    fit = fits_the_width(page)
    assert fit["scroll"] <= fit["width"], fit
    shot = shots / "ui-big-800.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nUI screenshot: {shot}")
    assert not errors, errors
