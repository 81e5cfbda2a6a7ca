"""Item vectors by storage row: a memory-mapped base read from the snapshot, and a tail.

At a million mentors the exact item vectors take 14 GB (9M × 384 float32), far more than a
server should hold in its own memory. The snapshot file is a plain ``.npy`` array; when the
index loads it, the rows are *mapped*, not read: the operating system pages in what search
touches and may drop it again, several server processes on one machine share one copy, and
the process's own memory holds only the rows added since (the *tail*). A save writes the
live rows into a new file (dead rows are dropped there: compaction comes with every save),
then maps that file in place of the tail.

Rows are addressed by one number: ``0 ≤ r < len(base)`` in the base, the rest in the tail.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np

CHUNK_ROWS = 65_536
"""Rows copied, hashed or scored at a time when going through all of them."""


def _dot_rows(out: np.ndarray, q: np.ndarray, source: np.ndarray, rows: np.ndarray) -> None:
    """``out[i, j] = q[i] · source[rows[j]]`` (all float32 C-contiguous; rows in range)."""
    if not source.flags.c_contiguous:  # a mapped file is; anything else is copied once
        source = np.ascontiguousarray(source)
    ids = np.ascontiguousarray(np.broadcast_to(rows, (len(q), len(rows))))
    faiss.fvec_inner_products_by_idx(  # type: ignore[attr-defined]  # generated binding
        faiss.swig_ptr(out),
        faiss.swig_ptr(q),
        faiss.swig_ptr(source),
        faiss.swig_ptr(ids),
        q.shape[1],
        len(q),
        len(rows),
    )


class ItemRows:
    """Float32 item vectors ``(n, dim)``: a read-only mapped base and a growable tail.

    Args:
        dim: vector dimension.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._base: np.ndarray = np.zeros((0, dim), dtype=np.float32)
        self._tail: np.ndarray = np.zeros((0, dim), dtype=np.float32)
        self._used = 0  # rows of the tail in use
        self.source: tuple[Path, str] | None = None
        """The mapped file and its SHA-256, while every row is read from it."""
        self._inode = (0, 0)  # device and inode of the mapped file

    def __len__(self) -> int:
        return len(self._base) + self._used

    @property
    def mapped(self) -> int:
        """Rows read from a mapped file (not in this process's own memory)."""
        return len(self._base)

    @property
    def nbytes(self) -> int:
        """Bytes of the tail: the rows held in this process's memory."""
        return int(self._tail.nbytes)

    @property
    def mapped_bytes(self) -> int:
        """Bytes of the mapped file's rows (paged in by the system as they are read)."""
        return int(self._base.nbytes)

    def append(self, vectors: np.ndarray) -> np.ndarray:
        """Add ``vectors`` (float32 ``(m, dim)``) after the last row; their rows (int64)."""
        m = len(vectors)
        if self._used + m > len(self._tail):
            grown = np.zeros((max(self._used + m, 2 * len(self._tail), 1024), self.dim), "float32")
            grown[: self._used] = self._tail[: self._used]
            self._tail = grown
        self._tail[self._used : self._used + m] = vectors
        self.source = None
        first = len(self)
        self._used += m
        return np.arange(first, first + m, dtype=np.int64)

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The vectors of ``rows`` (int64), float32 ``(len(rows), dim)``, a copy."""
        split = len(self._base)
        if not len(rows) or rows.max() < split:
            return np.asarray(self._base[rows])
        if rows.min() >= split:
            return np.asarray(self._tail[rows - split])
        out = np.empty((len(rows), self.dim), dtype=np.float32)
        low = rows < split
        out[low] = self._base[rows[low]]
        out[~low] = self._tail[rows[~low] - split]
        return out

    def inner_products(self, queries: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``queries @ vectors(rows).T``, float32 ``(len(queries), len(rows))``, reading each
        row where it lies: FAISS fuses the gather and the dot products (on its OpenMP
        threads), where ``take`` and a product would copy the rows out first and read
        them twice. A re-rank's few thousand rows at 100k mentors: 1.0 ms against 1.9.

        Args:
            queries: float32 ``(q, dim)``.
            rows: int64 row numbers, each below ``len(self)``.
        """
        q = np.ascontiguousarray(queries, dtype=np.float32)
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((len(q), len(rows)), dtype=np.float32)
        if not len(q) or not len(rows):
            return out
        if int(rows.min()) < 0 or int(rows.max()) >= len(self):  # FAISS reads raw memory
            raise IndexError(f"row out of range 0..{len(self) - 1}")
        split = len(self._base)
        low = rows < split
        for source, where, first in ((self._base, low, 0), (self._tail, ~low, split)):
            if where.all():  # every row in one part (the usual case): straight into ``out``
                _dot_rows(out, q, source, rows - first)
            elif where.any():
                part = np.empty((len(q), int(where.sum())), dtype=np.float32)
                _dot_rows(part, q, source, rows[where] - first)
                out[:, where] = part
        return out

    def parts(self) -> Iterator[tuple[int, np.ndarray]]:
        """``(first row, block)`` over every row, in order: the base (in large blocks, so a
        full scan never holds a whole mapped file at once) and the tail."""
        for start in range(0, len(self._base), CHUNK_ROWS * 16):
            yield start, self._base[start : start + CHUNK_ROWS * 16]
        if self._used:
            yield len(self._base), self._tail[: self._used]

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """``queries @ rows.T`` over every row, float32 ``(len(queries), n)``."""
        out = np.empty((len(queries), len(self)), dtype=np.float32)
        for start, block in self.parts():
            out[:, start : start + len(block)] = (block @ queries.T).T
        return out

    def write(self, path: Path, order: np.ndarray) -> str:
        """Write the rows ``order`` (int64, in that order) to ``path`` as a ``.npy`` array,
        durably (temp file, fsync, rename, fsync of the folder); returns the file's SHA-256."""
        writer = RowsWriter(path, self.dim, rows=len(order))
        try:
            for start in range(0, len(order), CHUNK_ROWS):
                writer.append(self.take(order[start : start + CHUNK_ROWS]))
        except BaseException:
            writer.abort()
            raise
        return writer.close()

    def map(self, path: Path, rows: int, checksum: str) -> None:
        """Serve every row from ``path`` (a vectors file of ``rows`` rows whose SHA-256 is
        ``checksum``) and let the tail go."""
        base = open_rows(path, self.dim)
        if len(base) != rows:
            raise ValueError(f"{path} holds {len(base)} rows, expected {rows}")
        self._base = base
        self._tail = np.zeros((0, self.dim), dtype=np.float32)
        self._used = 0
        self.source = (path, checksum)
        stat = path.stat()
        self._inode = (stat.st_dev, stat.st_ino)

    def is_file(self, path: Path) -> bool:
        """Whether every row is read from ``path``, still the very file that was mapped
        (another process may have replaced it since)."""
        if self.source is None or self.source[0] != path:
            return False
        try:
            stat = path.stat()
        except OSError:
            return False
        return (stat.st_dev, stat.st_ino) == self._inode

    @classmethod
    def of(cls, vectors: np.ndarray) -> ItemRows:
        """Rows held in memory (the tail), copied from ``vectors``."""
        rows = cls(vectors.shape[1])
        rows.append(np.ascontiguousarray(vectors, dtype=np.float32))
        return rows


