"""The synthetic sample cohort: deterministic, realistic in shape, with usable planted truth."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from recommender.domain.profiles import MenteeStage, normalise_specialty
from recommender.samplegen import SampleCohort, generate, write

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
FILES = (
    "mentors.jsonl",
    "mentees.jsonl",
    "feedback.jsonl",
    "cohorts.jsonl",
    "truth.jsonl",
    "relationships.jsonl",
    "README.md",
)


@pytest.fixture(scope="module")
def cohort() -> SampleCohort:
    return generate(7)


@pytest.fixture(scope="module")
def written(cohort: SampleCohort, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write(cohort, out)
    return out


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    small = {"n_mentors": 120, "n_mentees": 150}
    first = write(generate(11, **small), tmp_path / "first")
    second = write(generate(11, **small), tmp_path / "second")
    assert [p.name for p in first] == list(FILES)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    other = write(generate(12, **small), tmp_path / "other")
    assert other[0].read_bytes() != first[0].read_bytes()


def test_counts_and_coverage(cohort: SampleCohort) -> None:
    assert len(cohort.mentors) >= 300
    assert len(cohort.mentees) >= 600
    assert 1500 <= len(cohort.feedback) <= 2500
    assert len({m.specialty for m in cohort.mentors}) >= 20
    assert {m.stage for m in cohort.mentees} == set(get_args(MenteeStage))
    assert len({m.id for m in cohort.mentors}) == len(cohort.mentors)
    assert len({m.id for m in cohort.mentees}) == len(cohort.mentees)
    assert len({f.key for f in cohort.feedback}) == len(cohort.feedback)


def test_feedback_only_for_existing_mentors_and_mixed_raters(cohort: SampleCohort) -> None:
    mentor_ids = {m.id for m in cohort.mentors}
    assert {f.mentor_id for f in cohort.feedback} <= mentor_ids
    per_mentor: dict[str, int] = {}
    for f in cohort.feedback:
        per_mentor[f.mentor_id] = per_mentor.get(f.mentor_id, 0) + 1
    assert len(per_mentor) < len(mentor_ids)  # many mentors were never rated
    assert any(c == 1 for c in per_mentor.values())
    assert max(per_mentor.values()) >= 20
    past = [f for f in cohort.feedback if f.mentee_id.startswith("past-")]
    mentee_ids = {m.id for m in cohort.mentees}
    assert len(past) > len(cohort.feedback) / 2
    assert any(f.mentee_id in mentee_ids for f in cohort.feedback)


def test_every_mentee_has_a_planted_mentor_with_free_places(cohort: SampleCohort) -> None:
    mentors = {m.id: m for m in cohort.mentors}
    assert set(cohort.truth) == {m.id for m in cohort.mentees}
    for mentee in cohort.mentees:
        planted = cohort.truth[mentee.id]
        assert planted and set(planted) <= set(mentors)
        assert len(planted) == len(set(planted)) <= 15
        assert any(mentors[i].free_places > 0 for i in planted), mentee.id
        assert not set(planted) & set(mentee.conflicts)
        targets = {normalise_specialty(t) for t in mentee.target_specialties}
        if targets:
            assert all(normalise_specialty(mentors[i].specialty) in targets for i in planted)


def test_text_is_varied_and_mentees_use_paraphrases(cohort: SampleCohort) -> None:
    bios = [m.bio for m in cohort.mentors]
    assert len(set(bios)) == len(bios)
    mentor_phrases = {p.lower() for m in cohort.mentors for p in [*m.interests, *m.research_areas]}
    interests = [i.lower() for m in cohort.mentees for i in m.interests]
    verbatim = sum(1 for i in interests if i in mentor_phrases)
    assert verbatim / len(interests) < 0.2


def test_committed_sample_matches_the_generator(written: Path) -> None:
    for name in FILES:
        committed = SAMPLE_DIR / name
        assert committed.exists(), f"{committed} missing: run mentor-match sample --seed 7"
        assert committed.read_bytes() == (written / name).read_bytes(), (
            f"{committed} drifted from recommender/samplegen; regenerate with "
            "mentor-match sample --seed 7 --out data/sample"
        )
