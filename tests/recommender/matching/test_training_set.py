"""The learned ranker's training set from the outcome log: each relationship graded as it
stood on the cut-off day (nothing later read), and one query per asking mentee, in time
order, with the asked mentors among the candidates (real SQLite and FAISS; the hashing
embedder, since the sample's 320 mentors would take the real model a minute)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from recommender.domain.agreements import Agreement
from recommender.domain.checkins import Answer
from recommender.domain.kinds import Kind, Role
from recommender.domain.relationships import Actor, DeclineReason, Relationship, request
from recommender.engine import Engine
from recommender.matching.lifecycle import Lifecycle
from recommender.matching.training_set import grade, outcome_queries
from recommender.ranking.filters import SuggestionFilters
from recommender.samplegen import SampleCohort, generate
from recommender.samplegen.relationships import relationship_rows
from tests.support.engines import hashing_engine

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
MENTEE = Actor(Role.MENTEE, "e1", "e1")
MENTOR = Actor(Role.MENTOR, "m1", "m1")


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def accepted(at: float = 2) -> Relationship:
    r = request("r1", "e1", "m1", MENTEE, day(0))
    return r.accept(MENTOR, day(at), Agreement(goals=("research",)))


def answer(r: Relationship, at: float, satisfaction: int, round_: int) -> Relationship:
    survey = Answer(
        meetings=2,
        progress=3,
        satisfaction=satisfaction,
        wellbeing=4,
        side=Role.MENTEE,
        round=round_,
        answered=day(at).date(),
    )
    return r.check_in(MENTEE, day(at), survey)


def test_each_relationship_is_graded_as_it_stood_on_the_day() -> None:
    asked = request("r1", "e1", "m1", MENTEE, day(0))
    assert grade(asked, day(10)) is None  # unanswered: no grade yet
    assert grade(asked.decline(MENTOR, day(3), DeclineReason.NO_CAPACITY), day(10)) == 0.0
    assert grade(asked.decline(MENTOR, day(3), DeclineReason.NO_CAPACITY), day(2)) is None
    r = accepted()
    assert grade(r, day(1)) is None  # accepted after the cut-off: still a request then
    assert grade(r, day(50)) == 1.0  # accepted; the 90-day mark not reached yet
    assert grade(r, day(100)) == 2.0  # still going 90 days after acceptance
    ended = r.end(MENTEE, day(40), "too busy")
    assert grade(ended, day(100)) == 1.0  # accepted, withdrawn before the mark
    happy = answer(answer(r, 32, 5, 1), 95, 4, 2)
    assert grade(happy, day(100)) == 3.0  # lasting and satisfied
    assert grade(happy, day(33)) == 2.0  # satisfied, the mark not reached
    unhappy = answer(answer(r, 32, 2, 1), 95, 5, 2)
    assert grade(unhappy, day(60)) == 1.0  # the later, happier answer is not read yet
    assert grade(unhappy, day(100)) == 2.0  # mean 3.5: below satisfied


@pytest.fixture(scope="module")
def cohort() -> SampleCohort:
    return generate(7)


@pytest.fixture
def engine(tmp_path: Path, cohort: SampleCohort) -> Iterator[Engine]:
    with hashing_engine(tmp_path / "var") as engine:
        engine.store.upsert(Kind.MENTORS, cohort.mentors)
        engine.store.upsert(Kind.MENTEES, cohort.mentees)
        Lifecycle(engine).import_history(relationship_rows(cohort.history))
        yield engine


def test_one_query_per_asking_mentee_in_time_order_labelled_by_outcome(engine: Engine) -> None:
    relationships = engine.relationships.every()
    requested = sorted(r.requested_at for r in relationships)
    until = requested[len(requested) * 3 // 4]  # a cut-off inside the history
    found = outcome_queries(engine, relationships, until)
    before = [r for r in relationships if r.requested_at < until]
    counts = found.counts
    assert counts["relationships"] == len(before)
    assert counts["graded"] + counts["ungraded"] == len(before)
    assert counts["mentees"] == len(found.queries) == len(found.mentees) == len(found.dates)
    assert found.dates == sorted(found.dates) and found.dates[-1] < until.date()
    # a mentor outside the retrieved pool is never ranked, so is no label (the real model
    # misses 2 of 365 on the sample; the hashing embedder's text match is cruder)
    assert counts["not_candidates"] <= 0.05 * counts["graded"]
    assert found.names[:5] == list(engine.registry.names)
    by_pair = {(r.mentee_id, r.mentor_id): grade(r, until) for r in before}
    labelled = 0
    for query in found.queries:
        assert query.features.shape == (len(query.labels), len(found.names))
        for grade_ in query.labels[query.labels > 0]:
            assert grade_ in (1.0, 2.0, 3.0)
        labelled += int((query.labels > 0).sum())
    positives = sum(1 for g in by_pair.values() if g is not None and g > 0)
    assert labelled >= positives - counts["not_candidates"]
    assert any(q.labels.max() >= 2 for q in found.queries)  # lasting pairs are graded higher
    later = outcome_queries(engine, relationships, requested[-1] + timedelta(seconds=1))
    assert later.counts["relationships"] == len(relationships) > counts["relationships"]


def test_labels_are_the_outcomes_of_the_mentors_asked(engine: Engine) -> None:
    relationships = engine.relationships.every()
    until = max(r.requested_at for r in relationships) + timedelta(days=1)
    found = outcome_queries(engine, relationships, until, depth=400)
    mentee_id = found.mentees[0]
    query = found.queries[0]
    scored = engine.score(
        engine.stored_mentee(mentee_id),
        400,
        SuggestionFilters(include_full=True),
        found.dates[0],
        keep_related=True,
    )
    asked = {r.mentor_id: grade(r, until) for r in relationships if r.mentee_id == mentee_id}
    for i, mentor_id in enumerate(scored.mentor_ids):
        expected = asked.get(mentor_id) or 0.0
        assert query.labels[i] == expected, mentor_id
    assert np.count_nonzero(query.labels) == sum(1 for g in asked.values() if g)
