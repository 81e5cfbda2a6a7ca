"""Relationships and their event log: the tables and their repository.

The lifecycle (who may do what) is ``recommender.domain.relationships``; this module only
stores it. ``relationships`` holds each one's current state; ``relationship_events`` holds
every transition, append-only and dated: the outcome log that a ranker can later learn from.
A relationship read back is rebuilt from both, so its history is exactly what was stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import ColumnElement, Integer, String, Text, delete, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from recommender.domain.errors import NotFound
from recommender.domain.kinds import Role
from recommender.domain.relationships import (
    HOLDS_PLACE,
    Action,
    DeclineReason,
    Ending,
    Origin,
    Relationship,
    State,
    Transition,
)
from recommender.storage.base import Base
from recommender.storage.database import Database
from recommender.storage.records import bump_seq


class RelationshipRow(Base):
    """One relationship's current state (its steps are ``RelationshipEventRow``s)."""

    __tablename__ = "relationships"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    mentee_id: Mapped[str] = mapped_column(String(200), index=True)
    mentor_id: Mapped[str] = mapped_column(String(200), index=True)
    origin: Mapped[str] = mapped_column(String(16))
    cohort_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    confirmed: Mapped[str] = mapped_column(String(40), default="")
    decline_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ending: Mapped[str | None] = mapped_column(String(40), nullable=True)
    steps: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[str] = mapped_column(String(40))
    placement_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    """The approved placement holding its place (then the placement is what counts)."""


class RelationshipEventRow(Base):
    """One transition of one relationship: the outcome log (append-only)."""

    __tablename__ = "relationship_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    relationship_id: Mapped[str] = mapped_column(String(40), index=True)
    mentee_id: Mapped[str] = mapped_column(String(200), index=True)
    mentor_id: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(24))
    before: Mapped[str | None] = mapped_column(String(16), nullable=True)
    after: Mapped[str] = mapped_column(String(16))
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="{}")


@dataclass(frozen=True)
class Related:
    """A mentee's mentors through relationships.

    Attributes:
        mentors: every mentor they have or had a relationship with.
        booked: those whose open relationship an approved assignment made (its placement
            holds the place), which a review of that assignment treats as not yet made.
    """

    mentors: frozenset[str] = frozenset()
    booked: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Decided:
    """A mentor's answer to a request: accepted, or declined with a category
    (``DeclineReason``'s value)."""

    mentee_id: str
    mentor_id: str
    accepted: bool
    at: datetime
    category: str = ""


