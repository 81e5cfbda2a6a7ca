"""A program's first week over HTTP (issue 11, problems 1–4): approved places that survive a
re-import, one approved assignment per cohort, partial assignment of over-subscribed cohorts,
overrides to any free mentor, swaps, and an assignment that agrees with the shortlists."""

from __future__ import annotations

import csv
import io
from collections import Counter

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from recommender.domain.kinds import Kind
from recommender.engine import Engine
from recommender.matching.review import Review
from tests.conftest import api_client, mentee, mentor

TOPICS = {
    "card": ("cardiology", "heart failure with preserved ejection fraction"),
    "derm": ("dermatology", "melanoma early detection"),
    "neph": ("nephrology", "acute kidney injury after cardiac surgery"),
}
MENTORS = [f"{k}-m" for k in TOPICS]
MENTEES = [f"{k}-e{i}" for k in TOPICS for i in range(2)]


def program(engine: Engine, capacity: int = 1, current: int = 0) -> None:
    """Three mentors of ``capacity`` places; six mentees, two per topic; one conflict."""
    engine.write(Kind.MENTORS, mentors(capacity, current))
    engine.write(
        Kind.MENTEES,
        [
            mentee(
                f"{key}-e{i}",
                name=f"Trainee {key} {i}",
                target_specialties=[spec],
                interests=[topic],
                conflicts=["card-m"] if key == "neph" and i == 0 else [],
            )
            for key, (spec, topic) in TOPICS.items()
            for i in range(2)
        ],
    )


def mentors(capacity: int, current: int = 0) -> list:
    return [
        mentor(
            f"{key}-m",
            spec,
            research_areas=[topic],
            capacity=capacity,
            current_mentees=current,
        )
        for key, (spec, topic) in TOPICS.items()
    ]


def cohort(client: TestClient, mentee_ids: list[str] = MENTEES) -> None:
    response = client.put("/v1/cohorts/p", json={"mentee_ids": mentee_ids, "mentor_ids": MENTORS})
    assert response.status_code in (200, 201), response.text


def propose(client: TestClient, **body: object) -> dict:
    response = client.post("/v1/cohorts/p/assignments", json=body)
    assert response.status_code == 201, response.text
    return response.json()


# -- problem 1: approved places apart from imported data; one approved per cohort -----------


def test_reimport_neither_frees_nor_double_books_an_approved_place(engine: Engine) -> None:
    program(engine, capacity=2)
    with api_client(engine) as client:
        cohort(client, ["card-e0", "derm-e0"])
        draft = propose(client)
        assert client.post(f"/v1/cohorts/p/assignments/{draft['id']}/approve").status_code == 200
        placed = {m: engine.store.get_mentor(m).placed_mentees for m in MENTORS}
        assert sum(placed.values()) == 2
        engine.write(Kind.MENTORS, mentors(capacity=2))  # the file again: current_mentees 0
        again = {m: engine.store.get_mentor(m).placed_mentees for m in MENTORS}
        assert again == placed
        free = {
            m["id"]: m["capacity"] - m["current_mentees"] - m["placed_mentees"]
            for m in client.get("/v1/mentors").json()["data"]
        }
        assert free == {m: 2 - placed[m] for m in MENTORS}


