"""Schema migrations: stores of release 0.1.0 upgrade in place, new stores start at head,
the migrations make exactly the models' schema, and upgrading is idempotent and safe when
several processes open one store at once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from typer.testing import CliRunner

from cli.db import db_app
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort
from recommender.storage import migrate
from recommender.storage.changes import ProfileChanges
from recommender.storage.database import Database, connect
from recommender.storage.drafts import Drafts
from recommender.storage.keys import Keys
from recommender.storage.placements import Placements
from recommender.storage.schema import metadata
from recommender.storage.store import Store
from tests.conftest import mentor

FIXTURES = Path(__file__).with_name("fixtures")
LEGACY_SQL = FIXTURES / "store_0_1_0.sql"
LEGACY_TOKEN = "mm_fixture-secret-of-the-0-1-0-store-xxxxxxxxxxxx"
"""The coordinator key's secret in the fixture (see ``fixtures/make_store_0_1_0.py``)."""


def legacy_store(folder: Path) -> Path:
    """A SQLite file holding the 0.1.0 fixture, as release 0.1.0 left it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mentor-match.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(LEGACY_SQL.read_text("utf-8"))
    conn.close()
    return path


def tables(path: Path) -> list[tuple[str, str]]:
    """Every table and index of a SQLite file with its SQL."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    conn.close()
    return [(str(n), str(s)) for n, s in rows]


def differences(database: Database) -> list[object]:
    """What alembic finds between the database's schema and the models."""
    with database.connection() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))


def assert_legacy_content(store: Store) -> None:
    """Every record, key, draft and change of the fixture reads back."""
    assert store.counts() == {"mentors": 3, "mentees": 2, "feedback": 1, "cohorts": 1}
    assert [m.id for m in store.mentors()] == ["m1", "m2", "m3"]
    assert store.get_mentee("e1").interests == ["heart failure"]
    assert store.feedback("m1")[0].overall == 5
    cohort = store.get(Kind.COHORTS, "c1")
    assert isinstance(cohort, Cohort) and cohort.mentee_ids == ["e1", "e2"]
    principal = Keys(store.database).authenticate(LEGACY_TOKEN)
    assert principal is not None and principal.role == "coordinator"
    assert principal.scopes == frozenset({"c1"})
    rows = Drafts(store.database).of_cohort("c1")
    assert sorted(r.status for r in rows) == ["approved", "draft"]
    approved = next(r for r in rows if r.status == "approved")
    assert '"pairs"' in approved.payload
    assert [e.action for e in Drafts(store.database).events("c1")] == [
        "propose",
        "approve",
        "propose",
    ]
    # 0.1.0 added the approved draft's two mentees to current_mentees; revision 0002 moves
    # them into placements, kept by the store as placed_mentees (the free places stay).
    assert sum(m.current_mentees for m in store.mentors()) == 0
    assert {m.id: m.placed_mentees for m in store.mentors()} == {"m1": 1, "m2": 1, "m3": 0}
    assert {m.id: m.free_places for m in store.mentors()} == {"m1": 2, "m2": 2, "m3": 3}
    pairs = {
        (p["mentee_id"], p["mentor_id"]) for p in json.loads(approved.payload)["result"]["pairs"]
    }
    assert Placements(store.database).active_pairs() == pairs
    history = ProfileChanges(store.database).history("m1")
    assert history and history[0].actor == "admin:fixture"
    assert history[0].changes["capacity"] == [None, 3]


def test_a_0_1_0_store_upgrades_in_place_when_opened(tmp_path: Path) -> None:
    path = legacy_store(tmp_path / "var")
    url = f"sqlite:///{path}"
    assert migrate.current(url) is None
    store = Store(url)
    try:
        assert migrate.current(store.database) == migrate.head()
        assert_legacy_content(store)
        assert differences(store.database) == []
        store.upsert(Kind.MENTORS, [store.get_mentor("m3").model_copy(update={"capacity": 4})])
        assert store.get_mentor("m3").capacity == 4
    finally:
        store.close()


def test_db_upgrade_command_upgrades_a_0_1_0_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = legacy_store(tmp_path / "var")
    monkeypatch.setenv("MENTOR_MATCH_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MENTOR_MATCH_DATABASE_URL", raising=False)
    runner = CliRunner()
    before = runner.invoke(db_app, ["current"])
    assert before.exit_code == 0 and "unversioned" in before.output
    done = runner.invoke(db_app, ["upgrade"])
    assert done.exit_code == 0, done.output
    assert migrate.head() in done.output
    after = runner.invoke(db_app, ["current"])
    assert after.exit_code == 0 and f"{migrate.head()} (head)" in after.output
    store = Store(f"sqlite:///{path}")
    try:
        assert_legacy_content(store)
    finally:
        store.close()


