"""The index snapshot on disk: the vectors file, its metadata, and the IVF file beside them.

- ``index.faiss``: the live item vectors as one float32 ``.npy`` array, mentor by mentor in
  slot order (format 3; format 2 was a serialised FAISS flat index, still read).
- ``index.meta.json``: format version, model id and dimension, the store's change sequence,
  the SHA-256 of the vectors file, and per slot: the mentor id, the hash of its items, its
  first item id and its number of items (its rows follow from the counts).
- ``index.ivf``: the approximate index, if any (FAISS format), with its own checksum in the
  metadata; it is taken only if it holds exactly the snapshot's items.

Every file is written to a temporary name, flushed, fsynced and renamed, metadata last, so a
crash leaves the old snapshot or the new one (a vectors file newer than its metadata fails
the checksum and the index is rebuilt from the store). Files are only ever replaced by
rename, never rewritten in place: a server that maps the vectors file keeps reading the
version it mapped.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from recommender.domain.items import Item
from recommender.retrieval.lexical import LexicalIndex
from recommender.retrieval.rows import RowsWriter, file_sha256, fsync_dir, open_rows

SNAPSHOT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)


def items_hash(items: Sequence[Item]) -> str:
    """Fingerprint of a mentor's items: changes exactly when what is embedded changes."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(f"{item.kind}\x1f{item.text}\x1e".encode())
    return digest.hexdigest()[:32]


def meta_path(path: Path) -> Path:
    """The metadata file beside the vectors file ``path``."""
    return path.with_suffix(".meta.json")


