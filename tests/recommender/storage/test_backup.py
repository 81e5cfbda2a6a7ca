"""Backups and restores in process: ``recommender.storage.backup`` and the CLI's errors.

The unit tests back up an engine's store in process; one test copies the store in small
steps while another process writes to it. Backing up a live server from a second process is
in ``test_backup_live.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from recommender.domain.errors import MentorMatchError
from recommender.engine import Engine, build_engine
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage import backup as backup_module
from recommender.storage.backup import (
    DB_NAME,
    INDEX_META_NAME,
    INDEX_NAME,
    MANIFEST_NAME,
    BackupError,
    BackupManifest,
    backup,
    restore,
)
from recommender.storage.store import Store
from tests.conftest import FACULTY, TODAY, mentee

KINDS = ("mentors", "mentees", "feedback", "cohorts")


def _filled(make_engine: Callable[[], Engine]) -> Engine:
    engine = make_engine()
    engine.write("mentors", FACULTY)
    engine.write(
        "mentees",
        [mentee("ms1", interests=["heart failure"]), mentee("ms2", interests=["melanoma"])],
    )
    return engine


def _snapshot(store: Store) -> dict[str, list[str]]:
    return {kind: [r.model_dump_json() for r in store.records(kind)] for kind in KINDS}


def test_backup_restores_an_identical_store(
    make_engine: Callable[[], Engine],
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
    tmp_path: Path,
) -> None:
    """A backup taken with the engine open restores to the same records and change number,
    with the index snapshot, and the restored data folder serves suggestions at once."""
    engine = _filled(make_engine)
    steps: list[tuple[int, int]] = []
    manifest = backup(
        settings, tmp_path / "bk", progress=lambda d, t: steps.append((d, t)), pages_per_step=4
    )

    assert manifest.store_seq == engine.store.seq() == len(FACULTY) + 2
    assert manifest.model_id == engine.embedder.model_id
    assert manifest.index_seq == engine.index.store_seq
    assert manifest.counts == {"mentors": len(FACULTY), "mentees": 2, "feedback": 0, "cohorts": 0}
    assert len(steps) > 1 and steps[-1][0] == steps[-1][1], "not copied in steps"
    assert sorted(p.name for p in (tmp_path / "bk").iterdir()) == sorted(
        [DB_NAME, INDEX_NAME, INDEX_META_NAME, MANIFEST_NAME]
    )
    on_disk = BackupManifest.from_json((tmp_path / "bk" / MANIFEST_NAME).read_text())
    assert on_disk == manifest
    assert not (tmp_path / "bk" / f"{DB_NAME}-wal").exists(), "the copy is one file"

    target = Settings(data_dir=tmp_path / "restored")
    assert restore(tmp_path / "bk", target) == manifest
    restored = Store(target.sqlalchemy_url)
    try:
        assert restored.seq() == engine.store.seq()
        assert _snapshot(restored) == _snapshot(engine.store)
    finally:
        restored.close()
    assert target.index_path.read_bytes() == settings.index_path.read_bytes()

    again = build_engine(target, embedder=embedder, today=lambda: TODAY)
    try:
        health: Any = again.health()
        assert health["index"]["in_sync"] and health["index"]["mentors"] == len(FACULTY)
        top = again.suggest(mentee("q", interests=["melanoma early detection"]), 3)
        assert top[0].mentor_id == "derm1"
    finally:
        again.store.close()


def test_a_damaged_or_missing_backup_file_is_named(
    make_engine: Callable[[], Engine], settings: Settings, tmp_path: Path
) -> None:
    """Restore checks every checksum first and names the damaged file; nothing is written."""
    _filled(make_engine)
    backup(settings, tmp_path / "bk")
    target = Settings(data_dir=tmp_path / "restored")

    db = tmp_path / "bk" / DB_NAME
    good = db.read_bytes()
    data = bytearray(good)
    data[len(data) // 2] ^= 0xFF
    db.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=f"{DB_NAME} is damaged: SHA-256 checksum mismatch"):
        restore(tmp_path / "bk", target)
    db.write_bytes(good)

    meta = tmp_path / "bk" / INDEX_META_NAME
    meta.write_bytes(meta.read_bytes()[:-10])
    with pytest.raises(BackupError, match=f"{INDEX_META_NAME} is damaged: .* bytes"):
        restore(tmp_path / "bk", target)

    (tmp_path / "bk" / INDEX_NAME).unlink()
    with pytest.raises(BackupError, match=f"{INDEX_NAME} is missing"):
        restore(tmp_path / "bk", target)

    (tmp_path / "bk" / MANIFEST_NAME).unlink()
    with pytest.raises(BackupError, match="is not a backup"):
        restore(tmp_path / "bk", target)
    assert not target.data_dir.exists()


def test_backup_refuses_a_folder_that_is_not_empty(
    make_engine: Callable[[], Engine], settings: Settings, tmp_path: Path
) -> None:
    """OUT must be new or empty; a refused or failed backup leaves no partial folder."""
    _filled(make_engine)
    out = tmp_path / "bk"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(BackupError, match="exists and is not empty"):
        backup(settings, out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]

    empty = tmp_path / "empty"
    empty.mkdir()
    assert backup(settings, empty).store_seq > 0
    assert (empty / MANIFEST_NAME).is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_a_failed_backup_leaves_nothing(
    make_engine: Callable[[], Engine],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A snapshot whose checksum never matches fails the backup with a clear error, and
    neither OUT nor the temporary folder beside it is left behind."""
    _filled(make_engine)
    meta_path = settings.index_path.with_suffix(".meta.json")
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "checksum": "0" * 64}))
    monkeypatch.setattr(backup_module, "_SNAPSHOT_TRIES", 3)
    with pytest.raises(BackupError, match="could not be copied consistently"):
        backup(settings, tmp_path / "bk")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["var"]


