"""``/v1/cohorts``: cohorts, their members, and every mentee's shortlist (JSON or CSV)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import Response

from api.deps import EngineDep
from api.routes.records import record_router
from api.schemas import (
    AssignmentPublic,
    AssignmentRequest,
    CohortIn,
    CohortsPublic,
    MembersIn,
    ShortlistsPublic,
)
from recommender.cohort_assignment import assign_cohort
from recommender.engine import Engine
from recommender.profiles import Cohort, Id
from recommender.shortlist import cohort_shortlists, shortlists_csv

router = record_router("cohorts", "cohort", Cohort, CohortIn, CohortsPublic)


def _cohort(engine: Engine, cohort_id: str) -> Cohort:
    found = engine.store.get("cohorts", cohort_id)
    assert isinstance(found, Cohort)
    return found


@router.post("/{record_id}/members", response_model=Cohort, summary="Add members")
def add_members(record_id: Id, body: MembersIn, engine: EngineDep) -> Cohort:
    """Add mentees and mentors (ids already present are kept once)."""
    updated = _cohort(engine, record_id).with_members(body.mentee_ids, body.mentor_ids)
    engine.write("cohorts", [updated])
    return updated


@router.post("/{record_id}/members/remove", response_model=Cohort, summary="Remove members")
def remove_members(record_id: Id, body: MembersIn, engine: EngineDep) -> Cohort:
    """Remove mentees and mentors from the cohort (their profiles stay)."""
    cohort = _cohort(engine, record_id)
    updated = cohort.with_members(body.mentee_ids, body.mentor_ids, add=False)
    engine.write("cohorts", [updated])
    return updated


@router.get(
    "/{record_id}/shortlists",
    response_model=ShortlistsPublic,
    summary="Every mentee's ranked shortlist",
    responses={200: {"content": {"text/csv": {}}}},
)
def get_shortlists(
    record_id: Id,
    engine: EngineDep,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> ShortlistsPublic | Response:
    """Ranked, explained shortlists among the cohort's mentors; ``format=csv`` gives one row
    per mentee–mentor pair with every signal component."""
    rows = cohort_shortlists(engine, _cohort(engine, record_id), k)
    if format == "csv":
        return Response(
            shortlists_csv(rows),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{record_id}-shortlists.csv"'},
        )
    data = [
        {
            "mentee_id": r.mentee_id,
            "data": [asdict(s) for s in r.suggestions],
            "count": len(r.suggestions),
        }
        for r in rows
    ]
    return ShortlistsPublic.model_validate(
        {"cohort_id": record_id, "data": data, "count": len(data)}
    )


@router.post("/{record_id}/assignments", response_model=AssignmentPublic, summary="Assign mentors")
def create_assignment(
    record_id: Id, body: AssignmentRequest, engine: EngineDep
) -> AssignmentPublic:
    """The optimal assignment under every mentor's free places, conflicts, locks and
    forbidden pairs; 422 with the reason when the constraints cannot all be met."""
    result = assign_cohort(
        engine,
        _cohort(engine, record_id),
        body.mode,
        locked=body.locked,
        forbidden=body.forbidden,
        mentors_wanted=body.mentors_wanted,
    )
    return AssignmentPublic.model_validate(asdict(result))