def approx_path(path: Path) -> Path:
    """The IVF file beside the vectors file ``path``."""
    return path.with_suffix(".ivf")


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` durably: temp file, fsync, rename, fsync of the folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    fsync_dir(path.parent)


@dataclass(frozen=True)
class SlotTable:
    """Per slot: the mentor (None: free), its items' hash, first item id and item count."""

    mentor_ids: list[str | None]
    hashes: list[str]
    first_ids: np.ndarray
    counts: np.ndarray

    def as_meta(self) -> dict[str, Any]:
        return {
            "slots": self.mentor_ids,
            "hashes": self.hashes,
            "first_ids": self.first_ids.tolist(),
            "counts": self.counts.tolist(),
        }

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> SlotTable:
        """Format 3's table (ValueError if its parts disagree)."""
        ids, hashes = list(meta["slots"]), list(meta["hashes"])
        firsts = np.asarray(meta["first_ids"], dtype=np.int64)
        counts = np.asarray(meta["counts"], dtype=np.int64)
        if not len(ids) == len(hashes) == len(firsts) == len(counts):
            raise ValueError("slot table columns differ in length")
        return cls(ids, hashes, firsts, counts)


def snapshot_meta(
    model_id: str, dim: int, store_seq: int, next_id: int, checksum: str, table: SlotTable
) -> dict[str, Any]:
    """The metadata of a format-3 snapshot (without the IVF part)."""
    return {
        "version": SNAPSHOT_VERSION,
        "model_id": model_id,
        "dim": dim,
        "store_seq": store_seq,
        "next_id": next_id,
        "checksum": checksum,
        **table.as_meta(),
    }


@dataclass(frozen=True)
class Snapshot:
    """A snapshot read from disk: its metadata, slots and vectors (mapped or in memory)."""

    meta: dict[str, Any]
    table: SlotTable
    vectors: np.ndarray


def read_snapshot(path: Path, model_id: str, dim: int, map_from_rows: int) -> Snapshot | str:
    """The snapshot at ``path``, or the reason it cannot be used. Vectors files of at least
    ``map_from_rows`` rows are mapped, smaller ones read into memory."""
    meta_file = meta_path(path)
    if not path.exists() or not meta_file.exists():
        return "no snapshot"
    try:
        meta: dict[str, Any] = json.loads(meta_file.read_text())
    except (OSError, ValueError) as exc:
        return f"unreadable metadata ({exc})"
    if meta.get("version") not in READABLE_VERSIONS:
        return "snapshot format version differs"
    if meta.get("model_id") != model_id or meta.get("dim") != dim:
        return f"built with model {meta.get('model_id')}, now {model_id}"
    if file_sha256(path) != meta.get("checksum"):
        return "checksum mismatch (truncated or corrupt file)"
    try:
        if meta["version"] == SNAPSHOT_VERSION:
            table = SlotTable.from_meta(meta)
            vectors = open_rows(path, dim)
            if len(vectors) < map_from_rows:
                vectors = np.array(vectors)  # small: read into memory
        else:
            table, vectors = _read_faiss_snapshot(path, meta)
    except (KeyError, TypeError, ValueError) as exc:
        return f"inconsistent snapshot ({exc})"
    if int(table.counts.sum()) != len(vectors):
        return "slot table disagrees with the vectors"
    return Snapshot(meta, table, vectors)


def _read_faiss_snapshot(path: Path, meta: dict[str, Any]) -> tuple[SlotTable, np.ndarray]:
    """A format 1–2 snapshot (a FAISS ``IndexIDMap2(IndexFlatIP)`` and a JSON mentor map)
    as a slot table and vectors in slot order."""
    index = faiss.deserialize_index(np.fromfile(path, dtype=np.uint8))
    flat = faiss.downcast_index(index.index)  # type: ignore[attr-defined]
    n, dim = int(flat.ntotal), int(flat.d)
    stored = faiss.rev_swig_ptr(flat.get_xb(), n * dim) if n else np.zeros(0, "float32")  # type: ignore[attr-defined]
    vectors = np.array(stored, dtype=np.float32).reshape(n, dim)
    row_of = {int(i): r for r, i in enumerate(faiss.vector_to_array(index.id_map).tolist())}  # type: ignore[attr-defined]
    held: dict[str, list[Any]] = meta["mentors"]
    slots = {m: int(entry[2]) if len(entry) > 2 else -1 for m, entry in held.items()}
    size = max(slots.values(), default=-1) + 1
    for mentor_id in sorted(m for m, s in slots.items() if s < 0):  # format 1: no slots
        slots[mentor_id] = size
        size += 1
    if len(set(slots.values())) != len(slots):
        raise ValueError("two mentors share a slot")
    mentor_ids: list[str | None] = [None] * size
    hashes = [""] * size
    firsts = np.zeros(size, dtype=np.int64)
    counts = np.zeros(size, dtype=np.int64)
    order: list[int] = []
    for mentor_id, slot in sorted(slots.items(), key=lambda pair: pair[1]):
        ids = [int(i) for i in held[mentor_id][1]]
        if ids and ids != list(range(ids[0], ids[0] + len(ids))):
            raise ValueError(f"item ids of {mentor_id} are not consecutive")
        mentor_ids[slot], hashes[slot] = mentor_id, str(held[mentor_id][0])
        firsts[slot] = ids[0] if ids else int(meta["next_id"])
        counts[slot] = len(ids)
        order.extend(row_of[i] for i in ids)
    return SlotTable(mentor_ids, hashes, firsts, counts), vectors[np.asarray(order, np.int64)]


def lexical_path(path: Path) -> Path:
    """The lexical (BM25) file beside the vectors file ``path``."""
    return path.with_suffix(".lexical.npz")


def _matches(file: Path, meta: dict[str, Any] | None) -> bool:
    """Whether ``meta`` holds a checksum and ``file`` has it."""
    if not meta:
        return False
    try:
        return file_sha256(file) == meta.get("checksum")
    except OSError:
        return False


def lexical_file_ok(path: Path, meta: dict[str, Any] | None) -> bool:
    """Whether the metadata names a lexical file and the one beside ``path`` matches it."""
    return _matches(lexical_path(path), meta)


def approx_file_ok(path: Path, meta: dict[str, Any] | None) -> bool:
    """Whether the metadata describes an IVF file and the one beside ``path`` matches its
    checksum."""
    return _matches(approx_path(path), meta)


def write_snapshot(
    path: Path,
    model_id: str,
    dim: int,
    mentors: Iterable[tuple[str, Sequence[Item], np.ndarray]],
    store_seq: Callable[[], int],
) -> int:
    """Write a snapshot of ``mentors`` (id, items, float32 ``(len(items), dim)`` vectors;
    each one's slot is its position) block by block, for a program too large to build in
    memory, with the lexical index of their words: ``MentorIndex.load`` then maps it,
    ``tune`` adds an IVF index and ``save`` adds that. ``store_seq()`` is asked once every
    mentor is written. Returns the item count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = RowsWriter(path, dim)
    words = LexicalIndex()
    ids: list[str | None] = []
    hashes: list[str] = []
    counts: list[int] = []
    seen: set[str] = set()
    try:
        for mentor_id, items, vectors in mentors:
            if vectors.shape != (len(items), dim):
                raise ValueError(
                    f"{mentor_id}: vectors shape {vectors.shape} != ({len(items)}, {dim})"
                )
            if mentor_id in seen:
                raise ValueError(f"{mentor_id} appears twice")
            seen.add(mentor_id)
            writer.append(vectors)
            words.put(len(ids), [item.text for item in items])
            ids.append(mentor_id)
            hashes.append(items_hash(items))
            counts.append(len(items))
    except BaseException:
        writer.abort()
        raise
    checksum = writer.close()
    count = np.asarray(counts, dtype=np.int64)
    table = SlotTable(ids, hashes, np.cumsum(count) - count, count)
    meta = snapshot_meta(model_id, dim, store_seq(), int(count.sum()), checksum, table)
    words.save(lexical_path(path))
    meta["lexical"] = {"checksum": file_sha256(lexical_path(path))}
    approx_path(path).unlink(missing_ok=True)
    atomic_write(meta_path(path), json.dumps(meta).encode())
    return int(count.sum())
