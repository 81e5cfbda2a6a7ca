"""The mentor's side of a match: how likely a mentor is to accept a mentee's request.

A suggestion is only good if the mentor says yes. ``MentorSide`` estimates, for a mentor
and a mentee, the chance of acceptance from the outcome log's decisions and the mentor's
stated soft preferences, by a beta-binomial model with partial pooling:

- ``p``: the program's acceptance rate (declines for want of a place left out: places
  are the filters' and accessibility's business), and ``p_b`` the rate for the mentee's
  stage band (``STAGE_BAND``), shrunk towards ``p`` with ``strength`` pseudo-requests;
- ``t``: the mentor's own tendency, their rate on the *other* bands of the same group
  (students: premedical, preclinical, clinical; trainees: resident, fellow) shrunk towards
  ``p``, over ``p`` (a mentor who declines MS1s likely declines MS3s, which says nothing of
  residents);
- ``ρ``: how much less often mentors accept mentees outside a preference they stated
  (rate outside over rate inside, among mentors who state one; prior ``outside_prior`` worth
  ``strength`` requests);
- the prior mean ``μ = p_b · t · (ρ if the mentee is outside a soft preference)``, and the
  chance ``θ = (strength · μ + accepted) / (strength + asked)`` from this mentor's decisions
  on the band.

The mentee-side score (the ranker's) is multiplied by ``factor = min(1, θ / p_b)``: a mentor
at least as likely as the program's typical mentor to accept keeps their score, one less
likely is lowered in proportion. With no decisions and no stated preference every factor
is 1 and the ranking is the mentee-side one.

Decisions are read with the mentee's current stage and the mentor's current preferences.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import numpy as np

from recommender.domain.kinds import Kind
from recommender.domain.preferences import STAGE_BAND, MentorPreferences, misses
from recommender.domain.profiles import Mentee, Mentor
from recommender.domain.relationships import DeclineReason
from recommender.ranking.filters import mentee_texts
from recommender.storage.relationships import Decided, Relationships
from recommender.storage.store import Store

__all__ = ["Decision", "MentorSide", "Side", "decisions_of", "outside_of"]

GROUP = {
    "premedical": "students",
    "preclinical": "students",
    "clinical": "students",
    "resident": "trainees",
    "fellow": "trainees",
}
BAND_WORDS = {
    "premedical": "premedical students",
    "preclinical": "MS1–MS2 students",
    "clinical": "MS3–MS4 students",
    "resident": "residents",
    "fellow": "fellows",
}


@dataclass(frozen=True)
class Decision:
    """A mentor's answer to a request from a mentee at ``stage``."""

    mentor_id: str
    mentee_id: str
    stage: str
    accepted: bool
    at: datetime
    outside: bool = False
    """The mentee was outside a preference the mentor states (soft or hard)."""


@dataclass(frozen=True)
class Side:
    """One pair's mentor side, as the explanation tells it.

    Attributes:
        factor: what the mentee-side score is multiplied by (≤ 1).
        chance: the estimated chance that the mentor accepts.
        typical: the program's rate for mentees in this band.
        accepted, asked: this mentor's decisions on requests from the band.
        band: the mentee's stage band (``BAND_WORDS`` names it).
        outside: the mentor's soft preferences the mentee is outside.
        takes: the mentor's stated preferences in a phrase ("" when none).
    """

    factor: float
    chance: float
    typical: float
    accepted: int
    asked: int
    band: str
    outside: tuple[str, ...] = ()
    takes: str = ""


def outside_of(mentee: Mentee, mentor: Mentor) -> tuple[str, ...]:
    """The stated preferences of ``mentor`` that ``mentee`` is outside."""
    prefs: MentorPreferences = mentor.preferences
    if not (prefs.stages or prefs.specialties or prefs.topics or prefs.meeting_modes):
        return ()
    return misses(
        prefs,
        mentee.stage,
        mentee.target_specialties,
        mentee_texts(mentee),
        list(mentee.meeting_modes),
        list(mentor.meeting_modes),
    )


