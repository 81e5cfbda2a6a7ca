"""Cohort assignment over HTTP: capacities, conflicts, locks, fairness, infeasibility."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient

from recommender.engine import Engine
from tests.conftest import api_client, mentee, mentor

TOPICS = {
    "card": ("cardiology", "heart failure with preserved ejection fraction"),
    "derm": ("dermatology", "melanoma early detection"),
    "neph": ("nephrology", "acute kidney injury after cardiac surgery"),
}


def program(engine: Engine) -> None:
    engine.write(
        "mentors",
        [
            mentor(f"{key}-m", spec, research_areas=[topic], capacity=3)
            for key, (spec, topic) in TOPICS.items()
        ],
    )
    engine.write(
        "mentees",
        [
            mentee(
                f"{key}-e{i}",
                interests=[topic],
                conflicts=["card-m"] if key == "neph" and i == 0 else [],
            )
            for key, (_, topic) in TOPICS.items()
            for i in range(2)
        ],
    )


def whole_program(client: TestClient) -> None:
    """Cohort ``p``: every mentee and mentor of ``program``."""
    client.put(
        "/v1/cohorts/p",
        json={
            "mentee_ids": [f"{k}-e{i}" for k in TOPICS for i in range(2)],
            "mentor_ids": [f"{k}-m" for k in TOPICS],
        },
    )


def test_assignment_respects_capacity_conflicts_and_locks(engine: Engine) -> None:
    program(engine)
    with api_client(engine) as client:
        whole_program(client)
        body = client.post("/v1/cohorts/p/assignments", json={}).json()
        pairs = {(p["mentee_id"], p["mentor_id"]) for p in body["pairs"]}
        assert pairs == {(f"{k}-e{i}", f"{k}-m") for k in TOPICS for i in range(2)}
        assert max(Counter(m for _, m in pairs).values()) <= 3
        assert all(p["explanation"] for p in body["pairs"])
        assert set(body["objectives"]) == {"total", "fair"}
        locked = client.post(
            "/v1/cohorts/p/assignments",
            json={"locked": [["derm-e0", "card-m"]], "forbidden": [["card-e1", "card-m"]]},
        ).json()
        got = {(p["mentee_id"], p["mentor_id"]) for p in locked["pairs"]}
        assert ("derm-e0", "card-m") in got and ("card-e1", "card-m") not in got
        assert ("neph-e0", "card-m") not in got  # declared conflict
        fair = client.post("/v1/cohorts/p/assignments", json={"mode": "fair"}).json()
        assert fair["min_score"] >= body["min_score"] - 1e-12
        assert fair["objectives"]["total"]["total"] >= fair["total"] - 1e-12


def test_over_subscribed_cohort_is_assigned_in_part_and_bad_input_refused(
    engine: Engine,
) -> None:
    program(engine)
    with api_client(engine) as client:
        client.put(
            "/v1/cohorts/small",
            json={
                "mentee_ids": [f"{k}-e{i}" for k in TOPICS for i in range(2)],
                "mentor_ids": ["derm-m"],
            },
        )
        reply = client.post("/v1/cohorts/small/assignments", json={})
        assert reply.status_code == 201  # 6 mentees, 3 places: as many as the places allow
        assert len(reply.json()["pairs"]) == 3 and len(reply.json()["unmatched"]) == 3
        assert "3 mentor places for 6 mentees" in reply.json()["unmatched"][0]["reason"]
        bad = client.post("/v1/cohorts/small/assignments", json={"mode": "best"})
        assert bad.status_code == 422
        assert client.post("/v1/cohorts/none/assignments", json={}).status_code == 404


def test_review_override_survives_rerun_and_approval_updates_counts(engine: Engine) -> None:
    program(engine)
    with api_client(engine) as client:
        whole_program(client)
        draft = client.post("/v1/cohorts/p/assignments", json={})
        assert draft.status_code == 201 and draft.json()["status"] == "draft"
        aid = draft.json()["id"]
        base = f"/v1/cohorts/p/assignments/{aid}"
        no_reason = client.post(
            f"{base}/override", json={"mentee_id": "card-e0", "mentor_id": "derm-m"}
        )
        assert no_reason.status_code == 409 and "reason" in no_reason.json()["detail"]
        over = client.post(
            f"{base}/override",
            json={
                "mentee_id": "card-e0",
                "mentor_id": "derm-m",
                "reason": "asked for it",
            },
        ).json()
        assert ("card-e0", "derm-m") in {(p["mentee_id"], p["mentor_id"]) for p in over["pairs"]}
        locked = client.post(f"{base}/lock", json={"mentee_id": "neph-e1", "mentor_id": "neph-m"})
        assert locked.status_code == 200
        rerun = client.post(f"{base}/rerun", json={})
        assert rerun.status_code == 201
        new = rerun.json()
        pairs = {(p["mentee_id"], p["mentor_id"]) for p in new["pairs"]}
        assert {("card-e0", "derm-m"), ("neph-e1", "neph-m")} <= pairs
        assert client.get(base).json()["status"] == "superseded"
        assert client.post(f"{base}/approve", json={}).status_code == 409
        approved = client.post(f"/v1/cohorts/p/assignments/{new['id']}/approve", json={})
        assert approved.json()["status"] == "approved"
        derm = client.get("/v1/mentors/derm-m").json()
        assert derm["placed_mentees"] == sum(m == "derm-m" for _, m in pairs)
        everything = client.get("/v1/cohorts/p/audit").json()["data"]
        trail = [e for e in everything if not e["relationship_id"]]
        requests = [e for e in everything if e["action"] == "relationship request"]
        assert len(requests) == len(pairs), "each approved pair is requested of its mentor"
        assert [e["action"] for e in trail] == [
            "propose",
            "override",
            "lock",
            "propose",
            "rerun",
            "approve",
        ]
        assert trail[1]["reason"] == "asked for it" and trail[1]["actor"] == "admin:test-admin"
        assert client.get("/v1/cohorts/p/assignments").json()["count"] == 2
        assert client.get("/v1/cohorts/p/assignments/nope").status_code == 404


def test_mentee_request_is_visible_and_can_be_locked(engine: Engine) -> None:
    program(engine)
    with api_client(engine) as client:
        whole_program(client)
        asked = client.post(
            "/v1/cohorts/p/requests",
            json={"mentee_id": "card-e1", "mentor_id": "neph-m", "note": "met at a talk"},
        )
        assert asked.status_code == 200
        outsider = client.post(
            "/v1/cohorts/p/requests", json={"mentee_id": "x", "mentor_id": "neph-m"}
        )
        assert outsider.status_code == 422
        seen = client.get("/v1/cohorts/p/requests").json()
        assert seen["data"] == [
            {"mentee_id": "card-e1", "mentor_id": "neph-m", "note": "met at a talk"}
        ]
        plain = client.post("/v1/cohorts/p/assignments", json={}).json()
        assert ("card-e1", "neph-m") not in {
            (p["mentee_id"], p["mentor_id"]) for p in plain["pairs"]
        }
        honoured = client.post("/v1/cohorts/p/assignments", json={"lock_requests": True}).json()
        assert ("card-e1", "neph-m") in {
            (p["mentee_id"], p["mentor_id"]) for p in honoured["pairs"]
        }
        assert ["card-e1", "neph-m"] in honoured["requested"]
        assert honoured["not_honoured"] == []


def test_mentor_minimum_and_teams(engine: Engine) -> None:
    program(engine)
    with api_client(engine) as client:
        whole_program(client)
        body = client.post(
            "/v1/cohorts/p/assignments", json={"mentor_minimums": {"derm-m": 3}}
        ).json()
        assert sum(p["mentor_id"] == "derm-m" for p in body["pairs"]) >= 3
        team = client.post(
            "/v1/cohorts/p/assignments", json={"mentors_wanted": {"card-e0": 2}}
        ).json()
        mine = [p["mentor_id"] for p in team["pairs"] if p["mentee_id"] == "card-e0"]
        assert len(mine) == 2 and len(set(mine)) == 2
        too_many = client.post("/v1/cohorts/p/assignments", json={"mentor_minimums": {"derm-m": 4}})
        assert too_many.status_code == 422
