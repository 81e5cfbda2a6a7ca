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
the learner with the better mean over these windows is refitted on all of them (or a
simpler one within one standard error of it: ``simplest_within_error``). One late
window alone misleads: on the Stack Exchange set's train/ part the trees won its latest 20%
(0.547 against 0.526) and lost on the held-out period (0.337 against 0.384), while over
five windows the logistic model wins (0.456 against 0.450). The test queries of an
evaluation are never seen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Protocol

import lightgbm
import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

__all__ = [
    "FeatureModel",
    "Fitted",
    "Query",
    "fit_ranker",
    "ndcg_at",
    "time_windows",
]

SEED = 7
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

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Raw scores, float64 ``(n,)``, for rows ``(n, len(names))`` (NaN: absent)."""
        ...

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """float64 ``(n, len(names) + 1)``: each feature's additive part of the raw score,
        then the part every row shares (intercept or the trees' expected value); rows sum
        to ``predict``."""
        ...

    def state(self) -> dict[str, Any]:
        """What ``from_state`` needs to rebuild the model (JSON-ready)."""
        ...


@dataclass
class LogisticModel:
    """Logistic regression on standardised features (relevant or not, each relevant
    example weighted by its grade).

    Attributes:
        medians: float64 per feature, what an absent value counts as (training median; 0
            for a feature never present).
        means, scales: float64 per feature, the standardisation.
        coef: float64 per feature, on the standardised scale; ``intercept`` the rest.
    """

    names: list[str]
    medians: np.ndarray
    means: np.ndarray
    scales: np.ndarray
    coef: np.ndarray
    intercept: float
    learner: str = "logistic"

    @classmethod
    def fit(
        cls, names: list[str], queries: Sequence[Query], strength: float = 1.0
    ) -> LogisticModel:
        """``strength``: the inverse of the L2 penalty (scikit-learn's ``C``); smaller keeps
        the coefficients closer to 0."""
        X, y = _stacked(queries)
        imputer = SimpleImputer(strategy="median", keep_empty_features=True)
        scaler = StandardScaler()
        Z = scaler.fit_transform(imputer.fit_transform(X))
        # a graded label weighs its positive: a pair still meeting at 90 days (2) counts
        # twice an accepted one (1), so the fit leans to what lasts, not only what is asked
        weight = np.where(y > 0, y, 1.0)
        lr = LogisticRegression(C=strength, max_iter=2000)
        lr.fit(Z, (y > 0).astype(int), sample_weight=weight)
        return cls(
            names,
            np.asarray(imputer.statistics_, dtype=np.float64),
            np.asarray(scaler.mean_, dtype=np.float64),
            np.asarray(scaler.scale_, dtype=np.float64),
            np.asarray(lr.coef_[0], dtype=np.float64),
            float(lr.intercept_[0]),
        )

    def _standardised(self, features: np.ndarray) -> np.ndarray:
        X = np.where(np.isnan(features), self.medians, features)
        out: np.ndarray = (X - self.means) / self.scales
        return out

    def predict(self, features: np.ndarray) -> np.ndarray:
        out: np.ndarray = self._standardised(features) @ self.coef + self.intercept
        return out

    def contributions(self, features: np.ndarray) -> np.ndarray:
        parts = self._standardised(features) * self.coef
        return np.hstack([parts, np.full((len(parts), 1), self.intercept)])

    def state(self) -> dict[str, Any]:
        arrays = ("medians", "means", "scales", "coef")
        return {
            **{name: getattr(self, name).tolist() for name in arrays},
            "intercept": self.intercept,
        }

    @classmethod
    def from_state(cls, names: list[str], state: dict[str, Any]) -> LogisticModel:
        medians, means, scales, coef = (
            np.asarray(state[k], dtype=np.float64) for k in ("medians", "means", "scales", "coef")
        )
        if any(a.shape != (len(names),) for a in (medians, means, scales, coef)):
            raise ValueError(f"logistic model: arrays do not match the {len(names)} features")
        return cls(names, medians, means, scales, coef, float(state["intercept"]))


@dataclass
class BoostedModel:
    """LightGBM LambdaRank trees."""

    names: list[str]
    booster: lightgbm.Booster
    learner: str = "lambdarank"
    rounds: int = 0

    @classmethod
    def fit(cls, names: list[str], queries: Sequence[Query], rounds: int = 100) -> BoostedModel:
        """``rounds`` boosting rounds on ``queries`` (``fit_ranker`` chooses them)."""
        booster = lightgbm.train(BOOST_PARAMS, _dataset(names, queries), num_boost_round=rounds)
        return cls(names, booster, rounds=rounds)

    def predict(self, features: np.ndarray) -> np.ndarray:
        scores = self.booster.predict(features, num_iteration=self.rounds or None)
        return np.asarray(scores, dtype=np.float64)

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """Per-feature SHAP values of the trees (LightGBM's ``pred_contrib``), then the
        expected value."""
        parts = self.booster.predict(features, num_iteration=self.rounds or None, pred_contrib=True)
        return np.asarray(parts, dtype=np.float64).reshape(len(features), len(self.names) + 1)

    def state(self) -> dict[str, Any]:
        return {"rounds": self.rounds, "booster": self.booster.model_to_string()}

    @classmethod
    def from_state(cls, names: list[str], state: dict[str, Any]) -> BoostedModel:
        booster = lightgbm.Booster(model_str=str(state["booster"]))
        if booster.num_feature() != len(names):
            raise ValueError(
                f"lambdarank model: {booster.num_feature()} features, not {len(names)}"
            )
        return cls(names, booster, rounds=int(state["rounds"]))


MODELS: dict[str, Any] = {"logistic": LogisticModel, "lambdarank": BoostedModel}
"""Learner name → its model class (``from_state`` rebuilds a saved one)."""


@dataclass
class Fitted:
    """The learner kept, and what each scored on the validation windows.

    Attributes:
        validation: candidate → mean nDCG@10 over the windows (the windows weigh equally;
            NaN when no window had a relevant candidate); candidates are ``logistic@C`` (penalty
            ``1/C``) and ``lambdarank@R`` (the trees after R rounds).
        windows: one row per window: ``fitted_on`` and ``scored_on`` query counts, and each
            learner's (and the baseline's) nDCG@10 there.
        per_query: learner (and ``baseline``) → nDCG@10 of every validation query with a
            relevant candidate, window after window (paired across learners).
        sizes: ``queries``, ``windows`` and ``features`` counts.
    """

    model: FeatureModel
    validation: dict[str, float]
    windows: list[dict[str, float]] = field(default_factory=list)
    per_query: dict[str, list[float]] = field(default_factory=dict)
    chosen: str = ""
    """The candidate kept (``logistic@C`` or ``lambdarank@R``): its key in the others."""
    sizes: dict[str, int] = field(default_factory=dict)


def _stacked(queries: Sequence[Query]) -> tuple[np.ndarray, np.ndarray]:
    X = np.vstack([q.features for q in queries])
    y = np.concatenate([q.labels for q in queries])
    return X, y


def _dataset(names: list[str], queries: Sequence[Query]) -> lightgbm.Dataset:
    X, y = _stacked(queries)
    return lightgbm.Dataset(
        X,
        label=np.clip(np.rint(y), 0, 30).astype(int),
        group=[len(q.labels) for q in queries],
        feature_name=[_safe(n) for n in names],
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


Scorer = Callable[[np.ndarray], np.ndarray]
"""Scores for feature rows (a model's ``predict``, or a baseline's)."""


def query_ndcgs(score: Scorer, queries: Sequence[Query]) -> list[float]:
    """nDCG@10 of ``score``'s order for each of ``queries`` with a relevant candidate."""
    return [ndcg_at(score(q.features), q.labels) for q in queries if q.labels.max() > 0]


def mean_ndcg(model: FeatureModel, queries: Sequence[Query]) -> float:
    """Mean nDCG@10 of ``model`` over ``queries`` (those with a relevant candidate)."""
    values = query_ndcgs(model.predict, queries)
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


STRENGTH_GRID = (0.001, 0.01, 0.1, 1.0)
"""Inverse penalties of the logistic model tried (``logistic@C``), the strongest penalty
(the simplest model) first: with a few hundred queries over sixty-odd correlated features
the unpenalised fit gives pairs of opposite large coefficients."""

ROUND_GRID = (25, 50, 100, 200, 400)
"""Boosting rounds tried: each is a candidate of its own (``lambdarank@R``) in the windows."""


def candidates() -> list[str]:
    """The candidates ``fit_ranker`` compares, simplest first (``simplest_within_error``
    reads this order)."""
    return [
        *(f"logistic@{c:g}" for c in STRENGTH_GRID),
        *(f"lambdarank@{r}" for r in ROUND_GRID),
    ]


def _at_rounds(model: BoostedModel, rounds: int) -> Scorer:
    return lambda F: np.asarray(model.booster.predict(F, num_iteration=rounds), dtype=np.float64)


def fit_ranker(
    names: list[str],
    queries: Sequence[Query],
    windows: int = WINDOWS,
    baseline: Scorer | None = None,
) -> Fitted:
    """Compare the candidates (logistic regression; the trees at each of ``ROUND_GRID``'s
    rounds) by forward chaining over ``queries`` (in time order, oldest first), keep the
    simplest whose mean nDCG@10 over the windows is within one standard error of the best
    (``simplest_within_error``) and refit it on every query. ``baseline`` (e.g. the default
    weights) is scored on the same windows, for comparison only. Choosing the rounds on the
    windows, rather than stopping each fit early on a slice of its own queries, keeps small
    data sets from stopping at one tree."""
    if len(queries) < MIN_QUERIES:
        raise ValueError(
            f"fit_ranker needs at least {MIN_QUERIES} queries in time order, got {len(queries)}"
        )
    rows: list[dict[str, float]] = []
    per_query: dict[str, list[float]] = {}
    for cut, end in time_windows(len(queries), windows):
        earlier, later = queries[:cut], queries[cut:end]
        boosted = BoostedModel.fit(names, earlier, rounds=max(ROUND_GRID))
        scorers: dict[str, Scorer] = {
            f"logistic@{c:g}": LogisticModel.fit(names, earlier, c).predict for c in STRENGTH_GRID
        }
        scorers.update({f"lambdarank@{r}": _at_rounds(boosted, r) for r in ROUND_GRID})
        if baseline is not None:
            scorers["baseline"] = baseline
        row = {"fitted_on": float(cut), "scored_on": float(end - cut)}
        for name, score in scorers.items():
            found = query_ndcgs(score, later)
            per_query.setdefault(name, []).extend(found)
            row[name] = float(np.mean(found)) if found else math.nan
        rows.append(row)
    order = candidates()
    scores = {name: _mean([r[name] for r in rows]) for name in order}
    chosen = simplest_within_error(order, scores, per_query)
    model = refit(chosen, names, queries)
    sizes = {"queries": len(queries), "windows": len(rows), "features": len(names)}
    return Fitted(model, scores, rows, per_query, chosen, sizes)


def simplest_within_error(
    order: Sequence[str], scores: Mapping[str, float], per_query: Mapping[str, Sequence[float]]
) -> str:
    """The first of ``order`` (simplest first) whose mean over the windows is within one
    standard error of the best's, the error that of their paired per-query difference (the
    one-standard-error rule). On a few hundred queries a deeper forest's edge of a point or
    two is noise, and the simpler learner carries what it learned to later periods better."""
    best = max(order, key=lambda name: (_or_low(scores[name]), -order.index(name)))
    top = np.asarray(per_query.get(best, ()), dtype=np.float64)
    for name in order[: order.index(best)]:
        ours = np.asarray(per_query.get(name, ()), dtype=np.float64)
        if math.isnan(scores[name]) or len(ours) != len(top) or len(top) < 2:
            continue
        gap = top - ours
        error = float(gap.std(ddof=1) / math.sqrt(len(gap)))
        if scores[best] - scores[name] <= error:
            return name
    return best


def refit(candidate: str, names: list[str], queries: Sequence[Query]) -> FeatureModel:
    """``candidate`` (``logistic@C`` or ``lambdarank@R``) fitted on ``queries``."""
    learner, _, setting = candidate.partition("@")
    strength = _positive(setting)
    if learner == "logistic" and strength is not None:
        return LogisticModel.fit(names, queries, strength)
    if learner != "lambdarank" or not setting.isdigit():
        raise ValueError(f"unknown candidate {candidate!r}; choose from {candidates()}")
    return BoostedModel.fit(names, queries, rounds=int(setting))


def _positive(text: str) -> float | None:
    """``text`` as a finite number above 0, else None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 < value < math.inf else None


def _or_low(value: float) -> float:
    return -1.0 if math.isnan(value) else value


def _mean(values: Sequence[float]) -> float:
    present = [v for v in values if not math.isnan(v)]
    return float(np.mean(present)) if present else math.nan
