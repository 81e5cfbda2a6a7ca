"""Domain records: ``Mentor``, ``Mentee``, ``Feedback`` and ``Cohort``, in one import.

The records are flat on purpose: every field maps to one column of a program's CSV export
(list fields are ``;``-separated in CSV cells), so the same model validates JSONL, CSV and
API bodies. Units are given per field. Validation errors name the field (pydantic ``loc``).

They live by concern: field types, cleaning and the ``Record`` base in
``recommender.domain.fields``; the people and mentor-field ownership in
``recommender.domain.people``; feedback and cohorts in ``recommender.domain.program``.
This module re-exports them all and maps each ``Kind`` to its record type.
"""

from __future__ import annotations

from recommender.domain.fields import (
    CAREER_LEVEL,
    EARLY_STAGES,
    ID_RE,
    MAX_ITEMS,
    MAX_TEXT,
    MAX_WORK_ITEMS,
    STAGE_LEVEL,
    UNDECIDED,
    UNSPECIFIED,
    CareerStage,
    Email,
    Id,
    MeetingMode,
    MenteeStage,
    Offer,
    Phone,
    Record,
    ShortText,
    Text,
    clean_text,
    is_list_type,
    normalise_specialty,
)
from recommender.domain.kinds import Kind
from recommender.domain.people import (
    MENTOR_WRITERS,
    UNRANKED_MENTOR_FIELDS,
    Mentee,
    Mentor,
    Writer,
)
from recommender.domain.program import RATING_FIELDS, Cohort, Feedback, MentorRequest, Rating

RECORD_TYPES: dict[Kind, type[Record]] = {
    Kind.MENTORS: Mentor,
    Kind.MENTEES: Mentee,
    Kind.FEEDBACK: Feedback,
    Kind.COHORTS: Cohort,
}
"""The record type of each kind."""

__all__ = [
    "CAREER_LEVEL",
    "EARLY_STAGES",
    "ID_RE",
    "MAX_ITEMS",
    "MAX_TEXT",
    "MAX_WORK_ITEMS",
    "MENTOR_WRITERS",
    "RATING_FIELDS",
    "RECORD_TYPES",
    "STAGE_LEVEL",
    "UNDECIDED",
    "UNRANKED_MENTOR_FIELDS",
    "UNSPECIFIED",
    "CareerStage",
    "Cohort",
    "Email",
    "Feedback",
    "Id",
    "MeetingMode",
    "Mentee",
    "MenteeStage",
    "Mentor",
    "MentorRequest",
    "Offer",
    "Phone",
    "Rating",
    "Record",
    "ShortText",
    "Text",
    "Writer",
    "clean_text",
    "is_list_type",
    "normalise_specialty",
]
