"""Input limits: batch size, text and list lengths, empty texts after cleaning, NFC.

Each limit is answered with 413 or 422 and a message naming the field, and nothing is
written from a refused request.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from recommender.domain.profiles import MAX_ITEMS, MAX_TEXT
from recommender.engine import Engine
from tests.conftest import api_client


@pytest.fixture
def admin(faculty_engine: Engine) -> Iterator[TestClient]:
    with api_client(faculty_engine, raise_server_exceptions=False) as client:
        yield client


def new_mentor(i: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"n{i}",
        "name": f"Dr N{i}",
        "career_stage": "senior",
        "specialty": "cardiology",
        **fields,
    }


def test_a_batch_over_the_limit_is_413_and_writes_nothing(
    admin: TestClient, faculty_engine: Engine
) -> None:
    limit = faculty_engine.settings.max_batch
    before = faculty_engine.store.counts()["mentors"]
    reply = admin.post(
        "/v1/ingest/mentors", json={"records": [new_mentor(i) for i in range(limit + 1)]}
    )
    assert reply.status_code == 413
    assert f"at most {limit}" in reply.json()["detail"]
    assert faculty_engine.store.counts()["mentors"] == before


def test_one_bad_record_in_a_batch_is_422_naming_it_and_writes_nothing(
    admin: TestClient, faculty_engine: Engine
) -> None:
    before = faculty_engine.store.counts()["mentors"]
    records = [new_mentor(1), new_mentor(2, capacity=-1), new_mentor(3)]
    reply = admin.post("/v1/ingest/mentors", json={"records": records})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "records", 1, "capacity"]
    assert faculty_engine.store.counts()["mentors"] == before
    ok = admin.post("/v1/ingest/mentors", json={"records": [new_mentor(1), new_mentor(3)]})
    assert ok.json() == {"inserted": 2, "updated": 0, "unchanged": 0}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"bio": "x" * (MAX_TEXT + 1)}, "bio"),
        ({"interests": [f"topic {i}" for i in range(MAX_ITEMS + 1)]}, "interests"),
        ({"name": "\u0000\u0007\u200b"}, "name"),
        ({"name": "   "}, "name"),
        ({"email": "not an address"}, "email"),
        ({"capacity": 10**9}, "capacity"),
    ],
    ids=["long-text", "long-list", "control-only-name", "blank-name", "email", "capacity"],
)
def test_a_mentor_breaking_a_limit_is_422_naming_the_field(
    admin: TestClient, fields: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in new_mentor(9, **fields).items() if k != "id"}
    reply = admin.put("/v1/mentors/n9", json=body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"][-1] == field
    assert admin.get("/v1/mentors/n9").status_code == 404


def test_text_is_stored_nfc_normalised_without_control_characters(admin: TestClient) -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë Ångström")
    body = new_mentor(8, name=decomposed + "\u0000", interests=["caf\u0065\u0301\tmedicine"])
    assert admin.put("/v1/mentors/n8", json=body).status_code == 201
    stored = admin.get("/v1/mentors/n8").json()
    assert stored["name"] == unicodedata.normalize("NFC", "Zoë Ångström")
    assert stored["interests"] == ["café medicine"]


def test_filters_and_member_lists_have_bounds(admin: TestClient) -> None:
    too_many = {
        "mentee": {"stage": "MS1", "interests": ["x"]},
        "filters": {"exclude": ["a"] * 1001},
    }
    reply = admin.post("/v1/suggestions", json=too_many)
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"][-1] == "exclude"
    members = admin.post("/v1/cohorts/none/members", json={"mentee_ids": ["a"] * 10_001})
    assert members.status_code == 422
