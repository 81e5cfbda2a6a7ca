"""``Suggestion``: one ranked, explained mentor for a mentee."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Component:
    """One signal's part in a score: its value, weight, and contribution (value × weight)."""

    value: float
    weight: float
    contribution: float
    neutral: bool = False
    """True when the signal's fields were absent and the neutral value was used."""
    withheld: bool = False
    """True when ratings exist but come from too few mentees to be shown or used."""


@dataclass(frozen=True)
class Match:
    """A mentee text and the mentor item that matched it best."""

    mentee_text: str
    mentor_text: str
    mentor_field: str
    similarity: float


@dataclass(frozen=True)
class Suggestion:
    """A mentor suggested to a mentee, with the reasons."""

    mentor_id: str
    rank: int
    score: float
    components: dict[str, Component]
    explanation: str
    matches: list[Match] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    mentor_name: str = ""
    specialty: str = ""
