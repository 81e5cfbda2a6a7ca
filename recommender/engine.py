"""The engine: ``suggest(mentee, k) → list[Suggestion]``, the one code path every client uses.

It owns the store, the cached embedder, the FAISS index and the ranker, keeps the index in
step with the store (by the store's change sequence), and runs a request through the
stages: retrieval (``Retriever``), signals (``SignalRegistry``), ranking (``Ranker``),
presentation order (``recommender.ranking.ordering``) and explanation (``Explainer``).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TypeVar, cast

import numpy as np
from sqlalchemy.orm import Session

from recommender.domain.clock import Clock
from recommender.domain.items import Item, mentee_items
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Mentee, Mentor, Record
from recommender.domain.suggestion import Suggestion
from recommender.ranking.answers import AnswerCache
from recommender.ranking.batch import Batch, FeedbackColumns
from recommender.ranking.columns import STAGE_BIT, MentorColumns
from recommender.ranking.explainer import Explainer, shown_score
from recommender.ranking.exposure import ExposureLedger, ExposurePolicy, with_discovery
from recommender.ranking.filters import SuggestionFilters, allowed, excluded_reason, freed
from recommender.ranking.identity_match import IdentityMatch
from recommender.ranking.mentor_side import Known, MentorSideKeeper
from recommender.ranking.model_files import served_ranker
from recommender.ranking.ordering import IN_FIELD, choose_policy, present
from recommender.ranking.ranker import Ranker
from recommender.ranking.registry import REGISTRY, SignalPair
from recommender.ranking.scored import Scored
from recommender.ranking.signals import ContextCache, FeedbackStats
from recommender.retrieval.embedding import (
    CachedEmbedder,
    Embedder,
    Progress,
    SentenceTransformerEmbedder,
)
from recommender.retrieval.index import IndexPolicy, MentorIndex, SyncReport
from recommender.retrieval.retriever import Retriever
from recommender.retrieval.snapshot import Snapshot
from recommender.settings import Settings
from recommender.storage.changes import ProfileChanges
from recommender.storage.clock import StoredClock
from recommender.storage.identity import Identities
from recommender.storage.relationships import Related, Relationships
from recommender.storage.shown import ShownAnswer, ShownLog
from recommender.storage.store import Store, UpsertResult

__all__ = ["Engine", "Scored", "SuggestionFilters", "build_engine", "excluded_reason"]

log = logging.getLogger(__name__)
T = TypeVar("T")
ShownList = tuple[tuple[str, int, float], ...]
"""What an answer showed: (mentor id, rank, score), in order."""

DEFER_SAVE_ITEMS = 100_000
"""Indexes of more item vectors than this write their snapshot at most every
``Settings.index_save_every_s`` seconds instead of after every change."""

SAVE_SHARE_INVERSE = 10
"""A deferred snapshot waits at least this many times as long as the last one took."""


class Engine:
    """Ranked, explained mentor suggestions over a store.

    Args:
        store: where records live.
        embedder: text → unit vectors (wrap in ``CachedEmbedder`` to cache by text hash).
        ranker: combines signals into a score.
        settings: tunables (candidate pool, feedback prior, MMR lambda, index path).
        index: a loaded index snapshot, or None to build one.
        today: the date signals are computed at (default: the clock's).
        clock: the time relationships and messages are dated at (default: the real clock).
    """

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        ranker: Ranker,
        settings: Settings,
        index: MentorIndex | None = None,
        today: Callable[[], date] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.ranker = ranker
        self.settings = settings
        self.index = index or MentorIndex(embedder.model_id, embedder.dim)
        self.index.recall_probe = self.recall_queries
        self.index.tune(index_policy(settings))
        self.clock = clock or Clock()
        self.today = today or self.clock.today
        self.changes = ProfileChanges(store.database)  # its table exists before any write
        self.registry = REGISTRY
        self.retriever = Retriever(settings.candidate_pool)
        self.explainer = Explainer(self.registry, today=self.today, words=self._shared_words)
        self._state = Snapshot()
        self.columns = MentorColumns()
        self._contexts = ContextCache(settings)
        self.answers: AnswerCache[tuple[Suggestion, ...]] = AnswerCache(
            settings.suggestion_cache_items
        )
        self.rendered: AnswerCache[tuple[bytes, ShownList]] = AnswerCache(
            settings.suggestion_cache_items
        )
        """Stored mentees' answers as a caller rendered them (``answer_for``), with what
        each showed."""
        self.mentees: AnswerCache[Mentee] = AnswerCache(settings.mentee_cache_items)
        """Stored mentees' profiles under the change number they were read at."""
        self.related: AnswerCache[Related] = AnswerCache(settings.mentee_cache_items)
        """Mentors each mentee has a relationship with, under the change number read at."""
        self.relationships = Relationships(store.database)
        self.identities = Identities(store.database)
        self.identity = IdentityMatch(
            self.identities, settings.identity_weight, settings.mentee_cache_items
        )
        """Consented identity preferences, in a mentee's own list only."""
        self.mentor_side = MentorSideKeeper(
            store,
            self.relationships,
            settings.acceptance_prior_strength,
            settings.acceptance_outside_prior,
        )
        """What mentors' decisions say of their chance to accept (two-sided ranking)."""
        self.shown = ShownLog(store.database)
        self.exposure = ExposureLedger(settings.exposure_half_life_days)
        """Who was shown in mentee-facing lists, for the discovery places."""
        self.exposure_policy = ExposurePolicy(
            settings.exposure_share, settings.exposure_factor, settings.exposure_depth
        )
        """Suggestions shown to stored mentees, waiting to be written (the outcome log)."""
        self._feedback: tuple[FeedbackStats, FeedbackColumns] | None = None
        self._lock = threading.RLock()
        self._unsaved = False
        """Whether the index holds changes its snapshot on disk does not."""
        self._save_took = 0.0  # seconds the last snapshot write took
        self._saved_at = time.monotonic()  # as good as saved: it was just loaded or built

    # -- keeping in step with the store --------------------------------------------------

    def refresh(self, progress: Progress | None = None) -> SyncReport:
        """Reload from the store if it changed, and bring the index up to date."""
        seq = self.store.seq()  # every request asks: read it without holding the lock
        if seq == self._state.seq and not self._unsaved:
            return SyncReport(unchanged=len(self.index))
        with self._lock:
            seq = self.store.seq()
            if seq == self._state.seq:
                self._save_snapshot()  # one deferred earlier may be due by now
                return SyncReport(unchanged=len(self.index))
            state = self._state.advance(self.store, seq)
            gone = [self.index.slot(m) for m in state.removed if m in self.index]
            report = self.index.sync(state.items, self.embedder, progress, state.changed)
            self._follow(state, gone)
            self._state = state
            self._unsaved |= report.words_rebuilt
            if report.changed:
                self.index.store_seq = seq
                self._unsaved = True
                log.info(
                    "index synced: %d added, %d updated, %d removed, %d items embedded",
                    report.added,
                    report.updated,
                    report.removed,
                    report.embedded_items,
                )
            self._save_snapshot()
            return report

    def _save_snapshot(self, force: bool = False) -> None:
        """Write the index snapshot if it lags the index (call under the lock): at once for
        an index up to ``DEFER_SAVE_ITEMS`` vectors, else at most every
        ``settings.index_save_every_s`` seconds and at least ``SAVE_SHARE_INVERSE`` times as
        long as the last write took (at a million mentors a write takes a minute: writing
        never takes more than a tenth of the time), or when ``force``d."""
        if not self._unsaved:
            return
        now = time.monotonic()
        wait = max(self.settings.index_save_every_s, SAVE_SHARE_INVERSE * self._save_took)
        due = now - self._saved_at >= wait
        if force or due or self.index.n_items <= DEFER_SAVE_ITEMS:
            self.index.save(self.settings.index_path)
            done = time.monotonic()
            self._saved_at, self._unsaved, self._save_took = done, False, done - now

    def flush(self) -> None:
        """Write the index snapshot now if changes since the last one are not in it (at
        shutdown; a process that ends without it only makes the next start replay them)."""
        with self._lock:
            self._save_snapshot(force=True)

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
        fresh.policy = index_policy(self.settings)
        fresh.recall_probe = self.recall_queries
        report = fresh.sync(state.items, self.embedder, progress)
        columns = columns_of(fresh, state.mentors)
        with self._lock:
            self.index = fresh
            self.columns = columns
            self._state = state
            self.refresh()
            fresh.store_seq = self._state.seq
            fresh.save(self.settings.index_path)
            self._saved_at, self._unsaved = time.monotonic(), False
        log.info("index rebuilt: %d mentors, %d items", len(fresh), fresh.n_items)
        return report

    def _follow(self, state: Snapshot, gone: Sequence[int]) -> None:
        """Bring the mentor columns in step with ``state`` (the index already is): rows of
        mentors that left are cleared, changed mentors' rows rewritten."""
        if state.changed is None:
            self.columns = columns_of(self.index, state.mentors)
            return
        for row in gone:
            self.columns.clear(row)
        for mentor_id in state.changed:
            self.columns.put(self.index.slot(mentor_id), state.mentors[mentor_id])

    def _shared_words(self, queries: Sequence[str], texts: Sequence[str]) -> list[list[list[str]]]:
        """For each of ``queries`` and each of ``texts``, the query's words the text shares
        (the current index's word statistics rank them, rarest first)."""
        return self.index.lexical.shared_words(queries, texts)

    def warm_up(self) -> None:
        """Run one forward pass so the first request does not pay for lazy initialisation."""
        self.embedder.warm_up()

    def recall_queries(self, n: int) -> list[np.ndarray]:
        """The query vectors of up to ``n`` stored mentees (the first by id): real requests,
        which an IVF build measures its candidate recall on."""
        return query_vectors(self.embedder, self.store.records(Kind.MENTEES, limit=n))

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
        """Upsert records and (unless ``refresh`` is False) bring the index up to date and
        embed written mentees' texts (``embed_mentees``; a bulk load calls it itself).

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
            if kind == Kind.MENTEES:
                self.embed_mentees(records)
        return result

    def embed_mentees(self, mentees: Sequence[Record], progress: Progress | None = None) -> int:
        """Embed and store the query texts of ``mentees`` that the cache does not hold yet;
        returns how many texts were asked for.

        A stored mentee's texts are part of their profile, embedded when it is written as a
        mentor's are: no request then pays for a forward pass, in any worker process or
        after a restart (a request's vectors otherwise stay in that process's memory).
        Without a caching embedder there is nowhere to keep them, and nothing is done. A
        failure is logged, not raised: the profile is already written, and a request
        embeds what is missing.
        """
        if not isinstance(self.embedder, CachedEmbedder):
            return 0
        texts = list(dict.fromkeys(q.text for m in mentees for q in mentee_items(cast(Mentee, m))))
        try:
            self.embedder.encode(texts, progress)
        except Exception as exc:  # a cache warm-up must not fail a committed write
            log.warning(
                "embedding %d mentee texts failed (%s); requests embed them",
                len(texts),
                type(exc).__name__,
            )
        return len(texts)

    def write_logged(self, session: Session, mentors: Sequence[Record], actor: str) -> UpsertResult:
        """Upsert mentors in ``session``'s transaction and log their ranking-relevant changes
        as made by ``actor`` (the index is not refreshed: call ``refresh`` after the commit)."""
        before = self.store.existing(Kind.MENTORS, [r.key for r in mentors])
        mentors = self.store.placed(session, mentors)
        result = self.store.upsert(Kind.MENTORS, mentors, session=session)
        pairs = [(cast(Mentor | None, before.get(r.key)), cast(Mentor, r)) for r in mentors]
        self.changes.record(session, actor, pairs)
        return result

    def recount_places(self, session: Session, mentor_ids: Sequence[str], actor: str) -> None:
        """Rewrite these mentors in ``session``'s transaction so the store recounts the
        places their placements and relationships hold (logged as ``actor``'s changes)."""
        stored = self.store.existing(Kind.MENTORS, sorted(set(mentor_ids)))
        mentors = [m for m in stored.values() if isinstance(m, Mentor)]
        if mentors:
            self.write_logged(session, mentors, actor)

    def delete(self, kind: Kind, record_id: str) -> bool:
        """Delete a record (and, for a mentor, its vectors). True if it existed.

        Profiles and answers kept in memory go at once (an erased person's data is not
        left there until the next request notices the change)."""
        found = self.store.delete(kind, record_id)
        for kept in (self.mentees, self.answers, self.rendered, self.related):
            kept.clear()
        if kind in (Kind.MENTORS, Kind.MENTEES):
            self.exposure.forget(record_id)
        self.refresh()
        return found

    # -- suggestions ----------------------------------------------------------------------

    def suggest_for(
        self, mentee_id: str, k: int = 10, filters: SuggestionFilters | None = None
    ) -> list[Suggestion]:
        """Suggestions for a stored mentee. Raises ``UnknownMentee``."""
        self.refresh()
        return self.suggest(self.stored_mentee(mentee_id), k, filters, refreshed=True)

    def stored_mentee(self, mentee_id: str) -> Mentee:
        """A stored mentee's profile, read from the store once per change number (any write
        changes it and empties ``mentees``); call after ``refresh``, which reads the number.
        The profile is shared: read it, never change it. Raises ``UnknownMentee``."""
        return self._kept(self.mentees, mentee_id, self.store.get_mentee)

    def suggest(
        self,
        mentee: Mentee,
        k: int = 10,
        filters: SuggestionFilters | None = None,
        refreshed: bool = False,
    ) -> list[Suggestion]:
        """The top ``k`` mentors for ``mentee``, best first, explained (only those ``k``).

        A repeat of a request answered since the store last changed (same profile, ``k``
        and filters, same day) is served from ``answers``. ``refreshed``: the caller has
        just caught up with the store (no second read of its change number).
        """
        filters = filters or SuggestionFilters()
        if not refreshed:
            self.refresh()
        stamp = self._stamp()
        key = (mentee.model_dump_json(), k, filters) if self.answers.max_items else None
        kept = None if key is None else self.answers.get(stamp, key)
        if kept is not None:
            return list(kept)
        scored = self.score(mentee, k, filters, refreshed=True)
        boost: np.ndarray | None = None
        shared: dict[str, list[str]] = {}
        if filters.personal:
            boost, shared = self.identity.lift(mentee.id, scored.mentor_ids, self._state.seq)
        scores, order = self.order(scored, filters, boost=boost)
        open_list = filters.only is None  # not a cohort's list of its own mentors
        if open_list:
            order = self._discover(scored, order, k, mentee.id)
        found = self._explained(scored, scores, list(enumerate(order[:k], start=1)), shared)
        if open_list:
            self.exposure.record(mentee.id, [s.mentor_id for s in found], self.clock.now())
        if key is not None:
            self.answers.put(stamp, key, tuple(found))
        return found

    def _discover(self, scored: Scored, order: list[int], k: int, mentee_id: str) -> list[int]:
        """``order`` with the top ``k``'s discovery places given to candidates not over their
        fair share of appearances in other mentees' lists (``recommender.ranking.exposure``)."""
        policy = self.exposure_policy
        if policy.places(k) <= 0 or len(order) <= k - policy.places(k):
            return order
        window = order[: max(policy.depth, k)]
        ids = [scored.mentor_ids[i] for i in window]
        exposure = np.zeros(len(scored.mentor_ids))
        fair = np.zeros(len(scored.mentor_ids))
        exposure[window] = self.exposure.shares(ids, leave_out=mentee_id)
        with self._lock:
            total = self.columns.free_total()
            if total > 0:
                rows = np.array([self.index.slot(m) for m in ids], dtype=np.int64)
                fair[window] = np.maximum(self.columns.free_places(rows), 0) / total
            else:  # no capacities known: every mentor's share is equal
                fair[window] = 1.0 / max(1, len(self.index))
        return with_discovery(order, exposure, fair, k, policy)

    def answer_for(
        self,
        mentee_id: str,
        k: int,
        filters: SuggestionFilters,
        render: Callable[[Mentee, list[Suggestion]], bytes],
    ) -> bytes:
        """A stored mentee's suggestions as ``render`` makes them (the API's JSON body).

        The same request rendered since the store last changed (and on the same day) is
        answered from ``rendered`` without reading the profile, ranking or serialising:
        any write changes the store's change number, so an unchanged number means an
        unchanged profile. What the answer shows is logged (``note``): it is served to be
        shown. Raises ``UnknownMentee``.
        """
        self.refresh()
        stamp = self._stamp()
        key = (mentee_id, k, filters)
        kept = self.rendered.get(stamp, key)
        if kept is None:
            mentee = self.stored_mentee(mentee_id)
            found = self.suggest(mentee, k, filters, refreshed=True)
            kept = render(mentee, found), tuple((s.mentor_id, s.rank, s.score) for s in found)
            self.rendered.put(stamp, key, kept)
        self.note(mentee_id, kept[1])
        return kept[0]

    def note(self, mentee_id: str, found: Iterable[tuple[str, int, float]]) -> None:
        """Log that ``found`` (mentor id, rank, score) was shown to the mentee now (kept in
        memory; the server's courier writes it): the outcome log's record of what a mentee
        saw."""
        self.shown.add(
            ShownAnswer(self.clock.now(), mentee_id, uuid.uuid4().hex[:12], tuple(found))
        )

    def rendered_answer(self, mentee_id: str, k: int, filters: SuggestionFilters) -> bytes | None:
        """``answer_for``'s answer if it is in memory and the store has not changed since
        the engine last caught up with it; None otherwise (then call ``answer_for``). It
        never syncs the index nor computes anything, so an event loop may call it. A found
        answer is logged as shown, as ``answer_for`` does."""
        if self.store.seq() != self._state.seq:
            return None
        kept = self.rendered.get(self._stamp(), (mentee_id, k, filters))
        if kept is None:
            return None
        self.note(mentee_id, kept[1])
        return kept[0]

    def _stamp(self) -> tuple[int, date, int]:
        """What every answer depends on beside the request: the store's change number, the
        date signals are computed at, and the ranker."""
        return (self._state.seq, self.today(), id(self.ranker))

    def ranked(self, mentee: Mentee, k: int, filters: SuggestionFilters) -> list[tuple[str, float]]:
        """The top ``k`` mentors in presentation order with their scores as ``suggest`` shows
        them, unexplained (what a cohort's score matrix needs of each mentee)."""
        scored = self.score(mentee, k, filters)
        scores, order = self.order(scored, filters)
        return [(scored.mentor_ids[i], shown_score(float(scores[i]))) for i in order[:k]]

    def suggest_among(
        self, mentee: Mentee, mentor_ids: Sequence[str], k: int, filters: SuggestionFilters
    ) -> list[Suggestion]:
        """Explained suggestions of ``mentor_ids`` only, each with its rank in the top ``k``
        (mentors outside it are left out): the chosen pairs of a cohort assignment."""
        scored = self.score(mentee, k, filters)
        scores, order = self.order(scored, filters)
        wanted = set(mentor_ids)
        shown = [
            (rank, i) for rank, i in enumerate(order[:k], start=1) if scored.mentor_ids[i] in wanted
        ]
        return self._explained(scored, scores, shown)

    def _explained(
        self,
        scored: Scored,
        scores: np.ndarray,
        shown: Sequence[tuple[int, int]],
        shared: Mapping[str, list[str]] | None = None,
    ) -> list[Suggestion]:
        """Suggestions of the ``(rank, candidate index)`` pairs in ``shown``; ``shared``:
        the identity attributes each mentor shares with the mentee who asked (said only to
        them)."""
        shared = shared or {}
        ids = [scored.mentor_ids[i] for _, i in shown]
        assert scored.vectors is not None
        with self._lock:
            sims = self.index.item_similarities(scored.vectors, ids).sims
        rows = [i for _, i in shown]
        contributions = self.ranker.shares(scored, rows)
        sides = None
        if scored.side is not None and scored.sides is not None:
            # the mentor side scales the score, and so each signal's share of it
            contributions = contributions * scored.side[rows][:, None]
            sides = [
                scored.sides.side(scored.mentee, scored.mentors[scored.mentor_ids[i]]) for i in rows
            ]
        weights = self.ranker.effective_weights
        found = scored.candidates(shown, scores, contributions, sims)
        return [
            self.explainer.explain(
                candidate,
                weights,
                None if sides is None else sides[j],
                shared.get(candidate.mentor.id, ()),
            )
            for j, candidate in enumerate(found)
        ]

    def related_mentors(self, mentee_id: str) -> Related:
        """Mentors the mentee has (or had) a relationship with, read once per change number
        (every relationship write changes it)."""
        return self._kept(self.related, mentee_id, self.relationships.mentors_of)

    def known_now(self) -> Known:
        """What the outcome log says of the mentors now (after catching up with the store):
        acceptance chances and the places held per mentee stage."""
        self.refresh()
        return self.mentor_side.known(self._state.mentors, self._state.seq)

    def _kept(self, cache: AnswerCache[T], key: str, read: Callable[[str], T]) -> T:
        """``read(key)``, or what ``cache`` kept of it under the current change number."""
        stamp = self._state.seq
        kept = cache.get(stamp, key)
        if kept is None:
            kept = read(key)
            cache.put(stamp, key, kept)
        return kept

    def score(
        self,
        mentee: Mentee,
        k: int,
        filters: SuggestionFilters,
        as_of: date | None = None,
        refreshed: bool = False,
        keep_related: bool = False,
    ) -> Scored:
        """Candidates passing the hard filters, with every signal computed (not yet ranked).

        The hard filters are a mask over the mentor columns, retrieval searches only the
        mentors it allows, and the signals are computed for all candidates at once.
        ``as_of`` is the date signals are computed at (default: today); feedback and logged
        activity dated on or after it are ignored, as an offline replay needs.
        ``refreshed``: the caller has just caught up with the store (no second read).
        ``keep_related``: keep the mentee's current and past mentors among the candidates
        (a training set labels them with what came of each relationship).
        """
        if not refreshed:
            self.refresh()
        related = self.related_mentors(mentee.id)
        # Current and past mentors are not suggested again, except, while a cohort's approved
        # assignment is reviewed (its places released), the pairs that assignment made.
        reviewed = {mentor_id for mentor_id, _ in filters.released}
        left_out = set() if keep_related else related.mentors - (related.booked & reviewed)
        if not left_out <= set(filters.exclude):
            filters = replace(filters, exclude=tuple(sorted({*filters.exclude, *left_out})))
        queries = mentee_items(mentee)
        q_vecs = self.embedder.encode_query([q.text for q in queries])
        day = as_of or self.today()
        until = None if as_of is None else datetime.combine(as_of, datetime.min.time(), UTC)
        known = self.mentor_side.known(self._state.mentors, self._state.seq, until)
        with self._lock:
            state, index, columns = self._state, self.index, self.columns
            released = {index.slot(m): n for m, n in filters.released if m in index}
            mask = allowed(mentee, columns, filters, index.find, released, day, known.held_at)
            found = self.retriever.retrieve(index, q_vecs, k, mask)
            lexical = index.lexical.scores([q.text for q in queries], found.slots)
            ctx = self._contexts.at(state, state.feedback.values(), day)
            batch = Batch(
                mentee,
                found.slots,
                columns,
                ctx,
                self._feedback_columns(ctx.feedback),
                found.best,
                freed(found.slots, released),
                lexical,
            )
            mentors = _with_released(state.mentors, filters.released)

            def pair(i: int) -> SignalPair:
                m = found.mentor_ids[i]
                sims = index.item_similarities(q_vecs, [m]).sims.get(m)
                return SignalPair(mentee, mentors[m], sims, ctx, float(lexical[i]))

            signals = self.registry.batch_signals(batch, pair)
            in_field = np.nan_to_num(batch.specialty, nan=0.0) >= IN_FIELD
            names = columns.specialty_names.names
            groups = [names[i] for i in columns.primary[found.slots].tolist()]
            bit = np.uint16(STAGE_BIT[mentee.stage])
            stage_outside = (columns.stages_stated[found.slots] & bit) == 0
            other_stated = columns.other_stated[found.slots]
        side = None
        if self.settings.two_sided:
            side = known.side.factors(
                mentee, found.mentor_ids, mentors, stage_outside, other_stated
            )
        return Scored(
            mentee,
            queries,
            found.mentor_ids,
            signals.X,
            in_field,
            groups,
            mentors,
            state.items,
            ctx,
            self.registry,
            q_vecs,
            signals,
            lexical,
            side,
            known.side,
        )

    def _feedback_columns(self, stats: FeedbackStats) -> FeedbackColumns:
        """``stats`` laid out by slot, built once per aggregation (call under the lock)."""
        held = self._feedback
        if held is None or held[0] is not stats or len(held[1].raters) < self.columns.size:
            held = self._feedback = (
                stats,
                FeedbackColumns.of(stats, self.index.find, self.columns.size),
            )
        return held[1]

    def order(
        self,
        scored: Scored,
        filters: SuggestionFilters,
        ranker: Ranker | None = None,
        scores: np.ndarray | None = None,
        two_sided: bool = True,
        boost: np.ndarray | None = None,
    ) -> tuple[np.ndarray, list[int]]:
        """Scores (by ``ranker``, default the engine's; or ``scores`` as given, one per
        candidate) and the presentation order.

        The scores are multiplied by the mentor side's factors (``scored.side``) unless
        ``two_sided`` is false or the engine's setting turned them off. Best score
        first, then diversified across specialties or specialty-first, as the mentee's stage
        or the filters ask. ``boost`` (per candidate, in [0, 1]) lifts a score ``s`` to
        ``s + boost · (1 − s)``: a mentee's consented identity preferences.
        """
        ranker = ranker or self.ranker
        kept = scored.mentor_ids
        if scores is None:
            scores = ranker.scores(scored)
        elif scores.shape != (len(kept),):
            raise ValueError(f"scores shape {scores.shape} != ({len(kept)},)")
        if two_sided and scored.side is not None:
            scores = scores * scored.side
        if boost is not None:
            scores = scores + boost * (1.0 - scores)
        policy = choose_policy(filters, scored.mentee, self.settings.mmr_lambda)
        return scores, present(scores, kept, scored.groups, scored.in_field, policy)

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
                "ranker": self.ranker.description,
                "index": {
                    "mentors": len(self.index),
                    "items": self.index.n_items,
                    "store_seq": self._state.seq,
                    "snapshot_seq": self.index.store_seq,
                    "in_sync": in_sync and len(self.index) == counts["mentors"],
                    **self.index_status(),
                },
            }

    def index_status(self) -> dict[str, object]:
        """The search in use: kind, memory (index and mentor columns held by this process;
        the vectors read from the mapped snapshot file; rows of replaced mentors the next
        snapshot drops), and for an IVF
        index its lists, probes, training and measured candidate recall (call under the
        lock)."""
        index = self.index
        out: dict[str, object] = {
            "type": index.kind,
            "chosen": "auto" if index.policy.requested == "auto" else "settings",
            "index_bytes": index.nbytes,
            "mapped_bytes": index.mapped_bytes,
            "dead_rows": index.dead_rows,
            "columns_bytes": self.columns.nbytes,
            "candidate_recall": 1.0 if index.recall is None else round(index.recall, 4),
        }
        if index.recall is not None:
            out["recall_measured_on"] = index.recall_on
        info = index.approx_info()
        if info is not None:
            out |= {
                "lists": info.lists,
                "probes": info.probes,
                "trained_on_items": info.trained_on,
                "train_seconds": round(info.train_s, 2),
                "short_searches": index.short_searches,
            }
        return out


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


def query_vectors(embedder: Embedder, mentees: Sequence[Record]) -> list[np.ndarray]:
    """Each mentee's query vectors (float32 ``(items, dim)``); mentees without items are left
    out."""
    texts = [[q.text for q in mentee_items(cast(Mentee, m))] for m in mentees]
    return [embedder.encode_query(t) for t in texts if t]


def index_policy(settings: Settings) -> IndexPolicy:
    """The index's search policy from the settings (``index_*``)."""
    return IndexPolicy(
        requested=settings.index_type,
        flat_max_items=settings.index_flat_max_items,
        probes=settings.index_probes,
        shortlist=settings.index_shortlist,
        map_from_items=settings.index_map_from_items,
        pooling=settings.match_pooling,
    )


def columns_of(index: MentorIndex, mentors: Mapping[str, Mentor]) -> MentorColumns:
    """Mentor columns aligned with ``index``'s slots, every mentor of ``mentors`` put."""
    columns = MentorColumns()
    for mentor_id, mentor in mentors.items():
        columns.put(index.slot(mentor_id), mentor)
    return columns


def build_engine(
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    today: Callable[[], date] | None = None,
) -> Engine:
    """Turn settings into a ready engine: store, cached embedder, ranker, loaded index."""
    settings = settings or Settings()
    store = Store(settings.sqlalchemy_url)
    inner = embedder or SentenceTransformerEmbedder(
        settings.model_path, settings.embed_batch_size, settings.torch_threads
    )
    cached = CachedEmbedder(inner, store, settings.vector_memory_items)
    ranker = served_ranker(settings)
    index = MentorIndex.load(
        settings.index_path, cached.model_id, cached.dim, index_policy(settings)
    )
    clock = StoredClock(store.database, settings.clock)
    return Engine(store, cached, ranker, settings, index, today, clock)
