"""``/v1/cohorts``: cohorts, their members, requests, every mentee's shortlist (JSON, CSV or
XLSX) and the dashboard; assignments are in ``api.routes.assignments``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Query, status
from fastapi.responses import Response

from api.access import Access
from api.auth import AdminDep, StaffDep, allow
from api.deps import AccessDep, EngineDep, LifecycleDep, ReviewDep
from api.routes.records import record_router
from api.routes.relationships import public as relationship_view
from api.routes.relationships import suggestion_views
from api.schemas import (
    CohortIn,
    CohortsPublic,
    DashboardPublic,
    MembersIn,
    RequestIn,
    RequestsPublic,
    ShortlistsPublic,
)
from api.schemas.relationships import CohortRelationshipPublic, CohortRelationshipsPublic
from recommender.domain.errors import InvalidProfile, UnknownMentor
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Cohort, Id, Mentee, Mentor, MentorRequest
from recommender.matching.dashboard import dashboard
from recommender.matching.exports import MEDIA_TYPES, Format, Table, render, shortlists_table
from recommender.matching.shortlist import cohort_shortlists
from recommender.storage.keys import Principal

router = record_router(Kind.COHORTS, "cohort", Cohort, CohortIn, CohortsPublic)
RequesterDep = Annotated[Principal, Depends(allow("admin", "coordinator", "mentee"))]
OPEN = ("requested", "accepted", "active")


@router.post("/{record_id}/members", response_model=Cohort, summary="Add members")
def add_members(
    record_id: Id, body: MembersIn, engine: EngineDep, admin: AdminDep, access: AccessDep
) -> Cohort:
    """Add mentees and mentors (ids already present are kept once). Admins only: adding a
    person to a cohort gives its coordinators access to them."""
    updated = access.cohort(record_id).with_members(body.mentee_ids, body.mentor_ids)
    engine.write(Kind.COHORTS, [updated])
    return updated


@router.post("/{record_id}/members/remove", response_model=Cohort, summary="Remove members")
def remove_members(
    record_id: Id, body: MembersIn, engine: EngineDep, staff: StaffDep, access: AccessDep
) -> Cohort:
    """Remove mentees and mentors from the cohort (their profiles stay)."""
    cohort = access.cohort(record_id)
    updated = cohort.with_members(body.mentee_ids, body.mentor_ids, add=False)
    engine.write(Kind.COHORTS, [updated])
    return updated


@router.get(
    "/{record_id}/shortlists",
    response_model=ShortlistsPublic,
    summary="Every mentee's ranked shortlist",
    responses={200: {"content": {"text/csv": {}, MEDIA_TYPES["xlsx"]: {}}}},
)
def get_shortlists(
    record_id: Id,
    engine: EngineDep,
    staff: StaffDep,
    access: AccessDep,
    review: ReviewDep,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
) -> ShortlistsPublic | Response:
    """Ranked, explained shortlists among the cohort's mentors (places its approved
    assignment holds count as free, so they read the same before and after approval);
    ``format=csv`` or ``xlsx`` gives one row per mentee–mentor pair with every signal."""
    rows = cohort_shortlists(engine, access.cohort(record_id), k, review.held(record_id))
    if format != "json":
        return download(shortlists_table(rows), format, f"{record_id}-shortlists")
    data = [
        {
            "mentee_id": r.mentee_id,
            "data": r.suggestions,  # read by attribute: no deep copy through ``asdict``
            "count": len(r.suggestions),
        }
        for r in rows
    ]
    return ShortlistsPublic.model_validate(
        {"cohort_id": record_id, "data": data, "count": len(data)}, from_attributes=True
    )


@router.post(
    "/{record_id}/requests",
    response_model=RequestsPublic,
    summary="Enter a mentee's request",
)
def add_request(
    record_id: Id, body: RequestIn, engine: EngineDep, principal: RequesterDep, access: AccessDep
) -> RequestsPublic:
    """Record a mentee's self-chosen mentor; it replaces that mentee's earlier request. The
    coordinator sees it here and may lock it (``lock_requests`` when assigning). A mentee
    token may enter only its own request, in a cohort it belongs to."""
    cohort = _request_cohort(access, record_id, body.mentee_id)
    if principal.role == Role.MENTEE and body.mentor_id not in cohort.mentor_ids:
        # The same answer as for an id no one has: the mentee learns nothing of who else
        # belongs where.
        raise UnknownMentor(body.mentor_id)
    try:
        updated = cohort.with_request(MentorRequest.model_validate(body.model_dump()))
    except ValueError as exc:
        raise InvalidProfile("mentee_id", str(exc)) from exc
    engine.write(Kind.COHORTS, [updated])
    mine = [
        r
        for r in updated.requests
        if principal.role != Role.MENTEE or r.mentee_id == body.mentee_id
    ]
    return RequestsPublic(data=mine, count=len(mine))


def _request_cohort(access: Access, cohort_id: str, mentee_id: str) -> Cohort:
    if access.role == Role.MENTEE and mentee_id != access.principal.subject:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a mentee key enters only its own request")
    return access.member_cohort(cohort_id, mentee_id)


@router.get("/{record_id}/requests", response_model=RequestsPublic)
def list_requests(record_id: Id, staff: StaffDep, access: AccessDep) -> RequestsPublic:
    """Every mentee request in the cohort."""
    cohort = access.cohort(record_id)
    return RequestsPublic(data=cohort.requests, count=len(cohort.requests))


@router.get("/{record_id}/dashboard", response_model=DashboardPublic, summary="Cohort dashboard")
def get_dashboard(
    record_id: Id, engine: EngineDep, staff: StaffDep, access: AccessDep, review: ReviewDep
) -> DashboardPublic:
    """Matched share, top-3 share, both modes' lowest score, the mentor load histogram, the
    unmatched mentees and each target specialty's coverage, from the cohort's approved
    assignment (else its newest draft)."""
    cohort = access.cohort(record_id)
    mentees = [
        m
        for m in engine.store.existing(Kind.MENTEES, cohort.mentee_ids).values()
        if isinstance(m, Mentee)
    ]
    mentors = [
        m
        for m in engine.store.existing(Kind.MENTORS, cohort.mentor_ids).values()
        if isinstance(m, Mentor)
    ]
    board = dashboard(cohort, mentees, mentors, review.drafts(record_id))
    return DashboardPublic.model_validate(asdict(board))


def download(table: Table, fmt: Format, name: str) -> Response:
    """A table as a CSV or XLSX attachment."""
    return Response(
        render(table, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@router.get(
    "/{record_id}/relationships",
    response_model=CohortRelationshipsPublic,
    summary="The cohort's relationships, check-ins and flags",
)
def cohort_relationships(
    record_id: Id,
    access: AccessDep,
    life: LifecycleDep,
    staff: StaffDep,
    k: Annotated[int, Query(ge=1, le=10, description="Alternates per flagged one.")] = 3,
) -> CohortRelationshipsPublic:
    """Every relationship of the cohort's mentees (and requests made for the cohort), each
    with its check-ins (due, overdue) and flags; a flagged open one comes with ``k``
    alternate mentors. Flagged ones first, then newest request first."""
    cohort = access.cohort(record_id)
    members = set(cohort.mentee_ids)
    found = [
        r for r in access.relationships() if r.mentee_id in members or r.cohort_id == cohort.id
    ]
    rows = []
    for r in found:
        view = relationship_view(r, access, life)
        flagged = bool(view.flags) and r.state.is_open
        rows.append(
            CohortRelationshipPublic(
                relationship=view,
                alternates=suggestion_views(life.alternates(r, k)) if flagged else [],
            )
        )
    rows.sort(key=lambda row: not row.relationship.flags)
    rounds = [
        c for row in rows for c in row.relationship.check_ins if row.relationship.state in OPEN
    ]
    return CohortRelationshipsPublic(
        cohort_id=cohort.id,
        data=rows,
        count=len(rows),
        due=sum(len(c.open) for c in rounds),
        overdue=sum(len(c.missed) for c in rounds),
        flagged=sum(1 for row in rows if row.relationship.flags),
    )
