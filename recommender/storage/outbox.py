"""The outbox: every message the product means to send, stored before anything is sent.

A message is written in the same transaction as the step it tells of (a request, a decision,
an alert), so no step goes unannounced and no message announces a step that was rolled back.
Sending is a separate, repeatable pass (``recommender.matching.notifications``): it marks
each message sent, or failed with the error and the number of attempts. Each message has a
``key`` saying what it is about (for example ``due:r-1:2:mentee``, the second check-in of
``r-1`` for the mentee), unique in the table, so a message that a periodic pass finds due
again is not stored twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Integer, String, Text, delete, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from recommender.storage.base import Base
from recommender.storage.database import Database
from recommender.storage.records import rowcount


class Status(StrEnum):
    """Where a message stands."""

    PENDING = "pending"
    """Stored, not sent yet (no mail server configured, or not tried yet)."""
    SENDING = "sending"
    """Claimed by one sending pass (one of several processes); back in the queue if that
    pass has not finished after ``CLAIM_TIMEOUT``."""
    SENT = "sent"
    FAILED = "failed"
    """The last attempt failed; retried up to ``MAX_ATTEMPTS`` times."""
    NO_ADDRESS = "no address"
    """The recipient has no e-mail address: listed for the program, never sent."""


MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = timedelta(minutes=10)


@dataclass(frozen=True)
class Message:
    """One message to one recipient.

    Attributes:
        key: what it is about, unique (a second message with the same key is not stored).
        kind: request, decision, agreement, check-in due, alert, ending...
        relationship_id: the relationship it tells of.
        recipient_role: mentee, mentor or coordinator.
        recipient_id: the mentee's or mentor's id, or the cohort or program of a coordinator.
        address: the e-mail address (None: none known).
        subject: the subject line.
        body: the plain-text body.
        created_at: when it was written.
    """

    key: str
    kind: str
    relationship_id: str
    recipient_role: str
    recipient_id: str
    address: str | None
    subject: str
    body: str
    created_at: datetime


class OutboxRow(Base):
    """One stored message and its delivery state."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    relationship_id: Mapped[str] = mapped_column(String(40), index=True)
    recipient_role: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str | None] = mapped_column(String(320), nullable=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sent_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")


class Outbox:
    """The stored messages of one database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @staticmethod
    def add(session: Session, messages: Iterable[Message]) -> int:
        """Store the messages whose key is new, in ``session``'s transaction; returns how
        many were stored."""
        wanted: dict[str, Message] = {}
        for m in messages:
            wanted.setdefault(m.key, m)  # the first of a key wins, as against a stored one
        if not wanted:
            return 0
        known = set(session.scalars(select(OutboxRow.key).where(OutboxRow.key.in_(wanted))))
        added = 0
        for key, m in wanted.items():
            if key in known:
                continue
            session.add(
                OutboxRow(
                    key=key,
                    kind=m.kind,
                    relationship_id=m.relationship_id,
                    recipient_role=m.recipient_role,
                    recipient_id=m.recipient_id,
                    address=m.address,
                    subject=m.subject[:300],
                    body=m.body,
                    created_at=m.created_at.isoformat(),
                    status=(Status.PENDING if m.address else Status.NO_ADDRESS).value,
                    attempts=0,
                    error="",
                )
            )
            added += 1
        session.flush()
        return added

    def messages(
        self,
        status: str | None = None,
        relationship_ids: Sequence[str] | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> list[OutboxRow]:
        """Stored messages, oldest first, optionally only one status, some relationships'
        or those after message number ``after_seq``."""
        query = select(OutboxRow).where(OutboxRow.seq > after_seq).order_by(OutboxRow.seq)
        if status is not None:
            query = query.where(OutboxRow.status == status)
        if relationship_ids is not None:
            query = query.where(OutboxRow.relationship_id.in_(sorted(set(relationship_ids))))
        if limit is not None:
            query = query.limit(limit)
        with self.database.sessions() as session:
            rows = session.scalars(query).all()
            session.expunge_all()
        return list(rows)

    def claim(self, now: datetime, limit: int = 100) -> list[OutboxRow]:
        """Claim messages to send for this pass, oldest first: pending ones, failed ones
        with attempts left, and ones a pass claimed over ``CLAIM_TIMEOUT`` ago (it died). A
        message claimed by one process is not sent by another meanwhile."""
        stale = (now - CLAIM_TIMEOUT).isoformat()
        query = (
            select(OutboxRow)
            .where(
                or_(
                    OutboxRow.status == Status.PENDING.value,
                    (OutboxRow.status == Status.FAILED.value) & (OutboxRow.attempts < MAX_ATTEMPTS),
                    (OutboxRow.status == Status.SENDING.value) & (OutboxRow.claimed_at < stale),
                )
            )
            .order_by(OutboxRow.seq)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self.database.write() as session:
            rows = list(session.scalars(query).all())
            for row in rows:
                row.status, row.claimed_at = Status.SENDING.value, now.isoformat()
            session.flush()
            session.expunge_all()
        return rows

    def mark(self, seq: int, at: datetime, error: str | None) -> None:
        """Record one attempt at sending message ``seq``: sent, or failed with ``error``."""
        with self.database.write() as session:
            row = session.get(OutboxRow, seq, with_for_update=True)
            if row is None:  # erased meanwhile
                return
            row.attempts += 1
            if error is None:
                row.status, row.sent_at, row.error = Status.SENT.value, at.isoformat(), ""
            else:
                row.status, row.error = Status.FAILED.value, error[:2000]

    @staticmethod
    def erase(session: Session, person_id: str, relationship_ids: Sequence[str]) -> int:
        """Delete the messages to ``person_id`` and about ``relationship_ids`` (their
        relationships); returns how many went."""
        condition = OutboxRow.recipient_id == person_id
        if relationship_ids:
            condition = or_(condition, OutboxRow.relationship_id.in_(list(relationship_ids)))
        return rowcount(session.execute(delete(OutboxRow).where(condition)))
