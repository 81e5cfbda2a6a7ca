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


class PairChangeIn(StrictBody):
    """A pair to lock, or to impose as an override (a reason is required for overrides)."""

    mentee_id: Id
    mentor_id: Id
    reason: Annotated[str, StringConstraints(max_length=2000)] = ""


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