class MentorSide:
    """Acceptance chances from ``decisions`` (see the module's documentation).

    Args:
        decisions: mentors' answers (declines for want of a place already left out).
        strength: pseudo-requests each prior is worth.
        outside_prior: the prior ratio of acceptance outside a stated preference to inside.
    """

    def __init__(
        self, decisions: Sequence[Decision], strength: float = 4.0, outside_prior: float = 0.75
    ) -> None:
        self.strength = strength
        self._memo: dict[tuple[str, str], tuple[float, float]] = {}
        yes = sum(d.accepted for d in decisions)
        self.rate = (1.0 + yes) / (2.0 + len(decisions))
        asked: Counter[str] = Counter()
        took: Counter[str] = Counter()
        self._asked: Counter[tuple[str, str]] = Counter()
        self._took: Counter[tuple[str, str]] = Counter()
        self._mentor_asked: Counter[str] = Counter()
        self._group_asked: Counter[tuple[str, str]] = Counter()
        self._group_took: Counter[tuple[str, str]] = Counter()
        stated = {True: [0, 0], False: [0, 0]}  # outside → [accepted, asked]
        for d in decisions:
            band = STAGE_BAND.get(d.stage, "resident")
            asked[band] += 1
            took[band] += d.accepted
            self._asked[d.mentor_id, band] += 1
            self._took[d.mentor_id, band] += d.accepted
            self._mentor_asked[d.mentor_id] += 1
            self._group_asked[d.mentor_id, GROUP[band]] += 1
            self._group_took[d.mentor_id, GROUP[band]] += d.accepted
            stated[d.outside][0] += d.accepted
            stated[d.outside][1] += 1
        self.band_rate = {
            b: (strength * self.rate + took[b]) / (strength + asked[b]) for b in STAGE_BAND.values()
        }
        inside = (1.0 + stated[False][0]) / (2.0 + stated[False][1])
        out_rate = (stated[True][0] + strength * outside_prior * inside) / (
            stated[True][1] + strength
        )
        self.outside_ratio = float(np.clip(out_rate / inside, 0.05, 1.0))

    def side(self, mentee: Mentee, mentor: Mentor) -> Side:
        """The mentor side of (``mentee``, ``mentor``)."""
        band = STAGE_BAND.get(mentee.stage, "resident")
        outside = self._outside(mentee, mentor)
        chance = self._chances(mentor.id, band)[bool(outside)]
        typical = self.band_rate[band]
        return Side(
            factor=min(1.0, chance / typical),
            chance=chance,
            typical=typical,
            accepted=self._took.get((mentor.id, band), 0),
            asked=self._asked.get((mentor.id, band), 0),
            band=band,
            outside=outside,
            takes=mentor.preferences.takes(),
        )

    @staticmethod
    def _outside(mentee: Mentee, mentor: Mentor) -> tuple[str, ...]:
        hard = mentor.preferences.hard
        return tuple(d for d in outside_of(mentee, mentor) if d not in hard)

    def _chances(self, mentor_id: str, band: str) -> tuple[float, float]:
        """The mentor's chance of accepting a mentee in ``band``: inside their stated
        preferences, and outside one (worked out once per mentor and band)."""
        key = (mentor_id, band)
        found = self._memo.get(key)
        if found is None:
            asked = self._asked.get(key, 0)
            took = self._took.get(key, 0)
            others = self._group_asked.get((mentor_id, GROUP[band]), 0) - asked
            others_took = self._group_took.get((mentor_id, GROUP[band]), 0) - took
            s = self.strength
            tendency = (s * self.rate + others_took) / (s + others) / self.rate
            prior = self.band_rate[band] * tendency
            inside, outside = (
                (s * min(0.99, max(0.01, prior * ratio)) + took) / (s + asked)
                for ratio in (1.0, self.outside_ratio)
            )
            found = self._memo[key] = (inside, outside)
        return found

    def factors(
        self,
        mentee: Mentee,
        mentor_ids: Sequence[str],
        mentors: Mapping[str, Mentor],
        stage_outside: np.ndarray,
        other_stated: np.ndarray,
    ) -> np.ndarray:
        """``side(mentee, m).factor`` for each of ``mentor_ids`` (float64).

        Args:
            stage_outside: bool per id, the mentee's stage is outside the stages the mentor
                says they take (``MentorColumns.stages_stated``).
            other_stated: bool per id, the mentor states other preferences (checked one by
                one). Mentors with neither and no decisions keep a factor of 1.
        """
        out = np.ones(len(mentor_ids), dtype=np.float64)
        asked = self._mentor_asked
        if not asked and not stage_outside.any() and not other_stated.any():
            return out
        band = STAGE_BAND.get(mentee.stage, "resident")
        typical = self.band_rate[band]
        for j, m in enumerate(mentor_ids):
            if other_stated[j]:
                outside = bool(self._outside(mentee, mentors[m]))
            elif stage_outside[j]:
                outside = "stages" not in mentors[m].preferences.hard
            elif m in asked:
                outside = False
            else:
                continue
            out[j] = min(1.0, self._chances(m, band)[outside] / typical)
        return out


