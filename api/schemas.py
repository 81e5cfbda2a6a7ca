"""Request and public response models of the HTTP API (separate from the domain records)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from recommender.profiles import (
    Cohort,
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
    """Body of ``PUT /v1/mentors/{id}``; ``id`` may be left out (the path gives it)."""

    id: Id | None = None  # type: ignore[assignment]


class MenteeIn(Mentee):
    """Body of ``PUT /v1/mentees/{id}``; ``id`` may be left out (the path gives it)."""

    id: Id | None = None  # type: ignore[assignment]


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


class MentorsPublic(BaseModel):
    """A page of mentors."""

    data: list[Mentor]
    count: int


class MenteesPublic(BaseModel):
    """A page of mentees."""

    data: list[Mentee]
    count: int


class WriteResult(BaseModel):
    """What a write did."""

    id: str
    created: bool


class HealthPublic(BaseModel):
    """Service state."""

    status: str
    counts: dict[str, int]
    model_id: str
    index: dict[str, Any]


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


class ActorIn(_Request):
    """Who makes a change (recorded in the audit trail)."""

    actor: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "coordinator"


class AssignmentRequest(ActorIn):
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
        default_factory=dict, description="Mentors per mentee where not 1 (a small team)."
    )
    mentor_minimums: dict[Id, Annotated[int, Field(ge=0, le=100)]] = Field(
        default_factory=dict, description="Fewest new mentees a mentor must take, where not 0."
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


class PairChangeIn(ActorIn):
    """A pair to lock, or to impose as an override (a reason is required for overrides)."""

    mentee_id: Id
    mentor_id: Id
    reason: Annotated[str, StringConstraints(max_length=2000)] = ""


class RerunIn(ActorIn):
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
