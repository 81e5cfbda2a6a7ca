"""``PUT/GET/DELETE`` for one kind of profile record, and a paged list.

Mentors and mentees share this shape; ``record_router`` builds the routes for one kind.
"""

# No `from __future__ import annotations`: FastAPI must see the closure-local types.

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel

from api.deps import EngineDep
from api.schemas import WriteResult
from recommender.errors import InvalidProfile, NotFound
from recommender.profiles import Id, Kind, Record


def record_router(
    kind: Kind,
    noun: str,
    record_type: type[Record],
    body_type: type[BaseModel],
    list_type: type[BaseModel],
) -> APIRouter:
    """Routes ``/v1/{kind}`` (list) and ``/v1/{kind}/{id}`` (get, put, delete)."""
    router = APIRouter(prefix=f"/v1/{kind}", tags=[kind])
    id_path = Annotated[Id, Path(description=f"The {noun}'s id.")]

    @router.get("", response_model=list_type, summary=f"List {kind}")
    def list_records(
        engine: EngineDep,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        records = engine.store.records(kind, offset, limit)
        return {"data": records, "count": engine.store.counts()[kind]}

    @router.get("/{record_id}", response_model=record_type, summary=f"Get one {noun}")
    def get_record(record_id: id_path, engine: EngineDep) -> Record:
        return engine.store.get(kind, record_id)

    @router.put("/{record_id}", response_model=WriteResult, summary=f"Create or replace a {noun}")
    def put_record(
        record_id: id_path,
        body: body_type,  # type: ignore[valid-type]
        engine: EngineDep,
        response: Response,
    ) -> WriteResult:
        data = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
        if data.get("id") not in (None, record_id):
            raise InvalidProfile("id", f"body id {data['id']!r} differs from path id {record_id!r}")
        data["id"] = record_id
        record = record_type.model_validate(data)
        result = engine.write(kind, [record])
        if result.inserted:
            response.status_code = status.HTTP_201_CREATED
        return WriteResult(id=record_id, created=bool(result.inserted))

    @router.delete(
        "/{record_id}", status_code=status.HTTP_204_NO_CONTENT, summary=f"Delete a {noun}"
    )
    def delete_record(record_id: id_path, engine: EngineDep) -> Response:
        if not engine.delete(kind, record_id):
            raise NotFound(noun, record_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
