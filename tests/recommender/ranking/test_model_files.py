"""Learned rankers on disk and served: saved with a checksum and a card, the newest valid
one served by the engine (damaged or foreign ones skipped, default weights without any),
each suggestion's signal shares adding up to its score (real model, SQLite, FAISS, HTTP)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from recommender.domain.profiles import Mentee
from recommender.engine import Engine, build_engine
from recommender.ranking.feature_ranker import FeatureRanker, signal_groups
from recommender.ranking.features import feature_names, features
from recommender.ranking.filters import SuggestionFilters
from recommender.ranking.learned import LogisticModel, Query
from recommender.ranking.model_files import MANIFEST, load_ranker, newest_ranker, save_ranker
from recommender.ranking.ranker import LinearRanker
from recommender.ranking.registry import REGISTRY
from recommender.ranking.scored import Scored
from recommender.settings import Settings
from tests.conftest import FACULTY, TODAY, api_client

ASKS = [
    Mentee(id="s1", stage="MS2", interests=["cardiology research"]),
    Mentee(id="s2", stage="PGY2", interests=["stroke thrombectomy"]),
    Mentee(id="s3", stage="MS4", interests=["trauma ultrasound"]),
    Mentee(id="s4", stage="PGY1", interests=["high-risk pregnancy"]),
]


def scored_of(engine: Engine) -> list[Scored]:
    return [engine.score(m, 10, SuggestionFilters()) for m in ASKS]


def text_model(scored: list[Scored]) -> LogisticModel:
    """A model whose relevant candidate is each request's best text match."""
    names = feature_names(scored[0])
    queries = []
    for s in scored:
        labels = np.zeros(len(s.mentor_ids))
        labels[int(np.argmax(s.X[:, REGISTRY.names.index("similarity")]))] = 1.0
        queries.append(Query(features(s, names), labels))
    return LogisticModel.fit(names, queries * 3)


def save(folder: Path, model: LogisticModel, created: datetime) -> Path:
    weights = {name: 1.0 / len(REGISTRY.names) for name in REGISTRY.names}
    return save_ranker(
        folder, model, weights, {"source": "test"}, {"metric": "ndcg@10"}, "# card\n", created
    )


@pytest.fixture
def model(faculty_engine: Engine) -> LogisticModel:
    return text_model(scored_of(faculty_engine))


def test_a_saved_ranker_loads_and_scores_as_it_was_fitted(
    faculty_engine: Engine, model: LogisticModel, tmp_path: Path
) -> None:
    folder = save(tmp_path / "models" / "r1", model, datetime(2026, 5, 1, tzinfo=UTC))
    assert (folder / "MODEL_CARD.md").read_text() == "# card\n"
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no leftovers
    served = load_ranker(folder)
    for s in scored_of(faculty_engine):
        raw = model.predict(features(s, model.names))
        np.testing.assert_allclose(served.scores(s), 1 / (1 + np.exp(-raw)))
    with pytest.raises(FileExistsError):
        save(folder, model, datetime(2026, 5, 2, tzinfo=UTC))


def test_signal_shares_add_up_to_each_score_and_follow_the_model(
    faculty_engine: Engine, model: LogisticModel
) -> None:
    ranker = FeatureRanker(model, {"similarity": 3.0, "credibility": 1.0}, calibration=(2.0, -1.0))
    assert ranker.effective_weights["similarity"] == pytest.approx(0.75)
    for s in scored_of(faculty_engine):
        rows = list(range(len(s.mentor_ids)))
        shares = ranker.shares(s, rows)
        assert shares.shape == (len(rows), len(REGISTRY.names))
        np.testing.assert_allclose(shares.sum(axis=1), ranker.scores(s), atol=1e-9)
        # a model of one signal's features alone: only that signal's share moves
        j = REGISTRY.names.index("similarity")
        own = signal_groups(model.names, list(REGISTRY.names))[:, j] == 1.0
        only = LogisticModel(
            model.names,
            model.medians,
            model.means,
            model.scales,
            np.where(own, model.coef, 0.0),
            model.intercept,
        )
        alone = FeatureRanker(only).shares(s, rows)
        spread = alone.max(axis=0) - alone.min(axis=0)
        assert spread[j] > 0.01
        np.testing.assert_allclose(np.delete(spread, j), 0, atol=1e-9)


