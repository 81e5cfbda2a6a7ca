"""Suggestions for a stored or an inline mentee."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import EngineDep
from api.schemas import MAX_K, FiltersIn, SuggestionRequest, SuggestionsPublic
from recommender.engine import SuggestionFilters
from recommender.profiles import Id
from recommender.suggestion import Suggestion

router = APIRouter(prefix="/v1", tags=["suggestions"])


def _filters(body: FiltersIn) -> SuggestionFilters:
    return SuggestionFilters(
        specialties=tuple(body.specialties),
        meeting_modes=tuple(body.meeting_modes),
        languages=tuple(body.languages),
        offers=tuple(body.offers),
        exclude=tuple(body.exclude),
        include_full=body.include_full,
        diversify=body.diversify,
        follow_specialty=body.follow_specialty,
    )


def _public(mentee_id: str, found: list[Suggestion]) -> SuggestionsPublic:
    return SuggestionsPublic.model_validate(
        {"mentee_id": mentee_id, "data": [asdict(s) for s in found], "count": len(found)}
    )


@router.post("/suggestions", response_model=SuggestionsPublic)
def suggest(body: SuggestionRequest, engine: EngineDep) -> SuggestionsPublic:
    """Ranked, explained mentors for ``mentee_id`` or an inline ``mentee`` profile."""
    filters = _filters(body.filters)
    if body.mentee is not None:
        return _public(body.mentee.id, engine.suggest(body.mentee, body.k, filters))
    assert body.mentee_id is not None
    return _public(body.mentee_id, engine.suggest_for(body.mentee_id, body.k, filters))


@router.get("/mentees/{mentee_id}/suggestions", response_model=SuggestionsPublic)
def suggest_for(
    mentee_id: Id,
    engine: EngineDep,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    include_full: bool = False,
) -> SuggestionsPublic:
    """Ranked, explained mentors for a stored mentee."""
    found = engine.suggest_for(mentee_id, k, SuggestionFilters(include_full=include_full))
    return _public(mentee_id, found)
