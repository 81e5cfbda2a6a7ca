"""``mentor-match db``: bring the store's schema to the newest revision, or show its revision.

The server and every command upgrade the store when they open it; ``db upgrade`` does it
on its own (say, before starting several servers at once, or to see that it worked).
"""

from __future__ import annotations

import typer

from cli.common import announce_store, console, fail
from recommender.settings import Settings

db_app = typer.Typer(
    help="Database schema: upgrade a store to the newest revision.", no_args_is_help=True
)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the configured store to the newest schema revision and print it."""
    from sqlalchemy.exc import SQLAlchemyError

    from recommender.storage.migrate import upgrade

    try:
        settings = Settings()
        announce_store(settings)
        revision = upgrade(settings.sqlalchemy_url)
    except SQLAlchemyError as exc:
        fail(f"upgrading the store failed: {exc}", cause=exc)
    console.print(f"store at revision {revision} (head)")


@db_app.command("current")
def db_current() -> None:
    """Print the configured store's schema revision (or say it is unversioned)."""
    from recommender.storage.migrate import current, head

    settings = Settings()
    announce_store(settings)
    revision = current(settings.sqlalchemy_url)
    if revision is None:
        console.print("store is unversioned (new, or made by 0.1.0): run `mentor-match db upgrade`")
    else:
        suffix = " (head)" if revision == head() else f" (head is {head()})"
        console.print(f"store at revision {revision}{suffix}")
