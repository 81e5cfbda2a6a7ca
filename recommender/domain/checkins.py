"""Periodic check-ins of a relationship: when they fall due, what an answer holds, and when a
relationship is flagged as not working.

A program sets a schedule (by default the first check-in 30 days after the mentor accepts,
then every 60 days, as the commercial mentoring platforms do). Each round, both sides answer
a short survey; the mentee also rates their well-being and may ask for support. A round
not answered within the grace period is missed.

A relationship is flagged when a side has missed two check-ins, when a side rates
satisfaction or progress 2 or lower on two consecutive check-ins, or when the mentee asks
for support. Each flag says why, so a coordinator can act on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from recommender.domain.errors import InvalidProfile
from recommender.domain.kinds import Role

LOW = 2
"""Satisfaction or progress at or below this is low."""

SIDES = (Role.MENTEE, Role.MENTOR)


@dataclass(frozen=True)
class Schedule:
    """When check-ins fall due.

    Attributes:
        first_after_days: days from acceptance to the first check-in.
        every_days: days between later check-ins.
        grace_days: days after a due date before an unanswered round counts as missed.
    """

    first_after_days: int = 30
    every_days: int = 60
    grace_days: int = 14

    def __post_init__(self) -> None:
        for name in ("first_after_days", "every_days"):
            if not 1 <= getattr(self, name) <= 366:
                raise InvalidProfile(name, "must be between 1 and 366 days")
        if not 0 <= self.grace_days < self.every_days:
            raise InvalidProfile("grace_days", "must be at least 0 and less than every_days")

    def due(self, accepted: date, until: date) -> list[date]:
        """The due dates of rounds 1, 2, ... from ``accepted`` up to ``until`` (inclusive)."""
        out = []
        day = accepted + timedelta(days=self.first_after_days)
        while day <= until:
            out.append(day)
            day += timedelta(days=self.every_days)
        return out


@dataclass(frozen=True)
class Survey:
    """What a side answers at a check-in.

    Attributes:
        meetings: how often they met since the last check-in (0: not at all).
        progress: progress towards the goals, 1–5.
        satisfaction: satisfaction with the relationship, 1–5.
        wellbeing: the mentee's well-being, 1–5 (None for the mentor).
        wants_support: the mentee would like support from the program.
        comment: private to the program.
    """

    meetings: int
    progress: int
    satisfaction: int
    wellbeing: int | None = None
    wants_support: bool = False
    comment: str = ""


@dataclass(frozen=True)
class Answer(Survey):
    """One side's survey for one round.

    Attributes:
        side: mentee or mentor.
        round: the round answered (1: the first check-in).
        answered: the day it was given.
    """

    side: Role = field(kw_only=True)
    round: int = field(kw_only=True)
    answered: date = field(kw_only=True)

    def __post_init__(self) -> None:
        if self.side not in SIDES:
            raise InvalidProfile("side", "must be mentee or mentor")
        if self.round < 1:
            raise InvalidProfile("round", "must be 1 or more")
        if not 0 <= self.meetings <= 100:
            raise InvalidProfile("meetings", "must be between 0 and 100")
        for name in ("progress", "satisfaction"):
            if not 1 <= getattr(self, name) <= 5:
                raise InvalidProfile(name, "must be between 1 and 5")
        if self.side is Role.MENTEE:
            if self.wellbeing is None or not 1 <= self.wellbeing <= 5:
                raise InvalidProfile("wellbeing", "the mentee rates it between 1 and 5")
        elif self.wellbeing is not None or self.wants_support:
            field_name = "wellbeing" if self.wellbeing is not None else "wants_support"
            raise InvalidProfile(field_name, "only the mentee answers it")
        if len(self.comment) > 4000:
            raise InvalidProfile("comment", "at most 4,000 characters")

    @property
    def low(self) -> bool:
        """Whether satisfaction or progress is low."""
        return min(self.progress, self.satisfaction) <= LOW


@dataclass(frozen=True)
class Round:
    """One check-in round as it stands on a day.

    Attributes:
        number: 1 for the first.
        due: its due date.
        answered: the sides that answered it.
        missed: the sides past the grace period without an answer.
    """

    number: int
    due: date
    answered: frozenset[Role]
    missed: frozenset[Role]

    @property
    def open_sides(self) -> frozenset[Role]:
        """Sides that still owe an answer and are not yet late."""
        return frozenset(SIDES) - self.answered - self.missed


@dataclass(frozen=True)
class Flag:
    """Why a relationship needs the coordinator's attention."""

    reason: str
    kind: str
    """``missed``, ``low`` or ``support``."""


def rounds(
    schedule: Schedule, accepted: date, answers: Iterable[Answer], today: date
) -> list[Round]:
    """Every round due by ``today``, with who answered and who missed it."""
    given: dict[int, set[Role]] = {}
    for answer in answers:
        given.setdefault(answer.round, set()).add(answer.side)
    out = []
    for number, due in enumerate(schedule.due(accepted, today), start=1):
        answered = frozenset(given.get(number, ()))
        late = today > due + timedelta(days=schedule.grace_days)
        out.append(
            Round(number, due, answered, frozenset(SIDES) - answered if late else frozenset())
        )
    return out


def flags(schedule: Schedule, accepted: date, answers: Sequence[Answer], today: date) -> list[Flag]:
    """Why this relationship is flagged on ``today`` (empty: it is not)."""
    out = []
    done = rounds(schedule, accepted, answers, today)
    for side in SIDES:
        missed = [r.number for r in done if side in r.missed]
        if len(missed) >= 2:
            listed = ", ".join(str(n) for n in missed)
            out.append(
                Flag(f"the {side.value} missed {len(missed)} check-ins (rounds {listed})", "missed")
            )
    for side in SIDES:
        own = sorted((a for a in answers if a.side is side), key=lambda a: a.round)
        for earlier, later in pairwise(own):
            if earlier.low and later.low and later.round == earlier.round + 1:
                out.append(
                    Flag(
                        f"the {side.value} rated progress or satisfaction {LOW} or lower in "
                        f"check-ins {earlier.round} and {later.round}",
                        "low",
                    )
                )
                break
    asked = [a.round for a in answers if a.side is Role.MENTEE and a.wants_support]
    if asked:
        out.append(Flag(f"the mentee asked for support (check-in {max(asked)})", "support"))
    return out
