"""Cohort members, shortlists, assignments, their audit trail and mentee requests."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.base import StrictBody
from api.schemas.suggestions import SuggestionPublic
from recommender.domain.profiles import Id, MentorRequest


class MembersIn(StrictBody):
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


class AssignmentRequest(StrictBody):
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
        default=False,
        description="Keep every mentee's own request (see /requests) where it can be kept; "
        "those that cannot are listed in not_honoured.",
    )


class AssignedPairPublic(BaseModel):
    """One assigned pair."""

    mentee_id: str
    mentor_id: str
    score: float
    rank_for_mentee: int = Field(
        description="The mentor's position in the mentee's shortlist (1 = top; 0 = outside it)."
    )
    explanation: str
    mentee_name: str = ""
    mentor_name: str = ""
    specialty: str = Field(default="", description="The mentor's specialty.")
    fit: int = Field(default=0, description="The pair's fit, 0–100 (see suggestions).")
    gaps: list[str] = Field(default_factory=list, description="What does not fit.")


class UnmatchedPublic(BaseModel):
    """A mentee the assignment could not serve (fully), and why."""

    mentee_id: str
    mentee_name: str
    reason: str


class RoomPublic(BaseModel):
    """A cohort mentor with places still free after the assignment."""

    mentor_id: str
    mentor_name: str
    specialty: str
    free: int


class NotHonouredPublic(BaseModel):
    """A locked or requested pair the assignment could not keep, and why."""

    mentee_id: str
    mentor_id: str
    kind: Literal["locked", "requested"]
    reason: str


class AssignmentPublic(BaseModel):
    """An assignment and its summary; ``objectives`` gives both modes' total and minimum."""

    id: str
    status: str
    created_at: str
    locked: list[tuple[str, str]]
    forbidden: list[tuple[str, str]]
    requested: list[tuple[str, str]] = Field(
        default_factory=list, description="Mentees' own requests kept where possible."
    )
    cohort_id: str
    mode: str
    pairs: list[AssignedPairPublic]
    total: float
    min_score: float
    mean_score: float
    top3_share: float
    load_histogram: dict[int, int]
    objectives: dict[str, dict[str, float]]
    unmatched: list[UnmatchedPublic] = Field(
        default_factory=list, description="Mentees left without (enough) mentors, with why."
    )
    mentors_with_room: list[RoomPublic] = Field(
        default_factory=list, description="Mentors with free places after this assignment."
    )
    not_honoured: list[NotHonouredPublic] = Field(
        default_factory=list, description="Locked or requested pairs that could not be kept."
    )


class AssignmentsPublic(BaseModel):
    """A cohort's assignments, newest first."""

    data: list[AssignmentPublic]
    count: int


class PairChangeIn(StrictBody):
    """A pair to lock, or to impose as an override (a reason is required for overrides)."""

    mentee_id: Id
    mentor_id: Id
    reason: Annotated[str, StringConstraints(max_length=2000)] = ""


class SwapIn(StrictBody):
    """Two mentees of a draft who exchange their mentors."""

    mentee_a: Id
    mentee_b: Id
    reason: Annotated[str, StringConstraints(max_length=2000)]


class SupersedeIn(StrictBody):
    """Why an approved assignment is withdrawn (its places are released)."""

    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class OptionPublic(BaseModel):
    """A mentor a mentee may be given in a draft."""

    mentor_id: str
    mentor_name: str
    specialty: str
    score: float
    fit: int
    rank: int = Field(description="Position in the mentee's shortlist.")
    free: int = Field(description="Places this mentor has left in the draft.")
    current: bool = Field(description="The mentee's mentor in the draft now.")


class OptionsPublic(BaseModel):
    """The mentors a mentee may be given in a draft, best first."""

    mentee_id: str
    data: list[OptionPublic]
    count: int


class CoveragePublic(BaseModel):
    """A target specialty: mentees aiming at it, cohort mentors practising it, their places."""

    specialty: str
    mentees: int
    mentors: int
    free_places: int


class DashboardPublic(BaseModel):
    """A cohort at a glance, from its approved assignment (else its newest draft)."""

    cohort_id: str
    mentees: int
    mentors: int
    assignment_id: str | None
    status: str | None
    matched_share: float = Field(description="Share of mentees with a mentor.")
    top3_share: float = Field(description="Share of pairs among the mentee's top 3.")
    fair_min: float | None = Field(description="Lowest pair score under fair mode.")
    total_min: float | None = Field(description="Lowest pair score under total mode.")
    mean_score: float | None
    load_histogram: dict[str, int] = Field(description="Mentor load → number of mentors.")
    unmatched: list[UnmatchedPublic]
    specialty_coverage: list[CoveragePublic]


class RerunIn(StrictBody):
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
    relationship_id: str | None = Field(
        default=None, description="The relationship a 'relationship ...' step belongs to."
    )


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