def test_restore_over_an_existing_store_needs_force_and_a_stopped_server(
    make_engine: Callable[[], Engine], settings: Settings, tmp_path: Path
) -> None:
    """Without --force an existing store is kept; with it, a store held open by another
    connection (a server) is not replaced; once closed, it is, stale WAL files and all."""
    engine = _filled(make_engine)
    backup(settings, tmp_path / "bk")
    engine.write("mentors", [FACULTY[0].model_copy(update={"name": "Dr Changed"})])
    changed_seq = engine.store.seq()

    with pytest.raises(BackupError, match="already holds a store"):
        restore(tmp_path / "bk", settings)
    started = time.monotonic()
    with pytest.raises(BackupError, match=r"is in use .* stop the server"):
        restore(tmp_path / "bk", settings, force=True)
    assert time.monotonic() - started < 5
    assert engine.store.seq() == changed_seq

    engine.store.close()
    wal = Path(f"{settings.sqlalchemy_url.split('///', 1)[1]}-wal")
    wal.write_bytes(b"stale")
    manifest = restore(tmp_path / "bk", settings, force=True)
    assert not wal.exists()
    store = Store(settings.sqlalchemy_url)
    try:
        assert store.seq() == manifest.store_seq < changed_seq
        assert store.get_mentor(FACULTY[0].id).name == FACULTY[0].name
    finally:
        store.close()


def test_a_store_in_another_database_gets_a_clear_error(tmp_path: Path) -> None:
    """PostgreSQL stores are backed up with pg_dump; the URL's password is never shown."""
    settings = Settings(
        data_dir=tmp_path, database_url="postgresql+psycopg://mm:s3cret@db.example/mm"
    )
    with pytest.raises(BackupError, match="pg_dump") as caught:
        backup(settings, tmp_path / "bk")
    assert "s3cret" not in str(caught.value)
    assert isinstance(caught.value, MentorMatchError)
    with pytest.raises(BackupError, match=r"postgresql.*pg_dump"):
        restore(tmp_path / "bk", settings)


def test_cli_errors_exit_2_without_a_traceback(tmp_path: Path) -> None:
    """A library error is one ``error:`` line (after the line naming the store) and exit 2."""
    env = {"MENTOR_MATCH_DATA_DIR": str(tmp_path / "none")}
    runner = CliRunner()
    for args, message in [("backup", "no store to back up"), ("restore", "is not a backup")]:
        result = runner.invoke(app, [args, str(tmp_path / "bk")], env=env)
        text = " ".join(result.output.split())  # rich wraps long lines
        assert result.exit_code == 2, result.output
        assert text.startswith("store: ") and " error: " in text and message in text, text
        assert "Traceback" not in text


_WRITER = textwrap.dedent(
    """
    import sys
    from recommender.domain.profiles import Mentor
    from recommender.storage.store import Store

    store = Store(sys.argv[1])
    n = 0
    while True:
        store.upsert("mentors", [Mentor(id=f"w{n:06d}", name="W", career_stage="senior",
                                        specialty="internal medicine", capacity=3)])
        n += 1
        if n == 50:
            print("writing", flush=True)
    """
)


def test_backup_is_one_consistent_state_while_another_process_writes(tmp_path: Path) -> None:
    """Copied one page per step, slowly, while another process commits one mentor per
    transaction: the copy finishes (no restart loop) and holds exactly the first N mentors
    with change number N, though the live store moved on during the copy."""
    settings = Settings(data_dir=tmp_path / "var")
    store = Store(settings.sqlalchemy_url)
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, settings.sqlalchemy_url],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        seq_at_start = store.seq()
        manifest = backup(
            settings, tmp_path / "bk", progress=lambda d, t: time.sleep(0.002), pages_per_step=1
        )
        seq_after = store.seq()
    finally:
        writer.kill()
        writer.wait()
        store.close()
    copy = Store(f"sqlite:///{tmp_path / 'bk' / DB_NAME}")
    try:
        ids = sorted(copy.ids("mentors"))
        assert copy.seq() == manifest.store_seq == len(ids)
        assert ids == [f"w{n:06d}" for n in range(len(ids))], "not a prefix of the writes"
    finally:
        copy.close()
    assert seq_at_start <= manifest.store_seq < seq_after, "no write landed during the copy"
    print(
        f"\n[steps] copy at change {manifest.store_seq}; the live store went "
        f"{seq_at_start} -> {seq_after} during the {manifest.seconds:.2f} s copy"
    )
