"""The HTTP API's feedback route, and how ratings change the feedback component of suggestions."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.api_support import (
    ALL,
    by_id,
    mentee_body,
    suggest,
)
from tests.api.api_support import client as client  # a pytest fixture
from tests.api.api_support import reader as reader  # a pytest fixture

# -- feedback -------------------------------------------------------------------------------


def feedback_body(mentor_id: str, rating: int, mentee_id: str = "past1") -> dict[str, Any]:
    """A past mentee's rating with every aspect equal to ``rating``."""
    aspects = ("approachable", "trustworthy", "enthusiastic", "adapts_teaching", "accessible")
    return {
        "mentee_id": mentee_id,
        "mentor_id": mentor_id,
        "date": "2026-06-01",
        "overall": rating,
        **dict.fromkeys(aspects, rating),
    }


def test_feedback_is_created_201_and_replaced_200(client: TestClient) -> None:
    response = client.post("/v1/feedback", json=feedback_body("card1", 5))
    assert response.status_code == 201, response.text
    assert response.json() == {"id": "past1:card1:2026-06-01", "created": True}
    again = client.post("/v1/feedback", json=feedback_body("card1", 4))
    assert again.status_code == 200, again.text
    assert again.json() == {"id": "past1:card1:2026-06-01", "created": False}
    assert client.get("/health").json()["counts"]["feedback"] == 1


def test_feedback_for_an_unknown_mentor_is_404_naming_it(reader: TestClient) -> None:
    response = reader.post("/v1/feedback", json=feedback_body("ghost9", 5))
    assert response.status_code == 404, response.text
    assert "ghost9" in response.json()["detail"]
    assert reader.get("/health").json()["counts"]["feedback"] == 0


def rate(client: TestClient, mentor_id: str, rating: int, raters: int, first: int = 0) -> None:
    """``raters`` distinct past mentees (numbered from ``first``) each give ``mentor_id``
    the same rating."""
    for i in range(first, first + raters):
        body = feedback_body(mentor_id, rating, mentee_id=f"past{mentor_id}{i}")
        assert client.post("/v1/feedback", json=body).status_code == 201


def test_a_low_rating_lowers_that_mentors_feedback_component(client: TestClient) -> None:
    mentee = mentee_body()
    rate(client, "card2", 5, raters=3)
    before = by_id(suggest(client, mentee=mentee, k=ALL, filters={"include_full": True}))

    rate(client, "card1", 1, raters=3)
    after = by_id(suggest(client, mentee=mentee, k=ALL, filters={"include_full": True}))

    card1_before = before["card1"]["components"]["feedback"]["value"]
    card1_after = after["card1"]["components"]["feedback"]["value"]
    assert card1_after < card1_before
    assert card1_after < after["card2"]["components"]["feedback"]["value"]
    assert after["card1"]["score"] < before["card1"]["score"]


def test_ratings_from_fewer_than_3_mentees_are_neither_shown_nor_used(client: TestClient) -> None:
    mentee = mentee_body()
    rate(client, "card2", 5, raters=3)
    baseline = by_id(suggest(client, mentee=mentee, k=ALL, filters={"include_full": True}))
    rate(client, "card1", 1, raters=2)
    after = by_id(suggest(client, mentee=mentee, k=ALL, filters={"include_full": True}))
    two = after["card1"]
    assert two["components"]["feedback"]["withheld"] is True
    # Ranked exactly as before the two ratings, like an unrated mentor: neither the score
    # nor the program mean reveals anything about them.
    assert two["score"] == baseline["card1"]["score"]
    assert two["components"]["feedback"] == {
        **baseline["card1"]["components"]["feedback"],
        "withheld": True,
    }
    assert after["orth1"]["score"] == baseline["orth1"]["score"]
    assert "Rated" not in two["explanation"] and not any("Rated" in r for r in two["reasons"])
    rate(client, "card1", 1, raters=1, first=2)
    three = by_id(suggest(client, mentee=mentee, k=ALL, filters={"include_full": True}))["card1"]
    assert three["components"]["feedback"]["withheld"] is False
    assert "Rated 1.0/5 by 3 past mentees." in three["reasons"]
