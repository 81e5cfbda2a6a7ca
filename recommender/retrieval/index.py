"""FAISS index of mentor item vectors, keyed by mentor id, with an atomic on-disk snapshot.

Each mentor's items (see ``recommender.domain.items``) are embedded separately and stored under
int64 FAISS ids. Every mentor holds a *slot*: a small integer kept while the mentor is indexed
and reused after it leaves, so mentor-side arrays (``recommender.ranking.columns``) can be
aligned with the index; ``_owner`` maps an item id to its mentor's slot. Vectors are float32,
L2-normalised, so inner product is cosine. The snapshot (``index.faiss`` +
``index.meta.json``) records the model id, the store's change sequence, the slots and a
checksum, and is written to a temporary file, flushed and renamed, so a crash leaves either
the old or the new snapshot, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from recommender.domain.items import Item
from recommender.retrieval.approx import ApproxInfo, ApproxItems, Kind, Requested, choose_kind
from recommender.retrieval.embedding import Embedder, Progress

log = logging.getLogger(__name__)

ITEMS_ASKED = 2.0
"""Nearest items an approximate search asks for, per mentor it wants (several of a mentor's
items can be near one query item)."""

RETRY_GROWTH = 4
"""An approximate search that shortlists too few allowed mentors asks once more for this many
times the items, before it falls back to scoring every allowed mentor exactly."""

SNAPSHOT_VERSION = 2
READABLE_VERSIONS = (1, 2)


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
    valid until the next change); ``owners[r]`` is the slot of row ``r``'s mentor;
    ``row_of[item_id]`` is an item's row (-1 if removed). A mentor's items are added together
    and FAISS keeps storage order when it removes, so each mentor's rows form one run:
    ``run_start``/``run_len`` per slot (-1 / 0 for a mentor without items).
    """

    vectors: np.ndarray
    owners: np.ndarray
    row_of: np.ndarray
    run_start: np.ndarray
    run_len: np.ndarray

    def rows_of(self, slots: np.ndarray) -> np.ndarray:
        """Storage rows of every item of ``slots``, slot by slot (int64)."""
        starts, lengths = self.run_start[slots], self.run_len[slots]
        keep = lengths > 0
        starts, lengths = starts[keep], lengths[keep]
        if not len(lengths):
            return np.zeros(0, dtype=np.int64)
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        return offsets + np.arange(int(lengths.sum()), dtype=np.int64)


@dataclass(frozen=True)
class IndexPolicy:
    """Which search the index uses, by size (``Settings`` gives it).

    Attributes:
        requested: ``auto`` (exact flat search up to ``flat_max_items`` items, an IVF index
            above) or a fixed kind.
        flat_max_items: the most items searched exactly by ``auto``.
        probes: inverted lists read per query item by an IVF index.
        shortlist: mentors re-ranked exactly per mentor wanted (an IVF index's shortlist is
            ``shortlist × n``).
        recall_queries: sample queries each build measures candidate recall on.
    """

    requested: Requested = "auto"
    flat_max_items: int = 20_000
    probes: int = 16
    shortlist: float = 1.2
    recall_queries: int = 24


@dataclass(frozen=True)
class Found:
    """What a search found: mentors best first, by id and slot, with their text match.

    Attributes:
        best: float32 ``(n_query_items, len(mentor_ids))``: each query item's best cosine
            among the mentor's items (NaN for a mentor without items).
    """

    mentor_ids: list[str]
    slots: np.ndarray
    best: np.ndarray