def test_a_cohort_has_one_approved_assignment_until_superseded(engine: Engine) -> None:
    program(engine, capacity=2)
    with api_client(engine) as client:
        cohort(client, ["card-e0", "derm-e0"])
        first = propose(client)
        client.post(f"/v1/cohorts/p/assignments/{first['id']}/approve")
        engine.write(Kind.MENTORS, mentors(capacity=2))  # re-import, as `make run` does
        second = propose(client)
        # The cohort's own approved places count as free for its next draft.
        assert {p["mentee_id"] for p in second["pairs"]} == {"card-e0", "derm-e0"}
        refused = client.post(f"/v1/cohorts/p/assignments/{second['id']}/approve")
        assert refused.status_code == 409
        assert first["id"] in refused.json()["detail"] and "supersede" in refused.json()["detail"]
        no_reason = client.post(f"/v1/cohorts/p/assignments/{first['id']}/supersede", json={})
        assert no_reason.status_code == 422
        gone = client.post(
            f"/v1/cohorts/p/assignments/{first['id']}/supersede",
            json={"reason": "mentee asked for a change"},
        )
        assert gone.status_code == 200 and gone.json()["status"] == "superseded"
        assert sum(engine.store.get_mentor(m).placed_mentees for m in MENTORS) == 0
        ok = client.post(f"/v1/cohorts/p/assignments/{second['id']}/approve")
        assert ok.status_code == 200
        placed = Review(engine).approved_pairs()
        assert Counter(e for e, _ in placed) == {"card-e0": 1, "derm-e0": 1}
        statuses = {
            a["id"]: a["status"] for a in client.get("/v1/cohorts/p/assignments").json()["data"]
        }
        assert statuses == {first["id"]: "superseded", second["id"]: "approved"}
        audit = client.get("/v1/cohorts/p/audit").json()["data"]
        event = next(e for e in audit if e["action"] == "supersede")
        assert event["reason"] == "mentee asked for a change" and event["details"]["released"] == 2
        again = client.post(
            f"/v1/cohorts/p/assignments/{first['id']}/supersede", json={"reason": "x"}
        )
        assert again.status_code == 409


# -- problem 2: over-subscribed cohorts are partially assigned ------------------------------


def test_oversubscribed_cohort_assigns_what_the_places_allow(engine: Engine) -> None:
    program(engine, capacity=1)  # 3 places for 6 mentees
    with api_client(engine) as client:
        cohort(client)
        for mode in ("total", "fair"):
            body = propose(client, mode=mode)
            assert body["mode"] == mode
            assert len(body["pairs"]) == 3
            assert Counter(p["mentor_id"] for p in body["pairs"]) == dict.fromkeys(MENTORS, 1)
            unmatched = {u["mentee_id"]: u["reason"] for u in body["unmatched"]}
            assert set(unmatched) | {p["mentee_id"] for p in body["pairs"]} == set(MENTEES)
            assert all("full" in reason for reason in unmatched.values())
            assert body["mentors_with_room"] == []
        fair, total = (propose(client, mode=m) for m in ("fair", "total"))
        assert fair["min_score"] >= total["min_score"] - 1e-9
        assert total["total"] >= fair["total"] - 1e-9


def test_locks_and_requests_that_cannot_be_kept_are_reported(engine: Engine) -> None:
    program(engine, capacity=1)
    with api_client(engine) as client:
        cohort(client)
        client.post("/v1/cohorts/p/requests", json={"mentee_id": "derm-e1", "mentor_id": "card-m"})
        body = propose(
            client,
            locked=[["neph-e0", "card-m"], ["card-e0", "card-m"], ["card-e1", "card-m"]],
            lock_requests=True,
        )
        refused = {(x["mentee_id"], x["mentor_id"]): x for x in body["not_honoured"]}
        assert "conflict" in refused[("neph-e0", "card-m")]["reason"]
        assert "no free place" in refused[("card-e1", "card-m")]["reason"]
        assert refused[("derm-e1", "card-m")]["kind"] == "requested"
        assert ("card-e0", "card-m") in {(p["mentee_id"], p["mentor_id"]) for p in body["pairs"]}
        assert ("card-e0", "card-m") in {tuple(k) for k in body["locked"]}


def test_a_mentee_no_mentor_may_take_is_unmatched_with_the_reason(engine: Engine) -> None:
    program(engine, capacity=3)
    with api_client(engine) as client:
        client.put("/v1/cohorts/p", json={"mentee_ids": ["neph-e0"], "mentor_ids": ["card-m"]})
        body = propose(client)
        assert body["pairs"] == []
        assert "declared conflict" in body["unmatched"][0]["reason"]
        assert body["mentors_with_room"][0] == {
            "mentor_id": "card-m",
            "mentor_name": "Dr Card-M",
            "specialty": "cardiology",
            "free": 3,
        }


