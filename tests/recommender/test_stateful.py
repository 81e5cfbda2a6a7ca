"""A stateful property test of the engine against a plain model of what should be stored.

Hypothesis interleaves mentor writes, updates and deletes, suggestion requests, process
restarts and damage to the index snapshot, and after every step checks the engine against a
``dict`` of the mentors that should be live: the index holds exactly them, and a suggestion
list names only live mentors with a free place, each once, ranked 1..n, as many as asked for
or as exist.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from recommender.domain.profiles import Mentee, Mentor
from recommender.domain.suggestion import Suggestion
from recommender.engine import Engine, SuggestionFilters, build_engine, excluded_reason
from recommender.retrieval.embedding import Embedder, Progress, SentenceTransformerEmbedder
from recommender.settings import Settings
from tests.conftest import TODAY, mentee, mentor

POOL = 10
"""The engine's candidate pool: the least allowed, fewer than ``MENTOR_IDS``."""
MENTOR_IDS: tuple[str, ...] = tuple(f"m{i}" for i in range(16))
MISSING_ID = "nobody"

# (specialty, research area, interest): few and far apart, so the model embeds each once.
TOPICS: tuple[tuple[str, str, str], ...] = (
    ("cardiology", "heart failure with preserved ejection fraction", "echocardiography"),
    ("psychiatry", "adolescent depression and suicide prevention", "psychotherapy"),
    ("dermatology", "melanoma early detection", "skin cancer screening"),
    ("nephrology", "acute kidney injury after cardiac surgery", "dialysis access"),
    ("pediatrics", "childhood asthma in urban neighbourhoods", "school-based health"),
    ("neurology", "thrombectomy for acute ischemic stroke", "stroke systems of care"),
)

# No conflicts, no required meeting mode or language: every mentor with a free place is
# eligible. Stages cover the plain, diversified (early, undecided) and specialty-first paths.
MENTEES: tuple[Mentee, ...] = (
    mentee("e0", "MS3", interests=["heart failure with preserved ejection fraction"]),
    mentee("e1", "MS1", interests=["working with children"], goals=["find a research project"]),
    mentee("e2", "PGY2", target_specialties=["neurology"], interests=["stroke"]),
    mentee("e3", "fellow", target_specialties=["dermatology"], goals=["publish on melanoma"]),
)

NO_FILTERS = SuggestionFilters()


class MemoEmbedder:
    """The real model behind an in-process memo, so examples after the first embed nothing.

    Each example has its own store (and so its own ``CachedEmbedder``); without the memo every
    example would run the model again on the same few texts.

    Args:
        inner: the session's embedder.
    """

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Embed ``texts``; float32 ``(len(texts), dim)``, rows L2-normalised."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            self._memo.update(zip(todo, self.inner.encode(todo), strict=True))
        if progress:
            progress(len(texts))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts]).astype(np.float32, copy=False)

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """Queries are embedded like documents by this model."""
        return self.encode(texts)

    def warm_up(self) -> None:
        """Warm up the real model."""
        self.inner.warm_up()


def places() -> st.SearchStrategy[dict[str, Any]]:
    """Capacity 0–3 and current mentees up to it: six ways to have a free place, four full."""
    pairs = [(c, n) for c in range(4) for n in range(c + 1)]
    pairs.sort(key=lambda p: (p[0] == p[1], p))  # free places first: shrinks towards them
    return st.sampled_from(pairs).map(lambda p: {"capacity": p[0], "current_mentees": p[1]})


@st.composite
def texts(draw: st.DrawFn) -> dict[str, Any]:
    """Specialty, and optionally research area and interest, from ``TOPICS``."""
    specialty, research, interest = draw(st.sampled_from(TOPICS))
    return {
        "specialty": specialty,
        "research_areas": [research] if draw(st.booleans()) else [],
        "interests": [interest] if draw(st.booleans()) else [],
    }


