"""``/v1/relationships``: what happens after the match.

A mentee requests a mentor; the mentor accepts or declines; both confirm the agreement
(drafted from the mentee's profile, editable by either); both answer check-ins as they fall
due; either side, a coordinator or an admin ends it. A coordinator sees their cohorts'
relationships with the flags raised and three alternates, and may end one and request an
alternate in one step. Who sees what is ``api.access``; each step's rules are
``recommender.domain.relationships`` (a step the state does not allow is 409).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, status

from api.access import Access
from api.auth import AUTH_RESPONSES, PrincipalDep, StaffDep, allow
from api.deps import AccessDep, LifecycleDep
from api.schemas.relationships import (
    AgreementIn,
    AgreementPublic,
    AlternatesPublic,
    CheckInIn,
    DeclineIn,
    EndIn,
    FlagPublic,
    RelationshipIn,
    RelationshipPublic,
    RelationshipsPublic,
    ReplacedPublic,
    ReplaceIn,
    RoundPublic,
    StepPublic,
)
from api.schemas.suggestions import SuggestionPublic
from recommender.domain.agreements import Agreement
from recommender.domain.checkins import Survey
from recommender.domain.errors import InvalidProfile
from recommender.domain.kinds import Role
from recommender.domain.relationships import Action, Actor, DeclineReason, Relationship
from recommender.domain.suggestion import Suggestion
from recommender.matching.lifecycle import Lifecycle
from recommender.storage.keys import Principal

router = APIRouter(prefix="/v1/relationships", tags=["relationships"], responses=AUTH_RESPONSES)
RequesterDep = Annotated[Principal, Depends(allow("admin", "mentee"))]
MentorSideDep = Annotated[Principal, Depends(allow("admin", "mentor"))]
PartyDep = Annotated[Principal, Depends(allow("admin", "mentee", "mentor"))]
SideDep = Annotated[Principal, Depends(allow("mentee", "mentor"))]


def actor_of(principal: Principal) -> Actor:
    """The lifecycle's actor for an authenticated key (named as the audit trail names it)."""
    return Actor(
        Role(principal.role), principal.subject or None, principal.label or principal.key_id
    )


def public(relationship: Relationship, access: Access, life: Lifecycle) -> RelationshipPublic:
    """``relationship`` as the caller may see it: a party sees their own check-in answers
    only; coordinators and admins see both sides' and the flags."""
    staff = access.role in (Role.ADMIN, Role.COORDINATOR)
    own_side = access.role if not staff else None
    rounds = life.rounds(relationship)
    agreement = relationship.agreement
    return RelationshipPublic(
        id=relationship.id,
        mentee_id=relationship.mentee_id,
        mentor_id=relationship.mentor_id,
        origin=relationship.origin.value,
        cohort_id=relationship.cohort_id,
        state=relationship.state.value,
        confirmed=sorted(side.value for side in relationship.confirmed),
        decline_reason=relationship.decline_reason and relationship.decline_reason.value,
        ending=relationship.ending and relationship.ending.value,
        requested_at=relationship.requested_at,
        accepted_at=relationship.accepted_at,
        agreement=None if agreement is None else AgreementPublic(**agreement.as_dict()),
        check_ins=[
            RoundPublic(
                number=r.number,
                due=r.due,
                answered=sorted(s.value for s in r.answered),
                missed=sorted(s.value for s in r.missed),
                open=sorted(s.value for s in r.open_sides),
                status="overdue" if r.missed else ("due" if r.open_sides else "answered"),
            )
            for r in rounds
        ],
        next_check_in=_next_due(relationship, life, len(rounds)),
        flags=[FlagPublic(kind=f.kind, reason=f.reason) for f in life.flags(relationship)]
        if staff
        else None,
        history=[
            StepPublic(
                action=t.action.value,
                before=None if t.before is None else t.before.value,
                after=t.after.value,
                at=t.at,
                actor=t.actor,
                reason=t.reason,
                details=_details(t.action, dict(t.details), own_side),
            )
            for t in relationship.history
        ],
    )


