"""``/v1/outbox`` (the messages the product sends, stored first), ``/v1/outcomes`` (the
outcome log) and ``/v1/clock`` (the time the server acts at; a set clock moves forward only,
by an admin)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import AwareDatetime

from api.auth import AUTH_RESPONSES, AdminDep, PrincipalDep, StaffDep
from api.deps import AccessDep, EngineDep, LifecycleDep, SettingsDep
from api.schemas.relationships import ClockIn, ClockPublic, MessagePublic, MessagesPublic
from recommender.domain.kinds import Role
from recommender.matching.outcomes import outcome_log
from recommender.storage.outbox import OutboxRow, Status

router = APIRouter(prefix="/v1", tags=["outbox"], responses=AUTH_RESPONSES)


def _public(row: OutboxRow) -> MessagePublic:
    return MessagePublic.model_validate(row, from_attributes=True)


@router.get(
    "/outbox",
    response_model=MessagesPublic,
    summary="Stored messages",
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def list_messages(
    access: AccessDep,
    life: LifecycleDep,
    settings: SettingsDep,
    staff: StaffDep,
    status: Annotated[Literal[tuple(s.value for s in Status)] | None, Query()] = None,  # type: ignore[valid-type]
    relationship_id: str | None = None,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    format: Annotated[Literal["json", "jsonl"], Query()] = "json",
) -> MessagesPublic | Response:
    """Every message (admins) or those about the relationships of a coordinator's cohorts,
    oldest first. ``format=jsonl`` exports one message per line. (Check-ins falling due are
    looked for every ``MENTOR_MATCH_NOTIFY_EVERY_S`` seconds, at start-up and when an admin
    moves a set clock.)"""
    wanted: list[str] | None = None
    if access.role != Role.ADMIN:
        wanted = [r.id for r in access.relationships()]
    if relationship_id is not None:
        wanted = [relationship_id] if wanted is None or relationship_id in wanted else []
    rows = life.outbox.messages(status, wanted, after_seq, limit)
    data = [_public(row) for row in rows]
    if format == "jsonl":
        lines = "".join(m.model_dump_json() + "\n" for m in data)
        return Response(lines, media_type="application/x-ndjson")
    return MessagesPublic(data=data, count=len(data), sending=bool(settings.smtp_host))


@router.get(
    "/outcomes",
    summary="The outcome log (JSON lines)",
    response_class=Response,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def outcomes(
    engine: EngineDep,
    admin: AdminDep,
    since: Annotated[
        AwareDatetime | None, Query(description="Only events at or after this time.")
    ] = None,
) -> Response:
    """Every suggestion shown to a stored mentee (rank, score) and every step of every
    relationship (requests, decisions, agreements, check-in answers, endings), oldest first,
    one JSON object per line: the training data of a ranker. Admins only."""
    lines = "".join(json.dumps(row) + "\n" for row in outcome_log(engine, since))
    return Response(lines, media_type="application/x-ndjson")


@router.get("/clock", response_model=ClockPublic, summary="The server's time")
def get_clock(engine: EngineDep, principal: PrincipalDep) -> ClockPublic:
    """The time relationships and check-ins are dated at."""
    return ClockPublic(now=engine.clock.now(), settable=engine.clock.settable)


@router.put("/clock", response_model=ClockPublic, summary="Move a set clock forward")
def set_clock(body: ClockIn, engine: EngineDep, life: LifecycleDep, admin: AdminDep) -> ClockPublic:
    """Admins only, and only on a server started with ``MENTOR_MATCH_CLOCK`` (409 on the real
    clock, or for a time before the clock's). Check-ins that fall due by then are looked for
    at once, and their messages sent."""
    engine.clock.set(body.now)
    life.sweep()
    return ClockPublic(now=engine.clock.now(), settable=True)
