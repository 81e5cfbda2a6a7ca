"""The /me mentee page driven end to end in headless Chromium over a real uvicorn server:
sign in with a mentee key, see one's cohorts (from ``GET /v1/me``), edit and save the
profile, read the cohort's suggestions (``?cohort=``) or all of them, request a mentor and
find the request again from the server, at 1280 and 800 px wide.

Screenshots go to ``$MENTOR_MATCH_SCREENSHOTS`` when set (to look at them), else to the
test's ``tmp_path``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from api.app import create_app
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort, MentorRequest
from recommender.engine import Engine
from tests.api import browser_support
from tests.api.browser_support import NEEDS_BROWSER, fits_the_width, new_page, serving
from tests.conftest import bearer, mentee, token

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = NEEDS_BROWSER

# The shared fixtures, under the names the tests ask for (pytest finds them among a module's names).
browser = browser_support.browser_fixture
shots = browser_support.shots_fixture

RED = "rgb(176, 0, 32)"
TOKEN_KEY = "mentor-match.mentee-token"
COHORT = "demo"
COHORT_MENTORS = ["card1", "card2", "derm1", "psy1", "neph1", "neu1"]
"""The demo cohort's mentors: a mentee may request only these (others are suggested too)."""
PEDS_MENTORS = ["peds1", "obg1", "em1"]
NO_COHORT = "You are not in a cohort yet: your coordinator adds you"
NOTE = "I would like help with my research on teens."
ALICE = mentee(
    "alice",
    stage="PGY2",
    name="Alice Example",
    interests=["heart failure with preserved ejection fraction"],
    goals=["publish a first-author paper"],
    meeting_modes=["video"],
    languages=["english"],
    email="alice@example.org",
    location="Boston",
)
NEW_INTEREST = "adolescent depression and suicide prevention"
"""An interest added in the page: psy1's research, so psy1 must move up the list."""


@pytest.fixture
def base_url(faculty_engine: Engine) -> Iterator[str]:
    """The API and its pages over the faculty and four mentees: alice in the ``demo`` cohort
    (``COHORT_MENTORS``), bruno in ``surgery`` (orth1), dana in ``surgery`` and ``peds``
    (with a request entered there), carol in none."""
    faculty_engine.write(
        Kind.MENTEES,
        [
            ALICE,
            mentee("bruno", interests=["melanoma"]),
            mentee("carol", interests=["childhood asthma"]),
            mentee("dana", name="Dana", interests=["high-risk pregnancy", "sports medicine"]),
        ],
    )
    faculty_engine.write(
        Kind.COHORTS,
        [
            Cohort(id=COHORT, name="Demo", mentee_ids=["alice"], mentor_ids=COHORT_MENTORS),
            Cohort(
                id="surgery", name="Surgery", mentee_ids=["bruno", "dana"], mentor_ids=["orth1"]
            ),
            Cohort(
                id="peds",
                name="Paediatrics",
                mentee_ids=["dana"],
                mentor_ids=PEDS_MENTORS,
                requests=[
                    MentorRequest(
                        mentee_id="dana", mentor_id="obg1", note="entered by my coordinator"
                    )
                ],
            ),
        ],
    )
    with serving(create_app(engine=faculty_engine)) as url:
        yield url


def _order(page: Page) -> list[str]:
    """The suggested mentors' ids, in the order shown."""
    order: list[str] = page.get_by_test_id("suggestion-card").evaluate_all(
        "cards => cards.map(c => c.dataset.mentor)"
    )
    return order


def _card(page: Page, mentor_id: str) -> Any:
    return page.locator(f"[data-testid=suggestion-card][data-mentor='{mentor_id}']")


def _sign_in(page: Page, secret: str) -> None:
    page.get_by_test_id("token-input").fill(secret)
    page.get_by_test_id("sign-in").click()


