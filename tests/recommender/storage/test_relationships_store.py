"""Stored relationships: read back exactly, places counted into the mentor's record,
erased with the person, and given back when the schema is downgraded. Real SQLite."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recommender.domain.agreements import Agreement
from recommender.domain.errors import NotFound
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Mentee
from recommender.domain.relationships import Actor, DeclineReason, Relationship, State, request
from recommender.storage.relationships import Relationships
from recommender.storage.store import Store
from tests.conftest import mentor
from tests.recommender.storage.test_migrations import to_revision

T0 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
AGREEMENT = Agreement(goals=("learn echocardiography",))
MENTEE = Actor(Role.MENTEE, "e1")
MENTOR = Actor(Role.MENTOR, "m1")
STAFF = Actor(Role.COORDINATOR, label="c1-lead")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    s.upsert(Kind.MENTORS, [mentor("m1", capacity=2), mentor("m2", capacity=1)])
    s.upsert(
        Kind.MENTEES,
        [Mentee(id="e1", stage="MS3", interests=["cardiology research"])],
    )
    return s


def save(store: Store, relationship: Relationship) -> None:
    with store.transaction() as session:
        Relationships.save(session, relationship)
        store.upsert(Kind.MENTORS, [store.get_mentor(relationship.mentor_id)], session)


def placed(store: Store) -> dict[str, int]:
    return {m.id: m.placed_mentees for m in store.mentors()}


def test_a_relationship_reads_back_with_its_whole_history(store: Store) -> None:
    r = request("r1", "e1", "m1", MENTEE, T0)
    save(store, r)
    r = r.accept(MENTOR, T0 + timedelta(hours=3), AGREEMENT).confirm(MENTEE, T0 + timedelta(days=1))
    save(store, r)
    repo = Relationships(store.database)
    back = repo.get("r1")
    assert back == r
    assert back.state is State.ACCEPTED and back.confirmed == {Role.MENTEE}
    assert [row.action for row in repo.events()] == ["request", "accept", "confirm agreement"]
    assert repo.of_mentee("e1") == [r] and repo.of_mentor("m1") == [r] and not repo.of_mentor("m2")
    with pytest.raises(NotFound):
        repo.get("nope")


def test_an_accepted_request_takes_a_place_and_ending_it_frees_the_place(store: Store) -> None:
    r = request("r1", "e1", "m1", MENTEE, T0)
    save(store, r)
    assert placed(store) == {"m1": 0, "m2": 0}
    r = r.accept(MENTOR, T0, AGREEMENT)
    save(store, r)
    assert placed(store) == {"m1": 1, "m2": 0}
    assert store.get_mentor("m1").free_places == 1
    r = r.end(MENTEE, T0 + timedelta(days=9), "moved to another school")
    save(store, r)
    assert placed(store) == {"m1": 0, "m2": 0}


def test_a_declined_request_never_held_a_place(store: Store) -> None:
    r = request("r1", "e1", "m2", MENTEE, T0).decline(
        Actor(Role.MENTOR, "m2"), T0, DeclineReason.NO_CAPACITY
    )
    save(store, r)
    assert placed(store) == {"m1": 0, "m2": 0}
    assert Relationships(store.database).get("r1").decline_reason is DeclineReason.NO_CAPACITY


def test_erasing_a_person_removes_their_relationships_and_events(store: Store) -> None:
    save(store, request("r1", "e1", "m1", MENTEE, T0).accept(MENTOR, T0, AGREEMENT))
    save(store, request("r2", "e2", "m1", STAFF, T0, cohort_id="c1"))
    with store.transaction() as session:
        deleted, freed = Relationships.erase(session, "e1")
    assert deleted == ["r1"] and freed == ["m1"]
    repo = Relationships(store.database)
    assert [r.id for r in repo.of_mentor("m1")] == ["r2"]
    assert all(row.mentee_id != "e1" for row in repo.events())


def test_downgrading_below_relationships_gives_their_places_back(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    url = f"sqlite:///{path}"
    store = Store(url)
    store.upsert(Kind.MENTORS, [mentor("m1", capacity=2)])
    save(store, request("r1", "e1", "m1", MENTEE, T0).accept(MENTOR, T0, AGREEMENT))
    save(store, request("r2", "e2", "m1", STAFF, T0, cohort_id="c1"))  # booked by a coordinator
    assert placed(store) == {"m1": 2}
    store.close()
    to_revision(url, "0002")
    with sqlite3.connect(path) as conn:
        (payload,) = conn.execute("SELECT payload FROM mentors WHERE id = 'm1'").fetchone()
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert json.loads(payload)["placed_mentees"] == 0
    assert "relationships" not in names and "relationship_events" not in names
