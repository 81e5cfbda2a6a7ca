"""``GET /health``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import EngineDep
from api.schemas import HealthPublic

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthPublic)
def health(engine: EngineDep) -> dict[str, Any]:
    """Counts, the embedding model's id and the index state."""
    return engine.health()
