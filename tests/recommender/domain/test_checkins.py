"""Check-ins: due dates, missed rounds, validated answers and the flags they raise."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.domain.checkins import Answer, Schedule, flags, rounds
from recommender.domain.errors import InvalidProfile
from recommender.domain.kinds import Role

ACCEPTED = date(2026, 1, 10)
DEFAULT = Schedule()


def mentee_answer(n: int, satisfaction: int = 4, progress: int = 4, **more: object) -> Answer:
    due = DEFAULT.due(ACCEPTED, date(2030, 1, 1))[n - 1]
    fields: dict[str, object] = {"wellbeing": 4, **more}
    return Answer(2, progress, satisfaction, side=Role.MENTEE, round=n, answered=due, **fields)  # type: ignore[arg-type]


def mentor_answer(n: int, satisfaction: int = 4, progress: int = 4) -> Answer:
    due = DEFAULT.due(ACCEPTED, date(2030, 1, 1))[n - 1]
    return Answer(2, progress, satisfaction, side=Role.MENTOR, round=n, answered=due)


def test_the_first_check_in_falls_due_after_30_days_then_every_60() -> None:
    assert DEFAULT.due(ACCEPTED, date(2026, 2, 8)) == []
    assert DEFAULT.due(ACCEPTED, date(2026, 6, 9)) == [
        date(2026, 2, 9),
        date(2026, 4, 10),
        date(2026, 6, 9),
    ]
    assert Schedule(14, 28).due(ACCEPTED, date(2026, 3, 1)) == [
        date(2026, 1, 24),
        date(2026, 2, 21),
    ]


def test_a_round_is_missed_only_after_the_grace_period() -> None:
    due = date(2026, 2, 9)
    answers = [mentee_answer(1)]
    (open_round,) = rounds(DEFAULT, ACCEPTED, answers, due + timedelta(days=14))
    assert open_round.answered == {Role.MENTEE} and not open_round.missed
    assert open_round.open_sides == {Role.MENTOR}
    (late,) = rounds(DEFAULT, ACCEPTED, answers, due + timedelta(days=15))
    assert late.missed == {Role.MENTOR} and not late.open_sides


def test_two_missed_check_ins_flag_the_side_that_missed_them() -> None:
    today = date(2026, 4, 25)  # round 2 (due 10 April) is past its grace period
    answers = [mentee_answer(1), mentee_answer(2)]
    (flag,) = flags(DEFAULT, ACCEPTED, answers, today)
    assert flag.kind == "missed" and flag.reason == "the mentor missed 2 check-ins (rounds 1, 2)"
    assert flags(DEFAULT, ACCEPTED, answers, date(2026, 4, 24)) == []


def test_low_ratings_on_two_consecutive_check_ins_flag_it() -> None:
    today = date(2026, 4, 12)
    both = [mentee_answer(1), mentor_answer(1, satisfaction=2), mentee_answer(2)]
    assert flags(DEFAULT, ACCEPTED, both, today) == []
    (flag,) = flags(DEFAULT, ACCEPTED, [*both, mentor_answer(2, progress=1)], today)
    assert flag.kind == "low"
    assert (
        flag.reason == "the mentor rated progress or satisfaction 2 or lower in check-ins 1 and 2"
    )
    # one low answer from each side is not two from one side
    mixed = [mentee_answer(1, satisfaction=1), mentor_answer(1), mentee_answer(2)]
    assert flags(DEFAULT, ACCEPTED, [*mixed, mentor_answer(2, satisfaction=2)], today) == []


def test_a_mentee_asking_for_support_flags_it_at_once() -> None:
    answers = [mentee_answer(1, wants_support=True)]
    (flag,) = flags(DEFAULT, ACCEPTED, answers, date(2026, 2, 9))
    assert flag.kind == "support" and flag.reason == "the mentee asked for support (check-in 1)"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"side": Role.ADMIN}, "side"),
        ({"round": 0}, "round"),
        ({"meetings": -1}, "meetings"),
        ({"progress": 6}, "progress"),
        ({"satisfaction": 0}, "satisfaction"),
        ({"wellbeing": None}, "wellbeing"),
        ({"side": Role.MENTOR, "wellbeing": None, "wants_support": True}, "wants_support"),
        ({"side": Role.MENTOR, "wellbeing": 3}, "wellbeing"),
        ({"comment": "x" * 4001}, "comment"),
    ],
)
def test_a_bad_answer_names_its_field(fields: dict[str, object], field: str) -> None:
    base: dict[str, object] = {
        "side": Role.MENTEE,
        "round": 1,
        "answered": ACCEPTED,
        "meetings": 1,
        "progress": 3,
        "satisfaction": 3,
        "wellbeing": 3,
    }
    with pytest.raises(InvalidProfile) as refused:
        Answer(**{**base, **fields})  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"first_after_days": 0}, "first_after_days"), ({"grace_days": 60}, "grace_days")],
)
def test_a_bad_schedule_names_its_field(fields: dict[str, int], field: str) -> None:
    with pytest.raises(InvalidProfile) as refused:
        Schedule(**fields)
    assert refused.value.field == field


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([Role.MENTEE, Role.MENTOR]), st.integers(1, 6), st.integers(1, 5)
        ),
        max_size=12,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.integers(0, 500),
)
def test_flags_follow_their_rules(plan: list[tuple[Role, int, int]], days: int) -> None:
    """Flags computed against a direct reading of each rule."""
    today = ACCEPTED + timedelta(days=days)
    due = DEFAULT.due(ACCEPTED, today)
    answers = [
        Answer(
            1, score, 5, 3 if side is Role.MENTEE else None, side=side, round=n, answered=due[n - 1]
        )
        for side, n, score in plan
        if n <= len(due)
    ]
    kinds = [f.kind for f in flags(DEFAULT, ACCEPTED, answers, today)]
    answered = {(a.side, a.round) for a in answers}

    def missed(side: Role) -> int:
        grace = timedelta(days=DEFAULT.grace_days)
        return sum(
            (side, n) not in answered and today > day + grace for n, day in enumerate(due, start=1)
        )

    def low_twice(side: Role) -> bool:
        low = {a.round for a in answers if a.side is side and a.progress <= 2}
        return any(n + 1 in low for n in low)

    sides = (Role.MENTEE, Role.MENTOR)
    assert ("missed" in kinds) == any(missed(side) >= 2 for side in sides)
    assert ("low" in kinds) == any(low_twice(side) for side in sides)
    assert "support" not in kinds
