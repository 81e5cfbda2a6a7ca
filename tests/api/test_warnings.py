"""Unknown specialties are accepted as written, and the answer warns about them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.api_support import client as client  # a pytest fixture
from tests.api.api_support import mentee_body, mentor_body, suggest, suggested_ids
from tests.api.api_support import reader as reader  # a pytest fixture

CARDIOLGY = 'target_specialties: "cardiolgy" is not a known specialty; did you mean "cardiology"?'


def only_warning(payload: dict[str, Any]) -> dict[str, Any]:
    warnings = payload["warnings"]
    assert len(warnings) == 1, warnings
    return dict(warnings[0])


def test_a_misspelled_target_is_suggested_for_and_warned_about(reader: TestClient) -> None:
    body = mentee_body(target_specialties=["cardiolgy"])
    response = suggest(reader, mentee=body, k=3)
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 3
    assert only_warning(response.json()) == {
        "field": "target_specialties",
        "value": "cardiolgy",
        "message": CARDIOLGY,
        "suggestions": ["cardiology"],
    }
    # The suggestions are what they were without the warning: the unknown target is ignored.
    without = suggest(reader, mentee=mentee_body(target_specialties=["banana"]), k=3)
    assert suggested_ids(response) == suggested_ids(without)


def test_an_unknown_filter_specialty_is_warned_about(reader: TestClient) -> None:
    body = mentee_body(target_specialties=["cardiology"])
    response = suggest(reader, mentee=body, k=3, filters={"specialties": ["dermatolgy"]})
    assert response.status_code == 200, response.text
    warning = only_warning(response.json())
    assert (warning["field"], warning["value"]) == ("filters.specialties", "dermatolgy")
    assert warning["suggestions"] == ["dermatology"]
    assert "dermatology" in warning["message"]


def test_a_correct_profile_has_no_warnings(reader: TestClient) -> None:
    body = mentee_body(target_specialties=["cardiology", "cards", "Ob/Gyn"])
    response = suggest(reader, mentee=body, k=3, filters={"specialties": ["cardiology"]})
    assert response.status_code == 200, response.text
    assert response.json()["warnings"] == []


def test_a_mentee_put_stores_a_misspelled_target_and_warns(client: TestClient) -> None:
    written = client.put("/v1/mentees/m1", json=mentee_body(target_specialties=["cardiolgy"]))
    assert written.status_code == 201, written.text
    assert written.json()["id"] == "m1"
    warning = only_warning(written.json())
    assert (warning["field"], warning["value"], warning["message"]) == (
        "target_specialties",
        "cardiolgy",
        CARDIOLGY,
    )
    assert client.get("/v1/mentees/m1").json()["target_specialties"] == ["cardiolgy"]

    stored = client.get("/v1/mentees/m1/suggestions", params={"k": 2})
    assert stored.status_code == 200, stored.text
    assert stored.json()["count"] == 2
    assert only_warning(stored.json())["message"] == CARDIOLGY

    fixed = client.put("/v1/mentees/m1", json=mentee_body(target_specialties=["cardiology"]))
    assert fixed.status_code == 200, fixed.text
    assert fixed.json() == {"id": "m1", "created": False}  # no warnings: the shape of 0.1.0
    assert client.get("/v1/mentees/m1/suggestions").json()["warnings"] == []


def test_a_mentor_put_warns_about_specialty_and_subspecialties(client: TestClient) -> None:
    body = mentor_body("new1", specialty="nephrolgy", subspecialties=["dialysis", "transplnt"])
    written = client.put("/v1/mentors/new1", json=body)
    assert written.status_code == 201, written.text
    fields = [(w["field"], w["value"]) for w in written.json()["warnings"]]
    assert fields == [("specialty", "nephrolgy"), ("subspecialties", "transplnt")]
    assert written.json()["warnings"][0]["suggestions"][0] == "nephrology"
    assert client.get("/v1/mentors/new1").json()["specialty"] == "nephrolgy"

    fine = client.put("/v1/mentors/new2", json=mentor_body("new2", specialty="nephrology"))
    assert fine.status_code == 201, fine.text
    assert "warnings" not in fine.json()
