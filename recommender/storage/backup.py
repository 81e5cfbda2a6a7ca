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

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from recommender.domain.errors import MentorMatchError
from recommender.settings import Settings

FORMAT_VERSION = 1
"""Version of the backup layout and manifest; ``restore`` refuses other versions."""

MANIFEST_NAME = "manifest.json"
DB_NAME = "mentor-match.db"
INDEX_NAME = "index.faiss"
INDEX_META_NAME = "index.meta.json"
_KNOWN_FILES = (DB_NAME, INDEX_NAME, INDEX_META_NAME)
_RECORD_TABLES = ("mentors", "mentees", "feedback", "cohorts")
_CHUNK = 1 << 20
_SNAPSHOT_TRIES = 50
_LOCK_TIMEOUT_S = 0.5

BackupProgress = Callable[[int, int], None]
"""Called after each step of the store copy with (pages copied, pages in total)."""


class BackupError(MentorMatchError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupFile:
    """One file of a backup.

    Attributes:
        name: file name inside the backup folder.
        size: size in bytes.
        sha256: SHA-256 hex digest of the content.
    """

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class BackupManifest:
    """What a backup holds (``manifest.json``).

    Attributes:
        created_at: when the store was copied, UTC, ISO 8601.
        store_seq: the store's change number inside the backup.
        model_id: embedding model of the index snapshot (None: no snapshot was backed up).
        index_seq: store change number the index snapshot was saved at (None: no snapshot).
        files: every file of the backup but the manifest, with size and checksum.
        counts: records of each kind inside the backed-up store.
        seconds: how long the backup took.
        version: the backup format version.
    """

    created_at: str
    store_seq: int
    model_id: str | None
    index_seq: int | None
    files: tuple[BackupFile, ...]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    version: int = FORMAT_VERSION

    @property
    def size(self) -> int:
        """Bytes of all the backup's files (the manifest excepted)."""
        return sum(f.size for f in self.files)

    def file(self, name: str) -> BackupFile | None:
        """The entry of one file, or None if the backup does not hold it."""
        return next((f for f in self.files if f.name == name), None)

    def to_json(self) -> str:
        """The manifest as indented JSON."""
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> BackupManifest:
        """Parse a manifest.

        Raises:
            BackupError: the text is not a manifest of a supported version.
        """
        try:
            data: dict[str, Any] = json.loads(text)
            version = int(data["version"])
            if version != FORMAT_VERSION:
                raise BackupError(
                    f"backup format version {version} is not supported (this version of "
                    f"mentor-match reads version {FORMAT_VERSION})"
                )
            files = tuple(
                BackupFile(str(f["name"]), int(f["size"]), str(f["sha256"])) for f in data["files"]
            )
            index_seq = data.get("index_seq")
            return cls(
                created_at=str(data["created_at"]),
                store_seq=int(data["store_seq"]),
                model_id=None if data.get("model_id") is None else str(data["model_id"]),
                index_seq=None if index_seq is None else int(index_seq),
                files=files,
                counts={str(k): int(v) for k, v in dict(data.get("counts", {})).items()},
                seconds=float(data.get("seconds", 0.0)),
                version=version,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"{MANIFEST_NAME} is not a valid backup manifest ({exc})") from exc


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
    db_path = _sqlite_path(settings)
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
            files += [_describe(work / INDEX_NAME), _describe(work / INDEX_META_NAME)]
        created_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        store_seq, counts = _copy_store(db_path, work / DB_NAME, progress, pages_per_step)
        files.insert(0, _describe(work / DB_NAME))
        manifest = BackupManifest(
            created_at=created_at,
            store_seq=store_seq,
            model_id=_model_id(meta),
            index_seq=None if meta is None else int(meta.get("store_seq", 0)),
            files=tuple(files),
            counts=counts,
            seconds=round(time.monotonic() - started, 3),
        )
        _write_durably(work / MANIFEST_NAME, manifest.to_json().encode())
        _fsync_dir(work)
        try:
            work.replace(out)
        except OSError as exc:
            raise BackupError(f"cannot move the finished backup to {out}: {exc}") from exc
        _fsync_dir(out.parent)
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
            digest = _copy_file(index_path, work / INDEX_NAME)
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
            _write_durably(work / INDEX_META_NAME, after)
            return meta
        problem = "metadata changed during the copy" if before != after else "checksum mismatch"
        time.sleep(0.05)
    raise BackupError(
        f"the index snapshot {index_path} could not be copied consistently ({problem} "
        f"{_SNAPSHOT_TRIES} times); start the server or run `mentor-match index build` to "
        "rewrite it, then back up again"
    )


# -- restore ------------------------------------------------------------------------------


def read_manifest(backup_dir: Path) -> BackupManifest:
    """The manifest of a backup folder.

    Raises:
        BackupError: no readable manifest.
    """
    path = Path(backup_dir) / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BackupError(f"{backup_dir} is not a backup: cannot read {MANIFEST_NAME}") from exc
    return BackupManifest.from_json(text)


def verify(backup_dir: Path) -> BackupManifest:
    """Check every file of a backup against its manifest (size and SHA-256).

    Raises:
        BackupError: a file is missing, of the wrong size or damaged (the message names it).
    """
    backup_dir = Path(backup_dir)
    manifest = read_manifest(backup_dir)
    names = [f.name for f in manifest.files]
    unknown = sorted(set(names) - set(_KNOWN_FILES))
    if unknown:
        raise BackupError(f"{MANIFEST_NAME} lists unexpected files {unknown}")
    if DB_NAME not in names:
        raise BackupError(f"{MANIFEST_NAME} does not list the store ({DB_NAME})")
    if (INDEX_NAME in names) != (INDEX_META_NAME in names):
        raise BackupError(f"{MANIFEST_NAME} lists only half of the index snapshot")
    for entry in manifest.files:
        path = backup_dir / entry.name
        if not path.is_file():
            raise BackupError(f"backup file {entry.name} is missing from {backup_dir}")
        if path.stat().st_size != entry.size:
            raise BackupError(
                f"backup file {entry.name} is damaged: {path.stat().st_size} bytes, the "
                f"manifest says {entry.size}"
            )
        if _sha256(path) != entry.sha256:
            raise BackupError(f"backup file {entry.name} is damaged: SHA-256 checksum mismatch")
    return manifest


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
    db_path = _sqlite_path(settings)
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
                if _copy_file(Path(backup_dir) / entry.name, tmp) != entry.sha256:
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
                _fsync_dir(folder)
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


# -- helpers ------------------------------------------------------------------------------


def _sqlite_path(settings: Settings) -> Path:
    """The store's file, or a clear error for stores that are not SQLite files."""
    try:
        url = make_url(settings.sqlalchemy_url)
    except ArgumentError as exc:
        raise BackupError(f"the database URL is not valid ({exc})") from exc
    backend = url.get_backend_name()
    if backend != "sqlite":
        raise BackupError(
            f"`mentor-match backup` and `restore` cover the SQLite store only; this store is "
            f"in {backend}: back it up with the database's own tools (e.g. pg_dump and "
            "pg_restore for PostgreSQL); the index snapshot is rebuilt from the store at start"
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite store cannot be backed up or restored")
    return Path(url.database)


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    for chunk in _chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


def _copy_file(source: Path, dest: Path) -> str:
    """Copy ``source`` to ``dest`` (fsynced); return the SHA-256 of the bytes copied."""
    digest = hashlib.sha256()
    with dest.open("wb") as out:
        for chunk in _chunks(source):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _write_durably(path: Path, data: bytes) -> None:
    with path.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _describe(path: Path) -> BackupFile:
    """Size and checksum of a written backup file (fsynced first)."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())
    return BackupFile(path.name, path.stat().st_size, _sha256(path))


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