def open_rows(path: Path, dim: int) -> np.ndarray:
    """The float32 ``(n, dim)`` array in ``path``, mapped read-only (ValueError if it is
    not one)."""
    rows: np.ndarray = np.load(path, mmap_mode="r", allow_pickle=False)
    if rows.dtype != np.float32 or rows.ndim != 2 or rows.shape[1] != dim:
        raise ValueError(f"{path.name} holds {rows.dtype} {rows.shape}, not float32 (n, {dim})")
    return rows


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks (a mapped snapshot can be many gigabytes)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):
            digest.update(block)
    return digest.hexdigest()


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


HEADER_BYTES = 128
"""Every vectors file's ``.npy`` header takes this many bytes, whatever the shape, so a
writer that learns the row count at the end can fill it in without moving the rows."""


def npy_header(rows: int, dim: int) -> bytes:
    """The ``.npy`` header of a C-ordered float32 ``(rows, dim)`` array, ``HEADER_BYTES``
    long (the rows start on a 64-byte boundary)."""
    fields = {"descr": "<f4", "fortran_order": False, "shape": (rows, dim)}
    text = repr(fields).encode("latin1")
    text += b" " * (HEADER_BYTES - 10 - len(text) - 1) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text


class RowsWriter:
    """Writes a vectors file block by block, for an index too large to build in memory:
    rows are appended as they come (temp file, fsync and rename at ``close``, which returns
    the file's SHA-256).

    Args:
        path: the file to write.
        dim: vector dimension.
        rows: how many rows will come, if known: the header is then right from the start
            and the checksum is taken as the rows are written; otherwise the header is
            filled in at ``close`` and the file read once more for its checksum.
    """

    def __init__(self, path: Path, dim: int, rows: int | None = None) -> None:
        self.path, self.dim, self.rows, self._expected = path, dim, 0, rows
        self._tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._handle = self._tmp.open("wb")
        self._digest = None if rows is None else hashlib.sha256()
        self._write(npy_header(rows or 0, dim))

    def _write(self, data: bytes) -> None:
        self._handle.write(data)
        if self._digest is not None:
            self._digest.update(data)

    def append(self, vectors: np.ndarray) -> None:
        """Add float32 ``(m, dim)`` rows."""
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors shape {vectors.shape} is not (m, {self.dim})")
        self._write(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
        self.rows += len(vectors)

    def abort(self) -> None:
        """Give up: close and delete the temporary file (the target is left as it was)."""
        self._handle.close()
        self._tmp.unlink(missing_ok=True)

    def close(self) -> str:
        """Fill in the header, make the file durable and put it in place; its SHA-256."""
        try:
            if self._expected is None:
                self._handle.seek(0)
                self._handle.write(npy_header(self.rows, self.dim))
            elif self.rows != self._expected:
                raise ValueError(f"{self.rows} rows written, {self._expected} announced")
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._tmp.replace(self.path)
        finally:
            self._handle.close()
            self._tmp.unlink(missing_ok=True)
        fsync_dir(self.path.parent)
        return file_sha256(self.path) if self._digest is None else self._digest.hexdigest()
