"""The store: mentors, mentees, feedback and the embedding cache, in any SQLAlchemy database.

SQLite (the default) runs in WAL mode with ``synchronous=FULL``: a write that returned is on
disk (the WAL is fsynced at every commit, so a power cut or SIGKILL after the commit loses
nothing). ``secure_delete`` overwrites deleted content, and ``compact`` checkpoints the WAL
so old page images of erased records leave the WAL file too.

Every write runs in one transaction and bumps a change sequence number (``seq``) so readers
(the engine, the index snapshot) can tell cheaply whether what they hold is current.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from pydantic import ValidationError
from sqlalchemy import (
    Engine,
    Integer,
    LargeBinary,
    String,
    Text,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from recommender.domain.errors import InvalidProfile, UnknownMentor, not_found
from recommender.domain.kinds import Kind
from recommender.domain.profiles import RECORD_TYPES, Feedback, Mentee, Mentor, Record
from recommender.storage.database import connect, write_session

log = logging.getLogger(__name__)


class _Base(DeclarativeBase):
    pass


class _Meta(_Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class _RecordRow(_Base):
    __abstract__ = True
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(Integer, index=True)


class _MentorRow(_RecordRow):
    __tablename__ = "mentors"


class _MenteeRow(_RecordRow):
    __tablename__ = "mentees"


class _FeedbackRow(_RecordRow):
    __tablename__ = "feedback"
    mentor_id: Mapped[str] = mapped_column(String(64), index=True)
    mentee_id: Mapped[str] = mapped_column(String(64), index=True)


class _CohortRow(_RecordRow):
    __tablename__ = "cohorts"


class _EmbeddingRow(_Base):
    __tablename__ = "embeddings"
    model_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


_ROWS: dict[str, type[_RecordRow]] = {
    "mentors": _MentorRow,
    "mentees": _MenteeRow,
    "feedback": _FeedbackRow,
    "cohorts": _CohortRow,
}


def text_hash(text: str) -> str:
    """SHA-256 hex digest of ``text`` (UTF-8), the embedding cache key."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class UpsertResult:
    """How many records a write inserted, changed, or found identical."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        """Inserted plus updated."""
        return self.inserted + self.updated


def _check_same_pair(row: _FeedbackRow, record: Feedback) -> None:
    """A feedback id stays with the mentee and mentor it was written for: a write with the
    same id for another pair would overwrite someone else's rating."""
    if (row.mentee_id, row.mentor_id) != (record.mentee_id, record.mentor_id):
        raise InvalidProfile("id", "already used by a rating of another mentee–mentor pair")


def _feedback_of(kind: Kind, person_id: str) -> Any:
    """Feedback rows given by (mentees) or about (mentors) a person, found by the indexed
    column or by the stored record itself, so a row whose column disagrees with its record
    (written before ids were tied to their pair) is found too."""
    field = "mentor_id" if kind == "mentors" else "mentee_id"
    column = _FeedbackRow.mentor_id if kind == "mentors" else _FeedbackRow.mentee_id
    quoted = json.dumps({field: person_id}, separators=(",", ":"))[1:-1]
    return or_(column == person_id, _FeedbackRow.payload.contains(quoted, autoescape=True))


def _parse(kind: Kind, rows: Iterable[Any]) -> list[Record]:
    """Stored rows as records. A row that no longer validates (written by an older version
    with looser rules) is skipped with a log line naming it, so one bad row cannot stop the
    service; ``mentor-match erase`` or a corrected write replaces it."""
    record_type = RECORD_TYPES[kind]
    out: list[Record] = []
    for record_id, payload in rows:
        try:
            out.append(record_type.model_validate_json(payload))
        except ValidationError:
            log.warning("stored %s %s does not validate; skipped", kind, record_id)
    return out


