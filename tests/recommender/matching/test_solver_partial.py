"""Partial assignment (``solve(..., partial=True)``) against exhaustive search.

When places are short the solver serves as many mentee places as the allowed pairs and the
mentors' places allow, then maximises the total (or, in fair mode, the lowest score first).
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest

from recommender.matching.scores import DenseScores
from recommender.matching.solver import (
    Assignment,
    InfeasibleAssignment,
    MenteeDemand,
    MentorSlot,
    solve,
)
from tests.recommender.matching.test_solver import Instance, random_instance
from tests.recommender.matching.test_solver import run as run_solver


def brute_force(inst: Instance) -> tuple[tuple[int, float], tuple[int, float, float]] | None:
    """((served, total), (served, min, total)): the best of each order over every assignment
    that may leave places unserved; None if none meets the locks and minimums."""
    rr = [s.id for s in inst.mentors]
    banned = inst.conflicts | inst.forbidden
    options = []
    for d in inst.mentees:
        allowed = [j for j, r in enumerate(rr) if (d.id, r) not in banned]
        must = {j for j, r in enumerate(rr) if (d.id, r) in inst.locked}
        options.append(
            [
                c
                for size in range(d.mentors_wanted + 1)
                for c in itertools.combinations(allowed, size)
                if must <= set(c)
            ]
        )
    best_total: tuple[int, float] | None = None
    best_fair: tuple[int, float, float] | None = None
    for choice in itertools.product(*options):
        load = Counter(j for c in choice for j in c)
        if any(not s.min_mentees <= load[j] <= s.max_mentees for j, s in enumerate(inst.mentors)):
            continue
        vals = [inst.matrix[i, j] for i, c in enumerate(choice) for j in c]
        served, total, low = len(vals), sum(vals), min(vals, default=0.0)
        if best_total is None or (served, total) > best_total:
            best_total = (served, total)
        if best_fair is None or (served, low, total) > best_fair:
            best_fair = (served, low, total)
    if best_total is None or best_fair is None:
        return None
    return best_total, best_fair


def run(inst: Instance, mode: str, top_n: int) -> Assignment:
    return run_solver(inst, mode, top_n, partial=True)


def check(inst: Instance, result: Assignment) -> None:
    pairs = {(p.mentee_id, p.mentor_id) for p in result.pairs}
    assert len(pairs) == len(result.pairs)
    assert not pairs & (inst.conflicts | inst.forbidden)
    assert inst.locked <= pairs
    per_mentee = Counter(p.mentee_id for p in result.pairs)
    for d in inst.mentees:
        assert per_mentee[d.id] + result.unserved.get(d.id, 0) == d.mentors_wanted
    load = Counter(p.mentor_id for p in result.pairs)
    assert all(s.min_mentees <= load[s.id] <= s.max_mentees for s in inst.mentors)


@pytest.mark.parametrize("max_want", [1, 2])
def test_partial_matches_exhaustive_search(max_want: int) -> None:
    rng = np.random.default_rng(100 + max_want)
    short = 0
    for _ in range(100):
        inst = random_instance(rng, 4, 3, max_want)
        truth = brute_force(inst)
        if truth is None:
            with pytest.raises(InfeasibleAssignment):
                run(inst, "total", 50)
            continue
        (served, total), (fair_served, fair_min, fair_total) = truth
        wanted = sum(d.mentors_wanted for d in inst.mentees)
        short += served < wanted
        for top_n in (1, 50):
            best = run(inst, "total", top_n)
            check(inst, best)
            assert (len(best.pairs), best.total) == (served, pytest.approx(total, abs=1e-5))
            fair = run(inst, "fair", top_n)
            check(inst, fair)
            assert len(fair.pairs) == fair_served == served
            assert fair.min_score == pytest.approx(fair_min, abs=1e-9)
            assert fair.total == pytest.approx(fair_total, abs=1e-5)
    assert short > 20, "the instances must often be short of places"


def test_oversubscribed_cohort_serves_the_best_and_reports_the_rest() -> None:
    # 4 mentees, 2 mentor places: the two strongest pairs that do not collide are served.
    matrix = np.array([[0.9, 0.1], [0.8, 0.7], [0.2, 0.6], [0.3, 0.3]])
    src = DenseScores(["a", "b", "c", "d"], ["x", "y"], matrix)
    mentors = [MentorSlot("x", 1), MentorSlot("y", 1)]
    mentees = [MenteeDemand(e) for e in "abcd"]
    with pytest.raises(InfeasibleAssignment, match="4 mentee places wanted, 2 mentor places"):
        solve(mentors, mentees, src)
    total = solve(mentors, mentees, src, partial=True)
    assert {(p.mentee_id, p.mentor_id) for p in total.pairs} == {("a", "x"), ("b", "y")}
    assert total.unserved == {"c": 1, "d": 1}
    fair = solve(mentors, mentees, src, mode="fair", partial=True)
    # Fair: the worst served pair is as good as can be (0.7 via b-y, a-x), same here.
    assert fair.min_score == pytest.approx(0.7)


def test_mentee_with_no_allowed_mentor_is_unserved_not_an_error() -> None:
    src = DenseScores(["a", "b"], ["x"], np.array([[0.5], [0.4]]))
    result = solve(
        [MentorSlot("x", 2)],
        [MenteeDemand("a"), MenteeDemand("b")],
        src,
        conflicts=[("a", "x")],
        partial=True,
    )
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [("b", "x")]
    assert result.unserved == {"a": 1}


def test_nothing_servable_gives_an_empty_assignment() -> None:
    src = DenseScores(["a"], ["x"], np.array([[0.5]]))
    for mode in ("total", "fair"):
        result = solve([MentorSlot("x", 0)], [MenteeDemand("a")], src, mode=mode, partial=True)  # type: ignore[arg-type]
        assert result.pairs == [] and result.unserved == {"a": 1}
