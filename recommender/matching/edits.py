"""A coordinator's edits to a draft's pairs: lock, override, swap, and the options for each.

An override may give any mentee (matched or not) any eligible cohort mentor with a free place
in the draft; a swap exchanges two mentees' mentors. Places are the cohort's view: each
mentor's free places, counting the cohort's own approved placements as free. The summaries
(totals, unmatched, mentors with room) are recomputed after every edit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort, Mentor
from recommender.domain.suggestion import Suggestion
from recommender.engine import SuggestionFilters
from recommender.matching.cohort_assignment import AssignedPair, CohortAssignment, cohort_filters
from recommender.matching.draft import Draft, ReviewConflict
from recommender.matching.outcome import Room, Unmatched
from recommender.ranking.filters import excluded_reason

if TYPE_CHECKING:
    from recommender.matching.review import Review


@dataclass(frozen=True)
class Option:
    """A mentor a mentee may be given in a draft (``current``: their mentor now)."""

    mentor_id: str
    mentor_name: str
    specialty: str
    score: float
    fit: int
    rank: int
    free: int
    current: bool


@dataclass(frozen=True)
class _View:
    """The cohort as a draft sees it: its mentors (held places counted free) and each
    mentee's ranked mentors among them."""

    cohort: Cohort
    mentors: dict[str, Mentor]
    filters: SuggestionFilters

    def free(self, mentor_id: str) -> int:
        return max(0, self.mentors[mentor_id].free_places)


def _view(review: Review, draft: Draft) -> _View:
    cohort = review.engine.store.get(Kind.COHORTS, draft.cohort_id)
    assert isinstance(cohort, Cohort)
    held = review.held(cohort.id)
    filters = cohort_filters(review.engine, cohort, held)
    mentors = {
        m.id: m.model_copy(update={"placed_mentees": max(0, m.placed_mentees - held.get(m.id, 0))})
        for m in review.engine.store.mentors()
        if m.id in (filters.only or ())
    }
    return _View(cohort, mentors, filters)


def _ranked(
    review: Review, view: _View, mentee_id: str, include_full: bool = False
) -> list[Suggestion]:
    """The mentee's shortlist over every cohort mentor (rank = shortlist position); with
    ``include_full``, full mentors too (ranks then renumbered to the shortlist's, 0 outside)."""
    k = max(1, len(view.mentors))
    ranked = review.engine.suggest_for(mentee_id, k, view.filters)
    if not include_full:
        return ranked
    rank = {s.mentor_id: s.rank for s in ranked}
    wider = replace(view.filters, include_full=True)
    return [
        replace(s, rank=rank.get(s.mentor_id, 0))
        for s in review.engine.suggest_for(mentee_id, k, wider)
    ]


def _member(view: _View, mentee_id: str, mentor_id: str | None = None) -> None:
    if mentee_id not in view.cohort.mentee_ids:
        raise ReviewConflict(f"{mentee_id} is not a mentee of cohort {view.cohort.id}")
    if mentor_id is not None and mentor_id not in view.mentors:
        raise ReviewConflict(f"{mentor_id} is not a stored mentor of cohort {view.cohort.id}")


def options(review: Review, draft: Draft, mentee_id: str) -> list[Option]:
    """Every eligible cohort mentor with a free place in the draft, best first, plus the
    mentee's current mentor(s)."""
    view = _view(review, draft)
    _member(view, mentee_id)
    load = Counter(p.mentor_id for p in draft.result.pairs)
    mine = {p.mentor_id for p in draft.result.pairs if p.mentee_id == mentee_id}
    out = []
    for s in _ranked(review, view, mentee_id):
        free = view.free(s.mentor_id) - load[s.mentor_id]
        if free > 0 or s.mentor_id in mine:
            out.append(
                Option(
                    s.mentor_id,
                    s.mentor_name,
                    s.specialty,
                    s.score,
                    s.fit,
                    s.rank,
                    free,
                    s.mentor_id in mine,
                )
            )
    return out


def lock(review: Review, draft: Draft, mentee_id: str, mentor_id: str, actor: str) -> Draft:
    """Keep a pair of the draft through re-runs."""
    review.editable(draft)
    if (mentee_id, mentor_id) not in {(p.mentee_id, p.mentor_id) for p in draft.result.pairs}:
        raise ReviewConflict(f"pair ({mentee_id}, {mentor_id}) is not in this assignment")
    new = replace(draft, locked=[*draft.locked, (mentee_id, mentor_id)])
    details = {"mentee_id": mentee_id, "mentor_id": mentor_id}
    return review.save_edit(draft, new, actor, "lock", "", details)


def override(
    review: Review, draft: Draft, mentee_id: str, mentor_id: str, reason: str, actor: str
) -> Draft:
    """Give a mentee another mentor (locked), replacing their current pair if any."""
    review.editable(draft)
    if not reason.strip():
        raise ReviewConflict("an override needs a reason")
    view = _view(review, draft)
    _member(view, mentee_id, mentor_id)
    chosen = _allowed(review, view, mentee_id, mentor_id)
    taken = sum(p.mentor_id == mentor_id for p in draft.result.pairs if p.mentee_id != mentee_id)
    if taken >= view.free(mentor_id):
        raise ReviewConflict(
            f"mentor {mentor_id} has {view.free(mentor_id)} free places, all used in this draft"
        )
    old = [p for p in draft.result.pairs if p.mentee_id == mentee_id]
    pairs = [p for p in draft.result.pairs if p.mentee_id != mentee_id]
    pairs.append(_pair(review, mentee_id, chosen))
    locked = [k for k in draft.locked if k[0] != mentee_id] + [(mentee_id, mentor_id)]
    new = replace(draft, result=with_pairs(draft.result, pairs, view), locked=locked)
    details = {
        "mentee_id": mentee_id,
        "mentor_id": mentor_id,
        "replaced": [p.mentor_id for p in old],
    }
    return review.save_edit(draft, new, actor, "override", reason, details)


