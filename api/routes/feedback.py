"""``POST /v1/feedback``: a past mentee's rating of a mentor."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import EngineDep
from api.schemas import WriteResult
from recommender.profiles import Feedback

router = APIRouter(prefix="/v1", tags=["feedback"])


@router.post("/feedback", response_model=WriteResult, status_code=status.HTTP_201_CREATED)
def add_feedback(body: Feedback, engine: EngineDep, response: Response) -> WriteResult:
    """Record a rating (upsert by id); the mentor must exist (404 otherwise)."""
    result = engine.write("feedback", [body])
    if not result.inserted:
        response.status_code = status.HTTP_200_OK
    return WriteResult(id=body.key, created=bool(result.inserted))
