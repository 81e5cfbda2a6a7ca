"""Schema migrations: bring a store's database to the newest Alembic revision.

``upgrade`` runs whenever a store is opened. It takes the write lock first (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock), so two processes
opening the same database at once migrate it once: the second waits, then finds it current.

A store written before migrations existed (release 0.1.0) has the tables but no
``alembic_version``: its missing columns and tables are added as the initial revision has
them, it is stamped at that revision, then upgraded like any other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect

from recommender.storage.database import Database, add_missing_columns, connect

MIGRATIONS = Path(__file__).with_name("migrations")
INITIAL = "0001"
"""The revision whose schema is that of release 0.1.0."""
_ADVISORY_LOCK = 0x6D6D5F6D69677261
"""PostgreSQL advisory lock key held while migrating ("mm_migra")."""
_IN_PROCESS = threading.Lock()
"""Alembic's ``context`` is one per process: one migration at a time here as well."""


def config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the store's migrations (no ``alembic.ini``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


@cache
def head() -> str:
    """The newest revision."""
    found = ScriptDirectory.from_config(config()).get_current_head()
    assert found is not None
    return found


def open_database(url: str) -> Database:
    """Connect to ``url`` and bring its schema to the newest revision."""
    database = Database(connect(url), url)
    upgrade(database)
    return database


def current(source: Database | Engine | str) -> str | None:
    """The database's revision, or None if it is unversioned (new, or made by 0.1.0)."""
    with _opened(source) as database, database.connection() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(source: Database | Engine | str) -> str:
    """Bring the database to the newest revision and return it (see the module docstring)."""
    with _opened(source) as database:
        if current(database) == head():
            return head()
        with _IN_PROCESS, database.connection(write=True) as conn:
            _lock(conn)
            revision = MigrationContext.configure(conn).get_current_revision()
            if revision is None and _is_legacy(conn):
                _adopt_legacy(conn)
            if revision != head():
                command.upgrade(config(conn), "head")
    return head()


@contextmanager
def _opened(source: Database | Engine | str) -> Iterator[Database]:
    """``source`` as a Database; one opened here from a URL is closed afterwards."""
    if isinstance(source, Database):
        yield source
    elif isinstance(source, Engine):
        yield Database(source)
    else:
        database = Database(connect(source), source)
        try:
            yield database
        finally:
            database.dispose()


def _lock(conn: Connection) -> None:
    """Serialise migrations across processes (SQLite: BEGIN IMMEDIATE already holds it)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})")


def _is_legacy(conn: Connection) -> bool:
    """Tables of the store are there but no ``alembic_version``: made by release 0.1.0."""
    names = set(inspect(conn).get_table_names())
    return bool(names & set(_initial_metadata().tables))


def _adopt_legacy(conn: Connection) -> None:
    """Bring a 0.1.0 store to the initial revision's schema and stamp it there.

    Release 0.1.0 made each table only when its part was first used (the keys at the first
    server start, the review tables at the first draft), and added newer key columns by
    hand: the same additions are made here, and missing tables are created.
    """
    schema = _initial_metadata()
    add_missing_columns(conn, schema)
    schema.create_all(conn, checkfirst=True)
    command.stamp(config(conn), INITIAL)


@cache
def _initial_module() -> ModuleType:
    script = ScriptDirectory.from_config(config()).get_revision(INITIAL)
    assert script is not None and script.module is not None
    return script.module


def _initial_metadata() -> MetaData:
    metadata = _initial_module().SCHEMA
    assert isinstance(metadata, MetaData)
    return metadata
