"""Identity claims (``recommender.domain.identity``), stored apart from the profiles.

One row per person and attribute. A statement replaces the person's claims in one
transaction; withdrawal and erasure delete them. Every write bumps the store's change
number, so no answer computed with a withdrawn claim is served again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Boolean, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from recommender.domain.identity import IdentityClaim
from recommender.domain.kinds import Kind
from recommender.storage.base import Base
from recommender.storage.database import Database
from recommender.storage.records import bump_seq, rowcount

PEOPLE = (Kind.MENTEES, Kind.MENTORS)


class IdentityRow(Base):
    """One attribute one person states."""

    __tablename__ = "identity_claims"
    __table_args__ = (UniqueConstraint("kind", "person_id", "attribute"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[str] = mapped_column(String(200), index=True)
    attribute: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(60))
    match: Mapped[bool] = mapped_column(Boolean)
    coordinators: Mapped[bool] = mapped_column(Boolean)
    stated_at: Mapped[str] = mapped_column(String(40))


class Identities:
    """The identity claims of one database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def of(self, kind: Kind, person_id: str) -> list[IdentityClaim]:
        """What ``person_id`` states, in attribute order of statement."""
        with self.database.sessions() as session:
            rows = session.scalars(
                select(IdentityRow)
                .where(IdentityRow.kind == kind.value, IdentityRow.person_id == person_id)
                .order_by(IdentityRow.id)
            ).all()
            return [_claim(r) for r in rows]

    def matching_mentors(self) -> dict[str, list[IdentityClaim]]:
        """Every mentor's claims disclosed for matching, by mentor id."""
        out: dict[str, list[IdentityClaim]] = {}
        with self.database.sessions() as session:
            for r in session.scalars(
                select(IdentityRow).where(
                    IdentityRow.kind == Kind.MENTORS.value, IdentityRow.match.is_(True)
                )
            ):
                out.setdefault(r.person_id, []).append(_claim(r))
        return out

    def state(
        self, kind: Kind, person_id: str, claims: Sequence[IdentityClaim], at: datetime
    ) -> None:
        """Replace ``person_id``'s claims with ``claims`` (empty: withdraw them all)."""
        with self.database.write() as session:
            self.erase(session, person_id, kind)
            for c in claims:
                session.add(
                    IdentityRow(
                        kind=kind.value,
                        person_id=person_id,
                        attribute=c.attribute,
                        value=c.value,
                        match=c.match,
                        coordinators=c.coordinators,
                        stated_at=at.isoformat(),
                    )
                )
            bump_seq(session, 1)

    @staticmethod
    def erase(session: Session, person_id: str, kind: Kind | None = None) -> int:
        """Delete ``person_id``'s claims (of ``kind``, or as mentee and mentor); returns how
        many went."""
        query = delete(IdentityRow).where(IdentityRow.person_id == person_id)
        if kind is not None:
            query = query.where(IdentityRow.kind == kind.value)
        return rowcount(session.execute(query))


def _claim(row: IdentityRow) -> IdentityClaim:
    return IdentityClaim(
        attribute=row.attribute,
        value=row.value,
        match=row.match,
        coordinators=row.coordinators,
    )
