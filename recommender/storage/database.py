"""The database connection: SQLite's settings, write transactions, additive column upgrades.

SQLite (the default) runs in WAL mode with ``synchronous=FULL``: a write that returned is on
disk. ``secure_delete`` overwrites deleted content. Writers take the write lock when their
transaction begins (``Database.write``), so concurrent writers queue instead of failing.
Every engine hides statement parameters from error messages, wherever they are logged.

Repositories (``Store``, ``Keys``, ``ProfileChanges``, ``Drafts``) receive a ``Database``:
its session factory for reads, ``write()`` for write transactions. The SQLAlchemy engine
stays inside (pragmas, migrations).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import namedtuple
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    MetaData,
    Row,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ClauseElement

POOL_SIZE = 40
"""SQLite connections kept open (the API's default worker threads)."""


def connect(url: str) -> Engine:
    """A SQLAlchemy engine for ``url`` (SQLite: its folder made, its settings applied)."""
    kwargs: dict[str, Any] = {}
    sqlite = url.startswith("sqlite")
    if sqlite:
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        # One pooled connection per server thread (the API's thread pool has 40): with the
        # default 5 (+10 overflow) busy threads opened and closed a connection per request.
        kwargs |= {"pool_size": POOL_SIZE, "max_overflow": 10}
    # hide_parameters: an error message never quotes the values of a statement (key
    # digests, names, texts), wherever it is logged.
    engine = create_engine(url, hide_parameters=True, **kwargs)
    if sqlite:
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN comes only at the first write statement, after the
    # change number was read; transactions are begun explicitly instead (``_on_sqlite_begin``).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Deleted rows are overwritten with zeros, so erased people do not linger in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


WRITE = {"mentor_match_write": True}
"""Execution option marking a connection whose transaction will write."""


def _on_sqlite_begin(conn: Any) -> None:
    """Writers take SQLite's write lock at BEGIN (``IMMEDIATE``), so the change number they
    read is theirs alone and commits happen in change-number order, across threads and
    processes; readers begin deferred and never wait for writers (WAL)."""
    immediate = conn.get_execution_options().get("mentor_match_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_session(database: Engine) -> Iterator[Session]:
    """A write transaction on ``database``: on SQLite it holds the write lock from its start
    (``BEGIN IMMEDIATE``), so concurrent writers queue instead of failing with "database is
    locked" when a deferred transaction tries to upgrade its read lock."""
    with Session(database) as session, session.begin():
        session.connection(execution_options=WRITE)
        yield session


def add_missing_columns(conn: Connection, metadata: MetaData) -> None:
    """Add columns that ``metadata`` declares but an existing table lacks (nullable or with
    a default), so a database made by an earlier version keeps working. Only additions:
    anything else is a migration. Runs in ``conn``'s transaction (the migration lock)."""
    found = inspect(conn)
    for table in metadata.sorted_tables:
        if not found.has_table(table.name):
            continue
        have = {c["name"] for c in found.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                kind = column.type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(
                    f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'
                )


class QuickReader:
    """One plain ``sqlite3`` connection, outside SQLAlchemy, for the tiny reads made on
    every request (the change number, the caller's key): through the pool, its checkout,
    ``BEGIN`` and result handling cost about 0.5 ms; here a statement runs in autocommit
    mode in about 10 µs.
    WAL readers never wait for writers, and each statement reads the newest commit, of
    this process or any other. Threads share the connection under a lock (a read holds it
    for microseconds). The connection is read-only (``query_only``). A forked child opens
    its own: a SQLite connection must not be used across ``fork``.

    Args:
        path: the SQLite database file.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()

    def first(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        """The first row of ``sql`` (None if no row)."""
        if self._pid != os.getpid():  # forked: the parent's connection and lock stay its own
            self._lock, self._conn, self._pid = threading.Lock(), None, os.getpid()
        with self._lock:
            if self._conn is None:
                conn = sqlite3.connect(
                    self.path, timeout=10, isolation_level=None, check_same_thread=False
                )
                conn.execute("PRAGMA query_only=ON")
                self._conn = conn
            # fetchall steps the statement to its end, so no read transaction stays open
            # between calls (it would pin an old snapshot and hold back checkpoints).
            rows = self._conn.execute(sql, params).fetchall()
        return tuple(rows[0]) if rows else None

    def close(self) -> None:
        """Close the connection (the next read opens it again)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _row_type(names: list[str]) -> Any:
    """A tuple type whose fields are ``names`` (a row read by ``QuickReader``)."""
    return namedtuple("Row", names, rename=True)


def sqlite_file(engine: Engine) -> str | None:
    """The file of a SQLite ``engine`` (None for other databases and in-memory ones)."""
    if engine.dialect.name != "sqlite":
        return None
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return name


class Database:
    """One database: a session factory for repositories and write transactions.

    Attributes:
        url: the SQLAlchemy URL it was opened with.
        sessions: makes read sessions (``with database.sessions() as session``).
    """

    def __init__(self, engine: Engine, url: str | None = None) -> None:
        self._engine = engine
        self.url = url or engine.url.render_as_string(hide_password=False)
        self.sessions: sessionmaker[Session] = sessionmaker(bind=engine)
        file = sqlite_file(engine)
        self._quick = None if file is None else QuickReader(file)
        self._plain: dict[int, tuple[Executable, str, list[str], dict[str, Any], Any]] = {}

    @property
    def dialect(self) -> str:
        """The database's dialect name (``sqlite``, ``postgresql``...)."""
        return self._engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        """True for SQLite."""
        return self.dialect == "sqlite"

    def write(self) -> AbstractContextManager[Session]:
        """A write transaction (holding the write lock from its start on SQLite): all of
        it commits at the end of the ``with`` block, or none of it."""
        return write_session(self._engine)

    def scalar(self, statement: Executable, params: Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row of a read-only ``statement`` (None if no row):
        one plain connection, no ORM session (this runs on every request). Statements run
        often are best built once with ``bindparam`` placeholders and given ``params``:
        SQLAlchemy then reuses their compiled form without rebuilding its cache key."""
        with self._engine.connect() as conn:
            return conn.execute(statement, params).scalar()

    @property
    def reads_quickly(self) -> bool:
        """Whether ``quick_first`` reads a local SQLite file (microseconds, no network): an
        event loop may then call it instead of handing it to a worker thread."""
        return self._quick is not None

    def quick_first(self, statement: Executable, params: Mapping[str, Any] | None = None) -> Any:
        """``first`` for a small read made on every request (a ``select`` of plain columns
        whose values need no conversion but booleans, read as 0/1): on a SQLite file the
        statement, compiled once, runs on a ``QuickReader``. The row's columns are its
        attributes, as ``first`` gives them."""
        if self._quick is None:
            return self.first(statement, params)
        held = self._plain.get(id(statement))
        if held is None or held[0] is not statement:
            assert isinstance(statement, ClauseElement), "quick reads are select statements"
            compiled = statement.compile(dialect=self._engine.dialect)
            names = [c.key for c in getattr(statement, "selected_columns", ())]
            order = list(getattr(compiled, "positiontup", None) or [])  # SQLite: qmark
            held = (statement, str(compiled), order, dict(compiled.params), _row_type(names))
            self._plain[id(statement)] = held
        _, sql, order, defaults, row_type = held
        values = defaults if not params else {**defaults, **params}
        found = self._quick.first(sql, tuple(values[name] for name in order))
        return None if found is None else row_type(*found)

    def quick_scalar(self, statement: Executable) -> Any:
        """``scalar`` for a small read made on every request (see ``quick_first``)."""
        row = self.quick_first(statement)
        return None if row is None else row[0]

    def first(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Row[Any] | None:
        """The first row of a read-only ``statement`` (None if none), as ``scalar`` reads."""
        with self._engine.connect() as conn:
            return conn.execute(statement, params).first()

    @contextmanager
    def connection(self, write: bool = False) -> Iterator[Connection]:
        """A connection in a transaction (committed at the end), for plain SQL."""
        with self._engine.connect() as conn:
            if write:
                conn = conn.execution_options(**WRITE)
            with conn.begin():
                yield conn

    @contextmanager
    def statements(self) -> Iterator[list[str]]:
        """The SQL statements run while the block runs (for tests of query cost)."""
        seen: list[str] = []

        def record(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
            seen.append(statement)

        event.listen(self._engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(self._engine, "before_cursor_execute", record)

    def checkpoint(self) -> None:
        """Checkpoint and truncate the SQLite WAL (no-op on other databases)."""
        if self.is_sqlite:
            with self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        """Release the connection pool (and the quick reader's connection)."""
        if self._quick is not None:
            self._quick.close()
        self._engine.dispose()
