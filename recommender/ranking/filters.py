"""Hard filters: what a request may restrict, and why a mentor may not be suggested.

``excluded_reason`` says it for one pair (explanations, checks); ``allowed`` gives the same
verdict for every mentor at once as a boolean mask over the mentor columns' rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from recommender.domain.profiles import Mentee, Mentor
from recommender.domain.specialties import canonical
from recommender.ranking.columns import MODE_BIT, OFFER_BIT, MentorColumns, bits
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


def excluded_reason(mentee: Mentee, mentor: Mentor, filters: SuggestionFilters) -> str | None:
    """Why a mentor may not be suggested to this mentee, or None if they may."""
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
) -> np.ndarray:
    """Which rows may be suggested to ``mentee``: a bool mask, ``columns.size`` long, true
    exactly where ``excluded_reason`` is None.

    Args:
        row_of: a mentor id's row (None when not held).
        released: places counted free again (row → n), from ``filters.released``.
    """
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
    if rows is None:
        mask = keep
    else:
        mask = np.zeros(size, dtype=bool)
        mask[rows[keep]] = True
    never = _rows([mentee.id, *mentee.conflicts, *filters.exclude], row_of)
    never.extend(columns.conflicted.get(mentee.id, ()))
    mask[never] = False
    return mask


def _rows(mentor_ids: Iterable[str], row_of: Callable[[str], int | None]) -> list[int]:
    return [row for m in mentor_ids if (row := row_of(m)) is not None]
