"""The review workflow without HTTP: drafts, overrides, re-runs, approval and its atomicity."""

from __future__ import annotations

from typing import Any

import pytest

from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Cohort
from recommender.domain.relationships import (
    Actor,
    DeclineReason,
    Ending,
    Origin,
    State,
)
from recommender.engine import Engine
from recommender.matching.lifecycle import Lifecycle
from recommender.matching.review import Draft, Review, ReviewConflict
from recommender.storage.changes import ProfileChanges
from recommender.storage.relationships import Relationships
from tests.conftest import mentee

ACTOR = "coordinator:test"
MENTORS = ["card1", "card2", "derm1", "peds1"]


@pytest.fixture
def cohort(faculty_engine: Engine) -> Cohort:
    """Three mentees with clear best mentors, in a cohort of four mentors."""
    faculty_engine.write(
        Kind.MENTEES,
        [
            mentee("e1", interests=["melanoma early detection"]),
            mentee("e2", interests=["heart failure with preserved ejection fraction"]),
            mentee("e3", interests=["childhood asthma"]),
        ],
    )
    made = Cohort(id="c1", mentee_ids=["e1", "e2", "e3"], mentor_ids=MENTORS)
    faculty_engine.write(Kind.COHORTS, [made])
    return made


def counts(engine: Engine) -> dict[str, int]:
    """Each cohort mentor's mentee count: imported plus placed by approvals."""
    mentors = [engine.store.get_mentor(m) for m in MENTORS]
    return {m.id: m.current_mentees + m.placed_mentees for m in mentors}


def pairs(draft: Draft) -> dict[str, str]:
    """The draft's mentor of each mentee."""
    return {p.mentee_id: p.mentor_id for p in draft.result.pairs}


def test_propose_override_approve(faculty_engine: Engine, cohort: Cohort) -> None:
    review = Review(faculty_engine)
    draft = review.propose(cohort, ACTOR)
    assert draft.status == "draft"
    assert pairs(draft) == {"e1": "derm1", "e2": "card1", "e3": "peds1"}
    assert review.get("c1", draft.id) == draft
    assert [d.id for d in review.drafts("c1")] == [draft.id]

    changed = review.override(draft, "e2", "card2", "prefers electrophysiology", ACTOR)
    assert pairs(changed)["e2"] == "card2" and ("e2", "card2") in changed.locked
    with pytest.raises(ReviewConflict):
        review.override(changed, "e1", "card1", "  ", ACTOR)

    before = counts(faculty_engine)
    approved = review.approve(review.get("c1", draft.id), ACTOR)
    assert approved.status == "approved"
    assert review.get("c1", draft.id).status == "approved"
    after = counts(faculty_engine)
    assert {m: after[m] - before[m] for m in MENTORS} == {
        "card1": 0,
        "card2": 1,
        "derm1": 1,
        "peds1": 1,
    }
    assert review.approved_pairs() == {("e1", "derm1"), ("e2", "card2"), ("e3", "peds1")}
    assert [e.action for e in review.audit("c1")] == ["propose", "override", "approve"]
    assert review.audit("c1")[1].reason == "prefers electrophysiology"
    logged = ProfileChanges(faculty_engine.store.database).history("card2")
    assert logged[-1].actor == f"{ACTOR} (approval)"
    assert logged[-1].changes["placed_mentees"] == [0, 1]
    with pytest.raises(ReviewConflict):
        review.approve(approved, ACTOR)
    with pytest.raises(ReviewConflict):  # the stored status is checked, not the caller's copy
        review.approve(draft, ACTOR)
    assert counts(faculty_engine) == after


