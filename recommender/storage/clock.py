"""A set clock that every process over one store shares: its time is kept in the store.

Several API workers (or replicas) serve one program; an admin moving the set clock through
one of them moves it for all. The time is a row of the ``meta`` table; a server started
with an earlier ``MENTOR_MATCH_CLOCK`` than the kept one goes on from the kept one (the
clock never goes back).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from recommender.domain.clock import Clock
from recommender.storage.database import Database
from recommender.storage.records import MetaRow, bump_seq

KEY = "clock"
_READ = select(MetaRow.value).where(MetaRow.key == KEY)


class StoredClock(Clock):
    """``Clock`` whose set time lives in ``database`` (the real clock reads nothing)."""

    def __init__(self, database: Database, fixed: datetime | None = None) -> None:
        super().__init__(fixed)
        self.database = database

    def _current(self, start: datetime) -> datetime:
        kept = self.database.quick_scalar(_READ)
        return start if kept is None else max(start, datetime.fromisoformat(kept))

    def _keep(self, at: datetime) -> None:
        with self.database.write() as session:
            row = session.get(MetaRow, KEY, with_for_update=True)
            if row is None:
                session.add(MetaRow(key=KEY, value=at.isoformat()))
            else:
                row.value = max(datetime.fromisoformat(row.value), at).isoformat()
            bump_seq(session, 1)  # answers computed on the old date are not served again