def test_mentee_edits_profile_reads_suggestions_and_requests_a_mentor(
    base_url: str, faculty_engine: Engine, browser: Browser, shots: Path
) -> None:
    from playwright.sync_api import expect

    alice = token(faculty_engine, role="mentee", subject="alice")
    admin = token(faculty_engine)
    coordinator = token(faculty_engine, role="coordinator", scopes=(COHORT,))
    api = httpx.Client(base_url=base_url, headers=bearer(admin), timeout=30)
    as_alice = httpx.Client(base_url=base_url, headers=bearer(alice), timeout=30)
    errors: list[str] = []
    page = new_page(browser, errors, timeout_ms=20_000)
    page.goto(f"{base_url}/me?cohort={COHORT}")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("workspace")).to_be_hidden()

    # A coordinator's key is refused here, in red, and not kept.
    _sign_in(page, coordinator)
    message = page.get_by_test_id("signin-message")
    expect(message).to_contain_text("for mentee keys")
    expect(message).to_have_css("color", RED)
    expect(page.get_by_test_id("workspace")).to_be_hidden()
    assert page.evaluate(f"() => sessionStorage.getItem({TOKEN_KEY!r})") is None

    # Alice's key: her profile in the form, her one cohort (from /v1/me) named, no selector.
    _sign_in(page, alice)
    expect(page.get_by_test_id("whoami")).to_have_text("Signed in as Alice Example (mentee alice)")
    expect(page.get_by_test_id("field-interests")).to_have_value(ALICE.interests[0])
    expect(page.get_by_test_id("field-stage")).to_have_value("PGY2")
    expect(page.get_by_test_id("field-email")).to_have_value("alice@example.org")
    expect(page.get_by_test_id("cohort-name")).to_have_text("Your cohort: Demo")
    expect(page.get_by_test_id("cohort-select")).to_be_hidden()
    expect(page.get_by_test_id("cohort-message")).to_be_hidden()
    expect(page.get_by_test_id("my-request")).to_contain_text("not requested a mentor in Demo")
    expect(page.get_by_test_id("view-cohort")).to_be_checked()
    assert page.url.endswith(f"/me?cohort={COHORT}")

    # Her suggestions, as cards: the cohort's mentors only, in the API's order.
    cards = page.get_by_test_id("suggestion-card")
    expect(cards.first).to_be_visible()
    expect(page.get_by_test_id("status")).to_contain_text("of Demo suggested for you")
    in_cohort: dict[str, str | int] = {"cohort": COHORT, "k": 10}
    answer = as_alice.get("/v1/mentees/alice/suggestions", params=in_cohort).json()
    before = _order(page)
    assert before == [s["mentor_id"] for s in answer["data"]]
    assert set(before) <= set(COHORT_MENTORS) and before[0] == "card1", before
    assert "psy1" not in before[:1]

    # What the API says, the cards show: name, specialty, fit (when the API gives it),
    # reasons, gaps (when the API gives them).
    first = answer["data"][0]
    top = cards.first
    expect(top).to_contain_text(first["mentor_name"])
    expect(top.get_by_test_id("specialty")).to_have_text(first["specialty"])
    if "fit" in first:
        expect(top.get_by_test_id("fit")).to_contain_text(f"{first['fit']}%")
        expect(top.get_by_test_id("fit").locator("[role=meter]")).to_have_attribute(
            "aria-valuenow", str(first["fit"])
        )
    else:
        expect(top.get_by_test_id("fit")).to_have_count(0)
    assert first["reasons"], first
    expect(top.get_by_test_id("reasons").locator("li")).to_have_count(len(first["reasons"]))
    expect(top.get_by_test_id("reasons")).to_contain_text(first["reasons"][0])
    if first.get("gaps"):
        expect(top.get_by_test_id("gaps").locator("li")).to_have_count(len(first["gaps"]))
    expect(top.get_by_test_id("request-button")).to_be_enabled()

    # A wrong e-mail address: the API's 422 shows beside the e-mail field, nothing saved.
    page.get_by_test_id("field-email").fill("not an address")
    page.get_by_test_id("save").click()
    error = page.get_by_test_id("error-email")
    expect(error).to_be_visible()
    expect(error).to_contain_text("not an e-mail address")  # plain words, not the pattern
    expect(error).to_have_css("color", RED)
    expect(page.get_by_test_id("field-email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("profile-status")).to_have_class("status error")
    expect(page.get_by_test_id("profile-status")).to_contain_text("E-mail")
    assert api.get("/v1/mentees/alice").json()["email"] == "alice@example.org"
    page.get_by_test_id("profile-form").screenshot(path=str(shots / "mentee-1280-error.png"))

    # A misspelt specialty is saved with a warning and a "did you mean" that fixes it.
    page.get_by_test_id("field-email").fill("alice@example.org")
    page.get_by_test_id("field-target_specialties").fill("cardiolgy")
    page.get_by_test_id("save").click()
    warning = page.get_by_test_id("warning")
    expect(warning).to_have_count(1)
    expect(warning).to_have_attribute("data-field", "target_specialties")
    expect(warning).to_contain_text("cardiolgy")
    expect(page.get_by_test_id("error-email")).to_have_count(0)
    page.get_by_test_id("profile-form").screenshot(path=str(shots / "mentee-1280-warning.png"))
    warning.get_by_test_id("use-suggestion").filter(has_text="cardiology").click()
    expect(page.get_by_test_id("field-target_specialties")).to_have_value("cardiology")

    # Add an interest and save: stored as typed, and the list follows it.
    interests = page.get_by_test_id("field-interests")
    interests.fill(f"{ALICE.interests[0]}\n{NEW_INTEREST}")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("profile-status")).to_contain_text("Profile saved")
    expect(page.get_by_test_id("warnings")).to_be_hidden()
    stored = api.get("/v1/mentees/alice").json()
    assert stored["interests"] == [ALICE.interests[0], NEW_INTEREST]
    assert stored["target_specialties"] == ["cardiology"]
    assert stored["email"] == "alice@example.org" and stored["location"] == "Boston"
    assert stored["goals"] == ALICE.goals  # fields left alone are kept
    page.wait_for_function(
        "([k, before]) => [...document.querySelectorAll('[data-testid=suggestion-card]')]"
        ".map(c => c.dataset.mentor).indexOf(k) !== before",
        arg=["psy1", before.index("psy1") if "psy1" in before else -1],
    )
    after = _order(page)
    assert "psy1" in after and ("psy1" not in before or after.index("psy1") < before.index("psy1"))

    # Gaps as the API lists them: a mentor outside her target specialty says so.
    fresh = as_alice.get("/v1/mentees/alice/suggestions", params=in_cohort).json()["data"]
    assert [s["mentor_id"] for s in fresh] == after
    with_gaps = next(s for s in fresh if s["gaps"])
    gaps = _card(page, with_gaps["mentor_id"])
    expect(gaps.get_by_test_id("gaps").locator("li")).to_have_count(len(with_gaps["gaps"]))
    expect(gaps.get_by_test_id("gaps")).to_contain_text(with_gaps["gaps"][0])

    # All mentors: those outside her cohort are shown, but their button is disabled and says why.
    page.get_by_test_id("view-all").check()
    everyone = as_alice.get("/v1/mentees/alice/suggestions", params={"k": 10}).json()["data"]
    order = [s["mentor_id"] for s in everyone]
    page.wait_for_function(
        "order => JSON.stringify([...document.querySelectorAll('[data-testid=suggestion-card]')]"
        ".map(c => c.dataset.mentor)) === JSON.stringify(order)",
        arg=order,
    )
    expect(page.get_by_test_id("status")).to_contain_text("only Demo's can be requested")
    outsider = next(m for m in order if m not in COHORT_MENTORS)
    card = _card(page, outsider)
    button = card.get_by_test_id("request-button")
    expect(button).to_be_disabled()
    expect(button).to_have_attribute(
        "title", re.compile(r"is not a mentor of Demo: you can request only")
    )
    expect(card.get_by_test_id("not-requestable")).to_have_text(
        "Not a mentor of Demo: cannot be requested there."
    )
    member = next(m for m in order if m in COHORT_MENTORS)
    expect(_card(page, member).get_by_test_id("request-button")).to_be_enabled()
    expect(_card(page, member).get_by_test_id("not-requestable")).to_be_hidden()
    page.screenshot(path=str(shots / "mentee-1280-all.png"), full_page=True)

    # Back to her cohort's mentors; request psy1 with a note: "Requested" and the note.
    page.get_by_test_id("view-cohort").check()
    expect(page.get_by_test_id("status")).to_contain_text("of Demo suggested for you")
    expect(cards).to_have_count(len(after))
    card = _card(page, "psy1")
    card.get_by_test_id("request-button").click()
    expect(card.get_by_test_id("request-note")).to_be_focused()
    card.get_by_test_id("request-note").fill(NOTE)
    card.get_by_test_id("send-request").click()
    requested = card.get_by_test_id("requested")
    expect(requested).to_be_visible()
    expect(requested).to_contain_text("Requested")
    expect(requested).to_contain_text("in Demo")
    expect(requested.get_by_test_id("requested-note")).to_contain_text("research on teens")
    expect(card.get_by_test_id("request-button")).to_be_hidden()
    expect(card.get_by_test_id("request-note")).to_be_hidden()
    expect(page.get_by_test_id("status")).to_contain_text("Requested Dr Psy1 in Demo")
    expect(page.get_by_test_id("my-request")).to_contain_text("Dr Psy1 in Demo")
    expect(page.get_by_test_id("my-request")).to_contain_text(NOTE)
    other = _card(page, "card1")
    expect(other.get_by_test_id("request-button")).to_have_text("Request this mentor instead")

    # The request as the server has it, for the coordinator and in her /v1/me.
    record = {"mentee_id": "alice", "mentor_id": "psy1", "note": NOTE}
    assert api.get(f"/v1/cohorts/{COHORT}/requests").json()["data"] == [record]
    assert as_alice.get("/v1/me").json()["cohorts"] == [
        {"id": COHORT, "name": "Demo", "request": record}
    ]

    # At 1280 px, then at 800 px: everything within the width, nothing scrolls sideways.
    page.evaluate("() => window.scrollTo(0, 0)")
    wide = shots / "mentee-1280.png"
    page.screenshot(path=str(wide), full_page=True)
    page.set_viewport_size({"width": 800, "height": 900})
    page.wait_for_function("() => window.innerWidth === 800")
    fit = fits_the_width(page)
    assert fit["scroll"] <= fit["width"], fit
    assert fit["past"] == [], fit
    narrow = shots / "mentee-800.png"
    page.screenshot(path=str(narrow), full_page=True)
    page.get_by_test_id("view-all").check()
    # the list is fetched again: on a loaded machine (CI beside a browser) allow it 15 s
    expect(_card(page, outsider).get_by_test_id("not-requestable")).to_be_visible(timeout=15_000)
    expect(_card(page, outsider).get_by_test_id("request-button")).to_have_text(
        "Request this mentor"
    )
    fit = fits_the_width(page)
    assert fit["scroll"] <= fit["width"] and fit["past"] == [], fit
    page.screenshot(path=str(shots / "mentee-800-all.png"), full_page=True)
    print(f"\nmentee page screenshots: {wide} {narrow}")

    # A reload: the session, the cohort in the address, and the request from the server.
    page.reload()
    expect(page.get_by_test_id("whoami")).to_contain_text("Alice Example")
    assert page.url.endswith(f"/me?cohort={COHORT}")
    expect(page.get_by_test_id("view-cohort")).to_be_checked()
    card = _card(page, "psy1")
    expect(card.get_by_test_id("requested")).to_be_visible()
    expect(card.get_by_test_id("requested-note")).to_have_text(f"Your note: “{NOTE}”")

    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("workspace")).to_be_hidden()
    expect(page.get_by_test_id("suggestion-card")).to_have_count(0)
    assert page.evaluate("() => sessionStorage.length") == 0  # nothing kept: the server has it
    assert not errors, errors

    # Signed in again in a new tab (nothing in its storage): the request is still shown.
    again = new_page(browser, errors, width=800, timeout_ms=20_000)
    again.goto(f"{base_url}/me")
    _sign_in(again, alice)
    card = _card(again, "psy1")
    expect(card.get_by_test_id("requested")).to_be_visible()
    expect(card.get_by_test_id("requested-note")).to_have_text(f"Your note: “{NOTE}”")
    expect(again.get_by_test_id("my-request")).to_contain_text(NOTE)
    assert again.url.endswith(f"/me?cohort={COHORT}")
    assert not errors, errors


