"""Dependencies shared by routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from recommender.engine import Engine


def get_engine(request: Request) -> Engine:
    """The engine the app's lifespan built."""
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]
