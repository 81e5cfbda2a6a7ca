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
        self._where, self._codes, self.current = where, codes, True

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Decoded float32 ``(len(ids), d)`` vectors of item ``ids`` (every one must be in
        the index; KeyError otherwise)."""
        if not len(ids):
            return np.zeros((0, self._index.d), dtype=np.float32)
        where = self._where[ids] if ids.max() < len(self._where) else np.full(1, -1)
        if (where < 0).any():
            raise KeyError("an item asked for is not in the IVF index")
        lists = where >> _OFFSET_BITS
        positions = where & ((1 << _OFFSET_BITS) - 1)
        order = np.argsort(lists, kind="stable")
        sorted_lists = lists[order]
        bounds = np.flatnonzero(np.diff(sorted_lists)) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [len(order)]))
        codes = np.empty((len(ids), int(self._index.code_size)), dtype=np.uint8)
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            chosen = order[start:end]
            codes[chosen] = self._codes[int(sorted_lists[start])][positions[chosen]]
        decoded = np.asarray(self._index.sq.decode(codes), dtype=np.float32)
        return decoded + self._centroids[lists] if self._residual else decoded
