"""The change log of ranking-relevant mentor fields: who changed what, when.

A write of a mentor through the engine with an ``actor`` records, in the same transaction,
one event per mentor whose ranking-relevant fields changed (every field a signal reads; see
``profiles.UNRANKED_MENTOR_FIELDS``). Numbers, flags and closed choices are logged as
``[old, new]``; texts and text lists only as changed (with their sizes), so the log holds no
copy of anyone's profile text. Erasure deletes a person's events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from recommender.domain.profiles import UNRANKED_MENTOR_FIELDS, Mentor
from recommender.storage.base import Base
from recommender.storage.database import Database

_PLAIN = (int, float, bool)
"""Values logged as they are (texts and lists of texts are logged only as changed)."""
_CHOICES = frozenset({"career_stage", "specialty", "offers", "meeting_modes", "timezone"})
"""Closed or public vocabularies, logged as they are."""


class _ChangeRow(Base):
    __tablename__ = "profile_changes"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    changes: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class ChangeEvent:
    """One write's changes to one record's ranking-relevant fields."""

    at: str
    actor: str
    kind: str
    record_id: str
    changes: dict[str, Any]


def _loggable(name: str, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, _PLAIN) or name in _CHOICES:
        return value
    if isinstance(value, list) and name == "activity_dates":
        return {"dates": len(value), "latest": value[-1].isoformat() if value else None}
    if isinstance(value, list):
        return {"entries": len(value)}
    return {"characters": len(str(value))}


def mentor_changes(before: Mentor | None, after: Mentor) -> dict[str, Any]:
    """Ranking-relevant fields that differ, as ``{field: [old, new]}`` (texts summarised)."""
    out: dict[str, Any] = {}
    for name in type(after).model_fields:
        if name in UNRANKED_MENTOR_FIELDS:
            continue
        old = getattr(before, name) if before is not None else None
        new = getattr(after, name)
        if before is None or old != new:
            out[name] = [_loggable(name, old), _loggable(name, new)]
    return out


class ProfileChanges:
    """The change log, stored in the store's database."""

    def __init__(self, database: Database) -> None:
        """The log in ``database``."""
        self.database = database

    def record(
        self, session: Session, actor: str, pairs: list[tuple[Mentor | None, Mentor]]
    ) -> int:
        """Log each ``(before, after)`` pair that changed, in ``session``'s transaction."""
        at = datetime.now(UTC).isoformat(timespec="seconds")
        logged = 0
        for before, after in pairs:
            changes = mentor_changes(before, after)
            if changes:
                session.add(
                    _ChangeRow(
                        at=at,
                        actor=actor,
                        kind="mentors",
                        record_id=after.id,
                        changes=json.dumps(changes, sort_keys=True),
                    )
                )
                logged += 1
        return logged

    def history(self, record_id: str) -> list[ChangeEvent]:
        """A record's logged changes, oldest first."""
        with self.database.sessions() as session:
            rows = session.scalars(
                select(_ChangeRow).where(_ChangeRow.record_id == record_id).order_by(_ChangeRow.seq)
            ).all()
            return [
                ChangeEvent(r.at, r.actor, r.kind, r.record_id, json.loads(r.changes)) for r in rows
            ]

    def erase(self, record_id: str) -> int:
        """Delete a person's events (erasure); returns how many."""
        with self.database.write() as session:
            result = session.execute(delete(_ChangeRow).where(_ChangeRow.record_id == record_id))
            return int(getattr(result, "rowcount", 0) or 0)
