"""Two years of relationships in the sample: requests, decisions, check-ins and endings,
drawn from a planted model of what makes pairs accept and last.

The model (``PLANTED``) is the truth a learned ranker should find again from the outcome
log. For a request from mentee ``e`` to mentor ``m`` on a day:

- ``fit``: 1 when ``m`` is one of ``e``'s planted mentors (``truth.jsonl``), 0.5 when ``m``
  practises a specialty ``e`` targets or explores, else 0;
- ``stage``: 1 when ``e``'s stage is one ``m`` prefers (each mentor has a preference:
  students, trainees, or anyone; ``STATED`` of those preferring students or trainees say
  so in their profile as a soft ``preferences.stages``, the others keep it hidden), else 0;
- ``load``: ``m``'s open relationships that day over their capacity;
- ``quality``: ``m``'s latent quality (the one behind their ratings).

A mentor with no free place declines (``no capacity``); otherwise the mentor accepts with
probability ``σ(-1.0 + 2.2 fit + 1.2 stage − 2.5 load)``. An accepted pair lasts past 90 days
with probability ``σ(-0.3 + 1.6 fit + 0.9 stage + 1.5 quality − 1.0 load)``; one that does
not is withdrawn between days 35 and 89, one that does completes after 180 to 540 days (or
is still active on the export date). Check-ins fall due 30 days after acceptance, then every
60; each side answers with probability 0.9 (the mentor ``0.9 − 0.3 load``), satisfaction and
progress are ``3 + 1.3 fit + 0.7 stage + 1.5 quality`` plus noise (lower in pairs that do
not last), clipped to 1–5.

Every step goes through the product's own state machine, so the history is one the product
could have recorded. Relationships open on the export date hold places: the generator
lowers those mentors' imported ``current_mentees`` by them.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from recommender.domain.agreements import draft_agreement
from recommender.domain.checkins import Answer, Schedule
from recommender.domain.kinds import Role
from recommender.domain.profiles import Mentee
from recommender.domain.relationships import (
    Actor,
    DeclineReason,
    Relationship,
    State,
    request,
)
from recommender.samplegen.mentees import MenteeDraft, compatible
from recommender.samplegen.mentors import MentorDraft

PLANTED: dict[str, dict[str, float]] = {
    "accept": {"intercept": -1.0, "fit": 2.2, "stage": 1.2, "load": -2.5},
    "last_90_days": {"intercept": -0.3, "fit": 1.6, "stage": 0.9, "quality": 1.5, "load": -1.0},
    "satisfaction": {"base": 3.0, "fit": 1.3, "stage": 0.7, "quality": 1.5, "noise_sd": 0.7},
}
"""The planted model's coefficients (see the module's documentation)."""
HISTORY_DAYS = 730
REQUESTS_PER_MENTEE = 0.7
"""Mean requests a mentee made over the two years (Poisson)."""
PREFERENCES = {"students": 0.3, "trainees": 0.3, "anyone": 0.4}
STUDENT_STAGES = frozenset({"premedical", "MS1", "MS2", "MS3", "MS4"})
STATED = 0.7
"""Share of the mentors preferring students or trainees who state it in their profile."""
STAGES_OF = {
    "students": ["premedical", "MS1", "MS2", "MS3", "MS4"],
    "trainees": [*(f"PGY{n}" for n in range(1, 8)), "fellow"],
}
SCHEDULE = Schedule()


@dataclass
class History:
    """The generated relationships and what the data card reports of them."""

    relationships: list[Relationship] = field(default_factory=list)
    preferences: dict[str, str] = field(default_factory=dict)
    """Mentor id → the stages they prefer (hidden: not in their profile)."""
    features: dict[str, dict[str, float]] = field(default_factory=dict)
    """Relationship id → the planted features of its request (fit, stage, load, quality)."""
    quality: dict[str, float] = field(default_factory=dict)
    """Mentor id → their latent quality (hidden: it shows only through ratings)."""
    specialties: dict[str, str] = field(default_factory=dict)
    """Mentor id → their specialty."""
    pools: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Mentee id → the specialties they target or explore (what ``fit`` reads)."""
    stated: dict[str, list[str]] = field(default_factory=dict)
    """Mentor id → the stages their profile says they take (the mentors who state it)."""

    def open_places(self) -> Counter[str]:
        """Places relationships hold on the export date, per mentor."""
        return Counter(r.mentor_id for r in self.relationships if r.holds_place)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _linear(weights: dict[str, float], features: dict[str, float]) -> float:
    return weights["intercept"] + sum(
        w * features[k] for k, w in weights.items() if k != "intercept"
    )


