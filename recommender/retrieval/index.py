"""Mentor item vectors by slot, exact and approximate search, and the on-disk snapshot.

Each mentor's items (see ``recommender.domain.items``) are embedded separately. Every mentor
holds a *slot*: a small integer kept while the mentor is indexed and reused after it leaves,
so mentor-side arrays (``recommender.ranking.columns``) can be aligned with the index. Its
vectors are one run of rows in ``ItemRows`` (float32, L2-normalised, so inner product is
cosine) and its items have consecutive int64 item ids, the ids an IVF index (``approx``)
returns; ``_owner`` maps an item id to its mentor's slot. The snapshot is described in
``index_files``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from recommender.domain.items import Item
from recommender.domain.pooling import DEFAULT_TEMPERATURE, segment_pool
from recommender.retrieval.approx import ApproxInfo, ApproxItems, Kind, Requested, choose_kind
from recommender.retrieval.embedding import Embedder, Progress
from recommender.retrieval.index_files import (
    SlotTable,
    approx_file_ok,
    approx_path,
    atomic_write,
    items_hash,
    lexical_file_ok,
    lexical_path,
    meta_path,
    read_snapshot,
    snapshot_meta,
    write_snapshot,
)
from recommender.retrieval.lexical import LexicalIndex
from recommender.retrieval.rows import ItemRows, file_sha256

__all__ = [
    "Found",
    "IndexPolicy",
    "ItemMatches",
    "MentorIndex",
    "RecallProbe",
    "SyncReport",
    "items_hash",
    "write_snapshot",
]

log = logging.getLogger(__name__)

ITEMS_ASKED = 2.0
"""Nearest items an approximate search asks for, per mentor it wants (several of a mentor's
items can be near one query item)."""

RECALL_ON_REQUESTS = "mentee queries"
RECALL_ON_SYNTHETIC = "synthetic queries"
"""What a build's recall was measured on: real requests' query vectors (the engine's stored
mentees') or, without them, queries made from stored items mixed with noise. Synthetic
queries lie near the items they come from and overstate recall: at 100k synthetic mentors
they scored 1.000 where the stored mentees' queries scored 0.991."""

RecallProbe = Callable[[int], list[np.ndarray]]
"""``n`` -> up to ``n`` real requests' query vectors (float32 ``(q, dim)`` unit rows each)."""

RETRY_GROWTH = 4
"""An approximate search that shortlists too few allowed mentors asks once more for this many
times the items, before it falls back to scoring every allowed mentor exactly."""

DENSE_MASK = 2.0
"""A mask whose mentors hold, by the index's mean items per mentor, more than this many
times the exact-scan limit goes straight to the IVF index, uncounted: that far above the
limit an exact count would choose the same, unless item counts are very uneven (and either
way every score shown is exact)."""


@dataclass
class SyncReport:
    """What ``MentorIndex.sync`` changed."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded_items: int = 0
    words_rebuilt: bool = False
    """The lexical index was rebuilt from the items (the snapshot lacked it): worth saving."""

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
        map_from_items: from this many item vectors the snapshot's vectors file is mapped
            (paged in by the system as search reads it) instead of read into memory.
        pooling: the temperature that pools a mentor's item cosines into one match per
            query item (``domain.pooling``; 0: the best item alone).
    """

    requested: Requested = "auto"
    flat_max_items: int = 20_000
    probes: int = 16
    shortlist: float = 1.2
    recall_queries: int = 24
    map_from_items: int = 2_000_000
    pooling: float = DEFAULT_TEMPERATURE


@dataclass(frozen=True)
class Found:
    """What a search found: mentors best first, by id and slot, with their text match.

    Attributes:
        best: float32 ``(n_query_items, len(mentor_ids))``: each query item's match with
            the mentor, its cosines with the mentor's items pooled (``IndexPolicy.pooling``;
            NaN for a mentor without items).
    """

    mentor_ids: list[str]
    slots: np.ndarray
    best: np.ndarray


def _top(best: np.ndarray, n: int, slots: np.ndarray, slot_ids: list[str | None]) -> np.ndarray:
    """Positions of the ``n`` highest finite values of ``best`` (one per entry of
    ``slots``), highest first, ties by mentor id."""
    n = min(n, len(best))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-best, n - 1)[:n]
    part = part[best[part] > -np.inf]
    part = part[np.argsort(-best[part], kind="stable")]
    values = best[part]
    if not (values[1:] == values[:-1]).any():  # no ties: the ids are not needed
        return part
    ids = np.array([slot_ids[i] for i in slots[part].tolist()], dtype=object)
    return part[np.lexsort((ids, -values))]


