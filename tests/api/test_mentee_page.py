"""The /me mentee page as files: served under the page policy, its own assets only, no
inline code, every control labelled, every element its script needs present."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.ui import UI_SCRIPTS
from api.security import PAGE_CSP
from recommender.settings import Settings

STATIC = Path(__file__).parents[2] / "api" / "static"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    """The app without its lifespan: pages and assets need no engine (nor the model)."""
    return TestClient(create_app(settings=Settings(data_dir=tmp_path / "var")))


class Page(HTMLParser):
    """What the page loads, which controls it has and how they are labelled."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str | None] = []
        self.styles: list[str] = []
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, str | None, bool]] = []  # tag, id, inside a label
        self.inline_styles: list[str] = []
        self.handlers: list[str] = []
        self._labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if "style" in found:
            self.inline_styles.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self.scripts.append(found.get("src"))
        elif tag == "link" and found.get("rel") == "stylesheet":
            self.styles.append(found.get("href") or "")
        elif tag == "label":
            self._labels += 1
            if found.get("for"):
                self.label_for.add(found["for"] or "")
        elif tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.controls.append((tag, found.get("id"), self._labels > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._labels -= 1


def _scripts() -> str:
    """The page's scripts' text: the shared ``page-common.js`` and ``mentee.js``."""
    return "\n".join(
        (STATIC / name).read_text(encoding="utf-8") for name in ("page-common.js", "mentee.js")
    )


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_the_page_is_served_under_the_page_policy(client: TestClient) -> None:
    answer = client.get("/me")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    csp = answer.headers["content-security-policy"]
    assert csp == PAGE_CSP
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "Signed in" not in answer.text  # a static page: no one's data in it


def test_the_page_loads_only_this_servers_files_and_no_inline_code(client: TestClient) -> None:
    page = parsed(client.get("/me").text)
    # The console's common part (DOM, HTTP, session) first; no inline <script> (src None).
    assert page.scripts == ["/ui/static/page-common.js", "/me/static/mentee.js"]
    assert page.styles == ["/ui/static/ui.css", "/me/static/mentee.css"]
    assert not page.inline_styles and not page.handlers
    for asset in [*page.scripts, *page.styles]:
        assert asset and asset.startswith("/") and not asset.startswith("//")
        assert client.get(asset).status_code == 200, asset
    script = _scripts()
    assert "http://" not in script and "https://" not in script  # nothing from another host


@pytest.mark.parametrize(
    ("name", "kind"), [("mentee.js", "text/javascript"), ("mentee.css", "text/css")]
)
def test_assets_are_served_with_their_type(client: TestClient, name: str, kind: str) -> None:
    answer = client.get(f"/me/static/{name}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(kind)
    assert answer.content == (STATIC / name).read_bytes()
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "name", ["mentee.html", "ui.js", "secret.txt", "..%2Froutes%2Fui.py", "%2E%2E", "MENTEE.JS"]
)
def test_unknown_assets_are_404(client: TestClient, name: str) -> None:
    assert client.get(f"/me/static/{name}").status_code == 404


def test_the_coordinator_page_is_unchanged(client: TestClient) -> None:
    answer = client.get("/ui")
    assert answer.status_code == 200
    assert answer.headers["content-security-policy"] == PAGE_CSP
    assert parsed(answer.text).scripts == [f"/ui/static/{name}.js" for name in UI_SCRIPTS]
    assert client.get("/ui/static/mentee.js").status_code == 404


def test_every_control_is_labelled() -> None:
    page = parsed((STATIC / "mentee.html").read_text(encoding="utf-8"))
    unlabelled = [
        (tag, id_)
        for tag, id_, inside_label in page.controls
        if not inside_label and (id_ is None or id_ not in page.label_for)
    ]
    assert page.controls and unlabelled == []
    assert page.label_for <= page.ids  # no label points at nothing


def test_every_element_the_script_looks_up_is_on_the_page() -> None:
    page = parsed((STATIC / "mentee.html").read_text(encoding="utf-8"))
    script = _scripts()
    wanted = set(re.findall(r'\$\("([\w-]+)"\)', script))
    for group in ("LIST_FIELDS", "TEXT_FIELDS", "FLAG_FIELDS", "SELECT_FIELDS"):
        declared = re.search(rf"const {group} = \[(.*?)\];", script)
        assert declared, group
        wanted |= {f"f-{f}" for f in re.findall(r'"(\w+)"', declared.group(1))}
    assert len(wanted) > 20
    assert wanted - page.ids == set()


def test_the_cohort_is_chosen_among_the_mentees_own_not_typed() -> None:
    """The cohorts come from ``GET /v1/me``: a selector (filled by the script), the view
    toggle between the cohort's mentors and all, and no free-text cohort id."""
    html = (STATIC / "mentee.html").read_text(encoding="utf-8")
    page = parsed(html)
    assert ("select", "cohort", False) in page.controls
    assert 'data-testid="cohort-input"' not in html
    assert 'data-testid="view-cohort"' in html and 'data-testid="view-all"' in html
    script = (STATIC / "mentee.js").read_text(encoding="utf-8")
    assert '"/v1/me"' in script and "cohort=" in script
    assert "You are not in a cohort yet: your coordinator adds you" in script
