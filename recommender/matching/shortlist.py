"""``Shortlist``: every mentee's ranked, explained mentors within a cohort."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort
from recommender.domain.suggestion import Suggestion
from recommender.engine import Engine
from recommender.matching.cohort_assignment import cohort_filters


@dataclass(frozen=True)
class Shortlist:
    """One mentee's top mentors among the cohort's eligible mentors."""

    mentee_id: str
    suggestions: list[Suggestion]


def cohort_shortlists(
    engine: Engine,
    cohort: Cohort,
    k: int,
    held: Mapping[str, int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Shortlist]:
    """Each stored mentee's top ``k`` among the cohort's stored mentors (hard filters apply).

    Args:
        held: places the cohort's approved assignment holds (counted free, so shortlists read
            the same before and after approval); see ``Review.held``.
        progress: called with 1 after each mentee.
    """
    live = engine.store.ids(Kind.MENTEES)
    filters = cohort_filters(engine, cohort, held or {})
    out = []
    for m in cohort.mentee_ids:
        if m not in live:
            continue
        out.append(Shortlist(m, engine.suggest_for(m, k, filters) if filters.only else []))
        if progress is not None:
            progress(1)
    return out
