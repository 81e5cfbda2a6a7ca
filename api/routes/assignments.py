"""``/v1/cohorts/{id}/assignments``: propose, review (override, swap, lock, re-run), approve,
supersede, export, and the audit trail of a cohort's assignments."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.access import Access
from api.auth import AUTH_RESPONSES, StaffDep
from api.deps import AccessDep, ReviewDep
from api.routes.cohorts import download
from api.schemas import (
    AssignmentPublic,
    AssignmentRequest,
    AssignmentsPublic,
    AuditPublic,
    OptionsPublic,
    PairChangeIn,
    RerunIn,
    SupersedeIn,
    SwapIn,
)
from recommender.domain.profiles import Id
from recommender.domain.relationships import Action
from recommender.matching.exports import MEDIA_TYPES, assignment_table
from recommender.matching.review import Draft, Review

router = APIRouter(prefix="/v1/cohorts", tags=["cohorts"], responses=AUTH_RESPONSES)
AssignmentId = Annotated[Id, "an assignment id"]


def _public(draft: Draft) -> AssignmentPublic:
    return AssignmentPublic.model_validate(
        {
            **asdict(draft.result),
            "id": draft.id,
            "status": draft.status,
            "created_at": draft.created_at,
            "locked": draft.locked,
            "forbidden": draft.forbidden,
            "requested": draft.requested,
        }
    )


def _draft(access: Access, review: Review, cohort_id: str, assignment_id: str) -> Draft:
    """An assignment of a cohort the caller manages; 404 as if missing otherwise."""
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
    forbidden pairs, stored as a draft. When places are short it serves as many mentees as
    it can (fair mode: the worst-off pair as good as possible first) and lists the rest in
    ``unmatched`` with the reason; locks and requests it cannot keep are in ``not_honoured``.
    Places the cohort's approved assignment holds count as free (approving this draft will
    need that one superseded). 422 only when mentor minimums cannot be met."""
    cohort = access.cohort(record_id)
    requested = [(r.mentee_id, r.mentor_id) for r in cohort.requests] if body.lock_requests else []
    draft = review.propose(
        cohort,
        staff.actor,
        body.mode,
        list(body.locked),
        list(body.forbidden),
        body.mentors_wanted,
        body.mentor_minimums,
        requested,
    )
    return _public(draft)


@router.get("/{record_id}/assignments", response_model=AssignmentsPublic)
def list_assignments(
    record_id: Id, staff: StaffDep, access: AccessDep, review: ReviewDep
) -> AssignmentsPublic:
    """The cohort's assignments, newest first."""
    access.cohort(record_id)
    drafts = review.drafts(record_id)
    return AssignmentsPublic(data=[_public(d) for d in drafts], count=len(drafts))


@router.get(
    "/{record_id}/assignments/{assignment_id}",
    response_model=AssignmentPublic,
    responses={200: {"content": {"text/csv": {}, MEDIA_TYPES["xlsx"]: {}}}},
)
def get_assignment(
    record_id: Id,
    assignment_id: Id,
    staff: StaffDep,
    access: AccessDep,
    review: ReviewDep,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
) -> AssignmentPublic | Response:
    """One assignment; ``format=csv`` or ``xlsx`` gives one row per pair, then one per
    unmatched mentee."""
    draft = _draft(access, review, record_id, assignment_id)
    if format != "json":
        table = assignment_table(draft.result, draft.status)
        return download(table, format, f"{record_id}-{draft.status}-{draft.id}")
    return _public(draft)


@router.get("/{record_id}/assignments/{assignment_id}/options", response_model=OptionsPublic)
def pair_options(
    record_id: Id,
    assignment_id: Id,
    mentee_id: Annotated[Id, Query(description="The mentee to find mentors for.")],
    staff: StaffDep,
    access: AccessDep,
    review: ReviewDep,
) -> OptionsPublic:
    """Every eligible cohort mentor with a free place in this draft, best first (and the
    mentee's current mentor, marked ``current``): what an override may choose from."""
    draft = _draft(access, review, record_id, assignment_id)
    found = review.options(draft, mentee_id)
    return OptionsPublic.model_validate(
        {"mentee_id": mentee_id, "data": [asdict(o) for o in found], "count": len(found)}
    )


@router.post("/{record_id}/assignments/{assignment_id}/override", response_model=AssignmentPublic)
def override_pair(
    record_id: Id,
    assignment_id: Id,
    body: PairChangeIn,
    staff: StaffDep,
    access: AccessDep,
    review: ReviewDep,
) -> AssignmentPublic:
    """Give a mentee (matched or unmatched) another eligible mentor with a free place in the
    draft (kept through re-runs); ``reason`` is required. 409 with the reason otherwise."""
    draft = _draft(access, review, record_id, assignment_id)
    return _public(review.override(draft, body.mentee_id, body.mentor_id, body.reason, staff.actor))


@router.post("/{record_id}/assignments/{assignment_id}/swap", response_model=AssignmentPublic)
def swap_pairs(
    record_id: Id,
    assignment_id: Id,
    body: SwapIn,
    staff: StaffDep,
    access: AccessDep,
    review: ReviewDep,
) -> AssignmentPublic:
    """Two mentees exchange their mentors (both pairs then locked); ``reason`` is required.
    409 when either new pair is not allowed."""
    draft = _draft(access, review, record_id, assignment_id)
    return _public(review.swap(draft, body.mentee_a, body.mentee_b, body.reason, staff.actor))


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
    """Approve: each pair takes one of its mentor's places. 409 when the cohort already has
    an approved assignment (supersede it first) or a mentor no longer has the places."""
    draft = _draft(access, review, record_id, assignment_id)
    return _public(review.approve(draft, staff.actor))


@router.post("/{record_id}/assignments/{assignment_id}/supersede", response_model=AssignmentPublic)
def supersede(
    record_id: Id,
    assignment_id: Id,
    body: SupersedeIn,
    staff: StaffDep,
    access: AccessDep,
    review: ReviewDep,
) -> AssignmentPublic:
    """Withdraw the cohort's approved assignment (with a reason, audited): its places are
    released and another draft may be approved."""
    draft = _draft(access, review, record_id, assignment_id)
    return _public(review.supersede(draft, staff.actor, body.reason))


@router.get("/{record_id}/audit", response_model=AuditPublic)
def audit(record_id: Id, staff: StaffDep, access: AccessDep, review: ReviewDep) -> AuditPublic:
    """Every change to the cohort's assignments, and every step of its mentees'
    relationships (``relationship request``, ``relationship accept``...; a check-in step
    names the side and round, the answers stay with the relationship): who, when, what, why.
    Oldest first."""
    cohort = access.cohort(record_id)
    rows = [(datetime.fromisoformat(e.at), asdict(e)) for e in review.audit(record_id)]
    members = set(cohort.mentee_ids)
    for r in access.relationships():
        if r.mentee_id not in members and r.cohort_id != cohort.id:
            continue
        for t in r.history:
            details = dict(t.details)
            if t.action is Action.CHECK_IN:
                details = {"side": details.get("side"), "round": details.get("round")}
            details |= {"mentee_id": r.mentee_id, "mentor_id": r.mentor_id}
            event = {
                "at": t.at.isoformat(timespec="seconds"),
                "actor": t.actor,
                "action": f"relationship {t.action.value}",
                "assignment_id": "",
                "reason": t.reason,
                "details": details,
                "relationship_id": r.id,
            }
            rows.append((t.at.replace(microsecond=0), event))
    rows.sort(key=lambda row: row[0])
    return AuditPublic.model_validate({"data": [e for _, e in rows], "count": len(rows)})
