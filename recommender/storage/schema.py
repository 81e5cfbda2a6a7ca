"""Every table of the store's database, on the one ``Base`` (for migrations and checks)."""

from __future__ import annotations

from sqlalchemy import MetaData

from recommender.storage import (
    changes,
    drafts,
    identity,
    keys,
    outbox,
    placements,
    relationships,
    shown,
    store,
)
from recommender.storage.base import Base

MODULES = (store, keys, changes, drafts, placements, relationships, outbox, shown, identity)
"""The modules declaring tables (imported so that their tables are on ``metadata``)."""

metadata: MetaData = Base.metadata
"""The tables the models declare; the migrations must produce exactly these."""
