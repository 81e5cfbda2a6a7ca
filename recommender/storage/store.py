"""The store: mentors, mentees, feedback and the embedding cache, in any SQLAlchemy database.

SQLite (the default) runs in WAL mode with ``synchronous=FULL``: a write that returned is on
disk (the WAL is fsynced at every commit, so a power cut or SIGKILL after the commit loses
nothing). ``secure_delete`` overwrites deleted content, and ``compact`` checkpoints the WAL
so old page images of erased records leave the WAL file too.

Every write runs in one transaction and bumps a change sequence number (``seq``) so readers
(the engine, the index snapshot) can tell cheaply whether what they hold is current.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, cast

import numpy as np
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recommender.domain.errors import UnknownMentor, not_found
from recommender.domain.kinds import Kind
from recommender.domain.profiles import RECORD_TYPES, Feedback, Mentee, Mentor, Record
from recommender.storage.database import Database
from recommender.storage.migrate import open_database
from recommender.storage.placements import Placements
from recommender.storage.records import (
    ROWS,
    EmbeddingRow,
    FeedbackRow,
    MentorRow,
    MetaRow,
    RecordRow,
    UpsertResult,
    bump_seq,
    by_model,
    check_same_pair,
    feedback_of,
    parse,
    rowcount,
    stored_form,
    text_hash,
)
from recommender.storage.relationships import Relationships

__all__ = ["Store", "UpsertResult", "stored_form", "text_hash"]

# Read on every request: built once, so SQLAlchemy reuses their compiled form.
_SEQ = select(MetaRow.value).where(MetaRow.key == "seq")
_PAYLOAD_BY_ID = {
    kind: select(row.payload).where(row.id == bindparam("id")) for kind, row in ROWS.items()
}


class Store:
    """Records and the embedding cache in one database; thread-safe (a session per call)."""

    def __init__(self, database: str | Database) -> None:
        """Open the store at a URL (its schema brought to the newest revision) or over an
        opened ``Database``."""
        self.database = database if isinstance(database, Database) else open_database(database)
        self.url = self.database.url
        self._create_seq()

    def _create_seq(self) -> None:
        """The change-number row exists from the start (two first writes must not race to
        create it)."""
        try:
            with self.transaction() as session:
                if session.get(MetaRow, "seq") is None:
                    session.add(MetaRow(key="seq", value="0"))
        except IntegrityError:
            pass  # another process created it first

    def close(self) -> None:
        """Release the connection pool."""
        self.database.dispose()

    def transaction(self) -> AbstractContextManager[Session]:
        """A write transaction (holding the write lock from its start on SQLite); callers that
        change several things at once pass its session to ``upsert``: all commits or none."""
        return self.database.write()

    # -- change sequence ------------------------------------------------------------------

    def seq(self) -> int:
        """The change sequence number: grows by one per record written or deleted."""
        value = self.database.quick_scalar(_SEQ)
        return int(value) if value is not None else 0

    _bump = staticmethod(bump_seq)

    # -- writes ---------------------------------------------------------------------------

    def upsert(
        self, kind: Kind, records: Sequence[Record], session: Session | None = None
    ) -> UpsertResult:
        """Insert or replace ``records`` by id, all in one transaction (``session``'s, if
        given, else a new one).

        Every record must read back as itself (``stored_form``). Feedback must reference a
        stored mentor, and a feedback id keeps the mentee and mentor it was first written
        for (checked here, inside the transaction).

        Raises:
            InvalidProfile: a record would not read back as validated, or a feedback id
                already belongs to another mentee–mentor pair.
            UnknownMentor: a feedback record names a mentor that is not stored.
        """
        payloads = [stored_form(record) for record in records]
        if session is None:
            with self.transaction() as own:
                return self._upsert(own, kind, records, payloads)
        return self._upsert(session, kind, records, payloads)

    def _upsert(
        self, session: Session, kind: Kind, records: Sequence[Record], payloads: list[str]
    ) -> UpsertResult:
        result = UpsertResult()
        row_type = ROWS[kind]
        if kind == Kind.MENTORS:
            records, payloads = self._with_placements(session, records, payloads)
        if kind == "feedback":
            self._check_mentors_exist(
                session, [r.mentor_id for r in records if isinstance(r, Feedback)]
            )
        seq = self._bump(session, 0)
        for record, payload in zip(records, payloads, strict=True):
            key = record.key
            row: RecordRow | None = session.get(row_type, key)
            if isinstance(row, FeedbackRow) and isinstance(record, Feedback):
                check_same_pair(row, record)
            if row is not None and row.payload == payload:
                result.unchanged += 1
                continue
            seq += 1
            if row is None:
                session.add(self._new_row(kind, key, record, payload, seq))
                session.flush()  # a second record with this id in the batch updates it
                result.inserted += 1
            else:
                row.payload = payload
                row.seq = seq
                result.updated += 1
        self._bump(session, result.changed)
        return result

    def placed(self, session: Session, mentors: Sequence[Record]) -> list[Record]:
        """``mentors`` as ``upsert`` in ``session`` will store them: with their placement
        counts (what a change log must compare against)."""
        return self._with_placements(session, mentors, [stored_form(m) for m in mentors])[0]

    @staticmethod
    def _with_placements(
        session: Session, records: Sequence[Record], payloads: list[str]
    ) -> tuple[list[Record], list[str]]:
        """Mentors carrying their held places, whatever the caller gave: places taken by
        approved assignments and by accepted requests are the store's to keep, never an
        import's to set."""
        keys = [r.key for r in records]
        placed = Counter(Placements.counts(session, keys))
        placed.update(Relationships.counts(session, keys))
        out: tuple[list[Record], list[str]] = ([], [])
        for record, payload in zip(records, payloads, strict=True):
            n = placed.get(record.key, 0)
            if isinstance(record, Mentor) and record.placed_mentees != n:
                record = record.model_copy(update={"placed_mentees": n})
                payload = stored_form(record)
            out[0].append(record)
            out[1].append(payload)
        return out

    @staticmethod
    def _new_row(kind: Kind, key: str, record: Record, payload: str, seq: int) -> RecordRow:
        if isinstance(record, Feedback):
            return FeedbackRow(
                id=key,
                mentor_id=record.mentor_id,
                mentee_id=record.mentee_id,
                payload=payload,
                seq=seq,
            )
        return ROWS[kind](id=key, payload=payload, seq=seq)

    @staticmethod
    def _check_mentors_exist(session: Session, mentor_ids: Iterable[str]) -> None:
        wanted = set(mentor_ids)
        if not wanted:
            return
        found = set(session.scalars(select(MentorRow.id).where(MentorRow.id.in_(wanted))).all())
        missing = sorted(wanted - found)
        if missing:
            raise UnknownMentor(missing[0])

    def delete(self, kind: Kind, record_id: str) -> bool:
        """Delete one record; a mentor's or mentee's feedback goes with them (even if their
        own row is already gone). True if the record was found."""
        row_type = ROWS[kind]
        with self.transaction() as session:
            found: RecordRow | None = session.get(row_type, record_id)
            removed = 0
            if found is not None:
                session.delete(found)
                removed = 1
            if Kind(kind).is_person:
                removed += rowcount(
                    session.execute(delete(FeedbackRow).where(feedback_of(kind, record_id)))
                )
            self._bump(session, removed)
        return found is not None

    # -- reads ----------------------------------------------------------------------------

    def get(self, kind: Kind, record_id: str) -> Record:
        """One stored record. Raises ``UnknownMentor``/``UnknownMentee``/``NotFound``."""
        # A plain connection, no ORM session: a stored mentee is read on every request.
        payload = self.database.scalar(_PAYLOAD_BY_ID[kind], {"id": record_id})
        if payload is None:
            raise not_found(kind, record_id)
        return RECORD_TYPES[kind].model_validate_json(payload)

    def existing(self, kind: Kind, record_ids: Sequence[str]) -> dict[str, Record]:
        """The stored records among ``record_ids`` (missing ones are absent), by id."""
        row_type = ROWS[kind]
        rows: list[Any] = []
        unique = list(dict.fromkeys(record_ids))
        with self.database.sessions() as session:
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                query = select(row_type.id, row_type.payload).where(row_type.id.in_(chunk))
                rows += session.execute(query).all()
        return {r.key: r for r in parse(kind, rows)}

    def existing_ids(self, kind: Kind, record_ids: Iterable[str]) -> set[str]:
        """Which of ``record_ids`` are stored (without reading every id of the kind)."""
        row_type = ROWS[kind]
        unique = list(dict.fromkeys(record_ids))
        found: set[str] = set()
        with self.database.sessions() as session:
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                found.update(session.scalars(select(row_type.id).where(row_type.id.in_(chunk))))
        return found

    def get_mentor(self, mentor_id: str) -> Mentor:
        """The stored mentor. Raises ``UnknownMentor``."""
        return cast(Mentor, self.get(Kind.MENTORS, mentor_id))

    def get_mentee(self, mentee_id: str) -> Mentee:
        """The stored mentee. Raises ``UnknownMentee``."""
        return cast(Mentee, self.get(Kind.MENTEES, mentee_id))

    def records(self, kind: Kind, offset: int = 0, limit: int | None = None) -> list[Record]:
        """Records of one kind ordered by id, optionally one page of them."""
        row_type = ROWS[kind]
        query = select(row_type.id, row_type.payload).order_by(row_type.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.database.sessions() as session:
            rows = session.execute(query).all()
        return parse(kind, rows)

    def records_since(self, kind: Kind, seq: int) -> list[Record]:
        """Records of one kind written (inserted or changed) after change number ``seq``."""
        row_type = ROWS[kind]
        query = select(row_type.id, row_type.payload).where(row_type.seq > seq)
        with self.database.sessions() as session:
            rows = session.execute(query).all()
        return parse(kind, rows)

    def mentors(self) -> list[Mentor]:
        """Every mentor, ordered by id."""
        return cast(list[Mentor], self.records(Kind.MENTORS))

    def feedback(self, mentor_id: str | None = None) -> list[Feedback]:
        """All feedback, or one mentor's, ordered by id."""
        query = select(FeedbackRow.id, FeedbackRow.payload).order_by(FeedbackRow.id)
        if mentor_id is not None:
            query = query.where(FeedbackRow.mentor_id == mentor_id)
        with self.database.sessions() as session:
            rows = session.execute(query).all()
        return cast(list[Feedback], parse(Kind.FEEDBACK, rows))

    def counts(self) -> dict[str, int]:
        """Number of mentors, mentees and feedback records."""
        with self.database.sessions() as session:
            return {
                kind: int(session.scalar(select(func.count()).select_from(row)) or 0)
                for kind, row in ROWS.items()
            }

    def ids(self, kind: Kind) -> set[str]:
        """Ids of every stored record of one kind."""
        row_type = ROWS[kind]
        with self.database.sessions() as session:
            return set(session.scalars(select(row_type.id)).all())

    # -- embedding cache ------------------------------------------------------------------

    def cached_vectors(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached float32 vectors for the given text hashes (missing ones are absent)."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        with self.database.sessions() as session:
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                rows = session.execute(
                    select(EmbeddingRow.text_hash, EmbeddingRow.vector).where(
                        EmbeddingRow.model_id == model_id, EmbeddingRow.text_hash.in_(chunk)
                    )
                ).all()
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def prune_vectors(self, keep: set[str]) -> int:
        """Delete every cached vector (of any model) whose text hash is not in ``keep``;
        returns how many were deleted. Erasure uses it so vectors of a person's earlier
        profile versions go too, not only those of their current texts."""
        with self.database.sessions() as session:
            stored = session.execute(select(EmbeddingRow.model_id, EmbeddingRow.text_hash)).all()
        drop = [(model, key) for model, key in stored if key not in keep]
        deleted = 0
        for start in range(0, len(drop), 500):
            chunk = drop[start : start + 500]
            with self.transaction() as session:
                for model, keys in by_model(chunk).items():
                    deleted += rowcount(
                        session.execute(
                            delete(EmbeddingRow).where(
                                EmbeddingRow.model_id == model, EmbeddingRow.text_hash.in_(keys)
                            )
                        )
                    )
        return deleted

    def compact(self) -> None:
        """Checkpoint and truncate the SQLite WAL (no-op on other databases)."""
        self.database.checkpoint()

    def cache_vectors(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        """Store float32 vectors by text hash (existing entries are kept)."""
        if not vectors:
            return
        with self.transaction() as session:
            existing = set(
                session.scalars(
                    select(EmbeddingRow.text_hash).where(
                        EmbeddingRow.model_id == model_id,
                        EmbeddingRow.text_hash.in_(list(vectors)),
                    )
                ).all()
            )
            for key, vec in vectors.items():
                if key not in existing:
                    session.add(
                        EmbeddingRow(
                            model_id=model_id,
                            text_hash=key,
                            vector=np.asarray(vec, dtype=np.float32).tobytes(),
                        )
                    )