def _at(day: date, rng: random.Random) -> datetime:
    """A time during office hours on ``day`` (UTC)."""
    return datetime.combine(day, time(8 + rng.randrange(10), rng.randrange(60)), tzinfo=UTC)


def _prefers(preference: str, stage: str) -> bool:
    student = stage in STUDENT_STAGES
    return preference == "anyone" or (preference == "students") == student


def _clip(value: float) -> int:
    return max(1, min(5, round(value)))


def relationship_history(
    rng: random.Random,
    drafts: list[MentorDraft],
    mentees: list[MenteeDraft],
    truth: dict[str, list[str]],
    as_of: date,
) -> History:
    """Two years of relationships up to ``as_of`` (exclusive), deterministic for ``rng``."""
    history = History()
    by_id = {d.id: d for d in drafts}
    for d in drafts:
        history.preferences[d.id] = rng.choices(
            list(PREFERENCES), weights=list(PREFERENCES.values())
        )[0]
        history.quality[d.id] = d.quality
        history.specialties[d.id] = d.specialty.name
    history.pools = {m.record.id: tuple(m.pool) for m in mentees}
    start = as_of - timedelta(days=HISTORY_DAYS)
    requests: list[tuple[date, str, MenteeDraft, str]] = []
    for m in mentees:
        n = _poisson(rng, REQUESTS_PER_MENTEE)
        for _ in range(n):
            mentor_id = _choose(rng, m, drafts, truth.get(m.record.id, []))
            if mentor_id is not None:
                day = start + timedelta(days=rng.randrange(HISTORY_DAYS - 20))
                requests.append((day, m.record.id, m, mentor_id))
    requests.sort(key=lambda r: (r[0], r[1], r[3]))
    open_until: dict[str, list[date]] = {}  # mentor → end days of their open relationships
    for number, (day, mentee_id, m, mentor_id) in enumerate(requests, 1):
        if any(
            r.mentee_id == mentee_id and r.mentor_id == mentor_id for r in history.relationships
        ):
            continue  # never twice the same pair
        mentor = by_id[mentor_id]
        capacity = max(1, int(mentor.data["capacity"]))
        busy = [d for d in open_until.get(mentor_id, []) if d > day]
        open_until[mentor_id] = busy
        features = {
            "fit": _fit(m, mentor, truth.get(mentee_id, [])),
            "stage": float(_prefers(history.preferences[mentor_id], m.record.stage)),
            "load": len(busy) / capacity,
            "quality": mentor.quality,
        }
        r, ends = _live(rng, f"r-sample-{number:05d}", m.record, mentor_id, day, features, as_of)
        history.relationships.append(r)
        history.features[r.id] = features
        if ends is not None:
            busy.append(ends)
    return history


def state_preferences(rng: random.Random, history: History) -> None:
    """Choose the mentors who state their stage preference (``History.stated``): each
    preferring students or trainees with probability ``STATED``, in mentor id order."""
    for mentor_id in sorted(history.preferences):
        preference = history.preferences[mentor_id]
        if preference in STAGES_OF and rng.random() < STATED:
            history.stated[mentor_id] = STAGES_OF[preference]


