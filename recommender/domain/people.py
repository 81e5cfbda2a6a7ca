"""The people: ``Mentor`` and ``Mentee``, and who may write each mentor field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

from recommender.domain.fields import (
    EARLY_STAGES,
    MAX_ITEMS,
    MAX_WORK_ITEMS,
    UNDECIDED,
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
    check_timezone,
    lower_case_list,
    normalise_specialty,
)
from recommender.domain.preferences import MentorPreferences

_VIDEO: tuple[MeetingMode, ...] = ("video",)


class Mentor(Record):
    """A physician, fellow or resident who offers mentoring."""

    id: Id
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    career_stage: CareerStage
    specialty: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="Primary specialty, e.g. 'cardiology'. Compared case-insensitively."
    )
    subspecialties: list[ShortText] = Field(default_factory=list, max_length=MAX_ITEMS)
    interests: list[ShortText] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Clinical and other interests."
    )
    research_areas: list[ShortText] = Field(default_factory=list, max_length=MAX_ITEMS)
    bio: Text = Field(default="", description="Free-text biography; embedded sentence by sentence.")
    publications: list[ShortText] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Titles of publications or talks.",
    )
    work_items: list[Text] = Field(
        default_factory=list,
        max_length=MAX_WORK_ITEMS,
        description="Other separate texts (abstracts, case notes, answered questions), "
        "each embedded on its own.",
    )
    offers: list[Offer] = Field(default_factory=list, max_length=len(get_args(Offer)))
    meeting_modes: list[MeetingMode] = Field(default_factory=lambda: list(_VIDEO), max_length=4)
    languages: list[ShortText] = Field(
        default_factory=lambda: ["english"], max_length=20, description="Lower-case names."
    )
    location: ShortText = Field(default="", description="City or campus.")
    timezone: str | None = Field(default=None, description="IANA timezone name.")
    email: Email | None = None
    phone: Phone | None = None
    share_contact: bool = Field(
        default=False,
        description="Show e-mail and phone to every mentee; otherwise only to assigned mentees.",
    )
    hours_per_month: float = Field(default=2.0, ge=0, le=200, description="Hours offered/month.")
    capacity: int = Field(default=2, ge=0, le=100, description="Most mentees at once.")
    current_mentees: int = Field(default=0, ge=0, le=100, description="Mentees now.")
    placed_mentees: int = Field(
        default=0,
        ge=0,
        le=100_000,
        description="Mentees placed with them by approved assignments, on top of "
        "current_mentees (the imported count): kept by the store from its placements, never "
        "imported (a re-import neither frees nor double-books a place).",
    )
    years_in_practice: int = Field(default=0, ge=0, le=70, description="Years since training.")
    publication_count: int = Field(default=0, ge=0, le=10000, description="Peer-reviewed papers.")
    teaching_roles: list[ShortText] = Field(default_factory=list, max_length=MAX_ITEMS)
    mentor_training: bool = Field(default=False, description="Completed formal mentor training.")
    response_time_hours: float | None = Field(
        default=None, ge=0, le=24 * 365, description="Median measured reply time, hours."
    )
    last_active: date | None = Field(default=None, description="Last mentoring activity.")
    past_mentees: int | None = Field(
        default=None, ge=0, le=100_000, description="Mentees mentored so far (all time)."
    )
    recent_mentees: int | None = Field(
        default=None, ge=0, le=100_000, description="Mentees mentored in the last 12 months."
    )
    activity_dates: list[date] = Field(
        default_factory=list,
        max_length=100_000,
        description="Dates of mentoring contacts (sessions, answers), if the program logs "
        "them; recency and recent activity are then computed as of each request's date.",
    )
    conflicts: list[Id] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Mentee ids this mentor must not be matched with.",
    )
    preferences: MentorPreferences = Field(
        default_factory=MentorPreferences,
        description="The mentees they take: stages, specialties, topics, meeting modes, at "
        "most how many per stage, not taking new mentees until a date; each hard (a filter) "
        "or soft (lowers the estimated chance that they accept).",
    )

    _tz = field_validator("timezone")(check_timezone)

    _languages = field_validator("languages", mode="before")(lower_case_list)

    @field_validator("activity_dates")
    @classmethod
    def _sorted_dates(cls, value: list[date]) -> list[date]:
        return sorted(value)

    @field_validator("current_mentees")
    @classmethod
    def _not_over_capacity(cls, value: int, info: ValidationInfo) -> int:
        capacity = info.data.get("capacity")
        if capacity is not None and value > capacity:
            raise ValueError(f"current_mentees ({value}) exceeds capacity ({capacity})")
        return value

    @property
    def free_places(self) -> int:
        """Places left for new mentees (negative when capacity was lowered below the load)."""
        return self.capacity - self.current_mentees - self.placed_mentees


class Mentee(Record):
    """A trainee looking for mentors."""

    id: Id
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    stage: MenteeStage
    target_specialties: list[ShortText] = Field(
        default_factory=list,
        max_length=10,
        description="Specialties the mentee aims for; empty or 'undecided' when exploring.",
    )
    interests: list[ShortText] = Field(default_factory=list, max_length=MAX_ITEMS)
    goals: list[Text] = Field(
        default_factory=list, max_length=20, description="What the mentee wants to achieve."
    )
    seeking: list[Offer] = Field(default_factory=list, max_length=len(get_args(Offer)))
    meeting_modes: list[MeetingMode] = Field(default_factory=list, max_length=4)
    require_meeting_mode: bool = Field(
        default=False, description="Exclude mentors offering none of meeting_modes."
    )
    languages: list[ShortText] = Field(default_factory=list, max_length=20)
    require_language: bool = Field(
        default=False, description="Exclude mentors speaking none of languages."
    )
    location: ShortText = ""
    timezone: str | None = None
    email: Email | None = None
    phone: Phone | None = None
    conflicts: list[Id] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Mentor ids this mentee must not be matched with (supervisor, relative...).",
    )

    _tz = field_validator("timezone")(check_timezone)

    _languages = field_validator("languages", mode="before")(lower_case_list)

    @field_validator("target_specialties")
    @classmethod
    def _drop_undecided(cls, value: list[str]) -> list[str]:
        return [v for v in value if normalise_specialty(v) != UNDECIDED]

    @model_validator(mode="after")
    def _has_text(self) -> Mentee:
        if not (self.interests or self.goals or self.target_specialties):
            raise ValueError("a mentee needs at least one of interests, goals, target_specialties")
        return self

    @property
    def undecided(self) -> bool:
        """True when the mentee names no target specialty."""
        return not self.target_specialties

    @property
    def early(self) -> bool:
        """True for premedical, MS1 and MS2 mentees."""
        return self.stage in EARLY_STAGES


Writer = Literal["mentor", "program", "system"]
"""Who may write a mentor field: ``mentor`` (the mentor themself, and admins), ``program``
(verified credentials: admins and the program's imports only), ``system`` (measured or kept
by the product: imports of the program's records and the product's own workflows, never the
mentor)."""


MENTOR_WRITERS: dict[str, Writer] = {
    "id": "system",
    "name": "mentor",
    "career_stage": "program",
    "specialty": "program",
    "subspecialties": "mentor",
    "interests": "mentor",
    "research_areas": "mentor",
    "bio": "mentor",
    "publications": "mentor",
    "work_items": "mentor",
    "offers": "mentor",
    "meeting_modes": "mentor",
    "languages": "mentor",
    "location": "mentor",
    "timezone": "mentor",
    "email": "mentor",
    "phone": "mentor",
    "share_contact": "mentor",
    "hours_per_month": "mentor",
    "capacity": "mentor",
    "current_mentees": "system",
    "placed_mentees": "system",
    "years_in_practice": "program",
    "publication_count": "program",
    "teaching_roles": "program",
    "mentor_training": "program",
    "response_time_hours": "system",
    "last_active": "system",
    "past_mentees": "system",
    "recent_mentees": "system",
    "activity_dates": "system",
    "conflicts": "mentor",
    "preferences": "mentor",
}
"""Field ownership of ``Mentor`` (the README's table is made from the same reading)."""


UNRANKED_MENTOR_FIELDS: frozenset[str] = frozenset(
    {"id", "name", "email", "phone", "share_contact", "conflicts"}
)
"""Mentor fields no signal reads; a change to any other field is audited."""


if set(MENTOR_WRITERS) != set(Mentor.model_fields):  # pragma: no cover - a new field
    raise RuntimeError("MENTOR_WRITERS must name every Mentor field exactly once")
