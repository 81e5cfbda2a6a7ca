"""``/v1/mentors``, and a mentor's change log."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import Depends

from api.auth import allow
from api.deps import AccessDep, EngineDep, StoreDep
from api.routes.records import record_router
from api.schemas import ChangesPublic, MentorIn, MentorPublic, MentorsPublic
from recommender.domain.errors import UnknownMentor
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Id, Mentor
from recommender.storage.keys import Principal

router = record_router(
    Kind.MENTORS, "mentor", Mentor, MentorIn, MentorsPublic, read_type=MentorPublic | Mentor
)
ChangeReaderDep = Annotated[Principal, Depends(allow("admin", "mentor"))]


@router.get("/{record_id}/changes", response_model=ChangesPublic, summary="A mentor's changes")
def mentor_changes(
    record_id: Id,
    engine: EngineDep,
    store: StoreDep,
    principal: ChangeReaderDep,
    access: AccessDep,
) -> ChangesPublic:
    """Who changed which ranking-relevant field of the mentor, and when (oldest first).

    Admins read any mentor's log, a mentor their own. Texts are logged as changed (with their
    size), never copied.
    """
    if principal.role == Role.MENTOR and not access.is_self(Role.MENTOR, record_id):
        raise UnknownMentor(record_id)
    events = engine.changes.history(record_id)
    if not events and record_id not in store.existing_ids(Kind.MENTORS, [record_id]):
        raise UnknownMentor(record_id)
    return ChangesPublic(data=[asdict(e) for e in events], count=len(events))