def test_a_0_1_0_store_that_never_made_keys_or_drafts_gets_their_tables(tmp_path: Path) -> None:
    """0.1.0 made the key and review tables at first use, and key columns were added by
    hand: a store missing them is completed before it is stamped."""
    path = legacy_store(tmp_path / "var")
    with sqlite3.connect(path) as conn:
        for table in ("api_keys", "assignments", "audit", "profile_changes"):
            conn.execute(f'DROP TABLE "{table}"')
        # the key table as made before keys could expire
        conn.execute(
            "CREATE TABLE api_keys (id VARCHAR(32) NOT NULL, digest VARCHAR(64) NOT NULL, "
            "role VARCHAR(16) NOT NULL, subject VARCHAR(64) NOT NULL, scopes TEXT NOT NULL, "
            "label VARCHAR(200) NOT NULL, created_at VARCHAR(40) NOT NULL, "
            "revoked BOOLEAN NOT NULL, PRIMARY KEY (id))"
        )
        conn.execute("CREATE UNIQUE INDEX ix_api_keys_digest ON api_keys (digest)")
        conn.execute("CREATE INDEX ix_api_keys_subject ON api_keys (subject)")
    conn.close()
    store = Store(f"sqlite:///{path}")
    try:
        assert migrate.current(store.database) == migrate.head()
        assert store.counts()["mentors"] == 3
        info, secret = Keys(store.database).create("admin", label="ops", expires_in_days=1)
        assert info.expires_at is not None and Keys(store.database).authenticate(secret)
        assert Drafts(store.database).of_cohort("c1") == []
        assert ProfileChanges(store.database).history("m1") == []
    finally:
        store.close()


def test_a_new_store_starts_at_head_with_the_models_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    store = Store(url)
    try:
        assert migrate.current(store.database) == migrate.head()
        assert differences(store.database) == []
        assert {t.name for t in metadata.sorted_tables} == {
            "meta",
            "mentors",
            "mentees",
            "feedback",
            "cohorts",
            "embeddings",
            "api_keys",
            "profile_changes",
            "assignments",
            "audit",
            "placements",
            "relationships",
            "relationship_events",
            "outbox",
            "suggestions_shown",
            "identity_claims",
        }
    finally:
        store.close()


def test_the_initial_revision_makes_the_0_1_0_tables(tmp_path: Path) -> None:
    """Same tables, columns and indexes as release 0.1.0 made (names exactly)."""
    new = tmp_path / "new.db"
    to_revision(f"sqlite:///{new}", "0001")
    old = legacy_store(tmp_path / "old")

    def shape(path: Path) -> dict[str, list[tuple[str, str, int, int]]]:
        with sqlite3.connect(path) as conn:
            names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master")]
            out = {
                n: sorted(
                    (str(c[1]), str(c[2]), int(c[3]), int(c[5]))
                    for c in conn.execute(f'PRAGMA table_info("{n}")')
                )
                for n in names
                if "alembic_version" not in n
            }
        conn.close()
        return out

    assert shape(new) == shape(old)


def to_revision(url: str, revision: str) -> None:
    """Bring the database at ``url`` up or down to ``revision``."""
    database = Database(connect(url), url)
    try:
        with database.connection(write=True) as conn:
            here = migrate.current(database)
            step = command.upgrade if here is None or here < revision else command.downgrade
            step(migrate.config(conn), revision)
    finally:
        database.dispose()


def test_placements_downgrade_gives_the_counts_back(tmp_path: Path) -> None:
    path = legacy_store(tmp_path / "var")
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    to_revision(url, "0001")
    with sqlite3.connect(path) as conn:
        payloads = [json.loads(p) for (p,) in conn.execute("SELECT payload FROM mentors")]
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert {m["id"]: m["current_mentees"] for m in payloads} == {"m1": 1, "m2": 1, "m3": 0}
    assert not any("placed_mentees" in m for m in payloads)
    assert "placements" not in names
    store = Store(url)  # and up again
    try:
        assert {m.id: m.placed_mentees for m in store.mentors()} == {"m1": 1, "m2": 1, "m3": 0}
    finally:
        store.close()


def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    path = legacy_store(tmp_path / "var")
    url = f"sqlite:///{path}"
    assert migrate.upgrade(url) == migrate.head()
    once = tables(path)
    assert migrate.upgrade(url) == migrate.head()
    Store(url).close()
    assert tables(path) == once
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (migrate.head(),)
        ]
    conn.close()


@pytest.mark.parametrize("legacy", [False, True])
def test_processes_opening_one_store_at_once_all_succeed(tmp_path: Path, legacy: bool) -> None:
    path = legacy_store(tmp_path / "var") if legacy else tmp_path / "var" / "mentor-match.db"
    url = f"sqlite:///{path}"
    code = (
        "import sys\n"
        "from recommender.storage.store import Store\n"
        "store = Store(sys.argv[1])\n"
        "print(store.counts()['mentors'])\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err for _, err in outputs]
    assert {out.strip() for out, _ in outputs} == {"3" if legacy else "0"}
    store = Store(url)
    try:
        assert migrate.current(store.database) == migrate.head()
        assert differences(store.database) == []
    finally:
        store.close()


def test_store_accepts_an_opened_database(tmp_path: Path) -> None:
    database = migrate.open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store = Store(database)
    try:
        assert store.database is database
        store.upsert(Kind.MENTORS, [mentor("m1", capacity=1)])
        assert Store(database).get_mentor("m1").capacity == 1
    finally:
        database.dispose()
