"""The coordinator's walk through an over-subscribed cohort on /ui, in real Chromium.

Propose → a partial assignment with the mentees left without a mentor → give one mentee a
free mentor from the options list → swap two pairs → approve → download the XLSX and read it
back → the dashboard's plots; then a second approval runs into the approved one and supersedes
it. Every major state is photographed at 1280 and 800 px wide into ``MENTOR_MATCH_SCREENSHOTS``
(default: the test's tmp_path), and at 800 px the page must not scroll sideways.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from api.app import create_app
from recommender.domain.kinds import Kind
from recommender.engine import Engine
from tests.api import browser_support
from tests.api.browser_support import NEEDS_BROWSER, fits_the_width, new_page, serving
from tests.conftest import FACULTY, bearer, mentee

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

pytestmark = NEEDS_BROWSER

# The shared fixtures, under the names the tests ask for (pytest finds them among a module's names).
browser = browser_support.browser_fixture
shots = browser_support.shots_fixture
coordinator_token = browser_support.coordinator_token_fixture

WIDE, NARROW = 1280, 800

# Alice and Bruno may have any of the three "open" mentors (one place each); the other four
# mentees conflict with them and share psy1's single place. 4 places for 6 mentees: three
# mentees stay without a mentor, and one open mentor keeps a free place no unserved mentee
# may take.
OPEN = ["card1", "derm1", "neu1"]
MENTEES = {
    "alice": ("Alice Archer", "cardiology", ["heart failure with preserved ejection fraction"], []),
    "bruno": ("Bruno Berg", "dermatology", ["melanoma early detection"], []),
    "chen": ("Chen Cho", "psychiatry", ["adolescent depression and suicide prevention"], OPEN),
    "dara": ("Dara Diaz", "psychiatry", ["cognitive behavioural therapy for anxiety"], OPEN),
    "eli": ("Eli Eze", "psychiatry", ["psychiatry of eating disorders"], OPEN),
    "fay": ("Fay Fox", "psychiatry", ["suicide prevention in adolescents"], OPEN),
}
MENTORS = [*OPEN, "psy1"]


@pytest.fixture
def base_url(faculty_engine: Engine) -> Iterator[str]:
    """The API plus /ui over a store with the over-subscribed cohort ``walk``."""
    faculty_engine.write(
        Kind.MENTORS,
        [m.model_copy(update={"capacity": 1}) for m in FACULTY if m.id in MENTORS],
    )
    faculty_engine.write(
        Kind.MENTEES,
        [
            mentee(
                mid,
                name=name,
                target_specialties=[specialty],
                interests=topics,
                conflicts=conflicts,
            )
            for mid, (name, specialty, topics, conflicts) in MENTEES.items()
        ],
    )
    faculty_engine.write(
        Kind.COHORTS,
        [browser_support.program_cohort("walk", MENTEES, MENTORS)],
    )
    with serving(create_app(engine=faculty_engine)) as url:
        yield url


def snap(page: Page, folder: Path, name: str, full_page: bool = True) -> None:
    """Photograph the page at 1280 and at 800 px wide; at 800 nothing may stick out sideways.
    ``full_page=False`` photographs the window only (for a dialog)."""
    page.screenshot(path=str(folder / f"{name}-{WIDE}.png"), full_page=full_page)
    page.set_viewport_size({"width": NARROW, "height": 900})
    try:
        page.wait_for_timeout(150)  # let the layout settle
        fit = fits_the_width(page)
        assert fit["scroll"] <= fit["width"], (
            f"{name}: the page scrolls sideways at {NARROW} px ({fit['scroll']} > {fit['width']})"
        )
        page.screenshot(path=str(folder / f"{name}-{NARROW}.png"), full_page=full_page)
    finally:
        page.set_viewport_size({"width": WIDE, "height": 900})
    print(f"\nscreenshots: {folder / name}-{{{WIDE},{NARROW}}}.png")


def _pairs_on_page(page: Page) -> dict[str, str]:
    """mentee id → mentor id of every pair row shown."""
    rows = page.get_by_test_id("pair-row")
    return {
        r.get_attribute("data-mentee") or "": r.get_attribute("data-mentor") or ""
        for r in rows.all()
    }


def _row(page: Page, mentee_id: str) -> Locator:
    return page.locator(
        f"[data-testid=pair-row][data-mentee={mentee_id}], "
        f"[data-testid=unmatched-row][data-mentee={mentee_id}]"
    )


def _open_editor(row: Locator) -> None:
    from playwright.sync_api import expect

    if row.get_by_test_id("pair-editor").count() == 0:
        row.get_by_test_id("edit-toggle").click()
    expect(row.get_by_test_id("override-select")).to_have_attribute("data-loaded", "true")


def _sign_in_and_load(page: Page, base_url: str, secret: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/ui#token={secret}")
    expect(page.get_by_test_id("whoami")).to_contain_text("coordinator")
    page.get_by_test_id("cohort-select").select_option("walk")
    page.get_by_test_id("load").click()
    expect(page.get_by_test_id("shortlist-card")).to_have_count(len(MENTEES))


def test_coordinator_walk(
    base_url: str, coordinator_token: str, browser: Browser, shots: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    page = new_page(browser, errors, width=WIDE, accept_downloads=True)
    _sign_in_and_load(page, base_url, coordinator_token)
    expect(page.get_by_test_id("dashboard-source")).to_contain_text("Nothing assigned yet")
    snap(page, shots, "01-loaded")

    # Propose: 4 places for 6 mentees gives a partial draft, not an error.
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("assignment-status")).to_have_attribute("data-status", "draft")
    api = httpx.Client(base_url=base_url, headers=bearer(coordinator_token))
    draft = api.get("/v1/cohorts/walk/assignments").json()["data"][0]
    assert len(draft["pairs"]) == 3, draft["pairs"]
    assert len(draft["unmatched"]) == 3, draft["unmatched"]
    expect(page.get_by_test_id("pair-row")).to_have_count(3)
    expect(page.get_by_test_id("unmatched-row")).to_have_count(3)
    unmatched = page.get_by_test_id("unmatched-panel")
    expect(unmatched).to_be_visible()
    expect(unmatched.get_by_test_id("unmatched-item")).to_have_count(3)
    for u in draft["unmatched"]:
        expect(unmatched).to_contain_text(MENTEES[u["mentee_id"]][0])
    room = page.get_by_test_id("room-panel")
    expect(room).to_be_visible()
    free_mentor = draft["mentors_with_room"][0]["mentor_id"]
    assert free_mentor in OPEN
    expect(room).to_contain_text(draft["mentors_with_room"][0]["mentor_name"])
    expect(page.get_by_test_id("summary")).to_contain_text("3 without a mentor")
    # Mentors by name; the Rank column is the pair's place in the shortlist.
    for p in draft["pairs"]:
        row = _row(page, p["mentee_id"])
        expect(row.get_by_test_id("pair-mentor")).to_contain_text(p["mentor_name"])
        rank = str(p["rank_for_mentee"]) if p["rank_for_mentee"] > 0 else "—"
        expect(row.get_by_test_id("pair-rank")).to_have_text(rank)
    snap(page, shots, "02-partial-draft")

    # The unmatched filter shows only the mentees without a mentor.
    page.get_by_test_id("pairs-show").select_option("unmatched")
    expect(page.get_by_test_id("pair-row")).to_have_count(0)
    expect(page.get_by_test_id("unmatched-row")).to_have_count(3)
    page.get_by_test_id("pairs-show").select_option("all")

    # Override: one of Alice and Bruno takes the free open mentor, from the options list.
    mover = next(p for p in draft["pairs"] if p["mentee_id"] in ("alice", "bruno"))
    row = _row(page, mover["mentee_id"])
    _open_editor(row)
    select = row.get_by_test_id("override-select")
    offered = browser_support.enabled_options(select)
    assert offered == [free_mentor], offered
    expect(select.locator("option[disabled]")).to_contain_text("(current)")
    browser_support.override_without_reason(row, free_mentor)
    row.get_by_test_id("override-reason").fill("closer research fit")
    row.get_by_test_id("override-button").click()
    expect(row).to_have_attribute("data-mentor", free_mentor)
    expect(row.get_by_test_id("row-message")).to_have_class("status row-msg ok")
    expect(row.get_by_test_id("pair-mentor")).to_contain_text("locked")
    expect(room).to_contain_text(mover["mentor_name"])  # the old mentor's place is free now
    snap(page, shots, "03-override")

    # An unmatched mentee: the options list says no allowed mentor has a place (all conflict).
    lonely = draft["unmatched"][0]["mentee_id"]
    unmatched.locator(f"[data-mentee={lonely}]").get_by_test_id("unmatched-assign").click()
    lonely_row = _row(page, lonely)
    expect(lonely_row.get_by_test_id("override-select")).to_have_attribute("data-loaded", "true")
    expect(lonely_row.get_by_test_id("override-select")).to_be_focused()

    # Swap: Alice and Bruno exchange mentors.
    before = _pairs_on_page(page)
    assert {"alice", "bruno"} <= set(before), before
    row = _row(page, "alice")
    _open_editor(row)
    # A swap the server refuses (the psychiatry mentee conflicts with Alice's mentor): the
    # server's reason shows at Alice's row, not at the top of the page.
    other = next(m for m in before if m not in ("alice", "bruno"))
    row.get_by_test_id("swap-select").select_option(other)
    row.get_by_test_id("swap-reason").fill("try it")
    row.get_by_test_id("swap-button").click()
    expect(row.get_by_test_id("row-message")).to_contain_text("409")
    expect(row.get_by_test_id("row-message")).to_have_class("status row-msg error")
    expect(page.get_by_test_id("status")).not_to_have_class("status error")
    snap(page, shots, "04-swap-refused")
    row.get_by_test_id("swap-select").select_option("bruno")
    row.get_by_test_id("swap-reason").fill("each asked for the other's mentor")
    row.get_by_test_id("swap-button").click()
    expect(row).to_have_attribute("data-mentor", before["bruno"])
    expect(_row(page, "bruno")).to_have_attribute("data-mentor", before["alice"])
    expect(row.get_by_test_id("row-message")).to_contain_text("Swapped")
    snap(page, shots, "05-swapped")

    # Compare Alice with her mentor: both profiles side by side, matched items marked.
    row.get_by_test_id("compare-button").click()
    dialog = page.get_by_test_id("compare")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("compare-mentee")).to_contain_text("Alice Archer")
    expect(dialog.get_by_test_id("compare-mentor")).to_contain_text("Free places")
    expect(dialog.get_by_test_id("compare-fit")).to_be_visible()
    snap(page, shots, "06-compare", full_page=False)
    dialog.get_by_test_id("compare-close").click()
    expect(dialog).to_be_hidden()
    # From Alice's shortlist: card1 works on her interest, so the match is marked.
    card = page.get_by_test_id("shortlist-card").filter(has_text="Alice Archer")
    card.get_by_test_id("shortlist-summary").click()
    card.get_by_test_id("suggestion").filter(has_text="Dr Card1").get_by_test_id(
        "compare-button"
    ).click()
    expect(dialog.get_by_test_id("compare-mentee").get_by_test_id("match-mark")).to_contain_text(
        "heart failure with preserved ejection fraction"
    )
    expect(
        dialog.get_by_test_id("compare-mentor").get_by_test_id("match-mark").first
    ).to_be_visible()
    dialog.get_by_test_id("compare-close").click()

    # Approve.
    shown = _pairs_on_page(page)
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("assignment-status")).to_have_attribute("data-status", "approved")
    expect(page.get_by_test_id("status")).to_contain_text("approved")
    expect(page.get_by_test_id("edit-toggle")).to_have_count(0)
    snap(page, shots, "07-approved")

    # Export the approved assignment as XLSX and read it back: one row per pair.
    from openpyxl import load_workbook

    with page.expect_download() as info:
        page.get_by_test_id("export-approved-xlsx").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).worksheets[0]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    at = {name: i for i, name in enumerate(header)}
    pairs = {r[at["mentee_id"]]: r[at["mentor_id"]] for r in rows if r[at["mentor_id"]]}
    assert pairs == shown
    expect(page.get_by_test_id("assignment-export-message")).to_contain_text("Downloaded")

    # The dashboard: its figures drawn as inline SVG.
    dashboard = page.get_by_test_id("dashboard")
    expect(page.get_by_test_id("dashboard-source")).to_contain_text("approved")
    plots = dashboard.locator("svg[data-testid=dash-plot]")
    expect(plots).to_have_count(4)
    for name in ("shares", "scores", "load", "coverage"):
        expect(dashboard.locator(f"svg[data-plot={name}] rect").first).to_be_attached()
    expect(page.get_by_test_id("dash-matched")).to_contain_text("50%")
    expect(page.get_by_test_id("dash-unmatched").locator("li")).to_have_count(3)
    page.get_by_test_id("dashboard").scroll_into_view_if_needed()
    snap(page, shots, "08-dashboard")
    assert not errors, errors


def test_second_approval_supersedes_the_first(
    base_url: str, coordinator_token: str, browser: Browser, shots: Path
) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    page = new_page(browser, errors, width=WIDE, accept_downloads=True)
    _sign_in_and_load(page, base_url, coordinator_token)
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("assignment-status")).to_have_attribute("data-status", "draft")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("assignment-status")).to_have_attribute("data-status", "approved")
    first = page.get_by_test_id("assignment-select").input_value()

    # A new draft (fair mode) cannot be approved while the first stands: 409 at the button.
    page.get_by_test_id("mode").select_option("fair")
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("assignment-status")).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("mode")).to_have_value("fair")
    page.get_by_test_id("approve").click()
    message = page.get_by_test_id("approve-message")
    expect(message).to_have_attribute("role", "alert")
    expect(message).to_contain_text("409")
    expect(message).to_contain_text(first)
    supersede = page.get_by_test_id("supersede")
    expect(supersede).to_have_text("Supersede the approved assignment")
    snap(page, shots, "09-approve-conflict")
    supersede.click()  # no reason yet
    expect(message).to_contain_text("reason")
    page.get_by_test_id("supersede-reason").fill("the fair draft replaces it")
    supersede.click()
    expect(page.get_by_test_id("assignment-status")).to_have_attribute("data-status", "approved")
    expect(page.get_by_test_id("approve-box")).to_be_hidden()
    options = page.get_by_test_id("assignment-select").locator("option")
    expect(options.filter(has_text=first)).to_contain_text("superseded")
    audit = page.get_by_test_id("audit")
    expect(audit).to_contain_text("supersede")
    snap(page, shots, "10-superseded")

    # A reload shows the approved fair assignment as it is.
    page.reload()
    page.get_by_test_id("cohort-select").select_option("walk")
    page.get_by_test_id("load").click()
    expect(page.get_by_test_id("assignment-status")).to_have_attribute("data-status", "approved")
    expect(page.get_by_test_id("mode")).to_have_value("fair")
    assert not errors, errors