def test_a_mentee_in_no_cohort_is_told_and_cannot_request(
    base_url: str, faculty_engine: Engine, browser: Browser, shots: Path
) -> None:
    from playwright.sync_api import expect

    carol = token(faculty_engine, role="mentee", subject="carol")
    errors: list[str] = []
    page = new_page(browser, errors, width=800, timeout_ms=20_000)
    page.goto(f"{base_url}/me?cohort={COHORT}#token={carol}")  # a link to someone else's cohort
    expect(page.get_by_test_id("whoami")).to_have_text("Signed in as mentee carol")
    assert "token" not in page.url
    expect(page.get_by_test_id("cohort-message")).to_contain_text(NO_COHORT)
    expect(page.get_by_test_id("cohort-name")).to_be_hidden()
    expect(page.get_by_test_id("cohort-select")).to_be_hidden()
    expect(page.get_by_test_id("view")).to_be_hidden()
    expect(page.get_by_test_id("my-request")).to_be_hidden()

    # Every suggested mentor, none requestable, each saying why.
    cards = page.get_by_test_id("suggestion-card")
    expect(cards.first).to_be_visible()
    admin = token(faculty_engine)
    everyone = httpx.get(
        f"{base_url}/v1/mentees/carol/suggestions", params={"k": 10}, headers=bearer(admin)
    ).json()["data"]
    expect(cards).to_have_count(len(everyone))
    assert _order(page) == [s["mentor_id"] for s in everyone]
    buttons = page.get_by_test_id("request-button")
    assert buttons.evaluate_all(
        "bs => bs.every(b => b.disabled && b.title.startsWith('You are not in a cohort yet'))"
    )
    expect(cards.first.get_by_test_id("not-requestable")).to_have_text(
        "Requests open once you are in a cohort."
    )
    fit = fits_the_width(page)
    assert fit["scroll"] <= fit["width"] and fit["past"] == [], fit
    page.screenshot(path=str(shots / "mentee-800-no-cohort.png"), full_page=True)

    # Added to a cohort meanwhile: "Refresh suggestions" reads /v1/me again.
    httpx.post(
        f"{base_url}/v1/cohorts/surgery/members",
        json={"mentee_ids": ["carol"]},
        headers=bearer(admin),
    ).raise_for_status()
    page.get_by_test_id("refresh").click()
    expect(page.get_by_test_id("cohort-name")).to_have_text("Your cohort: Surgery")
    expect(page.get_by_test_id("cohort-message")).to_have_text(
        f"The link names cohort “{COHORT}”, which is not one of yours: showing Surgery."
    )
    assert page.url.endswith("/me?cohort=surgery")
    expect(cards).to_have_count(1)
    expect(_card(page, "orth1").get_by_test_id("request-button")).to_be_enabled()
    assert not errors, errors