class EngineMachine(RuleBasedStateMachine):
    """The engine over one temporary data directory, and the mentors it should hold."""

    embedder: ClassVar[Embedder | None] = None

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="mentor-match-stateful-"))
        self.backup = self.tmp / "backup"
        self.model: dict[str, Mentor] = {}
        self.built: list[Engine] = []
        # The smallest candidate pool allowed: past 10 mentors the engine must widen it.
        self.settings = Settings(data_dir=self.tmp / "var", candidate_pool=POOL)
        self.engine: Engine | None = None

    # -- helpers ----------------------------------------------------------------------------

    def _build(self) -> Engine:
        assert self.embedder is not None, "set EngineMachine.embedder before running"
        engine = build_engine(self.settings, embedder=self.embedder, today=lambda: TODAY)
        self.built.append(engine)
        return engine

    @property
    def live(self) -> Engine:
        assert self.engine is not None
        return self.engine

    @property
    def snapshot_files(self) -> tuple[Path, Path]:
        index = self.settings.index_path
        return index, index.with_suffix(".meta.json")

    def _restart(self, warm: bool) -> None:
        """Close the store and start again; ``warm`` catches up with the store as the API does."""
        self.live.store.close()
        self.engine = self._build()
        if warm:
            self.live.refresh()

    def _write(self, records: list[Mentor]) -> None:
        """Write ``records`` and check the store counted each as new, changed or unchanged."""
        expected = {"inserted": 0, "updated": 0, "unchanged": 0}
        for record in records:
            old = self.model.get(record.id)
            if old is None:
                expected["inserted"] += 1
            elif old.model_dump_json() == record.model_dump_json():
                expected["unchanged"] += 1
            else:
                expected["updated"] += 1
        result = self.live.write("mentors", records)
        assert {key: getattr(result, key) for key in expected} == expected
        self.model.update((r.id, r) for r in records)

    def _add(self, data: st.DataObject, min_size: int, max_size: int) -> None:
        """Write ``min_size`` to ``max_size`` new mentors (ids not live) in one call."""
        free_ids = [m for m in MENTOR_IDS if m not in self.model]
        sizes = range(min_size, min(max_size, len(free_ids)) + 1)
        size = data.draw(st.sampled_from(sizes), label="how many")  # uniform, unlike integers()
        new_ids = data.draw(st.permutations(free_ids), label="new ids")[:size]
        if new_ids:
            self._write([mentor(i, **data.draw(texts()), **data.draw(places())) for i in new_ids])

    def _all_ids(self, who: Mentee) -> list[str]:
        """Every mentor suggested to ``who``, in order."""
        return [s.mentor_id for s in self.live.suggest(who, k=len(MENTOR_IDS))]

    # -- rules ------------------------------------------------------------------------------

    @initialize(data=st.data())
    def start(self, data: st.DataObject) -> None:
        """A fresh engine and a first faculty (of up to all the ids) in one write."""
        self.engine = self._build()
        self.live.write("mentees", list(MENTEES))
        self._add(data, 0, len(MENTOR_IDS))

    @precondition(lambda self: len(self.model) < len(MENTOR_IDS))
    @rule(data=st.data())
    def add_mentors(self, data: st.DataObject) -> None:
        """One to three new mentors in one write."""
        self._add(data, 1, 3)

    @precondition(lambda self: bool(self.model))
    @rule(
        data=st.data(),
        where=st.none() | places(),
        what=st.none() | texts(),
    )
    def update_mentor(
        self,
        data: st.DataObject,
        where: dict[str, Any] | None,
        what: dict[str, Any] | None,
    ) -> None:
        """Change a live mentor's places, its text, both or neither (an unchanged write)."""
        mentor_id = data.draw(st.sampled_from(sorted(self.model)))
        fields = self.model[mentor_id].model_dump() | (where or {}) | (what or {})
        self._write([Mentor.model_validate(fields)])

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def delete_mentor(self, data: st.DataObject) -> None:
        """Delete a live mentor: found."""
        mentor_id = data.draw(st.sampled_from(sorted(self.model)))
        assert self.live.delete("mentors", mentor_id) is True
        del self.model[mentor_id]

    @rule(data=st.data())
    def delete_missing_mentor(self, data: st.DataObject) -> None:
        """Delete an id that is not live (deleted, never written): not found, nothing changes."""
        gone = [m for m in MENTOR_IDS if m not in self.model]
        mentor_id = data.draw(st.sampled_from([*gone, MISSING_ID]))
        assert self.live.delete("mentors", mentor_id) is False

    @rule(who=st.sampled_from(MENTEES), k=st.integers(1, 12), by_id=st.booleans())
    def suggest(self, who: Mentee, k: int, by_id: bool) -> None:
        """Only live mentors with a free place, each once, ranked 1..n, as many as possible."""
        found: list[Suggestion] = (
            self.live.suggest_for(who.id, k)
            if by_id
            else self.live.suggest(who, k, filters=NO_FILTERS)
        )
        for m in self.model.values():  # the test's premise: only a full mentor is excluded
            expected = None if m.free_places > 0 else "no free place"
            assert excluded_reason(who, m, NO_FILTERS) == expected
        ids = [s.mentor_id for s in found]
        assert len(set(ids)) == len(ids), f"duplicates in {ids}"
        assert set(ids) <= set(self.model), f"not live: {set(ids) - set(self.model)}"
        assert [s.rank for s in found] == list(range(1, len(found) + 1))
        eligible = [m for m in self.model.values() if m.free_places > 0]
        assert len(found) == min(k, len(eligible)), (ids, sorted(m.id for m in eligible))
        for s in found:
            now = self.model[s.mentor_id]
            assert now.free_places > 0
            assert s.specialty == now.specialty  # the profile as last written, not a stale one
            assert f"Has {now.free_places} of {now.capacity} places free." in s.reasons

    @rule(who=st.sampled_from(MENTEES))
    def restart(self, who: Mentee) -> None:
        """A new process over the same data: what is stored and suggested does not change.

        The first request, not a warm-up, catches the new engine up with the store here.
        """
        before = self._all_ids(who)
        self._restart(warm=False)
        assert self._all_ids(who) == before
        assert {m.id: m for m in self.live.store.mentors()} == self.model

    @precondition(lambda self: self.settings.index_path.exists())
    @rule()
    def keep_snapshot_copy(self) -> None:
        """Remember the snapshot as it is now, to put back later as a stale one."""
        self.backup.mkdir(exist_ok=True)
        for path in self.snapshot_files:
            if path.exists():
                shutil.copy2(path, self.backup / path.name)

    @rule(
        how=st.sampled_from(
            [
                "delete index",
                "delete metadata",
                "truncate index",
                "garbage metadata",
                "stale snapshot",
                "stale index only",
            ]
        ),
        then_restart=st.booleans(),
    )
    def damage_snapshot(self, how: str, then_restart: bool) -> None:
        """Break or roll back the snapshot on disk; the next start must rebuild from the store."""
        index, meta = self.snapshot_files
        if how == "delete index":
            index.unlink(missing_ok=True)
        elif how == "delete metadata":
            meta.unlink(missing_ok=True)
        elif how == "truncate index" and index.exists():
            index.write_bytes(index.read_bytes()[: index.stat().st_size // 2])
        elif how == "garbage metadata":
            meta.write_text('{"version": 1, "mentors": ')
        elif how.startswith("stale") and self.backup.exists():
            names = [index.name] if how == "stale index only" else [index.name, meta.name]
            for name in names:
                if (self.backup / name).exists():
                    shutil.copy2(self.backup / name, self.settings.data_dir / name)
        if then_restart:
            self._restart(warm=True)

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def index_holds_exactly_the_live_mentors(self) -> None:
        """The index holds exactly the live mentors, and health() says it is in sync."""
        if self.engine is None:
            return
        # Before health(), which catches up with the store itself: every write, delete and
        # request must have left the index in step already.
        assert self.live.index.mentor_ids == set(self.model)
        health: dict[str, Any] = self.live.health()
        assert health["index"]["in_sync"] is True, health
        assert health["counts"]["mentors"] == len(self.model)

    def teardown(self) -> None:
        """Close every engine's store and remove the example's directory."""
        for engine in self.built:
            engine.store.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def test_engine_agrees_with_a_model_of_the_store(embedder: SentenceTransformerEmbedder) -> None:
    """50 derandomized runs of up to 20 steps: about 10 s on two cores, the same runs each time."""
    EngineMachine.embedder = MemoEmbedder(embedder)
    try:
        run_state_machine_as_test(
            EngineMachine,
            settings=hypothesis_settings(
                max_examples=50,
                stateful_step_count=20,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            ),
        )
    finally:
        EngineMachine.embedder = None
