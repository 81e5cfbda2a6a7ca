"""The bundled sample cohort as a regression check: planted right answers must be found."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from recommender.domain.profiles import Mentee, Mentor
from recommender.engine import Engine, build_engine
from recommender.ranking.signals import mentee_targets, mentor_specialties
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage.ingest import parse_file
from tests.conftest import TODAY

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def sample_engine(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[Engine]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("sample"))
    engine = build_engine(settings, embedder=embedder, today=lambda: TODAY)
    for name in ("mentors", "mentees", "feedback"):
        parsed = parse_file(SAMPLE / f"{name}.jsonl")
        assert parsed.rejected == []
        engine.write(parsed.kind, parsed.records)
    yield engine
    engine.store.close()


@pytest.fixture(scope="module")
def truth() -> dict[str, set[str]]:
    rows = [json.loads(line) for line in (SAMPLE / "truth.jsonl").open()]
    return {row["mentee_id"]: set(row["mentor_ids"]) for row in rows}


@pytest.fixture(scope="module")
def mentees(sample_engine: Engine) -> list[Mentee]:
    every = sample_engine.store.records("mentees")
    return random.Random(0).sample(every, 150)  # type: ignore[arg-type]


def test_planted_mentors_are_found_far_above_chance(
    sample_engine: Engine, truth: dict[str, set[str]], mentees: list[Mentee]
) -> None:
    hits = sum(
        bool(truth[m.id] & {s.mentor_id for s in sample_engine.suggest(m, 10)}) for m in mentees
    )
    everyone = list(sample_engine.store.ids("mentors"))
    rng = random.Random(1)
    chance = sum(bool(truth[m.id] & set(rng.sample(everyone, 10))) for m in mentees)
    assert hits / len(mentees) >= 0.85
    assert hits > 3 * chance


def test_hard_filters_hold_on_the_whole_cohort(
    sample_engine: Engine, mentees: list[Mentee]
) -> None:
    mentors: dict[str, Mentor] = {m.id: m for m in sample_engine.store.mentors()}
    for mentee in mentees:
        for s in sample_engine.suggest(mentee, 10):
            chosen = mentors[s.mentor_id]
            assert chosen.free_places > 0
            assert chosen.id not in mentee.conflicts and mentee.id not in chosen.conflicts
            if mentee.require_language:
                assert set(mentee.languages) & set(chosen.languages)
            if mentee.require_meeting_mode:
                assert set(mentee.meeting_modes) & set(chosen.meeting_modes)


def test_stage_shapes_the_list(sample_engine: Engine, mentees: list[Mentee]) -> None:
    explorers = [m for m in mentees if m.early and m.undecided]
    decided = [m for m in mentees if m.stage.startswith("PGY") and m.target_specialties]
    assert explorers and decided
    for m in explorers:
        assert len({s.specialty for s in sample_engine.suggest(m, 5)}) >= 4
    mentors = {m.id: m for m in sample_engine.store.mentors()}
    in_field = [
        bool(mentee_targets(m) & mentor_specialties(mentors[s.mentor_id]))
        for m in decided
        for s in sample_engine.suggest(m, 5)
    ]
    assert sum(in_field) / len(in_field) >= 0.7


def test_sample_program_assignment_respects_capacity_conflicts_locks_and_fairness(
    sample_engine: Engine,
) -> None:
    from collections import Counter

    from recommender.domain.profiles import Cohort
    from recommender.matching.review import Review

    parsed = parse_file(SAMPLE / "cohorts.jsonl")
    sample_engine.write("cohorts", parsed.records)
    cohort = sample_engine.store.get("cohorts", "sample")
    assert isinstance(cohort, Cohort)
    mentors = {m.id: m for m in sample_engine.store.mentors()}
    mentees = {m.id: m for m in sample_engine.store.records("mentees")}  # type: ignore[misc]
    review = Review(sample_engine)
    total = review.propose(cohort, "test", "total")
    fair = review.propose(cohort, "test", "fair")
    for draft in (total, fair):
        pairs = draft.result.pairs
        assert sorted(p.mentee_id for p in pairs) == sorted(cohort.mentee_ids)
        for mentor_id, load in Counter(p.mentor_id for p in pairs).items():
            assert load <= mentors[mentor_id].free_places
        for p in pairs:
            assert p.mentor_id not in mentees[p.mentee_id].conflicts  # type: ignore[attr-defined]
    assert fair.result.min_score > total.result.min_score
    assert fair.result.total <= total.result.total + 1e-9
    first = total.result.pairs[0]
    other = next(
        m for m in cohort.mentor_ids if m != first.mentor_id and mentors[m].free_places > 1
    )
    changed = review.override(total, first.mentee_id, other, "asked for a surgeon", "test")
    rerun = review.rerun(changed, "test")
    assert (first.mentee_id, other) in {(p.mentee_id, p.mentor_id) for p in rerun.result.pairs}
