"""The lifecycle against a real store and engine (SQLite, the hashing embedder): places follow
the relationship, the next suggestion sees them, and refused steps change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recommender.domain.errors import NotFound, UnknownMentee, UnknownMentor
from recommender.domain.kinds import Kind, Role
from recommender.domain.relationships import Actor, DeclineReason, State, TransitionRefused
from recommender.engine import Engine
from recommender.matching.lifecycle import Lifecycle
from recommender.storage.relationships import Relationships
from tests.conftest import mentee, mentor
from tests.support.engines import hashing_engine


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.at = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with hashing_engine(tmp_path / "var") as engine:
        engine.write(
            Kind.MENTORS,
            [
                mentor("m1", "cardiology", capacity=1, research_areas=["heart failure"]),
                mentor("m2", "cardiology", research_areas=["arrhythmia"], conflicts=["e2"]),
            ],
        )
        engine.write(
            Kind.MENTEES,
            [mentee("e1", interests=["heart failure"]), mentee("e2", interests=["arrhythmia"])],
        )
        yield engine


def as_mentee(mentee_id: str) -> Actor:
    return Actor(Role.MENTEE, mentee_id)


def as_mentor(mentor_id: str) -> Actor:
    return Actor(Role.MENTOR, mentor_id)


def free(engine: Engine, mentor_id: str) -> int:
    return engine.store.get_mentor(mentor_id).free_places


def suggested(engine: Engine, mentee_id: str) -> list[str]:
    return [s.mentor_id for s in engine.suggest_for(mentee_id, 5)]


def test_accepting_takes_the_place_and_ending_frees_it_for_the_next_suggestion(
    engine: Engine,
) -> None:
    clock = Clock()
    life = Lifecycle(engine, clock)
    r = life.request(as_mentee("e1"), "e1", "m1")
    assert r.state is State.REQUESTED and free(engine, "m1") == 1
    assert "m1" in suggested(engine, "e2")
    clock.advance(hours=5)
    r = life.accept(as_mentor("m1"), r.id)
    assert r.state is State.ACCEPTED and free(engine, "m1") == 0
    assert "m1" not in suggested(engine, "e2"), "a full mentor is not suggested"
    clock.advance(days=1)
    life.confirm(as_mentee("e1"), r.id)
    r = life.confirm(as_mentor("m1"), r.id)
    assert r.state is State.ACTIVE and free(engine, "m1") == 0
    clock.advance(days=40)
    r = life.end(as_mentee("e1"), r.id, "switched to research in another field")
    assert r.state is State.ENDED and free(engine, "m1") == 1
    assert "m1" in suggested(engine, "e2")
    stored = Relationships(engine.store.database).get(r.id)
    assert stored == r
    assert [t.at for t in stored.history] == [
        datetime(2026, 9, 1, 9, 0, tzinfo=UTC),
        datetime(2026, 9, 1, 14, 0, tzinfo=UTC),
        datetime(2026, 9, 2, 14, 0, tzinfo=UTC),
        datetime(2026, 9, 2, 14, 0, tzinfo=UTC),
        datetime(2026, 10, 12, 14, 0, tzinfo=UTC),
    ]


def test_a_full_mentor_cannot_accept_another_and_nothing_is_written(engine: Engine) -> None:
    life = Lifecycle(engine)
    first = life.request(as_mentee("e1"), "e1", "m1")
    second = life.request(as_mentee("e2"), "e2", "m1")
    life.accept(as_mentor("m1"), first.id)
    with pytest.raises(TransitionRefused, match="no free place"):
        life.accept(as_mentor("m1"), second.id)
    assert Relationships(engine.store.database).get(second.id) == second
    declined = life.decline(as_mentor("m1"), second.id, DeclineReason.NO_CAPACITY)
    assert declined.state is State.DECLINED and free(engine, "m1") == 0


def test_requests_that_may_not_be_made_are_refused(engine: Engine) -> None:
    life = Lifecycle(engine)
    with pytest.raises(TransitionRefused, match="declared conflict"):
        life.request(as_mentee("e2"), "e2", "m2")
    with pytest.raises(TransitionRefused, match="only the mentee"):
        life.request(as_mentee("e2"), "e1", "m1")
    r = life.request(as_mentee("e1"), "e1", "m1")
    with pytest.raises(TransitionRefused, match=f"{r.id} with this mentor is requested"):
        life.request(as_mentee("e1"), "e1", "m1")
    with pytest.raises(UnknownMentor):
        life.request(as_mentee("e1"), "e1", "nobody")
    with pytest.raises(UnknownMentee):
        life.request(as_mentee("ghost"), "ghost", "m1")
    with pytest.raises(NotFound):
        life.accept(as_mentor("m1"), "r-missing")
    life.end(as_mentee("e1"), r.id, "asked by mistake")
    assert life.request(as_mentee("e1"), "e1", "m1").id != r.id  # ended: may ask again
