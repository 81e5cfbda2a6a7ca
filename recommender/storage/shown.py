"""Suggestions shown: which mentors a mentee was shown, at which rank and score, and when.

With the relationship events (requests, decisions, check-ins, endings) this is the outcome
log a ranker learns from: what was shown, and what came of it. Every answer of a stored
mentee's suggestions is logged, answers served from memory too. Requests do not wait for
the database: ``ShownLog.add`` keeps the rows in memory, and ``flush`` (the server's
courier, once a second or so; a command at its end) writes them in one transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, Integer, String, delete, insert, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from recommender.storage.base import Base
from recommender.storage.database import Database
from recommender.storage.records import rowcount

MAX_PENDING = 100_000
"""Answers kept in memory at most; beyond, the oldest are dropped (and counted)."""


class ShownRow(Base):
    """One mentor shown to one mentee in one answer."""

    __tablename__ = "suggestions_shown"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40), index=True)
    mentee_id: Mapped[str] = mapped_column(String(200), index=True)
    mentor_id: Mapped[str] = mapped_column(String(200), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    answer: Mapped[str] = mapped_column(String(40))
    """Which answer it was part of (rows of one answer share it)."""


@dataclass(frozen=True)
class ShownAnswer:
    """One answer shown to a mentee: when, and its (mentor id, rank, score) in order."""

    at: datetime
    mentee_id: str
    answer: str
    shown: tuple[tuple[str, int, float], ...]


class ShownLog:
    """The suggestions-shown log of one database, with rows waiting to be written."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._pending: list[ShownAnswer] = []
        self._lock = threading.Lock()
        self.dropped = 0

    def add(self, answer: ShownAnswer) -> None:
        """Keep an answer to write at the next ``flush`` (cheap: no database work)."""
        with self._lock:
            self._pending.append(answer)
            over = len(self._pending) - MAX_PENDING
            if over > 0:
                del self._pending[:over]
                self.dropped += over

    def flush(self) -> int:
        """Write the waiting answers' rows in one statement; returns how many rows."""
        with self._lock:
            answers, self._pending = self._pending, []
        rows = [
            {
                "at": a.at.isoformat(),
                "mentee_id": a.mentee_id,
                "mentor_id": mentor_id,
                "rank": rank,
                "score": score,
                "answer": a.answer,
            }
            for a in answers
            for mentor_id, rank, score in a.shown
        ]
        if not rows:
            return 0
        with self.database.write() as session:
            session.execute(insert(ShownRow), rows)
        return len(rows)

    def rows(self, mentee_id: str | None = None) -> Sequence[ShownRow]:
        """The written rows, oldest first (optionally one mentee's)."""
        query = select(ShownRow).order_by(ShownRow.seq)
        if mentee_id is not None:
            query = query.where(ShownRow.mentee_id == mentee_id)
        with self.database.sessions() as session:
            found = session.scalars(query).all()
            session.expunge_all()
        return found

    def forget(self, person_id: str) -> None:
        """Drop a person's rows still waiting in memory (erasure)."""
        with self._lock:
            self._pending = [
                a
                for a in self._pending
                if a.mentee_id != person_id and all(m != person_id for m, _, _ in a.shown)
            ]

    @staticmethod
    def erase(session: Session, person_id: str) -> int:
        """Delete the written rows naming ``person_id``; returns how many."""
        names = or_(ShownRow.mentee_id == person_id, ShownRow.mentor_id == person_id)
        return rowcount(session.execute(delete(ShownRow).where(names)))
