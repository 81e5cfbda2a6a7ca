"""FAISS index of mentor item vectors, keyed by mentor id, with an atomic on-disk snapshot.

Each mentor's items (see ``recommender.domain.items``) are embedded separately and stored under
int64 FAISS ids; ``_owners`` maps them back to the mentor. Vectors are float32, L2-normalised,
so inner product is cosine. The snapshot (``index.faiss`` + ``index.meta.json``) records the
model id, the store's change sequence and a checksum, and is written to a temporary file,
flushed and renamed, so a crash leaves either the old or the new snapshot, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from recommender.domain.items import Item
from recommender.retrieval.embedding import Embedder, Progress

log = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1


def items_hash(items: Sequence[Item]) -> str:
    """Fingerprint of a mentor's items: changes exactly when what is embedded changes."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(f"{item.kind}\x1f{item.text}\x1e".encode())
    return digest.hexdigest()[:32]


@dataclass
class SyncReport:
    """What ``MentorIndex.sync`` changed."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded_items: int = 0

    @property
    def changed(self) -> bool:
        """True if the index content changed."""
        return bool(self.added or self.updated or self.removed)


@dataclass
class ItemMatches:
    """Exact cosine of every query item against every item of some mentors.

    ``sims[m]`` is a float32 array of shape ``(n_query_items, n_items_of_mentor_m)``.
    """

    sims: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class _DenseView:
    """The flat index's vectors as numpy, for exact scoring without copies.

    ``vectors`` is float32 ``(n_items, dim)`` in storage order (a view of FAISS's memory,
    valid until the next change); ``owners[r]`` is the ordinal in ``mentors`` of row ``r``'s
    mentor; ``row_of[item_id]`` is an item's row (-1 if removed).
    """

    vectors: np.ndarray
    owners: np.ndarray
    mentors: list[str]
    row_of: np.ndarray


class MentorIndex:
    """Item vectors of every mentor in a FAISS ``IndexIDMap2(IndexFlatIP)``.

    Args:
        model_id: id of the embedding model the vectors come from.
        dim: vector dimension.
    """

    def __init__(self, model_id: str, dim: int) -> None:
        self.model_id = model_id
        self.dim = dim
        self.store_seq = 0
        self._faiss = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._ids: dict[str, np.ndarray] = {}  # mentor id -> int64 item ids, in item order
        self._hash: dict[str, str] = {}
        self._owners: dict[int, str] = {}
        self._next_id = 0
        self._dense: _DenseView | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, mentor_id: object) -> bool:
        return mentor_id in self._ids

    @property
    def mentor_ids(self) -> set[str]:
        """Ids of indexed mentors."""
        return set(self._ids)

    @property
    def n_items(self) -> int:
        """Number of item vectors held."""
        return int(self._faiss.ntotal)

    # -- updates --------------------------------------------------------------------------

    def sync(
        self,
        profiles: Mapping[str, Sequence[Item]],
        embedder: Embedder,
        progress: Progress | None = None,
    ) -> SyncReport:
        """Make the index hold exactly ``profiles`` (mentor id → items), in place.

        Mentors absent from ``profiles`` are removed; new or changed ones are (re-)embedded.
        """
        report = SyncReport()
        for mentor_id in list(self._ids):
            if mentor_id not in profiles:
                self.remove(mentor_id)
                report.removed += 1
        todo: dict[str, Sequence[Item]] = {}
        for mentor_id, items in profiles.items():
            if self._hash.get(mentor_id) == items_hash(items):
                report.unchanged += 1
            else:
                todo[mentor_id] = items
                if mentor_id in self._ids:
                    report.updated += 1
                else:
                    report.added += 1
        texts = [item.text for items in todo.values() for item in items]
        vectors = embedder.encode(texts, progress) if texts else np.zeros((0, self.dim), "float32")
        report.embedded_items = len(texts)
        start = 0
        for mentor_id, items in todo.items():
            self.put_vectors(mentor_id, items, vectors[start : start + len(items)])
            start += len(items)
        return report

    def upsert(self, mentor_id: str, items: Sequence[Item], embedder: Embedder) -> None:
        """Add or replace one mentor (no-op when its items are unchanged)."""
        if self._hash.get(mentor_id) == items_hash(items):
            return
        self.put_vectors(mentor_id, items, embedder.encode([i.text for i in items]))

    def put_vectors(self, mentor_id: str, items: Sequence[Item], vectors: np.ndarray) -> None:
        """Store ``vectors`` (float32 ``(len(items), dim)``, unit rows) for one mentor."""
        if vectors.shape != (len(items), self.dim):
            raise ValueError(f"vectors shape {vectors.shape} != ({len(items)}, {self.dim})")
        self.remove(mentor_id)
        self._dense = None
        ids = np.arange(self._next_id, self._next_id + len(items), dtype=np.int64)
        self._next_id += len(items)
        if len(ids):
            self._faiss.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        self._ids[mentor_id] = ids
        self._hash[mentor_id] = items_hash(items)
        for item_id in ids.tolist():
            self._owners[item_id] = mentor_id

    def remove(self, mentor_id: str) -> bool:
        """Drop a mentor's vectors. True if it was indexed."""
        ids = self._ids.pop(mentor_id, None)
        self._hash.pop(mentor_id, None)
        if ids is None:
            return False
        self._dense = None
        if len(ids):
            self._faiss.remove_ids(ids)  # type: ignore[arg-type]
        for item_id in ids.tolist():
            self._owners.pop(item_id, None)
        return True

    # -- search ---------------------------------------------------------------------------

    def _view(self) -> _DenseView:
        """The stored vectors as a zero-copy numpy view, with each row's owner (rebuilt
        after a change)."""
        if self._dense is None:
            flat = faiss.downcast_index(self._faiss.index)
            n = int(flat.ntotal)
            if n:
                ptr = faiss.rev_swig_ptr(flat.get_xb(), n * self.dim)  # type: ignore[attr-defined]
                vectors = np.asarray(ptr).reshape(n, self.dim)
            else:
                vectors = np.zeros((0, self.dim), dtype=np.float32)
            item_ids = faiss.vector_to_array(self._faiss.id_map).astype(np.int64)
            mentors = sorted(self._ids)
            ordinal = {m: i for i, m in enumerate(mentors)}
            owners = np.fromiter(
                (ordinal[self._owners[int(i)]] for i in item_ids), dtype=np.int64, count=n
            )
            row_of = np.full(self._next_id, -1, dtype=np.int64)
            row_of[item_ids] = np.arange(n)
            self._dense = _DenseView(vectors, owners, mentors, row_of)
        return self._dense

    def candidates(self, queries: np.ndarray, n_mentors: int) -> list[str]:
        """Mentors whose best item is nearest to any query item (exact search).

        Args:
            queries: float32 ``(q, dim)``, unit rows.
            n_mentors: how many mentors to return (all of them if the index is smaller).

        Returns:
            Up to ``n_mentors`` mentor ids, best (highest max cosine) first.
        """
        if len(self._ids) <= n_mentors:
            return sorted(self._ids)
        view = self._view()
        best_item = (np.ascontiguousarray(queries, "float32") @ view.vectors.T).max(axis=0)
        best = np.full(len(view.mentors), -np.inf, dtype=np.float32)
        np.maximum.at(best, view.owners, best_item)
        top = np.argpartition(-best, n_mentors - 1)[:n_mentors]
        order = top[np.lexsort((top, -best[top]))]
        return [view.mentors[i] for i in order.tolist() if best[i] > -np.inf]

    def item_similarities(self, queries: np.ndarray, mentor_ids: Sequence[str]) -> ItemMatches:
        """Exact cosine of each query item against each item of each given mentor.

        Args:
            queries: float32 ``(q, dim)``, unit rows.
            mentor_ids: indexed mentors (others are skipped).
        """
        present = [m for m in mentor_ids if m in self._ids and len(self._ids[m])]
        if not present:
            return ItemMatches()
        view = self._view()
        rows = view.row_of[np.concatenate([self._ids[m] for m in present])]
        sims = np.ascontiguousarray(queries, "float32") @ view.vectors[rows].T
        out: dict[str, np.ndarray] = {}
        start = 0
        for mentor_id in present:
            n = len(self._ids[mentor_id])
            out[mentor_id] = sims[:, start : start + n]
            start += n
        return ItemMatches(out)

    # -- persistence ----------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the snapshot atomically: temp file, fsync, rename; metadata last."""
        path.parent.mkdir(parents=True, exist_ok=True)
        blob = faiss.serialize_index(self._faiss).tobytes()
        meta = {
            "version": SNAPSHOT_VERSION,
            "model_id": self.model_id,
            "dim": self.dim,
            "store_seq": self.store_seq,
            "next_id": self._next_id,
            "checksum": hashlib.sha256(blob).hexdigest(),
            "mentors": {m: [self._hash[m], ids.tolist()] for m, ids in self._ids.items()},
        }
        _atomic_write(path, blob)
        _atomic_write(_meta_path(path), json.dumps(meta).encode())

    @classmethod
    def load(cls, path: Path, model_id: str, dim: int) -> MentorIndex | None:
        """Read a snapshot; None (with a log line saying why) if missing, corrupt or stale."""
        reason = _check_snapshot(path, model_id, dim)
        if isinstance(reason, str):
            log.warning("index snapshot %s not used: %s; rebuilding from the store", path, reason)
            return None
        meta, blob = reason
        index = cls(model_id, dim)
        index._faiss = faiss.deserialize_index(np.frombuffer(blob, dtype=np.uint8))  # type: ignore[assignment]
        index.store_seq = int(meta["store_seq"])
        index._next_id = int(meta["next_id"])
        for mentor_id, (fingerprint, ids) in meta["mentors"].items():
            index._ids[mentor_id] = np.asarray(ids, dtype=np.int64)
            index._hash[mentor_id] = fingerprint
            for item_id in ids:
                index._owners[int(item_id)] = mentor_id
        if index._faiss.ntotal != len(index._owners):
            log.warning("index snapshot %s not used: id map disagrees with vectors", path)
            return None
        return index


def _meta_path(path: Path) -> Path:
    return path.with_suffix(".meta.json")


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _check_snapshot(path: Path, model_id: str, dim: int) -> str | tuple[dict[str, Any], bytes]:
    """The snapshot's metadata and bytes, or the reason it cannot be used."""
    meta_path = _meta_path(path)
    if not path.exists() or not meta_path.exists():
        return "no snapshot"
    try:
        meta: dict[str, Any] = json.loads(meta_path.read_text())
    except (OSError, ValueError) as exc:
        return f"unreadable metadata ({exc})"
    blob = path.read_bytes()
    if meta.get("version") != SNAPSHOT_VERSION:
        return "snapshot format version differs"
    if meta.get("model_id") != model_id or meta.get("dim") != dim:
        return f"built with model {meta.get('model_id')}, now {model_id}"
    if hashlib.sha256(blob).hexdigest() != meta.get("checksum"):
        return "checksum mismatch (truncated or corrupt file)"
    return meta, blob
