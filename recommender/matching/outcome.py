"""What an assignment left out, in words a coordinator can act on.

Mentees left unmatched (and why), mentors who still have room, and locked or requested pairs
that could not be kept (and why). A cohort short of mentors is normal; these lists are how
the coordinator sees what is left to do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from recommender.engine import SuggestionFilters
from recommender.matching.solver import Assignment, MenteeDemand, MentorSlot, Pair, PairKey
from recommender.ranking.filters import excluded_reason

if TYPE_CHECKING:
    from recommender.matching.cohort_assignment import CohortScores


@dataclass(frozen=True)
class Unmatched:
    """A mentee (or some of their places) the assignment could not serve."""

    mentee_id: str
    mentee_name: str
    reason: str


@dataclass(frozen=True)
class Room:
    """A cohort mentor with places still free after the assignment."""

    mentor_id: str
    mentor_name: str
    specialty: str
    free: int


@dataclass(frozen=True)
class NotHonoured:
    """A locked or requested pair the assignment could not keep."""

    mentee_id: str
    mentor_id: str
    kind: Literal["locked", "requested"]
    reason: str


def honourable(
    scored: CohortScores,
    slots: Sequence[MentorSlot],
    demands: Sequence[MenteeDemand],
    locked: Iterable[PairKey],
    requested: Iterable[PairKey],
    forbidden: Iterable[PairKey],
) -> tuple[list[PairKey], list[NotHonoured]]:
    """The locked, then requested, pairs that can all be kept together, and the others with
    the reason (first come first kept: a coordinator's lock before a mentee's request)."""
    cap = {s.id: s.max_mentees for s in slots}
    want = {d.id: d.mentors_wanted for d in demands}
    banned = set(forbidden)
    keep: list[PairKey] = []
    refused: list[NotHonoured] = []
    sources: tuple[tuple[Literal["locked", "requested"], Iterable[PairKey]], ...] = (
        ("locked", locked),
        ("requested", requested),
    )
    for kind, pairs in sources:
        for mentee_id, mentor_id in dict.fromkeys(pairs):
            if (mentee_id, mentor_id) in keep:
                continue
            reason = _why_not(scored, cap, want, banned, mentee_id, mentor_id)
            if reason:
                refused.append(NotHonoured(mentee_id, mentor_id, kind, reason))
                continue
            keep.append((mentee_id, mentor_id))
            cap[mentor_id] -= 1
            want[mentee_id] -= 1
    return keep, refused


def _why_not(
    scored: CohortScores,
    cap: dict[str, int],
    want: dict[str, int],
    banned: set[PairKey],
    mentee_id: str,
    mentor_id: str,
) -> str | None:
    if mentee_id not in want:
        return f"{mentee_id} is not a stored mentee of the cohort"
    if mentor_id not in cap:
        return f"{mentor_id} is not a stored mentor of the cohort"
    if (mentee_id, mentor_id) in banned:
        return "the coordinator ruled this pair out"
    if (mentee_id, mentor_id) not in scored.allowed:
        why = excluded_reason(
            scored.mentees[mentee_id],
            scored.mentors[mentor_id],
            SuggestionFilters(include_full=True),
        )
        return f"the pair is not allowed ({why or 'filtered out'})"
    if want[mentee_id] <= 0:
        return f"{mentee_id} already has the mentors they want from other locks or requests"
    if cap[mentor_id] <= 0:
        return f"{mentor_id} has no free place left for it"
    return None


def unmatched(
    scored: CohortScores, slots: Sequence[MentorSlot], result: Assignment
) -> list[Unmatched]:
    """Each mentee with unserved places, and why."""
    free = sum(s.max_mentees for s in slots)
    wanted = len(scored.mentee_ids)
    out = []
    for mentee_id in scored.mentee_ids:
        short = result.unserved.get(mentee_id, 0)
        if not short:
            continue
        allowed = [r for e, r in scored.allowed if e == mentee_id]
        if not allowed:
            reason = _none_allowed(scored, mentee_id)
        else:
            who = (
                "the one mentor allowed for them is"
                if len(allowed) == 1
                else f"the {len(allowed)} mentors allowed for them are"
            )
            reason = f"{who} full in this assignment ({free} mentor places for {wanted} mentees)"
        served = sum(p.mentee_id == mentee_id for p in result.pairs)
        if served:
            reason = f"{served} of {served + short} mentors found; {reason}"
        out.append(Unmatched(mentee_id, scored.mentees[mentee_id].name, reason))
    return out


def _none_allowed(scored: CohortScores, mentee_id: str) -> str:
    if not scored.mentors:
        return "the cohort has no stored mentors"
    why = Counter(
        excluded_reason(scored.mentees[mentee_id], m, SuggestionFilters()) or "filtered out"
        for m in scored.mentors.values()
    )
    parts = ", ".join(f"{n} {reason}" for reason, n in why.most_common())
    return f"no cohort mentor is allowed for them ({parts})"


def rooms(scored: CohortScores, slots: Sequence[MentorSlot], pairs: Sequence[Pair]) -> list[Room]:
    """Mentors with places left after ``pairs``, most room first."""
    load = Counter(p.mentor_id for p in pairs)
    out = [
        Room(s.id, scored.mentors[s.id].name, scored.mentors[s.id].specialty, free)
        for s in slots
        if (free := s.max_mentees - load[s.id]) > 0
    ]
    return sorted(out, key=lambda r: (-r.free, r.mentor_id))
