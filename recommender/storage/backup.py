"""Online backups of the SQLite store and the FAISS index snapshot, and restores.

A backup is a folder holding three files and a manifest:

- ``mentor-match.db``: the store, copied page by page with SQLite's online backup API while
  one read transaction stays open on the live database. In WAL mode a reader never blocks
  writers, so the server goes on serving and writing during the copy, and the copy is the
  store exactly as it was at one instant (one change number): every transaction committed
  before that instant is in it, none after it, none in part. The copy is switched to a
  self-contained rollback-journal file (no ``-wal`` beside it).
- ``index.faiss`` and ``index.meta.json``: the index snapshot, copied before the store so it
  is at or behind the store's change number (the server catches it up at start). The server
  replaces the pair by atomic renames, faiss file first, so the pair is copied as: read the
  metadata, copy the faiss file, read the metadata again, and retry unless both reads agree
  and the copy's SHA-256 matches the checksum in the metadata.
- ``manifest.json``: format version, creation time (UTC), the store's change number inside the
  backup, the embedding model id, and every file's size and SHA-256.

The backup is written into a temporary folder beside ``OUT`` and renamed to ``OUT`` at the
end, so a failed backup never leaves a half-written ``OUT``. A restore checks every checksum
first, then writes temporary files into the data folder and renames them into place; it must
run with the server stopped (it checks that no process holds the store open).

Only the SQLite store is covered: a store in another database (PostgreSQL...) is backed up
with that database's own tools.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from recommender.settings import Settings
from recommender.storage.backup_archive import (
    DB_NAME,
    INDEX_META_NAME,
    INDEX_NAME,
    MANIFEST_NAME,
    BackupError,
    BackupFile,
    BackupManifest,
    BackupProgress,
    copy_file,
    describe,
    fsync_dir,
    read_manifest,
    sqlite_path,
    verify,
    write_durably,
)

__all__ = [
    "DB_NAME",
    "INDEX_META_NAME",
    "INDEX_NAME",
    "MANIFEST_NAME",
    "BackupError",
    "BackupFile",
    "BackupManifest",
    "BackupProgress",
    "backup",
    "read_manifest",
    "restore",
    "verify",
]

_RECORD_TABLES = ("mentors", "mentees", "feedback", "cohorts")
_SNAPSHOT_TRIES = 50
_LOCK_TIMEOUT_S = 0.5

# -- backup -------------------------------------------------------------------------------


def backup(
    settings: Settings,
    out: Path,
    progress: BackupProgress | None = None,
    pages_per_step: int = 256,
) -> BackupManifest:
    """Back up the store and the index snapshot into the new folder ``out``.

    Safe while a server serves and writes: the store copy is one consistent state of the
    store (see the module docstring). Nothing is left at ``out`` if the backup fails.

    Args:
        settings: where the store and the index snapshot live.
        out: the backup folder to create (it may exist if it is empty).
        progress: called after each copy step with (pages copied, pages in total).
        pages_per_step: database pages copied per step of the online backup.

    Returns:
        The manifest written as ``out/manifest.json``.

    Raises:
        BackupError: the store is not SQLite, there is no store, ``out`` is not empty, the
            index snapshot is damaged, or the copy failed (the message says why).
    """
    started = time.monotonic()
    db_path = sqlite_path(settings)
    if not db_path.is_file():
        raise BackupError(f"no store to back up at {db_path}")
    out = Path(out)
    _check_out(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    except OSError as exc:
        raise BackupError(f"cannot create the backup folder beside {out}: {exc}") from exc
    try:
        files: list[BackupFile] = []
        meta = _copy_snapshot(settings.index_path, work)
        if meta is not None:
            files += [describe(work / INDEX_NAME), describe(work / INDEX_META_NAME)]
        created_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        store_seq, counts = _copy_store(db_path, work / DB_NAME, progress, pages_per_step)
        files.insert(0, describe(work / DB_NAME))
        manifest = BackupManifest(
            created_at=created_at,
            store_seq=store_seq,
            model_id=_model_id(meta),
            index_seq=None if meta is None else int(meta.get("store_seq", 0)),
            files=tuple(files),
            counts=counts,
            seconds=round(time.monotonic() - started, 3),
        )
        write_durably(work / MANIFEST_NAME, manifest.to_json().encode())
        fsync_dir(work)
        try:
            work.replace(out)
        except OSError as exc:
            raise BackupError(f"cannot move the finished backup to {out}: {exc}") from exc
        fsync_dir(out.parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _model_id(meta: dict[str, Any] | None) -> str | None:
    value = None if meta is None else meta.get("model_id")
    return None if value is None else str(value)


def _check_out(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise BackupError(f"{out} exists and is not a folder; choose a new backup folder")
    if any(out.iterdir()):
        raise BackupError(
            f"{out} exists and is not empty; choose a new folder for each backup "
            "(a backup never overwrites another)"
        )


def _copy_store(
    db_path: Path, dest: Path, progress: BackupProgress | None, pages_per_step: int
) -> tuple[int, dict[str, int]]:
    """Copy the live store to ``dest``; return the copy's change number and record counts.

    The source connection holds one read transaction for the whole copy, so every step reads
    the same state (without it, a write from another process between steps would restart
    the copy, forever under a steady stream of writes).
    """

    def report(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    try:
        source = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=rw", uri=True, timeout=10)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open the store {db_path}: {exc}") from exc
    try:
        target = sqlite3.connect(dest)
        try:
            source.isolation_level = None
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()  # starts the read
            source.backup(target, pages=max(1, pages_per_step), progress=report)
            source.execute("COMMIT")
            # A single self-contained file: no -wal beside the copy (the server turns WAL
            # back on when it opens a restored store).
            target.execute("PRAGMA journal_mode=DELETE")
            check = target.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise BackupError(f"the copy of the store failed its integrity check: {check}")
            return _store_seq(target, db_path), _counts(target)
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(f"copying the store {db_path} failed: {exc}") from exc
    finally:
        source.close()


def _store_seq(conn: sqlite3.Connection, db_path: Path) -> int:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
    except sqlite3.OperationalError as exc:
        raise BackupError(f"{db_path} is not a mentor-match store ({exc})") from exc
    return int(row[0]) if row else 0


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    # The table names come from a fixed tuple, never from input.
    return {
        t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
        for t in _RECORD_TABLES
        if t in tables
    }


def _copy_snapshot(index_path: Path, work: Path) -> dict[str, Any] | None:
    """Copy a consistent ``index.faiss`` + ``index.meta.json`` pair into ``work``.

    Returns:
        The snapshot's metadata, or None if there is no snapshot.

    Raises:
        BackupError: the pair never read consistently (damaged, or rewritten at every try).
    """
    meta_path = index_path.with_suffix(".meta.json")
    problem = "unknown"
    for _ in range(_SNAPSHOT_TRIES):
        if not index_path.exists() and not meta_path.exists():
            return None
        try:
            before = meta_path.read_bytes()
            digest = copy_file(index_path, work / INDEX_NAME)
            after = meta_path.read_bytes()
        except FileNotFoundError as exc:  # the first save is half done, or a file vanished
            problem = f"{Path(str(exc.filename)).name} missing"
            time.sleep(0.05)
            continue
        except OSError as exc:
            raise BackupError(f"cannot read the index snapshot {index_path}: {exc}") from exc
        try:
            meta: dict[str, Any] = json.loads(after)
        except ValueError:
            meta = {}
        if before == after and meta.get("checksum") == digest:
            write_durably(work / INDEX_META_NAME, after)
            return meta
        problem = "metadata changed during the copy" if before != after else "checksum mismatch"
        time.sleep(0.05)
    raise BackupError(
        f"the index snapshot {index_path} could not be copied consistently ({problem} "
        f"{_SNAPSHOT_TRIES} times); start the server or run `mentor-match index build` to "
        "rewrite it, then back up again"
    )


# -- restore ------------------------------------------------------------------------------


def restore(backup_dir: Path, settings: Settings, force: bool = False) -> BackupManifest:
    """Restore a backup into the data folder of ``settings`` (the server must be stopped).

    Every checksum is verified before anything is touched. The files are written as
    temporary files in the data folder and renamed into place; stale ``-wal``/``-shm``/
    ``-journal`` files of the replaced store are removed first. At its next start the
    server checks the restored index snapshot against the store as usual (and catches it up
    or rebuilds it).

    Args:
        backup_dir: a folder written by ``backup``.
        settings: where the store and index snapshot go.
        force: replace a store that is already there.

    Returns:
        The restored backup's manifest.

    Raises:
        BackupError: the backup is damaged, a store exists and ``force`` is not set, the
            existing store is in use, or the store is not SQLite.
    """
    db_path = sqlite_path(settings)
    manifest = verify(Path(backup_dir))
    existing = [p for p in _db_files(db_path) if p.exists()]
    if existing and not force:
        raise BackupError(
            f"{db_path.parent} already holds a store ({existing[0].name}); restore into an "
            "empty data folder, or stop the server and use --force to replace it"
        )
    if db_path.exists():
        _check_not_in_use(db_path)
    index_path = settings.index_path
    targets = {DB_NAME: db_path, INDEX_NAME: index_path}
    targets[INDEX_META_NAME] = index_path.with_suffix(".meta.json")
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        index_path.parent.mkdir(parents=True, exist_ok=True)
        staged: dict[str, Path] = {}
        try:
            for entry in manifest.files:
                target = targets[entry.name]
                tmp = target.with_name(f".{target.name}.restore-{os.getpid()}.tmp")
                staged[entry.name] = tmp
                if copy_file(Path(backup_dir) / entry.name, tmp) != entry.sha256:
                    raise BackupError(f"backup file {entry.name} changed while it was restored")
            for stale in _db_files(db_path)[1:]:
                stale.unlink(missing_ok=True)
            if INDEX_NAME not in staged:  # an old snapshot describes another store
                for name in (INDEX_META_NAME, INDEX_NAME):
                    targets[name].unlink(missing_ok=True)
            for name in (DB_NAME, INDEX_NAME, INDEX_META_NAME):  # metadata last, as in save
                if name in staged:
                    staged.pop(name).replace(targets[name])
            for folder in {db_path.parent, index_path.parent}:
                fsync_dir(folder)
        finally:
            for tmp in staged.values():
                tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise BackupError(f"restoring into {db_path.parent} failed: {exc}") from exc
    return manifest


def _db_files(db_path: Path) -> list[Path]:
    """The store file and the files SQLite keeps beside it."""
    return [db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm", "-journal"))]


def _check_not_in_use(db_path: Path) -> None:
    """Raise if another connection (a running server) has the store open.

    In WAL mode every open connection holds a shared lock on the database file, even when
    idle, so taking the exclusive lock fails while any process uses the store.
    """
    try:
        conn = sqlite3.connect(
            f"{db_path.resolve().as_uri()}?mode=rw", uri=True, timeout=_LOCK_TIMEOUT_S
        )
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open the existing store {db_path}: {exc}") from exc
    try:
        conn.isolation_level = None
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise BackupError(
                f"the store {db_path} is in use (a server or another process has it open, so "
                "its exclusive lock could not be taken); stop the server, then restore"
            ) from exc
        # Any other problem (say, a damaged file) is what --force is there to replace.
    except sqlite3.DatabaseError:
        pass  # not a database at all: nothing can be using it as one
    finally:
        conn.close()
