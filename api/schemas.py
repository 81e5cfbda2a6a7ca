"""Request and public response models of the HTTP API (separate from the domain records)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model, model_validator

from recommender.domain.kinds import Role
from recommender.domain.profiles import (
    MENTOR_WRITERS,
    Cohort,
    Feedback,
    Id,
    MeetingMode,
    Mentee,
    Mentor,
    MentorRequest,
    Offer,
    ShortText,
)

MAX_K = 100


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MenteeInline(Mentee):
    """An inline mentee profile; ``id`` is optional (defaults to ``inline``)."""

    id: Id = "inline"


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


class FiltersIn(_Request):
    """Optional restrictions on suggestions."""

    specialties: list[ShortText] = Field(default_factory=list, max_length=20)
    meeting_modes: list[MeetingMode] = Field(default_factory=list, max_length=4)
    languages: list[ShortText] = Field(default_factory=list, max_length=20)
    offers: list[Offer] = Field(default_factory=list, max_length=8)
    exclude: list[Id] = Field(default_factory=list, max_length=1000)
    include_full: bool = Field(default=False, description="Also suggest mentors with no place.")
    diversify: bool | None = Field(
        default=None, description="Spread across specialties; default: by the mentee's stage."
    )
    follow_specialty: bool | None = Field(
        default=None,
        description="List mentors in the target specialty first; default: by the mentee's stage.",
    )


class SuggestionRequest(_Request):
    """Either ``mentee_id`` of a stored mentee or an inline ``mentee`` profile."""

    mentee_id: Id | None = None
    mentee: MenteeInline | None = None
    k: Annotated[int, Field(ge=1, le=MAX_K)] = 10
    filters: FiltersIn = Field(default_factory=FiltersIn)

    @model_validator(mode="after")
    def _one_mentee(self) -> SuggestionRequest:
        if (self.mentee_id is None) == (self.mentee is None):
            raise ValueError("give exactly one of mentee_id or mentee")
        return self


class ComponentPublic(BaseModel):
    """A signal's part in the score."""

    value: float = Field(description="Signal value in [0, 1].")
    weight: float = Field(description="Its weight in the ranker (weights sum to 1).")
    contribution: float = Field(description="value × weight; contributions sum to the score.")
    neutral: bool = Field(description="True when the signal's fields were absent.")
    withheld: bool = Field(
        default=False,
        description="True when too few mentees rated the mentor for their ratings to be "
        "shown or used; the program mean stands in.",
    )


class MatchPublic(BaseModel):
    """A mentee text and the mentor item it matched best."""

    mentee_text: str
    mentor_text: str
    mentor_field: str
    similarity: float


class SuggestionPublic(BaseModel):
    """One suggested mentor."""

    mentor_id: str
    rank: int
    score: float
    components: dict[str, ComponentPublic]
    explanation: str
    matches: list[MatchPublic]
    reasons: list[str]
    mentor_name: str
    specialty: str


class SuggestionsPublic(BaseModel):
    """A ranked list of suggestions."""

    mentee_id: str
    data: list[SuggestionPublic]
    count: int


def _view(name: str, record: type[BaseModel], drop: set[str], doc: str) -> type[BaseModel]:
    """A response model with ``record``'s fields (and their documentation) minus ``drop``."""
    fields: dict[str, Any] = {
        key: (info.annotation, info) for key, info in record.model_fields.items() if key not in drop
    }
    view: type[BaseModel] = create_model(
        name, __doc__=doc, __config__=ConfigDict(extra="forbid"), **fields
    )
    return view


