"""The HTTP API's error answers: 404 for unknown ids, 422 for bad requests, 413 for big bodies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from recommender.engine import Engine
from tests.api.api_support import (
    ALL,
    assert_422_mentioning,
    assert_422_naming,
    error_locs,
    mentee_body,
    mentor_body,
    stored_mentee,
    suggest,
)
from tests.api.api_support import client as client  # a pytest fixture
from tests.api.api_support import reader as reader  # a pytest fixture

# -- errors: 404 ----------------------------------------------------------------------------


def test_suggestions_for_an_unknown_mentee_id_are_404_naming_it(reader: TestClient) -> None:
    response = suggest(reader, mentee_id="nobody1")
    assert response.status_code == 404, response.text
    assert "nobody1" in response.json()["detail"]
    response = reader.get("/v1/mentees/nobody1/suggestions")
    assert response.status_code == 404, response.text
    assert "nobody1" in response.json()["detail"]


def test_get_an_unknown_mentor_is_404_naming_it(reader: TestClient) -> None:
    response = reader.get("/v1/mentors/nobody2")
    assert response.status_code == 404, response.text
    assert "nobody2" in response.json()["detail"]


# -- errors: 422 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"k": "ten"}, "k"),
        ({"k": 1.5}, "k"),
        ({"k": 0}, "k"),
        ({"k": 101}, "k"),
        ({"mentee": mentee_body(interests=5)}, "interests"),  # type: ignore[arg-type]
        ({"mentee": mentee_body(stage="MS9")}, "stage"),
        ({"mentee": mentee_body(timezone="Mars/Olympus")}, "timezone"),
        ({"mentee": mentee_body(role="admin")}, "role"),
        ({"role": "admin"}, "role"),
        ({"mentee": mentee_body(["x" * 301])}, "interests"),
        ({"filters": {"include_full": "sometimes"}}, "include_full"),
    ],
    ids=[
        "k-text",
        "k-float",
        "k-0",
        "k-101",
        "interests-int",
        "stage-MS9",
        "timezone-mars",
        "mentee-role",
        "request-role",
        "interest-301-chars",
        "filter-type",
    ],
)
def test_bad_suggestion_requests_are_422_naming_the_field(
    reader: TestClient, change: dict[str, Any], field: str
) -> None:
    body = {"mentee": mentee_body(), **change}
    assert_422_naming(suggest(reader, **body), field)


def test_an_interest_of_300_characters_is_accepted(reader: TestClient) -> None:
    assert suggest(reader, mentee=mentee_body(["x" * 300])).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"capacity": -1}, "capacity"),
        ({"capacity": 1, "current_mentees": 2}, "current_mentees"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"role": "admin"}, "role"),
        ({"career_stage": "MS9"}, "career_stage"),
        ({"capacity": "two"}, "capacity"),
    ],
    ids=["capacity-negative", "over-capacity", "timezone-mars", "role", "stage", "capacity-text"],
)
def test_bad_mentor_bodies_are_422_naming_the_field(
    reader: TestClient, change: dict[str, Any], field: str
) -> None:
    response = reader.put("/v1/mentors/bad1", json={**mentor_body("bad1"), **change})
    assert_422_mentioning(response, field)
    assert reader.get("/health").json()["counts"]["mentors"] == ALL


def test_both_mentee_id_and_mentee_is_422(reader: TestClient) -> None:
    response = suggest(reader, mentee_id="m1", mentee=mentee_body())
    assert_422_mentioning(response, "mentee_id")


def test_neither_mentee_id_nor_mentee_is_422(reader: TestClient) -> None:
    assert_422_mentioning(suggest(reader, k=3), "mentee_id")


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"[1, 2]", b'"mentee_id"'],
    ids=["empty", "not-json", "array", "string"],
)
def test_a_body_that_is_not_a_json_object_is_422(reader: TestClient, content: bytes) -> None:
    response = reader.post(
        "/v1/suggestions", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert all(loc[0] == "body" for loc in error_locs(response))


def test_empty_interests_without_goals_or_targets_is_422(reader: TestClient) -> None:
    for interests in ([], [""], ["   "], ["\x00\x01"]):
        response = suggest(reader, mentee={"stage": "PGY2", "interests": interests})
        assert_422_mentioning(response, "interests")


def test_k_out_of_range_on_get_suggestions_is_422(
    client: TestClient, faculty_engine: Engine
) -> None:
    faculty_engine.write("mentees", [stored_mentee("m3")])
    for k in ("0", "101", "ten", "1.5"):
        assert_422_naming(client.get("/v1/mentees/m3/suggestions", params={"k": k}), "k")
    assert client.get("/v1/mentees/m3/suggestions", params={"k": "100"}).status_code == 200


def test_put_with_a_body_id_differing_from_the_path_is_422_naming_id(client: TestClient) -> None:
    response = client.put("/v1/mentors/new3", json=mentor_body("other3"))
    assert_422_naming(response, "id")
    response = client.put("/v1/mentees/new3", json=mentee_body(id="other3"))
    assert_422_naming(response, "id")
    counts = client.get("/health").json()["counts"]
    assert (counts["mentors"], counts["mentees"]) == (ALL, 0)


@pytest.mark.parametrize(
    "record_id",
    ["a%20b", "a" * 65, "-leading", "%C3%A9t%C3%A9", "x%00y"],
    ids=["space", "65-chars", "leading-symbol", "non-ascii", "nul"],
)
@pytest.mark.parametrize("kind", ["mentors", "mentees"])
def test_an_illegal_path_id_is_a_client_error_never_500(
    reader: TestClient, kind: str, record_id: str
) -> None:
    body = mentor_body("ok1") if kind == "mentors" else mentee_body()
    body.pop("id", None)
    for response in (
        reader.get(f"/v1/{kind}/{record_id}"),
        reader.put(f"/v1/{kind}/{record_id}", json=body),
        reader.delete(f"/v1/{kind}/{record_id}"),
    ):
        assert response.status_code in (404, 422), (response.request.method, response.text)
    if kind == "mentees":
        response = reader.get(f"/v1/mentees/{record_id}/suggestions")
        assert response.status_code in (404, 422), response.text


# -- errors: 413 ----------------------------------------------------------------------------


def test_a_body_over_one_million_bytes_is_413(reader: TestClient) -> None:
    padding = "heart " * 170_000  # about 1,020,000 bytes
    body = {"mentee": mentee_body([padding[:300]], goals=[padding])}
    response = reader.post("/v1/suggestions", json=body)
    assert response.status_code == 413, response.text


def test_a_chunked_body_over_one_million_bytes_is_413(reader: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"mentee": {"stage": "PGY2", "interests": ["heart"], "goals": ["'
        for _ in range(11):
            yield b"heart " * 16_000
        yield b'"]}}'

    response = reader.post(
        "/v1/suggestions", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text
