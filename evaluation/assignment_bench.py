"""Timing of :func:`recommender.matching.solver.solve` on random unit vectors (not a unit test).

Run: ``python -m evaluation.assignment_bench [n_mentees n_mentors]``.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from recommender.matching.scores import BlockScores
from recommender.matching.solver import MenteeDemand, MentorSlot, solve


def instance(
    n_mentees: int, n_mentors: int, dim: int = 384, seed: int = 0
) -> tuple[BlockScores, list[MentorSlot], list[MenteeDemand]]:
    """A random total-mode instance: unit vectors, capacities 1–5 covering every mentee."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n_mentees, dim)).astype(np.float32)
    b = rng.standard_normal((n_mentors, dim)).astype(np.float32)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    caps = rng.integers(1, 6, n_mentors)
    while caps.sum() < n_mentees:
        caps[rng.integers(0, n_mentors)] += 1
    ee = [f"e{i}" for i in range(n_mentees)]
    rr = [f"r{j}" for j in range(n_mentors)]
    mentors = [MentorSlot(r, int(c)) for r, c in zip(rr, caps, strict=True)]
    return BlockScores(ee, rr, a, b), mentors, [MenteeDemand(e) for e in ee]


def run_bench(
    n_mentees: int = 5000,
    n_mentors: int = 1000,
    dim: int = 384,
    seed: int = 0,
    top_n: int = 20,
    repeats: int = 5,
) -> dict[str, float | int | bool]:
    """Solve one random total-mode instance ``repeats`` times; the dense score matrix is
    never built.

    Returns:
        Median seconds over the runs for a top-N pass alone (``scores_s``) and for the whole
        solve including it and the optimality proof (``solve_s``), plus the widening count and
        the objectives of the last run.
    """
    src, mentors, mentees = instance(n_mentees, n_mentors, dim, seed)
    scores_s, solve_s = [], []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        src.top_all(top_n)
        scores_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = solve(mentors, mentees, src, top_n=top_n)
        solve_s.append(time.perf_counter() - start)
    return {
        "n_mentees": n_mentees,
        "n_mentors": n_mentors,
        "repeats": len(solve_s),
        "scores_s": round(statistics.median(scores_s), 3),
        "solve_s": round(statistics.median(solve_s), 3),
        "widened": result.widenings > 0,
        "widenings": result.widenings,
        "candidates": result.candidates,
        "total": result.total,
        "min_score": result.min_score,
        "top3_share": result.stats.top3_share,
    }


if __name__ == "__main__":
    sizes = [int(x) for x in sys.argv[1:3]] or [5000, 1000]
    print(run_bench(*sizes))
