"""The Relationships section of /ui driven in headless Chromium over a real uvicorn server.

Two mentees of cohort ``c1`` (program ``prog1``) each request a cardiologist, who accepts;
both sides confirm the agreement; on the set clock (moved by an admin, no sleeping) each
mentee answers two check-ins with low satisfaction, so both relationships are flagged, each
with three alternates. The coordinator signs in on /ui, loads ``c1`` and finds the counts, the
flag reasons and the alternates; a replace without a reason is refused on the page, one the
server refuses (the relationship was ended behind the page's back) shows the API's 409 in the
status line, and one with a reason ends the relationship and requests the alternate: the page
shows the old one ended and the new request, and the API agrees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from api.app import create_app
from recommender.domain.profiles import Cohort
from recommender.engine import build_engine
from recommender.settings import Settings
from tests.api import browser_support
from tests.api.browser_support import NEEDS_BROWSER, fits_the_width, new_page, serving
from tests.conftest import FACULTY, TODAY, UNTHROTTLED, bearer, mentee, token

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

    from recommender.retrieval.embedding import SentenceTransformerEmbedder

pytestmark = NEEDS_BROWSER

# The shared fixtures, under the names the tests ask for (pytest finds them among a module's names).
browser = browser_support.browser_fixture
shots = browser_support.shots_fixture

START = datetime(2026, 9, 1, 9, tzinfo=UTC)
LOW = {"meetings": 1, "progress": 3, "satisfaction": 2, "wellbeing": 3}
RED = "rgb(176, 0, 32)"
# mentee id -> (name, the mentor they request)
PAIRS = {"me1": ("Mia Moreno", "card1"), "me2": ("Noah Novak", "card2")}


@dataclass
class Program:
    """The live server's URL and an HTTP client per role."""

    url: str
    keys: dict[str, str]
    clients: dict[str, httpx.Client]

    def move_clock(self, **delta: float) -> None:
        admin = self.clients["admin"]
        now = datetime.fromisoformat(admin.get("/v1/clock").json()["now"])
        moved = admin.put("/v1/clock", json={"now": (now + timedelta(**delta)).isoformat()})
        assert moved.status_code == 200, moved.text

    def call(self, role: str, method: str, path: str, body: Any = None) -> Any:
        """``method path`` as ``role``; the answer's JSON (fails the test on a refusal)."""
        answer = self.clients[role].request(method, path, json=body)
        assert answer.is_success, (method, path, answer.status_code, answer.text)
        return answer.json()


@pytest.fixture
def program(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> Iterator[Program]:
    """FACULTY, two mentees in cohort ``c1`` of ``prog1``, keys per role, served on 127.0.0.1."""
    settings = Settings(data_dir=tmp_path / "var", clock=START, **UNTHROTTLED)
    engine = build_engine(settings, embedder=embedder, today=lambda: TODAY)
    try:
        engine.write("mentors", FACULTY)
        engine.write(
            "mentees",
            [
                mentee(
                    "me1",
                    name=PAIRS["me1"][0],
                    interests=["heart failure", "echocardiography"],
                    goals=["publish a first case report"],
                    target_specialties=["cardiology"],
                ),
                mentee(
                    "me2",
                    name=PAIRS["me2"][0],
                    interests=["cardiac arrhythmias", "electrophysiology"],
                    goals=["learn to read ECGs"],
                    target_specialties=["cardiology"],
                ),
            ],
        )
        engine.write(
            "cohorts",
            [
                Cohort(
                    id="c1",
                    name="Cohort one",
                    program="prog1",
                    mentee_ids=list(PAIRS),
                    mentor_ids=[m.id for m in FACULTY],
                )
            ],
        )
        keys = {
            "admin": token(engine),
            "coordinator": token(engine, "coordinator", scopes=("prog1",)),
            **{mid: token(engine, "mentee", mid) for mid in PAIRS},
            **{mentor: token(engine, "mentor", mentor) for _, mentor in PAIRS.values()},
        }
        with serving(create_app(engine=engine)) as url:
            clients = {
                role: httpx.Client(base_url=url, headers=bearer(secret), timeout=60)
                for role, secret in keys.items()
            }
            try:
                yield Program(url, keys, clients)
            finally:
                for client in clients.values():
                    client.close()
    finally:
        engine.store.close()


def flag_both(p: Program) -> dict[str, str]:
    """Each mentee requests their mentor, who accepts; both confirm; two low check-ins each
    (at 31 and 91 days) flag both relationships. Returns mentee id -> relationship id."""
    ids = {}
    for mentee_id, (_, mentor_id) in PAIRS.items():
        asked = p.call(
            mentee_id, "POST", "/v1/relationships", {"mentee_id": mentee_id, "mentor_id": mentor_id}
        )
        rid = ids[mentee_id] = asked["id"]
        p.call(mentor_id, "POST", f"/v1/relationships/{rid}/accept")
        p.call(mentor_id, "POST", f"/v1/relationships/{rid}/confirm")
        assert p.call(mentee_id, "POST", f"/v1/relationships/{rid}/confirm")["state"] == "active"
    for days in (31, 60):
        p.move_clock(days=days)
        for mentee_id, rid in ids.items():
            p.call(mentee_id, "POST", f"/v1/relationships/{rid}/check-ins", LOW)
    return ids


def sign_in(page: Page, secret: str) -> None:
    """Sign in on /ui the way a coordinator does: the token typed into the sign-in form."""
    from playwright.sync_api import expect

    page.get_by_test_id("token-input").fill(secret)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("whoami")).to_have_text("Signed in as coordinator (prog1)")


