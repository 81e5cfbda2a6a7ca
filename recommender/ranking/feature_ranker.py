"""A learned ranker served by the engine: a fitted feature model (``learned``) over a
request's candidates, with each signal's share of every score.

The model reads the candidates' features (``features``: signal values, their parts,
products, places among the candidates) and gives a raw score; the score shown is
``σ(a·raw + b)``, in (0, 1), with ``a`` and ``b`` fitted at training time so that it reads
as the chance that a suggestion in the top ten turns out well (Platt scaling; a ranking
model's raw scores have no scale of their own). The explanation still gives each signal's
share of it:

* the model's additive parts of the raw score (logistic regression: coefficient times
  standardised value; trees: SHAP values) are summed per signal (a feature ``a.b@query``
  belongs to ``a``; a product's part is split between its two signals);
* the score of a candidate the model sees as average, ``σ(bias)``, is spread by the
  signals' importance (their mean absolute part over the training candidates), and the
  rest, ``σ(raw) − σ(bias)``, in proportion to the signals' parts.

So contributions sum to the score as the default weighted mean's do, and a signal that
lowered this mentor's score has a negative one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from recommender.ranking.features import IN_QUERY, features
from recommender.ranking.learned import FeatureModel
from recommender.ranking.registry import REGISTRY, SignalRegistry
from recommender.ranking.scored import Scored

__all__ = ["FeatureRanker", "signal_groups"]


def signal_groups(names: Sequence[str], signals: Sequence[str]) -> np.ndarray:
    """float64 ``(len(names), len(signals))``: the share of each feature's part that goes to
    each signal (a row of zeros for a feature of no listed signal)."""
    out = np.zeros((len(names), len(signals)))
    for i, name in enumerate(names):
        base = name.removesuffix(IN_QUERY)
        owners = [term.split(".", 1)[0] for term in base.split("*")]
        for owner in owners:
            if owner in signals:
                out[i, signals.index(owner)] += 1.0 / len(owners)
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))
    return out


class FeatureRanker:
    """The engine's ranker over a learned feature model.

    Args:
        model: the fitted model (its ``names`` are the features it reads).
        importance: signal name → share of the model's weight (sums to 1); the signals'
            weights the explanations show. None: equal shares.
        name: the model's name (its folder), for ``/health`` and the logs.
        registry: the signals (columns) the engine ranks.
        calibration: ``(a, b)`` of the shown score ``σ(a·raw + b)`` (``a > 0``).
    """

    def __init__(
        self,
        model: FeatureModel,
        importance: Mapping[str, float] | None = None,
        name: str = "",
        registry: SignalRegistry = REGISTRY,
        calibration: tuple[float, float] = (1.0, 0.0),
    ) -> None:
        if not calibration[0] > 0:
            raise ValueError(f"calibration: slope must be positive, got {calibration[0]}")
        self.model = model
        self.name = name
        self.registry = registry
        self.calibration = (float(calibration[0]), float(calibration[1]))
        self._last: tuple[Scored, np.ndarray] | None = None
        """The last request's features: ``shares`` follows ``scores`` on the same request
        (read and replaced whole, so threads never see another request's)."""
        signals = list(registry.names)
        self._groups = signal_groups(model.names, signals)
        given = {s: max(0.0, float((importance or {}).get(s, 0.0))) for s in signals}
        total = sum(given.values())
        self._weights = (
            {s: v / total for s, v in given.items()}
            if total > 0
            else {s: 1.0 / len(signals) for s in signals}
        )

    @property
    def effective_weights(self) -> dict[str, float]:
        """Signal name → its share of the model's weight, in column order."""
        return dict(self._weights)

    @property
    def description(self) -> dict[str, str]:
        return {"kind": "learned", "learner": self.model.learner, "name": self.name}

    def scores(self, scored: Scored) -> np.ndarray:
        """float64 ``(len(scored.mentor_ids),)`` in (0, 1): the squashed raw scores."""
        if not scored.mentor_ids:
            return np.zeros(0)
        a, b = self.calibration
        return _sigmoid(a * self.model.predict(self._features(scored)) + b)

    def _features(self, scored: Scored) -> np.ndarray:
        last = self._last
        if last is not None and last[0] is scored:
            return last[1]
        F = features(scored, self.model.names)
        self._last = (scored, F)
        return F

    def shares(self, scored: Scored, rows: Sequence[int]) -> np.ndarray:
        """float64 ``(len(rows), n_signals)``: each signal's share of those candidates'
        scores (rows sum to ``scores``); places are taken among all the candidates."""
        if not len(rows):
            return np.zeros((0, len(self._weights)))
        F = self._features(scored)[list(rows)]
        a, b = self.calibration
        parts = self.model.contributions(F)
        bias, per_feature = a * parts[:, -1] + b, a * parts[:, :-1]
        per_signal = per_feature @ self._groups
        raw = per_feature.sum(axis=1) + bias
        score, base = _sigmoid(raw), _sigmoid(bias)
        gap = raw - bias
        slope = np.where(
            np.abs(gap) > 1e-9,
            (score - base) / np.where(np.abs(gap) > 1e-9, gap, 1.0),
            score * (1 - score),
        )
        weights = np.array(list(self._weights.values()))
        # parts of features no signal owns join the base: rows still sum to the score
        orphan = per_feature.sum(axis=1) - per_signal.sum(axis=1)
        out: np.ndarray = (base + slope * orphan)[:, None] * weights + per_signal * slope[:, None]
        return out
