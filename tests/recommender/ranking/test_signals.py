"""Signals and the ranker, without the model."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from recommender.domain.profiles import Feedback
from recommender.domain.specialties import canonical, specialty_match
from recommender.ranking.ranker import DEFAULT_WEIGHTS, LinearRanker, signal_matrix
from recommender.ranking.registry import SIGNALS
from recommender.ranking.signals import (
    FeedbackStats,
    SignalContext,
    accessibility,
    credibility,
    feedback,
    similarity,
    stage_fit,
)
from tests.conftest import TODAY, mentee, mentor


def ratings(mentor_id: str, values: list[int], days_ago: int = 30) -> list[Feedback]:
    day = TODAY - timedelta(days=days_ago)
    return [
        Feedback(mentee_id=f"{mentor_id}-p{i}", mentor_id=mentor_id, date=day, overall=v)
        for i, v in enumerate(values)
    ]


def context(rows: list[Feedback]) -> SignalContext:
    return SignalContext(TODAY, FeedbackStats.from_feedback(rows, TODAY, 730.0))


CTX = context([])


def test_one_five_star_does_not_beat_fifty_near_fives() -> None:
    rows = ratings("lucky", [5]) + ratings("steady", [5] * 40 + [4] * 10) + ratings("meh", [3] * 30)
    ctx = context(rows)
    lucky = feedback(mentor("lucky"), ctx).value
    steady = feedback(mentor("steady"), ctx).value
    assert lucky is not None and steady is not None
    assert steady > lucky


def test_unrated_mentor_gets_program_mean_and_no_feedback_is_neutral() -> None:
    ctx = context(ratings("a", [5, 5, 3, 3]))
    unrated = feedback(mentor("new"), ctx)
    assert unrated.value == pytest.approx((4.0 - 1) / 4)
    assert feedback(mentor("new"), context([])).value is None


def test_recent_ratings_weigh_more() -> None:
    old_bad = ratings("m", [1, 1, 1], days_ago=2000) + ratings("m", [5, 5, 5], days_ago=10)
    old_good = ratings("m", [5, 5, 5], days_ago=2000) + ratings("m", [1, 1, 1], days_ago=10)
    improving = feedback(mentor("m"), context(old_bad)).value
    declining = feedback(mentor("m"), context(old_good)).value
    assert improving is not None and declining is not None
    assert improving > declining


def test_future_ratings_are_ignored() -> None:
    future = [Feedback(mentee_id="x", mentor_id="m", date=TODAY + timedelta(days=3), overall=1)]
    assert FeedbackStats.from_feedback(future, TODAY, 730.0).program_mean is None


def test_accessibility_orders_reachable_mentors_first() -> None:
    ctx = context([])
    who = mentee("e", meeting_modes=["video"], timezone="America/Chicago", interests=["x"])
    open_ = mentor(
        "a",
        capacity=4,
        current_mentees=0,
        hours_per_month=8,
        response_time_hours=2,
        timezone="America/Chicago",
        last_active=TODAY,
    )
    busy = mentor(
        "b",
        capacity=4,
        current_mentees=3,
        hours_per_month=1,
        response_time_hours=120,
        timezone="Asia/Tokyo",
        last_active=date(2024, 1, 1),
        meeting_modes=["in_person"],
    )
    a, b = accessibility(who, open_, ctx), accessibility(who, busy, ctx)
    assert a.value is not None and b.value is not None
    assert a.value > 0.9 > 0.3 > b.value
    assert set(a.parts) == {"capacity", "hours", "meeting_mode", "timezone", "response", "recency"}


def test_credibility_prefers_target_specialty_then_related() -> None:
    who = mentee("e", "PGY2", target_specialties=["Internal Medicine"], interests=["x"])
    same = credibility(who, mentor("a", "internal medicine")).value
    child = credibility(who, mentor("b", "cardiology")).value
    other = credibility(who, mentor("c", "dermatology")).value
    assert same is not None and child is not None and other is not None
    assert same > child > other


def test_specialty_aliases_and_family() -> None:
    assert canonical(" Ob/Gyn ") == "obstetrics and gynecology"
    assert canonical("ENT") == "otolaryngology"
    assert specialty_match({"cardiology"}, {"cardiology"}) == 1.0
    assert specialty_match({"internal medicine"}, {"cardiology"}) == 0.6
    assert specialty_match({"nephrology"}, {"cardiology"}) == 0.3
    assert specialty_match({"dermatology"}, {"cardiology"}) == 0.0


def test_stage_fit_prefers_senior_mentors_for_senior_trainees() -> None:
    fellow = mentee("e", "fellow", target_specialties=["cardiology"], interests=["x"])
    senior = stage_fit(fellow, mentor("a", "cardiology", career_stage="senior")).value
    peer = stage_fit(fellow, mentor("b", "cardiology", career_stage="resident")).value
    assert senior is not None and peer is not None
    assert senior > peer


def test_similarity_is_calibrated_and_absent_without_text() -> None:
    assert similarity(None, CTX).value is None
    strong = similarity(np.array([[0.95, 0.1]], dtype=np.float32), CTX).value
    weak = similarity(np.array([[0.05, 0.0]], dtype=np.float32), CTX).value
    assert strong == 1.0 and weak == 0.0


def test_many_good_item_matches_beat_one() -> None:
    """Soft-max pooling: three items at 0.6 outrank one item at 0.6 (and one at 0.62 among
    unrelated items loses to them too); with pooling off, the best item alone counts."""
    one = np.array([[0.6, 0.0, 0.0]], dtype=np.float32)
    three = np.array([[0.6, 0.6, 0.6]], dtype=np.float32)
    lone_better = np.array([[0.62, 0.0, 0.0]], dtype=np.float32)
    value = {
        name: similarity(sims, CTX).value
        for name, sims in (("one", one), ("three", three), ("lone", lone_better))
    }
    assert value["three"] > value["lone"] > value["one"]
    plain = replace(CTX, pooling=0.0)
    assert similarity(one, plain).value == similarity(three, plain).value


def test_the_lexical_match_is_mixed_in_by_its_share() -> None:
    sims = np.array([[0.5]], dtype=np.float32)
    dense = similarity(sims, replace(CTX, lexical_weight=0.0), 0.9)
    mixed = similarity(sims, replace(CTX, lexical_weight=0.25), 0.9)
    assert dense.value is not None and mixed.value is not None
    assert mixed.value == pytest.approx(0.75 * dense.value + 0.25 * 0.9)
    assert mixed.parts["lexical"] == 0.9 and "cosine" in mixed.parts


def test_ranker_defaults_contributions_and_neutral_fill() -> None:
    ranker = LinearRanker()
    assert ranker.effective_weights == pytest.approx(DEFAULT_WEIGHTS)
    X = signal_matrix([{"similarity": 1.0, "feedback": None}, {"similarity": 0.0}])
    assert X[0, SIGNALS.index("feedback")] == 0.5
    scores = ranker.predict(X)
    assert scores[0] > scores[1]
    assert ranker.contributions(X).sum(axis=1) == pytest.approx(scores)
    with pytest.raises(ValueError, match="unknown signals"):
        LinearRanker(weights={"charm": 1.0}).predict(X)


def test_ranker_fit_learns_the_informative_signal(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((400, len(SIGNALS)))
    y = (X[:, SIGNALS.index("credibility")] > 0.5).astype(int)
    ranker = LinearRanker().fit(X, y)
    weights = ranker.effective_weights
    assert max(weights, key=weights.__getitem__) == "credibility"
    path = tmp_path / "ranker.json"
    ranker.save(path, trained_on="synthetic", metrics={"auc": 0.9})
    loaded = LinearRanker.load(path)
    assert loaded.predict(X) == pytest.approx(ranker.predict(X))
    assert "credibility" in path.with_suffix(".md").read_text()


def test_logged_activity_counts_only_what_came_before_the_request_date() -> None:
    log = [
        date(2026, 1, 5),
        date(2026, 6, 1),
        date(2026, 8, 20),
        date(2026, 9, 1),
        date(2026, 10, 1),
    ]
    busy = mentor("a", activity_dates=log, last_active=None)
    quiet = mentor("b", activity_dates=[date(2025, 1, 1)], last_active=None)
    who = mentee("e", interests=["x"])
    ctx = context([])
    parts = accessibility(who, busy, ctx).parts
    assert parts["recency"] == pytest.approx(0.5 ** (12 / 180))  # 2026-08-20, not later dates
    assert parts["activity"] > accessibility(who, quiet, ctx).parts["activity"] == 0.0
    earlier = SignalContext(date(2026, 6, 2), FeedbackStats({}, None))
    assert accessibility(who, busy, earlier).parts["recency"] == pytest.approx(0.5 ** (1 / 180))