class MentorIndex:
    """Item vectors of every mentor, by storage row (``ItemRows``), with a slot per mentor.

    A mentor's items get consecutive item ids and consecutive rows when they are put; a
    replaced or removed mentor's rows stay as dead rows (owner -1) until the next save
    compacts them away, so each live mentor's rows always form one run:
    ``_run_start[slot]`` … ``+ _count[slot]``.

    Args:
        model_id: id of the embedding model the vectors come from.
        dim: vector dimension.
    """

    def __init__(self, model_id: str, dim: int) -> None:
        self.model_id = model_id
        self.dim = dim
        self.store_seq = 0
        self._rows = ItemRows(dim)
        self._row_owner = np.zeros(0, dtype=np.int32)  # row -> slot (-1: dead)
        self._slot: dict[str, int] = {}  # mentor id -> slot
        self._slot_ids: list[str | None] = []  # slot -> mentor id (None: free)
        self._free: list[int] = []
        self._held = np.zeros(0, dtype=bool)  # slot -> a mentor holds it
        self._first_id = np.zeros(0, dtype=np.int64)  # slot -> its first item id
        self._count = np.zeros(0, dtype=np.int64)  # slot -> its number of items
        self._run_start = np.zeros(0, dtype=np.int64)  # slot -> its first row (-1: none)
        self._hash: list[str] = []  # slot -> items_hash ("" when free or without items)
        self._owner = np.zeros(0, dtype=np.int32)  # item id -> slot (-1: removed)
        self._next_id = 0
        self._live = 0  # item vectors held by mentors
        self.policy = IndexPolicy()
        self._approx: ApproxItems | None = None
        self.recall: float | None = None
        """Candidate recall against exact search measured at the last build (None: flat)."""
        self.recall_on = RECALL_ON_SYNTHETIC
        """What ``recall`` was measured on (``RECALL_ON_REQUESTS`` or ``_SYNTHETIC``)."""
        self.recall_probe: RecallProbe | None = None
        """Where a build takes the queries it measures recall on (the engine: its stored
        mentees' query vectors); None, or none given: synthetic queries."""
        self.lexical = LexicalIndex()
        """Each mentor's items as one BM25 document, by slot (kept in step with the vectors)."""
        self._lexical_checksum: str | None = None  # of the lexical file the snapshot names
        self._lexical_whole = True  # False: loaded without it; the next full sync fills it
        self.short_searches = 0
        """Approximate searches that found too few allowed mentors and scored the allowed
        mentors exactly instead (since start)."""

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, mentor_id: object) -> bool:
        return mentor_id in self._slot

    @property
    def mentor_ids(self) -> set[str]:
        """Ids of indexed mentors."""
        return set(self._slot)

    @property
    def n_items(self) -> int:
        """Number of item vectors held."""
        return self._live

    @property
    def dead_rows(self) -> int:
        """Rows of replaced or removed mentors, dropped at the next save."""
        return len(self._rows) - self._live

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

    def item_ids(self, mentor_id: str) -> np.ndarray:
        """The mentor's item ids (int64, in item order; KeyError if not indexed)."""
        slot = self._slot[mentor_id]
        first = int(self._first_id[slot])
        return np.arange(first, first + int(self._count[slot]), dtype=np.int64)

    def _claim_slot(self, mentor_id: str) -> int:
        slot = self._slot.get(mentor_id)
        if slot is None:
            slot = self._free.pop() if self._free else len(self._slot_ids)
            if slot == len(self._slot_ids):
                self._slot_ids.append(mentor_id)
                self._hash.append("")
                self._grow_slots(len(self._slot_ids))
            else:
                self._slot_ids[slot] = mentor_id
            self._slot[mentor_id] = slot
            self._held[slot] = True
        return slot

    def _grow_slots(self, size: int) -> None:
        """Make every slot-aligned array at least ``size`` long."""
        if size <= len(self._held):
            return
        grown = max(size, 2 * len(self._held), 1024)
        self._held = _grown(self._held, grown, False)
        self._first_id = _grown(self._first_id, grown, 0)
        self._count = _grown(self._count, grown, 0)
        self._run_start = _grown(self._run_start, grown, -1)

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
        dropped: list[np.ndarray] = []  # item ids leaving the IVF index, removed in one pass
        for mentor_id in [m for m in self._slot if m not in profiles]:
            self._remove(mentor_id, dropped)
            report.removed += 1
        todo: dict[str, Sequence[Item]] = {}
        check = profiles.keys() if only is None else [m for m in only if m in profiles]
        report.unchanged = len(profiles) - len(check)
        for mentor_id in check:
            items = profiles[mentor_id]
            slot = self._slot.get(mentor_id)
            if slot is not None and self._hash[slot] == items_hash(items):
                report.unchanged += 1
                if not self._lexical_whole:
                    self._put_words(slot, items)
            else:
                todo[mentor_id] = items
                if slot is not None:
                    report.updated += 1
                else:
                    report.added += 1
        texts = [item.text for items in todo.values() for item in items]
        vectors = embedder.encode(texts, progress) if texts else np.zeros((0, self.dim), "float32")
        report.embedded_items = len(texts)
        start = 0
        for mentor_id, items in todo.items():
            self._put(mentor_id, items, vectors[start : start + len(items)], dropped)
            start += len(items)
        self._forget_in_ivf(dropped)
        if only is None and not self._lexical_whole:
            self._lexical_whole = report.words_rebuilt = True
        if report.changed:
            self.tune()
        return report

    def upsert(self, mentor_id: str, items: Sequence[Item], embedder: Embedder) -> None:
        """Add or replace one mentor (no-op when its items are unchanged)."""
        slot = self._slot.get(mentor_id)
        if slot is not None and self._hash[slot] == items_hash(items):
            return
        self.put_vectors(mentor_id, items, embedder.encode([i.text for i in items]))

    def put_vectors(self, mentor_id: str, items: Sequence[Item], vectors: np.ndarray) -> None:
        """Store ``vectors`` (float32 ``(len(items), dim)``, unit rows) for one mentor."""
        dropped: list[np.ndarray] = []
        self._put(mentor_id, items, vectors, dropped)
        self._forget_in_ivf(dropped)

    def _put(
        self,
        mentor_id: str,
        items: Sequence[Item],
        vectors: np.ndarray,
        dropped: list[np.ndarray],
    ) -> None:
        if vectors.shape != (len(items), self.dim):
            raise ValueError(f"vectors shape {vectors.shape} != ({len(items)}, {self.dim})")
        self._drop_vectors(mentor_id, dropped)
        slot = self._claim_slot(mentor_id)
        n = len(items)
        ids = np.arange(self._next_id, self._next_id + n, dtype=np.int64)
        self._next_id += n
        if self._next_id > len(self._owner):
            self._owner = _grown(self._owner, max(self._next_id, 2 * len(self._owner), 1024), -1)
        self._owner[ids] = slot
        block = np.ascontiguousarray(vectors, dtype=np.float32)
        rows = self._rows.append(block)
        if len(self._rows) > len(self._row_owner):
            size = max(len(self._rows), 2 * len(self._row_owner), 1024)
            self._row_owner = _grown(self._row_owner, size, -1)
        self._row_owner[rows] = slot
        self._first_id[slot] = ids[0] if n else self._next_id
        self._count[slot] = n
        self._run_start[slot] = rows[0] if n else -1
        self._hash[slot] = items_hash(items)
        self._put_words(slot, items)
        self._live += n
        if n and self._approx is not None:
            self._approx.add(block, ids)

    def _put_words(self, slot: int, items: Sequence[Item]) -> None:
        self.lexical.put(slot, [item.text for item in items])
        self._lexical_checksum = None

    def _drop_vectors(self, mentor_id: str, dropped: list[np.ndarray]) -> bool:
        """Mark a mentor's rows dead and its item ids removed (the slot stays held); their
        ids are added to ``dropped`` for the IVF index. False if it was not indexed."""
        slot = self._slot.get(mentor_id)
        if slot is None:
            return False
        n, start = int(self._count[slot]), int(self._run_start[slot])
        if n:
            first = int(self._first_id[slot])
            ids = np.arange(first, first + n, dtype=np.int64)
            self._owner[ids] = -1
            self._row_owner[start : start + n] = -1
            dropped.append(ids)
        self._count[slot], self._run_start[slot], self._hash[slot] = 0, -1, ""
        self._live -= n
        return True

    def _forget_in_ivf(self, dropped: list[np.ndarray]) -> None:
        """Remove ``dropped`` item ids from the IVF index in one pass over its lists."""
        if dropped and self._approx is not None:
            self._approx.remove(np.concatenate(dropped))

    def remove(self, mentor_id: str) -> bool:
        """Drop a mentor's vectors and free its slot. True if it was indexed."""
        dropped: list[np.ndarray] = []
        gone = self._remove(mentor_id, dropped)
        self._forget_in_ivf(dropped)
        return gone

    def _remove(self, mentor_id: str, dropped: list[np.ndarray]) -> bool:
        if not self._drop_vectors(mentor_id, dropped):
            return False
        slot = self._slot.pop(mentor_id)
        if self.lexical.remove(slot):
            self._lexical_checksum = None
        self._slot_ids[slot] = None
        self._free.append(slot)
        self._held[slot] = False
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
        if want == "flat" or not self._slot:
            self._approx, self.recall = None, None
            return False
        if self._approx is not None and self._approx.kind == want and not self._approx.stale:
            return False
        self.build_approx(want)
        return True

    def _live_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Every live row, slot by slot, and its item id (both int64)."""
        slots = self._all_slots()
        rows = self._rows_of(slots)
        return rows, self._ids_of(slots, rows)

    def _ids_of(self, slots: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Item ids of ``rows`` (every item of ``slots``, as ``_rows_of`` gives them): a
        run's rows and its item ids are both consecutive."""
        counts = self._count[slots]
        has = counts > 0
        shift = self._first_id[slots][has] - self._run_start[slots][has]
        ids: np.ndarray = rows + np.repeat(shift, counts[has])
        return ids

    def build_approx(self, kind: Kind, seed: int = 0) -> None:
        """Train an IVF index of ``kind`` on the stored vectors, add them all, and measure
        its candidate recall against exact search (on ``recall_probe``'s queries if any)."""
        rows, ids = self._live_rows()
        self._approx = ApproxItems.build(kind, self._rows.take, rows, ids, self.policy.probes, seed)
        real = self.recall_probe(self.policy.recall_queries) if self.recall_probe else []
        self.recall = self.measure_recall(real or self.policy.recall_queries, seed=seed)
        self.recall_on = RECALL_ON_REQUESTS if real else RECALL_ON_SYNTHETIC
        log.info(
            "%s index built over %d items in %.1f s; candidate recall %.3f on %s",
            kind,
            len(ids),
            self._approx.train_s,
            self.recall,
            self.recall_on,
        )

    def measure_recall(
        self, queries: int | Sequence[np.ndarray], n_mentors: int = 300, seed: int = 0
    ) -> float:
        """Mean share of the exact search's ``n_mentors`` mentors that the approximate
        search also returns, over ``queries`` (1.0 when flat).

        Args:
            queries: requests' query vectors (float32 ``(q, dim)`` unit rows each), or how
                many synthetic ones to make: two to five stored items of random mentors,
                mixed with noise and normalised (see ``RECALL_ON_SYNTHETIC``).
        """
        if self._approx is None or not self._slot:
            return 1.0
        if isinstance(queries, int):
            queries = self._synthetic_queries(queries, seed)
        n = min(n_mentors, len(self._slot))
        shares = []
        for q in queries:
            exact = set(self._flat_search(q, n, self._all_slots()).slots.tolist())
            found = set(self.search(q, n).slots.tolist())
            shares.append(len(exact & found) / max(1, len(exact)))
        return float(np.mean(shares)) if shares else 1.0

    def _synthetic_queries(self, n: int, seed: int) -> list[np.ndarray]:
        live = np.flatnonzero(self._row_owner[: len(self._rows)] >= 0)
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(max(1, n)):
            rows = np.sort(live[rng.integers(0, len(live), int(rng.integers(2, 6)))])
            q = self._rows.take(rows) + rng.normal(0, 0.04, (len(rows), self.dim))
            out.append((q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32))
        return out

    def approx_info(self) -> ApproxInfo | None:
        """The IVF index's shape and size (None: flat)."""
        return None if self._approx is None else self._approx.info()

    @property
    def nbytes(self) -> int:
        """Bytes this process holds for the index: vectors not in a mapped file, the row,
        item and slot arrays, and the IVF index if any (``mapped_bytes``: the rest)."""
        arrays = (self._row_owner, self._owner, self._held, self._first_id, self._count)
        held = self._rows.nbytes + sum(a.nbytes for a in arrays) + self._run_start.nbytes
        return held + (0 if self._approx is None else self._approx.nbytes)

    @property
    def mapped_bytes(self) -> int:
        """Bytes of vectors read from the mapped snapshot file (paged in on demand, shared
        by the processes that map it)."""
        return self._rows.mapped_bytes

    # -- search ---------------------------------------------------------------------------

    def candidates(
        self, queries: np.ndarray, n_mentors: int, allowed: np.ndarray | None = None
    ) -> list[str]:
        """The ids ``search`` finds (see there)."""
        return self.search(queries, n_mentors, allowed).mentor_ids

    def search(
        self, queries: np.ndarray, n_mentors: int, allowed: np.ndarray | None = None
    ) -> Found:
        """Mentors whose best item is nearest to any query item (exact search), each with
        its pooled match per query item (``Found.best``).

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
        everyone = len(self._slot)
        if (
            allowed is None
            and self._approx is not None
            and len(q)
            and everyone > n_mentors
            and self._live > self.policy.flat_max_items
        ):  # the common request, which needs no list of every slot (0.3 ms at 100k)
            found = self._approx_search(q, n_mentors, everyone, None)
            if found is not None:
                return found
        if allowed is None:
            slots = self._all_slots()
        else:
            size = min(len(allowed), self.n_slots)
            mask = allowed[:size] & self._held[:size]
            found = self._masked_search(q, n_mentors, mask)
            if found is not None:
                return found
            slots = np.flatnonzero(mask).astype(np.int64)
        if len(slots) <= n_mentors:
            ids = [self._slot_ids[i] for i in slots.tolist()]
            order = np.argsort(np.array(ids, dtype=object), kind="stable")
            return self._found(slots[order], self.best_per_query(q, slots[order]))
        if self._approx is None:
            if len(slots) * 4 <= len(self._slot):  # few allowed: score only their items
                return self._exact_among(q, n_mentors, slots)
            return self._flat_search(q, n_mentors, slots)
        if int(self._count[slots].sum()) <= self.policy.flat_max_items or not len(q):
            # As few items as an exact scan is chosen for: score them. More (a filter that
            # leaves a quarter of a million mentors) go through the IVF index with the mask.
            return self._exact_among(q, n_mentors, slots)
        found = None if allowed is None else self._approx_search(q, n_mentors, len(slots), allowed)
        if found is not None:
            return found
        self.short_searches += 1
        return self._exact_among(q, n_mentors, slots)

    def _masked_search(self, q: np.ndarray, n_mentors: int, mask: np.ndarray) -> Found | None:
        """``search`` through the IVF index for a mask that lets through far more items
        than an exact scan is chosen for (the usual request: only mentors without a free
        place left out), without listing the allowed slots or summing their items (about
        3 ms at a million mentors); None when the mask is not such a one."""
        if self._approx is None or not len(q):
            return None
        n_allowed = int(np.count_nonzero(mask))
        expected_items = n_allowed * self._live / max(1, len(self._slot))
        if n_allowed <= n_mentors or expected_items <= DENSE_MASK * self.policy.flat_max_items:
            return None  # few: the caller counts them exactly and may score them all
        found = self._approx_search(q, n_mentors, n_allowed, mask)
        if found is None:
            self.short_searches += 1
            found = self._exact_among(q, n_mentors, np.flatnonzero(mask).astype(np.int64))
        return found

    def _all_slots(self) -> np.ndarray:
        return np.flatnonzero(self._held).astype(np.int64)

    def _rows_of(self, slots: np.ndarray) -> np.ndarray:
        """Storage rows of every item of ``slots``, slot by slot (int64)."""
        starts, lengths = self._run_start[slots], self._count[slots]
        keep = lengths > 0
        starts, lengths = starts[keep], lengths[keep]
        if not len(lengths):
            return np.zeros(0, dtype=np.int64)
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        return offsets + np.arange(int(lengths.sum()), dtype=np.int64)

    def _exact_among(self, q: np.ndarray, n_mentors: int, slots: np.ndarray) -> Found:
        """The ``n_mentors`` best of ``slots``, scoring only their items."""
        nearest, pooled = self._matches(q, slots)
        if not len(q):
            return self._found(slots[:0], pooled[:, :0])
        best = np.nan_to_num(nearest.max(axis=0), nan=-np.inf)
        chosen = _top(best, n_mentors, slots, self._slot_ids)
        return self._found(slots[chosen], pooled[:, chosen])

    def _approx_search(
        self, q: np.ndarray, n_mentors: int, n_allowed: int, allowed: np.ndarray | None
    ) -> Found | None:
        """Shortlist mentors through the IVF index, then re-rank the shortlist exactly.

        Each query item asks for enough items that, after dropping those of mentors the
        mask leaves out, about ``shortlist × n_mentors`` mentors remain, and once more for
        ``RETRY_GROWTH`` times as many if fewer than ``n_mentors`` allowed mentors turn up;
        None when they still do not (the caller then scores the allowed mentors exactly).
        ``n_allowed``: how many mentors ``allowed`` lets through (None: all of them).
        """
        assert self._approx is not None
        density = n_allowed / max(1, len(self._slot))
        per_mentor = self.n_items / max(1, len(self._slot))
        want = int(np.ceil(self.policy.shortlist * n_mentors))
        k = int(min(len(self._approx), np.ceil(want * min(per_mentor, ITEMS_ASKED) / density)))
        found = self._shortlist(q, n_mentors, n_allowed, allowed, want, k)
        if found is None and k < len(self._approx):
            # Too few distinct mentors among the nearest items (near-duplicate profiles
            # crowd them): ask for more items once, still far cheaper than scoring everyone.
            found = self._shortlist(q, n_mentors, n_allowed, allowed, want, k * RETRY_GROWTH)
        return found

    def _shortlist(
        self,
        q: np.ndarray,
        n_mentors: int,
        n_allowed: int,
        allowed: np.ndarray | None,
        want: int,
        k: int,
    ) -> Found | None:
        """``_approx_search`` with ``k`` nearest items per query item."""
        assert self._approx is not None
        scores, item_ids = self._approx.search(q, max(1, min(k, len(self._approx))))
        hit = item_ids >= 0
        owners = self._owner[item_ids[hit]].astype(np.int64)
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
        order = np.argsort(owners, kind="stable")  # each owner's hits side by side
        owners, approx = owners[order], approx[order]
        starts = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1])))
        shortlist, best = owners[starts], np.maximum.reduceat(approx, starts)
        if len(shortlist) < min(n_mentors, n_allowed):
            return None
        if len(shortlist) > want:
            shortlist = shortlist[np.argpartition(-best, want - 1)[:want]]
        return self._exact_among(q, n_mentors, np.sort(shortlist))

    def _flat_search(self, q: np.ndarray, n_mentors: int, slots: np.ndarray) -> Found:
        """Exact scan of every stored item, best item per mentor, top ``n_mentors`` of
        ``slots``."""
        n_rows = len(self._rows)
        sims = self._rows.scores(q) if n_rows else np.zeros((len(q), 0), "float32")
        best = np.full(self.n_slots, -np.inf, dtype=np.float32)
        if n_rows and len(q):
            per_row = sims.max(axis=0)
            per_row[self._row_owner[:n_rows] < 0] = -np.inf  # dead rows between the runs
            has = np.flatnonzero(self._count[: self.n_slots])
            has = has[np.argsort(self._run_start[has])]  # each run ends where dead rows or
            best[has] = np.maximum.reduceat(per_row, self._run_start[has])  # the next start
        chosen = _top(best[slots], n_mentors, slots, self._slot_ids)
        top = slots[chosen]
        return self._found(
            top, segment_pool(sims[:, self._rows_of(top)], self._count[top], self.policy.pooling)
        )

    def _found(self, slots: np.ndarray, per_query: np.ndarray) -> Found:
        named = self._slot_ids
        ids = cast(list[str], [named[i] for i in slots.tolist()])  # held slots have ids
        return Found(ids, slots, per_query)

    def best_per_query(self, queries: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Each query item's match with each slot, its cosines with the slot's items pooled
        (``IndexPolicy.pooling``): float32 ``(len(queries), len(slots))``, NaN for a slot
        without items."""
        return self._matches(queries, slots)[1]

    def _matches(self, queries: np.ndarray, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each query item's best cosine among each slot's items (what candidates are chosen
        by, as the IVF shortlist is) and its pooled match (what they are scored by): float32
        ``(len(queries), len(slots))`` each, NaN for a slot without items."""
        q = np.ascontiguousarray(queries, "float32")
        rows = self._rows_of(slots)
        if len(rows) * 4 >= len(self._rows) and not self._rows.mapped:  # one pass, no copy
            sims = self._rows.scores(q)[:, rows]
        else:
            sims = self._dots(q, slots, rows)
        counts = self._count[slots]
        nearest = segment_pool(sims, counts, 0.0)
        if self.policy.pooling <= 0:
            return nearest, nearest
        return nearest, segment_pool(sims, counts, self.policy.pooling)

    def _dots(self, q: np.ndarray, slots: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``q`` (float32 ``(n, dim)``) against the vectors of ``rows`` (every item of
        ``slots``, as ``_rows_of`` gives them): float32 ``(n, len(rows))``.

        While the vectors come from a mapped file, they are decoded from the IVF index's
        8-bit codes instead (see ``codes``): reading a shortlist's rows from the file costs
        a page fault per mentor whenever the system has not kept it in memory."""
        if self._rows.mapped and self._approx is not None and len(rows):
            found = self._approx.inner_products(q, self._ids_of(slots, rows), self._next_id)
            if found is not None:
                return found
        return self._rows.inner_products(q, rows)

    def item_similarities(self, queries: np.ndarray, mentor_ids: Sequence[str]) -> ItemMatches:
        """Exact cosine of each query item against each item of each given mentor.

        Args:
            queries: float32 ``(q, dim)``, unit rows.
            mentor_ids: indexed mentors (others are skipped).
        """
        present = [m for m in mentor_ids if m in self._slot and self._count[self._slot[m]]]
        if not present:
            return ItemMatches()
        slots = self.slots(present)
        sims = self._dots(np.ascontiguousarray(queries, "float32"), slots, self._rows_of(slots))
        out: dict[str, np.ndarray] = {}
        start = 0
        for mentor_id, n in zip(present, self._count[slots].tolist(), strict=True):
            out[mentor_id] = sims[:, start : start + n]
            start += n
        return ItemMatches(out)

    # -- persistence ----------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the snapshot (see ``index_files``): the live vectors mentor by mentor (dead
        rows left out), the IVF index if any, then the metadata. A large index then reads
        its vectors from the file just written (``map_from_items``); a smaller one with
        dead rows drops them in memory too."""
        path.parent.mkdir(parents=True, exist_ok=True)
        order = self._rows_of(np.arange(self.n_slots, dtype=np.int64))
        source = self._rows.source
        if source is not None and self._rows.is_file(path) and not self.dead_rows:
            checksum, wrote = source[1], False  # every row is the file's: nothing to rewrite
        else:
            checksum, wrote = self._rows.write(path, order), True
        table = SlotTable(
            list(self._slot_ids),
            list(self._hash),
            self._first_id[: self.n_slots].copy(),
            self._count[: self.n_slots].copy(),
        )
        meta = snapshot_meta(
            self.model_id, self.dim, self.store_seq, self._next_id, checksum, table
        )
        if self._approx is not None:
            approx_checksum = self._approx.write(approx_path(path))
            info = self._approx.info()
            meta["approx"] = {
                "kind": info.kind,
                "trained_on": info.trained_on,
                "train_s": info.train_s,
                "recall": self.recall,
                "recall_on": self.recall_on,
                "checksum": approx_checksum,
            }
        if self._lexical_whole:
            if self._lexical_checksum is None or not lexical_path(path).exists():
                self.lexical.save(lexical_path(path))
                self._lexical_checksum = file_sha256(lexical_path(path))
            meta["lexical"] = {"checksum": self._lexical_checksum}
        atomic_write(meta_path(path), json.dumps(meta).encode())
        if wrote and len(order) >= self.policy.map_from_items:  # serve from the new file
            rows = ItemRows(self.dim)
            rows.map(path, len(order), checksum)
            self._lay_out(table, rows)
        elif self.dead_rows or (wrote and self._rows.mapped):  # in memory, as on disk
            self._lay_out(table, ItemRows.of(self._rows.take(order)))

    def _lay_out(self, table: SlotTable, rows: ItemRows) -> None:
        """Take ``rows`` (live vectors in slot order, as ``table`` counts them) as storage."""
        size = len(table.mentor_ids)
        self._grow_slots(size)
        counts = table.counts
        starts = np.cumsum(counts) - counts
        self._count[:size] = counts
        self._first_id[:size] = table.first_ids
        self._run_start[:size] = np.where(counts > 0, starts, -1)
        self._rows = rows
        self._row_owner = np.repeat(np.arange(size, dtype=np.int32), counts)
        self._live = int(counts.sum())

    @classmethod
    def load(
        cls, path: Path, model_id: str, dim: int, policy: IndexPolicy | None = None
    ) -> MentorIndex | None:
        """Read a snapshot; None (with a log line saying why) if missing, corrupt or stale."""
        index = cls(model_id, dim)
        index.policy = policy or index.policy
        read = read_snapshot(path, model_id, dim, index.policy.map_from_items)
        if isinstance(read, str):
            log.warning("index snapshot %s not used: %s; rebuilding from the store", path, read)
            return None
        table = read.table
        index.store_seq = int(read.meta["store_seq"])
        index._next_id = int(read.meta["next_id"])
        held = [(slot, m) for slot, m in enumerate(table.mentor_ids) if m is not None]
        index._slot_ids = list(table.mentor_ids)
        index._slot = {m: slot for slot, m in held}
        if len(index._slot) != len(held):
            log.warning("index snapshot %s not used: a mentor holds two slots", path)
            return None
        index._hash = list(table.hashes)
        index._grow_slots(len(table.mentor_ids))
        index._held[[slot for slot, _ in held]] = True
        index._free = [i for i in reversed(range(len(table.mentor_ids))) if not index._held[i]]
        rows = ItemRows(dim)
        if isinstance(read.vectors, np.memmap):
            rows.map(path, len(read.vectors), str(read.meta["checksum"]))
        else:
            rows.append(read.vectors)
        index._lay_out(table, rows)
        index._owner = np.full(max(index._next_id, 1024), -1, dtype=np.int32)
        live, ids = index._live_rows()
        index._owner[ids] = index._row_owner[live]
        index._load_approx(path, read.meta.get("approx"))
        index._load_lexical(path, read.meta.get("lexical"))
        return index

    def _load_lexical(self, path: Path, meta: dict[str, Any] | None) -> None:
        """Take the snapshot's lexical index if it matches the snapshot; otherwise start an
        empty one that the next full ``sync`` fills from the items (no re-embedding)."""
        lexical = LexicalIndex.load(lexical_path(path)) if lexical_file_ok(path, meta) else None
        if lexical is not None and all(slot in lexical for slot in self._slot.values()):
            self.lexical, self._lexical_checksum = lexical, str(meta["checksum"]) if meta else None
        else:
            log.warning("lexical index beside %s not used; rebuilding it from the items", path)
            self.lexical, self._lexical_whole = LexicalIndex(), False

    def _load_approx(self, path: Path, meta: dict[str, Any] | None) -> None:
        """Take the snapshot's IVF index if it is whole and holds every item (otherwise
        ``tune`` builds one when the size calls for it)."""
        if meta is None:
            return
        if not approx_file_ok(path, meta):
            log.warning("IVF index beside %s not used: missing or checksum mismatch", path)
            return
        approx = ApproxItems.read(
            approx_path(path),
            meta["kind"],
            self.policy.probes,
            int(meta["trained_on"]),
            meta["train_s"],
        )
        if len(approx) == self.n_items:
            self._approx, self.recall = approx, meta.get("recall")
            self.recall_on = meta.get("recall_on", RECALL_ON_SYNTHETIC)


def _grown(array: np.ndarray, size: int, fill: object) -> np.ndarray:
    """``array`` extended to ``size`` entries with ``fill``."""
    out = np.full(size, fill, dtype=array.dtype)
    out[: len(array)] = array
    return out
