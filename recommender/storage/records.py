"""The store's tables and how records are stored: rows, stored form, parsing.

Records are stored as the JSON of their validated model (``stored_form``) with a change
number (``seq``); feedback rows also index the mentor and mentee they are about.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Integer, LargeBinary, String, Text, or_
from sqlalchemy.orm import Mapped, Session, mapped_column

from recommender.domain.errors import InvalidProfile
from recommender.domain.kinds import Kind
from recommender.domain.profiles import RECORD_TYPES, Feedback, Record
from recommender.storage.base import Base

log = logging.getLogger("recommender.storage.store")


class MetaRow(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def bump_seq(session: Session, by: int) -> int:
    """Add ``by`` to the store's change number in ``session``'s transaction; returns the new
    number. Every write that changes what a suggestion may be (records, relationships)
    bumps it, so answers cached under the old number are not served again."""
    # FOR UPDATE serialises writers on other databases (SQLite: BEGIN IMMEDIATE does).
    row = session.get(MetaRow, "seq", with_for_update=True)
    if row is None:
        row = MetaRow(key="seq", value="0")
        session.add(row)
    row.value = str(int(row.value) + by)
    return int(row.value)


class RecordRow(Base):
    __abstract__ = True
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(Integer, index=True)


class MentorRow(RecordRow):
    __tablename__ = "mentors"


class MenteeRow(RecordRow):
    __tablename__ = "mentees"


class FeedbackRow(RecordRow):
    __tablename__ = "feedback"
    mentor_id: Mapped[str] = mapped_column(String(64), index=True)
    mentee_id: Mapped[str] = mapped_column(String(64), index=True)


class CohortRow(RecordRow):
    __tablename__ = "cohorts"


class EmbeddingRow(Base):
    __tablename__ = "embeddings"
    model_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


ROWS: dict[str, type[RecordRow]] = {
    "mentors": MentorRow,
    "mentees": MenteeRow,
    "feedback": FeedbackRow,
    "cohorts": CohortRow,
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


def check_same_pair(row: FeedbackRow, record: Feedback) -> None:
    """A feedback id stays with the mentee and mentor it was written for: a write with the
    same id for another pair would overwrite someone else's rating."""
    if (row.mentee_id, row.mentor_id) != (record.mentee_id, record.mentor_id):
        raise InvalidProfile("id", "already used by a rating of another mentee–mentor pair")


def feedback_of(kind: Kind, person_id: str) -> Any:
    """Feedback rows given by (mentees) or about (mentors) a person, found by the indexed
    column or by the stored record itself, so a row whose column disagrees with its record
    (written before ids were tied to their pair) is found too."""
    field = "mentor_id" if kind == Kind.MENTORS else "mentee_id"
    column = FeedbackRow.mentor_id if kind == Kind.MENTORS else FeedbackRow.mentee_id
    quoted = json.dumps({field: person_id}, separators=(",", ":"))[1:-1]
    return or_(column == person_id, FeedbackRow.payload.contains(quoted, autoescape=True))


def parse(kind: Kind, rows: Iterable[Any]) -> list[Record]:
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


def by_model(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for model, key in pairs:
        grouped.setdefault(model, []).append(key)
    return grouped


def rowcount(result: Any) -> int:
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
