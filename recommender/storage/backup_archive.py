"""Backup folders: the manifest, file checksums, verification and durable file writes.

``recommender.storage.backup`` makes and restores backups; this module describes what a
backup folder holds and checks it (see that module for the layout).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
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
_CHUNK = 1 << 20

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


# -- reading and checking a backup -----------------------------------------------------------


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


# -- files -----------------------------------------------------------------------------------


def sqlite_path(settings: Settings) -> Path:
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


def copy_file(source: Path, dest: Path) -> str:
    """Copy ``source`` to ``dest`` (fsynced); return the SHA-256 of the bytes copied."""
    digest = hashlib.sha256()
    with dest.open("wb") as out:
        for chunk in _chunks(source):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def write_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and fsync it."""
    with path.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def describe(path: Path) -> BackupFile:
    """Size and checksum of a written backup file (fsynced first)."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())
    return BackupFile(path.name, path.stat().st_size, _sha256(path))


def fsync_dir(folder: Path) -> None:
    """Fsync a folder, so renames into it are durable (ignored where not supported)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
