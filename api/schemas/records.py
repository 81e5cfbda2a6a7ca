"""Bodies and pages of the record routes: mentors, mentees, feedback, cohorts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.base import view
from api.schemas.suggestions import WarningPublic
from recommender.domain.profiles import MENTOR_WRITERS, Cohort, Feedback, Id, Mentee, Mentor


class MentorIn(Mentor):
    """Body of ``PUT /v1/mentors/{id}``; ``id`` may be left out (the path gives it).

    Admins may write every field. A mentor's own key may write only the fields marked
    ``mentor`` in ``x-field-writers`` (``capacity`` and ``hours_per_month`` within the
    program's limits); the others must be left out or sent unchanged (422 names each one).
    """

    model_config = ConfigDict(json_schema_extra={"x-field-writers": dict(MENTOR_WRITERS)})

    id: Id | None = None  # type: ignore[assignment]


class MenteeIn(Mentee):
    """Body of ``PUT /v1/mentees/{id}``; ``id`` may be left out (the path gives it)."""

    id: Id | None = None  # type: ignore[assignment]


class FeedbackIn(Feedback):
    """Body of ``POST /v1/feedback``: ``date`` defaults to today; ``id`` is for admins only
    (a mentee's rating is always ``mentee_id:mentor_id:date``)."""

    date: dt.date = Field(default_factory=dt.date.today, description="Day of the rating.")


class CohortIn(Cohort):
    """Body of ``PUT /v1/cohorts/{id}``; ``id`` may be left out (the path gives it)."""

    id: Id | None = None  # type: ignore[assignment]


MentorPublic = view(
    "MentorPublic",
    Mentor,
    {"conflicts", "activity_dates"},
    "A mentor as mentees, other mentors and coordinators see them: no conflict list or "
    "activity log; ``email`` and ``phone`` are null unless the mentor shares them or "
    "mentors the caller (coordinators of the mentor's cohorts see them).",
)


MenteeForMentor = view(
    "MenteeForMentor",
    Mentee,
    {"conflicts"},
    "A mentee as their assigned mentor sees them (no conflict list).",
)


class MentorsPublic(BaseModel):
    """A page of mentors (full records for admins, the public view for others)."""

    data: list[MentorPublic | Mentor]  # type: ignore[valid-type]
    count: int


class MenteesPublic(BaseModel):
    """A page of mentees: all of them for admins, a coordinator's cohort members, a
    mentor's own mentees."""

    data: list[MenteeForMentor | Mentee]  # type: ignore[valid-type]
    count: int


class CohortsPublic(BaseModel):
    """A page of cohorts."""

    data: list[Cohort]
    count: int


class FeedbackPage(BaseModel):
    """A page of raw feedback, comments included (admins only)."""

    data: list[Feedback]
    count: int


class ChangePublic(BaseModel):
    """One write's changes to a mentor's ranking-relevant fields."""

    at: str
    actor: str
    kind: str
    record_id: str
    changes: dict[str, Any] = Field(
        description="field → [old, new]; texts and lists as their size only."
    )


class ChangesPublic(BaseModel):
    """A mentor's change log, oldest first."""

    data: list[ChangePublic]
    count: int


class WriteResult(BaseModel):
    """What a write did."""

    id: str
    created: bool
    warnings: list[WarningPublic] = Field(
        default_factory=list,
        exclude_if=lambda found: not found,
        description="Values of the written record that were stored as written but are "
        "probably mistaken (e.g. an unknown specialty); left out when there are none.",
    )
