"""Learned rankers over features: the features of a request's scored candidates (real engine
on the sample program), and both learners recovering a planted relevance rule."""

from __future__ import annotations

import json

import numpy as np
import pytest

from recommender.domain.profiles import Mentee
from recommender.engine import Engine
from recommender.ranking.features import IN_QUERY, INTERACTIONS, feature_names, features
from recommender.ranking.filters import SuggestionFilters
from recommender.ranking.learned import (
    MODELS,
    BoostedModel,
    LogisticModel,
    Query,
    candidates,
    fit_ranker,
    mean_ndcg,
    ndcg_at,
    refit,
    simplest_within_error,
    time_windows,
)


def planted(rng: np.random.Generator, n_queries: int, n: int = 60) -> list[Query]:
    """Queries whose relevance is a rule over features 0 and 2 (2 has gaps); 1 is noise."""
    out = []
    for _ in range(n_queries):
        X = rng.random((n, 3))
        X[rng.random(n) < 0.2, 2] = np.nan
        rule = X[:, 0] + 0.5 * np.nan_to_num(X[:, 2], nan=0.25)
        labels = np.zeros(n)
        labels[np.argsort(-rule)[:3]] = [2.0, 1.0, 1.0]
        out.append(Query(X, labels))
    return out


NAMES = ["signal.a", "noise", "signal.b"]


def test_ndcg_at_is_one_for_the_ideal_order_and_less_otherwise() -> None:
    labels = np.array([0.0, 2.0, 1.0, 0.0])
    assert ndcg_at(np.array([0.0, 3.0, 2.0, 1.0]), labels) == pytest.approx(1.0)
    worse = ndcg_at(np.array([3.0, 0.0, 2.0, 1.0]), labels)
    assert 0 < worse < 1
    assert ndcg_at(np.array([1.0, 2.0]), np.zeros(2)) == 0.0


@pytest.mark.parametrize("learner", [LogisticModel, BoostedModel])
def test_each_learner_recovers_the_planted_rule(learner: type) -> None:
    rng = np.random.default_rng(3)
    train, test = planted(rng, 120), planted(rng, 40)
    model = learner.fit(NAMES, train)
    assert mean_ndcg(model, test) > 0.8
    shuffled = [Query(q.features, rng.permutation(q.labels)) for q in test]
    assert mean_ndcg(model, shuffled) < 0.5  # it learned the rule, not the positions


def test_time_windows_chain_forward_over_the_latest_half() -> None:
    assert time_windows(100) == [(50, 60), (60, 70), (70, 80), (80, 90), (90, 100)]
    assert time_windows(12) == [(6, 7), (7, 8), (8, 10), (10, 11), (11, 12)]
    for n in (10, 37, 260):
        windows = time_windows(n)
        assert windows[-1][1] == n and all(a < b for a, b in windows)
        assert all(windows[i][1] == windows[i + 1][0] for i in range(len(windows) - 1))


def test_fit_ranker_compares_over_forward_windows_and_refits() -> None:
    rng = np.random.default_rng(5)
    queries = planted(rng, 100)
    first = NAMES.index("signal.a")
    fitted = fit_ranker(NAMES, queries, baseline=lambda F: -F[:, first])  # a wrong baseline
    assert set(fitted.validation) == set(candidates())
    best = max(candidates(), key=lambda k: (fitted.validation[k], -candidates().index(k)))
    assert fitted.chosen == simplest_within_error(candidates(), fitted.validation, fitted.per_query)
    assert candidates().index(fitted.chosen) <= candidates().index(best)
    assert fitted.model.learner == fitted.chosen.split("@")[0]
    assert fitted.sizes == {"queries": 100, "windows": 5, "features": 3}
    assert [(w["fitted_on"], w["scored_on"]) for w in fitted.windows] == [
        (50, 10),
        (60, 10),
        (70, 10),
        (80, 10),
        (90, 10),
    ]
    for key in [*candidates(), "baseline"]:
        scores = [w[key] for w in fitted.windows]
        assert fitted.validation.get(key, np.mean(scores)) == pytest.approx(np.mean(scores))
        assert len(fitted.per_query[key]) == 50  # every validation query, paired
    assert min(w["logistic@1"] for w in fitted.windows) > 0.6  # learned from earlier queries
    assert max(w["baseline"] for w in fitted.windows) < 0.3  # the baseline is only scored
    assert mean_ndcg(fitted.model, planted(rng, 20)) > 0.8
    with pytest.raises(ValueError, match="at least 10 queries"):
        fit_ranker(NAMES, queries[:9])


def test_the_simplest_candidate_within_one_standard_error_of_the_best_is_kept() -> None:
    order = ["simple", "middle", "complex"]
    rng = np.random.default_rng(0)
    base, noise = rng.random(200), rng.normal(0, 0.2, 200)
    noisy = {  # "complex" leads "middle" by less than one standard error, "simple" by far more
        "simple": list(base - 0.1),
        "middle": list(base + noise - noise.mean()),
        "complex": list(base + 0.01),
    }
    scores = {k: float(np.mean(v)) for k, v in noisy.items()}
    gap = np.asarray(noisy["complex"]) - np.asarray(noisy["middle"])
    assert 0 < scores["complex"] - scores["middle"] <= gap.std(ddof=1) / np.sqrt(len(gap))
    assert simplest_within_error(order, scores, noisy) == "middle"
    # a clear winner is kept; a candidate with no score is passed over
    clear = {**noisy, "middle": list(base - 0.05)}
    clear_scores = {k: float(np.mean(v)) for k, v in clear.items()}
    assert simplest_within_error(order, clear_scores, clear) == "complex"
    assert simplest_within_error(order, {**scores, "middle": float("nan")}, noisy) == "complex"


