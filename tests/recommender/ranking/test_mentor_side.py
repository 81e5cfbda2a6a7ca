"""Two-sided ranking: mentors' stated preferences (hard ones filter, soft ones lower the
chance of acceptance), their past decisions, and the product with the mentee-side score.
Real SQLite, real FAISS, the real embedding model; the clock is the product's own, moved
by the test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from pydantic import ValidationError

from recommender.domain.kinds import Kind, Role
from recommender.domain.preferences import MentorPreferences, misses, stage_phrase
from recommender.domain.relationships import Actor, DeclineReason, TransitionRefused
from recommender.engine import Engine
from recommender.matching.lifecycle import Lifecycle
from recommender.ranking.filters import SuggestionFilters, excluded_reason
from recommender.ranking.mentor_side import Decision, MentorSide, decisions_of
from recommender.storage.relationships import Decided
from tests.conftest import TODAY, mentee, mentor

AT = datetime(2026, 1, 1, tzinfo=UTC)
TOPIC = ["cardiac imaging research", "heart failure outcomes"]


def decision(mentor_id: str, stage: str, accepted: bool, n: int = 1) -> list[Decision]:
    return [Decision(mentor_id, f"e{i}", stage, accepted, AT) for i in range(n)]


# -- the model ---------------------------------------------------------------------------------


def test_no_decisions_and_no_preference_leave_every_factor_at_one() -> None:
    side = MentorSide([])
    m = mentor("m1", interests=TOPIC)
    for stage in ("premedical", "MS2", "PGY3", "fellow"):
        assert side.side(mentee("e", stage, interests=["x"]), m).factor == 1.0
    ids = ["m1", "m2"]
    got = side.factors(mentee("e", interests=["x"]), ids, {}, np.zeros(2, bool), np.zeros(2, bool))
    assert got.tolist() == [1.0, 1.0]


def test_a_soft_stage_preference_lowers_the_factor_outside_it_until_decisions_say_more() -> None:
    m = mentor("m1", preferences=MentorPreferences(stages=["MS1", "MS2"]))
    side = MentorSide([])
    inside = side.side(mentee("e", "MS1", interests=["x"]), m)
    outside = side.side(mentee("e", "PGY2", interests=["x"]), m)
    assert inside.factor == 1.0 and inside.outside == ()
    assert outside.factor == pytest.approx(0.75) and outside.outside == ("stages",)
    assert inside.takes == "takes MS1–MS2 students"
    # the program's own record outside stated preferences replaces the prior ratio
    log = [Decision("m9", f"e{i}", "PGY2", i < 2, AT, outside=True) for i in range(10)]
    log += [Decision("m9", f"f{i}", "MS1", i < 9, AT, outside=False) for i in range(10)]
    learned = MentorSide(log)
    assert learned.outside_ratio < 0.5
    assert learned.side(mentee("e", "PGY2", interests=["x"]), m).factor < 0.6


def test_a_mentor_who_declines_a_band_is_lowered_for_it_and_not_for_others() -> None:
    log = decision("m1", "MS2", False, 6) + decision("m1", "PGY2", True, 6)
    log += decision("m2", "MS2", True, 6) + decision("m2", "PGY2", True, 6)
    side = MentorSide(log)
    m1, m2 = mentor("m1"), mentor("m2")
    student, resident = mentee("s", "MS1", interests=["x"]), mentee("r", "PGY4", interests=["x"])
    low = side.side(student, m1)
    assert low.factor < 0.6 and (low.accepted, low.asked, low.band) == (0, 6, "preclinical")
    assert side.side(resident, m1).factor == 1.0
    assert side.side(student, m2).factor == 1.0
    assert low.chance < side.side(student, m2).chance


def test_declines_for_want_of_a_place_and_erased_mentees_are_not_decisions() -> None:
    decided = [
        Decided("e1", "m1", False, AT, DeclineReason.NO_CAPACITY.value),
        Decided("e1", "m1", False, AT, DeclineReason.TIMING.value),
        Decided("gone", "m1", True, AT),
        Decided("e1", "m1", True, AT + timedelta(days=30)),
    ]
    mentees = {"e1": mentee("e1", "MS3", interests=["x"])}
    found = decisions_of(decided, {"m1": mentor("m1")}, mentees)
    assert [(d.accepted, d.stage) for d in found] == [(False, "MS3"), (True, "MS3")]
    assert len(decisions_of(decided, {}, mentees, until=AT + timedelta(days=1))) == 1


def test_preferences_are_checked_and_phrased() -> None:
    with pytest.raises(ValidationError, match="'topics' is hard but no topics"):
        MentorPreferences(hard=["topics"])
    with pytest.raises(ValidationError, match="max_per_stage"):
        MentorPreferences(max_per_stage={"MS1": 500})
    prefs = MentorPreferences(
        stages=["MS1", "MS2"], specialties=["cardiology"], topics=["research"], meeting_modes=True
    )
    assert prefs.takes() == "takes MS1–MS2 students aiming for cardiology interested in research"
    assert misses(prefs, "MS1", ["Cardiology"], ["researching heart valves"], [], ["video"]) == ()
    assert misses(prefs, "MS3", [], ["surgery"], ["in_person"], ["video"]) == (
        "stages",
        "specialties",
        "topics",
        "meeting_modes",
    )
    assert stage_phrase([f"PGY{n}" for n in range(1, 8)] + ["fellow"]) == "residents and fellows"


# -- in the engine -----------------------------------------------------------------------------


@pytest.fixture
def program(engine: Engine) -> Engine:
    """Four cardiology researchers alike but for their preferences, and three mentees."""
    mentors = [
        mentor("open", "cardiology", research_areas=TOPIC),
        mentor(
            "soft",
            "cardiology",
            research_areas=TOPIC,
            preferences=MentorPreferences(stages=["PGY1", "PGY2", "PGY3"]),
        ),
        mentor(
            "hard",
            "cardiology",
            research_areas=TOPIC,
            preferences=MentorPreferences(stages=["MS1", "MS2"], hard=["stages"]),
        ),
        mentor(
            "away",
            "cardiology",
            research_areas=TOPIC,
            preferences=MentorPreferences(not_taking_until=TODAY + timedelta(days=30)),
        ),
    ]
    engine.store.upsert(Kind.MENTORS, mentors)
    engine.store.upsert(
        Kind.MENTEES,
        [
            mentee("student", "MS2", interests=TOPIC, target_specialties=["cardiology"]),
            mentee("resident", "PGY2", interests=TOPIC, target_specialties=["cardiology"]),
            mentee("fellow", "fellow", interests=TOPIC, target_specialties=["cardiology"]),
        ],
    )
    return engine


def listed(engine: Engine, mentee_id: str) -> list[str]:
    return [s.mentor_id for s in engine.suggest_for(mentee_id, 10)]


def test_hard_preferences_and_a_closed_date_filter_and_soft_ones_lower(program: Engine) -> None:
    assert "hard" in listed(program, "student") and "hard" not in listed(program, "resident")
    assert "away" not in listed(program, "student")
    student = {s.mentor_id: s for s in program.suggest_for("student", 10)}
    resident = {s.mentor_id: s for s in program.suggest_for("resident", 10)}
    soft = student["soft"]
    assert soft.mentor_side is not None and soft.mentor_side.outside == ("stages",)
    assert soft.mentor_side.factor == pytest.approx(0.75)
    assert soft.score < student["open"].score
    assert any("Takes PGY1–PGY3 residents: your stage is outside" in g for g in soft.gaps)
    assert resident["soft"].mentor_side.factor == 1.0  # type: ignore[union-attr]
    assert "Takes PGY1–PGY3 residents." in resident["soft"].reasons
    # contributions still sum to the score the mentor side scaled
    total = sum(c.contribution for c in soft.components.values())
    assert total == pytest.approx(soft.score, abs=1e-5)


def test_the_filters_agree_with_the_reason_given(program: Engine) -> None:
    store = program.store
    cases = {
        ("student", "away"): "not taking new mentees until",
        ("resident", "hard"): "outside the mentor's stages preference",
        ("student", "hard"): None,
        ("resident", "soft"): None,
    }
    for (e, m), want in cases.items():
        why = excluded_reason(store.get_mentee(e), store.get_mentor(m), SuggestionFilters(), TODAY)
        assert (why is None) if want is None else (why is not None and want in why)
    later = TODAY + timedelta(days=31)
    assert (
        excluded_reason(
            store.get_mentee("student"), store.get_mentor("away"), SuggestionFilters(), later
        )
        is None
    )


def test_the_closed_date_passes(make_engine, program: Engine) -> None:  # type: ignore[no-untyped-def]
    program.today = lambda: TODAY + timedelta(days=30)
    assert "away" in listed(program, "student")


def test_at_most_per_stage_counts_open_relationships(program: Engine) -> None:
    life = Lifecycle(program)
    program.store.upsert(
        Kind.MENTORS,
        [
            mentor(
                "open",
                "cardiology",
                research_areas=TOPIC,
                preferences=MentorPreferences(max_per_stage={"PGY2": 1}),
            )
        ],
    )
    assert "open" in listed(program, "resident")
    r = life.request(Actor(Role.MENTEE, "resident"), "resident", "open")
    life.accept(Actor(Role.MENTOR, "open"), r.id)
    program.store.upsert(Kind.MENTEES, [mentee("resident2", "PGY2", interests=TOPIC)])
    assert "open" not in listed(program, "resident2")
    assert "open" in listed(program, "fellow"), "other stages are not counted"
    with pytest.raises(TransitionRefused, match="at most 1 PGY2"):
        life.request(Actor(Role.MENTEE, "resident2"), "resident2", "open")


def test_declines_in_the_log_lower_the_mentor_for_that_stage(program: Engine) -> None:
    life = Lifecycle(program)
    students = [mentee(f"s{i}", "MS2", interests=TOPIC) for i in range(5)]
    program.store.upsert(Kind.MENTEES, students)
    for s in students:
        r = life.request(Actor(Role.MENTEE, s.id), s.id, "open")
        life.decline(Actor(Role.MENTOR, "open"), r.id, DeclineReason.TIMING)
    side = {s.mentor_id: s for s in program.suggest_for("student", 10)}["open"].mentor_side
    assert side is not None and (side.accepted, side.asked) == (0, 5) and side.factor < 0.6
    assert any(
        "Accepted 0 of 5 requests from MS1–MS2 students" in g
        for g in {s.mentor_id: s for s in program.suggest_for("student", 10)}["open"].gaps
    )
    resident = {s.mentor_id: s for s in program.suggest_for("resident", 10)}["open"]
    assert resident.mentor_side is not None and resident.mentor_side.asked == 0
    # an offline replay sees only the decisions made before its date
    early = program.score(
        program.store.get_mentee("student"), 10, SuggestionFilters(), as_of=date(2020, 1, 1)
    )
    assert early.side is not None
    assert early.side[early.mentor_ids.index("open")] == 1.0


def test_two_sided_off_gives_the_mentee_side_ranking(program: Engine) -> None:
    program.settings = program.settings.model_copy(update={"two_sided": False})
    found = program.suggest_for("student", 10)
    assert all(s.mentor_side is None for s in found)
    soft = {s.mentor_id: s for s in found}["soft"]
    assert soft.score == pytest.approx(sum(c.contribution for c in soft.components.values()))
