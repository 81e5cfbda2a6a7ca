"""Approximate item search for large indexes: inverted lists of compressed item codes.

An exact scan reads every item vector for every request: cheap for a school, a second per
request at 100k mentors. Above a size threshold the index keeps, beside the exact vectors,
an IVF index over the same item ids (FAISS ``IndexIVFScalarQuantizer`` with 8-bit codes,
or ``IndexIVFPQ`` with product codes for the largest indexes). A request probes a few lists
to shortlist mentors, then re-ranks the shortlist exactly (``MentorIndex.search``), so the
scores a request sees are always exact; only which mentors make the shortlist is
approximate, and every build measures how often that misses one (``recall``).

Items are removed for real, so a deleted or changed mentor's old items never come back: a
removal is one pass over the lists' ids (30–60 ms a batch at 9M items here), batched per change
rather than kept in a per-item map (a hash-table direct map would cost 24 bytes an item,
216 MB at a million mentors). Lists trained on a small index grow
unbalanced as it grows, so the owner retrains when the index is several times larger than
at training (``stale``).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

import faiss
import numpy as np

from recommender.retrieval.codes import CodeReader
from recommender.retrieval.rows import file_sha256, fsync_dir

Kind = Literal["flat", "ivf-sq8", "ivf-pq"]
Requested = Literal["auto", "flat", "ivf-sq8", "ivf-pq"]
KINDS: tuple[Kind, ...] = ("flat", "ivf-sq8", "ivf-pq")

PQ_FROM_ITEMS = 10_000_000
"""From this many items ``auto`` stores product codes rather than 8-bit scalar codes (one
byte a dimension: 3.8 GB at 10M items). Measured at a million synthetic mentors (9.0M items,
3,000 lists, 16 probed): 8-bit codes shortlist the exact search's 300 mentors with recall
1.000 at a 1.2x shortlist (5 ms a request); product codes of 48 bytes reach 0.80 only when
8x as many mentors are re-ranked, 96 bytes 0.99 at 8x (30 ms search + 59 ms re-rank):
near-duplicate profiles need finer codes than product quantisation gives."""

TRAIN_POINTS_PER_LIST = 64
"""Training sample per list: k-means needs a few dozen points per centroid, not all items."""

ADD_CHUNK = 65_536
"""Vectors encoded into the lists at a time."""

RETRAIN_GROWTH = 4.0
"""Retrain once the index holds this many times the items it was trained on."""


def choose_kind(n_items: int, requested: Requested, flat_max_items: int) -> Kind:
    """The index kind for ``n_items``: ``requested`` unless ``auto``; then exact flat search
    up to ``flat_max_items``, 8-bit IVF codes above, product codes from ``PQ_FROM_ITEMS``."""
    if requested != "auto":
        return requested
    if n_items <= flat_max_items:
        return "flat"
    return "ivf-sq8" if n_items < PQ_FROM_ITEMS else "ivf-pq"


FINE_LISTS = 3_000
"""Up to this many lists, ``list_count`` gives twice √n lists (see there)."""


def list_count(n_items: int) -> int:
    """Inverted lists for ``n_items``: 2√n up to ``FINE_LISTS``, never fewer than √n;
    16–8192.

    A probe reads n / lists codes, so with twice the lists the same probes read half as
    many, at about the same candidate recall: at 100k mentors (902k items) 1,900 lists
    with 16 probes measured recall 0.998 and a suggestion about 2 ms faster than 950
    lists (0.997), for a build of 39 s instead of 20 s. Training and filling cost grows
    with lists × items, so the largest indexes keep about √n (3,000 lists at 9M items).
    """
    root = math.sqrt(max(n_items, 1))
    return int(min(8192, max(16, round(max(root, min(2 * root, FINE_LISTS))))))


def pq_subquantizers(dim: int) -> int:
    """Sub-quantisers for product codes: 8 dimensions each (48 for 384), a divisor of dim."""
    m = max(1, dim // 8)
    while dim % m:
        m -= 1
    return m


@dataclass(frozen=True)
class ApproxInfo:
    """What ``mentor-match index status`` and ``/health`` show of the approximate index."""

    kind: Kind
    lists: int
    probes: int
    trained_on: int
    train_s: float
    bytes: int


class ApproxItems:
    """An IVF index over item vectors, searched by inner product (cosine: unit rows).

    Args:
        kind: ``ivf-sq8`` or ``ivf-pq``.
        dim: vector dimension.
        lists: inverted lists (centroids).
        probes: lists read per query.
    """

    def __init__(self, kind: Kind, dim: int, lists: int, probes: int) -> None:
        if kind == "flat":
            raise ValueError("a flat index needs no approximate part")
        self.kind = kind
        self.dim = dim
        self.lists = lists
        self.probes = max(1, min(probes, lists))
        self.trained_on = 0
        self.train_s = 0.0
        quantizer = faiss.IndexFlatIP(dim)
        if kind == "ivf-sq8":
            index: faiss.IndexIVF = faiss.IndexIVFScalarQuantizer(
                quantizer, dim, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
        else:
            index = faiss.IndexIVFPQ(
                quantizer, dim, lists, pq_subquantizers(dim), 8, faiss.METRIC_INNER_PRODUCT
            )
        index.own_fields = True
        quantizer.this.disown()  # type: ignore[attr-defined]  # the IVF index frees it
        self._index = index
        self._raw: object = index
        self._reader: CodeReader | None = None

    @classmethod
    def build(
        cls,
        kind: Kind,
        vectors_of: Callable[[np.ndarray], np.ndarray],
        rows: np.ndarray,
        ids: np.ndarray,
        probes: int,
        seed: int = 0,
    ) -> ApproxItems:
        """Train on a sample of ``rows`` and add them all under ``ids`` (int64, one per
        row); ``vectors_of(rows)`` gives rows' vectors (float32 ``(len(rows), dim)``), read a
        block at a time so a mapped vectors file is never copied whole."""
        n = len(rows)
        dim = vectors_of(rows[:1]).shape[1]
        built = cls(kind, dim, list_count(n), probes)
        rng = np.random.default_rng(seed)
        want = min(n, max(built.lists * TRAIN_POINTS_PER_LIST, 10_000))
        if kind == "ivf-pq":
            want = max(want, min(n, 256 * 40))  # each sub-quantiser has 256 centroids
        chosen = rows if want >= n else rows[np.sort(rng.choice(n, want, replace=False))]
        sample = vectors_of(chosen)
        start = time.perf_counter()
        built._index.cp.max_points_per_centroid = TRAIN_POINTS_PER_LIST * 4
        built._index.cp.niter = 10
        built._index.cp.seed = seed
        built._index.train(np.ascontiguousarray(sample, dtype=np.float32))
        built.train_s = time.perf_counter() - start
        built.trained_on = n
        for start in range(0, n, ADD_CHUNK):
            part = slice(start, start + ADD_CHUNK)
            built.add(vectors_of(rows[part]), ids[part])
        return built

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def stale(self) -> bool:
        """Whether the index has grown enough past its training set to retrain."""
        return len(self) > RETRAIN_GROWTH * max(self.trained_on, 1)

    def add(self, vectors: np.ndarray, ids: np.ndarray, chunk: int = ADD_CHUNK) -> None:
        """Add item ``vectors`` under ``ids`` (encoded into the nearest list)."""
        for start in range(0, len(ids), chunk):
            block = np.ascontiguousarray(vectors[start : start + chunk], dtype=np.float32)
            self._index.add_with_ids(block, np.ascontiguousarray(ids[start : start + chunk]))
        if self._reader is not None:
            self._reader.current = False

    def remove(self, ids: np.ndarray) -> None:
        """Remove items by id (absent ids are ignored)."""
        if len(ids):
            self._index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64))  # type: ignore[arg-type]
            if self._reader is not None:
                self._reader.current = False

    def decoded(self, ids: np.ndarray, id_bound: int) -> np.ndarray | None:
        """Items ``ids`` (all below ``id_bound``) decoded from their 8-bit codes, float32
        ``(len(ids), dim)``; None for product codes (too coarse to re-rank with)."""
        reader = self._code_reader(id_bound)
        return None if reader is None else reader.vectors(ids)

    def inner_products(
        self, queries: np.ndarray, ids: np.ndarray, id_bound: int
    ) -> np.ndarray | None:
        """``queries @ decoded(ids).T`` (float32 ``(len(queries), len(ids))``), computed on
        the codes without decoding them; None for product codes."""
        reader = self._code_reader(id_bound)
        return None if reader is None else reader.inner_products(queries, ids)

    def _code_reader(self, id_bound: int) -> CodeReader | None:
        """The reader of the 8-bit codes, current for item ids below ``id_bound``."""
        if self.kind != "ivf-sq8":
            return None
        if self._reader is None:
            self._reader = CodeReader(cast(faiss.IndexIVFScalarQuantizer, self._index))
        if not self._reader.current:
            self._reader.refresh(id_bound)
        return self._reader

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest items of each query by approximate inner product: scores
        (float32) and item ids (int64, -1 where fewer were found), each ``(q, k)``."""
        params = faiss.SearchParametersIVF(nprobe=self.probes)  # type: ignore[call-arg]
        q = np.ascontiguousarray(queries, dtype=np.float32)
        scores, ids = self._index.search(q, k, params=params)
        return scores, ids

    def info(self) -> ApproxInfo:
        """Kind, lists, probes, training size and time, and bytes held."""
        return ApproxInfo(
            self.kind, self.lists, self.probes, self.trained_on, self.train_s, self.nbytes
        )

    @property
    def nbytes(self) -> int:
        """Bytes of codes, ids and centroids (an estimate from the sizes)."""
        codes = len(self)
        per_item = int(self._index.code_size) + 8  # code and id
        reader = 0 if self._reader is None else self._reader.nbytes
        return codes * per_item + self.lists * self.dim * 4 + reader

    def write(self, path: Path) -> str:
        """Write the index (FAISS format) to ``path`` durably (temp file, fsync, rename) and
        return the file's SHA-256. FAISS writes straight to the file: a gigabytes-large index
        is never copied in memory."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            faiss.write_index(self._index, str(tmp))
            with tmp.open("rb+") as handle:
                os.fsync(handle.fileno())
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        fsync_dir(path.parent)
        return file_sha256(path)

    @classmethod
    def read(
        cls, path: Path, kind: Kind, probes: int, trained_on: int, train_s: float
    ) -> ApproxItems:
        """An index ``write`` wrote (the caller checks its checksum first)."""
        raw = faiss.read_index(str(path))
        index = cast(faiss.IndexIVF, faiss.downcast_index(raw))
        out = cls.__new__(cls)
        out._raw = raw  # the wrapper that owns the C++ index: freed with it
        out.kind, out.dim, out.lists = kind, int(index.d), int(index.nlist)  # type: ignore[assignment]
        out.probes = max(1, min(probes, out.lists))
        out.trained_on, out.train_s = trained_on, train_s
        out._index = index
        out._reader = None
        return out
