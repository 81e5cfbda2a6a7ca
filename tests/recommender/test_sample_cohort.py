"""The bundled sample cohort as a regression check: planted right answers must be found."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from recommender.domain.items import mentee_items
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Mentee, Mentor
from recommender.domain.specialties import canonical
from recommender.engine import Engine, build_engine
from recommender.ranking.filters import SuggestionFilters
from recommender.ranking.ordering import IN_FIELD, choose_policy, present
from recommender.ranking.registry import CREDIBILITY, REGISTRY, SignalPair
from recommender.ranking.signals import mentee_targets, mentor_specialties
from recommender.retrieval.embedding import (
    CachedEmbedder,
    SentenceTransformerEmbedder,
    text_hash,
)
from recommender.settings import Settings
from recommender.storage.ingest import parse_file
from tests.conftest import TODAY

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def sample_engine(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[Engine]:
    # exposure control off: these tests compare rankings between engines and paths, and
    # each engine's exposure ledger holds what it has shown (tests/…/test_exposure.py)
    settings = Settings(data_dir=tmp_path_factory.mktemp("sample"), exposure_share=0.0)
    engine = build_engine(settings, embedder=embedder, today=lambda: TODAY)
    for name in ("mentors", "mentees", "feedback"):
        parsed = parse_file(SAMPLE / f"{name}.jsonl")
        assert parsed.rejected == []
        engine.write(parsed.kind, parsed.records)
    yield engine
    engine.store.close()


@pytest.fixture(scope="module")
def truth() -> dict[str, set[str]]:
    rows = [json.loads(line) for line in (SAMPLE / "truth.jsonl").open()]
    return {row["mentee_id"]: set(row["mentor_ids"]) for row in rows}


@pytest.fixture(scope="module")
def mentees(sample_engine: Engine) -> list[Mentee]:
    every = sample_engine.store.records("mentees")
    return random.Random(0).sample(every, 150)  # type: ignore[arg-type]


def test_stored_mentees_texts_are_embedded_when_written(sample_engine: Engine) -> None:
    """Writing mentees stores their query vectors, as writing mentors stores item vectors:
    another worker process (a second engine over the same store) finds every one of them
    in the store and embeds nothing for a stored mentee's request."""
    every = sample_engine.store.records(Kind.MENTEES)
    texts = {q.text for m in every for q in mentee_items(m)}  # type: ignore[arg-type]
    hashes = [text_hash(t) for t in texts]
    assert len(hashes) > 500
    stored = sample_engine.store.cached_vectors(sample_engine.embedder.model_id, hashes)
    assert set(stored) == set(hashes)
    other = Engine(
        sample_engine.store,
        CachedEmbedder(RefusingEmbedder(sample_engine.embedder), sample_engine.store),
        sample_engine.ranker,
        sample_engine.settings,
        sample_engine.index,
    )
    other.today = sample_engine.today
    mentee = every[7]
    assert isinstance(mentee, Mentee)
    assert [s.mentor_id for s in other.suggest(mentee, 5)] == [
        s.mentor_id for s in sample_engine.suggest(mentee, 5)
    ]


class RefusingEmbedder:
    """An embedder that fails if asked to embed anything (a cache miss)."""

    def __init__(self, like: object) -> None:
        self.model_id = like.model_id  # type: ignore[attr-defined]
        self.dim = like.dim  # type: ignore[attr-defined]

    def encode(self, texts: object, progress: object = None) -> np.ndarray:
        raise AssertionError(f"embedded {texts!r}: the store should have held it")

    encode_query = encode

    def warm_up(self) -> None:
        pass


def test_planted_mentors_are_found_far_above_chance(
    sample_engine: Engine, truth: dict[str, set[str]], mentees: list[Mentee]
) -> None:
    hits = sum(
        bool(truth[m.id] & {s.mentor_id for s in sample_engine.suggest(m, 10)}) for m in mentees
    )
    everyone = list(sample_engine.store.ids("mentors"))
    rng = random.Random(1)
    chance = sum(bool(truth[m.id] & set(rng.sample(everyone, 10))) for m in mentees)
    assert hits / len(mentees) >= 0.85
    assert hits > 3 * chance


def test_hard_filters_hold_on_the_whole_cohort(
    sample_engine: Engine, mentees: list[Mentee]
) -> None:
    mentors: dict[str, Mentor] = {m.id: m for m in sample_engine.store.mentors()}
    for mentee in mentees:
        for s in sample_engine.suggest(mentee, 10):
            chosen = mentors[s.mentor_id]
            assert chosen.free_places > 0
            assert chosen.id not in mentee.conflicts and mentee.id not in chosen.conflicts
            if mentee.require_language:
                assert set(mentee.languages) & set(chosen.languages)
            if mentee.require_meeting_mode:
                assert set(mentee.meeting_modes) & set(chosen.meeting_modes)


