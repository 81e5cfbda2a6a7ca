"""Relationships after the match: requests, decisions, the agreement, check-ins, endings,
alerts with alternates, the outbox and the clock."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from api.schemas.base import StrictBody
from api.schemas.suggestions import SuggestionPublic
from recommender.domain.agreements import MAX_EXPECTS_CHARS, MAX_GOAL_CHARS, MAX_GOALS
from recommender.domain.profiles import Id

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class RelationshipIn(StrictBody):
    """A mentee's request for a mentor."""

    mentee_id: Id
    mentor_id: Id


class DeclineIn(StrictBody):
    """Why the mentor declines."""

    reason: Literal[
        "no capacity", "outside my expertise", "timing", "conflict of interest", "other"
    ]
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = Field(
        default="", description="Free text (required with reason 'other')."
    )


class AgreementIn(StrictBody):
    """The mentoring agreement (the whole of it: an edit sends every field)."""

    goals: list[Annotated[str, StringConstraints(max_length=MAX_GOAL_CHARS)]] = Field(
        min_length=1, max_length=MAX_GOALS, description="The mentee's goals for this relationship."
    )
    cadence: Literal["weekly", "fortnightly", "monthly", "quarterly", "as needed"] = "monthly"
    mode: Literal["in_person", "video", "phone", "chat", "mixed"] = "video"
    mentee_expects: Annotated[str, StringConstraints(max_length=MAX_EXPECTS_CHARS)] = ""
    mentor_expects: Annotated[str, StringConstraints(max_length=MAX_EXPECTS_CHARS)] = ""


class CheckInIn(StrictBody):
    """One side's check-in answers."""

    meetings: int = Field(ge=0, le=100, description="How often you met since the last check-in.")
    progress: int = Field(ge=1, le=5, description="Progress towards the goals, 1-5.")
    satisfaction: int = Field(ge=1, le=5, description="Satisfaction with the relationship, 1-5.")
    wellbeing: int | None = Field(
        default=None, ge=1, le=5, description="The mentee's well-being, 1-5 (mentees only)."
    )
    wants_support: bool = Field(
        default=False, description="The mentee would like support from the program."
    )
    comment: Annotated[str, StringConstraints(max_length=4000)] = Field(
        default="", description="Private to the program (and the one who wrote it)."
    )
    round: int | None = Field(
        default=None, ge=1, le=1000, description="The check-in answered (default: the latest due)."
    )


class EndIn(StrictBody):
    """Ending a relationship (or withdrawing a request)."""

    reason: Reason
    completed: bool = Field(default=False, description="It reached its goals (active only).")


class ReplaceIn(StrictBody):
    """A coordinator's end of a relationship and request of an alternate, in one step."""

    reason: Reason
    mentor_id: Id = Field(description="The alternate mentor (one of the alternates, usually).")
    cohort_id: Id | None = Field(
        default=None,
        description="The cohort the new request is made for (default: the relationship's, "
        "else the caller's cohort the mentee belongs to).",
    )


class StepPublic(BaseModel):
    """One dated, attributed step of a relationship."""

    action: str
    before: str | None
    after: str
    at: datetime
    actor: str
    reason: str
    details: dict[str, Any]


class RoundPublic(BaseModel):
    """One check-in round: when due, who answered, who missed it."""

    number: int
    due: date
    answered: list[str]
    missed: list[str]
    open: list[str] = Field(description="Sides that still owe an answer and are not late yet.")
    status: Literal["answered", "due", "overdue"]


class FlagPublic(BaseModel):
    """Why a relationship needs a coordinator."""

    kind: Literal["missed", "low", "support"]
    reason: str


class AgreementPublic(BaseModel):
    """The agreement as it stands."""

    goals: list[str]
    cadence: str
    mode: str
    mentee_expects: str
    mentor_expects: str


class RelationshipPublic(BaseModel):
    """A relationship as the caller may see it: parties see their own check-in answers, the
    program (coordinators, admins) sees both sides' answers and the flags."""

    id: str
    mentee_id: str
    mentor_id: str
    origin: str
    cohort_id: str | None
    state: str
    confirmed: list[str]
    decline_reason: str | None
    ending: str | None
    requested_at: datetime
    accepted_at: datetime | None
    agreement: AgreementPublic | None
    check_ins: list[RoundPublic]
    next_check_in: date | None
    flags: list[FlagPublic] | None = Field(
        default=None, description="Coordinators and admins only (null for the parties)."
    )
    history: list[StepPublic]


class RelationshipsPublic(BaseModel):
    """A list of relationships."""

    data: list[RelationshipPublic]
    count: int


class ReplacedPublic(BaseModel):
    """The ended relationship and the new request."""

    ended: RelationshipPublic
    requested: RelationshipPublic


class AlternatesPublic(BaseModel):
    """Mentors to offer instead (suggestions for the mentee without the current mentor)."""

    relationship_id: str
    data: list[SuggestionPublic]
    count: int


class CohortRelationshipPublic(BaseModel):
    """A cohort's relationship as its coordinator sees it, with alternates when flagged."""

    relationship: RelationshipPublic
    alternates: list[SuggestionPublic]


class CohortRelationshipsPublic(BaseModel):
    """A cohort's relationships, with check-ins due and overdue and flags counted."""

    cohort_id: str
    data: list[CohortRelationshipPublic]
    count: int
    due: int = Field(description="Check-ins due now (not late yet) across the cohort.")
    overdue: int = Field(description="Check-ins missed across the cohort's open relationships.")
    flagged: int


class MessagePublic(BaseModel):
    """One stored message and its delivery state."""

    seq: int
    key: str
    kind: str
    relationship_id: str
    recipient_role: str
    recipient_id: str
    address: str | None
    subject: str
    body: str
    created_at: datetime
    status: str
    attempts: int
    sent_at: datetime | None
    error: str


class MessagesPublic(BaseModel):
    """Stored messages, oldest first."""

    data: list[MessagePublic]
    count: int
    sending: bool = Field(description="Whether a mail server is configured.")


class ClockIn(StrictBody):
    """The time to move a set clock to."""

    now: AwareDatetime


class ClockPublic(BaseModel):
    """The time the server acts at."""

    now: datetime
    settable: bool = Field(description="Whether it is a set clock an admin may move forward.")