def test_a_mentee_in_several_cohorts_chooses_one(
    base_url: str, faculty_engine: Engine, browser: Browser, shots: Path
) -> None:
    from playwright.sync_api import expect

    dana = token(faculty_engine, role="mentee", subject="dana")
    admin = token(faculty_engine)
    errors: list[str] = []
    page = new_page(browser, errors, timeout_ms=20_000)

    # A link naming a cohort that is not hers: said, and one of hers chosen instead.
    page.goto(f"{base_url}/me?cohort={COHORT}#token={dana}")
    expect(page.get_by_test_id("whoami")).to_have_text("Signed in as Dana (mentee dana)")
    select = page.get_by_test_id("cohort-select")
    expect(select).to_be_visible()
    names = select.locator("option").all_text_contents()
    assert sorted(names) == ["Paediatrics", "Surgery"], names
    expect(page.get_by_test_id("cohort-message")).to_contain_text(
        f"“{COHORT}”, which is not one of yours"
    )
    chosen = select.input_value()
    assert chosen in ("peds", "surgery") and page.url.endswith(f"/me?cohort={chosen}")

    # A link naming one of hers preselects it: Paediatrics, with the request her
    # coordinator entered, shown from the server.
    page.goto(f"{base_url}/me?cohort=peds")  # the session is kept in the tab
    expect(select).to_have_value("peds")
    expect(page.get_by_test_id("cohort-message")).to_be_hidden()
    expect(page.get_by_test_id("suggestion-card").first).to_be_visible()
    assert set(_order(page)) <= set(PEDS_MENTORS)
    card = _card(page, "obg1")
    expect(card.get_by_test_id("requested")).to_be_visible()
    expect(card.get_by_test_id("requested")).to_contain_text("in Paediatrics")
    expect(card.get_by_test_id("requested-note")).to_contain_text("entered by my coordinator")

    # Choose Surgery: its mentors, its (empty) request, the address follows.
    select.select_option("surgery")
    expect(page.get_by_test_id("status")).to_contain_text("of Surgery suggested for you")
    assert _order(page) == ["orth1"]
    assert page.url.endswith("/me?cohort=surgery")
    expect(page.get_by_test_id("my-request")).to_contain_text("not requested a mentor in Surgery")
    page.locator("section[aria-labelledby=h-suggestions]").screenshot(
        path=str(shots / "mentee-1280-several-cohorts.png")
    )
    card = _card(page, "orth1")
    card.get_by_test_id("request-button").click()
    card.get_by_test_id("send-request").click()
    expect(card.get_by_test_id("requested-note")).to_have_text("No note.")
    found = httpx.get(f"{base_url}/v1/cohorts/surgery/requests", headers=bearer(admin)).json()
    assert found["data"] == [{"mentee_id": "dana", "mentor_id": "orth1", "note": ""}]

    # Back to Paediatrics: its request is untouched.
    select.select_option("peds")
    expect(_card(page, "obg1").get_by_test_id("requested")).to_be_visible()
    expect(page.get_by_test_id("my-request")).to_contain_text("entered by my coordinator")
    assert not errors, errors


def test_cards_without_fit_or_gaps_still_read_well(
    base_url: str, faculty_engine: Engine, browser: Browser
) -> None:
    """An answer without ``fit`` and ``gaps`` (an older server): the score instead of the
    fit, reasons as usual, no gaps section."""
    from playwright.sync_api import Route, expect

    def older(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        for s in body["data"]:
            s.pop("fit", None)
            s.pop("gaps", None)
        route.fulfill(response=answer, body=json.dumps(body))

    alice = token(faculty_engine, role="mentee", subject="alice")
    errors: list[str] = []
    page = new_page(browser, errors, timeout_ms=20_000)
    page.route("**/v1/mentees/alice/suggestions*", older)
    page.goto(f"{base_url}/me#token={alice}")
    card = page.get_by_test_id("suggestion-card").first
    expect(card).to_contain_text("score 0.")
    expect(card.get_by_test_id("fit")).to_have_count(0)
    expect(card.get_by_test_id("gaps")).to_have_count(0)
    expect(card.get_by_test_id("reasons").locator("li").first).to_be_visible()
    expect(card.get_by_test_id("request-button")).to_be_visible()
    assert not errors, errors
