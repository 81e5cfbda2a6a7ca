"""Make a new migration revision by comparing the models with a database at head.

Run from the repository root: ``.venv/bin/python -m recommender.storage.migrations.revise
"what changed"``. Review the file it writes under ``versions/`` before committing it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from recommender.storage.database import Database, connect
from recommender.storage.migrate import config, head, upgrade


def main(message: str) -> None:
    """Autogenerate the next revision (numbered after the current head)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'scratch.db'}"
        database = Database(connect(url), url)
        upgrade(database)
        with database.connection(write=True) as conn:
            command.revision(
                config(conn), message, autogenerate=True, rev_id=f"{int(head()) + 1:04d}"
            )
        database.dispose()


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "change")
