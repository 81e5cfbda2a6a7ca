"""``/v1/cohorts``: cohorts, their members, and every mentee's shortlist (JSON or CSV)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Query, status
from fastapi.responses import Response

from api.access import Access
from api.auth import AdminDep, StaffDep, allow
from api.deps import AccessDep, EngineDep, ReviewDep
from api.routes.records import record_router
from api.schemas import (
    AssignmentPublic,
    AssignmentRequest,
    AssignmentsPublic,
    AuditPublic,
    CohortIn,
    CohortsPublic,
    MembersIn,
    PairChangeIn,
    RequestIn,
    RequestsPublic,
    RerunIn,
    ShortlistsPublic,
)
from recommender.domain.errors import InvalidProfile, UnknownMentor
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Cohort, Id, MentorRequest
from recommender.matching.review import Draft, Review
from recommender.matching.shortlist import cohort_shortlists, shortlists_csv
from recommender.storage.keys import Principal

router = record_router(Kind.COHORTS, "cohort", Cohort, CohortIn, CohortsPublic)
RequesterDep = Annotated[Principal, Depends(allow("admin", "coordinator", "mentee"))]


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
    responses={200: {"content": {"text/csv": {}}}},
)
def get_shortlists(
    record_id: Id,
    engine: EngineDep,
    staff: StaffDep,
    access: AccessDep,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> ShortlistsPublic | Response:
    """Ranked, explained shortlists among the cohort's mentors; ``format=csv`` gives one row
    per mentee–mentor pair with every signal component."""
    rows = cohort_shortlists(engine, access.cohort(record_id), k)
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


def _public(draft: Draft) -> AssignmentPublic:
    return AssignmentPublic.model_validate(
        {
            **asdict(draft.result),
            "id": draft.id,
            "status": draft.status,
            "created_at": draft.created_at,
            "locked": draft.locked,
            "forbidden": draft.forbidden,
        }
    )


def _draft(access: Access, review: Review, cohort_id: str, assignment_id: str) -> Draft:
    """A draft of a cohort the caller manages; 404 as if missing otherwise."""
    access.cohort(cohort_id)
    return review.get(cohort_id, assignment_id)


@router.post(
    "/{record_id}/assignments",
    response_model=AssignmentPublic,
    status_code=201,
    summary="Propose an assignment (a draft)",
)
def create_assignment(
    record_id: Id,
    body: AssignmentRequest,
    staff: StaffDep,
    access: AccessDep,
    review: ReviewDep,
) -> AssignmentPublic:
    """The optimal assignment under every mentor's free places, conflicts, locks and
    forbidden pairs, stored as a draft; 422 with the reason when the constraints cannot all
    be met."""
    cohort = access.cohort(record_id)
    locked = list(body.locked)
    if body.lock_requests:
        locked += [(r.mentee_id, r.mentor_id) for r in cohort.requests]
    draft = review.propose(
        cohort,
        staff.actor,
        body.mode,
        locked,
        list(body.forbidden),
        body.mentors_wanted,
        body.mentor_minimums,
    )
    return _public(draft)


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


@router.get("/{record_id}/assignments", response_model=AssignmentsPublic)
def list_assignments(
    record_id: Id, staff: StaffDep, access: AccessDep, review: ReviewDep
) -> AssignmentsPublic:
    """The cohort's assignments, newest first."""
    access.cohort(record_id)
    drafts = review.drafts(record_id)
    return AssignmentsPublic(data=[_public(d) for d in drafts], count=len(drafts))


@router.get("/{record_id}/assignments/{assignment_id}", response_model=AssignmentPublic)
def get_assignment(
    record_id: Id, assignment_id: Id, staff: StaffDep, access: AccessDep, review: ReviewDep
) -> AssignmentPublic:
    """One assignment."""
    return _public(_draft(access, review, record_id, assignment_id))


@router.post("/{record_id}/assignments/{assignment_id}/override", response_model=AssignmentPublic)
def override_pair(
    record_id: Id,
    assignment_id: Id,
    body: PairChangeIn,
    staff: StaffDep,
    access: AccessDep,
    review: ReviewDep,
) -> AssignmentPublic:
    """Give a mentee another mentor (kept through re-runs); ``reason`` is required."""
    draft = _draft(access, review, record_id, assignment_id)
    return _public(review.override(draft, body.mentee_id, body.mentor_id, body.reason, staff.actor))


@router.post("/{record_id}/assignments/{assignment_id}/lock", response_model=AssignmentPublic)
def lock_pair(
    record_id: Id,
    assignment_id: Id,
    body: PairChangeIn,
    staff: StaffDep,
    access: AccessDep,
    review: ReviewDep,
) -> AssignmentPublic:
    """Keep one of the draft's pairs through re-runs."""
    draft = _draft(access, review, record_id, assignment_id)
    return _public(review.lock(draft, body.mentee_id, body.mentor_id, staff.actor))


@router.post(
    "/{record_id}/assignments/{assignment_id}/rerun",
    response_model=AssignmentPublic,
    status_code=201,
)
def rerun(
    record_id: Id,
    assignment_id: Id,
    body: RerunIn,
    staff: StaffDep,
    access: AccessDep,
    review: ReviewDep,
) -> AssignmentPublic:
    """A new draft keeping the locks; the old one is superseded."""
    draft = _draft(access, review, record_id, assignment_id)
    return _public(review.rerun(draft, staff.actor, body.mode))


@router.post("/{record_id}/assignments/{assignment_id}/approve", response_model=AssignmentPublic)
def approve(
    record_id: Id, assignment_id: Id, staff: StaffDep, access: AccessDep, review: ReviewDep
) -> AssignmentPublic:
    """Approve: mentors' current mentee counts grow by their new mentees."""
    draft = _draft(access, review, record_id, assignment_id)
    return _public(review.approve(draft, staff.actor))


@router.get("/{record_id}/audit", response_model=AuditPublic)
def audit(record_id: Id, staff: StaffDep, access: AccessDep, review: ReviewDep) -> AuditPublic:
    """Every change to the cohort's assignments: who, when, what, why."""
    access.cohort(record_id)
    events = review.audit(record_id)
    return AuditPublic.model_validate({"data": [asdict(e) for e in events], "count": len(events)})
