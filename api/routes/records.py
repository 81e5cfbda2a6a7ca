"""``PUT/GET/DELETE`` for one kind of record, and a paged list, each behind access rules.

Mentors, mentees and cohorts share this shape; ``record_router`` builds the routes for one
kind. Roles that may never use a route get 403; objects outside the caller's reach get 404
(see ``api.access``). Deleting a mentor or mentee erases them everywhere.
"""

# No `from __future__ import annotations`: FastAPI must see the closure-local types.

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel

from api.access import Access
from api.auth import AUTH_RESPONSES, allow
from api.deps import AccessDep, EngineDep, SettingsDep, StoreDep
from api.ownership import mentor_own_write, new_text_chars
from api.schemas import WriteResult
from api.schemas.suggestions import warnings_public
from api.security import embedding_work
from recommender.domain.errors import InvalidProfile, not_found
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Id, Mentor, Record
from recommender.domain.vocabulary_check import profile_warnings
from recommender.engine import Engine
from recommender.privacy.erasure import erase
from recommender.retrieval.workload import spend
from recommender.storage.keys import Principal
from recommender.storage.store import Store


@dataclass(frozen=True)
class Rules:
    """Which roles may use each route of a kind at all (object checks come on top)."""

    list: tuple[Role, ...]
    read: tuple[Role, ...]
    write: tuple[Role, ...]


RULES: dict[str, Rules] = {
    "mentors": Rules(
        list=(Role.ADMIN, Role.COORDINATOR, Role.MENTEE, Role.MENTOR),
        read=(Role.ADMIN, Role.COORDINATOR, Role.MENTEE, Role.MENTOR),
        write=(Role.ADMIN, Role.MENTOR),
    ),
    "mentees": Rules(
        list=(Role.ADMIN, Role.COORDINATOR, Role.MENTOR),
        read=(Role.ADMIN, Role.COORDINATOR, Role.MENTEE, Role.MENTOR),
        write=(Role.ADMIN, Role.MENTEE),
    ),
    "cohorts": Rules(
        list=(Role.ADMIN, Role.COORDINATOR),
        read=(Role.ADMIN, Role.COORDINATOR),
        write=(Role.ADMIN,),
    ),
}


def _page(
    access: Access, kind: Kind, offset: int, limit: int
) -> tuple[list[BaseModel | Record], int]:
    store = access.store
    if kind == Kind.COHORTS:
        if access.role == Role.ADMIN:
            return list(store.records(kind, offset, limit)), store.counts()[kind]
        visible = access.cohorts
        return list(visible[offset : offset + limit]), len(visible)
    if kind == Kind.MENTORS:
        page = store.records(kind, offset, limit)
        views = [access.mentor_view(m) for m in page if isinstance(m, Mentor)]
        return list(views), store.counts()[kind]
    allowed = access.mentee_ids()
    if allowed is None:
        return list(store.records(kind, offset, limit)), store.counts()[kind]
    ids = sorted(store.existing_ids(kind, allowed))
    chosen = [store.get_mentee(i) for i in ids[offset : offset + limit]]
    return [access.mentee_view(m) for m in chosen], len(ids)


def _read(access: Access, kind: Kind, record_id: str) -> BaseModel | Record:
    if kind == Kind.COHORTS:
        return access.cohort(record_id)
    if kind == Kind.MENTORS:
        return access.mentor_view(access.store.get_mentor(record_id))  # any caller
    return access.mentee_view(access.mentee(record_id))


def _delete(engine: Engine, kind: Kind, record_id: str) -> None:
    if kind.is_person:
        found = erase(engine, kind, record_id).found
    else:
        found = engine.delete(kind, record_id)
    if not found:
        raise not_found(kind, record_id)


def _stored_mentor(store: Store, mentor_id: str) -> Mentor | None:
    found = store.existing(Kind.MENTORS, [mentor_id]).get(mentor_id)
    return found if isinstance(found, Mentor) else None


def record_router(
    kind: Kind,
    noun: str,
    record_type: type[Record],
    body_type: type[BaseModel],
    list_type: type[BaseModel],
    read_type: Any = None,
) -> APIRouter:
    """Routes ``/v1/{kind}`` (list) and ``/v1/{kind}/{id}`` (get, put, delete)."""
    rules = RULES[kind]
    router = APIRouter(prefix=f"/v1/{kind}", tags=[kind], responses=AUTH_RESPONSES)
    id_path = Annotated[Id, Path(description=f"The {noun}'s id.")]
    Lister = Annotated[Principal, Depends(allow(*rules.list))]
    Reader = Annotated[Principal, Depends(allow(*rules.read))]
    Writer = Annotated[Principal, Depends(allow(*rules.write))]

    @router.get("", response_model=list_type, summary=f"List {kind}")
    def list_records(
        principal: Lister,
        access: AccessDep,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        data, count = _page(access, kind, offset, limit)
        return {"data": data, "count": count}

    @router.get(
        "/{record_id}",
        response_model=read_type or record_type,
        summary=f"Get one {noun}",
    )
    def get_record(record_id: id_path, principal: Reader, access: AccessDep) -> Any:
        return _read(access, kind, record_id)

    @router.put(
        "/{record_id}",
        response_model=WriteResult,
        summary=f"Create or replace a {noun}",
        responses={201: {"description": "Created.", "model": WriteResult}},
    )
    def put_record(
        record_id: id_path,
        body: body_type,  # type: ignore[valid-type]
        request: Request,
        engine: EngineDep,
        store: StoreDep,
        settings: SettingsDep,
        response: Response,
        principal: Writer,
        access: AccessDep,
    ) -> WriteResult:
        access.writable(kind, record_id)
        data = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
        if data.get("id") not in (None, record_id):
            raise InvalidProfile("id", f"body id {data['id']!r} differs from path id {record_id!r}")
        data["id"] = record_id
        stored = _stored_mentor(store, record_id) if kind == Kind.MENTORS else None
        if kind == Kind.MENTORS and principal.role == Role.MENTOR:
            data = mentor_own_write(stored, data, settings)
        record = record_type.model_validate(data)
        with embedding_work(request, principal):
            if isinstance(record, Mentor):
                spend(new_text_chars(stored, record))
            result = engine.write(kind, [record], actor=principal.actor)
        if result.inserted:
            response.status_code = status.HTTP_201_CREATED
        warnings = warnings_public(profile_warnings(record))
        return WriteResult(id=record_id, created=bool(result.inserted), warnings=warnings)

    @router.delete(
        "/{record_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        summary=f"Delete a {noun}" + (" (erasure)" if kind != "cohorts" else ""),
    )
    def delete_record(
        record_id: id_path, engine: EngineDep, principal: Writer, access: AccessDep
    ) -> Response:
        """Deleting a mentor or mentee erases them from the store, the index, caches,
        cohorts, drafts and the audit trail; their keys stop working."""
        access.writable(kind, record_id)
        _delete(engine, kind, record_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