@pytest.mark.parametrize("bad", ["logistic@0", "logistic@-1", "logistic@x", "lambdarank@1.5"])
def test_refit_refuses_an_unknown_candidate(bad: str) -> None:
    queries = planted(np.random.default_rng(1), 12)
    with pytest.raises(ValueError, match="unknown candidate"):
        refit(bad, NAMES, queries)
    assert refit("logistic@0.1", NAMES, queries).learner == "logistic"


@pytest.mark.parametrize("learner", [LogisticModel, BoostedModel])
def test_contributions_add_up_to_the_score_and_a_saved_state_scores_the_same(
    learner: type,
) -> None:
    rng = np.random.default_rng(4)
    model = learner.fit(NAMES, planted(rng, 60))
    F = planted(rng, 3)[0].features
    parts = model.contributions(F)
    assert parts.shape == (len(F), len(NAMES) + 1)
    np.testing.assert_allclose(parts.sum(axis=1), model.predict(F), rtol=1e-6, atol=1e-6)
    noise = np.abs(parts[:, NAMES.index("noise")]).mean()
    assert np.abs(parts[:, NAMES.index("signal.a")]).mean() > 3 * noise  # the rule's feature
    state = json.loads(json.dumps(model.state()))
    again = MODELS[model.learner].from_state(NAMES, state)
    np.testing.assert_allclose(again.predict(F), model.predict(F))
    with pytest.raises(ValueError, match="features"):
        MODELS[model.learner].from_state(NAMES[:2], state)


def test_features_are_values_then_parts_then_products(faculty_engine: Engine) -> None:
    mentee = Mentee(id="s1", stage="MS2", interests=["cardiology research"])
    scored = faculty_engine.score(mentee, 10, SuggestionFilters())
    assert len(scored.mentor_ids) > 1
    names = feature_names(scored)
    signals = list(scored.registry.names)
    assert names[: len(signals)] == signals
    assert "similarity.cosine" in names and "accessibility.capacity" in names
    products = [f"{a}*{b}" for a, b in INTERACTIONS]
    own = [n for n in names if not n.endswith(IN_QUERY)]
    assert own[-len(products) :] == products
    assert names == own + [f"{n}{IN_QUERY}" for n in own]  # then each one's place
    F = features(scored)
    assert F.shape == (len(scored.mentor_ids), len(names))
    for name in ("similarity", "accessibility.capacity", "credibility.seniority"):
        value, place = F[:, names.index(name)], F[:, names.index(name + IN_QUERY)]
        assert (np.isnan(value) == np.isnan(place)).all()
        present = ~np.isnan(value)
        if len(np.unique(value[present])) > 1:
            assert 0 <= np.nanmin(place) < np.nanmax(place) <= 1
            order = np.argsort(value[present], kind="stable")
            assert (np.diff(place[present][order]) >= 0).all(), name  # same order
    np.testing.assert_array_equal(F[:, : len(signals)], scored.X)
    j = names.index("similarity*credibility.specialty")
    a, b = names.index("similarity"), names.index("credibility.specialty")
    np.testing.assert_allclose(F[:, j], F[:, a] * F[:, b], equal_nan=True)
    # laid out in a model's order; a name this request lacks is NaN throughout
    reordered = features(scored, ["credibility.specialty", "not-a-feature", "similarity"])
    np.testing.assert_array_equal(reordered[:, 0], F[:, b])
    assert np.isnan(reordered[:, 1]).all()
    np.testing.assert_array_equal(reordered[:, 2], F[:, a])


def test_places_share_ties_and_keep_gaps() -> None:
    from recommender.ranking.features import _places

    got = _places(np.array([3.0, np.nan, 1.0, 3.0, 2.0]))
    np.testing.assert_allclose(got, [2.5 / 3, np.nan, 0.0, 2.5 / 3, 1 / 3], equal_nan=True)
    np.testing.assert_array_equal(_places(np.array([2.0, 2.0, np.nan])), [0.5, 0.5, np.nan])
    assert np.isnan(_places(np.array([np.nan, np.nan]))).all()
    assert len(_places(np.zeros(0))) == 0


def test_places_of_a_matrix_equal_average_ranks_column_by_column() -> None:
    from scipy.stats import rankdata

    from recommender.ranking.features import places

    rng = np.random.default_rng(11)
    for _ in range(200):
        n, m = int(rng.integers(1, 30)), int(rng.integers(1, 5))
        X = np.round(rng.random((n, m)) * rng.integers(1, 4), 1)  # ties
        X[rng.random((n, m)) < 0.3] = np.nan
        got = places(X)
        for j in range(m):
            column = X[:, j]
            present = ~np.isnan(column)
            expected = np.full(n, np.nan)
            if present.sum() and len(np.unique(column[present])) == 1:
                expected[present] = 0.5
            elif present.sum() > 1:
                ranks = rankdata(column[present], method="average") - 1
                expected[present] = ranks / (present.sum() - 1)
            np.testing.assert_allclose(got[:, j], expected, equal_nan=True)
