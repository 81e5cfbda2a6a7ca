"""Hard filters: what a request may restrict, and why a mentor may not be suggested.

``excluded_reason`` says it for one pair (explanations, checks); ``allowed`` gives the same
verdict for every mentor at once as a boolean mask over the mentor columns' rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from recommender.domain.preferences import MentorPreferences, misses
from recommender.domain.profiles import Mentee, Mentor
from recommender.domain.specialties import canonical
from recommender.ranking.columns import MODE_BIT, OFFER_BIT, STAGE_BIT, MentorColumns, bits
from recommender.ranking.signals import mentor_specialties


@dataclass(frozen=True)
class SuggestionFilters:
    """Optional restrictions on a request (all empty: none).

    Attributes:
        specialties: keep mentors practising one of these.
        meeting_modes: keep mentors offering one of these.
        languages: keep mentors speaking one of these.
        offers: keep mentors offering one of these.
        exclude: mentor ids to leave out.
        include_full: also suggest mentors with no free place.
        only: if given, the only mentor ids allowed (a cohort's eligible mentors; an empty
            set allows none).
        diversify: spread the list across specialties; None decides by stage (early and
            undecided mentees get a diverse list).
        follow_specialty: list mentors in (or next to) the mentee's target specialty first;
            None decides by stage (decided residents and fellows).
        released: places counted as free again for this request, as (mentor id, places):
            a cohort's own approved placements while its assignment is reviewed or redone.
        personal: the mentee themself asks: their consented identity preferences count
            (``recommender.domain.identity``), and the explanations may say so.
    """

    specialties: tuple[str, ...] = ()
    meeting_modes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    include_full: bool = False
    only: frozenset[str] | None = None
    diversify: bool | None = None
    follow_specialty: bool | None = None
    released: tuple[tuple[str, int], ...] = ()
    personal: bool = False


Held = Callable[[str, str], int]
"""(mentor id, mentee stage) → the mentor's open relationships with mentees at that stage."""


def _none_held(mentor_id: str, stage: str) -> int:
    return 0


def mentee_texts(mentee: Mentee) -> list[str]:
    """What a mentor's topics are matched against: interests, goals and what is sought."""
    return [*mentee.interests, *mentee.goals, *mentee.seeking]


def preference_reason(
    mentee: Mentee,
    mentor_id: str,
    preferences: MentorPreferences,
    mentor_modes: Iterable[str],
    today: date,
    held: Held = _none_held,
) -> str | None:
    """Why the mentor's own preferences exclude ``mentee`` (hard ones, a most per stage,
    not taking new mentees yet), or None."""
    until = preferences.not_taking_until
    if until is not None and today < until:
        return f"not taking new mentees until {until.isoformat()}"
    if preferences.hard:
        found = misses(
            preferences,
            mentee.stage,
            mentee.target_specialties,
            mentee_texts(mentee),
            list(mentee.meeting_modes),
            list(mentor_modes),
        )
        hard = [d for d in found if d in preferences.hard]
        if hard:
            return f"outside the mentor's {hard[0].replace('_', ' ')} preference"
    most = preferences.max_per_stage.get(mentee.stage)
    if most is not None and held(mentor_id, mentee.stage) >= most:
        return f"mentor takes at most {most} {mentee.stage} mentee(s) at once"
    return None


def excluded_reason(
    mentee: Mentee,
    mentor: Mentor,
    filters: SuggestionFilters,
    today: date | None = None,
    held: Held = _none_held,
) -> str | None:
    """Why a mentor may not be suggested to this mentee, or None if they may.

    Args:
        today: the date ``not_taking_until`` is compared with (default: today).
        held: the mentor's open relationships per mentee stage (``max_per_stage``).
    """
    if mentor.id == mentee.id:
        return "self"
    if mentor.id in mentee.conflicts or mentee.id in mentor.conflicts:
        return "declared conflict"
    if mentor.free_places <= 0 and not filters.include_full:
        return "no free place"
    if mentee.require_meeting_mode and not set(mentee.meeting_modes) & set(mentor.meeting_modes):
        return "required meeting mode not offered"
    if mentee.require_language and not set(mentee.languages) & set(mentor.languages):
        return "required language not spoken"
    if mentor.preferences.stated:
        day = today or date.today()
        why = preference_reason(
            mentee, mentor.id, mentor.preferences, mentor.meeting_modes, day, held
        )
        if why is not None:
            return why
    if mentor.id in filters.exclude:
        return "excluded by request"
    if filters.only is not None and mentor.id not in filters.only:
        return "not eligible in this cohort"
    if filters.specialties and not {canonical(s) for s in filters.specialties} & (
        mentor_specialties(mentor)
    ):
        return "specialty filter"
    if filters.meeting_modes and not set(filters.meeting_modes) & set(mentor.meeting_modes):
        return "meeting mode filter"
    if filters.languages and not {s.lower() for s in filters.languages} & set(mentor.languages):
        return "language filter"
    if filters.offers and not set(filters.offers) & set(mentor.offers):
        return "offers filter"
    return None


