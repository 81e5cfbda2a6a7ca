"""The interactive API docs (/docs, /redoc) load nothing from another host: their scripts,
style sheets and icon are served by the app itself, from the ``fastapi-offline`` package."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import DATA_CSP
from recommender.engine import Engine

CONTENT_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
}


class _Assets(HTMLParser):
    """The URLs a page loads: ``<script src>`` and ``<link href>``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href"}.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.urls.append(value)


def _assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.fixture
def anonymous(engine: Engine) -> Iterator[TestClient]:
    """A client without a token: the docs are public."""
    with TestClient(create_app(engine=engine)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("/docs", {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}),
        ("/redoc", {"redoc.standalone.js", "favicon.png"}),
    ],
)
def test_docs_pages_load_only_same_origin_assets(
    anonymous: TestClient, page: str, expected: set[str]
) -> None:
    reply = anonymous.get(page)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    html = reply.text
    assert "http://" not in html
    assert "https://" not in html
    assert "//" not in "".join(re.findall(r"""(?:src|href)=["']([^"']*)""", html))

    urls = _assets(html)
    assert {url.rsplit("/", 1)[-1] for url in urls} == expected
    for url in urls:
        assert url.startswith("/docs/assets/"), url
        asset = anonymous.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url
        kind = asset.headers["content-type"].split(";")[0].strip()
        assert kind in CONTENT_TYPES[url[url.rindex(".") :]], (url, kind)


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_docs_pages_policy_allows_own_assets_and_inline_blocks_by_hash_only(
    anonymous: TestClient, page: str
) -> None:
    reply = anonymous.get(page)
    assert reply.status_code == 200
    policy = reply.headers["content-security-policy"]
    assert "http" not in policy
    assert "*" not in policy
    assert "unsafe-eval" not in policy
    directives = _directives(policy)
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["img-src"] == ["'self'", "data:"]
    scripts = re.findall(r"<script>(.*?)</script>", reply.text, re.DOTALL)
    assert directives["script-src"] == ["'self'", *map(_sha256, scripts)]
    if page == "/redoc":
        # ReDoc writes <style> elements and starts its search worker from a blob: URL at run
        # time: inline styles (never scripts) and blob: workers, on this page only.
        assert scripts == []
        assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
        assert directives["worker-src"] == ["blob:"]
    else:
        assert len(scripts) == 1  # the page's own inline script, allowed by its hash only
        assert "unsafe-inline" not in policy
        assert "blob:" not in policy
        assert directives["style-src"] == ["'self'"]


def test_docs_assets_and_other_answers_keep_their_strict_policy(anonymous: TestClient) -> None:
    for path in ("/docs/assets/swagger-ui-bundle.js", "/health", "/openapi.json"):
        reply = anonymous.get(path)
        assert reply.status_code == 200, path
        assert reply.headers["content-security-policy"] == DATA_CSP, path
    assert anonymous.get("/docs/assets/nothing-here.js").status_code == 404


def test_openapi_document_is_still_served_without_the_docs_routes(
    anonymous: TestClient,
) -> None:
    reply = anonymous.get("/openapi.json")
    assert reply.status_code == 200
    document = reply.json()
    assert document["openapi"].startswith("3.")
    assert "/v1/suggestions" in document["paths"]
    assert not [p for p in document["paths"] if p.startswith(("/docs", "/redoc"))]
    assert "url: '/openapi.json'" in anonymous.get("/docs").text
    assert 'spec-url="/openapi.json"' in anonymous.get("/redoc").text


def test_docs_honour_the_root_path_behind_a_proxy(engine: Engine) -> None:
    with TestClient(create_app(engine=engine), root_path="/mm") as client:
        html = client.get("/docs").text
    assert "url: '/mm/openapi.json'" in html
    assert all(url.startswith("/mm/docs/assets/") for url in _assets(html))
