"""The HTTP API's record routes: PUT, GET, DELETE and list of mentors and mentees."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.api_support import (
    ALL,
    HFPEF,
    assert_422_naming,
    mentee_body,
    mentor_body,
)
from tests.api.api_support import client as client  # a pytest fixture
from tests.api.api_support import reader as reader  # a pytest fixture
from tests.conftest import FACULTY

# -- records: PUT / GET / DELETE / list -----------------------------------------------------


def test_put_mentor_creates_201_then_replaces_200_and_get_returns_it(client: TestClient) -> None:
    body = mentor_body("new1", specialty="gastroenterology", research_areas=["IBD"])
    created = client.put("/v1/mentors/new1", json=body)
    assert created.status_code == 201, created.text
    assert created.json() == {"id": "new1", "created": True}
    assert client.get("/v1/mentors/new1").json() == body

    body["research_areas"] = ["inflammatory bowel disease biologics"]
    replaced = client.put("/v1/mentors/new1", json=body)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json() == {"id": "new1", "created": False}
    got = client.get("/v1/mentors/new1")
    assert got.status_code == 200
    assert got.json() == body


def test_put_mentor_without_id_in_body_takes_the_path_id(client: TestClient) -> None:
    body = mentor_body("new2")
    del body["id"]
    assert client.put("/v1/mentors/new2", json=body).status_code == 201
    assert client.get("/v1/mentors/new2").json()["id"] == "new2"


def test_put_mentee_creates_201_then_replaces_200_and_get_returns_it(client: TestClient) -> None:
    created = client.put("/v1/mentees/m1", json=mentee_body(name="Ana"))
    assert created.status_code == 201, created.text
    got = client.get("/v1/mentees/m1")
    assert got.status_code == 200, got.text
    assert got.json()["name"] == "Ana"
    assert got.json()["interests"] == [HFPEF]

    replaced = client.put("/v1/mentees/m1", json=mentee_body(["sports medicine"], stage="MS4"))
    assert replaced.status_code == 200, replaced.text
    got = client.get("/v1/mentees/m1").json()
    assert (got["stage"], got["interests"], got["name"]) == ("MS4", ["sports medicine"], "")


@pytest.mark.parametrize("kind", ["mentors", "mentees"])
def test_delete_is_204_then_get_and_delete_again_are_404(client: TestClient, kind: str) -> None:
    body = mentor_body("gone1") if kind == "mentors" else mentee_body()
    assert client.put(f"/v1/{kind}/gone1", json=body).status_code == 201
    deleted = client.delete(f"/v1/{kind}/gone1")
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""
    missing = client.get(f"/v1/{kind}/gone1")
    assert missing.status_code == 404, missing.text
    assert "gone1" in missing.json()["detail"]
    again = client.delete(f"/v1/{kind}/gone1")
    assert again.status_code == 404, again.text


def test_mentor_list_is_data_and_count_with_offset_and_limit(reader: TestClient) -> None:
    everyone = sorted(m.id for m in FACULTY)
    page = reader.get("/v1/mentors")
    assert page.status_code == 200
    assert page.json()["count"] == ALL
    assert [m["id"] for m in page.json()["data"]] == everyone

    page = reader.get("/v1/mentors", params={"offset": 2, "limit": 3}).json()
    assert page["count"] == ALL
    assert [m["id"] for m in page["data"]] == everyone[2:5]

    past_end = reader.get("/v1/mentors", params={"offset": 50}).json()
    assert past_end == {"data": [], "count": ALL}


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}])
def test_mentor_list_rejects_bad_paging(reader: TestClient, params: dict[str, int]) -> None:
    assert_422_naming(reader.get("/v1/mentors", params=params), next(iter(params)))


def test_mentee_list_counts_stored_mentees(client: TestClient) -> None:
    for mentee_id in ("a1", "b1"):
        assert client.put(f"/v1/mentees/{mentee_id}", json=mentee_body()).status_code == 201
    page = client.get("/v1/mentees").json()
    assert page["count"] == 2
    assert [m["id"] for m in page["data"]] == ["a1", "b1"]
