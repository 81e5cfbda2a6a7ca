"""``/v1/feedback``: past mentees' ratings of mentors.

Raw feedback (comments included) is for admins only. A mentee key may rate only mentors it
was assigned to, as itself.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from api.auth import AUTH_RESPONSES, AdminDep, allow
from api.deps import AccessDep, EngineDep, StoreDep
from api.schemas import FeedbackIn, FeedbackPage, WriteResult
from recommender.domain.errors import InvalidProfile, UnknownMentor
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Feedback
from recommender.storage.keys import Principal

router = APIRouter(prefix="/v1", tags=["feedback"], responses=AUTH_RESPONSES)
RaterDep = Annotated[Principal, Depends(allow("admin", "mentee"))]


@router.post(
    "/feedback",
    response_model=WriteResult,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "Replaced.", "model": WriteResult}},
)
def add_feedback(
    body: FeedbackIn, engine: EngineDep, response: Response, rater: RaterDep, access: AccessDep
) -> WriteResult:
    """Record a rating; the mentor must exist (404 otherwise).

    A mentee rates as themself, only mentors they were assigned to, and cannot choose the
    rating's ``id``: it is ``mentee_id:mentor_id:date``, so a mentee can only ever replace
    their own rating (one per mentor and day; their latest is the one that counts). Admins
    may give an ``id``, which stays tied to its mentee and mentor. ``date`` defaults to today
    and may not lie in the future.
    """
    if body.date > date.today():
        raise InvalidProfile("date", "a rating may not be dated in the future")
    if rater.role == Role.MENTEE:
        if body.mentee_id != rater.subject:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "a mentee key rates only as itself")
        if "id" in body.model_fields_set:
            raise InvalidProfile("id", "is set by the server for a mentee's own rating")
        if (rater.subject, body.mentor_id) not in access.pairs:
            raise UnknownMentor(body.mentor_id)
    record = Feedback.model_validate(body.model_dump(exclude_unset=True) | {"date": body.date})
    result = engine.write(Kind.FEEDBACK, [record])
    if not result.inserted:
        response.status_code = status.HTTP_200_OK
    return WriteResult(id=record.key, created=bool(result.inserted))


@router.get("/feedback", response_model=FeedbackPage)
def list_feedback(
    store: StoreDep,
    admin: AdminDep,
    mentor_id: str | None = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> FeedbackPage:
    """Raw ratings and comments, optionally one mentor's (admins only)."""
    found = store.feedback(mentor_id)
    return FeedbackPage(data=found[offset : offset + limit], count=len(found))
