"""Assignment drafts and their audit trail: the review's tables and their repository.

The workflow (propose, override, lock, re-run, approve) is ``recommender.matching.review``;
this module only stores its rows. A draft's ``payload`` is the JSON the workflow writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from recommender.domain.errors import NotFound
from recommender.storage.base import Base
from recommender.storage.database import Database


class DraftRow(Base):
    """One stored assignment (``status``: draft, approved or superseded)."""

    __tablename__ = "assignments"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    cohort_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    """One audit event: who changed which assignment, when, how and why."""

    __tablename__ = "audit"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cohort_id: Mapped[str] = mapped_column(String(64), index=True)
    assignment_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)


class Drafts:
    """Reads and writes of drafts and audit events in the store's database."""

    def __init__(self, database: Database) -> None:
        """The drafts in ``database``."""
        self.database = database

    def write(self) -> AbstractContextManager[Session]:
        """A write transaction; the methods taking a ``session`` run in it."""
        return self.database.write()

    # -- reads -------------------------------------------------------------------------------

    def get(self, assignment_id: str) -> DraftRow | None:
        """One draft row, or None."""
        with self.database.sessions() as session:
            return session.get(DraftRow, assignment_id)

    def of_cohort(self, cohort_id: str) -> Sequence[DraftRow]:
        """The cohort's draft rows, newest first."""
        with self.database.sessions() as session:
            return session.scalars(
                select(DraftRow)
                .where(DraftRow.cohort_id == cohort_id)
                .order_by(DraftRow.created_at.desc(), DraftRow.id)
            ).all()

    def with_status(self, status: str) -> Sequence[DraftRow]:
        """Every draft row with this status."""
        with self.database.sessions() as session:
            return session.scalars(select(DraftRow).where(DraftRow.status == status)).all()

    def events(self, cohort_id: str) -> Sequence[AuditRow]:
        """The cohort's audit events, oldest first."""
        with self.database.sessions() as session:
            return session.scalars(
                select(AuditRow).where(AuditRow.cohort_id == cohort_id).order_by(AuditRow.seq)
            ).all()

    # -- in a write transaction ----------------------------------------------------------------

    @staticmethod
    def locked(session: Session, assignment_id: str) -> DraftRow:
        """The draft's row read for update in ``session``. Raises ``NotFound``."""
        row = session.get(DraftRow, assignment_id, with_for_update=True)
        if row is None:
            raise NotFound("assignment", assignment_id)
        return row

    @staticmethod
    def of_cohort_in(session: Session, cohort_id: str) -> Sequence[DraftRow]:
        """The cohort's draft rows, read in ``session``'s transaction."""
        return session.scalars(select(DraftRow).where(DraftRow.cohort_id == cohort_id)).all()

    @staticmethod
    def add(session: Session, row: DraftRow) -> None:
        """Insert a draft row."""
        session.add(row)

    @staticmethod
    def add_event(session: Session, event: AuditRow) -> None:
        """Append an audit event."""
        session.add(event)

    @staticmethod
    def all_rows(session: Session) -> Sequence[DraftRow]:
        """Every draft row (erasure scans them)."""
        return session.scalars(select(DraftRow)).all()

    @staticmethod
    def redact_events(session: Session, person_id: str) -> int:
        """Name ``person_id`` as ``[erased]`` in every audit event's details and reason
        (erasure); returns how many events changed."""
        changed = 0
        for event in session.scalars(select(AuditRow)).all():
            if mentions(event.details, person_id) or mentions(event.reason, person_id):
                event.details = json.dumps(_redact(json.loads(event.details), person_id))
                event.reason = _id_pattern(person_id).sub(ERASED, event.reason)
                changed += 1
        return changed


ERASED = "[erased]"
"""What an erased person's id is replaced by in audit events."""


def _id_pattern(person_id: str) -> re.Pattern[str]:
    """``person_id`` as a whole id (not inside a longer one such as m1 in m10)."""
    return re.compile(rf"(?<![A-Za-z0-9_.:@-]){re.escape(person_id)}(?![A-Za-z0-9_.:@-])")


def mentions(text: str, person_id: str) -> bool:
    """True if ``text`` names ``person_id`` as a whole id."""
    return bool(_id_pattern(person_id).search(text))


def _redact(value: Any, person_id: str) -> Any:
    if isinstance(value, str):
        return _id_pattern(person_id).sub(ERASED, value)
    if isinstance(value, list):
        return [_redact(v, person_id) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, person_id) for k, v in value.items()}
    return value
