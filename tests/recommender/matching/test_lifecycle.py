"""The lifecycle against a real store and engine (SQLite, the hashing embedder): places follow
the relationship, the next suggestion sees them, and refused steps change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recommender.domain.checkins import Survey
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


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def life(engine: Engine, clock: Clock) -> Lifecycle:
    return Lifecycle(engine, clock)


def as_mentee(mentee_id: str) -> Actor:
    return Actor(Role.MENTEE, mentee_id)


def as_mentor(mentor_id: str) -> Actor:
    return Actor(Role.MENTOR, mentor_id)


def free(engine: Engine, mentor_id: str) -> int:
    return engine.store.get_mentor(mentor_id).free_places


def suggested(engine: Engine, mentee_id: str) -> list[str]:
    return [s.mentor_id for s in engine.suggest_for(mentee_id, 5)]


def test_accepting_takes_the_place_and_ending_frees_it_for_the_next_suggestion(
    engine: Engine, clock: Clock, life: Lifecycle
) -> None:
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


def test_a_full_mentor_cannot_accept_another_and_nothing_is_written(
    engine: Engine, life: Lifecycle
) -> None:
    first = life.request(as_mentee("e1"), "e1", "m1")
    second = life.request(as_mentee("e2"), "e2", "m1")
    life.accept(as_mentor("m1"), first.id)
    with pytest.raises(TransitionRefused, match="no free place"):
        life.accept(as_mentor("m1"), second.id)
    assert Relationships(engine.store.database).get(second.id) == second
    declined = life.decline(as_mentor("m1"), second.id, DeclineReason.NO_CAPACITY)
    assert declined.state is State.DECLINED and free(engine, "m1") == 0


def test_requests_that_may_not_be_made_are_refused(life: Lifecycle) -> None:
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


def test_check_ins_fall_due_are_answered_once_and_raise_a_flag_when_low_twice(
    engine: Engine, clock: Clock, life: Lifecycle
) -> None:
    r = life.request(as_mentee("e1"), "e1", "m1")
    r = life.accept(as_mentor("m1"), r.id)
    low = Survey(meetings=1, progress=3, satisfaction=2, wellbeing=4)
    with pytest.raises(TransitionRefused, match="check-in 1 is not due yet"):
        life.check_in(as_mentee("e1"), r.id, low)
    clock.advance(days=30)
    r = life.check_in(as_mentee("e1"), r.id, low)
    with pytest.raises(TransitionRefused, match="has answered check-in 1"):
        life.check_in(as_mentee("e1"), r.id, low, round_number=1)
    with pytest.raises(TransitionRefused, match="only the mentee or the mentor"):
        life.check_in(Actor(Role.COORDINATOR, label="c"), r.id, low)
    assert life.flags(r) == []
    clock.advance(days=60)
    r = life.check_in(as_mentee("e1"), r.id, low)
    assert [(a.round, a.satisfaction) for a in r.answers] == [(1, 2), (2, 2)]
    (flag,) = life.flags(r)
    assert flag.kind == "low" and "mentee" in flag.reason
    (first, second) = life.rounds(r)
    assert first.answered == {Role.MENTEE} and first.missed == {Role.MENTOR}
    assert second.open_sides == {Role.MENTOR}
    stored = Relationships(engine.store.database).get(r.id)
    assert stored.answers == r.answers and free(engine, "m1") == 0
