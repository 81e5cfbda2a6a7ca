"""Ordering policies on hand-made scores and groups (no model, no store)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.ranking.filters import SuggestionFilters
from recommender.ranking.ordering import (
    ByScore,
    Diversify,
    Pool,
    SpecialtyFirst,
    best_first,
    choose_policy,
    diversify,
    in_field,
    present,
)
from recommender.ranking.signals import SignalValue
from tests.conftest import mentee

SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
GROUPS = ["cardio", "cardio", "cardio", "neuro", "derm"]
IN_FIELD = [False, True, False, True, False]
POOL = Pool(SCORES, GROUPS, IN_FIELD)


def test_best_first_sorts_by_score_then_id() -> None:
    scores = np.array([0.5, 0.9, 0.5, 0.1])
    assert best_first(scores, ["d", "a", "b", "c"]) == [1, 2, 0, 3]
    assert best_first(np.zeros(0), []) == []


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.0, 0.25, 0.5, 1.0, -0.0]) | st.floats(0, 1), st.text(max_size=3)
        ),
        max_size=40,
    )
)
def test_best_first_is_the_sort_by_score_then_id(rows: list[tuple[float, str]]) -> None:
    """With or without ties (scores drawn from a few values half the time): the same order
    as sorting by descending score, then id."""
    scores = np.array([score for score, _ in rows], dtype=np.float64)
    ids = [mentor_id for _, mentor_id in rows]
    expected = sorted(range(len(rows)), key=lambda i: (-rows[i][0], ids[i]))
    assert best_first(scores, ids) == expected


def test_by_score_keeps_the_order() -> None:
    assert ByScore().arrange([0, 1, 2, 3, 4], POOL) == [0, 1, 2, 3, 4]


def test_diversify_shows_other_fields_before_a_second_of_the_same() -> None:
    assert Diversify(0.7).arrange([0, 1, 2, 3, 4], POOL) == [0, 3, 4, 1, 2]


def test_diversify_with_lambda_one_is_by_score() -> None:
    assert Diversify(1.0).arrange([0, 1, 2, 3, 4], POOL) == [0, 1, 2, 3, 4]
    assert diversify([0, 1, 2, 3, 4], SCORES, GROUPS, 1.0) == [0, 1, 2, 3, 4]


@settings(max_examples=100, deadline=None, database=None, derandomize=True)
@given(
    st.lists(st.floats(0.001, 1), min_size=1, max_size=12),
    st.floats(0.01, 100),
    st.floats(-5, 5),
)
def test_diversify_does_not_depend_on_the_scores_scale(
    values: list[float], scale: float, shift: float
) -> None:
    """The same trade-off whatever the ranker's scale: a weighted mean, a calibrated chance
    (scaled), the mentor side's factor on either; raw model scores (shifted, of any sign)."""
    scores = np.array(values)
    groups = [("a", "b", "c")[i % 3] for i in range(len(values))]
    order = best_first(scores, [str(i) for i in range(len(values))])
    first = diversify(order, scores, groups, 0.7)
    assert diversify(order, scores * scale, groups, 0.7) == first
    if scores.max() > scores.min():
        lowest = scores - scores.min()  # already from 0: shifting it keeps the order
        once = diversify(order, lowest, groups, 0.7)
        assert diversify(order, lowest + shift - 10, groups, 0.7) == once


def test_diversify_leaves_the_tail_beyond_its_head_by_score() -> None:
    n = 50
    scores = np.linspace(1.0, 0.5, n)
    groups = ["same"] * (n - 1) + ["other"]
    order = Diversify(0.0).arrange(list(range(n)), Pool(scores, groups, [False] * n))
    assert order[40:] == list(range(40, n))  # head = max(4 * 10, 40)
    assert sorted(order) == list(range(n))


def test_specialty_first_puts_in_field_candidates_first_keeping_score_order() -> None:
    assert SpecialtyFirst().arrange([0, 1, 2, 3, 4], POOL) == [1, 3, 0, 2, 4]


def test_policy_by_stage_and_by_filters() -> None:
    early_undecided = mentee("a", stage="MS1", interests=["x"])
    decided_resident = mentee("b", stage="PGY2", target_specialties=["cardiology"])
    undecided_resident = mentee("c", stage="PGY2", interests=["x"])
    none = SuggestionFilters()
    assert choose_policy(none, early_undecided, 0.7) == Diversify(0.7)
    assert choose_policy(none, decided_resident, 0.7) == SpecialtyFirst()
    assert choose_policy(none, undecided_resident, 0.7) == ByScore()
    assert choose_policy(SuggestionFilters(diversify=True), decided_resident, 0.5) == Diversify(0.5)
    plain = SuggestionFilters(diversify=False, follow_specialty=False)
    assert choose_policy(plain, early_undecided, 0.7) == ByScore()
    follow = SuggestionFilters(follow_specialty=True)
    assert choose_policy(follow, undecided_resident, 0.7) == SpecialtyFirst()


def test_in_field_reads_the_credibility_specialty_match() -> None:
    def signals(match: float | None) -> dict[str, SignalValue]:
        parts = {} if match is None else {"specialty": match}
        return {"credibility": SignalValue(0.5, parts)}

    assert in_field(signals(1.0)) and in_field(signals(0.6))
    assert not in_field(signals(0.3)) and not in_field(signals(None))


def test_present_ranks_then_applies_the_policy() -> None:
    groups = ["cardiology", "cardiology", "dermatology"]
    in_field = np.array([False, True, False])
    scores = np.array([0.6, 0.5, 0.9])
    ids = ["x", "y", "z"]
    assert present(scores, ids, groups, in_field, ByScore()) == [2, 0, 1]
    assert present(scores, ids, groups, in_field, SpecialtyFirst()) == [1, 2, 0]
    assert present(scores, ids, groups, in_field, Diversify(0.3)) == [2, 0, 1]
