"""A stored assignment under review (``Draft``) and the error for changes that do not fit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from recommender.domain.errors import MentorMatchError
from recommender.matching.cohort_assignment import CohortAssignment
from recommender.matching.solver import PairKey

Status = Literal["draft", "approved", "superseded"]


class ReviewConflict(MentorMatchError):
    """The requested change does not fit the assignment's state (e.g. already approved)."""


@dataclass(frozen=True)
class Draft:
    """A stored assignment with the coordinator's constraints."""

    id: str
    cohort_id: str
    status: Status
    created_at: str
    result: CohortAssignment
    locked: list[PairKey]
    forbidden: list[PairKey]
    requested: list[PairKey] = field(default_factory=list)