# -- problem 3: overrides to any free mentor, swaps ---------------------------------------


def two_mentee_draft(engine: Engine, client: TestClient, capacity: int) -> dict:
    """A draft for card-e0 and derm-e0 with mentors of ``capacity`` places."""
    program(engine, capacity=capacity)
    cohort(client, ["card-e0", "derm-e0"])
    return propose(client)


def test_override_offers_every_free_mentor_and_swap_exchanges(engine: Engine) -> None:
    with api_client(engine) as client:
        draft = two_mentee_draft(engine, client, capacity=1)
        base = f"/v1/cohorts/p/assignments/{draft['id']}"
        options = client.get(f"{base}/options", params={"mentee_id": "card-e0"}).json()
        offered = {o["mentor_id"]: o for o in options["data"]}
        assert set(offered) == {"card-m", "neph-m"}  # derm-m's one place is taken
        assert offered["card-m"]["current"] and offered["neph-m"]["free"] == 1
        full = client.post(
            f"{base}/override", json={"mentee_id": "card-e0", "mentor_id": "derm-m", "reason": "x"}
        )
        assert full.status_code == 409 and "derm-m" in full.json()["detail"]
        moved = client.post(
            f"{base}/override",
            json={"mentee_id": "card-e0", "mentor_id": "neph-m", "reason": "wants nephrology"},
        ).json()
        assert {p["mentee_id"]: p["mentor_id"] for p in moved["pairs"]}["card-e0"] == "neph-m"
        assert {r["mentor_id"] for r in moved["mentors_with_room"]} == {"card-m"}
        swapped = client.post(
            f"{base}/swap", json={"mentee_a": "card-e0", "mentee_b": "derm-e0", "reason": "trial"}
        )
        assert swapped.status_code == 200, swapped.text
        pairs = {p["mentee_id"]: p["mentor_id"] for p in swapped.json()["pairs"]}
        assert pairs == {"card-e0": "derm-m", "derm-e0": "neph-m"}
        assert {tuple(k) for k in swapped.json()["locked"]} >= set(pairs.items())
        bad = client.post(
            f"{base}/swap", json={"mentee_a": "card-e0", "mentee_b": "nobody", "reason": "x"}
        )
        assert bad.status_code == 409 and "nobody" in bad.json()["detail"]
        actions = [e["action"] for e in client.get("/v1/cohorts/p/audit").json()["data"]]
        assert actions == ["propose", "override", "swap"]


def test_an_unmatched_mentee_can_be_given_a_mentor_with_room(engine: Engine) -> None:
    program(engine, capacity=1)
    with api_client(engine) as client:
        cohort(client, ["card-e0", "card-e1", "neph-e0"])
        engine.write(Kind.MENTORS, [mentors(capacity=1)[0].model_copy(update={"capacity": 1})])
        draft = propose(
            client, forbidden=[["card-e1", "card-m"], ["card-e1", "neph-m"], ["card-e1", "derm-m"]]
        )
        assert [u["mentee_id"] for u in draft["unmatched"]] == ["card-e1"]
        room = {r["mentor_id"] for r in draft["mentors_with_room"]}
        assert room, "a mentor must be left with room"
        base = f"/v1/cohorts/p/assignments/{draft['id']}"
        offered = client.get(f"{base}/options", params={"mentee_id": "card-e1"}).json()["data"]
        assert {o["mentor_id"] for o in offered} == room
        given = client.post(
            f"{base}/override",
            json={"mentee_id": "card-e1", "mentor_id": sorted(room)[0], "reason": "by hand"},
        ).json()
        assert given["unmatched"] == []


# -- problem 4: the assignment agrees with the shortlists -----------------------------------


