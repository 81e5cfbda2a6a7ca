"""Domain records: ``Mentor``, ``Mentee`` and ``Feedback``.

The records are flat on purpose: every field maps to one column of a program's CSV export
(list fields are ``;``-separated in CSV cells), so the same model validates JSONL, CSV and
API bodies. Units are given per field. Validation errors name the field (pydantic ``loc``).
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from recommender.domain.kinds import Kind

MAX_TEXT = 4000
"""Longest single text field (characters); longer bios must be split by the exporter."""
MAX_ITEMS = 100
"""Longest list field (entries)."""
MAX_WORK_ITEMS = 2000
"""Most work items per mentor."""

CareerStage = Literal["resident", "fellow", "early_career", "mid_career", "senior", "emeritus"]
"""Mentor career stage. ``early_career`` < 8 years as attending, ``mid_career`` 8–20,
``senior`` > 20; residents and fellows mentor as near-peers."""

MenteeStage = Literal[
    "premedical",
    "MS1",
    "MS2",
    "MS3",
    "MS4",
    "PGY1",
    "PGY2",
    "PGY3",
    "PGY4",
    "PGY5",
    "PGY6",
    "PGY7",
    "fellow",
]
"""Mentee training stage: premedical student, medical student year 1–4, resident
post-graduate year 1–7, or fellow."""

Offer = Literal[
    "career_advice",
    "research_collaboration",
    "shadowing",
    "wellness",
    "residency_applications",
    "clinical_skills",
    "leadership",
    "work_life_balance",
]
"""What a mentor offers / what a mentee seeks."""

MeetingMode = Literal["in_person", "video", "phone", "chat"]

EARLY_STAGES: frozenset[str] = frozenset({"premedical", "MS1", "MS2"})
"""Stages at which an undecided mentee is served a specialty-diverse list."""

STAGE_LEVEL: dict[str, int] = {
    "premedical": 0,
    "MS1": 1,
    "MS2": 2,
    "MS3": 3,
    "MS4": 4,
    **{f"PGY{i}": 4 + i for i in range(1, 8)},
    "fellow": 12,
}
"""Ordinal training level of a mentee (years after entering medical school, roughly)."""

CAREER_LEVEL: dict[str, int] = {
    "resident": 7,
    "fellow": 12,
    "early_career": 15,
    "mid_career": 20,
    "senior": 26,
    "emeritus": 30,
}
"""The same scale for mentors, so a mentor's lead over a mentee can be computed."""

UNDECIDED = "undecided"
UNSPECIFIED = "unspecified"
"""Specialty of a mentor whose source gives none (e.g. a text-only evaluation corpus)."""
_VIDEO: tuple[MeetingMode, ...] = ("video",)

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")

Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=ID_RE.pattern),
    Field(
        description="1–64 characters: letters, digits and _ . : @ -, not starting with a symbol."
    ),
]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    Field(description="Contact e-mail address."),
]
Phone = Annotated[
    str,
    StringConstraints(max_length=40, pattern=r"^\+?[0-9 ()./-]{4,39}$"),
    Field(description="Contact telephone number."),
]
ShortText = Annotated[str, StringConstraints(max_length=300)]


_JOINERS = frozenset("\u200c\u200d")


def _is_control(ch: str) -> bool:
    """Control, format and line/paragraph separators, except the zero-width (non-)joiners
    that emoji sequences and scripts such as Persian need."""
    return ch not in _JOINERS and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


def clean_text(value: str) -> str:
    """Return ``value`` NFC-normalised, without control characters, whitespace collapsed."""
    value = unicodedata.normalize("NFC", value)
    value = "".join(" " if _is_control(ch) else ch for ch in value)
    return re.sub(r"\s+", " ", value).strip()


def normalise_specialty(value: str) -> str:
    """Canonical form of a specialty name: lower case, single spaces, '&' spelled out."""
    value = clean_text(value).lower().replace("&", "and")
    return re.sub(r"\s+", " ", value)


def _split_list(value: Any) -> Any:
    """Accept a ``;``-separated string (CSV cells) wherever a list is expected."""
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(";")) if part]
    return value


def _lower_case_list(value: Any) -> Any:
    """Lower-case (and clean) list entries *before* the length checks: lower-casing can
    lengthen a text ("İ" becomes two code points), so checking first and lower-casing after
    could store a value that fails its own checks when read back."""
    value = _split_list(value)
    if not isinstance(value, list):
        return value
    return [clean_text(v).lower() if isinstance(v, str) else v for v in value]


