"""The engine: ``suggest(mentee, k) → list[Suggestion]``, the one code path every client uses.

It owns the store, the cached embedder, the FAISS index and the ranker, keeps the index in
step with the store (by the store's change sequence), and applies hard filters, ranking,
diversification and explanations.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar, cast

import numpy as np
from sqlalchemy.orm import Session

from recommender.domain.items import Item, mentee_items, mentor_items
from recommender.domain.kinds import Kind
from recommender.domain.profiles import STAGE_LEVEL, Feedback, Mentee, Mentor, Record
from recommender.domain.specialties import canonical
from recommender.domain.suggestion import Component, Suggestion
from recommender.ranking.explain import best_matches, explanation_text, signal_reasons
from recommender.ranking.ranker import LinearRanker, signal_matrix
from recommender.ranking.signals import (
    SIGNALS,
    FeedbackStats,
    SignalContext,
    SignalValue,
    compute_signals,
    mentor_specialties,
)
from recommender.retrieval.embedding import (
    CachedEmbedder,
    Embedder,
    Progress,
    SentenceTransformerEmbedder,
)
from recommender.retrieval.index import MentorIndex, SyncReport
from recommender.settings import Settings
from recommender.storage.changes import ProfileChanges
from recommender.storage.store import Store, UpsertResult

log = logging.getLogger(__name__)
R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class SuggestionFilters:
    """Optional restrictions on a request (all empty: none).

    Attributes:
        specialties: keep mentors practising one of these.
        meeting_modes: keep mentors offering one of these.
        languages: keep mentors speaking one of these.
        offers: keep mentors offering one of these.
        exclude: mentor ids to leave out.
        include_full: also suggest mentors with no free place.
        only: if given, the only mentor ids allowed (a cohort's eligible mentors; an empty
            set allows none).
        diversify: spread the list across specialties; None decides by stage (early and
            undecided mentees get a diverse list).
        follow_specialty: list mentors in (or next to) the mentee's target specialty first;
            None decides by stage (decided residents and fellows).
    """

    specialties: tuple[str, ...] = ()
    meeting_modes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    include_full: bool = False
    only: frozenset[str] | None = None
    diversify: bool | None = None
    follow_specialty: bool | None = None


@dataclass(frozen=True)
class Scored:
    """One request's candidates with their signals, before ranking.

    ``X`` is float64 ``(len(mentor_ids), len(SIGNALS))``; ``sims`` maps a mentor id to the
    float32 ``(n_query_items, n_mentor_items)`` cosine matrix.
    """

    mentee: Mentee
    queries: list[Item]
    mentor_ids: list[str]
    signals: list[dict[str, SignalValue]]
    X: np.ndarray
    sims: dict[str, np.ndarray]
    mentors: dict[str, Mentor]
    items: dict[str, list[Item]]


@dataclass
class _State:
    seq: int = -1
    mentors: dict[str, Mentor] = field(default_factory=dict)
    items: dict[str, list[Item]] = field(default_factory=dict)
    feedback: dict[str, Feedback] = field(default_factory=dict)
    stats: tuple[date, FeedbackStats] | None = None


def excluded_reason(mentee: Mentee, mentor: Mentor, filters: SuggestionFilters) -> str | None:
    """Why a mentor may not be suggested to this mentee, or None if they may."""
    if mentor.id == mentee.id:
        return "self"
    if mentor.id in mentee.conflicts or mentee.id in mentor.conflicts:
        return "declared conflict"
    if mentor.free_places <= 0 and not filters.include_full:
        return "no free place"
    if mentee.require_meeting_mode and not set(mentee.meeting_modes) & set(mentor.meeting_modes):
        return "required meeting mode not offered"
    if mentee.require_language and not set(mentee.languages) & set(mentor.languages):
        return "required language not spoken"
    if mentor.id in filters.exclude:
        return "excluded by request"
    if filters.only is not None and mentor.id not in filters.only:
        return "not eligible in this cohort"
    if filters.specialties and not {canonical(s) for s in filters.specialties} & (
        mentor_specialties(mentor)
    ):
        return "specialty filter"
    if filters.meeting_modes and not set(filters.meeting_modes) & set(mentor.meeting_modes):
        return "meeting mode filter"
    if filters.languages and not {s.lower() for s in filters.languages} & set(mentor.languages):
        return "language filter"
    if filters.offers and not set(filters.offers) & set(mentor.offers):
        return "offers filter"
    return None


IN_FIELD = 0.6
"""Specialty match at or above which a mentor is "in the field" (same, parent or child)."""


def follows_specialty(mentee: Mentee) -> bool:
    """Decided residents and fellows get a list that follows their specialty."""
    return bool(mentee.target_specialties) and STAGE_LEVEL[mentee.stage] >= STAGE_LEVEL["PGY1"]


def _choose(requested: bool | None, default: bool) -> bool:
    return default if requested is None else requested


def diversify(
    order: Sequence[int], scores: np.ndarray, groups: Sequence[str], lam: float
) -> list[int]:
    """Maximal marginal relevance over groups (specialties).

    Greedily picks ``argmax lam·score − (1−lam)·[group already picked]`` so an undecided
    mentee sees several fields before a second mentor of the same one.
    """
    remaining = list(order)
    picked: list[int] = []
    seen: set[str] = set()
    while remaining:
        best = max(
            remaining,
            key=lambda i: lam * scores[i] - (1 - lam) * float(groups[i] in seen),
        )
        picked.append(best)
        seen.add(groups[best])
        remaining.remove(best)
    return picked


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
        ranker: LinearRanker,
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
        self.changes = ProfileChanges(store.engine)  # its table exists before any write
        self._encode_query = getattr(embedder, "encode_query", embedder.encode)
        self._state = _State()
        self._lock = threading.RLock()

    # -- keeping in step with the store --------------------------------------------------

    def refresh(self, progress: Progress | None = None) -> SyncReport:
        """Reload from the store if it changed, and bring the index up to date."""
        with self._lock:
            seq = self.store.seq()
            if seq == self._state.seq:
                return SyncReport(unchanged=len(self.index))
            old = self._state
            mentors = self._reload(old.mentors, Kind.MENTORS, old.seq)
            feedback = self._reload(old.feedback, Kind.FEEDBACK, old.seq)
            items = {
                m.id: old.items[m.id]
                if m.id in old.items and old.mentors.get(m.id) == m
                else mentor_items(m)
                for m in mentors.values()
            }
            report = self.index.sync(items, self.embedder, progress)
            self._state = _State(seq, mentors, items, feedback)
            if report.changed:
                self.index.store_seq = seq
                self.index.save(self.settings.index_path)
            if report.changed:
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
        mentors: dict[str, Mentor] = self._reload({}, Kind.MENTORS, -1)
        feedback: dict[str, Feedback] = self._reload({}, Kind.FEEDBACK, -1)
        items = {m.id: mentor_items(m) for m in mentors.values()}
        fresh = MentorIndex(self.embedder.model_id, self.embedder.dim)
        report = fresh.sync(items, self.embedder, progress)
        with self._lock:
            self.index = fresh
            self._state = _State(seq, mentors, items, feedback)
            self.refresh()
            fresh.store_seq = self._state.seq
            fresh.save(self.settings.index_path)
        log.info("index rebuilt: %d mentors, %d items", len(fresh), fresh.n_items)
        return report

    def _reload(self, held: Mapping[str, R], kind: Kind, since: int) -> dict[str, R]:
        """``held`` brought up to date: deleted ids dropped, rows changed after ``since`` read."""
        if since < 0:
            return {r.key: cast(R, r) for r in self.store.records(kind)}
        live = self.store.ids(kind)
        out = {key: rec for key, rec in held.items() if key in live}
        out.update({r.key: cast(R, r) for r in self.store.records_since(kind, since)})
        return out

    def warm_up(self) -> None:
        """Run one forward pass so the first request does not pay for lazy initialisation."""
        inner = getattr(self.embedder, "inner", self.embedder)
        inner.encode(["mentor match warm-up"])

    def live_items(self) -> dict[str, list[Item]]:
        """Every stored mentor's items (mentor id → items), as indexed."""
        self.refresh()
        with self._lock:
            return dict(self._state.items)

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
        if actor is None or kind != "mentors":
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
        out = []
        for rank, i in enumerate(order[:k], start=1):
            mentor = scored.mentors[scored.mentor_ids[i]]
            out.append(
                self._suggestion(
                    mentee,
                    mentor,
                    rank,
                    float(scores[i]),
                    scored.signals[i],
                    scored.X[i],
                    contributions[i],
                    weights,
                    scored.queries,
                    scored.items[mentor.id],
                    scored.sims.get(mentor.id),
                )
            )
        return out

    def score(
        self, mentee: Mentee, k: int, filters: SuggestionFilters, as_of: date | None = None
    ) -> Scored:
        """Candidates passing the hard filters, with every signal computed (not yet ranked).

        ``as_of`` is the date signals are computed at (default: today); feedback and logged
        activity dated on or after it are ignored, as an offline replay needs.
        """
        self.refresh()
        queries = mentee_items(mentee)
        q_vecs = self._encode_query([q.text for q in queries])
        with self._lock:
            state = self._state
            kept = self._candidates(mentee, q_vecs, k, filters, state)
            sims = self.index.item_similarities(q_vecs, kept).sims
        ctx = self._context(state, as_of or self.today())
        signals = [compute_signals(mentee, state.mentors[m], sims.get(m), ctx) for m in kept]
        X = signal_matrix([{s: sig[s].value for s in SIGNALS} for sig in signals])
        return Scored(mentee, queries, kept, signals, X, sims, state.mentors, state.items)

    def order(
        self, scored: Scored, filters: SuggestionFilters, ranker: LinearRanker | None = None
    ) -> tuple[np.ndarray, list[int]]:
        """Scores (by ``ranker``, default the engine's) and the presentation order.

        Best score first, then diversified across specialties or specialty-first, as the
        mentee's stage or the filters ask.
        """
        ranker = ranker or self.ranker
        kept, mentee = scored.mentor_ids, scored.mentee
        scores = ranker.predict(scored.X) if len(kept) else np.zeros(0)
        order = sorted(range(len(kept)), key=lambda i: (-scores[i], kept[i]))
        if _choose(filters.diversify, mentee.early and mentee.undecided):
            groups = [canonical(scored.mentors[m].specialty) for m in kept]
            head = max(4 * len(order[:10]), 40)
            order = diversify(order[:head], scores, groups, self.settings.mmr_lambda) + order[head:]
        elif _choose(filters.follow_specialty, follows_specialty(mentee)):
            in_field = [
                scored.signals[i]["credibility"].parts.get("specialty", 0.0) >= IN_FIELD
                for i in order
            ]
            order = [i for i, keep in zip(order, in_field, strict=True) if keep] + [
                i for i, keep in zip(order, in_field, strict=True) if not keep
            ]
        return scores, order

    def _context(self, state: _State, as_of: date) -> SignalContext:
        """Signal context at ``as_of``; feedback aggregated once per store change and date."""
        if state.stats is None or state.stats[0] != as_of:
            stats = FeedbackStats.from_feedback(
                state.feedback.values(),
                as_of,
                self.settings.feedback_half_life_days,
                self.settings.feedback_min_raters,
            )
            state.stats = (as_of, stats)
        return SignalContext(
            as_of=as_of,
            feedback=state.stats[1],
            prior_strength=self.settings.feedback_prior_strength,
            activity_half_life_days=self.settings.activity_half_life_days,
            activity_window_days=self.settings.activity_window_days,
            min_raters=self.settings.feedback_min_raters,
        )

    def _candidates(
        self,
        mentee: Mentee,
        q_vecs: np.ndarray,
        k: int,
        filters: SuggestionFilters,
        state: _State,
    ) -> list[str]:
        """Mentors passing the hard filters among the nearest by text (pool widened if short)."""
        pool = self.settings.candidate_pool
        while True:
            found = self.index.candidates(q_vecs, pool)
            kept = [
                m
                for m in found
                if m in state.mentors and excluded_reason(mentee, state.mentors[m], filters) is None
            ]
            if len(kept) >= min(k, len(state.mentors)) or pool >= len(self.index):
                return kept
            pool *= 4

    @staticmethod
    def _suggestion(
        mentee: Mentee,
        mentor: Mentor,
        rank: int,
        score: float,
        signals: dict[str, SignalValue],
        values: np.ndarray,
        contributions: np.ndarray,
        weights: dict[str, float],
        queries: list[Item],
        items: list[Item],
        sims: np.ndarray | None,
    ) -> Suggestion:
        components = {
            name: Component(
                value=round(float(values[j]), 6),
                weight=round(weights[name], 6),
                contribution=round(float(contributions[j]), 6),
                neutral=signals[name].value is None,
                withheld=bool(signals[name].parts.get("withheld")),
            )
            for j, name in enumerate(SIGNALS)
        }
        matches = best_matches(queries, items, sims)
        reasons = signal_reasons(mentee, mentor, signals)
        return Suggestion(
            mentor_id=mentor.id,
            rank=rank,
            score=round(score, 6),
            components=components,
            explanation=explanation_text(matches, reasons),
            matches=matches,
            reasons=reasons,
            mentor_name=mentor.name,
            specialty=mentor.specialty,
        )

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
