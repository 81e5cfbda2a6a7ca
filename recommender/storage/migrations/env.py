"""Alembic environment: runs on the connection ``recommender.storage.migrate`` passes in.

Developers make a new revision from the repository root with::

    .venv/bin/python -m recommender.storage.migrations.revise "what changed"

which autogenerates it against a scratch database brought to the current head.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from recommender.storage.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "the store's migrations run through recommender.storage.migrate, which passes a "
            "connection (there is no alembic.ini)"
        )
    _run(connection)


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
_main()
