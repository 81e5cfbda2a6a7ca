"""``Suggestion``: one ranked, explained mentor for a mentee."""

from __future__ import annotations

import math
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
    """A mentee text and the mentor item that matched it: by meaning (the embedding cosine),
    by the words they share, or both."""

    mentee_text: str
    mentor_text: str
    mentor_field: str
    similarity: float
    shared_words: tuple[str, ...] = ()
    """The mentee's words the mentor item also uses (by stem), rarest first."""


@dataclass(frozen=True)
class MentorSideView:
    """The mentor's side of a suggestion: how likely they are to accept, and why.

    Attributes:
        factor: what the mentee-side score was multiplied by (≤ 1).
        chance: the estimated chance that the mentor accepts a request from this mentee.
        typical: the program's acceptance rate for mentees at this stage.
        accepted, asked: the mentor's past decisions on requests from mentees at this stage.
        stage_band: the mentee's stage band.
        takes: the mentor's stated preferences in a phrase ("" when none).
        outside: the soft preferences the mentee is outside.
    """

    factor: float
    chance: float
    typical: float
    accepted: int
    asked: int
    stage_band: str
    takes: str = ""
    outside: tuple[str, ...] = ()


FIT_METHOD = (
    "The score as a percentage: score × 100, rounded half up and clipped to 0–100. The score "
    "is the weighted mean of the signals, each in [0, 1], so 100 means every signal at its "
    "best and 50 is what a mentor gets when every signal is neutral (nothing known), times "
    "the mentor side's factor (1 unless the mentor is less likely than usual to accept this "
    "mentee). It orders mentors exactly as the score does; it is not a probability of a good "
    "match."
)
"""How ``Suggestion.fit`` is computed, in words (shown in the API's schema)."""


def fit_percent(score: float) -> int:
    """``score`` in [0, 1] as a whole percentage (see ``FIT_METHOD``).

    Monotone non-decreasing in ``score``; a score outside [0, 1] (a ranker whose signals
    are not all in range) is clipped, and a non-finite one counts as 0.
    """
    if not math.isfinite(score):
        return 0
    return math.floor(100.0 * min(1.0, max(0.0, score)) + 0.5)


@dataclass(frozen=True)
class Suggestion:
    """A mentor suggested to a mentee, with the reasons for and the gaps against.

    Attributes:
        fit: ``fit_percent(score)``, 0–100 (see ``FIT_METHOD``).
        reasons: plain sentences of what speaks for the mentor.
        gaps: plain sentences of what does not fit, most important first (at most four).
        explanation: one paragraph with the text matches, the reasons, then the gaps.
    """

    mentor_id: str
    rank: int
    score: float
    fit: int
    components: dict[str, Component]
    explanation: str
    matches: list[Match] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    mentor_name: str = ""
    specialty: str = ""
    mentor_side: MentorSideView | None = None
    identity: list[str] = field(default_factory=list)
    """Identity attributes the mentor shares with the mentee, both having consented to
    matching on them; filled only in the mentee's own list (never shown to others)."""