def test_signal_groups_split_products_and_places_by_signal() -> None:
    signals = ["similarity", "credibility"]
    names = ["similarity", "credibility.specialty@query", "similarity*credibility.specialty", "x"]
    np.testing.assert_array_equal(
        signal_groups(names, signals), [[1, 0], [0, 1], [0.5, 0.5], [0, 0]]
    )


def test_the_newest_valid_ranker_is_served_and_bad_ones_are_skipped(
    model: LogisticModel, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    assert newest_ranker(models).ranker is None  # no folder: default weights
    save(models / "old", model, datetime(2026, 1, 1, tzinfo=UTC))
    save(models / "new", model, datetime(2026, 3, 1, tzinfo=UTC))
    assert newest_ranker(models).ranker.name == "new"
    record = json.loads((models / "new" / MANIFEST).read_text())
    record["state"]["intercept"] += 1.0  # edited by hand: the checksum no longer holds
    (models / "new" / MANIFEST).write_text(json.dumps(record))
    foreign = LogisticModel(
        [*model.names, "mood.today"],
        *(np.append(a, 0.0) for a in (model.medians, model.means, model.scales, model.coef)),
        model.intercept,
    )
    save(models / "newest", foreign, datetime(2026, 4, 1, tzinfo=UTC))
    (models / "junk").mkdir()
    (models / "junk" / MANIFEST).write_text("{not json")
    found = newest_ranker(models)
    assert found.ranker is not None and found.ranker.name == "old"
    assert "checksum" in found.skipped["new"]
    assert "mood.today" in found.skipped["newest"]
    assert "junk" not in found.skipped  # without a date it sorts last: never reached
    with pytest.raises(ValueError, match="unreadable"):
        load_ranker(models / "junk")


def test_the_engine_and_api_serve_the_learned_ranker_or_fall_back(
    make_engine: Callable[[], Engine], settings: Settings, embedder: object, tmp_path: Path
) -> None:
    engine = make_engine()
    engine.write("mentors", FACULTY)
    model = text_model(scored_of(engine))
    assert isinstance(engine.ranker, LinearRanker)  # nothing trained yet: default weights
    models = settings.models_path
    save(models / "r1", model, datetime(2026, 6, 1, tzinfo=UTC))
    served = build_engine(settings, embedder=embedder, today=lambda: TODAY)  # type: ignore[arg-type]
    try:
        assert isinstance(served.ranker, FeatureRanker) and served.ranker.name == "r1"
        with api_client(served) as client:
            health = client.get("/health").json()
            assert health["ranker"] == {"kind": "learned", "learner": "logistic", "name": "r1"}
            body = {"mentee": {"id": "x", "stage": "PGY2", "interests": ["stroke thrombectomy"]}}
            got = client.post("/v1/suggestions", json={**body, "k": 5})
            assert got.status_code == 200, got.text
            suggestions = got.json()["data"]
            assert suggestions[0]["mentor_id"] == "neu1"
            for s in suggestions:
                parts = s["components"].values()
                assert sum(p["contribution"] for p in parts) == pytest.approx(s["score"], abs=1e-5)
                assert sum(p["weight"] for p in parts) == pytest.approx(1.0, abs=1e-5)
            scores = [s["score"] for s in suggestions]
            assert scores == sorted(scores, reverse=True) and 0 < scores[-1] < scores[0] < 1
    finally:
        served.store.close()
    (models / "r1" / MANIFEST).write_text("{}")
    fallback = build_engine(settings, embedder=embedder, today=lambda: TODAY)  # type: ignore[arg-type]
    try:
        assert isinstance(fallback.ranker, LinearRanker)
        assert fallback.health()["ranker"]["kind"] == "default"
    finally:
        fallback.store.close()