def test_rerun_keeps_locks_and_supersedes(faculty_engine: Engine, cohort: Cohort) -> None:
    review = Review(faculty_engine)
    draft = review.propose(cohort, ACTOR)
    locked = review.lock(draft, "e1", "derm1", ACTOR)
    fresh = review.rerun(locked, ACTOR)
    assert pairs(fresh)["e1"] == "derm1" and ("e1", "derm1") in fresh.locked
    assert review.get("c1", draft.id).status == "superseded"
    with pytest.raises(ReviewConflict):
        review.approve(locked, ACTOR)


def test_a_failed_approval_changes_nothing(
    faculty_engine: Engine, cohort: Cohort, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counts and the draft's status are written in one transaction: a failure after the
    counts were written (here: the audit event) leaves both as they were."""
    review = Review(faculty_engine)
    draft = review.propose(cohort, ACTOR)
    before = counts(faculty_engine)
    written: list[int] = []
    write_logged = faculty_engine.write_logged

    def spy(session: Any, mentors: Any, actor: str) -> Any:
        result = write_logged(session, mentors, actor)
        written.append(result.changed)
        return result

    real_event = Review._event

    def failing(
        self: Review, session: Any, draft: Draft, actor: str, action: str, *rest: Any
    ) -> None:
        if action == "approve":
            raise RuntimeError("disk full")
        real_event(self, session, draft, actor, action, *rest)

    monkeypatch.setattr(faculty_engine, "write_logged", spy)
    monkeypatch.setattr(Review, "_event", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        review.approve(draft, ACTOR)
    assert written == [3]  # the counts were written inside the transaction...
    assert counts(faculty_engine) == before  # ...and rolled back with it
    assert review.get("c1", draft.id).status == "draft"
    assert [e.action for e in review.audit("c1")] == ["propose"]
    history = ProfileChanges(faculty_engine.store.database).history("derm1")
    assert all("approval" not in e.actor for e in history)
    assert review.approved_pairs() == set()
    assert Relationships(faculty_engine.store.database).every() == [], "nor any relationship"

    monkeypatch.setattr(Review, "_event", real_event)
    assert review.approve(draft, ACTOR).status == "approved"
    assert sum(counts(faculty_engine).values()) == sum(before.values()) + 3


def test_approval_requests_each_pair_and_a_decline_or_supersede_gives_the_place_back(
    faculty_engine: Engine, cohort: Cohort
) -> None:
    review = Review(faculty_engine)
    before = counts(faculty_engine)
    approved = review.approve(review.propose(cohort, ACTOR), ACTOR)
    placed = pairs(approved)
    booked = Relationships(faculty_engine.store.database).every()
    assert {(r.mentee_id, r.mentor_id) for r in booked} == set(placed.items())
    assert all(r.state is State.REQUESTED and r.origin is Origin.ASSIGNMENT for r in booked)
    assert all(r.cohort_id == "c1" and r.placement_id is not None for r in booked)
    assert all(r.history[0].actor == ACTOR for r in booked)
    after = counts(faculty_engine)
    assert sum(after.values()) == sum(before.values()) + len(placed), "placements count once"

    life = Lifecycle(faculty_engine)
    first, second, *_ = sorted(booked, key=lambda r: r.mentee_id)
    life.decline(Actor(Role.MENTOR, first.mentor_id), first.id, DeclineReason.TIMING)
    assert counts(faculty_engine)[first.mentor_id] == after[first.mentor_id] - 1
    assert (first.mentee_id, first.mentor_id) not in review.approved_pairs()
    life.accept(Actor(Role.MENTOR, second.mentor_id), second.id)
    assert counts(faculty_engine) == {**after, first.mentor_id: after[first.mentor_id] - 1}

    review.supersede(approved, ACTOR, "new intake")
    assert counts(faculty_engine) == before
    states = {r.id: r for r in Relationships(faculty_engine.store.database).every()}
    assert states[first.id].state is State.DECLINED
    assert states[second.id].state is State.ENDED
    assert states[second.id].ending is Ending.CLOSED_BY_COORDINATOR
    assert "assignment withdrawn: new intake" in states[second.id].history[-1].reason