def _details(action: Action, details: dict[str, Any], own_side: str | None) -> dict[str, Any]:
    """A step's details; the other side's check-in answers are the program's to read."""
    if action is not Action.CHECK_IN or own_side is None or details.get("side") == own_side:
        return details
    return {"side": details.get("side"), "round": details.get("round")}


def _next_due(relationship: Relationship, life: Lifecycle, rounds_due: int) -> date | None:
    accepted = relationship.accepted_at
    if accepted is None or not relationship.state.is_open:
        return None
    schedule = life.schedule(relationship)
    offset = schedule.first_after_days + rounds_due * schedule.every_days
    return accepted.date() + timedelta(days=offset)


def suggestion_views(found: list[Suggestion]) -> list[SuggestionPublic]:
    """Suggestions as the API shows them."""
    return [SuggestionPublic.model_validate(s, from_attributes=True) for s in found]


@router.get("", response_model=RelationshipsPublic, summary="Relationships the caller sees")
def list_relationships(
    access: AccessDep,
    life: LifecycleDep,
    principal: PrincipalDep,
    state: Annotated[
        Literal["requested", "accepted", "declined", "active", "ended"] | None, Query()
    ] = None,
    mentee_id: str | None = None,
    mentor_id: str | None = None,
    flagged: bool | None = Query(default=None, description="Only flagged ones (staff)."),
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RelationshipsPublic:
    """A mentee's own, a mentor's own (their requests among them), a coordinator's cohorts'
    mentees', or every one (admins), newest request first."""
    found = [
        r
        for r in access.relationships()
        if (state is None or r.state.value == state)
        and (mentee_id is None or r.mentee_id == mentee_id)
        and (mentor_id is None or r.mentor_id == mentor_id)
    ]
    if flagged is not None and access.role in (Role.ADMIN, Role.COORDINATOR):
        found = [r for r in found if bool(life.flags(r)) == flagged]
    page = found[offset : offset + limit]
    return RelationshipsPublic(data=[public(r, access, life) for r in page], count=len(found))


@router.post(
    "",
    response_model=RelationshipPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Request a mentor",
)
def request_mentor(
    body: RelationshipIn, access: AccessDep, life: LifecycleDep, requester: RequesterDep
) -> RelationshipPublic:
    """A mentee asks a mentor (an admin may on a mentee's behalf). Refused (409) while the
    pair has an open relationship, or when the mentor may not be suggested to the mentee (a
    declared conflict, no free place)."""
    access.check_mentee(body.mentee_id)
    created = life.request(actor_of(requester), body.mentee_id, body.mentor_id)
    return public(created, access, life)


@router.get("/{relationship_id}", response_model=RelationshipPublic, summary="One relationship")
def get_relationship(
    relationship_id: str, access: AccessDep, life: LifecycleDep, principal: PrincipalDep
) -> RelationshipPublic:
    """Its state, agreement, check-ins and dated history."""
    return public(access.relationship(relationship_id), access, life)


@router.post("/{relationship_id}/accept", response_model=RelationshipPublic)
def accept(
    relationship_id: str, access: AccessDep, life: LifecycleDep, mentor: MentorSideDep
) -> RelationshipPublic:
    """The mentor accepts: it takes one of their places (409 when none is free) and the
    agreement is drafted from the mentee's profile for both to confirm."""
    access.relationship(relationship_id)
    return public(life.accept(actor_of(mentor), relationship_id), access, life)


@router.post("/{relationship_id}/decline", response_model=RelationshipPublic)
def decline(
    relationship_id: str,
    body: DeclineIn,
    access: AccessDep,
    life: LifecycleDep,
    mentor: MentorSideDep,
) -> RelationshipPublic:
    """The mentor declines with a reason (and text, required for 'other')."""
    access.relationship(relationship_id)
    declined = life.decline(
        actor_of(mentor), relationship_id, DeclineReason(body.reason), body.text
    )
    return public(declined, access, life)


@router.put("/{relationship_id}/agreement", response_model=RelationshipPublic)
def edit_agreement(
    relationship_id: str,
    body: AgreementIn,
    access: AccessDep,
    life: LifecycleDep,
    party: PartyDep,
) -> RelationshipPublic:
    """Either side changes the agreement; the change is recorded (fields, who, when).
    Before both confirmed, both confirm the new text."""
    access.relationship(relationship_id)
    agreement = Agreement(**body.model_dump() | {"goals": tuple(body.goals)})
    return public(life.edit_agreement(actor_of(party), relationship_id, agreement), access, life)


@router.post("/{relationship_id}/confirm", response_model=RelationshipPublic)
def confirm(
    relationship_id: str, access: AccessDep, life: LifecycleDep, side: SideDep
) -> RelationshipPublic:
    """The mentee or the mentor confirms the agreement; with both, it is active."""
    access.relationship(relationship_id)
    return public(life.confirm(actor_of(side), relationship_id), access, life)


@router.post(
    "/{relationship_id}/check-ins",
    response_model=RelationshipPublic,
    status_code=status.HTTP_201_CREATED,
)
def check_in(
    relationship_id: str,
    body: CheckInIn,
    access: AccessDep,
    life: LifecycleDep,
    side: SideDep,
) -> RelationshipPublic:
    """The mentee or the mentor answers a check-in that has fallen due (by default the
    latest one they have not answered); 409 before it is due or when already answered."""
    access.relationship(relationship_id)
    answers = body.model_dump(exclude={"round"})
    done = life.check_in(actor_of(side), relationship_id, Survey(**answers), body.round)
    return public(done, access, life)


@router.post("/{relationship_id}/end", response_model=RelationshipPublic)
def end(
    relationship_id: str,
    body: EndIn,
    access: AccessDep,
    life: LifecycleDep,
    principal: PrincipalDep,
) -> RelationshipPublic:
    """End it (or withdraw a request): the mentee or mentor withdraw, a coordinator or
    admin close it, ``completed`` for an active one that reached its goals. Its place is
    freed at once."""
    access.relationship(relationship_id)
    ended = life.end(actor_of(principal), relationship_id, body.reason, body.completed)
    return public(ended, access, life)


@router.get("/{relationship_id}/alternates", response_model=AlternatesPublic)
def alternates(
    relationship_id: str,
    access: AccessDep,
    life: LifecycleDep,
    staff: StaffDep,
    k: Annotated[int, Query(ge=1, le=20)] = 3,
) -> AlternatesPublic:
    """Mentors to offer instead: the engine's suggestions for the mentee, without the
    current mentor, mentors the mentee had, and mentors with no free place."""
    found = life.alternates(access.relationship(relationship_id), k)
    return AlternatesPublic(
        relationship_id=relationship_id, data=suggestion_views(found), count=len(found)
    )


@router.post("/{relationship_id}/replace", response_model=ReplacedPublic)
def replace(
    relationship_id: str,
    body: ReplaceIn,
    access: AccessDep,
    life: LifecycleDep,
    staff: StaffDep,
) -> ReplacedPublic:
    """End the relationship and request an alternate mentor for the mentee, in one step
    (both or neither). The new request is the coordinator's for a cohort: it holds the
    mentor's place while the mentor decides."""
    current = access.relationship(relationship_id)
    cohort_id = body.cohort_id or current.cohort_id
    if cohort_id is None:
        mine = access.mentee_cohort(current.mentee_id)
        cohort_id = None if mine is None else mine.id
    if cohort_id is not None:
        access.cohort(cohort_id)  # one the caller manages (404 otherwise)
    elif staff.role != Role.ADMIN:
        raise InvalidProfile("cohort_id", "the mentee is in none of your cohorts: name one")
    ended, created = life.replace(
        actor_of(staff), relationship_id, body.reason, body.mentor_id, cohort_id
    )
    return ReplacedPublic(
        ended=public(ended, access, life), requested=public(created, access, life)
    )