def planted_chances(
    history: History,
    truth: dict[str, list[str]],
    mentee: Mentee,
    mentor_id: str,
    load: float,
) -> tuple[float, float]:
    """The planted model's chances that ``mentor_id`` accepts a request from ``mentee`` and
    that the pair then lasts past 90 days (their product), at workload ``load`` (open
    relationships over capacity; at 1 or more the mentor has no place and declines)."""
    if load >= 1:
        return 0.0, 0.0
    planted = truth.get(mentee.id, [])
    if mentor_id in planted:
        fit = 1.0
    else:
        fit = 0.5 if history.specialties.get(mentor_id) in history.pools.get(mentee.id, ()) else 0.0
    features = {
        "fit": fit,
        "stage": float(_prefers(history.preferences[mentor_id], mentee.stage)),
        "load": load,
        "quality": history.quality[mentor_id],
    }
    accept = _sigmoid(_linear(PLANTED["accept"], features))
    return accept, accept * _sigmoid(_linear(PLANTED["last_90_days"], features))


def _poisson(rng: random.Random, mean: float) -> int:
    n, p, limit = 0, 1.0, math.exp(-mean)
    while True:
        p *= rng.random()
        if p < limit:
            return n
        n += 1


def _choose(
    rng: random.Random, m: MenteeDraft, drafts: list[MentorDraft], planted: list[str]
) -> str | None:
    """Whom a mentee asks: mostly one of their planted mentors, else one in their field,
    else anyone (never a declared conflict or a mentor their requirements exclude)."""
    allowed = [
        d
        for d in drafts
        if d.id not in m.record.conflicts
        and m.record.id not in d.conflicts
        and compatible(d, m.record)
    ]
    ids = {d.id for d in allowed}
    roll = rng.random()
    if roll < 0.55 and [p for p in planted[:6] if p in ids]:
        return rng.choice([p for p in planted[:6] if p in ids])
    field_ = [d.id for d in allowed if d.specialty.name in m.pool]
    if roll < 0.85 and field_:
        return rng.choice(field_)
    return rng.choice(sorted(ids)) if ids else None


def _fit(m: MenteeDraft, mentor: MentorDraft, planted: list[str]) -> float:
    if mentor.id in planted:
        return 1.0
    return 0.5 if mentor.specialty.name in m.pool else 0.0


def _live(
    rng: random.Random,
    relationship_id: str,
    mentee: Mentee,
    mentor_id: str,
    day: date,
    features: dict[str, float],
    as_of: date,
) -> tuple[Relationship, date | None]:
    """One relationship from its request to the export date; the day it stops holding a
    place (None: it never held one)."""
    as_mentee = Actor(Role.MENTEE, mentee.id, mentee.id)
    as_mentor = Actor(Role.MENTOR, mentor_id, mentor_id)
    r = request(relationship_id, mentee.id, mentor_id, as_mentee, _at(day, rng))
    answered = day + timedelta(days=1 + rng.randrange(10))
    if answered >= as_of:
        return r, None  # still waiting for the mentor
    if features["load"] >= 1.0:
        return r.decline(as_mentor, _at(answered, rng), DeclineReason.NO_CAPACITY), None
    if rng.random() >= _sigmoid(_linear(PLANTED["accept"], features)):
        reason = rng.choice([DeclineReason.TIMING, DeclineReason.OUTSIDE_EXPERTISE])
        return r.decline(as_mentor, _at(answered, rng), reason), None
    r = r.accept(as_mentor, _at(answered, rng), draft_agreement(mentee))
    confirmed = answered + timedelta(days=1 + rng.randrange(6))
    lasts = rng.random() < _sigmoid(_linear(PLANTED["last_90_days"], features))
    length = 180 + rng.randrange(361) if lasts else 35 + rng.randrange(55)
    ends = answered + timedelta(days=length)
    if confirmed < min(ends, as_of):
        first = _at(confirmed, rng)
        r = r.confirm(as_mentee, first)
        r = r.confirm(as_mentor, first + timedelta(hours=2))
    last_day = min(ends, as_of) - timedelta(days=1)
    for number, due in enumerate(SCHEDULE.due(answered, last_day), 1):
        r = _check_in(rng, r, number, due, features, lasts, (as_mentee, as_mentor), last_day)
    if ends >= as_of:
        return r, ends
    if lasts and r.state is State.ACTIVE:
        return r.end(as_mentee, _at(ends, rng), "goals reached", completed=True), ends
    side = as_mentee if rng.random() < 0.6 else as_mentor
    why = "not a good fit" if features["fit"] < 1.0 else "too little time to meet"
    return r.end(side, _at(ends, rng), why), ends


