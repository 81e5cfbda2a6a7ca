"""The sample's two-year relationship history: drawn from its planted model (which shows in
the data), every relationship one the state machine accepts on replay, and importable into a
store once (a second import changes nothing) with the places it holds counted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from statistics import mean

import pytest

from recommender.domain.kinds import Kind
from recommender.domain.relationships import State
from recommender.domain.replay import replay
from recommender.engine import Engine
from recommender.matching.lifecycle import Lifecycle
from recommender.samplegen import SampleCohort, generate
from recommender.samplegen.relationships import relationship_rows
from tests.support.engines import hashing_engine


@pytest.fixture(scope="module")
def cohort() -> SampleCohort:
    return generate(7)


def test_the_planted_model_shows_in_the_history(cohort: SampleCohort) -> None:
    history = cohort.history
    rs = history.relationships
    assert len(rs) >= 300 and len({r.mentee_id for r in rs}) >= 200
    decided = [r for r in rs if r.state is not State.REQUESTED or r.accepted_at is not None]
    accepted = {r.id for r in decided if r.accepted_at is not None}
    assert 0.3 <= len(accepted) / len(decided) <= 0.85

    def rate(ids: list[str]) -> float:
        return mean(1.0 if i in accepted else 0.0 for i in ids)

    fits = {r.id: history.features[r.id]["fit"] for r in decided}
    good = [i for i, f in fits.items() if f == 1.0]
    poor = [i for i, f in fits.items() if f == 0.0]
    assert len(good) >= 50 and len(poor) >= 20
    assert rate(good) > rate(poor) + 0.2, "fit raises acceptance"
    satisfied = {r.id: mean(a.satisfaction for a in r.answers) for r in rs if r.answers}
    assert mean(satisfied[i] for i in good if i in satisfied) > mean(
        satisfied[i] for i in poor if i in satisfied
    ), "fit raises satisfaction"
    states = {r.state for r in rs}
    assert {State.ACTIVE, State.ENDED, State.DECLINED} <= states
    assert any(r.ending is not None and r.ending.value == "completed" for r in rs)


def test_every_relationship_replays_through_the_state_machine(cohort: SampleCohort) -> None:
    rows = relationship_rows(cohort.history)
    for row, r in zip(rows, cohort.history.relationships, strict=True):
        back = replay(
            row["id"], row["mentee_id"], row["mentor_id"], row["cohort_id"], row["history"]
        )
        assert back == r


def test_open_relationships_fit_the_mentors_places(cohort: SampleCohort) -> None:
    held = cohort.history.open_places()
    assert held, "some relationships are open on the export date"
    by_id = {m.id: m for m in cohort.mentors}
    for mentor_id, n in held.items():
        assert by_id[mentor_id].current_mentees + n <= max(by_id[mentor_id].capacity, n)


@pytest.fixture
def engine(tmp_path: Path, cohort: SampleCohort) -> Iterator[Engine]:
    with hashing_engine(tmp_path / "var") as engine:
        engine.store.upsert(Kind.MENTORS, cohort.mentors)
        engine.store.upsert(Kind.MENTEES, cohort.mentees)
        yield engine


def test_the_history_imports_once_and_counts_its_places(
    engine: Engine, cohort: SampleCohort
) -> None:
    rows = relationship_rows(cohort.history)
    life = Lifecycle(engine)
    assert life.import_history(rows) == (len(rows), 0)
    assert life.import_history(rows) == (0, len(rows)), "a second import changes nothing"
    held = cohort.history.open_places()
    placed = {m.id: m.placed_mentees for m in engine.store.mentors() if m.placed_mentees}
    assert placed == dict(held)
    stored = life.relationships.get(rows[0]["id"])
    assert stored == cohort.history.relationships[0]


def test_a_bad_history_names_the_row_and_writes_nothing(
    engine: Engine, cohort: SampleCohort
) -> None:
    rows = relationship_rows(cohort.history)[:3]
    broken = [*rows[:2], {**rows[2], "history": rows[2]["history"][::-1]}]
    with pytest.raises(Exception, match="row 3"):
        Lifecycle(engine).import_history(broken)
    assert Lifecycle(engine).relationships.every() == []
