"""``/v1/feedback``: past mentees' ratings of mentors.

Raw feedback (comments included) is for admins only. A mentee key may rate only mentors it
was assigned to, as itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from api.access import Access
from api.auth import AUTH_RESPONSES, AdminDep, allow
from api.deps import EngineDep
from api.schemas import FeedbackPage, WriteResult
from recommender.errors import UnknownMentor
from recommender.keys import Principal
from recommender.profiles import Feedback

router = APIRouter(prefix="/v1", tags=["feedback"], responses=AUTH_RESPONSES)
RaterDep = Annotated[Principal, Depends(allow("admin", "mentee"))]


@router.post(
    "/feedback",
    response_model=WriteResult,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "Replaced.", "model": WriteResult}},
)
def add_feedback(
    body: Feedback, engine: EngineDep, response: Response, rater: RaterDep
) -> WriteResult:
    """Record a rating (upsert by id); the mentor must exist (404 otherwise)."""
    if rater.role == "mentee":
        if body.mentee_id != rater.subject:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "a mentee key rates only as itself")
        if (rater.subject, body.mentor_id) not in Access(engine, rater).pairs:
            raise UnknownMentor(body.mentor_id)
    result = engine.write("feedback", [body])
    if not result.inserted:
        response.status_code = status.HTTP_200_OK
    return WriteResult(id=body.key, created=bool(result.inserted))


@router.get("/feedback", response_model=FeedbackPage)
def list_feedback(
    engine: EngineDep,
    admin: AdminDep,
    mentor_id: str | None = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> FeedbackPage:
    """Raw ratings and comments, optionally one mentor's (admins only)."""
    found = engine.store.feedback(mentor_id)
    return FeedbackPage(data=found[offset : offset + limit], count=len(found))
