"""The engine: ``suggest(mentee, k) → list[Suggestion]``, the one code path every client uses.

It owns the store, the cached embedder, the FAISS index and the ranker, keeps the index in
step with the store (by the store's change sequence), and runs a request through the
stages: retrieval (``Retriever``), signals (``SignalRegistry``), ranking (``Ranker``),
presentation order (``recommender.ranking.ordering``) and explanation (``Explainer``).
"""

from __future__ import annotations

import logging
import threading
from collections import ChainMap
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import cast

import numpy as np
from sqlalchemy.orm import Session

from recommender.domain.items import Item, mentee_items
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Mentee, Mentor, Record
from recommender.domain.suggestion import Suggestion
from recommender.ranking.explainer import Explainer
from recommender.ranking.filters import SuggestionFilters, excluded_reason
from recommender.ranking.ordering import choose_policy, present
from recommender.ranking.ranker import LinearRanker, Ranker
from recommender.ranking.registry import REGISTRY, compute_signals
from recommender.ranking.scored import Scored
from recommender.ranking.signals import ContextCache
from recommender.retrieval.embedding import (
    CachedEmbedder,
    Embedder,
    Progress,
    SentenceTransformerEmbedder,
)
from recommender.retrieval.index import MentorIndex, SyncReport
from recommender.retrieval.retriever import Retriever
from recommender.retrieval.snapshot import Snapshot
from recommender.settings import Settings
from recommender.storage.changes import ProfileChanges
from recommender.storage.store import Store, UpsertResult

__all__ = ["Engine", "Scored", "SuggestionFilters", "build_engine", "excluded_reason"]

log = logging.getLogger(__name__)


