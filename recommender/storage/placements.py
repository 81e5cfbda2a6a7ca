"""Placements: who mentors whom because an assignment was approved.

A placement is one approved pair. It holds one of the mentor's places until it is released
(the assignment superseded, or a person erased). Places taken this way live here, apart from
the imported profile (``Mentor.current_mentees``): the store writes each mentor's count of
active placements into ``Mentor.placed_mentees`` whenever it writes the mentor, so a
re-import can neither free a place nor book it twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Integer, String, Text, delete, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from recommender.storage.base import Base
from recommender.storage.database import Database


class PlacementRow(Base):
    """One approved pair; active while ``released_at`` is empty."""

    __tablename__ = "placements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cohort_id: Mapped[str] = mapped_column(String(64), index=True)
    assignment_id: Mapped[str] = mapped_column(String(40), index=True)
    mentee_id: Mapped[str] = mapped_column(String(200), index=True)
    mentor_id: Mapped[str] = mapped_column(String(200), index=True)
    placed_at: Mapped[str] = mapped_column(String(40))
    released_at: Mapped[str | None] = mapped_column(String(40), nullable=True, default=None)
    release_reason: Mapped[str] = mapped_column(Text, default="")


def _active() -> ColumnElement[bool]:
    return PlacementRow.released_at.is_(None)


class Placements:
    """Reads and writes of placements in the store's database."""

    def __init__(self, database: Database) -> None:
        """The placements in ``database``."""
        self.database = database

    def active_pairs(self) -> set[tuple[str, str]]:
        """Every active (mentee_id, mentor_id): who mentors whom now."""
        with self.database.sessions() as session:
            rows = session.execute(
                select(PlacementRow.mentee_id, PlacementRow.mentor_id).where(_active())
            ).all()
        return {(a, b) for a, b in rows}

    def of_assignment(self, assignment_id: str) -> Sequence[PlacementRow]:
        """The placements an assignment made (active or released)."""
        with self.database.sessions() as session:
            return session.scalars(
                select(PlacementRow)
                .where(PlacementRow.assignment_id == assignment_id)
                .order_by(PlacementRow.id)
            ).all()

    # -- in a write transaction ----------------------------------------------------------------

    @staticmethod
    def counts(session: Session, mentor_ids: Iterable[str]) -> dict[str, int]:
        """Active placements per mentor, for ``mentor_ids`` (absent: none)."""
        wanted = sorted(set(mentor_ids))
        if not wanted:
            return {}
        rows = session.execute(
            select(PlacementRow.mentor_id, func.count())
            .where(_active(), PlacementRow.mentor_id.in_(wanted))
            .group_by(PlacementRow.mentor_id)
        ).all()
        return {mentor_id: int(n) for mentor_id, n in rows}

    @staticmethod
    def place(
        session: Session,
        cohort_id: str,
        assignment_id: str,
        pairs: Iterable[tuple[str, str]],
        at: str,
    ) -> list[int]:
        """Record the approved ``(mentee_id, mentor_id)`` pairs; returns their placement ids,
        in the order of ``pairs``."""
        rows = [
            PlacementRow(
                cohort_id=cohort_id,
                assignment_id=assignment_id,
                mentee_id=mentee_id,
                mentor_id=mentor_id,
                placed_at=at,
            )
            for mentee_id, mentor_id in pairs
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]

    @staticmethod
    def release_one(session: Session, placement_id: int, at: str, reason: str) -> str | None:
        """Release one active placement (its pair declined or ended); returns its mentor, or
        None when it was not active."""
        row = session.get(PlacementRow, placement_id, with_for_update=True)
        if row is None or row.released_at is not None:
            return None
        row.released_at, row.release_reason = at, reason
        session.flush()
        return row.mentor_id

    @staticmethod
    def active_of(session: Session, assignment_id: str) -> Sequence[PlacementRow]:
        """An assignment's active placements, read in ``session``."""
        return session.scalars(
            select(PlacementRow).where(PlacementRow.assignment_id == assignment_id, _active())
        ).all()

    @staticmethod
    def release(session: Session, assignment_id: str, at: str, reason: str) -> list[str]:
        """Release an assignment's active placements; returns their mentors (one per place)."""
        rows = session.scalars(
            select(PlacementRow).where(PlacementRow.assignment_id == assignment_id, _active())
        ).all()
        for row in rows:
            row.released_at, row.release_reason = at, reason
        session.flush()
        return [row.mentor_id for row in rows]

    @staticmethod
    def erase(session: Session, person_id: str) -> list[str]:
        """Delete every placement naming ``person_id``; returns the mentors of the active ones
        (their counts change)."""
        names = or_(PlacementRow.mentee_id == person_id, PlacementRow.mentor_id == person_id)
        freed = session.scalars(select(PlacementRow.mentor_id).where(names, _active())).all()
        session.execute(delete(PlacementRow).where(names))
        return [m for m in freed if m != person_id]