def _check_in(
    rng: random.Random,
    r: Relationship,
    number: int,
    due: date,
    features: dict[str, float],
    lasts: bool,
    actors: tuple[Actor, Actor],
    last_day: date,
) -> Relationship:
    """Both sides' answers to check-in ``number`` (each may miss it)."""
    weights = PLANTED["satisfaction"]
    mean = (
        weights["base"]
        + weights["fit"] * features["fit"]
        + weights["stage"] * features["stage"]
        + weights["quality"] * features["quality"]
        - (0.0 if lasts else 1.2)
    )
    for actor in actors:
        mentee_side = actor.role is Role.MENTEE
        answers = 0.9 if mentee_side else 0.9 - 0.3 * features["load"]
        if rng.random() >= answers:
            continue
        satisfaction = _clip(mean + rng.gauss(0, weights["noise_sd"]))
        progress = _clip(mean - 0.3 + rng.gauss(0, weights["noise_sd"]))
        wellbeing = _clip(3.6 + rng.gauss(0, 0.8)) if mentee_side else None
        support = mentee_side and satisfaction <= 2 and rng.random() < 0.3
        day = min(due + timedelta(days=rng.randrange(10)), last_day)
        at = _at(day, rng)
        if at < r.history[-1].at:
            at = r.history[-1].at + timedelta(minutes=5)
        answer = Answer(
            meetings=max(0, round(2 * satisfaction / 3 + rng.gauss(0, 0.7))),
            progress=progress,
            satisfaction=satisfaction,
            wellbeing=wellbeing,
            wants_support=support,
            side=actor.role,
            round=number,
            answered=at.date(),
        )
        r = r.check_in(actor, at, answer)
    return r


def relationship_rows(history: History) -> list[dict[str, Any]]:
    """The relationships as ``relationships.jsonl`` rows: ids, origin, and every step."""
    rows = []
    for r in history.relationships:
        rows.append(
            {
                "id": r.id,
                "mentee_id": r.mentee_id,
                "mentor_id": r.mentor_id,
                "origin": r.origin.value,
                "cohort_id": r.cohort_id,
                "history": [
                    {
                        "action": t.action.value,
                        "at": t.at.isoformat(),
                        "actor": t.actor,
                        "reason": t.reason,
                        "details": dict(t.details),
                    }
                    for t in r.history
                ],
            }
        )
    return rows


def figures(history: History) -> dict[str, float]:
    """What the data card reports: counts and rates."""
    rs = history.relationships
    states = Counter(r.state.value for r in rs)
    decided = [r for r in rs if len(r.history) > 1 and r.history[1].action.value != "end"]
    accepted = [r for r in rs if r.accepted_at is not None]
    checkins = sum(len(r.answers) for r in rs)
    endings = Counter(r.ending.value for r in rs if r.ending is not None)
    return {
        "relationships": len(rs),
        "mentees": len({r.mentee_id for r in rs}),
        "mentors": len({r.mentor_id for r in rs}),
        "accept_rate": len(accepted) / max(1, len(decided)),
        "check_in_answers": checkins,
        **{f"state_{k}": v for k, v in sorted(states.items())},
        **{f"ended_{k}": v for k, v in sorted(endings.items())},
    }


def planted_table() -> list[tuple[str, str]]:
    """The planted coefficients as (model, formula) rows for the data card."""
    out = []
    for name, weights in PLANTED.items():
        terms = [
            f"+ noise N(0, {w:g})"
            if k == "noise_sd"
            else f"{'+' if w >= 0 else '−'} {abs(w):g}"
            + ("" if k in ("intercept", "base") else f" {k}")
            for k, w in weights.items()
        ]
        out.append((name, " ".join(terms).removeprefix("+ ")))
    return out
