"""Learned rankers over the candidates' features (``recommender.ranking.features``).

Two learners, both fitted on queries with graded labels (0 = not relevant):

* ``logistic``: logistic regression on standardised features (a missing part counts as
  the training median), as the default weights' learner but over the parts as well;
* ``lambdarank``: LightGBM's gradient-boosted trees with the LambdaRank objective, which
  optimises nDCG over each query's candidates directly (missing parts go down the branch
  the training found best).

``fit_ranker`` chooses between them by forward chaining over time: with the queries in time
order, each learner is fitted on the earliest half and scored (nDCG@10) on the next tenth,
then on the earliest 60% and scored on the tenth after, and so on to the latest queries;
the learner with the better mean over these windows is refitted on all of them. One late
window alone misleads: on the Stack Exchange set's train/ part the trees won its latest 20%
(0.547 against 0.526) and lost on the held-out period (0.337 against 0.384), while over
five windows the logistic model wins (0.456 against 0.450). The test queries of an
evaluation are never seen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Protocol

import lightgbm
import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

__all__ = [
    "LEARNERS",
    "FeatureModel",
    "Fitted",
    "Query",
    "fit_ranker",
    "ndcg_at",
    "time_windows",
]

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
    """The learner kept, and what each scored on the validation windows.

    Attributes:
        validation: learner → mean nDCG@10 over the windows (the windows weigh equally;
            NaN when no window had a relevant candidate).
        windows: one row per window: ``fitted_on`` and ``scored_on`` query counts, and each
            learner's nDCG@10 there.
        sizes: ``queries``, ``windows`` and ``features`` counts.
    """

    model: FeatureModel
    validation: dict[str, float]
    windows: list[dict[str, float]] = field(default_factory=list)
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


WINDOWS = 5
"""Validation windows of forward chaining (``time_windows``)."""
FIRST_SHARE = 0.5
"""The share of the queries the first window's learners are fitted on."""
MIN_QUERIES = 10


def time_windows(
    n: int, windows: int = WINDOWS, first: float = FIRST_SHARE
) -> list[tuple[int, int]]:
    """Forward-chaining windows over ``n`` queries in time order: ``(cut, end)`` pairs, each
    fitting on queries ``[0, cut)`` and scoring on ``[cut, end)``; the windows tile the
    latest ``1 − first`` of the queries (empty ones are dropped)."""
    cuts = [round(n * (first + (1 - first) * i / windows)) for i in range(windows + 1)]
    return [(a, b) for a, b in pairwise(cuts) if 0 < a < b]


def _boosted_within(names: list[str], earlier: Sequence[Query]) -> BoostedModel:
    """Trees fitted on ``earlier``, stopped early on its own latest fifth (so the window
    they are scored on plays no part in fitting them)."""
    inner = len(earlier) - max(1, round(0.2 * len(earlier)))
    return BoostedModel.fit(names, earlier[:inner], earlier[inner:])


def fit_ranker(names: list[str], queries: Sequence[Query], windows: int = WINDOWS) -> Fitted:
    """Compare the learners by forward chaining over ``queries`` (in time order, oldest
    first), keep the one with the better mean nDCG@10 over the windows (ties: the simpler,
    logistic) and refit it on every query (the trees for the median of the rounds early
    stopping chose in the windows)."""
    if len(queries) < MIN_QUERIES:
        raise ValueError(
            f"fit_ranker needs at least {MIN_QUERIES} queries in time order, got {len(queries)}"
        )
    rows: list[dict[str, float]] = []
    rounds: list[int] = []
    for cut, end in time_windows(len(queries), windows):
        earlier, later = queries[:cut], queries[cut:end]
        boosted = _boosted_within(names, earlier)
        rounds.append(boosted.rounds)
        row = {"fitted_on": float(cut), "scored_on": float(end - cut)}
        row["logistic"] = mean_ndcg(LogisticModel.fit(names, earlier), later)
        row["lambdarank"] = mean_ndcg(boosted, later)
        rows.append(row)
    scores = {name: _mean([r[name] for r in rows]) for name in LEARNERS}
    chosen = max(LEARNERS, key=lambda name: (_or_low(scores[name]), -LEARNERS.index(name)))
    model: FeatureModel
    if chosen == "logistic":
        model = LogisticModel.fit(names, queries)
    else:
        model = BoostedModel.fit(names, queries, rounds=max(1, int(np.median(rounds))))
    sizes = {"queries": len(queries), "windows": len(rows), "features": len(names)}
    return Fitted(model, scores, rows, sizes)


def _or_low(value: float) -> float:
    return -1.0 if math.isnan(value) else value


def _mean(values: Sequence[float]) -> float:
    present = [v for v in values if not math.isnan(v)]
    return float(np.mean(present)) if present else math.nan
