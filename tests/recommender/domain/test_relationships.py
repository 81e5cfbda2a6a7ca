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

from recommender.domain.agreements import Agreement, Cadence, Mode, draft_agreement
from recommender.domain.checkins import Answer, Survey
from recommender.domain.errors import InvalidProfile
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
AGREEMENT = Agreement(goals=("publish a first case report",))
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
    r = r.accept(MENTOR, T0 + timedelta(days=1), AGREEMENT)
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
    r = own_request().accept(MENTOR, T0, AGREEMENT)
    assert r.end(actor, T0, "not meeting").ending is ending
    assert own_request().end(actor, T0, "changed plans").ending is ending  # before an answer


@pytest.mark.parametrize(
    ("attempt", "problem"),
    [
        (lambda r: r.accept(MENTEE, T0, AGREEMENT), "only the mentor answers"),
        (lambda r: r.accept(COORDINATOR, T0, AGREEMENT), "only the mentor answers"),
        (lambda r: r.accept(OTHER_MENTOR, T0, AGREEMENT), "not a party"),
        (lambda r: r.decline(MENTOR, T0, DeclineReason.OTHER, "  "), "needs a text"),
        (lambda r: r.confirm(MENTEE, T0), "is requested"),
        (lambda r: r.end(MENTEE, T0, " "), "reason is required"),
        (lambda r: r.end(MENTEE, T0, "done", completed=True), "only an active one"),
        (
            lambda r: r.accept(MENTOR, T0 - timedelta(seconds=1), AGREEMENT),
            "before the relationship",
        ),
        (lambda r: r.accept(MENTOR, datetime(2026, 2, 1), AGREEMENT), "timezone"),
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
    r = own_request().accept(MENTOR, T0, AGREEMENT)
    with pytest.raises(TransitionRefused, match="only the mentee or the mentor"):
        r.confirm(COORDINATOR, T0)
    r = r.confirm(MENTEE, T0)
    with pytest.raises(TransitionRefused, match="confirmed already"):
        r.confirm(MENTEE, T0)


ACTORS = [MENTEE, MENTOR, COORDINATOR, ADMIN, OTHER_MENTEE, OTHER_MENTOR]
REASONS = list(DeclineReason)
ACTIONS = (
    ["accept"] * 3
    + ["decline", "confirm", "confirm", "agree"]
    + ["check-in"] * 3
    + ["end", "complete"]
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
        return r.accept(actor, at, AGREEMENT)
    if action == "decline":
        return r.decline(actor, at, REASONS[reason], text)
    if action == "confirm":
        return r.confirm(actor, at)
    if action == "agree":
        goals = ("publish", "teach")[: 1 + reason % 2]
        return r.edit_agreement(actor, at, Agreement(goals=goals, mentor_expects=text))
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
        if step[0] == "agree":
            assert r.state is before.state and actor in (MENTEE, MENTOR, ADMIN)
            assert r.agreement != before.agreement and last.details["changed"]
            if r.state is State.ACCEPTED:
                assert r.confirmed == frozenset(), "an edit asks both sides to confirm again"
        if r.state is State.ACTIVE:
            assert r.confirmed == {Role.MENTEE, Role.MENTOR}
        if r.state is State.DECLINED:
            assert r.decline_reason is not None and before.state is State.REQUESTED
        if r.state is State.ENDED:
            assert r.ending is not None and last.reason == last.reason.strip() != ""
        booked = r.state is State.REQUESTED and for_cohort
        assert r.holds_place == (booked or r.state in (State.ACCEPTED, State.ACTIVE))


def test_an_edit_before_both_confirmed_asks_both_again_and_is_recorded() -> None:
    r = own_request().accept(MENTOR, T0, AGREEMENT).confirm(MENTOR, T0)
    assert r.agreement == AGREEMENT and r.confirmed == {Role.MENTOR}
    edited = Agreement(goals=("publish a case report", "choose a residency"), cadence="weekly")
    r = r.edit_agreement(MENTEE, T0 + timedelta(hours=1), edited)
    assert r.state is State.ACCEPTED and r.confirmed == frozenset()
    assert r.agreement == edited and r.agreement.cadence is Cadence.WEEKLY
    last = r.history[-1]
    assert last.action is Action.AGREE and last.actor == "mentee:me1"
    assert last.details["changed"] == ["goals", "cadence"]
    r = r.confirm(MENTEE, T0 + timedelta(hours=2)).confirm(MENTOR, T0 + timedelta(hours=3))
    assert r.state is State.ACTIVE
    later = Agreement(goals=edited.goals, cadence="weekly", mode=Mode.IN_PERSON)
    r = r.edit_agreement(MENTOR, T0 + timedelta(days=9), later)
    assert r.state is State.ACTIVE, "an edit of an active agreement is recorded, not re-confirmed"
    assert r.history[-1].details["changed"] == ["mode"]
    with pytest.raises(TransitionRefused, match="nothing changed"):
        r.edit_agreement(MENTEE, T0 + timedelta(days=10), later)
    with pytest.raises(TransitionRefused, match="not a party"):
        r.edit_agreement(OTHER_MENTOR, T0 + timedelta(days=10), AGREEMENT)
    with pytest.raises(TransitionRefused, match="only the mentee or the mentor"):
        r.edit_agreement(COORDINATOR, T0 + timedelta(days=10), AGREEMENT)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"goals": ()}, "goals"),
        ({"goals": ("  ",)}, "goals"),
        ({"goals": ("x" * 501,)}, "goals"),
        ({"goals": ("a",), "cadence": "daily"}, "cadence"),
        ({"goals": ("a",), "mode": "carrier pigeon"}, "mode"),
        ({"goals": ("a",), "mentor_expects": "y" * 2001}, "mentor_expects"),
    ],
)
def test_a_bad_agreement_names_the_field(fields: dict[str, object], named: str) -> None:
    with pytest.raises(InvalidProfile) as caught:
        Agreement(**fields)  # type: ignore[arg-type]
    assert caught.value.field == named


def test_the_draft_agreement_comes_from_the_mentee_profile() -> None:
    from tests.conftest import mentee

    with_goals = mentee("e1", goals=["match in cardiology"], meeting_modes=["in_person"])
    assert draft_agreement(with_goals) == Agreement(
        goals=("match in cardiology",), mode=Mode.IN_PERSON
    )
    interests = mentee("e2", interests=["heart failure"], meeting_modes=["video", "phone"])
    drafted = draft_agreement(interests)
    assert drafted.goals == ("Explore heart failure",) and drafted.mode is Mode.MIXED
