"""The /ui coordinator page driven end to end in headless Chromium over a real uvicorn server."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.routes import ui
from recommender.engine import Engine
from recommender.profiles import Cohort
from tests.conftest import mentee

CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (/usr/bin/chromium)"),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="playwright is not installed (pip install playwright)",
    ),
]

MENTEES = {
    "alice": ["heart failure with preserved ejection fraction"],
    "bruno": ["melanoma early detection"],
    "chen": ["adolescent depression and suicide prevention"],
    "dara": ["acute kidney injury after cardiac surgery"],
    "eli": ["thrombectomy for acute ischemic stroke"],
}
MENTORS = ["card1", "card2", "derm1", "psy1", "neph1", "neu1"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def base_url(faculty_engine: Engine) -> Iterator[str]:
    """The API plus /ui served by uvicorn on 127.0.0.1 in a background thread."""
    faculty_engine.write(
        "mentees", [mentee(name, interests=topics) for name, topics in MENTEES.items()]
    )
    faculty_engine.write(
        "cohorts",
        [Cohort(id="demo", name="Demo", mentee_ids=list(MENTEES), mentor_ids=MENTORS)],
    )
    app = create_app(engine=faculty_engine)
    if "/ui" not in [getattr(r, "path", None) for r in app.routes]:
        app.include_router(ui.router)
    port = _free_port()
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


def test_coordinator_flow_in_browser(base_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert httpx.get(f"{base_url}/ui/static/ui.js").status_code == 200
    assert httpx.get(f"{base_url}/ui/static/ui.html").status_code == 404

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base_url}/ui")

            page.get_by_test_id("cohort-select").select_option("demo")
            page.get_by_test_id("load").click()
            card = page.get_by_test_id("shortlist-card").filter(has_text="alice")
            expect(card).to_be_visible()
            first = card.locator("li").first
            expect(first.get_by_test_id("signal-bar")).to_have_count(5)
            expect(first.get_by_test_id("signal-bar").first).to_be_visible()
            expect(page.get_by_test_id("shortlist-card")).to_have_count(len(MENTEES))

            page.get_by_test_id("run").click()
            expect(page.get_by_test_id("summary")).to_contain_text(f"{len(MENTEES)} pairs")
            rows = page.get_by_test_id("pair-row")
            expect(rows).to_have_count(len(MENTEES))

            row = rows.filter(has_text="alice")
            before = row.get_attribute("data-mentor")
            select = row.get_by_test_id("override-select")
            options = [
                v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v
            ]
            assert options, "alice's override select lists no other mentor"
            new_mentor = options[0]
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
            expect(page.get_by_test_id("status")).not_to_have_class("status error")

            shot = tmp_path / "ui.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nUI screenshot: {shot}")
            assert not errors, errors
        finally:
            browser.close()
