"""The relationship lifecycle: who may do what, when, and what each step records.

Pure domain code, no store: examples of each path, and a Hypothesis property that drives
random actions by random actors (parties, strangers, staff) and checks the invariants after
every step, refused or not.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from recommender.domain.checkins import Answer, Survey
from recommender.domain.kinds import Role
from recommender.domain.relationships import (
    Action,
    Actor,
    DeclineReason,
    Ending,
    Origin,
    Relationship,
    State,
    TransitionRefused,
    request,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MENTEE = Actor(Role.MENTEE, "me1")
MENTOR = Actor(Role.MENTOR, "mo1")
COORDINATOR = Actor(Role.COORDINATOR, label="cardio-2026")
ADMIN = Actor(Role.ADMIN, label="ops")
OTHER_MENTEE = Actor(Role.MENTEE, "me2")
OTHER_MENTOR = Actor(Role.MENTOR, "mo2")


def own_request(at: datetime = T0) -> Relationship:
    return request("r1", "me1", "mo1", MENTEE, at)


def test_a_request_accepted_and_confirmed_by_both_becomes_active_then_completes() -> None:
    r = own_request()
    assert r.state is State.REQUESTED and r.origin is Origin.REQUEST and not r.holds_place
    r = r.accept(MENTOR, T0 + timedelta(days=1))
    assert r.state is State.ACCEPTED and r.holds_place
    r = r.confirm(MENTEE, T0 + timedelta(days=2))
    assert r.state is State.ACCEPTED and r.confirmed == {Role.MENTEE}
    r = r.confirm(MENTOR, T0 + timedelta(days=2))
    assert r.state is State.ACTIVE and r.holds_place
    r = r.end(MENTOR, T0 + timedelta(days=200), "goals met", completed=True)
    assert r.state is State.ENDED and r.ending is Ending.COMPLETED and not r.holds_place
    assert [t.action for t in r.history] == [
        Action.REQUEST,
        Action.ACCEPT,
        Action.CONFIRM,
        Action.CONFIRM,
        Action.END,
    ]
    assert [t.actor for t in r.history] == [
        "mentee:me1",
        "mentor:mo1",
        "mentee:me1",
        "mentor:mo1",
        "mentor:mo1",
    ]
    assert r.history[-1].reason == "goals met" and r.requested_at == T0


def test_an_assignment_pair_holds_its_place_from_the_request_until_declined() -> None:
    r = request("r2", "me1", "mo1", COORDINATOR, T0, cohort_id="c1")
    assert r.origin is Origin.ASSIGNMENT and r.cohort_id == "c1" and r.holds_place
    assert r.history[0].actor == "coordinator:cardio-2026"
    declined = r.decline(MENTOR, T0, DeclineReason.TIMING, "  on leave until May ")
    assert declined.state is State.DECLINED and not declined.holds_place
    assert declined.decline_reason is DeclineReason.TIMING
    assert declined.history[-1].reason == "on leave until May"
    assert declined.history[-1].details["category"] == "timing"


@pytest.mark.parametrize(
    ("actor", "ending"),
    [
        (MENTEE, Ending.WITHDRAWN_BY_MENTEE),
        (MENTOR, Ending.WITHDRAWN_BY_MENTOR),
        (COORDINATOR, Ending.CLOSED_BY_COORDINATOR),
        (ADMIN, Ending.CLOSED_BY_COORDINATOR),
    ],
)
def test_who_ends_it_says_how_it_ended(actor: Actor, ending: Ending) -> None:
    r = own_request().accept(MENTOR, T0)
    assert r.end(actor, T0, "not meeting").ending is ending
    assert own_request().end(actor, T0, "changed plans").ending is ending  # before an answer


@pytest.mark.parametrize(
    ("attempt", "problem"),
    [
        (lambda r: r.accept(MENTEE, T0), "only the mentor answers"),
        (lambda r: r.accept(COORDINATOR, T0), "only the mentor answers"),
        (lambda r: r.accept(OTHER_MENTOR, T0), "not a party"),
        (lambda r: r.decline(MENTOR, T0, DeclineReason.OTHER, "  "), "needs a text"),
        (lambda r: r.confirm(MENTEE, T0), "is requested"),
        (lambda r: r.end(MENTEE, T0, " "), "reason is required"),
        (lambda r: r.end(MENTEE, T0, "done", completed=True), "only an active one"),
        (lambda r: r.accept(MENTOR, T0 - timedelta(seconds=1)), "before the relationship"),
        (lambda r: r.accept(MENTOR, datetime(2026, 2, 1)), "timezone"),
    ],
)
def test_refused_steps_name_the_action_and_the_problem(attempt: object, problem: str) -> None:
    r = own_request()
    with pytest.raises(TransitionRefused, match=problem):
        attempt(r)  # type: ignore[operator]


def test_requests_are_made_by_the_mentee_or_for_a_cohort_by_staff() -> None:
    with pytest.raises(TransitionRefused, match="only the mentee requests"):
        request("r", "me1", "mo1", OTHER_MENTEE, T0)
    with pytest.raises(TransitionRefused, match="only the mentee requests"):
        request("r", "me1", "mo1", MENTOR, T0)
    with pytest.raises(TransitionRefused, match="coordinator"):
        request("r", "me1", "mo1", MENTEE, T0, cohort_id="c1")
    with pytest.raises(TransitionRefused, match="own mentor"):
        request("r", "x", "x", ADMIN, T0)
    assert request("r", "me1", "mo1", ADMIN, T0).origin is Origin.REQUEST


def test_an_agreement_is_confirmed_once_per_side_by_the_parties_only() -> None:
    r = own_request().accept(MENTOR, T0)
    with pytest.raises(TransitionRefused, match="only the mentee or the mentor"):
        r.confirm(COORDINATOR, T0)
    r = r.confirm(MENTEE, T0)
    with pytest.raises(TransitionRefused, match="confirmed already"):
        r.confirm(MENTEE, T0)


ACTORS = [MENTEE, MENTOR, COORDINATOR, ADMIN, OTHER_MENTEE, OTHER_MENTOR]
REASONS = list(DeclineReason)
ACTIONS = (
    ["accept"] * 3 + ["decline", "confirm", "confirm"] + ["check-in"] * 3 + ["end", "complete"]
)
"""Weighted so that many runs get past the request to agreements and check-ins."""


@st.composite
def steps(draw: st.DrawFn) -> list[tuple[str, Actor, int, int, str]]:
    """Actions with an actor, minutes after the previous step (sometimes before it), a
    decline reason and a text."""
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(ACTIONS),
                st.sampled_from(ACTORS),
                st.integers(-5, 60 * 24 * 90),
                st.integers(0, len(REASONS) - 1),
                st.sampled_from(["", "  ", "busy"]),
            ),
            max_size=12,
        )
    )


def attempt(r: Relationship, step: tuple[str, Actor, int, int, str]) -> Relationship:
    action, actor, minutes, reason, text = step
    at = r.history[-1].at + timedelta(minutes=minutes)
    if action == "accept":
        return r.accept(actor, at)
    if action == "decline":
        return r.decline(actor, at, REASONS[reason], text)
    if action == "confirm":
        return r.confirm(actor, at)
    if action == "check-in":
        side = actor.role if actor.role in (Role.MENTEE, Role.MENTOR) else Role.MENTOR
        wellbeing = 3 if side is Role.MENTEE else None
        survey = Survey(1, 1 + reason, 3, wellbeing)
        answer = Answer(**asdict(survey), side=side, round=1 + reason % 2, answered=at.date())
        return r.check_in(actor, at, answer)
    return r.end(actor, at, text, completed=action == "complete")


@settings(max_examples=300, deadline=None, database=None)
@given(st.booleans(), steps())
def test_every_step_is_recorded_and_no_refused_step_changes_anything(
    for_cohort: bool, plan: list[tuple[str, Actor, int, int, str]]
) -> None:
    r = request(
        "r1", "me1", "mo1", COORDINATOR if for_cohort else MENTEE, T0, "c1" if for_cohort else None
    )
    for step in plan:
        before = r
        try:
            r = attempt(r, step)
        except TransitionRefused:
            assert r is before
            continue
        actor = step[1]
        last = r.history[-1]
        assert len(r.history) == len(before.history) + 1
        assert last.before is before.state and last.after is r.state
        assert last.at >= before.history[-1].at and last.actor == actor.name
        assert before.state.is_open, "a declined or ended relationship never moves"
        assert actor not in (OTHER_MENTEE, OTHER_MENTOR), "a stranger never moves it"
        if step[0] in ("accept", "decline"):
            assert actor in (MENTOR, ADMIN)
        event(f"{step[0]} taken")
        if step[0] == "check-in":
            assert r.state is before.state in (State.ACCEPTED, State.ACTIVE)
            assert actor in (MENTEE, MENTOR) and r.answers[-1].side is actor.role
            assert len({(a.side, a.round) for a in r.answers}) == len(r.answers)
        if r.state is State.ACTIVE:
            assert r.confirmed == {Role.MENTEE, Role.MENTOR}
        if r.state is State.DECLINED:
            assert r.decline_reason is not None and before.state is State.REQUESTED
        if r.state is State.ENDED:
            assert r.ending is not None and last.reason == last.reason.strip() != ""
        booked = r.state is State.REQUESTED and for_cohort
        assert r.holds_place == (booked or r.state in (State.ACCEPTED, State.ACTIVE))
