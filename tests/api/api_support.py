"""Fixtures and helpers shared by the ``test_api_*`` modules: the faculty app and request bodies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from recommender.domain.profiles import Mentee
from recommender.engine import Engine, build_engine
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from tests.conftest import FACULTY, TODAY, api_client, mentor

SIGNALS = ("similarity", "accessibility", "credibility", "feedback", "stage_fit")
HFPEF = "stiff heart failure where the heart still pumps normally"
"""A paraphrase of card1's research area (heart failure with preserved ejection fraction)."""
ALL = len(FACULTY)


@pytest.fixture
def client(faculty_engine: Engine) -> Iterator[TestClient]:
    """A client of a fresh app over the faculty, for tests that write.

    Server errors come back as 500 responses instead of being raised, so a test can assert
    that a status is not 500.
    """
    with api_client(faculty_engine, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def reader(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[TestClient]:
    """One client over the faculty shared by the tests that only read or are refused.

    Built the way ``faculty_engine`` is (real model, SQLite, FAISS), once per module, to keep
    the many error-path tests fast. Tests using it must not change the store on success.
    """
    settings = Settings(data_dir=tmp_path_factory.mktemp("reader") / "var")
    engine = build_engine(settings, embedder=embedder, today=lambda: TODAY)
    engine.write("mentors", FACULTY)
    with api_client(engine, raise_server_exceptions=False) as test_client:
        yield test_client
    engine.store.close()


# -- helpers ------------------------------------------------------------------------------


def mentee_body(interests: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    """A PGY2 mentee (not early, so the list is not diversified) as a JSON body."""
    return {"stage": "PGY2", "interests": interests or [HFPEF], **fields}


def mentor_body(mentor_id: str, **fields: Any) -> dict[str, Any]:
    """A valid mentor body built with the conftest defaults."""
    specialty = fields.pop("specialty", "internal medicine")
    return mentor(mentor_id, specialty, **fields).model_dump(mode="json")


def faculty_body(mentor_id: str, **changes: Any) -> dict[str, Any]:
    """One FACULTY mentor as a JSON body, with ``changes`` applied."""
    found = next(m for m in FACULTY if m.id == mentor_id)
    return {**found.model_dump(mode="json"), **changes}


def stored_mentee(mentee_id: str) -> Mentee:
    """A mentee record interested in card1's topic, to seed through the library."""
    return Mentee.model_validate({"id": mentee_id, **mentee_body()})


def suggest(client: TestClient, **body: Any) -> Response:
    """POST /v1/suggestions with ``body``."""
    return client.post("/v1/suggestions", json=body)


def suggested_ids(response: Response) -> list[str]:
    """Mentor ids of a 200 suggestions response, best first."""
    assert response.status_code == 200, response.text
    return [s["mentor_id"] for s in response.json()["data"]]


def by_id(response: Response) -> dict[str, dict[str, Any]]:
    """Suggestions of a 200 response keyed by mentor id."""
    assert response.status_code == 200, response.text
    return {s["mentor_id"]: s for s in response.json()["data"]}


def assert_well_formed(payload: dict[str, Any], k: int) -> None:
    """``k`` suggestions, ranks 1..k, scores non-increasing, five explained components."""
    data = payload["data"]
    assert payload["count"] == len(data) == k
    assert [s["rank"] for s in data] == list(range(1, k + 1))
    scores = [s["score"] for s in data]
    assert scores == sorted(scores, reverse=True)
    for s in data:
        assert s["mentor_id"]
        assert set(s["components"]) == set(SIGNALS)
        for name in SIGNALS:
            part = s["components"][name]
            assert {"value", "weight", "contribution"} <= set(part)
            assert part["contribution"] == pytest.approx(part["value"] * part["weight"], abs=1e-5)
        total = sum(part["contribution"] for part in s["components"].values())
        assert total == pytest.approx(s["score"], abs=1e-4)
        assert s["explanation"].strip()


def error_locs(response: Response) -> list[list[Any]]:
    """The ``loc`` of every entry of a 422 ``detail`` list."""
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    return [list(entry["loc"]) for entry in detail]


def assert_422_naming(response: Response, field: str) -> None:
    """A 422 whose ``detail[*].loc`` names ``field``."""
    assert response.status_code == 422, response.text
    assert any(field in loc for loc in error_locs(response)), response.text


def assert_422_mentioning(response: Response, field: str) -> None:
    """A 422 naming ``field`` in a ``loc`` or, for a cross-field check, in its message."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert any(field in entry["loc"] or field in entry["msg"] for entry in detail), response.text