def test_rank_is_the_shortlist_position_and_names_survive_approval(engine: Engine) -> None:
    program(engine, capacity=2)
    with api_client(engine) as client:
        cohort(client)
        before = client.get("/v1/cohorts/p/shortlists", params={"k": 3}).json()["data"]
        draft = propose(client)
        order = {s["mentee_id"]: [x["mentor_id"] for x in s["data"]] for s in before}
        for p in draft["pairs"]:
            assert p["rank_for_mentee"] == order[p["mentee_id"]].index(p["mentor_id"]) + 1
            assert p["mentor_name"].startswith("Dr ") and p["mentee_name"].startswith("Trainee")
        client.post(f"/v1/cohorts/p/assignments/{draft['id']}/approve")
        approved = client.get(f"/v1/cohorts/p/assignments/{draft['id']}").json()
        assert all(p["mentor_name"] for p in approved["pairs"])
        after = client.get("/v1/cohorts/p/shortlists", params={"k": 3}).json()["data"]
        assert [[x["mentor_id"] for x in s["data"]] for s in after] == list(order.values())


# -- exports and the dashboard -----------------------------------------------------------


def test_assignment_and_shortlists_export_as_csv_and_xlsx(engine: Engine) -> None:
    program(engine, capacity=1)
    engine.write(Kind.MENTEES, [mentee("card-e0", name='=HYPERLINK("x")', interests=["heart"])])
    with api_client(engine) as client:
        cohort(client)
        draft = propose(client)
        base = f"/v1/cohorts/p/assignments/{draft['id']}"
        book = client.get(base, params={"format": "xlsx"})
        assert book.status_code == 200
        assert book.headers["content-type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(book.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("mentee_id", "mentee_name", "mentor_id")
        assigned = {(r[0], r[2]) for r in rows[1:] if r[7] == "draft"}
        assert assigned == {(p["mentee_id"], p["mentor_id"]) for p in draft["pairs"]}
        assert {r[0] for r in rows[1:] if r[7] == "unmatched"} == {
            u["mentee_id"] for u in draft["unmatched"]
        }
        names = [c for c in sheet["B"] if c.value and str(c.value).startswith("=")]
        assert names and all(c.data_type == "s" for c in names)  # text, never a formula
        text = client.get(base, params={"format": "csv"}).text
        body = list(csv.DictReader(io.StringIO(text)))
        assert len(body) == 6 and all(not r["mentee_name"].startswith("=") for r in body)
        short = client.get("/v1/cohorts/p/shortlists", params={"format": "xlsx", "k": 2})
        rows = list(load_workbook(io.BytesIO(short.content)).active.iter_rows(values_only=True))
        assert len(rows) == 1 + 2 * 6 and "fit" in rows[0] and "gaps" in rows[0]


def test_dashboard_reads_the_assignment(engine: Engine) -> None:
    program(engine, capacity=1)
    with api_client(engine) as client:
        cohort(client)
        empty = client.get("/v1/cohorts/p/dashboard").json()
        assert empty["assignment_id"] is None and empty["mentees"] == 6
        draft = propose(client)
        board = client.get("/v1/cohorts/p/dashboard").json()
        assert board["assignment_id"] == draft["id"] and board["status"] == "draft"
        assert board["matched_share"] == 0.5
        assert board["load_histogram"] == {"1": 3}
        assert len(board["unmatched"]) == 3
        coverage = {c["specialty"]: c for c in board["specialty_coverage"]}
        assert coverage["cardiology"] == {
            "specialty": "cardiology",
            "mentees": 2,
            "mentors": 1,
            "free_places": 1,
        }


def test_erasing_a_placed_mentee_frees_the_place(engine: Engine) -> None:
    from recommender.privacy.erasure import erase

    with api_client(engine) as client:
        draft = two_mentee_draft(engine, client, capacity=2)
        client.post(f"/v1/cohorts/p/assignments/{draft['id']}/approve")
    mentor_of = {p["mentee_id"]: p["mentor_id"] for p in draft["pairs"]}
    assert engine.store.get_mentor(mentor_of["card-e0"]).placed_mentees == 1
    erase(engine, Kind.MENTEES, "card-e0")
    assert engine.store.get_mentor(mentor_of["card-e0"]).placed_mentees == 0
    assert ("card-e0", mentor_of["card-e0"]) not in Review(engine).approved_pairs()
