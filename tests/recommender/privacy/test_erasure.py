"""Erasure called on the library directly (no HTTP), with the hashing embedder.

The person to erase is woven into every place the product keeps people: their own row,
ratings, a cohort (membership and a request), another person's conflict list, an assignment
draft, an API key and cached vectors of their texts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recommender.domain.agreements import Agreement
from recommender.domain.errors import UnknownMentee, UnknownMentor
from recommender.domain.items import mentor_items
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Cohort, Feedback, MentorRequest
from recommender.domain.relationships import Actor, request
from recommender.engine import Engine
from recommender.matching.review import Review
from recommender.privacy.erasure import ErasureReport, erase
from recommender.storage.keys import Keys
from recommender.storage.outbox import Message, Outbox
from recommender.storage.relationships import Relationships
from recommender.storage.store import text_hash
from tests.conftest import mentee, mentor
from tests.support.engines import TODAY, hashing_engine

ERASED_TEXT = "xylophone therapy for tinnitus"
MENTOR_TEXT = "quokka hepatology outcomes"


def keys(engine: Engine) -> Keys:
    return Keys(engine.store.database)


def world(engine: Engine) -> None:
    engine.write(
        Kind.MENTORS,
        [
            mentor("m1", "hepatology", research_areas=[MENTOR_TEXT]),
            mentor("m2", "cardiology", research_areas=["heart failure"], conflicts=["e1"]),
            mentor("m3", "psychiatry", research_areas=["adolescent depression"]),
        ],
    )
    engine.write(
        Kind.MENTEES,
        [
            mentee("e1", interests=[ERASED_TEXT]),
            mentee("e2", interests=["heart failure"], conflicts=["m1"]),
        ],
    )
    # A bulk job embedded the mentees' texts, so they sit in the vector cache.
    engine.embedder.encode([ERASED_TEXT, "heart failure"])
    engine.write(
        Kind.FEEDBACK,
        [
            Feedback(mentee_id="e1", mentor_id="m1", date=TODAY, overall=5),
            Feedback(mentee_id="e2", mentor_id="m1", date=TODAY, overall=4),
            Feedback(mentee_id="e2", mentor_id="m3", date=TODAY, overall=3),
        ],
    )
    cohort = Cohort(id="c1", mentee_ids=["e1", "e2"], mentor_ids=["m1", "m2", "m3"])
    cohort = cohort.with_request(MentorRequest(mentee_id="e1", mentor_id="m1"))
    engine.write(Kind.COHORTS, [cohort])
    Review(engine).propose(cohort, "setup")
    keys(engine).create("mentee", "e1", label="e1's key")
    keys(engine).create("mentor", "m1", label="m1's key")
    at = datetime(2026, 1, 5, tzinfo=UTC)
    taken = request("r1", "e1", "m3", Actor(Role.MENTEE, "e1"), at)
    with engine.store.transaction() as session:  # m3 accepted e1's request: a place held
        agreement = Agreement(goals=("a first abstract",))
        Relationships.save(session, taken.accept(Actor(Role.MENTOR, "m3"), at, agreement))
        engine.recount_places(session, ["m3"], "setup")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with hashing_engine(tmp_path / "var") as engine:
        world(engine)
        yield engine


def cached(engine: Engine, text: str) -> bool:
    return bool(engine.store.cached_vectors(engine.embedder.model_id, [text_hash(text)]))


def draft_payloads(engine: Engine) -> str:
    review = Review(engine)
    return json.dumps(
        [asdict(d) for d in review.drafts("c1")] + [asdict(e) for e in review.audit("c1")],
        default=str,
    )


def key_subjects(engine: Engine) -> set[str]:
    return {k.subject for k in keys(engine).list()}


# -- a mentee -----------------------------------------------------------------------------------


def test_erasing_a_mentee_reports_what_changed(engine: Engine) -> None:
    assert cached(engine, ERASED_TEXT)
    report = erase(engine, Kind.MENTEES, "e1")
    assert isinstance(report, ErasureReport)
    assert report.found is True
    assert report.cohorts_changed == 1
    assert report.conflict_lists_changed == 1  # m2's
    assert report.review_rows_changed == 1  # the one draft naming e1
    assert report.keys_deleted == 1
    assert report.vectors_deleted >= 1
    assert report.relationships_deleted == 1


def test_an_erased_mentee_leaves_no_relationship_and_frees_the_place_it_held(
    engine: Engine,
) -> None:
    assert engine.store.get_mentor("m3").placed_mentees == 1
    at = datetime(2026, 1, 6, tzinfo=UTC)
    with engine.store.transaction() as session:
        Outbox.add(
            session,
            [
                Message("k1", "decision", "r1", "mentee", "e1", "e1@x.org", "Yes", "Hi", at),
                Message("k2", "request", "r1", "mentor", "m3", None, "About e1", "e1...", at),
                Message("k3", "request", "r9", "mentor", "m2", None, "Other", "e2...", at),
            ],
        )
    report = erase(engine, Kind.MENTEES, "e1")
    relationships = Relationships(engine.store.database)
    assert relationships.of_mentor("m3") == []
    assert all("e1" not in (row.mentee_id, row.mentor_id) for row in relationships.events())
    assert engine.store.get_mentor("m3").placed_mentees == 0
    kept = [row.key for row in Outbox(engine.store.database).messages()]
    assert kept == ["k3"] and report.messages_deleted == 2, "messages to e1 or about r1 go"


def test_an_erased_mentee_is_gone_from_the_store_and_their_ratings_with_them(
    engine: Engine,
) -> None:
    erase(engine, Kind.MENTEES, "e1")
    assert "e1" not in engine.store.ids(Kind.MENTEES)
    with pytest.raises(UnknownMentee):
        engine.store.get_mentee("e1")
    assert {(f.mentee_id, f.mentor_id) for f in engine.store.feedback()} == {
        ("e2", "m1"),
        ("e2", "m3"),
    }


def test_an_erased_mentee_is_gone_from_cohorts_conflicts_drafts_keys_and_cache(
    engine: Engine,
) -> None:
    assert "e1" in draft_payloads(engine)
    assert cached(engine, ERASED_TEXT)
    erase(engine, Kind.MENTEES, "e1")
    cohort = engine.store.get(Kind.COHORTS, "c1")
    assert isinstance(cohort, Cohort)
    assert cohort.mentee_ids == ["e2"]
    assert cohort.mentor_ids == ["m1", "m2", "m3"]
    assert cohort.requests == []
    assert engine.store.get_mentor("m2").conflicts == []
    assert '"e1"' not in draft_payloads(engine)
    assert key_subjects(engine) == {"m1"}
    assert not cached(engine, ERASED_TEXT)
    assert cached(engine, "heart failure"), "e2's vector went too"


def test_the_others_stay(engine: Engine) -> None:
    erase(engine, Kind.MENTEES, "e1")
    assert engine.store.ids(Kind.MENTEES) == {"e2"}
    assert engine.store.ids(Kind.MENTORS) == {"m1", "m2", "m3"}
    assert engine.store.get_mentee("e2").conflicts == ["m1"]
    (draft,) = Review(engine).drafts("c1")
    assert [p.mentee_id for p in draft.result.pairs] == ["e2"]
    assert [s.mentor_id for s in engine.suggest_for("e2", k=5)]


# -- a mentor -----------------------------------------------------------------------------------


def test_erasing_a_mentor_removes_their_vectors_from_the_index(engine: Engine) -> None:
    items_before = engine.index.n_items
    own = len(mentor_items(engine.store.get_mentor("m1")))
    assert "m1" in engine.index
    report = erase(engine, Kind.MENTORS, "m1")
    assert report.found is True
    assert report.conflict_lists_changed == 1  # e2's
    assert report.keys_deleted == 1
    assert "m1" not in engine.index
    assert engine.index.mentor_ids == {"m2", "m3"}
    assert engine.index.n_items == items_before - own
    assert not cached(engine, MENTOR_TEXT)


def test_an_erased_mentor_is_gone_everywhere_and_never_suggested(engine: Engine) -> None:
    erase(engine, Kind.MENTORS, "m1")
    with pytest.raises(UnknownMentor):
        engine.store.get_mentor("m1")
    assert all(f.mentor_id != "m1" for f in engine.store.feedback())
    assert len(engine.store.feedback()) == 1
    cohort = engine.store.get(Kind.COHORTS, "c1")
    assert isinstance(cohort, Cohort)
    assert cohort.mentor_ids == ["m2", "m3"] and cohort.requests == []
    assert engine.store.get_mentee("e2").conflicts == []
    assert '"m1"' not in draft_payloads(engine)
    found = engine.suggest(mentee("q", interests=[MENTOR_TEXT]), k=10)
    assert "m1" not in [s.mentor_id for s in found]


def test_an_erased_mentor_stays_out_of_the_index_after_a_restart(tmp_path: Path) -> None:
    with hashing_engine(tmp_path / "var") as engine:
        world(engine)
        erase(engine, Kind.MENTORS, "m1")
    with hashing_engine(tmp_path / "var") as restarted:
        restarted.refresh()
        assert "m1" not in restarted.index
        assert restarted.index.mentor_ids == {"m2", "m3"}


# -- unknown ids, repeats and wrong kinds ----------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.MENTEES, Kind.MENTORS])
def test_erasing_an_unknown_id_reports_not_found_and_changes_nothing(
    engine: Engine, kind: Kind
) -> None:
    before = engine.store.counts()
    report = erase(engine, kind, "nobody")
    assert report == ErasureReport(found=False)
    assert engine.store.counts() == before


def test_erasing_twice_finds_nothing_the_second_time(engine: Engine) -> None:
    assert erase(engine, Kind.MENTEES, "e1").found is True
    assert erase(engine, Kind.MENTEES, "e1") == ErasureReport(found=False)


@pytest.mark.parametrize("kind", [Kind.COHORTS, Kind.FEEDBACK])
def test_only_people_can_be_erased(engine: Engine, kind: Kind) -> None:
    with pytest.raises(ValueError, match="not a kind of person"):
        erase(engine, kind, "c1")
    assert "c1" in engine.store.ids(Kind.COHORTS)