def _by_model(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for model, key in pairs:
        grouped.setdefault(model, []).append(key)
    return grouped


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def stored_form(record: Record) -> str:
    """The JSON a record is stored as, after checking that it reads back as the same record.

    Validation must be idempotent: what is stored is re-validated on every read, so a record
    whose normalised form would fail its own checks (or change again) must never be written.

    Raises:
        InvalidProfile: naming the first field that does not survive the round trip.
    """
    payload = record.model_dump_json()
    try:
        again = type(record).model_validate_json(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "record"
        raise InvalidProfile(field, f"{first['msg']} (after normalisation)") from None
    if again != record:
        changed = [
            name
            for name in type(record).model_fields
            if getattr(again, name) != getattr(record, name)
        ]
        raise InvalidProfile(
            changed[0] if changed else "record", "changes again when normalised a second time"
        )
    return payload


class Store:
    """Records and the embedding cache in one database; thread-safe (a session per call)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = connect(url)
        _Base.metadata.create_all(self.engine)
        self._create_seq()

    def _create_seq(self) -> None:
        """The change-number row exists from the start (two first writes must not race to
        create it)."""
        try:
            with self.transaction() as session:
                if session.get(_Meta, "seq") is None:
                    session.add(_Meta(key="seq", value="0"))
        except IntegrityError:
            pass  # another process created it first

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def transaction(self) -> AbstractContextManager[Session]:
        """A write transaction (holding the write lock from its start on SQLite); callers that
        change several things at once pass its session to ``upsert``: all commits or none."""
        return write_session(self.engine)

    # -- change sequence ------------------------------------------------------------------

    def seq(self) -> int:
        """The change sequence number: grows by one per record written or deleted."""
        with Session(self.engine) as session:
            row = session.get(_Meta, "seq")
            return int(row.value) if row else 0

    @staticmethod
    def _bump(session: Session, by: int) -> int:
        # FOR UPDATE serialises writers on other databases (SQLite: BEGIN IMMEDIATE does).
        row = session.get(_Meta, "seq", with_for_update=True)
        if row is None:
            row = _Meta(key="seq", value="0")
            session.add(row)
        row.value = str(int(row.value) + by)
        return int(row.value)

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
        row_type = _ROWS[kind]
        if kind == "feedback":
            self._check_mentors_exist(
                session, [r.mentor_id for r in records if isinstance(r, Feedback)]
            )
        seq = self._bump(session, 0)
        for record, payload in zip(records, payloads, strict=True):
            key = record.key
            row: _RecordRow | None = session.get(row_type, key)
            if isinstance(row, _FeedbackRow) and isinstance(record, Feedback):
                _check_same_pair(row, record)
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

    @staticmethod
    def _new_row(kind: Kind, key: str, record: Record, payload: str, seq: int) -> _RecordRow:
        if isinstance(record, Feedback):
            return _FeedbackRow(
                id=key,
                mentor_id=record.mentor_id,
                mentee_id=record.mentee_id,
                payload=payload,
                seq=seq,
            )
        return _ROWS[kind](id=key, payload=payload, seq=seq)

    @staticmethod
    def _check_mentors_exist(session: Session, mentor_ids: Iterable[str]) -> None:
        wanted = set(mentor_ids)
        if not wanted:
            return
        found = set(session.scalars(select(_MentorRow.id).where(_MentorRow.id.in_(wanted))).all())
        missing = sorted(wanted - found)
        if missing:
            raise UnknownMentor(missing[0])

    def delete(self, kind: Kind, record_id: str) -> bool:
        """Delete one record; a mentor's or mentee's feedback goes with them (even if their
        own row is already gone). True if the record was found."""
        row_type = _ROWS[kind]
        with self.transaction() as session:
            found: _RecordRow | None = session.get(row_type, record_id)
            removed = 0
            if found is not None:
                session.delete(found)
                removed = 1
            if Kind(kind).is_person:
                removed += _rowcount(
                    session.execute(delete(_FeedbackRow).where(_feedback_of(kind, record_id)))
                )
            self._bump(session, removed)
        return found is not None

    # -- reads ----------------------------------------------------------------------------

    def get(self, kind: Kind, record_id: str) -> Record:
        """One stored record. Raises ``UnknownMentor``/``UnknownMentee``/``NotFound``."""
        with Session(self.engine) as session:
            row: _RecordRow | None = session.get(_ROWS[kind], record_id)
        if row is None:
            raise not_found(kind, record_id)
        return RECORD_TYPES[kind].model_validate_json(row.payload)

    def existing(self, kind: Kind, record_ids: Sequence[str]) -> dict[str, Record]:
        """The stored records among ``record_ids`` (missing ones are absent), by id."""
        row_type = _ROWS[kind]
        rows: list[Any] = []
        unique = list(dict.fromkeys(record_ids))
        with Session(self.engine) as session:
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                query = select(row_type.id, row_type.payload).where(row_type.id.in_(chunk))
                rows += session.execute(query).all()
        return {r.key: r for r in _parse(kind, rows)}

    def existing_ids(self, kind: Kind, record_ids: Iterable[str]) -> set[str]:
        """Which of ``record_ids`` are stored (without reading every id of the kind)."""
        row_type = _ROWS[kind]
        unique = list(dict.fromkeys(record_ids))
        found: set[str] = set()
        with Session(self.engine) as session:
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
        row_type = _ROWS[kind]
        query = select(row_type.id, row_type.payload).order_by(row_type.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with Session(self.engine) as session:
            rows = session.execute(query).all()
        return _parse(kind, rows)

    def records_since(self, kind: Kind, seq: int) -> list[Record]:
        """Records of one kind written (inserted or changed) after change number ``seq``."""
        row_type = _ROWS[kind]
        query = select(row_type.id, row_type.payload).where(row_type.seq > seq)
        with Session(self.engine) as session:
            rows = session.execute(query).all()
        return _parse(kind, rows)

    def mentors(self) -> list[Mentor]:
        """Every mentor, ordered by id."""
        return cast(list[Mentor], self.records(Kind.MENTORS))

    def feedback(self, mentor_id: str | None = None) -> list[Feedback]:
        """All feedback, or one mentor's, ordered by id."""
        query = select(_FeedbackRow.id, _FeedbackRow.payload).order_by(_FeedbackRow.id)
        if mentor_id is not None:
            query = query.where(_FeedbackRow.mentor_id == mentor_id)
        with Session(self.engine) as session:
            rows = session.execute(query).all()
        return cast(list[Feedback], _parse(Kind.FEEDBACK, rows))

    def counts(self) -> dict[str, int]:
        """Number of mentors, mentees and feedback records."""
        with Session(self.engine) as session:
            return {
                kind: int(session.scalar(select(func.count()).select_from(row)) or 0)
                for kind, row in _ROWS.items()
            }

    def ids(self, kind: Kind) -> set[str]:
        """Ids of every stored record of one kind."""
        row_type = _ROWS[kind]
        with Session(self.engine) as session:
            return set(session.scalars(select(row_type.id)).all())

    # -- embedding cache ------------------------------------------------------------------

    def cached_vectors(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached float32 vectors for the given text hashes (missing ones are absent)."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        with Session(self.engine) as session:
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                rows = session.execute(
                    select(_EmbeddingRow.text_hash, _EmbeddingRow.vector).where(
                        _EmbeddingRow.model_id == model_id, _EmbeddingRow.text_hash.in_(chunk)
                    )
                ).all()
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def prune_vectors(self, keep: set[str]) -> int:
        """Delete every cached vector (of any model) whose text hash is not in ``keep``;
        returns how many were deleted. Erasure uses it so vectors of a person's earlier
        profile versions go too, not only those of their current texts."""
        with Session(self.engine) as session:
            stored = session.execute(select(_EmbeddingRow.model_id, _EmbeddingRow.text_hash)).all()
        drop = [(model, key) for model, key in stored if key not in keep]
        deleted = 0
        for start in range(0, len(drop), 500):
            chunk = drop[start : start + 500]
            with self.transaction() as session:
                for model, keys in _by_model(chunk).items():
                    deleted += _rowcount(
                        session.execute(
                            delete(_EmbeddingRow).where(
                                _EmbeddingRow.model_id == model, _EmbeddingRow.text_hash.in_(keys)
                            )
                        )
                    )
        return deleted

    def compact(self) -> None:
        """Checkpoint and truncate the SQLite WAL (no-op on other databases)."""
        if self.url.startswith("sqlite"):
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def cache_vectors(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        """Store float32 vectors by text hash (existing entries are kept)."""
        if not vectors:
            return
        with self.transaction() as session:
            existing = set(
                session.scalars(
                    select(_EmbeddingRow.text_hash).where(
                        _EmbeddingRow.model_id == model_id,
                        _EmbeddingRow.text_hash.in_(list(vectors)),
                    )
                ).all()
            )
            for key, vec in vectors.items():
                if key not in existing:
                    session.add(
                        _EmbeddingRow(
                            model_id=model_id,
                            text_hash=key,
                            vector=np.asarray(vec, dtype=np.float32).tobytes(),
                        )
                    )
