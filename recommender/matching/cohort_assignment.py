"""A cohort's ``Assignment``: the engine scores every mentee–mentor pair, the solver assigns.

Pairs the engine would never suggest (no free place, declared conflict, required meeting mode
or language missing, the mentee themself) are not allowed; a mentor's places are their free
places. Both modes are solved so a coordinator sees what fairness costs in total score.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort, Mentor
from recommender.domain.suggestion import Suggestion
from recommender.engine import Engine, SuggestionFilters
from recommender.matching.scores import DenseScores
from recommender.matching.solver import Assignment, MenteeDemand, MentorSlot, Mode, PairKey, solve


@dataclass(frozen=True)
class AssignedPair:
    """One assigned pair with its explanation and its place in the mentee's own ranking."""

    mentee_id: str
    mentor_id: str
    score: float
    rank_for_mentee: int
    explanation: str


@dataclass(frozen=True)
class CohortAssignment:
    """The chosen mode's assignment, and both objectives under both modes."""

    cohort_id: str
    mode: Mode
    pairs: list[AssignedPair]
    total: float
    min_score: float
    mean_score: float
    top3_share: float
    load_histogram: dict[int, int]
    objectives: dict[str, dict[str, float]]


@dataclass(frozen=True)
class CohortScores:
    """Every allowed pair's score and explanation, as the engine ranks them."""

    source: DenseScores
    suggestions: dict[PairKey, Suggestion]
    mentors: dict[str, Mentor]
    mentee_ids: list[str]


def score_cohort(engine: Engine, cohort: Cohort) -> CohortScores:
    """Score each stored mentee of the cohort against each stored, eligible cohort mentor."""
    live_mentees = engine.store.ids(Kind.MENTEES)
    mentee_ids = [m for m in cohort.mentee_ids if m in live_mentees]
    live_mentors = engine.store.ids(Kind.MENTORS)
    mentor_ids = [m for m in cohort.mentor_ids if m in live_mentors]
    mentors = {m.id: m for m in engine.store.mentors() if m.id in set(mentor_ids)}
    matrix = np.zeros((len(mentee_ids), len(mentor_ids)))
    allowed = np.zeros_like(matrix, dtype=bool)
    column = {m: j for j, m in enumerate(mentor_ids)}
    suggestions: dict[PairKey, Suggestion] = {}
    filters = SuggestionFilters(only=frozenset(mentor_ids), diversify=False, follow_specialty=False)
    for i, mentee_id in enumerate(mentee_ids):
        for s in engine.suggest_for(mentee_id, max(1, len(mentor_ids)), filters):
            matrix[i, column[s.mentor_id]] = s.score
            allowed[i, column[s.mentor_id]] = True
            suggestions[(mentee_id, s.mentor_id)] = s
    return CohortScores(
        DenseScores(mentee_ids, mentor_ids, matrix, allowed), suggestions, mentors, mentee_ids
    )


def assign_cohort(
    engine: Engine,
    cohort: Cohort,
    mode: Mode = "total",
    locked: Iterable[PairKey] = (),
    forbidden: Iterable[PairKey] = (),
    mentors_wanted: dict[str, int] | None = None,
    mentor_minimums: dict[str, int] | None = None,
) -> CohortAssignment:
    """The optimal assignment for the cohort in ``mode``, with the other mode's objectives.

    Raises:
        InfeasibleAssignment: the constraints cannot all be met; the message says which.
    """
    scored = score_cohort(engine, cohort)
    minimums = mentor_minimums or {}
    slots = [
        MentorSlot(m.id, max(0, m.free_places), minimums.get(m.id, 0))
        for m in scored.mentors.values()
    ]
    wanted = mentors_wanted or {}
    demands = [MenteeDemand(e, wanted.get(e, 1)) for e in scored.mentee_ids]
    locked, forbidden = list(locked), list(forbidden)
    results: dict[str, Assignment] = {}
    for run_mode in (mode, "fair" if mode == "total" else "total"):
        results[run_mode] = solve(
            slots, demands, scored.source, locked=locked, forbidden=forbidden, mode=run_mode
        )
    chosen = results[mode]
    pairs = [
        AssignedPair(
            p.mentee_id,
            p.mentor_id,
            p.score,
            scored.suggestions[(p.mentee_id, p.mentor_id)].rank,
            scored.suggestions[(p.mentee_id, p.mentor_id)].explanation,
        )
        for p in chosen.pairs
    ]
    return CohortAssignment(
        cohort_id=cohort.id,
        mode=mode,
        pairs=pairs,
        total=chosen.total,
        min_score=chosen.min_score,
        mean_score=chosen.stats.mean_score,
        top3_share=chosen.stats.top3_share,
        load_histogram=chosen.stats.load_histogram,
        objectives={m: {"total": r.total, "min_score": r.min_score} for m, r in results.items()},
    )


def assignment_csv(result: CohortAssignment) -> str:
    """One row per assigned pair."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["mentee_id", "mentor_id", "score", "rank_for_mentee", "explanation"])
    for p in result.pairs:
        writer.writerow([p.mentee_id, p.mentor_id, repr(p.score), p.rank_for_mentee, p.explanation])
    return out.getvalue()
