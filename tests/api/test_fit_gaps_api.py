"""Suggestions over HTTP carry a fit (0–100) and the gaps, and the explanation ends with them.

A real SQLite store and FAISS index with the hashing embedder (the texts only need to be
found, not ranked well).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from recommender.domain.kinds import Kind
from recommender.domain.profiles import Mentee
from recommender.domain.suggestion import fit_percent
from tests.conftest import api_client, mentor
from tests.support.engines import hashing_engine

MENTORS = [
    mentor("card1", "cardiology", research_areas=["heart failure outcomes"], timezone="UTC"),
    mentor(
        "card2",
        "cardiology",
        research_areas=["heart failure drug trials"],
        capacity=2,
        current_mentees=2,
        timezone="Asia/Tokyo",
    ),
    mentor("derm1", "dermatology", research_areas=["melanoma screening"], hours_per_month=1),
]
MENTEE: dict[str, Any] = {
    "stage": "PGY2",
    "interests": ["heart failure outcomes"],
    "target_specialties": ["cardiology"],
    "timezone": "UTC",
}
BY_SCORE = {"include_full": True, "diversify": False, "follow_specialty": False}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with hashing_engine(tmp_path / "var") as engine:
        engine.write(Kind.MENTORS, MENTORS)
        engine.write(Kind.MENTEES, [Mentee.model_validate({"id": "e1", **MENTEE})])
        with api_client(engine) as test_client:
            yield test_client


def by_id(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["mentor_id"]: s for s in payload["data"]}


def assert_fit_and_gaps(payload: dict[str, Any]) -> None:
    """Every suggestion: fit is the score as a percentage; the explanation ends with the gaps."""
    for s in payload["data"]:
        assert isinstance(s["fit"], int) and 0 <= s["fit"] <= 100
        assert s["fit"] == fit_percent(s["score"])
        assert isinstance(s["gaps"], list) and len(s["gaps"]) <= 4
        if s["gaps"]:
            assert s["explanation"].endswith("But: " + " ".join(s["gaps"])), s["explanation"]
    fits = [s["fit"] for s in payload["data"]]
    assert fits == sorted(fits, reverse=True)


def test_post_suggestions_carry_fit_and_gaps(client: TestClient) -> None:
    response = client.post("/v1/suggestions", json={"mentee": MENTEE, "k": 3, "filters": BY_SCORE})
    assert response.status_code == 200, response.text
    assert_fit_and_gaps(response.json())
    found = by_id(response.json())
    assert found["card1"]["gaps"] == []
    assert found["card2"]["gaps"] == [
        "No free place at the moment.",
        "Their timezone is 9 hours from yours.",
    ]
    assert found["derm1"]["gaps"] == [
        "Practises dermatology, not your target specialty cardiology.",
        "Offers only 1 hour a month.",
    ]
    # A fact is told once: the full mentor is not praised for places, nor the others blamed.
    assert not [r for r in found["card2"]["reasons"] if "places" in r]
    assert "Has 3 of 3 places free." in found["card1"]["reasons"]


def test_get_suggestions_carry_fit_and_gaps(client: TestClient) -> None:
    response = client.get("/v1/mentees/e1/suggestions", params={"k": 3, "include_full": "true"})
    assert response.status_code == 200, response.text
    assert_fit_and_gaps(response.json())
    found = by_id(response.json())
    assert "No free place at the moment." in found["card2"]["gaps"]
    assert "No free place at the moment." in found["card2"]["explanation"]


def test_the_openapi_document_describes_fit_and_gaps_as_additions(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["SuggestionPublic"]
    fit, gaps = schema["properties"]["fit"], schema["properties"]["gaps"]
    assert (fit["type"], fit["minimum"], fit["maximum"]) == ("integer", 0, 100)
    assert "score × 100" in fit["description"]
    assert gaps["type"] == "array" and gaps["items"] == {"type": "string"}
    assert gaps["description"].strip()
    # Optional in the schema, so clients of the released document are not broken.
    assert not {"fit", "gaps"} & set(schema["required"])
