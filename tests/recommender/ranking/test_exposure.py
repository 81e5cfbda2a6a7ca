"""Exposure control: the ledger's recency-weighted shares, the discovery places of a list,
and the engine keeping its strongest matches first while spreading the last places over
mentors not yet over their fair share (real model, SQLite, FAISS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from recommender.domain.profiles import Mentee
from recommender.engine import Engine
from recommender.ranking.exposure import ExposureLedger, ExposurePolicy, with_discovery
from recommender.ranking.filters import SuggestionFilters

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def test_the_ledger_weighs_recent_lists_more_and_forgets_erased_mentors() -> None:
    ledger = ExposureLedger(half_life_days=10)
    assert ledger.shares(["a"]).tolist() == [0.0]
    ledger.record("e1", ["a", "b"], T0)
    ledger.record("e2", ["b", "c"], T0 + timedelta(days=10))  # counts twice as much
    a, b, c = ledger.shares(["a", "b", "c"])
    assert b == pytest.approx(0.5) and c == pytest.approx(2 * a) and a + b + c == pytest.approx(1)
    # a mentee's own list is left out of their shares, and asking again replaces it
    assert ledger.shares(["a", "b", "c"], leave_out="e2").tolist() == pytest.approx([0.5, 0.5, 0])
    ledger.record("e2", ["c", "d"], T0 + timedelta(days=10))
    assert ledger.shares(["b", "d"]).tolist() == pytest.approx([1 / 6, 1 / 3])
    ledger.forget("c")  # an erased mentor
    assert ledger.shares(["a", "b", "c", "d"]).tolist() == pytest.approx([0.25, 0.25, 0, 0.5])
    ledger.forget("e1")  # an erased mentee: their list no longer counts
    assert ledger.shares(["a", "d"]).tolist() == pytest.approx([0, 1])
    far = ExposureLedger(half_life_days=1)
    far.record("e1", ["old"], T0)
    far.record("e2", ["new"], T0 + timedelta(days=800))  # 2^800 overflows: weights rescale
    assert far.shares(["old", "new"]).tolist() == pytest.approx([0.0, 1.0])


def test_policy_places_and_bounds() -> None:
    policy = ExposurePolicy()
    assert [policy.places(k) for k in (3, 5, 10, 20)] == [0, 1, 2, 4]
    for bad in ({"share": 1.5}, {"factor": 0}, {"depth": 0}):
        with pytest.raises(ValueError):
            ExposurePolicy(**bad)  # type: ignore[arg-type]


def test_discovery_places_go_to_the_best_mentors_within_their_share() -> None:
    order = list(range(12))
    fair = np.full(12, 1 / 12)
    exposure = np.zeros(12)
    exposure[[3, 4, 8, 9]] = 0.2  # over 1 × fair
    policy = ExposurePolicy(share=0.4, factor=1.0, depth=12)  # 2 places of 5
    got = with_discovery(order, exposure, fair, 5, policy)
    assert got[:3] == [0, 1, 2]  # the ranker's own places, over-exposed or not
    assert got[3:5] == [5, 6]  # 3 and 4 are over their share: the next two within it
    assert sorted(got) == order and got[5:] == [3, 4, 7, 8, 9, 10, 11]
    nobody = with_discovery(order, np.ones(12), fair, 5, policy)
    assert nobody == order  # no one within their share: the ranker's order stands
    assert with_discovery(order, exposure, fair, 5, ExposurePolicy(share=0.0)) == order


def test_the_engine_spreads_discovery_places_and_keeps_the_best_matches(
    faculty_engine: Engine,
) -> None:
    engine = faculty_engine
    mentee = Mentee(id="s1", stage="PGY2", interests=["cardiology research"])
    first = [s.mentor_id for s in engine.suggest(mentee, 5)]
    engine.answers.clear()
    assert [s.mentor_id for s in engine.suggest(mentee, 5)] == first  # asking again: the same
    twin = mentee.model_copy(update={"id": "s2"})  # another mentee, the same interests
    second = [s.mentor_id for s in engine.suggest(twin, 5)]
    assert first[:4] == second[:4]  # the ranker's own places do not move
    assert second[4] != first[4]  # the discovery place went to someone not yet shown
    shares = engine.exposure.shares([*first, second[4]])
    assert shares.sum() == pytest.approx(1.0)
    cohort = SuggestionFilters(only=frozenset(first + second))
    before = engine.exposure.shares(first).tolist()
    engine.suggest(mentee, 5, cohort)  # a cohort's list: no discovery, not counted
    assert engine.exposure.shares(first).tolist() == before
