"""Cohort shortlists, called on the library directly (no HTTP), with the hashing embedder."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort
from recommender.engine import Engine
from recommender.matching.exports import shortlists_table, to_csv
from recommender.matching.shortlist import Shortlist, cohort_shortlists
from recommender.ranking.registry import SIGNALS
from tests.conftest import mentee, mentor
from tests.support.engines import hashing_engine

CSV_COLUMNS = shortlists_table([]).header


def shortlists_csv(shortlists: list[Shortlist]) -> str:
    return to_csv(shortlists_table(shortlists))


MENTORS = [
    mentor("card1", "cardiology", research_areas=["heart failure outcomes"]),
    mentor("card2", "cardiology", research_areas=["atrial fibrillation ablation"]),
    mentor("orth1", "orthopaedic surgery", research_areas=["knee ligament repair"]),
    mentor("psy1", "psychiatry", research_areas=["adolescent depression"]),
    mentor("derm1", "dermatology", research_areas=["melanoma screening"]),
]
MENTEES = [
    mentee("e1", interests=["heart failure outcomes"], target_specialties=["cardiology"]),
    mentee("e2", interests=["knee ligament repair, in athletes"], conflicts=["orth1"]),
    mentee("e3", "MS1", interests=["adolescent depression"]),
    mentee("outsider", interests=["melanoma screening"]),
]
COHORT = Cohort(
    id="c1",
    mentee_ids=["e1", "e2", "e3", "never-stored"],
    mentor_ids=["card1", "orth1", "psy1", "never-stored-mentor"],
)
IN_COHORT = {"card1", "orth1", "psy1"}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with hashing_engine(tmp_path / "var") as engine:
        engine.write(Kind.MENTORS, MENTORS)
        engine.write(Kind.MENTEES, MENTEES)
        engine.write(Kind.COHORTS, [COHORT])
        yield engine


def test_every_stored_cohort_mentee_gets_a_shortlist_in_cohort_order(engine: Engine) -> None:
    shortlists = cohort_shortlists(engine, COHORT, k=2)
    assert [s.mentee_id for s in shortlists] == ["e1", "e2", "e3"]


def test_shortlists_hold_only_the_cohorts_mentors_ranked(engine: Engine) -> None:
    for shortlist in cohort_shortlists(engine, COHORT, k=10):
        ids = [s.mentor_id for s in shortlist.suggestions]
        assert ids and set(ids) <= IN_COHORT, (shortlist.mentee_id, ids)
        assert len(ids) == len(set(ids))
        assert [s.rank for s in shortlist.suggestions] == list(range(1, len(ids) + 1))
        scores = [s.score for s in shortlist.suggestions]
        assert all(0.0 <= x <= 1.0 for x in scores)


def test_scores_are_best_first_when_no_reordering_is_asked_for(engine: Engine) -> None:
    # e1 is a decided resident: listed by score, mentors in the target specialty first.
    (e1,) = [s for s in cohort_shortlists(engine, COHORT, k=3) if s.mentee_id == "e1"]
    assert e1.suggestions[0].mentor_id == "card1"
    scores = [s.score for s in e1.suggestions[1:]]
    assert scores == sorted(scores, reverse=True)


def test_k_caps_each_list_and_all_eligible_mentors_fill_a_long_one(engine: Engine) -> None:
    short = {s.mentee_id: s.suggestions for s in cohort_shortlists(engine, COHORT, k=2)}
    assert all(len(found) == 2 for found in short.values())
    full = {s.mentee_id: s.suggestions for s in cohort_shortlists(engine, COHORT, k=10)}
    assert {m.mentor_id for m in full["e1"]} == IN_COHORT
    assert {m.mentor_id for m in full["e3"]} == IN_COHORT


def test_hard_filters_still_apply_inside_a_cohort(engine: Engine) -> None:
    engine.write(Kind.MENTORS, [mentor("psy1", "psychiatry", capacity=2, current_mentees=2)])
    lists = {s.mentee_id: s.suggestions for s in cohort_shortlists(engine, COHORT, k=10)}
    assert "orth1" not in [m.mentor_id for m in lists["e2"]]  # e2's conflict
    assert all("psy1" not in [m.mentor_id for m in found] for found in lists.values())  # full


def test_a_cohort_without_stored_mentors_gives_empty_lists(engine: Engine) -> None:
    empty = Cohort(id="c2", mentee_ids=["e1", "e2"], mentor_ids=["never-stored-mentor"])
    shortlists = cohort_shortlists(engine, empty, k=5)
    assert [s.mentee_id for s in shortlists] == ["e1", "e2"]
    assert all(s.suggestions == [] for s in shortlists)


def test_csv_has_the_header_and_one_row_per_pair(engine: Engine) -> None:
    shortlists = cohort_shortlists(engine, COHORT, k=2)
    rows = list(csv.reader(io.StringIO(shortlists_csv(shortlists))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {"mentee_id", "rank", "mentor_id", "score", *SIGNALS} <= set(rows[0])
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    expected = [(s.mentee_id, str(x.rank), x.mentor_id) for s in shortlists for x in s.suggestions]
    assert [(r["mentee_id"], r["rank"], r["mentor_id"]) for r in body] == expected
    assert len(body) == 6


def test_csv_values_are_the_suggestions_values(engine: Engine) -> None:
    shortlists = cohort_shortlists(engine, COHORT, k=3)
    body = list(csv.DictReader(io.StringIO(shortlists_csv(shortlists))))
    pairs = [(s.mentee_id, x) for s in shortlists for x in s.suggestions]
    assert len(body) == len(pairs)
    for row, (mentee_id, suggestion) in zip(body, pairs, strict=True):
        assert row["mentee_id"] == mentee_id
        assert float(row["score"]) == pytest.approx(suggestion.score, abs=1e-6)
        for name in SIGNALS:
            assert float(row[name]) == pytest.approx(suggestion.components[name].value, abs=1e-6)
        assert row["explanation"] == suggestion.explanation  # commas and quotes survive
        assert row["mentor_name"] == suggestion.mentor_name
        assert row["specialty"] == suggestion.specialty


def test_csv_of_no_shortlists_is_just_the_header() -> None:
    rows = list(csv.reader(io.StringIO(shortlists_csv([]))))
    assert rows == [list(CSV_COLUMNS)]
