"""Dependencies shared by routes, as ``Annotated`` types: a route declares what it needs.

Each provider reads what the app's lifespan put in ``app.state`` (engine, store, key table,
settings) or builds a per-request object from those. ``Review`` and ``Access`` are
constructed here and nowhere else in the web layer. They are ``async``: none blocks, and a
plain ``def`` dependency costs a hop to a worker thread on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.access import Access
from api.auth import PrincipalDep
from recommender.engine import Engine
from recommender.matching.lifecycle import Lifecycle
from recommender.matching.review import Review
from recommender.settings import Settings
from recommender.storage.keys import Keys
from recommender.storage.store import Store


async def get_engine(request: Request) -> Engine:
    """The engine the app's lifespan built."""
    engine: Engine = request.app.state.engine
    return engine


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> Store:
    """The record store the app's lifespan opened."""
    store: Store = request.app.state.store
    return store


async def get_lifecycle(request: Request) -> Lifecycle:
    """The relationship lifecycle the app's lifespan built (its messages nudge the courier)."""
    lifecycle: Lifecycle = request.app.state.lifecycle
    return lifecycle


async def get_keys(request: Request) -> Keys:
    """The key table the app's lifespan opened."""
    keys: Keys = request.app.state.keys
    return keys


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
KeysDep = Annotated[Keys, Depends(get_keys)]
LifecycleDep = Annotated[Lifecycle, Depends(get_lifecycle)]


async def get_review(engine: EngineDep) -> Review:
    """Drafts and the audit trail of the app's engine (the one place that builds them)."""
    return Review(engine)


ReviewDep = Annotated[Review, Depends(get_review)]


async def get_access(store: StoreDep, principal: PrincipalDep, review: ReviewDep) -> Access:
    """The authenticated caller's view of the store (401 without a valid token)."""
    return Access(store, principal, review)


AccessDep = Annotated[Access, Depends(get_access)]