class Engine:
    """Ranked, explained mentor suggestions over a store.

    Args:
        store: where records live.
        embedder: text → unit vectors (wrap in ``CachedEmbedder`` to cache by text hash).
        ranker: combines signals into a score.
        settings: tunables (candidate pool, feedback prior, MMR lambda, index path).
        index: a loaded index snapshot, or None to build one.
        today: the date signals are computed at; None means the current date.
    """

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        ranker: Ranker,
        settings: Settings,
        index: MentorIndex | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.ranker = ranker
        self.settings = settings
        self.index = index or MentorIndex(embedder.model_id, embedder.dim)
        self.today = today
        self.changes = ProfileChanges(store.database)  # its table exists before any write
        self.registry = REGISTRY
        self.retriever = Retriever(settings.candidate_pool)
        self.explainer = Explainer(self.registry, today=self.today)
        self._state = Snapshot()
        self._contexts = ContextCache(settings)
        self._lock = threading.RLock()

    # -- keeping in step with the store --------------------------------------------------

    def refresh(self, progress: Progress | None = None) -> SyncReport:
        """Reload from the store if it changed, and bring the index up to date."""
        with self._lock:
            seq = self.store.seq()
            if seq == self._state.seq:
                return SyncReport(unchanged=len(self.index))
            state = self._state.advance(self.store, seq)
            report = self.index.sync(state.items, self.embedder, progress)
            self._state = state
            if report.changed:
                self.index.store_seq = seq
                self.index.save(self.settings.index_path)
                log.info(
                    "index synced: %d added, %d updated, %d removed, %d items embedded",
                    report.added,
                    report.updated,
                    report.removed,
                    report.embedded_items,
                )
            return report

    def reindex(self, progress: Progress | None = None) -> SyncReport:
        """Rebuild the index from the store while requests go on, then swap it in.

        Everything is re-read from the store (not from what the engine holds), and the new
        index is built outside the lock; writes that land meanwhile go to the old index as
        usual and are replayed onto the new one after the swap (by change number), so readers
        see either the old index or the complete new one.
        """
        seq = self.store.seq()
        state = Snapshot.read(self.store, seq)
        fresh = MentorIndex(self.embedder.model_id, self.embedder.dim)
        report = fresh.sync(state.items, self.embedder, progress)
        with self._lock:
            self.index = fresh
            self._state = state
            self.refresh()
            fresh.store_seq = self._state.seq
            fresh.save(self.settings.index_path)
        log.info("index rebuilt: %d mentors, %d items", len(fresh), fresh.n_items)
        return report

    def warm_up(self) -> None:
        """Run one forward pass so the first request does not pay for lazy initialisation."""
        self.embedder.warm_up()

    def live_items(self) -> dict[str, list[Item]]:
        """Every stored mentor's items (mentor id → items), as indexed."""
        self.refresh()
        with self._lock:
            return dict(self._state.items)

    def forget_unused_vectors(self) -> int:
        """Drop cached vectors no stored profile uses any more (erasure); returns how many
        stored vectors were deleted (0 when the embedder keeps no cache)."""
        if not isinstance(self.embedder, CachedEmbedder):
            return 0
        live = {item.text for items in self.live_items().values() for item in items}
        for record in self.store.records(Kind.MENTEES):
            assert isinstance(record, Mentee)
            live.update(item.text for item in mentee_items(record))
        return self.embedder.keep_only(sorted(live))

    # -- writes (through the engine so the index follows) --------------------------------

    def write(
        self,
        kind: Kind,
        records: Sequence[Record],
        actor: str | None = None,
        refresh: bool = True,
    ) -> UpsertResult:
        """Upsert records and (unless ``refresh`` is False) bring the index up to date.

        With an ``actor``, changes to mentors' ranking-relevant fields are logged (see
        ``recommender.storage.changes``) in the same transaction as the write.
        """
        if actor is None or kind != Kind.MENTORS:
            result = self.store.upsert(kind, records)
        else:
            with self.store.transaction() as session:
                result = self.write_logged(session, records, actor)
        if result.changed and refresh:
            self.refresh()
        return result

    def write_logged(self, session: Session, mentors: Sequence[Record], actor: str) -> UpsertResult:
        """Upsert mentors in ``session``'s transaction and log their ranking-relevant changes
        as made by ``actor`` (the index is not refreshed: call ``refresh`` after the commit)."""
        before = self.store.existing(Kind.MENTORS, [r.key for r in mentors])
        mentors = self.store.placed(session, mentors)
        result = self.store.upsert(Kind.MENTORS, mentors, session=session)
        pairs = [(cast(Mentor | None, before.get(r.key)), cast(Mentor, r)) for r in mentors]
        self.changes.record(session, actor, pairs)
        return result

    def delete(self, kind: Kind, record_id: str) -> bool:
        """Delete a record (and, for a mentor, its vectors). True if it existed."""
        found = self.store.delete(kind, record_id)
        self.refresh()
        return found

    # -- suggestions ----------------------------------------------------------------------

    def suggest_for(
        self, mentee_id: str, k: int = 10, filters: SuggestionFilters | None = None
    ) -> list[Suggestion]:
        """Suggestions for a stored mentee. Raises ``UnknownMentee``."""
        return self.suggest(self.store.get_mentee(mentee_id), k, filters)

    def suggest(
        self, mentee: Mentee, k: int = 10, filters: SuggestionFilters | None = None
    ) -> list[Suggestion]:
        """The top ``k`` mentors for ``mentee``, best first, explained."""
        filters = filters or SuggestionFilters()
        scored = self.score(mentee, k, filters)
        scores, order = self.order(scored, filters)
        contributions = self.ranker.contributions(scored.X)
        weights = self.ranker.effective_weights
        return [
            self.explainer.explain(
                scored.candidate(i, rank, float(scores[i]), contributions[i]), weights
            )
            for rank, i in enumerate(order[:k], start=1)
        ]

    def score(
        self, mentee: Mentee, k: int, filters: SuggestionFilters, as_of: date | None = None
    ) -> Scored:
        """Candidates passing the hard filters, with every signal computed (not yet ranked).

        ``as_of`` is the date signals are computed at (default: today); feedback and logged
        activity dated on or after it are ignored, as an offline replay needs.
        """
        self.refresh()
        queries = mentee_items(mentee)
        q_vecs = self.embedder.encode_query([q.text for q in queries])
        with self._lock:
            state = self._state
            mentors = _with_released(state.mentors, filters.released)

            def keep(m: str) -> bool:
                return m in mentors and excluded_reason(mentee, mentors[m], filters) is None

            found = self.retriever.retrieve(self.index, q_vecs, k, keep, len(mentors))
        kept, sims = found.mentor_ids, found.sims
        ctx = self._contexts.at(state, state.feedback.values(), as_of or self.today())
        signals = [
            compute_signals(mentee, mentors[m], sims.get(m), ctx, self.registry) for m in kept
        ]
        X = self.registry.matrix(
            [{s: sig[s].value for s in self.registry.names} for sig in signals]
        )
        return Scored(mentee, queries, kept, signals, X, sims, mentors, state.items)

    def order(
        self, scored: Scored, filters: SuggestionFilters, ranker: Ranker | None = None
    ) -> tuple[np.ndarray, list[int]]:
        """Scores (by ``ranker``, default the engine's) and the presentation order.

        Best score first, then diversified across specialties or specialty-first, as the
        mentee's stage or the filters ask.
        """
        ranker = ranker or self.ranker
        kept = scored.mentor_ids
        scores = ranker.predict(scored.X) if len(kept) else np.zeros(0)
        policy = choose_policy(filters, scored.mentee, self.settings.mmr_lambda)
        mentors = [scored.mentors[m] for m in kept]
        return scores, present(scores, kept, mentors, scored.signals, policy)

    # -- status ---------------------------------------------------------------------------

    def health(self) -> dict[str, object]:
        """Counts, model id and index state (after catching up with the store)."""
        self.refresh()
        counts = self.store.counts()
        with self._lock:
            in_sync = self.index.mentor_ids == set(self._state.mentors)
            return {
                "status": "ok",
                "counts": counts,
                "model_id": self.embedder.model_id,
                "index": {
                    "mentors": len(self.index),
                    "items": self.index.n_items,
                    "store_seq": self._state.seq,
                    "snapshot_seq": self.index.store_seq,
                    "in_sync": in_sync and len(self.index) == counts["mentors"],
                },
            }


def _with_released(
    mentors: dict[str, Mentor], released: Sequence[tuple[str, int]]
) -> Mapping[str, Mentor]:
    """``mentors`` with the ``released`` places counted free (copies of those mentors only)."""
    if not released:
        return mentors
    changed = {
        m: mentors[m].model_copy(update={"placed_mentees": max(0, mentors[m].placed_mentees - n)})
        for m, n in released
        if m in mentors
    }
    return ChainMap(changed, mentors)


def build_engine(
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    today: Callable[[], date] = date.today,
) -> Engine:
    """Turn settings into a ready engine: store, cached embedder, ranker, loaded index."""
    settings = settings or Settings()
    store = Store(settings.sqlalchemy_url)
    inner = embedder or SentenceTransformerEmbedder(
        settings.model_path, settings.embed_batch_size, settings.torch_threads
    )
    cached = CachedEmbedder(inner, store)
    ranker = (
        LinearRanker.load(Path(settings.ranker_path)) if settings.ranker_path else LinearRanker()
    )
    index = MentorIndex.load(settings.index_path, cached.model_id, cached.dim)
    return Engine(store, cached, ranker, settings, index, today)