def row_of(page: Page, relationship_id: str) -> Locator:
    return page.locator(f'[data-testid=relationship-row][data-relationship="{relationship_id}"]')


def test_flagged_relationship_replaced_with_an_alternate(
    program: Program, browser: Browser, shots: Path
) -> None:
    from playwright.sync_api import expect

    p = program
    ids = flag_both(p)
    board = p.call("coordinator", "GET", "/v1/cohorts/c1/relationships")
    assert board["flagged"] == 2, board
    rows = {row["relationship"]["id"]: row for row in board["data"]}

    errors: list[str] = []
    page = new_page(browser, errors)
    replace_calls: list[str] = []
    page.on("request", lambda r: replace_calls.append(r.url) if "/replace" in r.url else None)
    page.goto(f"{p.url}/ui")
    sign_in(page, p.keys["coordinator"])
    page.get_by_test_id("cohort-select").select_option("c1")
    page.get_by_test_id("load").click()

    # The counts above the table, as the API gives them.
    panel = page.get_by_test_id("relationships-panel")
    expect(panel).to_be_visible()
    expect(page.get_by_test_id("relationships-due").locator(".tile-value")).to_have_text(
        str(board["due"])
    )
    expect(page.get_by_test_id("relationships-overdue").locator(".tile-value")).to_have_text(
        str(board["overdue"])
    )
    expect(page.get_by_test_id("relationships-flagged").locator(".tile-value")).to_have_text("2")
    expect(page.get_by_test_id("relationship-row")).to_have_count(2)

    # Each flagged relationship: its people by name, its flag reasons, three alternates with
    # name, specialty, fit and a short explanation, each with a reason box and the button.
    for mentee_id, rid in ids.items():
        found = rows[rid]
        row = row_of(page, rid)
        expect(row).to_have_attribute("data-state", "active")
        expect(row.get_by_test_id("relationship-mentee")).to_contain_text(PAIRS[mentee_id][0])
        expect(row.get_by_test_id("relationship-mentor")).to_contain_text("Dr ")
        reasons = [f["reason"] for f in found["relationship"]["flags"]]
        assert any("check-ins 1 and 2" in r for r in reasons), reasons
        expect(row.get_by_test_id("relationship-flag")).to_have_count(len(reasons))
        for reason in reasons:
            expect(row.get_by_test_id("relationship-flags")).to_contain_text(reason)
        alternates = row.get_by_test_id("alternate")
        expect(alternates).to_have_count(3)
        for shown, s in zip(alternates.all(), found["alternates"], strict=True):
            expect(shown).to_have_attribute("data-mentor", s["mentor_id"])
            expect(shown.get_by_test_id("alternate-name")).to_have_text(s["mentor_name"])
            expect(shown.get_by_test_id("alternate-specialty")).to_contain_text(s["specialty"])
            expect(shown.get_by_test_id("fit")).to_have_text(f"{s['fit']}% fit")
            expect(shown.get_by_test_id("alternate-explanation")).not_to_be_empty()
            expect(shown.get_by_label("Reason")).to_be_visible()
            expect(shown.get_by_role("button", name="Replace with this mentor")).to_be_visible()

    me1 = row_of(page, ids["me1"])
    first = me1.get_by_test_id("alternate").first
    alternate = rows[ids["me1"]]["alternates"][0]["mentor_id"]

    # No reason: refused on the page, next to the button; nothing is sent.
    first.get_by_role("button", name="Replace with this mentor").click()
    message = me1.get_by_test_id("relationship-message")
    expect(message).to_have_class("status row-msg error")
    expect(message).to_contain_text("reason")
    expect(message).to_have_css("color", RED)
    expect(first.get_by_label("Reason")).to_be_focused()
    expect(first.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    assert replace_calls == []
    panel.screenshot(path=str(shots / "relationships-flagged.png"))
    # At 800 px the page, alternates open, does not scroll sideways.
    page.set_viewport_size({"width": 800, "height": 900})
    page.wait_for_timeout(150)
    fit = fits_the_width(page)
    assert fit["scroll"] <= fit["width"], fit
    panel.screenshot(path=str(shots / "relationships-flagged-800.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # The server refuses (me2's relationship was ended behind the page's back): the API's
    # 409 and its detail in the page's status line, and at the row.
    p.call("admin", "POST", f"/v1/relationships/{ids['me2']}/end", {"reason": "moved away"})
    me2 = row_of(page, ids["me2"])
    other = me2.get_by_test_id("alternate").first
    other.get_by_label("Reason").fill("not working out")
    other.get_by_role("button", name="Replace with this mentor").click()
    status = page.get_by_test_id("status")
    expect(status).to_have_class("status error")
    expect(status).to_contain_text("409")
    refused = p.clients["coordinator"].post(
        f"/v1/relationships/{ids['me2']}/replace",
        json={"reason": "not working out", "mentor_id": other.get_attribute("data-mentor")},
    )
    assert refused.status_code == 409, refused.text
    expect(status).to_contain_text(refused.json()["detail"])
    expect(me2.get_by_test_id("relationship-message")).to_contain_text("Not replaced")

    # With a reason: the old relationship ends, the alternate is requested, the page shows both.
    first.get_by_label("Reason").fill("low satisfaction on two check-ins")
    first.get_by_role("button", name="Replace with this mentor").click()
    expect(me1).to_have_attribute("data-state", "ended")
    expect(me1.get_by_test_id("relationship-state")).to_have_text("Ended")
    expect(me1.get_by_test_id("relationship-ending")).to_have_text("closed by coordinator")
    expect(me1.get_by_test_id("alternate")).to_have_count(0)
    new = page.locator(
        f'[data-testid=relationship-row][data-mentee="me1"][data-mentor="{alternate}"]'
    )
    expect(new).to_have_count(1)
    expect(new).to_have_attribute("data-state", "requested")
    expect(new.get_by_test_id("relationship-state")).to_have_text("Requested")
    expect(new.get_by_test_id("relationship-state").locator("xpath=..")).to_contain_text(
        "requested by the coordinator"
    )
    expect(status).to_have_class("status ok")
    expect(status).to_contain_text("closed by coordinator")
    # The reload shows me2's relationship as the admin left it, the old refusal gone.
    expect(me2).to_have_attribute("data-state", "ended")
    expect(me2.get_by_test_id("relationship-message")).to_have_count(0)
    for word in ("null", "undefined", "NaN", "[object"):
        expect(panel).not_to_contain_text(word)

    # The API agrees.
    ended = p.call("coordinator", "GET", f"/v1/relationships/{ids['me1']}")
    assert ended["state"] == "ended" and ended["ending"] == "closed by coordinator"
    assert ended["history"][-1]["reason"] == "low satisfaction on two check-ins"
    requested = p.call(
        "coordinator", "GET", f"/v1/relationships/{new.get_attribute('data-relationship')}"
    )
    assert (requested["mentee_id"], requested["mentor_id"]) == ("me1", alternate)
    assert requested["state"] == "requested"

    shot = shots / "relationships.png"
    page.screenshot(path=str(shot), full_page=True)
    for taken in (
        shot,
        shots / "relationships-flagged.png",
        shots / "relationships-flagged-800.png",
    ):
        assert taken.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", taken
    print(f"\nRelationships screenshots: {shots}")
    assert not errors, errors
