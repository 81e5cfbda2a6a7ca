"""Learned rankers over the candidates' features (``recommender.ranking.features``).

Two learners, both fitted on queries with graded labels (0 = not relevant):

* ``logistic``: logistic regression on standardised features (a missing part counts as
  the training median), as the default weights' learner but over the parts as well;
* ``lambdarank``: LightGBM's gradient-boosted trees with the LambdaRank objective, which
  optimises nDCG over each query's candidates directly (missing parts go down the branch
  the training found best).

``fit_ranker`` fits both on the earlier queries, scores each on the later (validation)
ones, keeps the better by nDCG@10 there and refits it on all of them; the test queries of
an evaluation are never seen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import lightgbm
import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

__all__ = ["LEARNERS", "FeatureModel", "Query", "fit_ranker", "ndcg_at"]

LEARNERS = ("logistic", "lambdarank")
SEED = 7
BOOST_ROUNDS = 400
"""Most boosting rounds; the validation queries stop it earlier (``EARLY_STOP``)."""
EARLY_STOP = 40
BOOST_PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "eval_at": [10],
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": SEED,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbosity": -1,
}


@dataclass(frozen=True)
class Query:
    """One query's candidates: features ``(n, n_features)`` and graded labels ``(n,)``."""

    features: np.ndarray
    labels: np.ndarray


class FeatureModel(Protocol):
    """A fitted learner: scores for feature rows (higher ranks first)."""

    names: list[str]
    learner: str

    def predict(self, features: np.ndarray) -> np.ndarray: ...


@dataclass
class LogisticModel:
    """Logistic regression on standardised features (relevant or not)."""

    names: list[str]
    pipeline: Pipeline
    learner: str = "logistic"

    @classmethod
    def fit(cls, names: list[str], queries: Sequence[Query]) -> LogisticModel:
        X, y = _stacked(queries)
        pipeline = make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(C=1.0, max_iter=2000),
        )
        pipeline.fit(X, (y > 0).astype(int))
        return cls(names, pipeline)

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(self.pipeline.decision_function(features), dtype=np.float64)


@dataclass
class BoostedModel:
    """LightGBM LambdaRank trees."""

    names: list[str]
    booster: lightgbm.Booster
    learner: str = "lambdarank"
    rounds: int = 0

    @classmethod
    def fit(
        cls,
        names: list[str],
        queries: Sequence[Query],
        valid: Sequence[Query] = (),
        rounds: int = BOOST_ROUNDS,
    ) -> BoostedModel:
        """Fit on ``queries``; with ``valid``, stop once nDCG@10 there stops improving."""
        train = _dataset(names, queries)
        sets: list[lightgbm.Dataset] = []
        callbacks: list[Callable[..., Any]] = []
        if valid:
            sets = [_dataset(names, valid, reference=train)]
            callbacks = [lightgbm.early_stopping(EARLY_STOP, verbose=False)]
        booster = lightgbm.train(
            BOOST_PARAMS, train, num_boost_round=rounds, valid_sets=sets, callbacks=callbacks
        )
        best = booster.best_iteration or booster.current_iteration()
        return cls(names, booster, rounds=int(best))

    def predict(self, features: np.ndarray) -> np.ndarray:
        scores = self.booster.predict(features, num_iteration=self.rounds or None)
        return np.asarray(scores, dtype=np.float64)


@dataclass
class Fitted:
    """The learner kept, and what each scored on the validation queries."""

    model: FeatureModel
    validation: dict[str, float]
    sizes: dict[str, int] = field(default_factory=dict)


def _stacked(queries: Sequence[Query]) -> tuple[np.ndarray, np.ndarray]:
    X = np.vstack([q.features for q in queries])
    y = np.concatenate([q.labels for q in queries])
    return X, y


def _dataset(
    names: list[str], queries: Sequence[Query], reference: lightgbm.Dataset | None = None
) -> lightgbm.Dataset:
    X, y = _stacked(queries)
    return lightgbm.Dataset(
        X,
        label=np.clip(np.rint(y), 0, 30).astype(int),
        group=[len(q.labels) for q in queries],
        feature_name=[_safe(n) for n in names],
        reference=reference,
        free_raw_data=False,
    )


def _safe(name: str) -> str:
    """A feature name LightGBM accepts (it refuses some punctuation)."""
    return "".join(c if c.isalnum() or c == "_" else "_" for c in name)


def ndcg_at(scores: np.ndarray, labels: np.ndarray, k: int = 10) -> float:
    """nDCG@k of one query's candidates ordered by ``scores`` (ties: first candidate first),
    with gains ``2^label − 1``, against the best order of these candidates' labels."""
    order = np.lexsort((np.arange(len(scores)), -scores))[:k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    gains = np.power(2.0, labels) - 1.0
    dcg = float((gains[order] * discounts[: len(order)]).sum())
    ideal = np.sort(gains)[::-1][:k]
    best = float((ideal * discounts[: len(ideal)]).sum())
    return dcg / best if best > 0 else 0.0


def mean_ndcg(model: FeatureModel, queries: Sequence[Query]) -> float:
    """Mean nDCG@10 of ``model`` over ``queries`` (those with a relevant candidate)."""
    values = [ndcg_at(model.predict(q.features), q.labels) for q in queries if q.labels.max() > 0]
    return float(np.mean(values)) if values else math.nan


def fit_ranker(names: list[str], earlier: Sequence[Query], later: Sequence[Query]) -> Fitted:
    """Fit each learner on ``earlier``, keep the better on ``later`` by nDCG@10 (ties: the
    simpler, logistic), refit it on both (the trees with the rounds validation chose)."""
    if not earlier or not later:
        raise ValueError("fit_ranker needs earlier and later queries")
    candidates: dict[str, FeatureModel] = {
        "logistic": LogisticModel.fit(names, earlier),
        "lambdarank": BoostedModel.fit(names, earlier, later),
    }
    scores = {name: mean_ndcg(model, later) for name, model in candidates.items()}
    chosen = max(LEARNERS, key=lambda name: (scores[name], -LEARNERS.index(name)))
    every = [*earlier, *later]
    model: FeatureModel
    if chosen == "logistic":
        model = LogisticModel.fit(names, every)
    else:
        rounds = max(1, candidates["lambdarank"].rounds)  # type: ignore[attr-defined]
        model = BoostedModel.fit(names, every, rounds=rounds)
    sizes = {"earlier": len(earlier), "later": len(later), "features": len(names)}
    return Fitted(model, scores, sizes)