MentorPublic = _view(
    "MentorPublic",
    Mentor,
    {"conflicts", "activity_dates"},
    "A mentor as mentees, other mentors and coordinators see them: no conflict list or "
    "activity log; ``email`` and ``phone`` are null unless the mentor shares them or "
    "mentors the caller (coordinators of the mentor's cohorts see them).",
)
MenteeForMentor = _view(
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


class FeedbackPage(BaseModel):
    """A page of raw feedback, comments included (admins only)."""

    data: list[Feedback]
    count: int


class KeyIn(_Request):
    """A new API key."""

    role: Role
    subject: str = Field(default="", description="The mentee's or mentor's id, for those roles.")
    scopes: list[Id] = Field(
        default_factory=list, max_length=100, description="Cohort ids or program names."
    )
    label: Annotated[str, StringConstraints(max_length=200)] = ""
    expires_in_days: float | None = Field(
        default=None, gt=0, le=3650, description="The key stops working after this many days."
    )


class KeyPublic(BaseModel):
    """A stored key (never its secret): when it was made, last used (and from where),
    expires and was revoked."""

    id: str
    role: str
    subject: str
    scopes: list[str]
    label: str
    created_at: str
    revoked: bool
    revoked_at: str | None = None
    expires_at: str | None = None
    last_used_at: str | None = None
    last_used_from: str | None = None


class KeyCreated(KeyPublic):
    """A new key with its secret, shown this once."""

    secret: str


class KeysPublic(BaseModel):
    """Every key."""

    data: list[KeyPublic]
    count: int


class MePublic(BaseModel):
    """The caller's identity."""

    key_id: str
    role: str
    subject: str
    scopes: list[str]


class BatchIn(_Request):
    """Records to write in one transaction (all or none)."""

    records: list[dict[str, Any]] = Field(min_length=1, max_length=100_000)


class BatchResult(BaseModel):
    """What a batch write did."""

    inserted: int
    updated: int
    unchanged: int


class ReindexPublic(BaseModel):
    """A full index rebuild's outcome."""

    mentors: int
    items: int
    embedded_items: int


class WriteResult(BaseModel):
    """What a write did."""

    id: str
    created: bool


class HealthPublic(BaseModel):
    """Service state: liveness for anyone; counts, model and index state for admins."""

    status: str
    counts: dict[str, int] | None = None
    model_id: str | None = None
    index: dict[str, Any] | None = None


class CohortIn(Cohort):
    """Body of ``PUT /v1/cohorts/{id}``; ``id`` may be left out (the path gives it)."""

    id: Id | None = None  # type: ignore[assignment]


class CohortsPublic(BaseModel):
    """A page of cohorts."""

    data: list[Cohort]
    count: int


class MembersIn(_Request):
    """Mentees and mentors to add to or remove from a cohort."""

    mentee_ids: list[Id] = Field(default_factory=list, max_length=10_000)
    mentor_ids: list[Id] = Field(default_factory=list, max_length=10_000)


class ShortlistPublic(BaseModel):
    """One mentee's ranked, explained shortlist within a cohort."""

    mentee_id: str
    data: list[SuggestionPublic]
    count: int


class ShortlistsPublic(BaseModel):
    """Every mentee's shortlist in a cohort."""

    cohort_id: str
    data: list[ShortlistPublic]
    count: int


class AssignmentRequest(_Request):
    """Options for a cohort assignment."""

    mode: Literal["total", "fair"] = Field(
        default="total",
        description="total: highest sum of scores; fair: highest lowest score, then the sum.",
    )
    locked: list[tuple[Id, Id]] = Field(
        default_factory=list, max_length=10_000, description="(mentee_id, mentor_id) to keep."
    )
    forbidden: list[tuple[Id, Id]] = Field(
        default_factory=list, max_length=10_000, description="(mentee_id, mentor_id) to avoid."
    )
    mentors_wanted: dict[Id, Annotated[int, Field(ge=1, le=5)]] = Field(
        default_factory=dict,
        max_length=10_000,
        description="Mentors per mentee where not 1 (a small team).",
    )
    mentor_minimums: dict[Id, Annotated[int, Field(ge=0, le=100)]] = Field(
        default_factory=dict,
        max_length=10_000,
        description="Fewest new mentees a mentor must take, where not 0.",
    )
    lock_requests: bool = Field(
        default=False, description="Lock every mentee's own request (see /requests)."
    )


class AssignedPairPublic(BaseModel):
    """One assigned pair."""

    mentee_id: str
    mentor_id: str
    score: float
    rank_for_mentee: int
    explanation: str


class AssignmentPublic(BaseModel):
    """An assignment and its summary; ``objectives`` gives both modes' total and minimum."""

    id: str
    status: str
    created_at: str
    locked: list[tuple[str, str]]
    forbidden: list[tuple[str, str]]
    cohort_id: str
    mode: str
    pairs: list[AssignedPairPublic]
    total: float
    min_score: float
    mean_score: float
    top3_share: float
    load_histogram: dict[int, int]
    objectives: dict[str, dict[str, float]]


class AssignmentsPublic(BaseModel):
    """A cohort's assignments, newest first."""

    data: list[AssignmentPublic]
    count: int


class PairChangeIn(_Request):
    """A pair to lock, or to impose as an override (a reason is required for overrides)."""

    mentee_id: Id
    mentor_id: Id
    reason: Annotated[str, StringConstraints(max_length=2000)] = ""


class RerunIn(_Request):
    """Re-run keeping the locks, optionally in another mode."""

    mode: Literal["total", "fair"] | None = None


class AuditEventPublic(BaseModel):
    """One recorded change."""

    at: str
    actor: str
    action: str
    assignment_id: str
    reason: str
    details: dict[str, Any]


class AuditPublic(BaseModel):
    """A cohort's audit trail, oldest first."""

    data: list[AuditEventPublic]
    count: int


class RequestIn(MentorRequest):
    """A mentee's own choice of mentor within a cohort."""


class RequestsPublic(BaseModel):
    """A cohort's mentee requests."""

    data: list[MentorRequest]
    count: int
