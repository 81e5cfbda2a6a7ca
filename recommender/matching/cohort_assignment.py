"""A cohort's ``Assignment``: the engine scores every mentee–mentor pair, the solver assigns.

Pairs the engine would never suggest (no free place, declared conflict, required meeting mode
or language missing, the mentee themself) are not allowed; a mentor's places are their free
places, counting the cohort's own approved placements as free (a new assignment would replace
them). When places are short, as many mentees as possible are served and the rest are listed
with the reason; a locked or requested pair that cannot be kept is reported, not fatal. Both
modes are solved so a coordinator sees what fairness costs in total score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort, Mentee, Mentor
from recommender.domain.suggestion import Suggestion
from recommender.engine import Engine, SuggestionFilters
from recommender.matching.outcome import (
    NotHonoured,
    Room,
    Unmatched,
    honourable,
    rooms,
    unmatched,
)
from recommender.matching.scores import DenseScores
from recommender.matching.solver import Assignment, MenteeDemand, MentorSlot, Mode, PairKey, solve


@dataclass(frozen=True)
class AssignedPair:
    """One assigned pair with its explanation and its place in the mentee's shortlist (1 is
    the top; 0 when outside it)."""

    mentee_id: str
    mentor_id: str
    score: float
    rank_for_mentee: int
    explanation: str
    mentee_name: str = ""
    mentor_name: str = ""
    specialty: str = ""
    fit: int = 0
    gaps: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, mentee_id: str, mentee_name: str, s: Suggestion) -> AssignedPair:
        """The pair of a mentee and their suggestion ``s`` (score, rank, explanation)."""
        return cls(
            mentee_id,
            s.mentor_id,
            s.score,
            s.rank,
            s.explanation,
            mentee_name,
            s.mentor_name,
            s.specialty,
            s.fit,
            list(s.gaps),
        )


@dataclass(frozen=True)
class CohortAssignment:
    """The chosen mode's assignment, both objectives under both modes, and what it left out."""

    cohort_id: str
    mode: Mode
    pairs: list[AssignedPair]
    total: float
    min_score: float
    mean_score: float
    top3_share: float
    load_histogram: dict[int, int]
    objectives: dict[str, dict[str, float]]
    unmatched: list[Unmatched] = field(default_factory=list)
    mentors_with_room: list[Room] = field(default_factory=list)
    not_honoured: list[NotHonoured] = field(default_factory=list)


@dataclass(frozen=True)
class CohortScores:
    """Every allowed pair's score as the engine ranks them; explanations on demand.

    ``allowed`` holds the pairs the engine would suggest; ``explain`` gives the suggestions
    (explanation, rank in the mentee's shortlist) of the pairs asked for, so a cohort
    explains the pairs it shows, not every pair it scored.
    """

    source: DenseScores
    allowed: frozenset[PairKey]
    mentors: dict[str, Mentor]
    mentees: dict[str, Mentee]
    mentee_ids: list[str]
    explain: Callable[[Iterable[PairKey]], dict[PairKey, Suggestion]]


def cohort_filters(engine: Engine, cohort: Cohort, held: Mapping[str, int]) -> SuggestionFilters:
    """The filters of the cohort's shortlists and assignments (one set, so an assignment's
    rank is the shortlist's): its stored mentors, its own approved places counted free."""
    only = frozenset(cohort.mentor_ids) & engine.store.ids(Kind.MENTORS)
    return SuggestionFilters(only=only, released=tuple(sorted(held.items())))


