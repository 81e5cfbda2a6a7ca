"""The relationship lifecycle over HTTP with role keys, as the issue checks it: a mentee
requests a mentor, the mentor accepts, both confirm the agreement, the 30-day check-in falls
due on the set clock (moved by an admin, no sleeping), low satisfaction on two check-ins
raises a flag with three alternates, the coordinator ends it with an alternate in one step,
and the mentee's next suggestions leave out the old mentor. Places are checked at every
step; the outbox holds the messages and a real SMTP server on 127.0.0.1 (``aiosmtpd``)
received those with an address. The real embedding model, SQLite and FAISS throughout."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from recommender.domain.profiles import Cohort
from recommender.engine import Engine, build_engine
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from tests.conftest import FACULTY, TODAY, UNTHROTTLED, bearer, mentee, token
from tests.support.smtp import Inbox, smtp_server

START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
LOW = {"meetings": 1, "progress": 3, "satisfaction": 2}


@dataclass
class Program:
    """A running app over a program, with a client per role."""

    engine: Engine
    inbox: Inbox
    clients: dict[str, TestClient]

    def __getattr__(self, role: str) -> TestClient:
        try:
            return self.clients[role]
        except KeyError:
            raise AttributeError(role) from None

    def places(self, mentor_id: str) -> tuple[int, int]:
        """(capacity, placed) of a mentor as the admin reads it."""
        found = self.clients["admin"].get(f"/v1/mentors/{mentor_id}").json()
        return found["capacity"], found["placed_mentees"]

    def move_clock(self, **delta: float) -> None:
        now = datetime.fromisoformat(self.clients["admin"].get("/v1/clock").json()["now"])
        moved = self.clients["admin"].put(
            "/v1/clock", json={"now": (now + timedelta(**delta)).isoformat()}
        )
        assert moved.status_code == 200, moved.text


@pytest.fixture
def program(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> Iterator[Program]:
    with smtp_server() as inbox:
        settings = Settings(
            data_dir=tmp_path / "var",
            clock=START,
            smtp_host="127.0.0.1",
            smtp_port=inbox.port,
            contact_emails={"prog1": "lead@example.org"},
            notify_every_s=3600,  # only nudges send: the test sees each pass it causes
            **UNTHROTTLED,
        )
        engine = build_engine(settings, embedder=embedder, today=lambda: TODAY)
        engine.write(
            "mentors", [m.model_copy(update={"email": f"{m.id}@example.org"}) for m in FACULTY]
        )
        engine.write(
            "mentees",
            [
                mentee(
                    "me1",
                    interests=["heart failure", "echocardiography"],
                    goals=["publish a first case report"],
                    target_specialties=["cardiology"],
                    email="me1@example.org",
                )
            ],
        )
        mentor_ids = [m.id for m in FACULTY]
        engine.write(
            "cohorts",
            [Cohort(id="c1", program="prog1", mentee_ids=["me1"], mentor_ids=mentor_ids)],
        )
        keys = {
            "admin": token(engine),
            "coordinator": token(engine, "coordinator", scopes=("prog1",)),
            "other_coordinator": token(engine, "coordinator", scopes=("prog9",)),
            "mentee": token(engine, "mentee", "me1"),
            "mentor": token(engine, "mentor", "card1"),
            "other_mentor": token(engine, "mentor", "card2"),
        }
        app = create_app(engine=engine)
        clients = {}
        with TestClient(app, raise_server_exceptions=False):
            for role, secret in keys.items():
                clients[role] = TestClient(app, headers=bearer(secret))
            yield Program(engine, inbox, clients)
        engine.store.close()


def wait_for_mail(inbox: Inbox, at_least: int, timeout: float = 15.0) -> None:
    """The courier sends on its own thread: wait (bounded) until it has."""
    deadline = time.monotonic() + timeout
    while len(inbox.received) < at_least and time.monotonic() < deadline:
        time.sleep(0.05)


def test_request_to_alternate_over_http(program: Program) -> None:
    p = program
    capacity, placed = p.places("card1")

    # 1. the mentee asks; no place is taken until the mentor accepts
    asked = p.mentee.post("/v1/relationships", json={"mentee_id": "me1", "mentor_id": "card1"})
    assert asked.status_code == 201, asked.text
    rid = asked.json()["id"]
    assert asked.json()["state"] == "requested" and p.places("card1") == (capacity, placed)
    again = p.mentee.post("/v1/relationships", json={"mentee_id": "me1", "mentor_id": "card1"})
    assert again.status_code == 409 and "requested" in again.json()["detail"]
    assert p.other_mentor.get(f"/v1/relationships/{rid}").status_code == 404
    assert p.other_mentor.post(f"/v1/relationships/{rid}/accept").status_code == 404
    assert p.mentee.post(f"/v1/relationships/{rid}/accept").status_code == 403

    # 2. the mentor sees the request, reads the mentee, accepts: a place is taken
    listed = p.mentor.get("/v1/relationships", params={"state": "requested"}).json()
    assert [r["id"] for r in listed["data"]] == [rid]
    assert p.mentor.get("/v1/mentees/me1").status_code == 200, "a mentor reads who asks"
    accepted = p.mentor.post(f"/v1/relationships/{rid}/accept").json()
    assert accepted["state"] == "accepted" and p.places("card1") == (capacity, placed + 1)
    assert accepted["agreement"]["goals"] == ["publish a first case report"]

    # 3. the agreement: edited by the mentee (recorded), then confirmed by both
    edit = {**accepted["agreement"], "cadence": "fortnightly", "mentor_expects": "drafts early"}
    edited = p.mentee.put(f"/v1/relationships/{rid}/agreement", json=edit).json()
    assert edited["history"][-1]["details"]["changed"] == ["cadence", "mentor_expects"]
    bad = p.mentee.put(f"/v1/relationships/{rid}/agreement", json={**edit, "cadence": "daily"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "cadence"
    assert p.mentor.post(f"/v1/relationships/{rid}/confirm").json()["state"] == "accepted"
    active = p.mentee.post(f"/v1/relationships/{rid}/confirm").json()
    assert active["state"] == "active" and active["agreement"]["cadence"] == "fortnightly"
    assert active["next_check_in"] == (START + timedelta(days=30)).date().isoformat()

    # 4. the check-in is not due before 30 days; then it is, and both are told
    early = p.mentee.post(f"/v1/relationships/{rid}/check-ins", json={**LOW, "wellbeing": 4})
    assert early.status_code == 409 and "not due" in early.json()["detail"]
    p.move_clock(days=31)
    due = p.coordinator.get("/v1/cohorts/c1/relationships").json()
    assert due["due"] == 2 and due["flagged"] == 0
    answered = p.mentee.post(
        f"/v1/relationships/{rid}/check-ins", json={**LOW, "wellbeing": 4, "comment": "busy"}
    )
    assert answered.status_code == 201, answered.text
    mentor_answer = {"meetings": 1, "progress": 4, "satisfaction": 4, "comment": "fine"}
    assert p.mentor.post(f"/v1/relationships/{rid}/check-ins", json=mentor_answer).is_success
    seen_by_mentor = p.mentor.get(f"/v1/relationships/{rid}").json()
    mentee_step = next(s for s in seen_by_mentor["history"] if s["details"].get("side") == "mentee")
    assert "comment" not in mentee_step["details"], "the mentee's answers are the program's"
    assert seen_by_mentor["flags"] is None
    wellbeing = p.mentor.post(
        f"/v1/relationships/{rid}/check-ins", json={**mentor_answer, "wellbeing": 3, "round": 1}
    )
    assert wellbeing.status_code == 409 or wellbeing.status_code == 422

    # 5. the second check-in, low again: flagged, with three alternates for the coordinator
    p.move_clock(days=60)
    assert p.mentee.post(
        f"/v1/relationships/{rid}/check-ins", json={**LOW, "wellbeing": 3}
    ).is_success
    board = p.coordinator.get("/v1/cohorts/c1/relationships").json()
    assert board["flagged"] == 1
    (row,) = [r for r in board["data"] if r["relationship"]["id"] == rid]
    (flag,) = row["relationship"]["flags"]
    assert flag["kind"] == "low" and "check-ins 1 and 2" in flag["reason"]
    alternates = [s["mentor_id"] for s in row["alternates"]]
    assert len(alternates) == 3 and "card1" not in alternates
    assert p.other_coordinator.get(f"/v1/relationships/{rid}/alternates").status_code == 404
    assert p.mentee.get(f"/v1/relationships/{rid}/alternates").status_code == 403

    # 6. the coordinator ends it and requests the first alternate in one step
    alternate = alternates[0]
    alt_capacity, alt_placed = p.places(alternate)
    replaced = p.coordinator.post(
        f"/v1/relationships/{rid}/replace",
        json={"reason": "low satisfaction twice", "mentor_id": alternate},
    )
    assert replaced.status_code == 200, replaced.text
    ended, requested = replaced.json()["ended"], replaced.json()["requested"]
    assert ended["state"] == "ended" and ended["ending"] == "closed by coordinator"
    assert requested["mentor_id"] == alternate and requested["cohort_id"] == "c1"
    assert p.places("card1") == (capacity, placed), "ending freed the place"
    assert p.places(alternate) == (alt_capacity, alt_placed + 1), "the coordinator booked one"

    trail = p.coordinator.get("/v1/cohorts/c1/audit").json()["data"]
    steps = [(e["action"], e["actor"]) for e in trail if e["relationship_id"] == rid]
    assert steps[:3] == [
        ("relationship request", "mentee:test-mentee"),
        ("relationship accept", "mentor:test-mentor"),
        ("relationship edit agreement", "mentee:test-mentee"),
    ]
    assert steps[-1] == ("relationship end", "coordinator:test-coordinator")
    checked = [e for e in trail if e["action"] == "relationship check-in"]
    assert checked and all(
        set(e["details"]) == {"side", "round", "mentee_id", "mentor_id"} for e in checked
    )

    # 7. the mentee's next suggestions leave out the old mentor (and the requested one)
    shown = p.mentee.get("/v1/mentees/me1/suggestions", params={"k": 10}).json()["data"]
    assert shown and not {"card1", alternate} & {s["mentor_id"] for s in shown}

    # 8. the outbox holds the messages; the SMTP server received those with an address
    messages = p.admin.get("/v1/outbox").json()
    kinds = [(m["kind"], m["recipient_id"]) for m in messages["data"]]
    for expected in [
        ("request", "card1"),
        ("decision", "me1"),
        ("agreement", "card1"),
        ("check-in", "me1"),
        ("check-in", "card1"),
        ("alert", "prog1"),
        ("ending", "me1"),
        ("ending", "card1"),
        ("request", alternate),
    ]:
        assert expected in kinds, (expected, kinds)
    addressed = [m for m in messages["data"] if m["address"]]
    wait_for_mail(p.inbox, len(addressed))
    received = {(to[0], mail["Subject"]) for to, mail in p.inbox.received}
    assert {(m["address"], m["subject"]) for m in addressed} <= received
    sent = p.admin.get("/v1/outbox", params={"status": "sent"}).json()
    assert sent["count"] == len(addressed) and sent["sending"] is True
    export = p.admin.get("/v1/outbox", params={"format": "jsonl"})
    assert export.headers["content-type"].startswith("application/x-ndjson")
    assert len(export.text.splitlines()) == messages["count"]
    mine = p.coordinator.get("/v1/outbox").json()
    assert mine["count"] == messages["count"], "the coordinator's cohort is every one here"
    assert p.other_coordinator.get("/v1/outbox").json()["count"] == 0


def test_the_clock_moves_forward_only_and_only_when_set(
    program: Program, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    back = program.admin.put("/v1/clock", json={"now": "2026-01-01T00:00:00+00:00"})
    assert back.status_code == 409 and "forward" in back.json()["detail"]
    naive = program.admin.put("/v1/clock", json={"now": "2027-01-01T00:00:00"})
    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"][-1] == "now"
    assert (
        program.coordinator.put("/v1/clock", json={"now": "2027-01-01T00:00:00Z"}).status_code
        == 403
    )
    real = build_engine(Settings(data_dir=tmp_path / "real"), embedder=embedder)
    with TestClient(create_app(engine=real)) as client:
        answer = client.put(
            "/v1/clock", json={"now": "2030-01-01T00:00:00Z"}, headers=bearer(token(real))
        )
    real.store.close()
    assert answer.status_code == 409 and "real clock" in answer.json()["detail"]


def test_steps_the_state_does_not_allow_are_409_and_bad_bodies_422(program: Program) -> None:
    p = program
    rid = p.mentee.post(
        "/v1/relationships", json={"mentee_id": "me1", "mentor_id": "card1"}
    ).json()["id"]
    assert p.mentee.post(f"/v1/relationships/{rid}/confirm").status_code == 409
    other = p.mentor.post(f"/v1/relationships/{rid}/decline", json={"reason": "other"})
    assert other.status_code == 409 and "needs a text" in other.json()["detail"]
    unknown: dict[str, Any] = {"reason": "bored"}
    wrong = p.mentor.post(f"/v1/relationships/{rid}/decline", json=unknown)
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"][-1] == "reason"
    declined = p.mentor.post(
        f"/v1/relationships/{rid}/decline", json={"reason": "timing", "text": "on leave"}
    ).json()
    assert declined["state"] == "declined" and declined["decline_reason"] == "timing"
    assert p.mentee.post(f"/v1/relationships/{rid}/end", json={"reason": "x"}).status_code == 409
    empty = p.mentee.post(f"/v1/relationships/{rid}/end", json={"reason": "  "})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"][-1] == "reason"
    someone = p.mentee.post("/v1/relationships", json={"mentee_id": "me2", "mentor_id": "card2"})
    assert someone.status_code == 404, "a mentee asks only for themself"
    ghost = p.mentee.post("/v1/relationships", json={"mentee_id": "me1", "mentor_id": "ghost"})
    assert ghost.status_code == 404


def test_a_team_is_asked_for_with_post_suggestions(program: Program) -> None:
    asked = program.mentee.post("/v1/suggestions", json={"mentee_id": "me1", "team": {"size": 3}})
    assert asked.status_code == 200, asked.text
    answer = asked.json()
    assert answer["count"] == 3 and len(answer["team"]) == 3
    assert [t["mentor_id"] for t in answer["team"]] == [s["mentor_id"] for s in answer["data"]]
    assert (
        all(t["why"] for t in answer["team"]) and len({s["mentor_id"] for s in answer["data"]}) == 3
    )
    needs = program.mentee.post(
        "/v1/suggestions",
        json={"mentee_id": "me1", "team": {"size": 2, "needs": ["career", "research"]}},
    ).json()["team"]
    assert [t["need"] for t in needs] == ["career", "research"]
    bad = program.mentee.post(
        "/v1/suggestions", json={"mentee_id": "me1", "team": {"needs": ["fame"]}}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-2:] == ["needs", 0]
    other = program.mentee.post("/v1/suggestions", json={"mentee_id": "me2", "team": {}})
    assert other.status_code == 404, "a mentee asks for their own team only"


def test_a_new_stage_keeps_the_relationships_and_suggests_for_the_new_stage(
    program: Program,
) -> None:
    p = program
    rid = p.mentee.post(
        "/v1/relationships", json={"mentee_id": "me1", "mentor_id": "card1"}
    ).json()["id"]
    p.mentor.post(f"/v1/relationships/{rid}/accept")
    exploring = {"stage": "MS2", "interests": ["heart failure", "sports injuries", "skin cancer"]}
    assert p.mentee.put("/v1/mentees/me1", json=exploring).status_code == 200
    early = p.mentee.get("/v1/mentees/me1/suggestions", params={"k": 4}).json()["data"]
    assert len({s["specialty"] for s in early}) >= 3, "an undecided MS2 gets a spread"
    decided = {**exploring, "stage": "MS3", "target_specialties": ["cardiology"]}
    assert p.mentee.put("/v1/mentees/me1", json=decided).status_code == 200
    later = p.mentee.get("/v1/mentees/me1/suggestions", params={"k": 4}).json()["data"]
    assert later[0]["specialty"] == "cardiology", "a decided MS3 gets specialty mentors first"
    assert "card1" not in {s["mentor_id"] for s in early + later}, "never their current mentor"
    kept = p.mentee.get(f"/v1/relationships/{rid}").json()
    assert kept["state"] == "accepted", "a change of stage leaves the relationship as it was"


def test_suggestions_shown_and_every_step_are_in_the_outcome_log(program: Program) -> None:
    p = program
    first = p.mentee.get("/v1/mentees/me1/suggestions", params={"k": 3}).json()["data"]
    again = p.mentee.get("/v1/mentees/me1/suggestions", params={"k": 3}).json()["data"]
    assert again == first, "the second answer comes from memory, and is logged all the same"
    p.move_clock(days=1)
    rid = p.mentee.post(
        "/v1/relationships", json={"mentee_id": "me1", "mentor_id": first[0]["mentor_id"]}
    ).json()["id"]
    p.move_clock(days=1)
    p.admin.post(f"/v1/relationships/{rid}/decline", json={"reason": "timing"})
    log = p.admin.get("/v1/outcomes")
    assert log.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in log.text.splitlines()]
    shown = [r for r in rows if r["type"] == "shown"]
    assert [(r["mentor_id"], r["rank"]) for r in shown] == 2 * [
        (s["mentor_id"], s["rank"]) for s in first
    ]
    assert all(r["score"] == s["score"] for r, s in zip(shown, 2 * first, strict=True))
    assert len({r["answer"] for r in shown}) == 2
    steps = [(r["action"], r["relationship_id"]) for r in rows if r["type"] == "relationship"]
    assert steps == [("request", rid), ("decline", rid)]
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows), "oldest first"
    later = p.admin.get("/v1/outcomes", params={"since": rows[-1]["at"]}).text.splitlines()
    assert [json.loads(line)["action"] for line in later] == ["decline"]
    assert p.coordinator.get("/v1/outcomes").status_code == 403
    assert p.admin.delete("/v1/mentees/me1").status_code == 204
    assert p.admin.get("/v1/outcomes").text == "", "erasure takes a person's rows with them"
