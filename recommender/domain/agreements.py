"""The mentoring agreement both sides confirm when a relationship starts.

Programs that work set goals and expectations at the start: what the mentee wants from this
relationship, how often and how the pair meets, and what each expects of the other. The
product drafts it when the mentor accepts (the mentee's goals from their profile, their
preferred meeting mode), either side may edit it, and every version is kept in the
relationship's history, so a coordinator can see what changed, when and by whom.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from recommender.domain.errors import InvalidProfile
from recommender.domain.people import Mentee

MAX_GOALS = 10
MAX_GOAL_CHARS = 500
MAX_EXPECTS_CHARS = 2000


class Cadence(StrEnum):
    """How often the pair means to meet."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    AS_NEEDED = "as needed"


class Mode(StrEnum):
    """How the pair means to meet (``MeetingMode`` of the profiles, plus a mix)."""

    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"
    CHAT = "chat"
    MIXED = "mixed"


@dataclass(frozen=True)
class Agreement:
    """What both sides agree to.

    Attributes:
        goals: the mentee's goals for this relationship (1–10, each at most 500 characters).
        cadence: how often they meet.
        mode: how they meet.
        mentee_expects: what the mentee expects of the mentor.
        mentor_expects: what the mentor expects of the mentee.
    """

    goals: tuple[str, ...]
    cadence: Cadence = Cadence.MONTHLY
    mode: Mode = Mode.VIDEO
    mentee_expects: str = ""
    mentor_expects: str = ""

    def __post_init__(self) -> None:
        goals = tuple(g.strip() for g in self.goals if g.strip())
        if not 1 <= len(goals) <= MAX_GOALS:
            raise InvalidProfile("goals", f"give between 1 and {MAX_GOALS} goals")
        if any(len(g) > MAX_GOAL_CHARS for g in goals):
            raise InvalidProfile("goals", f"each goal has at most {MAX_GOAL_CHARS} characters")
        object.__setattr__(self, "goals", goals)
        for name, kind in (("cadence", Cadence), ("mode", Mode)):
            try:
                object.__setattr__(self, name, kind(getattr(self, name)))
            except ValueError:
                choices = ", ".join(repr(c.value) for c in kind)
                raise InvalidProfile(name, f"must be one of {choices}") from None
        for name in ("mentee_expects", "mentor_expects"):
            text = str(getattr(self, name)).strip()
            if len(text) > MAX_EXPECTS_CHARS:
                raise InvalidProfile(name, f"at most {MAX_EXPECTS_CHARS} characters")
            object.__setattr__(self, name, text)

    def as_dict(self) -> dict[str, Any]:
        """Plain values (lists and strings), as stored in the history."""
        data = asdict(self)
        return data | {
            "goals": list(self.goals),
            "cadence": self.cadence.value,
            "mode": self.mode.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Agreement:
        """The agreement ``as_dict`` gave."""
        return cls(
            **{f.name: data[f.name] for f in fields(cls) if f.name in data}
            | {"goals": tuple(data["goals"])}
        )

    def changed_fields(self, before: Agreement | None) -> list[str]:
        """The fields whose value differs from ``before`` (all of them when None)."""
        return [
            f.name
            for f in fields(self)
            if before is None or getattr(self, f.name) != getattr(before, f.name)
        ]


def draft_agreement(mentee: Mentee) -> Agreement:
    """The agreement a relationship starts from: the mentee's goals (or, without any, their
    interests and target specialties as goals), meeting monthly in the mode they prefer."""
    goals = list(mentee.goals) or [f"Explore {text}" for text in mentee.interests]
    goals = goals or [f"Prepare for {s}" for s in mentee.target_specialties]
    trimmed = tuple(g[:MAX_GOAL_CHARS] for g in goals[:MAX_GOALS])
    modes = [Mode(m) for m in mentee.meeting_modes]
    mode = modes[0] if len(modes) == 1 else (Mode.MIXED if modes else Mode.VIDEO)
    return Agreement(goals=trimmed, mode=mode)
