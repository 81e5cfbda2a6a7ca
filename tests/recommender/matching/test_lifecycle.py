"""The lifecycle against a real store and engine (SQLite, the hashing embedder): places follow
the relationship, the next suggestion sees them, and refused steps change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from recommender.domain.agreements import Agreement
from recommender.domain.checkins import Survey
from recommender.domain.errors import NotFound, UnknownMentee, UnknownMentor
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Cohort
from recommender.domain.relationships import (
    Actor,
    DeclineReason,
    Ending,
    State,
    TransitionRefused,
)
from recommender.engine import Engine, build_engine
from recommender.matching.lifecycle import Lifecycle
from recommender.settings import Settings
from recommender.storage.outbox import Outbox
from recommender.storage.relationships import Relationships
from tests.conftest import TODAY, mentee, mentor
from tests.support.embedders import HashingEmbedder
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


def test_the_agreement_is_drafted_from_the_profile_and_edits_ask_both_to_confirm(
    engine: Engine, clock: Clock, life: Lifecycle
) -> None:
    engine.write(Kind.MENTEES, [mentee("e3", goals=["match in cardiology"])])
    r = life.accept(as_mentor("m1"), life.request(as_mentee("e3"), "e3", "m1").id)
    assert r.agreement is not None and r.agreement.goals == ("match in cardiology",)
    life.confirm(as_mentor("m1"), r.id)
    clock.advance(hours=2)
    edited = Agreement(goals=("match in cardiology", "a first abstract"), cadence="fortnightly")
    r = life.edit_agreement(as_mentee("e3"), r.id, edited)
    assert r.confirmed == frozenset() and r.agreement == edited
    life.confirm(as_mentor("m1"), r.id)
    r = life.confirm(as_mentee("e3"), r.id)
    assert r.state is State.ACTIVE
    assert Relationships(engine.store.database).get(r.id).agreement == edited


def test_a_mentee_is_never_suggested_a_mentor_they_have_or_had(
    engine: Engine, clock: Clock, life: Lifecycle
) -> None:
    engine.write(Kind.MENTORS, [mentor("m3", "cardiology", research_areas=["heart failure"])])
    assert {"m1", "m3"} <= set(suggested(engine, "e1"))
    r = life.request(as_mentee("e1"), "e1", "m3")
    assert "m3" not in suggested(engine, "e1"), "a requested mentor is not suggested again"
    assert "m3" in suggested(engine, "e2"), "to another mentee they still are"
    life.decline(as_mentor("m3"), r.id, DeclineReason.TIMING)
    assert "m3" not in suggested(engine, "e1"), "nor a mentor who declined"


def test_alternates_leave_out_the_current_mentor_and_full_ones_and_replace_is_one_step(
    engine: Engine, clock: Clock, life: Lifecycle
) -> None:
    engine.write(
        Kind.MENTORS,
        [
            mentor("m3", "cardiology", research_areas=["heart failure"], capacity=1),
            mentor("m4", "cardiology", research_areas=["heart failure"], current_mentees=3),
            mentor("m5", "cardiology", research_areas=["cardiac imaging"]),
            mentor("m6", "cardiology", research_areas=["valve disease"]),
        ],
    )
    engine.write(Kind.COHORTS, [Cohort(id="c1", mentee_ids=["e1"], mentor_ids=["m1", "m3"])])
    r = life.accept(as_mentor("m1"), life.request(as_mentee("e1"), "e1", "m1").id)
    alternates = [s.mentor_id for s in life.alternates(r)]
    assert len(alternates) == 3 and "m1" not in alternates and "m4" not in alternates
    coordinator = Actor(Role.COORDINATOR, label="lead")
    clock.advance(days=3)
    ended, created = life.replace(coordinator, r.id, "not working out", "m3", cohort_id="c1")
    assert ended.state is State.ENDED and ended.ending is Ending.CLOSED_BY_COORDINATOR
    assert created.state is State.REQUESTED and created.cohort_id == "c1" and created.holds_place
    assert free(engine, "m1") == 1 and free(engine, "m3") == 0, "a coordinator's request books"
    assert not {"m1", "m3"} & set(suggested(engine, "e1"))
    with pytest.raises(TransitionRefused, match="no free place"):  # m3 is now full
        life.replace(coordinator, created.id, "again", "m4", cohort_id="c1")
    assert Relationships(engine.store.database).get(created.id) == created, "nothing written"


def test_each_step_stores_its_messages_and_a_sweep_adds_check_ins_due_once(
    engine: Engine, clock: Clock, life: Lifecycle
) -> None:
    engine.write(Kind.MENTEES, [mentee("e3", interests=["heart failure"], email="e3@example.org")])
    engine.write(Kind.MENTORS, [mentor("m3", "cardiology", email="m3@example.org")])
    outbox = Outbox(engine.store.database)
    r = life.request(as_mentee("e3"), "e3", "m3")
    (sent,) = outbox.messages()
    assert (sent.kind, sent.recipient_id, sent.address) == ("request", "m3", "m3@example.org")
    assert sent.status == "pending"
    life.accept(as_mentor("m3"), r.id)
    life.confirm(as_mentee("e3"), r.id)
    life.confirm(as_mentor("m3"), r.id)
    kinds = [(m.kind, m.recipient_id) for m in outbox.messages()]
    assert kinds[1:] == [
        ("decision", "e3"),
        ("agreement", "m3"),
        ("agreement", "e3"),
        ("agreement", "m3"),
    ]
    assert life.sweep() == 0, "nothing falls due before 30 days"
    clock.advance(days=30)
    assert life.sweep() == 2 and life.sweep() == 0
    due = [m for m in outbox.messages() if m.kind == "check-in"]
    assert {(m.recipient_id, m.key) for m in due} == {
        ("e3", f"due:{r.id}:1:mentee"),
        ("m3", f"due:{r.id}:1:mentor"),
    }


def test_the_schedule_is_the_programs_when_one_is_set(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "var",
        checkin_schedules={"prog1": {"first_after_days": 14, "every_days": 28}},
    )
    engine = build_engine(settings, embedder=HashingEmbedder(), today=lambda: TODAY)
    try:
        engine.write(Kind.MENTORS, [mentor("m1", "cardiology")])
        engine.write(Kind.MENTEES, [mentee("e1", interests=["x"]), mentee("e2", interests=["y"])])
        engine.write(Kind.COHORTS, [Cohort(id="c1", program="prog1", mentee_ids=["e1"])])
        clock = Clock()
        life = Lifecycle(engine, clock)
        in_program = life.accept(as_mentor("m1"), life.request(as_mentee("e1"), "e1", "m1").id)
        outside = life.accept(as_mentor("m1"), life.request(as_mentee("e2"), "e2", "m1").id)
        clock.advance(days=45)
        assert [r.due for r in life.rounds(in_program)] == [
            date(2026, 9, 15),
            date(2026, 10, 13),
        ]
        assert [r.due for r in life.rounds(outside)] == [date(2026, 10, 1)]
    finally:
        engine.store.close()
