"""Fit and gaps: a percentage from the score, and what does not fit, never also a reason.

Signals are computed by the real signal functions; the engine tests use a real SQLite store
and FAISS index with the hashing embedder.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from recommender.domain.kinds import Kind
from recommender.domain.profiles import Mentee, Mentor
from recommender.domain.suggestion import fit_percent
from recommender.engine import Engine, SuggestionFilters
from recommender.ranking.explain import explanation_text, signal_reasons
from recommender.ranking.explainer import Explainer
from recommender.ranking.gaps import GAP_RULES, MAX_GAPS, signal_gaps, timezone_hours
from recommender.ranking.ranker import LinearRanker
from recommender.ranking.registry import REGISTRY, compute_signals
from recommender.ranking.scored import Candidate
from recommender.ranking.signals import FeedbackStats, SignalContext, SignalValue
from tests.conftest import TODAY, mentee, mentor
from tests.support.engines import hashing_engine

CTX = SignalContext(TODAY, FeedbackStats({}, None))
SUMMER, WINTER = date(2026, 7, 1), date(2026, 1, 15)


def person(**fields: Any) -> Mentee:
    """A PGY2 mentee interested in heart failure, with ``fields``."""
    return mentee("e1", **{"interests": ["heart failure"], **fields})


def signals_of(who: Mentee, whom: Mentor) -> dict[str, SignalValue]:
    return compute_signals(who, whom, None, CTX)


def gaps_of(who: Mentee, whom: Mentor, day: date = TODAY) -> list[str]:
    """Every gap (no limit), in order."""
    return signal_gaps(who, whom, signals_of(who, whom), day, limit=len(GAP_RULES))


def reasons_of(who: Mentee, whom: Mentor) -> list[str]:
    return signal_reasons(who, whom, signals_of(who, whom))


# -- fit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "fit"),
    [
        (0.0, 0),
        (1.0, 100),
        (0.5, 50),
        (0.004999, 0),
        (0.005, 1),
        (0.734, 73),
        (0.735, 74),
        (-0.2, 0),
        (1.3, 100),
        (math.nan, 0),
        (math.inf, 0),
    ],
)
def test_fit_is_the_score_as_a_rounded_clipped_percentage(score: float, fit: int) -> None:
    assert fit_percent(score) == fit


def test_fit_stays_within_0_to_100_and_never_falls_as_the_score_rises() -> None:
    scores = np.linspace(-0.2, 1.2, 14_001)
    fits = [fit_percent(float(s)) for s in scores]
    assert min(fits) == 0 and max(fits) == 100
    assert all(a <= b for a, b in itertools.pairwise(fits))
    inside = [(float(s), f) for s, f in zip(scores, fits, strict=True) if 0 <= s <= 1]
    assert all(abs(f - 100 * s) <= 0.5 + 1e-9 for s, f in inside)


# -- each kind of gap ----------------------------------------------------------------------------


def test_a_full_mentor_has_no_free_place_and_is_not_praised_for_places() -> None:
    full = mentor("m", capacity=2, current_mentees=2)
    assert "No free place at the moment." in gaps_of(person(), full)
    assert not [r for r in reasons_of(person(), full) if "places" in r]
    free = mentor("m", capacity=2, current_mentees=1)
    assert "No free place at the moment." not in gaps_of(person(), free)
    assert "Has 1 of 2 places free." in reasons_of(person(), free)


@pytest.mark.parametrize(
    ("specialty", "gap"),
    [
        ("dermatology", "Practises dermatology, not your target specialty cardiology."),
        ("nephrology", "Practises nephrology, not your target specialty cardiology."),  # sibling
        ("internal medicine", None),  # parent: "closely related", a reason
        ("cardiology", None),
        ("unspecified", None),  # a text-only corpus: the specialty is not known
    ],
)
def test_another_specialty_is_a_gap_unless_it_is_the_target_or_close(
    specialty: str, gap: str | None
) -> None:
    who, whom = person(target_specialties=["cardiology"]), mentor("m", specialty)
    found = [g for g in gaps_of(who, whom) if "specialty" in g]
    assert found == ([gap] if gap else [])
    praised = [r for r in reasons_of(who, whom) if "specialty" in r]
    assert not (found and praised)
    if specialty in ("internal medicine", "cardiology"):
        assert praised


def test_several_targets_are_named_together_and_undecided_mentees_have_no_specialty_gap() -> None:
    who = person(target_specialties=["cardiology", "neurology"])
    assert "Practises dermatology, not your target specialties cardiology or neurology." in (
        gaps_of(who, mentor("m", "dermatology"))
    )
    undecided = person(target_specialties=["undecided"])
    assert not [g for g in gaps_of(undecided, mentor("m", "dermatology")) if "specialty" in g]


def test_what_is_sought_and_not_offered_is_a_gap_and_what_is_offered_a_reason() -> None:
    who = person(seeking=["research_collaboration", "shadowing"])
    whom = mentor("m", offers=["research_collaboration", "career_advice"])
    assert "Does not offer shadowing, which you are seeking." in gaps_of(who, whom)
    assert "Offers research collaboration, which you are seeking." in reasons_of(who, whom)
    neither = mentor("m", offers=["wellness"])
    assert "Does not offer research collaboration or shadowing, which you are seeking." in (
        gaps_of(who, neither)
    )
    everything = mentor("m", offers=["research_collaboration", "shadowing"])
    assert not [g for g in gaps_of(who, everything) if "Does not offer" in g]
    # A mentor who lists no offers is not known to lack them (the signal is neutral too).
    assert not [g for g in gaps_of(who, mentor("m", offers=[])) if "Does not offer" in g]
    # Nothing sought: the stage's usual needs are not held against anyone.
    assert not [g for g in gaps_of(person(), neither) if "Does not offer" in g]


def test_a_language_other_than_english_not_spoken_is_a_gap_unless_required() -> None:
    who = person(languages=["english", "spanish"])
    assert "Does not speak Spanish." in gaps_of(who, mentor("m", languages=["english"]))
    speaks = mentor("m", languages=["english", "spanish"])
    assert not [g for g in gaps_of(who, speaks) if "speak" in g]
    assert "Speaks Spanish." in reasons_of(who, speaks)
    assert not [g for g in gaps_of(person(languages=["english"]), mentor("m")) if "speak" in g]
    required = person(languages=["spanish"], require_language=True)
    assert not [g for g in gaps_of(required, mentor("m")) if "speak" in g]  # a hard filter


def test_a_preferred_meeting_mode_not_offered_is_a_gap_unless_required() -> None:
    who = person(meeting_modes=["in_person"])
    assert "Does not meet in person, your preferred mode." in (
        gaps_of(who, mentor("m", meeting_modes=["video"]))
    )
    both = person(meeting_modes=["in_person", "phone"])
    assert "Does not meet in person or by phone, your preferred modes." in (
        gaps_of(both, mentor("m", meeting_modes=["video"]))
    )
    shared = mentor("m", meeting_modes=["video", "in_person"])
    assert not [g for g in gaps_of(who, shared) if "meet" in g]
    required = person(meeting_modes=["in_person"], require_meeting_mode=True)
    assert not [g for g in gaps_of(required, mentor("m", meeting_modes=["video"])) if "meet" in g]


@pytest.mark.parametrize(
    ("mine", "theirs", "gap"),
    [
        ("UTC", "Asia/Tokyo", "Their timezone is 9 hours from yours."),
        ("UTC", "Asia/Kolkata", "Their timezone is 5.5 hours from yours."),
        ("UTC", "Europe/Berlin", None),  # 2 hours in September
        ("Pacific/Auckland", "Pacific/Honolulu", None),  # 22 hours by the clock, 2 by the day
        ("UTC", None, None),
        (None, "Asia/Tokyo", None),
    ],
)
def test_a_distant_timezone_is_a_gap_when_both_are_known(
    mine: str | None, theirs: str | None, gap: str | None
) -> None:
    found = [g for g in gaps_of(person(timezone=mine), mentor("m", timezone=theirs)) if "zone" in g]
    assert found == ([gap] if gap else [])


def test_timezones_are_compared_at_the_given_date() -> None:
    # London keeps summer time, Tokyo does not: 8 hours apart in July, 9 in January.
    assert timezone_hours("Europe/London", "Asia/Tokyo", SUMMER) == 8
    assert timezone_hours("Europe/London", "Asia/Tokyo", WINTER) == 9
    # New York and London both change their clocks (nearly) together.
    assert timezone_hours("America/New_York", "Europe/London", SUMMER) == 5
    assert timezone_hours("America/New_York", "Europe/London", WINTER) == 5
    who, whom = person(timezone="Europe/London"), mentor("m", timezone="Asia/Tokyo")
    assert "Their timezone is 9 hours from yours." in gaps_of(who, whom, WINTER)


@pytest.mark.parametrize(
    ("hours", "gap"),
    [
        (200.0, "Slow to reply (usually 8 days)."),
        (72.0, "Slow to reply (usually 3 days)."),  # reply part exactly 0.25
        (71.0, None),
        (24.0, None),
        (4.0, None),  # praised instead
        (None, None),
    ],
)
def test_slow_replies_are_a_gap_and_quick_ones_a_reason(
    hours: float | None, gap: str | None
) -> None:
    whom = mentor("m", response_time_hours=hours)
    found = [g for g in gaps_of(person(), whom) if "reply" in g]
    assert found == ([gap] if gap else [])
    praised = [r for r in reasons_of(person(), whom) if "replies" in r]
    assert bool(praised) == (hours == 4.0)


@pytest.mark.parametrize(
    ("hours", "gap"),
    [
        (0.0, "Offers no set hours a month."),
        (0.5, "Offers only 0.5 hours a month."),
        (1.0, "Offers only 1 hour a month."),
        (1.9, "Offers only 1.9 hours a month."),
        (2.0, None),
        (10.0, None),  # praised instead
    ],
)
def test_very_little_time_is_a_gap(hours: float, gap: str | None) -> None:
    whom = mentor("m", hours_per_month=hours)
    found = [g for g in gaps_of(person(), whom) if "a month" in g]
    assert found == ([gap] if gap else [])
    praised = [r for r in reasons_of(person(), whom) if "a month" in r]
    assert bool(praised) == (hours >= 6)


def test_a_well_fitting_mentor_has_no_gaps() -> None:
    who = person(
        target_specialties=["cardiology"],
        seeking=["research_collaboration"],
        languages=["english", "spanish"],
        meeting_modes=["video"],
        timezone="Europe/Paris",
    )
    whom = mentor(
        "m",
        "cardiology",
        languages=["english", "spanish"],
        timezone="Europe/Madrid",
        response_time_hours=6,
        hours_per_month=8,
    )
    assert gaps_of(who, whom) == []


# -- order, limit, and never a reason and a gap for one fact ----------------------------------


WORST_MENTEE: dict[str, Any] = {
    "target_specialties": ["cardiology"],
    "seeking": ["shadowing"],
    "languages": ["english", "french"],
    "meeting_modes": ["in_person"],
    "timezone": "UTC",
}
WORST_MENTOR: dict[str, Any] = {
    "capacity": 2,
    "current_mentees": 2,
    "offers": ["wellness"],
    "meeting_modes": ["video"],
    "timezone": "Asia/Tokyo",
    "response_time_hours": 120,
    "hours_per_month": 1,
}


def test_gaps_come_most_important_first_and_at_most_four_are_told() -> None:
    who, whom = person(**WORST_MENTEE), mentor("m", "dermatology", **WORST_MENTOR)
    every = gaps_of(who, whom)
    assert every == [
        "No free place at the moment.",
        "Practises dermatology, not your target specialty cardiology.",
        "Does not offer shadowing, which you are seeking.",
        "Does not speak French.",
        "Does not meet in person, your preferred mode.",
        "Their timezone is 9 hours from yours.",
        "Slow to reply (usually 5 days).",
        "Offers only 1 hour a month.",
    ]
    assert signal_gaps(who, whom, signals_of(who, whom), TODAY) == every[:MAX_GAPS]


TOPICS = [
    (re.compile(r"places free|No free place"), "places"),
    (re.compile(r"target specialt|closely related"), "specialty"),
    (re.compile(r"replies within|Slow to reply"), "reply"),
    (re.compile(r"hours? a month"), "hours"),
]


def facts(sentence: str) -> set[str]:
    """The facts a reason or gap speaks of: a topic, an offer, or a language."""
    found = {topic for pattern, topic in TOPICS if pattern.search(sentence)}
    offered = re.match(r"(?:Does not offer|Offers) (.+), which you are seeking", sentence)
    if offered:
        found |= {f"offer:{o}" for o in re.split(r", | and | or ", offered.group(1))}
    spoken = re.match(r"(?:Does not speak|Speaks) (.+)\.", sentence)
    if spoken:
        found |= {f"language:{s}" for s in re.split(r", | and | or ", spoken.group(1))}
    return found


def pairs_to_check() -> Iterator[tuple[Mentee, Mentor]]:
    """Mentees and mentors around every threshold the reasons and gaps use."""
    mentees = [
        person(),
        person(target_specialties=["cardiology"], seeking=["shadowing", "career_advice"]),
        person(languages=["english", "spanish", "french"], seeking=["research_collaboration"]),
    ]
    grid = list(
        itertools.product(
            ["cardiology", "internal medicine", "nephrology", "dermatology"],
            [(2, 2), (2, 1), (0, 0)],
            [0.0, 1.0, 1.99, 2.0, 5.99, 6.0, 12.0],
            [None, 1.0, 8.0, 8.1, 71.9, 72.0, 500.0],
            [[], ["shadowing"], ["career_advice", "research_collaboration"]],
            [["english"], ["english", "spanish"]],
        )
    )
    for who in mentees:
        for specialty, (capacity, now), hours, reply, offers, languages in grid:
            whom = mentor(
                "m",
                specialty,
                capacity=capacity,
                current_mentees=now,
                hours_per_month=hours,
                response_time_hours=reply,
                offers=offers,
                languages=languages,
            )
            yield who, whom


def test_no_fact_is_both_a_reason_and_a_gap() -> None:
    checked = 0
    for who, whom in pairs_to_check():
        reasons, gaps = reasons_of(who, whom), gaps_of(who, whom)
        said_for = set().union(*map(facts, reasons)) if reasons else set()
        said_against = set().union(*map(facts, gaps)) if gaps else set()
        assert not said_for & said_against, (who, whom, reasons, gaps)
        checked += 1
    assert checked == 3 * 4 * 3 * 7 * 7 * 3 * 2


# -- the explanation paragraph -----------------------------------------------------------------


def test_the_explanation_ends_with_the_gaps_introduced_by_but() -> None:
    text = explanation_text([], ["Speaks Spanish."], ["No free place at the moment."])
    assert text == "Speaks Spanish. But: No free place at the moment."
    assert explanation_text([], ["Speaks Spanish."], []) == "Speaks Spanish."
    alone = explanation_text([], [], ["Offers only 1 hour a month."])
    assert alone == "What does not fit: Offers only 1 hour a month."


def test_the_explainer_fills_fit_gaps_and_the_explanation_at_its_date() -> None:
    who = person(timezone="Europe/London", languages=["english", "french"])
    whom = mentor("m", timezone="Asia/Tokyo", hours_per_month=10)
    signals = signals_of(who, whom)
    ranker = LinearRanker()
    X = REGISTRY.matrix([{name: value.value for name, value in signals.items()}])
    candidate = Candidate(
        mentee=who,
        mentor=whom,
        rank=1,
        score=float(ranker.predict(X)[0]),
        signals=signals,
        values=X[0],
        contributions=ranker.contributions(X)[0],
        queries=[],
        items=[],
        sims=None,
    )
    winter = Explainer(today=lambda: WINTER).explain(candidate, ranker.effective_weights)
    assert winter.fit == fit_percent(winter.score) and 0 <= winter.fit <= 100
    assert winter.gaps == ["Does not speak French.", "Their timezone is 9 hours from yours."]
    assert winter.explanation.endswith(
        "But: Does not speak French. Their timezone is 9 hours from yours."
    )
    assert "Offers 10 hours a month." in winter.reasons
    summer = Explainer(today=lambda: SUMMER).explain(candidate, ranker.effective_weights)
    assert summer.gaps[-1] == "Their timezone is 8 hours from yours."
    assert (summer.score, summer.fit) == (winter.score, winter.fit)


# -- through the engine --------------------------------------------------------------------------


MENTORS = [
    mentor("card1", "cardiology", research_areas=["heart failure outcomes"], timezone="UTC"),
    mentor(
        "card2",
        "cardiology",
        research_areas=["heart failure drug trials"],
        capacity=2,
        current_mentees=2,
        timezone="Asia/Tokyo",
    ),
    mentor("derm1", "dermatology", research_areas=["melanoma screening"], hours_per_month=1),
    mentor("psy1", "psychiatry", research_areas=["adolescent depression"], response_time_hours=96),
]
SEEKER = mentee(
    "e1", interests=["heart failure outcomes"], target_specialties=["cardiology"], timezone="UTC"
)
BY_SCORE = SuggestionFilters(include_full=True, diversify=False, follow_specialty=False)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with hashing_engine(tmp_path / "var") as engine:
        engine.write(Kind.MENTORS, MENTORS)
        yield engine


def test_engine_suggestions_carry_fit_and_gaps_without_changing_order_or_scores(
    engine: Engine,
) -> None:
    found = engine.suggest(SEEKER, 4, BY_SCORE)
    scored = engine.score(SEEKER, 4, BY_SCORE)
    scores, order = engine.order(scored, BY_SCORE)
    assert [s.mentor_id for s in found] == [scored.mentor_ids[i] for i in order[:4]]
    assert [s.score for s in found] == [round(float(scores[i]), 6) for i in order[:4]]
    assert [s.fit for s in found] == [fit_percent(s.score) for s in found]
    assert [s.fit for s in found] == sorted((s.fit for s in found), reverse=True)
    gaps = {s.mentor_id: s.gaps for s in found}
    assert gaps["card1"] == []
    assert gaps["card2"] == [
        "No free place at the moment.",
        "Their timezone is 9 hours from yours.",
    ]
    assert gaps["derm1"][0] == "Practises dermatology, not your target specialty cardiology."
    assert "Offers only 1 hour a month." in gaps["derm1"]
    assert "Slow to reply (usually 4 days)." in gaps["psy1"]
    for s in found:
        if s.gaps:
            assert s.explanation.endswith(" ".join(s.gaps)), s.explanation
            assert "But:" in s.explanation or s.explanation.startswith("What does not fit:")
        else:
            assert "But:" not in s.explanation


def test_without_include_full_no_full_mentor_is_shown_so_no_such_gap(engine: Engine) -> None:
    found = engine.suggest(SEEKER, 4, SuggestionFilters(diversify=False, follow_specialty=False))
    assert "card2" not in {s.mentor_id for s in found}
    assert not [s for s in found if "No free place at the moment." in s.gaps]