def test_stage_shapes_the_list(sample_engine: Engine, mentees: list[Mentee]) -> None:
    explorers = [m for m in mentees if m.early and m.undecided]
    decided = [m for m in mentees if m.stage.startswith("PGY") and m.target_specialties]
    assert explorers and decided
    for m in explorers:
        assert len({s.specialty for s in sample_engine.suggest(m, 5)}) >= 4
    mentors = {m.id: m for m in sample_engine.store.mentors()}
    in_field = [
        bool(mentee_targets(m) & mentor_specialties(mentors[s.mentor_id]))
        for m in decided
        for s in sample_engine.suggest(m, 5)
    ]
    assert sum(in_field) / len(in_field) >= 0.7


def test_sample_program_assignment_respects_capacity_conflicts_locks_and_fairness(
    sample_engine: Engine,
) -> None:
    from collections import Counter

    from recommender.domain.profiles import Cohort
    from recommender.matching.review import Review

    parsed = parse_file(SAMPLE / "cohorts.jsonl")
    sample_engine.write("cohorts", parsed.records)
    cohort = sample_engine.store.get("cohorts", "sample")
    assert isinstance(cohort, Cohort)
    mentors = {m.id: m for m in sample_engine.store.mentors()}
    mentees = {m.id: m for m in sample_engine.store.records("mentees")}  # type: ignore[misc]
    review = Review(sample_engine)
    total = review.propose(cohort, "test", "total")
    fair = review.propose(cohort, "test", "fair")
    for draft in (total, fair):
        pairs = draft.result.pairs
        assert sorted(p.mentee_id for p in pairs) == sorted(cohort.mentee_ids)
        for mentor_id, load in Counter(p.mentor_id for p in pairs).items():
            assert load <= mentors[mentor_id].free_places
        for p in pairs:
            assert p.mentor_id not in mentees[p.mentee_id].conflicts  # type: ignore[attr-defined]
    # the fair mode maximises the worst-off pair's score: never below the total mode's (here
    # the total mode's worst pair is already as good as any assignment's can be)
    assert fair.result.min_score >= total.result.min_score
    assert fair.result.total <= total.result.total + 1e-9
    first = total.result.pairs[0]
    used = Counter(p.mentor_id for p in total.result.pairs)
    other = next(  # a mentor with room left in the draft
        m for m in cohort.mentor_ids if m != first.mentor_id and mentors[m].free_places > used[m]
    )
    changed = review.override(total, first.mentee_id, other, "asked for a surgeon", "test")
    rerun = review.rerun(changed, "test")
    assert (first.mentee_id, other) in {(p.mentee_id, p.mentor_id) for p in rerun.result.pairs}


def _reference_lists(
    engine: Engine, mentee: Mentee, filters: SuggestionFilters, k: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Today's per-pair path over the engine's own candidates: each signal of each pair
    computed by ``Signal.compute`` on the mentor as stored (released places counted free),
    the mentor side's factor worked out pair by pair (``MentorSide.side``, not from the
    columns), then ranked and presented as the engine does. Returns the shown ids, the
    reference signal matrix and the engine's."""
    scored = engine.score(mentee, k, filters)
    side = engine.known_now().side
    factors = []
    assert scored.vectors is not None
    released = dict(filters.released)
    rows = []
    groups, in_field = [], []
    for m in scored.mentor_ids:
        stored = engine.store.get("mentors", m)
        assert isinstance(stored, Mentor)
        if m in released:
            placed = max(0, stored.placed_mentees - released[m])
            stored = stored.model_copy(update={"placed_mentees": placed})
        sims = engine.index.item_similarities(scored.vectors, [m]).sims.get(m)
        texts = [q.text for q in scored.queries]
        lexical = float(engine.index.lexical.scores(texts, engine.index.slots([m]))[0])
        signals = REGISTRY.compute(SignalPair(mentee, stored, sims, scored.ctx, lexical))
        rows.append({name: signals[name].value for name in REGISTRY.names})
        factors.append(side.side(mentee, stored).factor)
        groups.append(canonical(stored.specialty))
        in_field.append(signals[CREDIBILITY.name].parts.get("specialty", 0.0) >= IN_FIELD)
    X = REGISTRY.matrix(rows)
    scores = engine.ranker.predict(X) * np.array(factors) if rows else np.zeros(0)
    policy = choose_policy(filters, mentee, engine.settings.mmr_lambda)
    order = present(scores, scored.mentor_ids, groups, np.array(in_field), policy)
    return [scored.mentor_ids[i] for i in order[:k]], X, scored.X


