"""The program's records: feedback on mentors, cohorts and mentees' requests in them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from recommender.domain.fields import Id, Record, Text

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