def score_cohort(
    engine: Engine,
    cohort: Cohort,
    held: Mapping[str, int],
    progress: Callable[[int], None] | None = None,
) -> CohortScores:
    """Score each stored mentee of the cohort against each stored, eligible cohort mentor
    (``progress`` is called with 1 after each mentee)."""
    filters = cohort_filters(engine, cohort, held)
    live_mentees = engine.store.ids(Kind.MENTEES)
    mentee_ids = [m for m in cohort.mentee_ids if m in live_mentees]
    mentor_ids = [m for m in cohort.mentor_ids if m in (filters.only or ())]
    mentors = {
        m.id: m.model_copy(update={"placed_mentees": max(0, m.placed_mentees - held.get(m.id, 0))})
        for m in engine.store.existing(Kind.MENTORS, mentor_ids).values()
        if isinstance(m, Mentor)
    }
    stored = engine.store.existing(Kind.MENTEES, mentee_ids)
    mentees = {k: v for k, v in stored.items() if isinstance(v, Mentee)}
    matrix = np.zeros((len(mentee_ids), len(mentor_ids)))
    allowed = np.zeros_like(matrix, dtype=bool)
    column = {m: j for j, m in enumerate(mentor_ids)}
    pairs: set[PairKey] = set()
    k = max(1, len(mentor_ids))
    for i, mentee_id in enumerate(mentee_ids):
        for mentor_id, score in engine.ranked(mentees[mentee_id], k, filters):
            matrix[i, column[mentor_id]] = score
            allowed[i, column[mentor_id]] = True
            pairs.add((mentee_id, mentor_id))
        if progress is not None:
            progress(1)

    def explain(wanted: Iterable[PairKey]) -> dict[PairKey, Suggestion]:
        by_mentee: dict[str, list[str]] = {}
        for mentee_id, mentor_id in wanted:
            by_mentee.setdefault(mentee_id, []).append(mentor_id)
        return {
            (mentee_id, s.mentor_id): s
            for mentee_id, ids in by_mentee.items()
            for s in engine.suggest_among(mentees[mentee_id], ids, k, filters)
        }

    return CohortScores(
        DenseScores(mentee_ids, mentor_ids, matrix, allowed),
        frozenset(pairs),
        mentors,
        mentees,
        mentee_ids,
        explain,
    )


def assign_cohort(
    engine: Engine,
    cohort: Cohort,
    mode: Mode = "total",
    locked: Iterable[PairKey] = (),
    forbidden: Iterable[PairKey] = (),
    mentors_wanted: dict[str, int] | None = None,
    mentor_minimums: dict[str, int] | None = None,
    requested: Iterable[PairKey] = (),
    held: Mapping[str, int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> CohortAssignment:
    """The optimal assignment for the cohort in ``mode``, with the other mode's objectives.

    Args:
        locked: pairs the coordinator keeps; requested: mentees' own choices to keep. Either
            kind that cannot be kept (not allowed, no place left, a second mentor for a
            mentee wanting one) is listed in ``not_honoured`` and left to the optimiser.
        held: places the cohort's approved assignment holds per mentor (counted free).
        progress: called with 1 after each mentee is scored (the solve itself is quick).

    Raises:
        InfeasibleAssignment: mentor minimums cannot be met; the message says which.
    """
    held = held or {}
    scored = score_cohort(engine, cohort, held, progress)
    minimums = mentor_minimums or {}
    slots = [
        MentorSlot(m.id, max(0, m.free_places), minimums.get(m.id, 0))
        for m in scored.mentors.values()
    ]
    wanted = mentors_wanted or {}
    demands = [MenteeDemand(e, wanted.get(e, 1)) for e in scored.mentee_ids]
    forbidden = list(forbidden)
    keep, refused = honourable(scored, slots, demands, locked, requested, forbidden)
    results: dict[str, Assignment] = {}
    for run_mode in (mode, "fair" if mode == "total" else "total"):
        results[run_mode] = solve(
            slots,
            demands,
            scored.source,
            locked=keep,
            forbidden=forbidden,
            mode=run_mode,
            partial=True,
        )
    chosen = results[mode]
    shown = scored.explain((p.mentee_id, p.mentor_id) for p in chosen.pairs)
    pairs = [
        AssignedPair.of(
            p.mentee_id,
            scored.mentees[p.mentee_id].name,
            shown[(p.mentee_id, p.mentor_id)],
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
        unmatched=unmatched(scored, slots, chosen),
        mentors_with_room=rooms(scored, slots, chosen.pairs),
        not_honoured=refused,
    )