def test_columnar_lists_equal_the_per_pair_lists(
    sample_engine: Engine, mentees: list[Mentee]
) -> None:
    """Fifty sampled mentees, with no filter, a cohort's and a language + full-mentors one:
    the signals the engine computes for all candidates at once equal the per-pair values
    within 1e-6, and the shown lists are identical. (Released places, which the sample's
    store holds none of, are covered by the property test of the columns.)"""
    cohort = json.loads((SAMPLE / "cohorts.jsonl").read_text().splitlines()[0])
    variants = {
        "none": SuggestionFilters(),
        "cohort": SuggestionFilters(only=frozenset(cohort["mentor_ids"])),
        "language, full too": SuggestionFilters(languages=("spanish",), include_full=True),
    }
    compared, some = 0, mentees[:50]
    for name, filters in variants.items():
        for mentee in some:
            shown = [s.mentor_id for s in sample_engine.suggest(mentee, 10, filters)]
            expected, X_ref, X = _reference_lists(sample_engine, mentee, filters, 10)
            assert np.abs(X - X_ref).max(initial=0.0) <= 1e-6, (name, mentee.id)
            assert shown == expected, (name, mentee.id)
            compared += len(shown)
    assert compared > 2 * len(some) * 10 * 0.9


def test_explanations_read_from_the_columns_equal_the_per_pair_ones(
    sample_engine: Engine, mentees: list[Mentee]
) -> None:
    """The shown candidates' explanations take their signals' parts from the columns they
    were ranked with; worked out pair by pair instead, every suggestion (reasons, gaps,
    components, matches, text) is the same, with and without filters."""
    cohort = json.loads((SAMPLE / "cohorts.jsonl").read_text().splitlines()[0])
    variants = [
        SuggestionFilters(),
        SuggestionFilters(only=frozenset(cohort["mentor_ids"])),
        SuggestionFilters(languages=("spanish",), include_full=True),
    ]
    told = {"reasons": 0, "gaps": 0, "rated": 0}
    for filters in variants:
        for mentee in mentees[:40]:
            scored = sample_engine.score(mentee, 10, filters)
            assert scored.signals is not None
            scores, order = sample_engine.order(scored, filters)
            shown = list(enumerate(order[:10], start=1))
            per_pair = replace(scored, signals=None)
            got = sample_engine._explained(scored, scores, shown)
            expected = sample_engine._explained(per_pair, scores, shown)
            assert got == expected, mentee.id
            sims = sample_engine.index.item_similarities(
                scored.vectors, [scored.mentor_ids[i] for _, i in shown]
            ).sims
            shares = np.zeros((len(shown), scored.X.shape[1]))
            for a, b in zip(
                scored.candidates(shown, scores, shares, sims),
                per_pair.candidates(shown, scores, shares, sims),
                strict=True,
            ):
                assert a.signals.keys() == b.signals.keys()
                for name, value in a.signals.items():
                    other = b.signals[name]
                    assert (value.value is None) == (other.value is None), (mentee.id, name)
                    if value.value is not None:
                        assert value.value == pytest.approx(other.value, abs=1e-6), name
                    assert value.parts.keys() == other.parts.keys(), name
            assert "lexical" in a.signals["similarity"].parts
            told["reasons"] += sum(len(s.reasons) for s in got)
            told["gaps"] += sum(len(s.gaps) for s in got)
            told["rated"] += sum("past mentees" in r for s in got for r in s.reasons)
    assert all(told.values()), told  # each kind of sentence was compared


def test_an_ivf_index_gives_the_flat_lists_and_reports_itself(
    sample_engine: Engine, mentees: list[Mentee], tmp_path: Path
) -> None:
    """The sample program forced onto an IVF index that reads every list and shortlists
    generously (here the pool, 300, is nearly every one of the 320 mentors): the same lists
    as exact search; ``health`` shows the type, memory and measured recall, and a restart
    takes the IVF index from the snapshot."""
    settings = Settings(
        data_dir=tmp_path,
        index_type="ivf-sq8",
        index_probes=8192,
        index_shortlist=2.0,
        exposure_share=0.0,
    )
    engine = Engine(sample_engine.store, sample_engine.embedder, sample_engine.ranker, settings)
    engine.today = sample_engine.today
    engine.refresh()
    status = engine.health()["index"]
    assert isinstance(status, dict)
    assert status["type"] == "ivf-sq8" and status["chosen"] == "settings"
    assert status["candidate_recall"] == 1.0 and status["lists"] == status["probes"]
    assert status["recall_measured_on"] == "mentee queries"  # the stored mentees' own
    assert status["index_bytes"] > status["columns_bytes"] > 0
    for mentee in mentees[:30]:
        got = [s.mentor_id for s in engine.suggest(mentee, 10)]
        assert got == [s.mentor_id for s in sample_engine.suggest(mentee, 10)], mentee.id
    restarted = build_engine(settings, embedder=sample_engine.embedder.inner)
    assert restarted.index.kind == "ivf-sq8" and restarted.index.recall == 1.0
    assert restarted.index.recall_on == "mentee queries"
    restarted.store.close()