class Record(BaseModel):
    """Shared configuration: unknown fields are errors, strings are cleaned."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @property
    def key(self) -> str:
        """The record's id."""
        return str(getattr(self, "id", ""))

    @model_validator(mode="before")
    @classmethod
    def _lists_from_cells(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, field in cls.model_fields.items():
            if name in out and "list" in str(field.annotation):
                out[name] = _split_list(out[name])
            if name in out and out[name] == "" and field.default is None:
                out[name] = None
        return out

    @field_validator("*", mode="before")
    @classmethod
    def _clean_strings(cls, value: Any) -> Any:
        """Clean before the length and pattern checks, so they apply to what is stored
        (a name of only control characters is empty, hence refused)."""
        if isinstance(value, str):
            return clean_text(value)
        if isinstance(value, list):
            cleaned = [clean_text(v) if isinstance(v, str) else v for v in value]
            return [v for v in cleaned if v != ""]
        return value


@cache
def _timezones() -> frozenset[str]:
    """IANA timezone names (read from disk once)."""
    return frozenset(zoneinfo.available_timezones())


def _check_timezone(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value not in _timezones():
        raise ValueError(f"unknown IANA timezone {value!r} (for example 'America/Chicago')")
    return value


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

    _tz = field_validator("timezone")(_check_timezone)

    _languages = field_validator("languages", mode="before")(_lower_case_list)

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
        """Places left for new mentees."""
        return self.capacity - self.current_mentees


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

    _tz = field_validator("timezone")(_check_timezone)

    _languages = field_validator("languages", mode="before")(_lower_case_list)

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


Rating = Annotated[int, Field(ge=1, le=5)]

RATING_FIELDS: tuple[str, ...] = (
    "approachable",
    "trustworthy",
    "enthusiastic",
    "adapts_teaching",
    "accessible",
    "overall",
)


class Feedback(Record):
    """One past mentee's rating of a mentor (1–5 on each aspect)."""

    id: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$"
            ),
        ]
        | None
    ) = Field(default=None, description="Up to 200 characters; default 'mentee_id:mentor_id:date'.")
    mentee_id: Id
    mentor_id: Id
    date: date
    approachable: Rating | None = None
    trustworthy: Rating | None = None
    enthusiastic: Rating | None = None
    adapts_teaching: Rating | None = None
    accessible: Rating | None = None
    overall: Rating
    would_recommend: bool | None = None
    comment: Text = Field(default="", description="Private: shown to admins only.")

    @model_validator(mode="after")
    def _default_id(self) -> Feedback:
        if self.id is None:
            object.__setattr__(self, "id", f"{self.mentee_id}:{self.mentor_id}:{self.date}")
        return self

    @property
    def key(self) -> str:
        """The record's id (always set after validation)."""
        assert self.id is not None
        return self.id

    def mean_rating(self) -> float:
        """Mean of the aspects given (overall counts twice, as the summary judgement)."""
        values: list[int] = [
            getattr(self, f) for f in RATING_FIELDS if getattr(self, f) is not None
        ]
        values.append(self.overall)
        return sum(values) / len(values)


class MentorRequest(Record):
    """A mentee's own choice of mentor (from their suggestions), for the coordinator to see."""

    mentee_id: Id
    mentor_id: Id
    note: Annotated[str, StringConstraints(max_length=1000)] = ""


class Cohort(Record):
    """A program's cohort: the mentees it serves and the mentors eligible for them."""

    id: Id
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    program: Id | None = Field(
        default=None, description="The program the cohort belongs to (coordinator keys name it)."
    )
    description: Text = ""
    mentee_ids: list[Id] = Field(default_factory=list, max_length=100_000)
    mentor_ids: list[Id] = Field(default_factory=list, max_length=100_000)
    requests: list[MentorRequest] = Field(
        default_factory=list, max_length=100_000, description="At most one per mentee."
    )

    def with_request(self, request: MentorRequest) -> Cohort:
        """A copy where ``request`` replaces the mentee's earlier request, if any."""
        if request.mentee_id not in self.mentee_ids or request.mentor_id not in self.mentor_ids:
            raise ValueError(
                f"{request.mentee_id} and {request.mentor_id} must both be members of the cohort"
            )
        kept = [r for r in self.requests if r.mentee_id != request.mentee_id]
        return self.model_copy(update={"requests": [*kept, request]})

    @field_validator("mentee_ids", "mentor_ids")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def with_members(
        self, mentee_ids: list[str], mentor_ids: list[str], add: bool = True
    ) -> Cohort:
        """A validated copy with members added (kept once) or removed."""

        def change(current: list[str], given: list[str]) -> list[str]:
            if add:
                return [*current, *given]
            drop = set(given)
            return [x for x in current if x not in drop]

        return Cohort.model_validate(
            {
                **self.model_dump(),
                "mentee_ids": change(self.mentee_ids, mentee_ids),
                "mentor_ids": change(self.mentor_ids, mentor_ids),
            }
        )


RECORD_TYPES: dict[Kind, type[Record]] = {
    Kind.MENTORS: Mentor,
    Kind.MENTEES: Mentee,
    Kind.FEEDBACK: Feedback,
    Kind.COHORTS: Cohort,
}


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
}
"""Field ownership of ``Mentor`` (the README's table is made from the same reading)."""

UNRANKED_MENTOR_FIELDS: frozenset[str] = frozenset(
    {"id", "name", "email", "phone", "share_contact", "conflicts"}
)
"""Mentor fields no signal reads; a change to any other field is audited."""

if set(MENTOR_WRITERS) != set(Mentor.model_fields):  # pragma: no cover - a new field
    raise RuntimeError("MENTOR_WRITERS must name every Mentor field exactly once")
