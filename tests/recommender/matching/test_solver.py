"""Cohort assignment: exact against exhaustive search, pruning proven, constraints kept."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest

from recommender.domain.errors import MentorMatchError
from recommender.matching.scores import BlockScores, DenseScores
from recommender.matching.solver import (
    Assignment,
    InfeasibleAssignment,
    MenteeDemand,
    MentorSlot,
    solve,
)

Pairs = set[tuple[str, str]]


@dataclass
class Instance:
    mentors: list[MentorSlot]
    mentees: list[MenteeDemand]
    src: DenseScores
    matrix: np.ndarray
    conflicts: Pairs
    locked: Pairs
    forbidden: Pairs


def random_instance(rng: np.random.Generator, n: int, m: int, max_want: int = 1) -> Instance:
    matrix = rng.random((n, m))
    ee = [f"e{i}" for i in range(n)]
    rr = [f"r{j}" for j in range(m)]
    mentors = []
    for j in range(m):
        hi = int(rng.integers(0, 4))
        mentors.append(
            MentorSlot(rr[j], hi, int(rng.integers(0, hi + 1)) if rng.random() < 0.3 else 0)
        )
    mentees = [MenteeDemand(e, int(rng.integers(1, max_want + 1))) for e in ee]
    allpairs = [(e, r) for e in ee for r in rr]
    pick = rng.permutation(len(allpairs))
    conflicts = {allpairs[k] for k in pick[:2]}
    forbidden = {allpairs[k] for k in pick[2:3]}
    locked = {allpairs[k] for k in pick[3 : 3 + int(rng.integers(0, 3))]}
    return Instance(
        mentors, mentees, DenseScores(ee, rr, matrix), matrix, conflicts, locked, forbidden
    )


def brute_force(inst: Instance) -> tuple[float, float, float] | None:
    """(max total, max-min, max total among max-min) over every feasible assignment."""
    rr = [s.id for s in inst.mentors]
    banned = inst.conflicts | inst.forbidden
    options = []
    for i, d in enumerate(inst.mentees):
        allowed = [j for j, r in enumerate(rr) if (d.id, r) not in banned]
        must = {j for j, r in enumerate(rr) if (d.id, r) in inst.locked}
        options.append(
            [c for c in itertools.combinations(allowed, d.mentors_wanted) if must <= set(c)]
        )
        _ = i
    best_total, best_fair = None, None
    for choice in itertools.product(*options):
        load = Counter(j for c in choice for j in c)
        if any(not s.min_mentees <= load[j] <= s.max_mentees for j, s in enumerate(inst.mentors)):
            continue
        vals = [inst.matrix[i, j] for i, c in enumerate(choice) for j in c]
        total, low = sum(vals), min(vals, default=0.0)
        best_total = total if best_total is None else max(best_total, total)
        if best_fair is None or (low, total) > best_fair:
            best_fair = (low, total)
    if best_total is None or best_fair is None:
        return None
    return best_total, best_fair[0], best_fair[1]


def run(inst: Instance, mode: str = "total", top_n: int = 50, partial: bool = False) -> Assignment:
    return solve(
        inst.mentors,
        inst.mentees,
        inst.src,
        conflicts=inst.conflicts,
        locked=inst.locked,
        forbidden=inst.forbidden,
        mode=mode,  # type: ignore[arg-type]
        top_n=top_n,
        partial=partial,
    )


def check_constraints(inst: Instance, result: Assignment) -> None:
    pairs = {(p.mentee_id, p.mentor_id) for p in result.pairs}
    assert len(pairs) == len(result.pairs), "a mentee got the same mentor twice"
    assert not pairs & (inst.conflicts | inst.forbidden)
    assert inst.locked <= pairs
    per_mentee = Counter(p.mentee_id for p in result.pairs)
    assert all(per_mentee[d.id] == d.mentors_wanted for d in inst.mentees)
    load = Counter(p.mentor_id for p in result.pairs)
    assert all(s.min_mentees <= load[s.id] <= s.max_mentees for s in inst.mentors)
    idx = {s.id: j for j, s in enumerate(inst.mentors)}
    for p in result.pairs:
        assert p.score == inst.matrix[int(p.mentee_id[1:]), idx[p.mentor_id]]


@pytest.mark.parametrize("max_want", [1, 2])
def test_matches_exhaustive_search_in_both_modes(max_want: int) -> None:
    rng = np.random.default_rng(max_want)
    solved = infeasible = 0
    for _ in range(120):
        inst = random_instance(rng, 5, 4, max_want)
        truth = brute_force(inst)
        if truth is None:
            with pytest.raises(InfeasibleAssignment):
                run(inst)
            infeasible += 1
            continue
        total, fair_min, fair_total = truth
        for top_n in (1, 50):
            best = run(inst, "total", top_n)
            check_constraints(inst, best)
            assert best.total == pytest.approx(total, abs=1e-5)
            fair = run(inst, "fair", top_n)
            check_constraints(inst, fair)
            assert fair.min_score == pytest.approx(fair_min, abs=1e-9)
            assert fair.total == pytest.approx(fair_total, abs=1e-5)
        solved += 1
    assert solved > 20 and infeasible > 5


def test_pruned_equals_unpruned_and_widening_happens() -> None:
    rng = np.random.default_rng(7)
    widened = 0
    for _ in range(8):
        n, m = 60, 20
        matrix = rng.random((n, m))
        src = DenseScores([f"e{i}" for i in range(n)], [f"r{j}" for j in range(m)], matrix)
        mentors = [
            MentorSlot(f"r{j}", int(rng.integers(5, 9)), int(rng.integers(0, 3))) for j in range(m)
        ]
        mentees = [MenteeDemand(f"e{i}", int(rng.integers(1, 3))) for i in range(n)]
        conflicts = {(f"e{i}", f"r{j}") for i, j in rng.integers(0, [n, m], size=(30, 2))}
        for mode in ("total", "fair"):
            full = solve(mentors, mentees, src, conflicts=conflicts, mode=mode, top_n=m)
            pruned = solve(mentors, mentees, src, conflicts=conflicts, mode=mode, top_n=2)
            assert full.widenings == 0
            assert pruned.total == pytest.approx(full.total, abs=1e-4)
            assert pruned.min_score == pytest.approx(full.min_score, abs=1e-12)
            widened += pruned.widenings > 0
    assert widened >= 1


def test_fair_mode_raises_the_minimum() -> None:
    # Total: a->x (1.0) + b->y (0.1) = 1.1 beats a->y (0.5) + b->x (0.5) = 1.0.
    matrix = np.array([[1.0, 0.5], [0.5, 0.1]])
    src = DenseScores(["a", "b"], ["x", "y"], matrix)
    mentors = [MentorSlot("x", 1), MentorSlot("y", 1)]
    mentees = [MenteeDemand("a"), MenteeDemand("b")]
    total = solve(mentors, mentees, src, mode="total")
    fair = solve(mentors, mentees, src, mode="fair")
    assert total.min_score == pytest.approx(0.1) and total.total == pytest.approx(1.1)
    assert fair.min_score == pytest.approx(0.5) and fair.total == pytest.approx(1.0)
    assert fair.threshold == pytest.approx(0.5)


def test_two_mentors_wanted_are_distinct_and_minimums_hold() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.random((6, 4))
    matrix[:, 0] = 1.0  # everyone would pick r0 twice if allowed
    src = DenseScores([f"e{i}" for i in range(6)], [f"r{j}" for j in range(4)], matrix)
    mentors = [
        MentorSlot("r0", 6),
        MentorSlot("r1", 3, 3),
        MentorSlot("r2", 3),
        MentorSlot("r3", 3, 2),
    ]
    result = solve(mentors, [MenteeDemand(f"e{i}", 2) for i in range(6)], src)
    load = Counter(p.mentor_id for p in result.pairs)
    assert load["r1"] >= 3 and load["r3"] >= 2
    for i in range(6):
        mine = [p.mentor_id for p in result.pairs if p.mentee_id == f"e{i}"]
        assert len(mine) == len(set(mine)) == 2
    assert sum(result.stats.load_histogram.values()) == 4


def test_scores_keep_full_precision() -> None:
    matrix = np.array([[0.123456789, 0.1], [0.2, 0.987654321012]])
    src = DenseScores(["a", "b"], ["x", "y"], matrix)
    result = solve(
        [MentorSlot("x", 1), MentorSlot("y", 1)], [MenteeDemand("a"), MenteeDemand("b")], src
    )
    scores = {(p.mentee_id, p.mentor_id): p.score for p in result.pairs}
    assert scores == {("a", "x"): 0.123456789, ("b", "y"): 0.987654321012}
    assert result.total == 0.123456789 + 0.987654321012


def _src(n: int = 3, m: int = 2) -> DenseScores:
    return DenseScores(
        [f"e{i}" for i in range(n)], [f"r{j}" for j in range(m)], np.full((n, m), 0.5)
    )


@pytest.mark.parametrize(
    ("mentors", "mentees", "kwargs", "message"),
    [
        (
            [MentorSlot("r0", 1), MentorSlot("r1", 1)],
            3,
            {},
            "3 mentee places wanted, 2 mentor places",
        ),
        (
            [MentorSlot("r0", 2, 2), MentorSlot("r1", 2, 2)],
            3,
            {},
            "mentor minimums need 4 mentee places, 3",
        ),
        (
            [MentorSlot("r0", 1), MentorSlot("r1", 5)],
            3,
            {"locked": {("e0", "r0"), ("e1", "r0")}},
            "mentor r0 is locked to 2 mentees but takes at most 1",
        ),
        (
            [MentorSlot("r0", 5), MentorSlot("r1", 5)],
            3,
            {"conflicts": {("e2", "r0")}, "forbidden": {("e2", "r1")}},
            "mentee e2 has only 0 allowed mentors after conflicts but wants 1",
        ),
        (
            [MentorSlot("r0", 1), MentorSlot("r1", 5)],
            3,
            {"conflicts": {("e0", "r1"), ("e1", "r1")}},
            "1 mentee places cannot be served",
        ),
    ],
)
def test_infeasible_inputs_explain_the_gap(
    mentors: list[MentorSlot], mentees: int, kwargs: dict[str, Pairs], message: str
) -> None:
    demand = [MenteeDemand(f"e{i}") for i in range(mentees)]
    for mode in ("total", "fair"):
        with pytest.raises(InfeasibleAssignment, match=message) as err:
            solve(mentors, demand, _src(), mode=mode, **kwargs)  # type: ignore[arg-type]
        assert isinstance(err.value, MentorMatchError)


def test_block_scores_top_n_equals_dense() -> None:
    rng = np.random.default_rng(11)
    a = rng.standard_normal((300, 16)).astype(np.float32)
    b = rng.standard_normal((90, 16)).astype(np.float32)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    ee, rr = [f"e{i}" for i in range(300)], [f"r{j}" for j in range(90)]
    blocks = BlockScores(ee, rr, a, b, block_size=64)
    dense = DenseScores(ee, rr, (a.astype(np.float64) @ b.T.astype(np.float64) + 1) / 2)
    i_b, s_b = blocks.top_all(7)
    i_d, s_d = dense.top_all(7)
    assert (i_b == i_d).all()
    np.testing.assert_allclose(s_b, s_d, atol=1e-6)
    assert [r for r, _ in blocks.top("e5", 7)] == [r for r, _ in dense.top("e5", 7)]
    mentors = [MentorSlot(r, 4) for r in rr]
    demand = [MenteeDemand(e) for e in ee]
    got = solve(mentors, demand, blocks, top_n=3)
    want = solve(mentors, demand, dense, top_n=90)
    assert got.total == pytest.approx(want.total, abs=1e-3)
