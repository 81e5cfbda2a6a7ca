"""Administration: API keys, batch ingest, a full re-index; and ``/v1/me`` for every caller."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import ValidationError

from api.auth import AUTH_RESPONSES, AdminDep, PrincipalDep
from api.deps import EngineDep, KeysDep
from api.errors import validation_detail
from api.schemas import (
    BatchIn,
    BatchResult,
    KeyCreated,
    KeyIn,
    KeyPublic,
    KeysPublic,
    MePublic,
    MyCohort,
    ReindexPublic,
)
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import RECORD_TYPES, Cohort, Id, Record

router = APIRouter(prefix="/v1", responses=AUTH_RESPONSES)


@router.get("/me", response_model=MePublic, tags=["keys"])
def me(principal: PrincipalDep, engine: EngineDep) -> MePublic:
    """Who the token belongs to: role, bound person, scopes; for a mentee, the cohorts they
    belong to with their own request in each."""
    cohorts: list[MyCohort] = []
    if principal.role == Role.MENTEE:
        for cohort in engine.store.records(Kind.COHORTS):
            if isinstance(cohort, Cohort) and principal.subject in cohort.mentee_ids:
                mine = [r for r in cohort.requests if r.mentee_id == principal.subject]
                cohorts.append(
                    MyCohort(id=cohort.id, name=cohort.name, request=mine[0] if mine else None)
                )
    return MePublic(
        key_id=principal.key_id,
        role=principal.role,
        subject=principal.subject,
        scopes=sorted(principal.scopes),
        cohorts=cohorts,
    )


@router.post("/keys", response_model=KeyCreated, status_code=201, tags=["keys"])
def create_key(body: KeyIn, keys: KeysDep, admin: AdminDep) -> KeyCreated:
    """A new key; its secret is in this answer only (stored hashed)."""
    info, secret = keys.create(
        body.role, body.subject, body.scopes, body.label, expires_in_days=body.expires_in_days
    )
    return KeyCreated(**asdict(info), secret=secret)


@router.get("/keys", response_model=KeysPublic, tags=["keys"])
def list_keys(keys: KeysDep, admin: AdminDep) -> KeysPublic:
    """Every key without its secret."""
    found = [KeyPublic(**asdict(k)) for k in keys.list()]
    return KeysPublic(data=found, count=len(found))


@router.delete("/keys/{key_id}", response_model=KeyPublic, tags=["keys"])
def revoke_key(key_id: Annotated[Id, Path()], keys: KeysDep, admin: AdminDep) -> KeyPublic:
    """Revoke a key at once."""
    return KeyPublic(**asdict(keys.revoke(key_id)))


@router.post("/ingest/{kind}", response_model=BatchResult, tags=["ingest"])
def ingest(
    kind: Literal["mentors", "mentees", "feedback", "cohorts"],
    body: BatchIn,
    engine: EngineDep,
    admin: AdminDep,
) -> BatchResult:
    """Write up to ``max_batch`` records of one kind in one transaction: all or none.

    Every invalid record is reported (``loc`` = body, records, index, field); nothing is
    written unless all are valid.
    """
    limit = engine.settings.max_batch
    if len(body.records) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"records: {len(body.records)} in one batch, at most {limit}",
        )
    record_kind = Kind(kind)
    record_type = RECORD_TYPES[record_kind]
    records: list[Record] = []
    problems: list[object] = []
    for i, raw in enumerate(body.records):
        try:
            records.append(record_type.model_validate(raw))
        except ValidationError as exc:
            problems += validation_detail(exc, ("body", "records", i))
    if problems:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems)
    result = engine.write(record_kind, records, actor=admin.actor)
    return BatchResult(inserted=result.inserted, updated=result.updated, unchanged=result.unchanged)


@router.post("/index/rebuild", response_model=ReindexPublic, tags=["index"])
def rebuild_index(engine: EngineDep, admin: AdminDep) -> ReindexPublic:
    """Rebuild the whole index from the store while requests go on; readers switch to the
    new index at once when it is complete."""
    report = engine.reindex()
    return ReindexPublic(
        mentors=len(engine.index), items=engine.index.n_items, embedded_items=report.embedded_items
    )