def swap(
    review: Review, draft: Draft, mentee_a: str, mentee_b: str, reason: str, actor: str
) -> Draft:
    """Mentees ``a`` and ``b`` exchange their (single) mentors; both pairs are locked."""
    review.editable(draft)
    if not reason.strip():
        raise ReviewConflict("a swap needs a reason")
    if mentee_a == mentee_b:
        raise ReviewConflict("a swap needs two different mentees")
    view = _view(review, draft)
    current: dict[str, str] = {}
    for mentee_id in (mentee_a, mentee_b):
        _member(view, mentee_id)
        mine = [p.mentor_id for p in draft.result.pairs if p.mentee_id == mentee_id]
        if len(mine) != 1:
            raise ReviewConflict(
                f"{mentee_id} has {len(mine)} mentors in this draft; a swap needs one"
            )
        current[mentee_id] = mine[0]
    if current[mentee_a] == current[mentee_b]:
        raise ReviewConflict(f"{mentee_a} and {mentee_b} already share mentor {current[mentee_a]}")
    new_pairs = []
    for mentee_id, other in ((mentee_a, mentee_b), (mentee_b, mentee_a)):
        chosen = _allowed(review, view, mentee_id, current[other], include_full=True)
        new_pairs.append(_pair(review, mentee_id, chosen))
    pairs = [p for p in draft.result.pairs if p.mentee_id not in current] + new_pairs
    locked = [k for k in draft.locked if k[0] not in current]
    locked += [(p.mentee_id, p.mentor_id) for p in new_pairs]
    new = replace(draft, result=with_pairs(draft.result, pairs, view), locked=locked)
    details = {
        "mentee_a": mentee_a,
        "mentee_b": mentee_b,
        "mentors": [current[mentee_a], current[mentee_b]],
    }
    return review.save_edit(draft, new, actor, "swap", reason, details)


def _allowed(
    review: Review, view: _View, mentee_id: str, mentor_id: str, include_full: bool = False
) -> Suggestion:
    """The mentee's suggestion of this mentor (the pair's score, rank and explanation);
    ``ReviewConflict`` saying why when the pair is not allowed. ``include_full``: a full
    mentor is allowed (a swap moves no place)."""
    for s in _ranked(review, view, mentee_id, include_full):
        if s.mentor_id == mentor_id:
            return s
    mentor = view.mentors.get(mentor_id)
    filters = SuggestionFilters(include_full=include_full)
    mentee = review.engine.store.get_mentee(mentee_id)
    why = excluded_reason(mentee, mentor, filters) if mentor else "no longer stored"
    raise ReviewConflict(f"{mentor_id} may not mentor {mentee_id}: {why or 'not allowed'}")


def _pair(review: Review, mentee_id: str, s: Suggestion) -> AssignedPair:
    return AssignedPair.of(mentee_id, review.engine.store.get_mentee(mentee_id).name, s)


def with_pairs(
    result: CohortAssignment,
    pairs: list[AssignedPair],
    view: _View | None = None,
    erased: str | None = None,
) -> CohortAssignment:
    """``result`` with new pairs, its summaries recomputed. ``view`` (after an edit) gives the
    places for the mentors with room; ``erased`` (after an erasure) drops a person from the
    lists."""
    scores = [p.score for p in pairs]
    load = Counter(p.mentor_id for p in pairs)
    mentors = sum(result.load_histogram.values())
    histogram = Counter(load.values())
    if mentors > len(load):
        histogram[0] = mentors - len(load)
    served = {p.mentee_id for p in pairs}
    unmatched = [u for u in result.unmatched if u.mentee_id not in served and u.mentee_id != erased]
    rooms = [r for r in result.mentors_with_room if r.mentor_id != erased]
    if view is not None:
        rooms = [
            Room(m.id, m.name, m.specialty, free)
            for m in view.mentors.values()
            if (free := view.free(m.id) - load[m.id]) > 0
        ]
        rooms.sort(key=lambda r: (-r.free, r.mentor_id))
        unmatched += [
            Unmatched(p.mentee_id, p.mentee_name, "their mentor was given to another mentee")
            for p in result.pairs
            if p.mentee_id not in served and p.mentee_id not in {u.mentee_id for u in unmatched}
        ]
    return replace(
        result,
        pairs=pairs,
        total=sum(scores),
        min_score=min(scores) if scores else 0.0,
        mean_score=sum(scores) / len(scores) if scores else 0.0,
        top3_share=sum(0 < p.rank_for_mentee <= 3 for p in pairs) / max(1, len(pairs)),
        load_histogram=dict(sorted(histogram.items())),
        unmatched=unmatched,
        mentors_with_room=rooms,
        not_honoured=[x for x in result.not_honoured if erased not in (x.mentee_id, x.mentor_id)],
    )
