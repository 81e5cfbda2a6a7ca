"""A learned ranker's training set from the outcome log: what came of the mentors each
mentee asked, graded, beside the candidates the engine would have ranked for them.

A relationship's grade, as known on a day (``until``: nothing on or after it is read):

====  ==============================================================================
0     the mentor declined
1     the mentor accepted
2     accepted, and still going 90 days later (the first check-ins came and went)
+1    (on 1 or 2) the mentee's check-in satisfaction averaged 4 or more
====  ==============================================================================

A request still unanswered on that day has no grade yet and is left out; so is the
90-day mark of a pair accepted fewer than 90 days before it (graded 1 until then).

One query per mentee with a graded request: the engine scores its candidates as of the
mentee's first request, keeping the mentors the mentee had asked (the product never
suggests a current or past mentor again, and a full mentor is usually left out) so their
outcomes can be labels; every other candidate is 0 (not asked). Profiles, places and
ratings are read as the store holds them now, not as they were that day: the store keeps
no history of profiles, so a training set built today on an old window sees today's
profiles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from recommender.domain.errors import UnknownMentee
from recommender.domain.kinds import Role
from recommender.domain.relationships import Action, Relationship, State
from recommender.engine import Engine
from recommender.ranking.features import feature_names, features
from recommender.ranking.filters import SuggestionFilters
from recommender.ranking.learned import Query

__all__ = ["LASTING_DAYS", "TrainingSet", "grade", "outcome_queries"]

LASTING_DAYS = 90
SATISFIED = 4.0


def _state_before(r: Relationship, until: datetime) -> State | None:
    """The state ``r`` was in just before ``until`` (None: not yet requested)."""
    state = None
    for step in r.history:
        if step.at >= until:
            break
        state = step.after
    return state


def grade(r: Relationship, until: datetime) -> float | None:
    """``r``'s grade as known just before ``until`` (None: not graded yet)."""
    state = _state_before(r, until)
    if state is None or state is State.REQUESTED:
        return None
    accepted = next((t.at for t in r.history if t.action is Action.ACCEPT and t.at < until), None)
    if accepted is None:
        return 0.0 if state is State.DECLINED else None  # withdrawn before an answer
    value = 1.0
    mark = accepted + timedelta(days=LASTING_DAYS)
    ended = next((t.at for t in r.history if t.action is Action.END), None)
    if mark <= until and (ended is None or ended >= mark):
        value = 2.0
    answers = [
        float(t.details["satisfaction"])
        for t in r.history
        if t.action is Action.CHECK_IN and t.at < until and t.details.get("side") == Role.MENTEE
    ]
    if answers and float(np.mean(answers)) >= SATISFIED:
        value += 1.0
    return value


@dataclass
class TrainingSet:
    """Queries in time order (by the mentee's first request) and what was left out.

    Attributes:
        names: the features, in the queries' column order.
        queries: one per mentee, oldest first.
        mentees, dates: each query's mentee and first request day.
        counts: relationships read, graded, ungraded, and graded pairs whose mentor was not
            among the candidates (a mentor since removed, or filtered out).
    """

    names: list[str] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)
    mentees: list[str] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def outcome_queries(
    engine: Engine,
    relationships: Iterable[Relationship],
    until: datetime,
    depth: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> TrainingSet:
    """The training set of the relationships requested before ``until`` (aware datetime).

    ``depth``: candidates per query (default: the engine's candidate pool); ``progress``
    is told of each mentee scored."""
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    graded: dict[str, dict[str, float]] = {}
    first: dict[str, datetime] = {}
    counts = {"relationships": 0, "graded": 0, "ungraded": 0, "not_candidates": 0, "mentees": 0}
    for r in relationships:
        if r.requested_at >= until:
            continue
        counts["relationships"] += 1
        value = grade(r, until)
        if value is None:
            counts["ungraded"] += 1
            continue
        counts["graded"] += 1
        graded.setdefault(r.mentee_id, {})[r.mentor_id] = value
        first[r.mentee_id] = min(first.get(r.mentee_id, r.requested_at), r.requested_at)
    out = TrainingSet(counts=counts)
    k = depth or engine.settings.candidate_pool
    for mentee_id in sorted(graded, key=lambda m: (first[m], m)):
        try:
            mentee = engine.stored_mentee(mentee_id)
        except UnknownMentee:
            continue  # erased since
        filters = SuggestionFilters(include_full=True)
        scored = engine.score(mentee, k, filters, first[mentee_id].date(), keep_related=True)
        if not out.names:
            out.names = feature_names(scored)
        asked = graded[mentee_id]
        at = {m: i for i, m in enumerate(scored.mentor_ids)}
        counts["not_candidates"] += sum(1 for m in asked if m not in at)
        labels = np.array([asked.get(m, 0.0) for m in scored.mentor_ids])
        out.queries.append(Query(features(scored, out.names), labels))
        out.mentees.append(mentee_id)
        out.dates.append(first[mentee_id].date())
        if progress is not None:
            progress(1)
    counts["mentees"] = len(out.queries)
    return out
