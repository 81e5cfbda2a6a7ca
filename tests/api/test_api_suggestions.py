"""The HTTP API's health, OpenAPI and suggestions, and a change showing in the next answer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from recommender.domain.profiles import Mentee
from recommender.engine import Engine
from tests.api.api_support import (
    ALL,
    HFPEF,
    assert_well_formed,
    faculty_body,
    mentee_body,
    mentor_body,
    stored_mentee,
    suggest,
    suggested_ids,
)
from tests.api.api_support import client as client  # a pytest fixture
from tests.api.api_support import reader as reader  # a pytest fixture
from tests.conftest import FACULTY

# -- health and OpenAPI ---------------------------------------------------------------------


def test_health_reports_counts_model_and_an_index_in_sync(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    health = response.json()
    assert health["counts"] == {"mentors": ALL, "mentees": 0, "feedback": 0, "cohorts": 0}
    assert "MiniLM" in health["model_id"]
    assert health["index"]["mentors"] == ALL
    assert health["index"]["in_sync"] is True


def test_openapi_lists_the_suggestion_and_health_routes(reader: TestClient) -> None:
    response = reader.get("/openapi.json")
    assert response.status_code == 200, response.text
    paths = response.json()["paths"]
    assert "/v1/suggestions" in paths
    assert "/health" in paths
    assert "/v1/mentors/{record_id}" in paths


# -- suggestions ----------------------------------------------------------------------------


def test_suggestions_for_a_stored_mentee_are_ranked_and_explained(client: TestClient) -> None:
    assert client.put("/v1/mentees/m1", json=mentee_body()).status_code == 201
    response = suggest(client, mentee_id="m1", k=5)
    assert response.status_code == 200, response.text
    assert response.json()["mentee_id"] == "m1"
    assert_well_formed(response.json(), 5)


def test_suggestions_for_an_inline_mentee_are_ranked_and_explained(reader: TestClient) -> None:
    response = suggest(reader, mentee=mentee_body(), k=4)
    assert response.status_code == 200, response.text
    assert_well_formed(response.json(), 4)


def test_a_paraphrase_of_card1s_research_finds_card1_in_the_top_3(reader: TestClient) -> None:
    response = suggest(reader, mentee=mentee_body([HFPEF]), k=5)
    assert "card1" in suggested_ids(response)[:3]


def test_get_suggestions_for_a_stored_mentee_returns_k(
    client: TestClient, faculty_engine: Engine
) -> None:
    # Seeded through the library so this checks the GET route on its own.
    faculty_engine.write("mentees", [stored_mentee("m2")])
    response = client.get("/v1/mentees/m2/suggestions", params={"k": 3})
    assert response.status_code == 200, response.text
    assert response.json()["mentee_id"] == "m2"
    assert_well_formed(response.json(), 3)
    assert "card1" in suggested_ids(response)


def test_k_of_100_is_accepted_and_returns_every_mentor(reader: TestClient) -> None:
    response = suggest(reader, mentee=mentee_body(), k=100)
    assert sorted(suggested_ids(response)) == sorted(m.id for m in FACULTY)
    assert_well_formed(response.json(), ALL)


# -- a change is reflected in the next suggestion -------------------------------------------


def test_a_new_mentor_matching_the_interest_exactly_comes_first(client: TestClient) -> None:
    interest = "gut microbiome in inflammatory bowel disease"
    before = suggested_ids(suggest(client, mentee=mentee_body([interest]), k=5))
    assert "gi1" not in before
    body = mentor_body("gi1", specialty="gastroenterology", research_areas=[interest])
    assert client.put("/v1/mentors/gi1", json=body).status_code == 201
    after = suggested_ids(suggest(client, mentee=mentee_body([interest]), k=5))
    assert after[0] == "gi1"


def test_a_repeated_stored_mentee_request_is_answered_from_memory_until_a_write(
    client: TestClient, faculty_engine: Engine
) -> None:
    """The same stored-mentee request again is served as rendered (not even the profile is
    read), by POST and GET alike; a change to the mentee shows in the very next answer."""
    assert client.put("/v1/mentees/m3", json=mentee_body()).status_code == 201
    reads: list[str] = []
    store = faculty_engine.store
    read = store.get_mentee

    def counted(mentee_id: str) -> Mentee:  # a spy: counts the reads, then reads
        reads.append(mentee_id)
        return read(mentee_id)

    store.get_mentee = counted  # type: ignore[method-assign]
    try:
        first = suggest(client, mentee_id="m3", k=5)
        again = suggest(client, mentee_id="m3", k=5)
        got = client.get("/v1/mentees/m3/suggestions", params={"k": 5})
        assert first.status_code == again.status_code == got.status_code == 200
        assert first.content == again.content == got.content
        assert reads == ["m3"]  # computed once; the repeat and the GET came from memory
        changed = mentee_body(["gut microbiome in inflammatory bowel disease"])
        assert client.put("/v1/mentees/m3", json=changed).status_code == 200
        after = suggest(client, mentee_id="m3", k=5)
        assert after.status_code == 200 and after.content != first.content
        assert len(reads) == 2
    finally:
        del store.get_mentee
    missing = suggest(client, mentee_id="nobody", k=5)
    assert missing.status_code == 404, missing.text


def test_a_full_mentor_disappears_and_include_full_brings_it_back(client: TestClient) -> None:
    mentee = mentee_body()
    assert "card1" in suggested_ids(suggest(client, mentee=mentee, k=ALL))
    full = faculty_body("card1", current_mentees=3, capacity=3)
    assert client.put("/v1/mentors/card1", json=full).status_code == 200

    assert "card1" not in suggested_ids(suggest(client, mentee=mentee, k=ALL))
    with_full = suggest(client, mentee=mentee, k=ALL, filters={"include_full": True})
    assert "card1" in suggested_ids(with_full)


def test_a_deleted_mentor_is_never_suggested(client: TestClient) -> None:
    assert client.delete("/v1/mentors/card1").status_code == 204
    response = suggest(client, mentee=mentee_body(), k=100, filters={"include_full": True})
    ids = suggested_ids(response)
    assert "card1" not in ids
    assert len(ids) == ALL - 1
    assert client.get("/health").json()["index"]["mentors"] == ALL - 1
