"""``/v1/mentees/{id}/identity`` and ``/v1/mentors/{id}/identity``: identity claims, only
with consent (``recommender.domain.identity``).

- The person themself (or an admin) states, reads and withdraws their claims. ``PUT``
  replaces every claim; ``DELETE`` withdraws them all; both take effect at once.
- A coordinator reads, of their cohorts' mentees and of every mentor, only the claims
  consented to coordinators (``coordinators: true``).
- Another mentee or mentor gets 404, as for a missing record; a role that may never use the
  route (a mentor on a mentee's claims, a coordinator writing) gets 403.
- Claims are never part of a profile, an export or an audit entry, and a mentee's own
  suggestions are the only answer they change (``SuggestionFilters.personal``).

(No ``from __future__ import annotations`` here: the routes' parameter types are built per
kind inside ``_routes``, and FastAPI reads them as objects.)
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, Field

from api.access import Access
from api.auth import AUTH_RESPONSES, allow
from api.deps import AccessDep, EngineDep
from recommender.domain.errors import UnknownMentee, UnknownMentor
from recommender.domain.identity import IdentityClaim, IdentityStatement
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Id
from recommender.engine import Engine
from recommender.storage.identity import PEOPLE
from recommender.storage.keys import Principal

router = APIRouter(tags=["identity"], responses=AUTH_RESPONSES)


class IdentityPublic(BaseModel):
    """A person's identity claims as the caller may see them."""

    person_id: str
    claims: list[IdentityClaim] = Field(
        description="For the person themself and admins, every claim; for a coordinator, "
        "only those consented to coordinators."
    )


def _gone(kind: Kind, person_id: str) -> Exception:
    return UnknownMentee(person_id) if kind is Kind.MENTEES else UnknownMentor(person_id)


def _reach(kind: Kind, person_id: str, engine: Engine, asker: Principal, access: Access) -> None:
    """404 (as if missing) unless the person is stored and within the caller's reach: an
    admin anyone, a mentee or mentor themself, a coordinator (reading) their cohorts'
    mentees and every mentor."""
    own = asker.role in (Role.MENTEE, Role.MENTOR)
    if own and asker.subject != person_id:
        raise _gone(kind, person_id)
    if asker.role == Role.COORDINATOR and kind is Kind.MENTEES:
        access.check_mentee(person_id)
    if not engine.store.existing_ids(kind, [person_id]):
        raise _gone(kind, person_id)


def _read(
    kind: Kind, person_id: str, engine: Engine, asker: Principal, access: Access
) -> IdentityPublic:
    _reach(kind, person_id, engine, asker, access)
    claims = engine.identities.of(kind, person_id)
    if asker.role == Role.COORDINATOR:
        claims = [c for c in claims if c.coordinators]
    return IdentityPublic(person_id=person_id, claims=claims)


def _routes(kind: Kind) -> None:
    """The three routes of ``kind``'s identity claims, ``/v1/{kind}/{record_id}/identity``."""
    path = f"/v1/{kind.value}/{{record_id}}/identity"
    who = kind.singular
    assert kind.role is not None
    readers = Annotated[Principal, Depends(allow(Role.ADMIN, Role.COORDINATOR, kind.role))]
    writers = Annotated[Principal, Depends(allow(Role.ADMIN, kind.role))]

    def read(record_id: Id, engine: EngineDep, asker: readers, access: AccessDep) -> Any:
        return _read(kind, record_id, engine, asker, access)

    def put(
        record_id: Id,
        body: IdentityStatement,
        engine: EngineDep,
        asker: writers,
        access: AccessDep,
    ) -> Any:
        _reach(kind, record_id, engine, asker, access)
        engine.identities.state(kind, record_id, body.claims, engine.clock.now())
        return IdentityPublic(person_id=record_id, claims=engine.identities.of(kind, record_id))

    def withdraw(record_id: Id, engine: EngineDep, asker: writers, access: AccessDep) -> Response:
        _reach(kind, record_id, engine, asker, access)
        engine.identities.state(kind, record_id, [], engine.clock.now())
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    routes: tuple[tuple[str, Any, str, str], ...] = (
        (
            "GET",
            read,
            f"{who}_identity",
            f"The {who}'s identity claims, as the caller may see them",
        ),
        (
            "PUT",
            put,
            f"state_{who}_identity",
            f"State the {who}'s identity claims (replacing any before): the {who} or an admin",
        ),
        (
            "DELETE",
            withdraw,
            f"withdraw_{who}_identity",
            f"Withdraw every claim and consent of the {who}, at once",
        ),
    )
    for method, endpoint, name, summary in routes:
        deleting = method == "DELETE"
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            name=name,
            summary=summary,
            response_model=None if deleting else IdentityPublic,
            status_code=status.HTTP_204_NO_CONTENT if deleting else None,
        )


for _kind in PEOPLE:
    _routes(_kind)
