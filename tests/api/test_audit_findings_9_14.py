"""Regression tests for the second trust audit's findings 9–14, each over HTTP."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from recommender.engine import Engine
from recommender.privacy.erasure import erase
from recommender.storage.keys import digest
from recommender.storage.store import text_hash
from tests.api.audit_support import client_as, feedback_component, rating, world
from tests.conftest import mentor

__all__ = ["world"]  # the shared fixture, imported for pytest to find


# -- 9: no tracebacks in the server log -----------------------------------------------------


def test_9_an_unexpected_error_logs_its_type_and_route_only(tmp_path: Any) -> None:
    """A live server whose key table is damaged under it: every authenticated request fails
    inside a SQL statement that carries the key's digest as a parameter."""
    from tests.api.durability_support import TOKEN, Server

    server = Server(tmp_path / "var", tmp_path)
    server.start()
    try:
        with server.client() as client:
            assert client.get("/v1/me").status_code == 200
            with sqlite3.connect(server.data_dir / "mentor-match.db") as conn:
                conn.execute("DROP TABLE api_keys")
            answer = client.get("/v1/me")
        assert answer.status_code == 500 and answer.json() == {"detail": "internal error (logged)"}
    finally:
        server.stop()
    log = server.log()
    assert "unexpected OperationalError on GET /v1/me" in log
    assert "Traceback" not in log and "SELECT" not in log
    assert digest(TOKEN) not in log and TOKEN not in log


# -- 10: nothing to learn from one rating ---------------------------------------------------


def test_10_one_new_rating_changes_nothing_visible_and_few_look_like_none(world: Engine) -> None:
    day = date(2026, 7, 1)
    for m in ("me1", "me2"):  # card1: two raters, below K = 3
        with client_as(world, "mentee", m) as client:
            assert client.post("/v1/feedback", json=rating(m, "card1", 2, day)).is_success
    with client_as(world) as admin:
        admin.post("/v1/feedback", json=rating("pastA", "card2", 5, day))
        rated_two, _ = feedback_component(admin, "card1")
        unrated, _ = feedback_component(admin, "neph1")
    assert rated_two == unrated  # two ratings look exactly like none
    with client_as(world, "mentee", "me3") as me3:
        assert me3.post("/v1/feedback", json=rating("me3", "card1", 5, day)).is_success
    with client_as(world) as admin:
        three, _ = feedback_component(admin, "card1")
    with client_as(world, "mentee", "me4") as me4:
        assert me4.post("/v1/feedback", json=rating("me4", "card1", 1, day)).is_success
    with client_as(world) as admin:
        four, _ = feedback_component(admin, "card1")
    assert three != unrated and four == three  # the 4th rating is not released alone


# -- 11: erasure of earlier profile versions ------------------------------------------------


def test_11_erasure_forgets_vectors_of_earlier_profile_versions(faculty_engine: Engine) -> None:
    old_text = "SECRET-OLD-TOPIC hyperbaric wound healing"
    faculty_engine.write("mentors", [mentor("gone1", research_areas=[old_text])])
    faculty_engine.write("mentors", [mentor("gone1", research_areas=["sleep apnea"])])
    erase(faculty_engine, "mentors", "gone1")
    with sqlite3.connect(faculty_engine.settings.data_dir / "mentor-match.db") as conn:
        hashes = {h for (h,) in conn.execute("SELECT text_hash FROM embeddings")}
    assert text_hash(old_text) not in hashes and text_hash("sleep apnea") not in hashes


# -- 13, 14: listing cost, membership, headers ----------------------------------------------


def test_13_a_coordinators_mentee_list_reads_only_their_mentees(world: Engine) -> None:
    with (
        client_as(world, "coordinator", scopes=("c1",)) as coordinator,
        world.store.database.statements() as statements,
    ):
        listed = coordinator.get("/v1/mentees").json()
    assert listed["count"] == 4
    whole = [s for s in statements if "FROM mentees" in s and "WHERE" not in s]
    assert not whole, whole


def test_14_a_mentee_learns_no_membership_and_pages_send_security_headers(
    world: Engine,
) -> None:
    with client_as(world, "mentee", "me1") as me1:
        other = me1.post("/v1/cohorts/c1/requests", json={"mentee_id": "me1", "mentor_id": "orth1"})
        ghost = me1.post("/v1/cohorts/c1/requests", json={"mentee_id": "me1", "mentor_id": "zz9"})
        assert other.status_code == ghost.status_code == 404
        assert other.json()["detail"].replace("orth1", "X") == ghost.json()["detail"].replace(
            "zz9", "X"
        )
        page = me1.get("/ui")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
