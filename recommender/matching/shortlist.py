"""``Shortlist``: every mentee's ranked, explained mentors within a cohort, and its CSV form."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort
from recommender.domain.suggestion import Suggestion
from recommender.engine import Engine, SuggestionFilters
from recommender.ranking.registry import SIGNALS


@dataclass(frozen=True)
class Shortlist:
    """One mentee's top mentors among the cohort's eligible mentors."""

    mentee_id: str
    suggestions: list[Suggestion]


def cohort_shortlists(engine: Engine, cohort: Cohort, k: int) -> list[Shortlist]:
    """Each stored mentee's top ``k`` among the cohort's stored mentors (hard filters apply)."""
    live = engine.store.ids(Kind.MENTEES)
    only = frozenset(cohort.mentor_ids) & engine.store.ids(Kind.MENTORS)
    filters = SuggestionFilters(only=only)
    return [
        Shortlist(m, engine.suggest_for(m, k, filters) if only else [])
        for m in cohort.mentee_ids
        if m in live
    ]


CSV_COLUMNS = (
    "mentee_id",
    "rank",
    "mentor_id",
    "mentor_name",
    "specialty",
    "score",
    *SIGNALS,
    "explanation",
)


def shortlists_csv(shortlists: list[Shortlist]) -> str:
    """One row per mentee–mentor pair with the score and every signal's value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for shortlist in shortlists:
        for s in shortlist.suggestions:
            values = [f"{s.components[name].value:.6f}" for name in SIGNALS]
            writer.writerow(
                [
                    shortlist.mentee_id,
                    s.rank,
                    s.mentor_id,
                    s.mentor_name,
                    s.specialty,
                    f"{s.score:.6f}",
                    *values,
                    s.explanation,
                ]
            )
    return out.getvalue()
