"""Item vectors read back from an IVF index's 8-bit codes, for re-ranking at national scale.

At a million mentors the exact vectors (14 GB) live in a mapped file, and a re-rank that
reads a shortlist's rows from it costs a page fault per mentor whenever the system has not
kept that part of the file in memory (200 ms a request measured here with 9 GB of page
cache for a 14 GB file). The IVF index's 8-bit codes of the same items are in memory
anyway: decoding them gives each item back within quantisation error (see
``tests/recommender/retrieval/test_approx.py``), so the shortlist is re-ranked from them
without touching the disk.

FAISS stores codes list by list and moves them when items are removed, so the reader keeps
its own map of item id → (list, position), rebuilt after the index changes (one pass over
the lists' ids, paid by the first read after a write).
"""

from __future__ import annotations

import faiss
import numpy as np

_OFFSET_BITS = 32


class CodeReader:
    """Decodes items of an ``IndexIVFScalarQuantizer`` (residual 8-bit codes) by item id.

    Args:
        index: the IVF index (not copied; ``refresh`` after it changes).
    """

    def __init__(self, index: faiss.IndexIVFScalarQuantizer) -> None:
        self._index = index
        self._where = np.zeros(0, dtype=np.int64)  # item id -> list << 32 | position, -1
        self._codes: list[np.ndarray] = []  # per list: uint8 (size, code_size), no copy
        self._centroids = np.zeros((0, index.d), dtype=np.float32)
        self._residual = bool(index.by_residual)
        self._lo = self._step = np.zeros(index.d, dtype=np.float32)
        """Each dimension's lowest value and step between codes."""
        self.current = False

    @property
    def nbytes(self) -> int:
        """Bytes of the map (the codes themselves belong to the index)."""
        return int(self._where.nbytes + self._centroids.nbytes)

    def refresh(self, id_bound: int) -> None:
        """Rebuild the map for item ids below ``id_bound`` from the index's lists."""
        index = self._index
        lists, size = index.invlists, int(index.code_size)
        if lists is None:
            raise ValueError("the IVF index has no inverted lists")
        where = np.full(max(id_bound, 1), -1, dtype=np.int64)
        codes = []
        for list_no in range(index.nlist):
            n = int(lists.list_size(list_no))
            if not n:
                codes.append(np.zeros((0, size), dtype=np.uint8))
                continue
            ids = faiss.rev_swig_ptr(lists.get_ids(list_no), n)
            where[ids] = (list_no << _OFFSET_BITS) + np.arange(n, dtype=np.int64)
            data = faiss.rev_swig_ptr(lists.get_codes(list_no), n * size)
            codes.append(np.asarray(data).reshape(n, size))
        quantizer = faiss.downcast_index(index.quantizer)
        centroids = faiss.rev_swig_ptr(quantizer.get_xb(), index.nlist * index.d)  # type: ignore[attr-defined]
        self._centroids = np.array(centroids, dtype=np.float32).reshape(index.nlist, index.d)
        sq = index.sq
        if sq.qtype != faiss.ScalarQuantizer.QT_8bit:
            raise ValueError("only 8-bit codes with a range per dimension are read here")
        trained = faiss.vector_to_array(sq.trained).astype(np.float32)
        self._lo, self._step = trained[: index.d], trained[index.d :] / np.float32(255.0)
        self._where, self._codes, self.current = where, codes, True

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Decoded float32 ``(len(ids), d)`` vectors of item ``ids`` (every one must be in
        the index; KeyError otherwise)."""
        if not len(ids):
            return np.zeros((0, self._index.d), dtype=np.float32)
        order, lists, codes = self._gather(ids)
        decoded = np.asarray(self._index.sq.decode(codes), dtype=np.float32)
        if self._residual:
            decoded += self._centroids[lists]
        out = np.empty_like(decoded)
        out[order] = decoded
        return out

    def inner_products(self, queries: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """``queries @ vectors(ids).T`` (float32 ``(len(queries), len(ids))``) without
        decoding a vector: with 8-bit codes ``c``, a vector is ``centroid + lo + (c + ½)·step``
        per dimension, so its dot product with ``q`` is ``q·centroid + q·(lo + ½·step) +
        (q∘step)·c``: one product of the codes as they are against the queries scaled by
        the step, plus one term per list and one per query."""
        q = np.ascontiguousarray(queries, dtype=np.float32)
        if not len(ids):
            return np.zeros((len(q), 0), dtype=np.float32)
        lo, step = self._lo, self._step
        order, lists, codes = self._gather(ids)
        found = (codes.astype(np.float32) @ (q * step).T).T
        found += (q @ (lo + np.float32(0.5) * step))[:, None]
        if self._residual:
            used, which = np.unique(lists, return_inverse=True)
            found += (q @ self._centroids[used].T)[:, which]
        out = np.empty_like(found)
        out[:, order] = found
        return out

    def _gather(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The codes of item ``ids`` grouped list by list: the order they are in (positions
        in ``ids``), their lists, and the uint8 codes (every id must be in the index;
        KeyError otherwise)."""
        where = self._where[ids] if ids.max() < len(self._where) else np.full(1, -1)
        if (where < 0).any():
            raise KeyError("an item asked for is not in the IVF index")
        order = np.argsort(where >> _OFFSET_BITS, kind="stable")
        where = where[order]
        lists = where >> _OFFSET_BITS
        positions = where & ((1 << _OFFSET_BITS) - 1)
        bounds = np.flatnonzero(np.diff(lists)) + 1
        starts = np.concatenate(([0], bounds)).tolist()
        ends = np.concatenate((bounds, [len(order)])).tolist()
        held = self._codes
        codes = np.concatenate(
            [
                held[list_no].take(positions[start:end], axis=0)
                for list_no, start, end in zip(lists[starts].tolist(), starts, ends, strict=True)
            ]
        )
        return order, lists, codes