class Relationships:
    """Reads and writes of relationships in the store's database."""

    def __init__(self, database: Database) -> None:
        """The relationships in ``database``."""
        self.database = database

    # -- reads ---------------------------------------------------------------------------------

    def get(self, relationship_id: str) -> Relationship:
        """One relationship with its whole history. Raises ``NotFound``."""
        with self.database.sessions() as session:
            return self.locked(session, relationship_id, for_update=False)

    def of_mentee(self, mentee_id: str) -> list[Relationship]:
        """The mentee's relationships, newest request first."""
        return self._where(RelationshipRow.mentee_id == mentee_id)

    def of_mentor(self, mentor_id: str) -> list[Relationship]:
        """The mentor's relationships, newest request first."""
        return self._where(RelationshipRow.mentor_id == mentor_id)

    def of_mentees(self, mentee_ids: Iterable[str]) -> list[Relationship]:
        """The relationships of any of ``mentee_ids`` (a cohort's), newest request first."""
        return self._where(RelationshipRow.mentee_id.in_(sorted(set(mentee_ids))))

    def open(self) -> list[Relationship]:
        """Every relationship still open (requested, accepted or active)."""
        states = [st.value for st in State if st.is_open]
        return self._where(RelationshipRow.state.in_(states))

    def every(self) -> list[Relationship]:
        """Every relationship, newest request first."""
        return self._where(RelationshipRow.id.is_not(None))

    def mentors_of(self, mentee_id: str) -> Related:
        """The mentors the mentee has or had a relationship with, in any state (requested,
        current, declined or ended): none of them is suggested to the mentee again."""
        with self.database.sessions() as session:
            rows = session.execute(
                select(
                    RelationshipRow.mentor_id, RelationshipRow.state, RelationshipRow.placement_id
                ).where(RelationshipRow.mentee_id == mentee_id)
            ).all()
        booked = [m for m, state, placed in rows if placed is not None and State(state).is_open]
        return Related(frozenset(m for m, _, _ in rows), frozenset(booked))

    def of_placements(self, placement_ids: Iterable[int]) -> list[Relationship]:
        """The relationships of approved pairs ``placement_ids``."""
        return self._where(RelationshipRow.placement_id.in_(sorted(set(placement_ids))))

    def of_cohorts(self, cohort_ids: Iterable[str]) -> list[Relationship]:
        """The relationships that cohort assignments requested, newest request first."""
        return self._where(RelationshipRow.cohort_id.in_(sorted(set(cohort_ids))))

    def events(self, after_seq: int = 0) -> Sequence[RelationshipEventRow]:
        """The outcome log after event number ``after_seq`` (``seq``), oldest first."""
        with self.database.sessions() as session:
            return session.scalars(
                select(RelationshipEventRow)
                .where(RelationshipEventRow.seq > after_seq)
                .order_by(RelationshipEventRow.seq)
            ).all()

    def decisions(self) -> list[Decided]:
        """Every mentor's answer to a request, oldest first (the outcome log's accept and
        decline steps)."""
        actions = [Action.ACCEPT.value, Action.DECLINE.value]
        with self.database.sessions() as session:
            rows = session.execute(
                select(
                    RelationshipEventRow.mentee_id,
                    RelationshipEventRow.mentor_id,
                    RelationshipEventRow.action,
                    RelationshipEventRow.at,
                    RelationshipEventRow.details,
                )
                .where(RelationshipEventRow.action.in_(actions))
                .order_by(RelationshipEventRow.seq)
            ).all()
        return [
            Decided(
                mentee,
                mentor,
                action == Action.ACCEPT.value,
                datetime.fromisoformat(at),
                json.loads(details).get("category", "") if action != Action.ACCEPT.value else "",
            )
            for mentee, mentor, action, at, details in rows
        ]

    def last_event(self) -> int:
        """The outcome log's newest event number (0: empty)."""
        with self.database.sessions() as session:
            return int(session.scalar(select(func.max(RelationshipEventRow.seq))) or 0)

    def holding_pairs(self) -> list[tuple[str, str]]:
        """(mentor id, mentee id) of every relationship holding one of the mentor's places,
        its own or its approved placement's."""
        with self.database.sessions() as session:
            rows = session.execute(
                select(RelationshipRow.mentor_id, RelationshipRow.mentee_id).where(_holds())
            ).all()
        return [(mentor, mentee) for mentor, mentee in rows]

    def _where(self, condition: ColumnElement[bool]) -> list[Relationship]:
        """The relationships matching ``condition``, with their events read in one query."""
        with self.database.sessions() as session:
            rows = session.scalars(select(RelationshipRow).where(condition)).all()
            events = _events_of(session, [row.id for row in rows])
        found = [_rebuilt(row, events.get(row.id, [])) for row in rows]
        return sorted(found, key=lambda r: (r.requested_at, r.id), reverse=True)

    # -- in a write transaction ----------------------------------------------------------------

    @staticmethod
    def locked(session: Session, relationship_id: str, for_update: bool = True) -> Relationship:
        """The relationship read in ``session`` (for update by default). Raises
        ``NotFound``."""
        row = session.get(RelationshipRow, relationship_id, with_for_update=for_update)
        if row is None:
            raise NotFound("relationship", relationship_id)
        return _read(session, row)

    @staticmethod
    def exists(session: Session, relationship_id: str) -> bool:
        """Whether a relationship with this id is stored."""
        return session.get(RelationshipRow, relationship_id) is not None

    @staticmethod
    def placed(session: Session, placement_ids: Sequence[int]) -> list[Relationship]:
        """The relationships of approved pairs ``placement_ids``, read in ``session``."""
        if not placement_ids:
            return []
        rows = session.scalars(
            select(RelationshipRow).where(RelationshipRow.placement_id.in_(list(placement_ids)))
        ).all()
        events = _events_of(session, [row.id for row in rows])
        return [_rebuilt(row, events.get(row.id, [])) for row in rows]

    @staticmethod
    def open_between(session: Session, mentee_id: str, mentor_id: str) -> Relationship | None:
        """The pair's open relationship (requested, accepted or active), if any."""
        open_states = [s.value for s in State if s.is_open]
        row = session.scalars(
            select(RelationshipRow).where(
                RelationshipRow.mentee_id == mentee_id,
                RelationshipRow.mentor_id == mentor_id,
                RelationshipRow.state.in_(open_states),
            )
        ).first()
        return None if row is None else _read(session, row)

    @staticmethod
    def save(session: Session, relationship: Relationship) -> None:
        """Write ``relationship``'s state and append the steps not stored yet."""
        row = session.get(RelationshipRow, relationship.id)
        stored = 0 if row is None else row.steps
        if stored > len(relationship.history):
            raise ValueError(f"relationship {relationship.id}: history shorter than stored")
        if row is None:
            row = RelationshipRow(id=relationship.id, mentee_id=relationship.mentee_id)
            session.add(row)
        row.mentor_id = relationship.mentor_id
        row.origin = relationship.origin.value
        row.cohort_id = relationship.cohort_id
        row.state = relationship.state.value
        row.confirmed = ",".join(sorted(side.value for side in relationship.confirmed))
        row.decline_reason = relationship.decline_reason and relationship.decline_reason.value
        row.ending = relationship.ending and relationship.ending.value
        row.steps = len(relationship.history)
        row.updated_at = relationship.history[-1].at.isoformat()
        row.placement_id = relationship.placement_id
        bump_seq(session, 1)  # a relationship changes what may be suggested to its mentee
        for step in relationship.history[stored:]:
            session.add(
                RelationshipEventRow(
                    relationship_id=relationship.id,
                    mentee_id=relationship.mentee_id,
                    mentor_id=relationship.mentor_id,
                    action=step.action.value,
                    before=None if step.before is None else step.before.value,
                    after=step.after.value,
                    at=step.at.isoformat(),
                    actor=step.actor,
                    reason=step.reason,
                    details=json.dumps(dict(step.details), sort_keys=True),
                )
            )
        session.flush()

    @staticmethod
    def counts(session: Session, mentor_ids: Iterable[str]) -> dict[str, int]:
        """Places that relationships hold per mentor, for ``mentor_ids`` (absent: none):
        accepted and active ones, and a coordinator's requests (``Relationship.holds_place``)."""
        wanted = sorted(set(mentor_ids))
        if not wanted:
            return {}
        rows = session.execute(
            select(RelationshipRow.mentor_id, func.count())
            .where(RelationshipRow.mentor_id.in_(wanted), _holding())
            .group_by(RelationshipRow.mentor_id)
        ).all()
        return {mentor_id: int(n) for mentor_id, n in rows}

    @staticmethod
    def erase(session: Session, person_id: str) -> tuple[list[str], list[str]]:
        """Delete every relationship and event naming ``person_id``; returns the ids of the
        relationships that went and the mentors whose held places are freed (one per place)."""
        names = or_(RelationshipRow.mentee_id == person_id, RelationshipRow.mentor_id == person_id)
        held = session.scalars(select(RelationshipRow.mentor_id).where(names, _holding())).all()
        deleted = list(session.scalars(select(RelationshipRow.id).where(names)))
        session.execute(delete(RelationshipRow).where(names))
        session.execute(
            delete(RelationshipEventRow).where(
                or_(
                    RelationshipEventRow.mentee_id == person_id,
                    RelationshipEventRow.mentor_id == person_id,
                )
            )
        )
        return deleted, [m for m in held if m != person_id]


