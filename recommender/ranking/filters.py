"""Hard filters: what a request may restrict, and why a mentor may not be suggested."""

from __future__ import annotations

from dataclasses import dataclass

from recommender.domain.profiles import Mentee, Mentor
from recommender.domain.specialties import canonical
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
