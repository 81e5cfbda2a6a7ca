"""Suggestions for a stored or an inline mentee."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from api.auth import AUTH_RESPONSES, allow
from api.deps import AccessDep, EngineDep
from api.schemas import MAX_K, FiltersIn, SuggestionRequest, SuggestionsPublic
from api.schemas.suggestions import warnings_public
from api.security import embedding_work
from recommender.domain.kinds import Role
from recommender.domain.profiles import Id, Mentee
from recommender.domain.suggestion import Suggestion
from recommender.domain.vocabulary_check import SpecialtyWarning, specialty_warnings
from recommender.engine import Engine, SuggestionFilters
from recommender.matching.teams import build_team
from recommender.storage.keys import Principal

router = APIRouter(prefix="/v1", tags=["suggestions"], responses=AUTH_RESPONSES)
AskerDep = Annotated[Principal, Depends(allow("admin", "coordinator", "mentee"))]


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


def _warnings(mentee: Mentee, filters: SuggestionFilters | None = None) -> list[SpecialtyWarning]:
    """Unknown specialties among the mentee's targets and the filter's specialties: they
    match no mentor, so the asker should know (the suggestions are made all the same)."""
    found = specialty_warnings("target_specialties", mentee.target_specialties)
    if filters is not None:
        found += specialty_warnings("filters.specialties", filters.specialties)
    return found


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


def _body(mentee_id: str, found: list[Suggestion], warnings: list[SpecialtyWarning]) -> bytes:
    """The answer as JSON, serialised here: returning the model would have FastAPI validate
    it again and serialise it on another worker thread (the route's ``response_model``
    still documents it)."""
    answer = SuggestionsPublic.model_validate(
        {
            "mentee_id": mentee_id,
            "data": found,  # read by attribute: no deep copy through ``asdict``
            "count": len(found),
            "warnings": warnings_public(warnings),
        },
        from_attributes=True,
    )
    return answer.model_dump_json().encode()


@router.post(
    "/suggestions",
    response_model=SuggestionsPublic,
    responses={429: {"description": "Too many requests, or the key's embedding budget is spent."}},
)
async def suggest(
    body: SuggestionRequest,
    request: Request,
    engine: EngineDep,
    asker: AskerDep,
    access: AccessDep,
) -> Response:
    """Ranked, explained mentors for ``mentee_id`` or an inline ``mentee`` profile.

    A mentee key may ask for itself only (another id: 404) or try an inline profile;
    coordinators ask for the mentees of their cohorts. Texts to embed count against the
    key's embedding budget (413 when one request is too large, 429 when the minute's budget
    is spent).
    """
    filters = _filters(body.filters)
    if body.mentee_id is not None:
        access.check_mentee(body.mentee_id)
    asked_for = body.mentee_id if body.mentee is None else body.mentee.id
    filters = replace(filters, personal=_own(asker, asked_for))
    if body.team is not None:
        return await run_in_threadpool(_team, body, filters, request, engine, asker)
    if body.mentee_id is not None:
        return await _stored_answer(body.mentee_id, body.k, filters, request, engine, asker)
    return await run_in_threadpool(_suggest_inline, body, filters, request, engine, asker)


def _team(
    body: SuggestionRequest,
    filters: SuggestionFilters,
    request: Request,
    engine: Engine,
    asker: Principal,
) -> Response:
    """A mentoring team for the stored or inline mentee (on a worker thread)."""
    assert body.team is not None
    mentee = _inline(body, asker) if body.mentee is not None else None
    with embedding_work(request, asker):
        if mentee is None:
            assert body.mentee_id is not None
            engine.refresh()
            mentee = engine.stored_mentee(body.mentee_id)
        team = build_team(engine, mentee, body.team.size, body.team.needs, filters)
    if body.mentee_id is not None:
        shown = [(m.suggestion.mentor_id, i, m.suggestion.score) for i, m in enumerate(team, 1)]
        engine.note(body.mentee_id, shown)
    answer = SuggestionsPublic.model_validate(
        {
            "mentee_id": mentee.id,
            "data": [m.suggestion for m in team],
            "count": len(team),
            "warnings": warnings_public(_warnings(mentee, filters)),
            "team": [
                {"mentor_id": m.suggestion.mentor_id, "need": m.need, "why": m.why} for m in team
            ],
        },
        from_attributes=True,
    )
    return _json(answer.model_dump_json().encode())


def _own(asker: Principal, mentee_id: str | None) -> bool:
    """Whether the mentee themself asks (then their consented identity preferences count)."""
    return asker.role == Role.MENTEE and mentee_id is not None and asker.subject == mentee_id


def _inline(body: SuggestionRequest, asker: Principal) -> Mentee:
    """The request's inline profile; 403 for a mentee key naming someone else's id."""
    assert body.mentee is not None
    if asker.role == Role.MENTEE and body.mentee.id not in ("inline", asker.subject):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "an inline profile's id must be 'inline' or your own"
        )
    return body.mentee


def _suggest_inline(
    body: SuggestionRequest,
    filters: SuggestionFilters,
    request: Request,
    engine: Engine,
    asker: Principal,
) -> Response:
    """Suggestions for the request's inline profile (on a worker thread)."""
    mentee = _inline(body, asker)
    with embedding_work(request, asker):
        found = engine.suggest(mentee, body.k, filters)
    return _json(_body(mentee.id, found, _warnings(mentee, filters)))


async def _stored_answer(
    mentee_id: str,
    k: int,
    filters: SuggestionFilters,
    request: Request,
    engine: Engine,
    asker: Principal,
) -> Response:
    """A stored mentee's suggestions (the caller checked access): a repeat is answered
    from memory on the event loop (no thread hop), anything else on a worker thread."""
    kept = engine.rendered_answer(mentee_id, k, filters)
    if kept is not None:
        return _json(kept)

    def compute() -> bytes:
        with embedding_work(request, asker):
            return engine.answer_for(
                mentee_id,
                k,
                filters,
                lambda stored, found: _body(stored.id, found, _warnings(stored, filters)),
            )

    return _json(await run_in_threadpool(compute))


@router.get("/mentees/{mentee_id}/suggestions", response_model=SuggestionsPublic)
async def suggest_for(
    mentee_id: Id,
    request: Request,
    engine: EngineDep,
    asker: AskerDep,
    access: AccessDep,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    include_full: bool = False,
    cohort: Annotated[
        Id | None,
        Query(description="Only this cohort's mentors (a cohort the mentee belongs to)."),
    ] = None,
) -> Response:
    """Ranked, explained mentors for a stored mentee; with ``cohort``, among that cohort's
    mentors only (the ones the mentee may request there)."""
    access.check_mentee(mentee_id)
    only = None
    if cohort is not None:
        only = frozenset(access.member_cohort(cohort, mentee_id).mentor_ids)
    filters = SuggestionFilters(
        include_full=include_full, only=only, personal=_own(asker, mentee_id)
    )
    return await _stored_answer(mentee_id, k, filters, request, engine, asker)
