"""Erasure: remove a mentor or mentee everywhere the product keeps them.

A person is held in more places than their own row: ratings they gave or received, cohort
memberships and requests, other people's conflict lists, assignment drafts and the audit
trail, relationships, their events and the messages about them, the suggestions they were
shown or shown in, their identity claims, API keys bound to them,
cached vectors of their texts, the FAISS index and its snapshot, and old page images in
SQLite's WAL. ``erase`` clears all of them. It is idempotent: if it is interrupted, running
it again finishes the job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort, Mentee, Mentor, Record
from recommender.engine import Engine
from recommender.matching.review import Review
from recommender.storage.identity import Identities
from recommender.storage.keys import Keys
from recommender.storage.outbox import Outbox
from recommender.storage.records import bump_seq
from recommender.storage.relationships import Relationships
from recommender.storage.shown import ShownLog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure removed or changed."""

    found: bool
    cohorts_changed: int = 0
    conflict_lists_changed: int = 0
    review_rows_changed: int = 0
    keys_deleted: int = 0
    vectors_deleted: int = 0
    relationships_deleted: int = 0
    messages_deleted: int = 0
    identity_claims_deleted: int = 0


def erase(engine: Engine, kind: Kind, person_id: str) -> ErasureReport:
    """Erase one mentor or mentee; ``found`` is False if no such record is stored (the
    references to the id are cleared all the same)."""
    kind = Kind(kind)
    if kind.role is None:
        raise ValueError(f"kind: {kind} is not a kind of person")
    store = engine.store
    cohorts = _scrub_cohorts(engine, person_id)
    other = Kind.MENTEES if kind is Kind.MENTORS else Kind.MENTORS
    conflicts = _scrub_conflicts(engine, other, person_id)
    review = Review(engine).erase(person_id)
    with store.transaction() as session:  # their relationships, events and held places
        relationships, freed = Relationships.erase(session, person_id)
        messages = Outbox.erase(session, person_id, relationships)
        engine.shown.forget(person_id)
        ShownLog.erase(session, person_id)
        claims = Identities.erase(session, person_id, kind)
        bump_seq(session, 1)  # no answer computed with their claims is served again
        engine.recount_places(session, freed, "erasure")
    keys = Keys(store.database).erase_subject(kind.role, person_id)
    engine.changes.erase(person_id)
    # Deleted by id without reading the record (it may no longer validate); their ratings
    # go even if their own row is already gone.
    found = engine.delete(kind, person_id)
    vectors = engine.forget_unused_vectors()
    store.compact()
    log.info("erased %s %s", kind.singular, person_id)
    return ErasureReport(
        found, cohorts, conflicts, review, keys, vectors, len(relationships), messages, claims
    )


def _scrub_cohorts(engine: Engine, person_id: str) -> int:
    changed: list[Record] = []
    for cohort in engine.store.records(Kind.COHORTS):
        assert isinstance(cohort, Cohort)
        requests = [r for r in cohort.requests if person_id not in (r.mentee_id, r.mentor_id)]
        members = cohort.with_members([person_id], [person_id], add=False)
        updated = members.model_copy(update={"requests": requests})
        if updated != cohort:
            changed.append(updated)
    if changed:
        engine.write(Kind.COHORTS, changed)
    return len(changed)


def _scrub_conflicts(engine: Engine, kind: Kind, person_id: str) -> int:
    changed: list[Record] = []
    for record in engine.store.records(kind):
        assert isinstance(record, Mentor | Mentee)
        if person_id in record.conflicts:
            kept = [c for c in record.conflicts if c != person_id]
            changed.append(record.model_copy(update={"conflicts": kept}))
    if changed:
        engine.write(kind, changed)
    return len(changed)