def _cosines(queries: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """``queries @ vectors.T``, float32 ``(q, n)``, computed as ``vectors @ queries.T``: with
    a handful of queries BLAS is several times faster with the long side first."""
    return np.ascontiguousarray((vectors @ queries.T).T)


def _segment_max(gathered: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``(q, Σ lengths)`` → ``(q, len(lengths))``: the max over each run of columns, in
    order (NaN for an empty run)."""
    out = np.full((len(gathered), len(lengths)), np.nan, dtype=np.float32)
    has = lengths > 0
    if has.any() and len(gathered):
        firsts = np.cumsum(lengths[has]) - lengths[has]
        out[:, has] = np.maximum.reduceat(gathered, firsts, axis=1)
    return out


def _top(best: np.ndarray, n: int, slots: np.ndarray, slot_ids: list[str | None]) -> np.ndarray:
    """Positions of the ``n`` highest finite values of ``best`` (one per entry of
    ``slots``), highest first, ties by mentor id."""
    n = min(n, len(best))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-best, n - 1)[:n]
    part = part[best[part] > -np.inf]
    ids = np.array([slot_ids[i] for i in slots[part].tolist()], dtype=object)
    return part[np.lexsort((ids, -best[part]))]


def _runs(owners: np.ndarray, n_slots: int) -> tuple[np.ndarray, np.ndarray]:
    """Start row and length of each slot's run of rows (rows of one slot are contiguous)."""
    start = np.full(n_slots, -1, dtype=np.int64)
    length = np.zeros(n_slots, dtype=np.int64)
    if not len(owners):
        return start, length
    bounds = np.flatnonzero(np.diff(owners)) + 1
    firsts = np.concatenate(([0], bounds))
    sizes = np.diff(np.concatenate((firsts, [len(owners)])))
    run_owner = owners[firsts]
    if len(np.unique(run_owner)) != len(run_owner):  # pragma: no cover - FAISS keeps order
        raise RuntimeError("index rows of one mentor are not contiguous")
    start[run_owner] = firsts
    length[run_owner] = sizes
    return start, length


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
        self._slot: dict[str, int] = {}  # mentor id -> slot
        self._slot_ids: list[str | None] = []  # slot -> mentor id (None: free)
        self._free: list[int] = []
        self._held = np.zeros(0, dtype=bool)  # slot -> a mentor holds it
        self._owner = np.zeros(0, dtype=np.int64)  # item id -> slot (-1: removed)
        self._next_id = 0
        self._dense: _DenseView | None = None
        self.policy = IndexPolicy()
        self._approx: ApproxItems | None = None
        self.recall: float | None = None
        """Candidate recall against exact search measured at the last build (None: flat)."""
        self.short_searches = 0
        """Approximate searches that found too few allowed mentors and scored the allowed
        mentors exactly instead (since start)."""

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

    @property
    def n_slots(self) -> int:
        """Length of slot-aligned arrays: one past the highest slot ever used."""
        return len(self._slot_ids)

    def slot(self, mentor_id: str) -> int:
        """The mentor's slot (KeyError if not indexed)."""
        return self._slot[mentor_id]

    def find(self, mentor_id: str) -> int | None:
        """The mentor's slot, or None if not indexed."""
        return self._slot.get(mentor_id)

    def slots(self, mentor_ids: Iterable[str]) -> np.ndarray:
        """Slots of the indexed ones among ``mentor_ids`` (int64, in the given order)."""
        found = [self._slot[m] for m in mentor_ids if m in self._slot]
        return np.asarray(found, dtype=np.int64)

    def mentor_at(self, slot: int) -> str | None:
        """The mentor holding ``slot``, or None if it is free."""
        return self._slot_ids[slot] if 0 <= slot < len(self._slot_ids) else None

    def _claim_slot(self, mentor_id: str) -> int:
        slot = self._slot.get(mentor_id)
        if slot is None:
            slot = self._free.pop() if self._free else len(self._slot_ids)
            if slot == len(self._slot_ids):
                self._slot_ids.append(mentor_id)
            else:
                self._slot_ids[slot] = mentor_id
            self._slot[mentor_id] = slot
            self._hold(slot, True)
        return slot

    # -- updates --------------------------------------------------------------------------

    def sync(
        self,
        profiles: Mapping[str, Sequence[Item]],
        embedder: Embedder,
        progress: Progress | None = None,
        only: Collection[str] | None = None,
    ) -> SyncReport:
        """Make the index hold exactly ``profiles`` (mentor id → items), in place.

        Mentors absent from ``profiles`` are removed; new or changed ones are (re-)embedded.
        ``only``: the mentors that may have changed (the others are known to be as indexed,
        so their items are not hashed again); None checks every one.
        """
        report = SyncReport()
        for mentor_id in list(self._ids):
            if mentor_id not in profiles:
                self.remove(mentor_id)
                report.removed += 1
        todo: dict[str, Sequence[Item]] = {}
        check = profiles.keys() if only is None else [m for m in only if m in profiles]
        report.unchanged = len(profiles) - len(check)
        for mentor_id in check:
            items = profiles[mentor_id]
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
        if report.changed:
            self.tune()
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
        self._drop_vectors(mentor_id)
        self._dense = None
        slot = self._claim_slot(mentor_id)
        ids = np.arange(self._next_id, self._next_id + len(items), dtype=np.int64)
        self._next_id += len(items)
        self._set_owner(ids, slot)
        if len(ids):
            self._faiss.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
            if self._approx is not None:
                self._approx.add(vectors, ids)
        self._ids[mentor_id] = ids
        self._hash[mentor_id] = items_hash(items)

    def _hold(self, slot: int, held: bool) -> None:
        if slot >= len(self._held):
            grown = np.zeros(max(slot + 1, 2 * len(self._held), 1024), dtype=bool)
            grown[: len(self._held)] = self._held
            self._held = grown
        self._held[slot] = held

    def _set_owner(self, ids: np.ndarray, slot: int) -> None:
        if self._next_id > len(self._owner):
            grown = np.full(max(self._next_id, 2 * len(self._owner), 1024), -1, dtype=np.int64)
            grown[: len(self._owner)] = self._owner
            self._owner = grown
        self._owner[ids] = slot

    def _drop_vectors(self, mentor_id: str) -> np.ndarray | None:
        ids = self._ids.pop(mentor_id, None)
        self._hash.pop(mentor_id, None)
        if ids is None:
            return None
        self._dense = None
        if len(ids):
            self._faiss.remove_ids(ids)  # type: ignore[arg-type]
            self._owner[ids] = -1
            if self._approx is not None:
                self._approx.remove(ids)
        return ids

    def remove(self, mentor_id: str) -> bool:
        """Drop a mentor's vectors and free its slot. True if it was indexed."""
        if self._drop_vectors(mentor_id) is None:
            return False
        slot = self._slot.pop(mentor_id)
        self._slot_ids[slot] = None
        self._free.append(slot)
        self._hold(slot, False)
        return True

    # -- the approximate part -------------------------------------------------------------

    @property
    def kind(self) -> Kind:
        """``flat`` (exact scan) or the kind of the IVF index that shortlists mentors."""
        return "flat" if self._approx is None else self._approx.kind

    def tune(self, policy: IndexPolicy | None = None) -> bool:
        """Adopt ``policy`` (default: the current one) and build, rebuild or drop the IVF
        index if the size now calls for another kind, or it has outgrown its training.
        Returns True when it built one (and measured its recall)."""
        if policy is not None and policy != self.policy:
            self.policy = policy
            if self._approx is not None:
                self._approx.probes = max(1, min(policy.probes, self._approx.lists))
        want = choose_kind(self.n_items, self.policy.requested, self.policy.flat_max_items)
        if want == "flat" or not len(self._ids):
            self._approx, self.recall = None, None
            return False
        if self._approx is not None and self._approx.kind == want and not self._approx.stale:
            return False
        self.build_approx(want)
        return True

    def build_approx(self, kind: Kind, seed: int = 0) -> None:
        """Train an IVF index of ``kind`` on the stored vectors, add them all, and measure
        its candidate recall against exact search."""
        view = self._view()
        ids = faiss.vector_to_array(self._faiss.id_map).astype(np.int64)
        self._approx = ApproxItems.build(kind, view.vectors, ids, self.policy.probes, seed)
        self.recall = self.measure_recall(self.policy.recall_queries, seed=seed)
        log.info(
            "%s index built over %d items in %.1f s; candidate recall %.3f",
            kind,
            len(ids),
            self._approx.train_s,
            self.recall,
        )

    def measure_recall(self, queries: int, n_mentors: int = 300, seed: int = 0) -> float:
        """Mean share of the exact search's ``n_mentors`` mentors that the approximate
        search also returns, over ``queries`` synthetic requests (1.0 when flat).

        Each request is what a mentee's query items look like to the index: two to five
        stored items of random mentors, mixed with noise and normalised.
        """
        if self._approx is None or not self._ids:
            return 1.0
        view = self._view()
        rng = np.random.default_rng(seed)
        n = min(n_mentors, len(self._ids))
        shares = []
        for _ in range(max(1, queries)):
            rows = rng.integers(0, len(view.vectors), int(rng.integers(2, 6)))
            q = view.vectors[rows] + rng.normal(0, 0.04, (len(rows), self.dim))
            q = (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)
            exact = set(self._flat_search(q, n, self._all_slots()).slots.tolist())
            found = set(self.search(q, n).slots.tolist())
            shares.append(len(exact & found) / max(1, len(exact)))
        return float(np.mean(shares))

    def approx_info(self) -> ApproxInfo | None:
        """The IVF index's shape and size (None: flat)."""
        return None if self._approx is None else self._approx.info()

    @property
    def nbytes(self) -> int:
        """Bytes held: exact vectors and ids, the IVF index if any, and the slot arrays."""
        exact = self.n_items * (self.dim * 4 + 8 + 8) + self._owner.nbytes
        return exact + (0 if self._approx is None else self._approx.nbytes)

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
            owners = self._owner[item_ids] if n else np.zeros(0, dtype=np.int64)
            row_of = np.full(self._next_id, -1, dtype=np.int64)
            row_of[item_ids] = np.arange(n)
            start, length = _runs(owners, self.n_slots)
            self._dense = _DenseView(vectors, owners, row_of, start, length)
        return self._dense

    def candidates(
        self, queries: np.ndarray, n_mentors: int, allowed: np.ndarray | None = None
    ) -> list[str]:
        """The ids ``search`` finds (see there)."""
        return self.search(queries, n_mentors, allowed).mentor_ids

    def search(
        self, queries: np.ndarray, n_mentors: int, allowed: np.ndarray | None = None
    ) -> Found:
        """Mentors whose best item is nearest to any query item (exact search).

        Args:
            queries: float32 ``(q, dim)``, unit rows.
            n_mentors: how many mentors to return (all of them if fewer are allowed).
            allowed: bool per slot (``n_slots`` long; shorter counts as False), the only
                mentors searched; None: every mentor. When few are allowed only their items
                are scored, so a cohort of 60 costs 60 mentors' items, not the whole index.

        Returns:
            Up to ``n_mentors`` mentors, best (highest max cosine) first, ties by id (when
            every allowed mentor fits: all of them, by id), with each query item's best
            cosine among each one's items.
        """
        q = np.ascontiguousarray(queries, "float32")
        if allowed is None:
            slots = self._all_slots()
        else:
            size = min(len(allowed), self.n_slots)
            slots = np.flatnonzero(allowed[:size] & self._held[:size]).astype(np.int64)
        if len(slots) <= n_mentors:
            ids = [self._slot_ids[i] for i in slots.tolist()]
            order = np.argsort(np.array(ids, dtype=object), kind="stable")
            return self._found(slots[order], self.best_per_query(q, slots[order]))
        if len(slots) * 4 <= len(self._ids):  # few allowed: score only their items
            return self._exact_among(q, n_mentors, slots)
        if self._approx is not None and len(q):
            found = self._approx_search(q, n_mentors, slots, allowed)
            if found is not None:
                return found
            self.short_searches += 1
            return self._exact_among(q, n_mentors, slots)
        return self._flat_search(q, n_mentors, slots)

    def _all_slots(self) -> np.ndarray:
        return np.flatnonzero(self._held).astype(np.int64)

    def _exact_among(self, q: np.ndarray, n_mentors: int, slots: np.ndarray) -> Found:
        """The ``n_mentors`` best of ``slots``, scoring only their items."""
        per_query = self.best_per_query(q, slots)
        if not len(q):
            return self._found(slots[:0], per_query[:, :0])
        best = np.nan_to_num(per_query.max(axis=0), nan=-np.inf)
        chosen = _top(best, n_mentors, slots, self._slot_ids)
        return self._found(slots[chosen], per_query[:, chosen])

    def _approx_search(
        self, q: np.ndarray, n_mentors: int, slots: np.ndarray, allowed: np.ndarray | None
    ) -> Found | None:
        """Shortlist mentors through the IVF index, then re-rank the shortlist exactly.

        Each query item asks for enough items that, after dropping those of mentors the
        mask leaves out, about ``shortlist × n_mentors`` mentors remain, and once more for
        ``RETRY_GROWTH`` times as many if fewer than ``n_mentors`` allowed mentors turn up;
        None when they still do not (the caller then scores the allowed mentors exactly).
        """
        assert self._approx is not None
        density = len(slots) / max(1, len(self._ids))
        per_mentor = self.n_items / max(1, len(self._ids))
        want = int(np.ceil(self.policy.shortlist * n_mentors))
        k = int(min(len(self._approx), np.ceil(want * min(per_mentor, ITEMS_ASKED) / density)))
        found = self._shortlist(q, n_mentors, slots, allowed, want, k)
        if found is None and k < len(self._approx):
            # Too few distinct mentors among the nearest items (near-duplicate profiles
            # crowd them): ask for more items once, still far cheaper than scoring everyone.
            found = self._shortlist(q, n_mentors, slots, allowed, want, k * RETRY_GROWTH)
        return found

    def _shortlist(
        self,
        q: np.ndarray,
        n_mentors: int,
        slots: np.ndarray,
        allowed: np.ndarray | None,
        want: int,
        k: int,
    ) -> Found | None:
        """``_approx_search`` with ``k`` nearest items per query item."""
        assert self._approx is not None
        scores, item_ids = self._approx.search(q, max(1, min(k, len(self._approx))))
        hit = item_ids >= 0
        owners = self._owner[item_ids[hit]]
        approx = scores[hit]
        keep = owners >= 0
        if allowed is not None:
            held = np.zeros(self.n_slots, dtype=bool)
            size = min(len(allowed), self.n_slots)
            held[:size] = allowed[:size]
            keep &= held[np.where(keep, owners, 0)]
        owners, approx = owners[keep], approx[keep]
        if len(owners) == 0:
            return None
        order = np.lexsort((-approx, owners))  # by owner, best score first
        owners, approx = owners[order], approx[order]
        first = np.concatenate(([True], owners[1:] != owners[:-1]))
        shortlist, best = owners[first], approx[first]
        if len(shortlist) < min(n_mentors, len(slots)):
            return None
        if len(shortlist) > want:
            shortlist = shortlist[np.argpartition(-best, want - 1)[:want]]
        return self._exact_among(q, n_mentors, np.sort(shortlist))

    def _flat_search(self, q: np.ndarray, n_mentors: int, slots: np.ndarray) -> Found:
        """Exact scan of every stored item, best item per mentor, top ``n_mentors`` of
        ``slots``."""
        view = self._view()
        sims = _cosines(q, view.vectors) if len(view.owners) else np.zeros((len(q), 0), "float32")
        best = np.full(self.n_slots, -np.inf, dtype=np.float32)
        if sims.shape[1] and len(q):
            has = np.flatnonzero(view.run_len)
            has = has[np.argsort(view.run_start[has])]  # runs in storage order tile the rows
            best[has] = np.maximum.reduceat(sims.max(axis=0), view.run_start[has])
        chosen = _top(best[slots], n_mentors, slots, self._slot_ids)
        top = slots[chosen]
        return self._found(top, self._per_query(sims, view, top))

    def _found(self, slots: np.ndarray, per_query: np.ndarray) -> Found:
        ids = [str(self._slot_ids[i]) for i in slots.tolist()]
        return Found(ids, slots, per_query)

    @staticmethod
    def _per_query(sims: np.ndarray, view: _DenseView, slots: np.ndarray) -> np.ndarray:
        """Each query's best cosine per slot, from ``sims`` over every stored row."""
        return _segment_max(sims[:, view.rows_of(slots)], view.run_len[slots])

    def best_per_query(self, queries: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Each query item's best cosine among each slot's items: float32
        ``(len(queries), len(slots))``, NaN for a slot without items."""
        view = self._view()
        q = np.ascontiguousarray(queries, "float32")
        rows = view.rows_of(slots)
        if len(rows) * 4 >= len(view.vectors):  # most rows: one product, no copy of vectors
            sims = _cosines(q, view.vectors)[:, rows]
        else:
            sims = _cosines(q, view.vectors[rows])
        return _segment_max(sims, view.run_len[slots])

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
        sims = _cosines(np.ascontiguousarray(queries, "float32"), view.vectors[rows])
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
            "mentors": {
                m: [self._hash[m], ids.tolist(), self._slot[m]] for m, ids in self._ids.items()
            },
        }
        if self._approx is not None:
            approx = self._approx.to_bytes()
            _atomic_write(_approx_path(path), approx)
            info = self._approx.info()
            meta["approx"] = {
                "kind": info.kind,
                "trained_on": info.trained_on,
                "train_s": info.train_s,
                "recall": self.recall,
                "checksum": hashlib.sha256(approx).hexdigest(),
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
        held = meta["mentors"]
        slots = {m: int(entry[2]) for m, entry in held.items() if len(entry) > 2}
        if len(set(slots.values())) != len(slots):
            log.warning("index snapshot %s not used: two mentors share a slot", path)
            return None
        size = max(slots.values(), default=-1) + 1
        index._slot_ids = [None] * size
        for mentor_id, slot in slots.items():
            index._slot[mentor_id] = slot
            index._slot_ids[slot] = mentor_id
            index._hold(slot, True)
        index._free = [i for i in reversed(range(size)) if index._slot_ids[i] is None]
        for mentor_id, entry in sorted(held.items()):
            ids = np.asarray(entry[1], dtype=np.int64)
            index._ids[mentor_id] = ids
            index._hash[mentor_id] = entry[0]
            index._set_owner(ids, index._claim_slot(mentor_id))
        held_items = sum(len(ids) for ids in index._ids.values())
        if index._faiss.ntotal != held_items:
            log.warning("index snapshot %s not used: id map disagrees with vectors", path)
            return None
        index._load_approx(path, meta.get("approx"))
        return index

    def _load_approx(self, path: Path, meta: dict[str, Any] | None) -> None:
        """Take the snapshot's IVF index if it is whole and holds every item (otherwise
        ``tune`` builds one when the size calls for it)."""
        if not meta:
            return
        try:
            blob = _approx_path(path).read_bytes()
        except OSError:
            return
        if hashlib.sha256(blob).hexdigest() != meta.get("checksum"):
            log.warning("IVF index beside %s not used: checksum mismatch", path)
            return
        approx = ApproxItems.from_bytes(
            blob, meta["kind"], self.policy.probes, int(meta["trained_on"]), meta["train_s"]
        )
        if len(approx) == self.n_items:
            self._approx, self.recall = approx, meta.get("recall")


def _meta_path(path: Path) -> Path:
    return path.with_suffix(".meta.json")


def _approx_path(path: Path) -> Path:
    return path.with_suffix(".ivf")


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
    if meta.get("version") not in READABLE_VERSIONS:
        return "snapshot format version differs"
    if meta.get("model_id") != model_id or meta.get("dim") != dim:
        return f"built with model {meta.get('model_id')}, now {model_id}"
    if hashlib.sha256(blob).hexdigest() != meta.get("checksum"):
        return "checksum mismatch (truncated or corrupt file)"
    return meta, blob
