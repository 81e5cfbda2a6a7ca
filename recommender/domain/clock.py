"""The time the product acts at: the real clock, or a set one that only an admin moves.

Relationships run on dates (check-ins fall due 30 days after acceptance, flags follow missed
rounds), so a demonstration, a replay or an acceptance test needs to move time without
waiting. A server started with ``MENTOR_MATCH_CLOCK`` runs on that time until an admin moves
it forward (``PUT /v1/clock``); a server without it runs on the real clock, which nobody can
move.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from recommender.domain.errors import MentorMatchError


class ClockNotSettable(MentorMatchError):
    """The clock is the real one (or the move would go back in time)."""


class Clock:
    """The product's clock.

    Args:
        fixed: the set time (timezone-aware; naive times are read as UTC), or None for the
            real clock.
    """

    def __init__(self, fixed: datetime | None = None) -> None:
        self._fixed = None if fixed is None else _aware(fixed)
        self._lock = threading.Lock()

    @property
    def settable(self) -> bool:
        """Whether this is a set clock (which an admin may move forward)."""
        return self._fixed is not None

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        if self._fixed is None:
            return datetime.now(UTC)
        return self._current(self._fixed)

    def today(self) -> date:
        """The current date (UTC)."""
        return self.now().astimezone(UTC).date()

    def set(self, at: datetime) -> datetime:
        """Move a set clock to ``at``; refused for the real clock and for a move back."""
        at = _aware(at)
        if self._fixed is None:
            raise ClockNotSettable(
                "the server runs on the real clock; start it with MENTOR_MATCH_CLOCK to set one"
            )
        with self._lock:
            current = self._current(self._fixed)
            if at < current:
                raise ClockNotSettable(
                    f"the clock only moves forward (it is {current.isoformat()})"
                )
            self._keep(at)
        return at

    def _current(self, start: datetime) -> datetime:
        """The set time (a clock shared by processes reads it from where they keep it)."""
        return self._fixed or start

    def _keep(self, at: datetime) -> None:
        """Remember the set time ``at``."""
        self._fixed = at


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