def freed(rows: np.ndarray, released: Mapping[int, int] | None) -> np.ndarray:
    """Places counted free again per row of ``rows`` (int64), from ``released`` (row → n)."""
    out = np.zeros(len(rows), dtype=np.int64)
    if released:
        where = {int(r): i for i, r in enumerate(rows.tolist())}
        for row, n in released.items():
            if row in where:
                out[where[row]] = n
    return out


def allowed(
    mentee: Mentee,
    columns: MentorColumns,
    filters: SuggestionFilters,
    row_of: Callable[[str], int | None],
    released: Mapping[int, int] | None = None,
    today: date | None = None,
    held: Held = _none_held,
) -> np.ndarray:
    """Which rows may be suggested to ``mentee``: a bool mask, ``columns.size`` long, true
    exactly where ``excluded_reason`` is None (given the same ``today`` and ``held``).

    Args:
        row_of: a mentor id's row (None when not held).
        released: places counted free again (row → n), from ``filters.released``.
    """
    day = today or date.today()
    size = columns.size
    rows: np.ndarray | None = None
    if filters.only is not None:
        rows = np.unique(_rows(filters.only, row_of)).astype(np.int64)
        sel: np.ndarray | slice = rows
    else:  # every row: slices read the columns in place (a full index array copies them)
        sel = slice(0, size)

    def listed() -> np.ndarray:  # the rows as an index array, made only when one is needed
        return np.arange(size, dtype=np.int64) if rows is None else rows

    if rows is None and not filters.include_full and not released:
        keep = columns.open_rows().copy()  # kept between changes: the common request
    else:
        keep = columns.alive[sel].copy()
        if not filters.include_full:
            keep &= columns.free_places(sel, freed(listed(), released) if released else None) > 0
    if mentee.require_meeting_mode:
        keep &= (columns.modes[sel] & np.uint16(bits(mentee.meeting_modes, MODE_BIT))) != 0
    if mentee.require_language:
        keep &= columns.speaks(listed(), mentee.languages)
    if filters.specialties:
        keep &= columns.in_specialties(listed(), {canonical(s) for s in filters.specialties})
    if filters.meeting_modes:
        keep &= (columns.modes[sel] & np.uint16(bits(filters.meeting_modes, MODE_BIT))) != 0
    if filters.languages:
        keep &= columns.speaks(listed(), {s.lower() for s in filters.languages})
    if filters.offers:
        keep &= (columns.offers[sel] & np.uint16(bits(filters.offers, OFFER_BIT))) != 0
    if columns.hard_stage_rows:
        keep &= (columns.stages_taken[sel] & np.uint16(STAGE_BIT[mentee.stage])) != 0
    if columns.closed_rows:
        keep &= columns.closed_until[sel] <= day.toordinal()
    if rows is None:
        mask = keep
    else:
        mask = np.zeros(size, dtype=bool)
        mask[rows[keep]] = True
    never = _rows([mentee.id, *mentee.conflicts, *filters.exclude], row_of)
    never.extend(columns.conflicted.get(mentee.id, ()))
    for row, p in columns.preferring.items():
        if mask[row] and preference_reason(mentee, p.mentor_id, p.preferences, p.modes, day, held):
            never.append(row)
    mask[never] = False
    return mask


def _rows(mentor_ids: Iterable[str], row_of: Callable[[str], int | None]) -> list[int]:
    return [row for m in mentor_ids if (row := row_of(m)) is not None]
