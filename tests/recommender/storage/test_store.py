"""The SQLite store: upserts, transactions, cascades, the change sequence, the vector cache."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from recommender.domain.errors import UnknownMentee, UnknownMentor
from recommender.domain.profiles import Cohort, Feedback
from recommender.engine import Engine
from recommender.retrieval.embedding import MODEL_CARD, SentenceTransformerEmbedder, model_card
from recommender.storage.store import Store
from tests.conftest import mentee, mentor


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_upsert_counts_and_seq(store: Store) -> None:
    first = store.upsert("mentors", [mentor("a"), mentor("b")])
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    seq = store.seq()
    again = store.upsert("mentors", [mentor("a"), mentor("b", capacity=5)])
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 1)
    assert store.seq() == seq + 1
    assert store.get_mentor("b").capacity == 5
    assert store.counts()["mentors"] == 2


def test_feedback_for_unknown_mentor_writes_nothing(store: Store) -> None:
    store.upsert("mentors", [mentor("a")])
    before = (store.seq(), store.counts())
    rows = [
        Feedback(mentee_id="p1", mentor_id="a", date="2026-01-01", overall=5),
        Feedback(mentee_id="p2", mentor_id="ghost", date="2026-01-01", overall=5),
    ]
    with pytest.raises(UnknownMentor, match="ghost"):
        store.upsert("feedback", rows)
    assert (store.seq(), store.counts()) == before


def test_delete_cascades_feedback_and_reports_missing(store: Store) -> None:
    store.upsert("mentors", [mentor("a")])
    store.upsert("mentees", [mentee("e", interests=["x"])])
    store.upsert("feedback", [Feedback(mentee_id="e", mentor_id="a", date="2026-01-01", overall=4)])
    assert store.delete("mentors", "a")
    assert store.counts() == {"mentors": 0, "mentees": 1, "feedback": 0, "cohorts": 0}
    assert not store.delete("mentors", "a")
    with pytest.raises(UnknownMentor):
        store.get_mentor("a")
    with pytest.raises(UnknownMentee):
        store.get_mentee("nobody")


def test_records_survive_reopen_and_page(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    Store(url).upsert("mentees", [mentee(f"e{i:02d}", interests=["x"]) for i in range(30)])
    reopened = Store(url)
    page = reopened.records("mentees", offset=10, limit=5)
    assert [m.id for m in page] == ["e10", "e11", "e12", "e13", "e14"]  # type: ignore[attr-defined]


def test_vector_cache_round_trip(store: Store) -> None:
    vec = np.arange(4, dtype=np.float32)
    store.cache_vectors("model@1", {"h1": vec})
    store.cache_vectors("model@1", {"h1": vec * 0})  # existing entries are kept
    found = store.cached_vectors("model@1", ["h1", "h2"])
    assert list(found) == ["h1"]
    assert np.array_equal(found["h1"], vec)
    assert store.cached_vectors("model@2", ["h1"]) == {}


def test_default_model_matches_the_pinned_card(embedder: SentenceTransformerEmbedder) -> None:
    card = model_card()
    assert MODEL_CARD.exists()
    assert embedder.model_id == card["model_id"]
    assert embedder.dim == int(card["dim"])
    vectors = embedder.encode(["a mentor in cardiology", "a mentor in cardiology"])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)


def in_threads(work: Callable[[int], None], n: int) -> list[BaseException]:
    """Run ``work(0)`` … ``work(n - 1)`` in parallel threads; the exceptions they raised."""
    errors: list[BaseException] = []

    def guarded(t: int) -> None:
        try:
            work(t)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_writers_get_distinct_change_numbers_and_the_index_keeps_up(
    engine: Engine,
) -> None:
    """Writers take the write lock at BEGIN, so change numbers are unique and in commit
    order; otherwise the engine's incremental refresh would skip rows for good."""

    def write(t: int) -> None:
        for i in range(15):
            engine.write("mentors", [mentor(f"w{t}-{i}", research_areas=[f"topic {t} {i}"])])

    assert in_threads(write, 5) == []
    with engine.store.database.connection() as conn:
        seqs = [row[0] for row in conn.execute(text("SELECT seq FROM mentors"))]
    assert len(seqs) == len(set(seqs)) == 75
    assert engine.health()["index"]["in_sync"] is True
    assert len(engine.index) == 75


def test_the_first_writes_to_a_new_store_may_race(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'race.db'}")

    def first(t: int) -> None:
        Store(store.url).upsert("cohorts", [Cohort(id=f"c{t}")])

    assert in_threads(first, 4) == [] and store.seq() == 4


def test_the_change_number_read_on_every_request_is_fresh_and_holds_no_snapshot(
    tmp_path: Path,
) -> None:
    """``seq`` is read outside SQLAlchemy (``QuickReader``) on a SQLite file: it must see
    another process's commit at once, leave no read transaction open (which would pin an
    old snapshot and keep the WAL from being truncated), and never write."""
    path = tmp_path / "quick.db"
    store = Store(f"sqlite:///{path}")
    store.upsert("mentors", [mentor("a")])
    assert store.seq() == 1
    other = subprocess.run(
        [sys.executable, "-c", WRITE_IN_ANOTHER_PROCESS, f"sqlite:///{path}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert other.returncode == 0, other.stderr
    assert store.seq() == 2
    store.database.checkpoint()
    assert Path(f"{path}-wal").stat().st_size == 0  # nothing held the WAL back
    assert store.database._quick is not None
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.database._quick.first("DELETE FROM meta")
    store.close()
    assert Store(f"sqlite:///{path}").seq() == 2


def test_a_forked_child_reads_the_change_number_on_its_own_connection(tmp_path: Path) -> None:
    """The parent has read (its quick connection is open); a forked child must not use that
    connection: it opens its own and reads the newest number."""
    store = Store(f"sqlite:///{tmp_path / 'fork.db'}")
    store.upsert("mentors", [mentor("a")])
    assert store.seq() == 1
    parent = store.database._quick
    assert parent is not None and parent._conn is not None
    opened = parent._conn
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it read and whether it reused the connection
        try:
            Store(store.url).upsert("mentors", [mentor("b")])
            seen = store.seq()
            fresh = parent._conn is not opened
            os.write(writer, f"{seen} {fresh}".encode())
        finally:
            os._exit(0)
    os.close(writer)  # a child that fails writes nothing: the read then ends, not hangs
    os.waitpid(pid, 0)
    told = os.read(reader, 64).decode()
    os.close(reader)
    assert told == "2 True"
    assert store.seq() == 2 and parent._conn is opened


WRITE_IN_ANOTHER_PROCESS = """
import sys
from recommender.storage.store import Store
from tests.conftest import mentor
Store(sys.argv[1]).upsert("mentors", [mentor("b")])
"""