def _holding() -> ColumnElement[bool]:
    """The SQL form of ``Relationship.holds_place``, for relationships whose place is their
    own (an approved pair's is its placement's, counted there)."""
    return RelationshipRow.placement_id.is_(None) & _holds()


def _holds() -> ColumnElement[bool]:
    """Relationships holding a place, their own or their approved placement's."""
    return or_(
        RelationshipRow.state.in_([s.value for s in HOLDS_PLACE]),
        (RelationshipRow.origin == Origin.ASSIGNMENT.value)
        & (RelationshipRow.state == State.REQUESTED.value),
    )


def _events_of(session: Session, ids: Sequence[str]) -> dict[str, list[RelationshipEventRow]]:
    """The events of relationships ``ids`` by relationship, oldest first."""
    out: dict[str, list[RelationshipEventRow]] = {}
    if not ids:
        return out
    for event in session.scalars(
        select(RelationshipEventRow)
        .where(RelationshipEventRow.relationship_id.in_(ids))
        .order_by(RelationshipEventRow.seq)
    ):
        out.setdefault(event.relationship_id, []).append(event)
    return out


def _read(session: Session, row: RelationshipRow) -> Relationship:
    """One relationship ``row`` with its events, read in ``session``."""
    return _rebuilt(row, _events_of(session, [row.id]).get(row.id, []))


def _rebuilt(row: RelationshipRow, events: Sequence[RelationshipEventRow]) -> Relationship:
    """The relationship ``row`` holds, its history rebuilt from its ``events``."""
    history = tuple(
        Transition(
            action=Action(e.action),
            before=None if e.before is None else State(e.before),
            after=State(e.after),
            at=datetime.fromisoformat(e.at),
            actor=e.actor,
            reason=e.reason,
            details=MappingProxyType(json.loads(e.details)),
        )
        for e in events
    )
    return Relationship(
        id=row.id,
        mentee_id=row.mentee_id,
        mentor_id=row.mentor_id,
        origin=Origin(row.origin),
        cohort_id=row.cohort_id,
        state=State(row.state),
        confirmed=frozenset(Role(side) for side in row.confirmed.split(",") if side),
        decline_reason=None if row.decline_reason is None else DeclineReason(row.decline_reason),
        ending=None if row.ending is None else Ending(row.ending),
        history=history,
    )
