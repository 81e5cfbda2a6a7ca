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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from sqlalchemy import (
    Engine,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from recommender.errors import UnknownMentor, not_found
from recommender.profiles import RECORD_TYPES, Feedback, Kind, Mentee, Mentor, Record


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


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN comes only at the first write statement, after the
    # change number was read; transactions are begun explicitly instead (``_on_sqlite_begin``).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Deleted rows are overwritten with zeros, so erased people do not linger in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


WRITE = {"mentor_match_write": True}
"""Execution option marking a connection whose transaction will write."""


def _on_sqlite_begin(conn: Any) -> None:
    """Writers take SQLite's write lock at BEGIN (``IMMEDIATE``), so the change number they
    read is theirs alone and commits happen in change-number order, across threads and
    processes; readers begin deferred and never wait for writers (WAL)."""
    immediate = conn.get_execution_options().get("mentor_match_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Store:
    """Records and the embedding cache in one database; thread-safe (a session per call)."""

    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _on_sqlite_connect)
            event.listen(self.engine, "begin", _on_sqlite_begin)
        _Base.metadata.create_all(self.engine)
        self._create_seq()

    def _create_seq(self) -> None:
        """The change-number row exists from the start (two first writes must not race to
        create it)."""
        try:
            with self._session() as session:
                if session.get(_Meta, "seq") is None:
                    session.add(_Meta(key="seq", value="0"))
        except IntegrityError:
            pass  # another process created it first

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """A write transaction (holding the write lock from its start on SQLite)."""
        with Session(self.engine) as session, session.begin():
            session.connection(execution_options=WRITE)
            yield session

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

    def upsert(self, kind: Kind, records: Sequence[Record]) -> UpsertResult:
        """Insert or replace ``records`` by id, all in one transaction.

        Feedback must reference a stored mentor (checked here, inside the transaction).

        Raises:
            UnknownMentor: a feedback record names a mentor that is not stored.
        """
        result = UpsertResult()
        row_type = _ROWS[kind]
        with self._session() as session:
            if kind == "feedback":
                self._check_mentors_exist(
                    session, [r.mentor_id for r in records if isinstance(r, Feedback)]
                )
            seq = self._bump(session, 0)
            for record in records:
                payload = record.model_dump_json()
                key = record.key
                row: _RecordRow | None = session.get(row_type, key)
                if row is not None and row.payload == payload:
                    result.unchanged += 1
                    continue
                seq += 1
                if row is None:
                    session.add(self._new_row(kind, key, record, payload, seq))
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
        """Delete one record; a mentor's or mentee's feedback goes with them. True if found."""
        row_type = _ROWS[kind]
        with self._session() as session:
            found: _RecordRow | None = session.get(row_type, record_id)
            if found is None:
                return False
            session.delete(found)
            removed = 1
            if kind == "mentors":
                removed += _rowcount(
                    session.execute(delete(_FeedbackRow).where(_FeedbackRow.mentor_id == record_id))
                )
            elif kind == "mentees":
                removed += _rowcount(
                    session.execute(delete(_FeedbackRow).where(_FeedbackRow.mentee_id == record_id))
                )
            self._bump(session, removed)
        return True

    # -- reads ----------------------------------------------------------------------------

    def get(self, kind: Kind, record_id: str) -> Record:
        """One stored record. Raises ``UnknownMentor``/``UnknownMentee``/``NotFound``."""
        with Session(self.engine) as session:
            row: _RecordRow | None = session.get(_ROWS[kind], record_id)
        if row is None:
            raise not_found(kind, record_id)
        return RECORD_TYPES[kind].model_validate_json(row.payload)

    def get_mentor(self, mentor_id: str) -> Mentor:
        """The stored mentor. Raises ``UnknownMentor``."""
        return cast(Mentor, self.get("mentors", mentor_id))

    def get_mentee(self, mentee_id: str) -> Mentee:
        """The stored mentee. Raises ``UnknownMentee``."""
        return cast(Mentee, self.get("mentees", mentee_id))

    def records(self, kind: Kind, offset: int = 0, limit: int | None = None) -> list[Record]:
        """Records of one kind ordered by id, optionally one page of them."""
        row_type = _ROWS[kind]
        query = select(row_type.payload).order_by(row_type.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with Session(self.engine) as session:
            rows = session.scalars(query).all()
        record_type = RECORD_TYPES[kind]
        return [record_type.model_validate_json(p) for p in rows]

    def records_since(self, kind: Kind, seq: int) -> list[Record]:
        """Records of one kind written (inserted or changed) after change number ``seq``."""
        row_type = _ROWS[kind]
        query = select(row_type.payload).where(row_type.seq > seq)
        with Session(self.engine) as session:
            rows = session.scalars(query).all()
        record_type = RECORD_TYPES[kind]
        return [record_type.model_validate_json(p) for p in rows]

    def mentors(self) -> list[Mentor]:
        """Every mentor, ordered by id."""
        return cast(list[Mentor], self.records("mentors"))

    def feedback(self, mentor_id: str | None = None) -> list[Feedback]:
        """All feedback, or one mentor's, ordered by id."""
        query = select(_FeedbackRow.payload).order_by(_FeedbackRow.id)
        if mentor_id is not None:
            query = query.where(_FeedbackRow.mentor_id == mentor_id)
        with Session(self.engine) as session:
            rows = session.scalars(query).all()
        return [Feedback.model_validate_json(p) for p in rows]

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

    def delete_vectors(self, model_id: str, hashes: Sequence[str]) -> int:
        """Delete cached vectors by text hash; returns how many were stored."""
        if not hashes:
            return 0
        with self._session() as session:
            result = session.execute(
                delete(_EmbeddingRow).where(
                    _EmbeddingRow.model_id == model_id, _EmbeddingRow.text_hash.in_(list(hashes))
                )
            )
            return _rowcount(result)

    def compact(self) -> None:
        """Checkpoint and truncate the SQLite WAL (no-op on other databases)."""
        if self.url.startswith("sqlite"):
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def cache_vectors(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        """Store float32 vectors by text hash (existing entries are kept)."""
        if not vectors:
            return
        with self._session() as session:
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
