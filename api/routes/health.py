"""``GET /health``: liveness for anyone; details for admins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.auth import OptionalPrincipalDep
from api.deps import EngineDep
from api.schemas import HealthPublic
from recommender.domain.kinds import Role

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthPublic, response_model_exclude_none=True)
def health(engine: EngineDep, principal: OptionalPrincipalDep) -> dict[str, Any]:
    """``{"status": "ok"}``; with an admin token also counts, the model id and the index
    state (whether it agrees with the store)."""
    if principal is None or principal.role != Role.ADMIN:
        return {"status": "ok"}
    return engine.health()
