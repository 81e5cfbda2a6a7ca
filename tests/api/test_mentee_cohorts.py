"""What a mentee key learns of its cohorts (``GET /v1/me``) and suggestions restricted to one
cohort's mentors (``?cohort=``): what the mentee page needs to request a mentor."""

from __future__ import annotations

from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort, MentorRequest
from recommender.engine import Engine
from tests.conftest import api_client, mentee


def world(engine: Engine) -> None:
    engine.write(
        Kind.MENTEES,
        [mentee("me1", interests=["heart failure"]), mentee("me2", interests=["acne"])],
    )
    engine.write(
        Kind.COHORTS,
        [
            Cohort(
                id="c1",
                name="Cardiology 2027",
                mentee_ids=["me1"],
                mentor_ids=["card1", "card2"],
                requests=[MentorRequest(mentee_id="me1", mentor_id="card2", note="met")],
            ),
            Cohort(id="c2", mentee_ids=["me2"], mentor_ids=["derm1"]),
        ],
    )


def test_a_mentee_sees_their_cohorts_and_own_request(faculty_engine: Engine) -> None:
    world(faculty_engine)
    with api_client(faculty_engine, "mentee", "me1") as client:
        me = client.get("/v1/me").json()
    assert me["cohorts"] == [
        {
            "id": "c1",
            "name": "Cardiology 2027",
            "request": {"mentee_id": "me1", "mentor_id": "card2", "note": "met"},
        }
    ]
    with api_client(faculty_engine) as admin:
        assert admin.get("/v1/me").json()["cohorts"] == []


def test_suggestions_within_a_cohort(faculty_engine: Engine) -> None:
    world(faculty_engine)
    with api_client(faculty_engine, "mentee", "me1") as client:
        everyone = client.get("/v1/mentees/me1/suggestions", params={"k": 20}).json()["data"]
        assert len({s["mentor_id"] for s in everyone}) > 2
        mine = client.get("/v1/mentees/me1/suggestions", params={"cohort": "c1"}).json()
        assert {s["mentor_id"] for s in mine["data"]} == {"card1", "card2"}
        other = client.get("/v1/mentees/me1/suggestions", params={"cohort": "c2"})
        assert other.status_code == 404  # not theirs: as if missing
        bad = client.get("/v1/mentees/me1/suggestions", params={"cohort": "no such!"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "cohort"
