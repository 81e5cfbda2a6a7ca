"""API keys, the caller's identity, batch ingest, re-indexing and health."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, WithJsonSchema

from api.schemas.base import StrictBody
from recommender.domain.kinds import Role
from recommender.domain.profiles import Id, MentorRequest

RoleField = Annotated[
    Role,
    WithJsonSchema({"enum": [r.value for r in Role], "title": Role.__name__, "type": "string"}),
]
"""A key's role, documented inline as the 0.1.0 document had it (no ``Role`` component)."""


class KeyIn(StrictBody):
    """A new API key."""

    role: RoleField
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


class MyCohort(BaseModel):
    """A cohort a mentee belongs to, with their own request in it (if any)."""

    id: str
    name: str
    request: MentorRequest | None = None


class MePublic(BaseModel):
    """The caller's identity."""

    key_id: str
    role: str
    subject: str
    scopes: list[str]
    cohorts: list[MyCohort] = Field(
        default_factory=list,
        description="For a mentee key: the cohorts they belong to and their request in each.",
    )


class BatchIn(StrictBody):
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


class HealthPublic(BaseModel):
    """Service state: liveness for anyone; counts, model and index state for admins."""

    status: str
    counts: dict[str, int] | None = None
    model_id: str | None = None
    ranker: dict[str, str] | None = Field(
        default=None,
        description="The ranker served: kind default, fitted (weights) or learned (a model "
        "trained by `mentor-match train`), its learner and name.",
    )
    index: dict[str, Any] | None = None