OUTSIDE_WORDS = {
    "stages": "your stage",
    "specialties": "your target specialty",
    "topics": "your interests",
    "meeting_modes": "your meeting modes",
}
MIN_SHOWN = 3
"""Past decisions on a band below this many are not quoted (too few to mean much)."""


def side_sentences(side: Side) -> tuple[list[str], list[str]]:
    """What the mentor side adds to an explanation: (reasons, gaps)."""
    reasons: list[str] = []
    gaps: list[str] = []
    takes = side.takes[:1].upper() + side.takes[1:]
    if takes and not side.outside:
        reasons.append(f"{takes}.")
    elif takes:
        outside = " and ".join(OUTSIDE_WORDS[d] for d in side.outside)
        gaps.append(f"{takes}: {outside} is outside that, so they may decline.")
    if side.asked >= MIN_SHOWN:
        record = f"Accepted {side.accepted} of {side.asked} requests from {BAND_WORDS[side.band]}"
        if side.factor >= 1.0:
            reasons.append(f"{record}.")
        elif side.factor < 0.8:
            gaps.append(f"{record}: less likely than most mentors to accept.")
    return reasons, gaps


def decisions_of(
    decided: Iterable[Decided],
    mentors: Mapping[str, Mentor],
    mentees: Mapping[str, Mentee],
    until: datetime | None = None,
) -> list[Decision]:
    """The store's decisions (``Relationships.decisions``) as ``Decision``s: those before
    ``until`` (all when None) of mentees still stored (in ``mentees``), declines for want
    of a place left out."""
    out = []
    for d in decided:
        if until is not None and d.at >= until:
            continue
        mentee = mentees.get(d.mentee_id)
        if d.category == DeclineReason.NO_CAPACITY.value or mentee is None:
            continue
        mentor = mentors.get(d.mentor_id)
        outside = bool(mentor and outside_of(mentee, mentor))
        out.append(Decision(d.mentor_id, d.mentee_id, mentee.stage, d.accepted, d.at, outside))
    return out


@dataclass(frozen=True)
class Known:
    """What the outcome log says of the mentors at one point: acceptance chances, and the
    open relationships each mentor holds per mentee stage (``max_per_stage``)."""

    side: MentorSide
    held: Counter[tuple[str, str]]

    def held_at(self, mentor_id: str, stage: str) -> int:
        """The mentor's open relationships with mentees at ``stage``."""
        return self.held.get((mentor_id, stage), 0)


class MentorSideKeeper:
    """``Known`` for the store's outcome log. The log is read again only when it grows
    (one cheap query per call otherwise); a model for another ``until`` is fitted from
    what was read (a replay asks for many).

    Args:
        strength, outside_prior: ``MentorSide``'s priors.
    """

    def __init__(
        self, store: Store, relationships: Relationships, strength: float, outside_prior: float
    ) -> None:
        self.store = store
        self.relationships = relationships
        self.strength = strength
        self.outside_prior = outside_prior
        self._read: tuple[int, list[Decided], dict[str, Mentee], Counter[tuple[str, str]]] = (
            0,
            [],
            {},
            Counter(),
        )
        self._kept: dict[tuple[int, datetime | None], Known] = {}
        self._seen = (-1, 0)  # (store change number, the log's newest event then)

    def known(
        self, mentors: Mapping[str, Mentor], seq: int, until: datetime | None = None
    ) -> Known:
        """The log's decisions before ``until`` (all when None), with the held places now;
        ``seq`` is the store's change number (the log is looked at once per number)."""
        if seq != self._seen[0]:
            self._seen = (seq, self.relationships.last_event())
        last = self._seen[1]
        found = self._kept.get((last, until))
        if found is not None:
            return found
        if last != self._read[0]:
            decided = self.relationships.decisions()
            pairs = self.relationships.holding_pairs()
            ids = [d.mentee_id for d in decided] + [mentee for _, mentee in pairs]
            mentees = cast(dict[str, Mentee], self.store.existing(Kind.MENTEES, ids))
            held: Counter[tuple[str, str]] = Counter(
                (mentor, mentees[mentee].stage) for mentor, mentee in pairs if mentee in mentees
            )
            self._read = (last, decided, mentees, held)
            self._kept.clear()
        _, decided, mentees, held = self._read
        decisions = decisions_of(decided, mentors, mentees, until)
        found = Known(MentorSide(decisions, self.strength, self.outside_prior), held)
        if len(self._kept) >= 64:
            self._kept.clear()
        self._kept[last, until] = found
        return found
