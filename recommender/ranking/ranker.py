"""The ranker: a scikit-learn estimator that combines signals into one score in [0, 1].

Default weights (documented, hand-set from what the design notes measured: text first, then
reachability and expertise; feedback and stage fit refine):

===============  ======
similarity        0.40
accessibility     0.20
credibility       0.20
feedback          0.10
stage_fit         0.10
===============  ======

The weights are declared with the signals in ``recommender.ranking.registry``.
``score = Σ wₛ·xₛ / Σ wₛ`` where an absent signal counts as neutral (0.5). ``fit`` learns
non-negative weights from outcomes with logistic regression; ``save``/``load`` keep a fitted
ranker as JSON in ``models/`` beside a short model card.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from recommender.ranking.registry import (
    DEFAULT_WEIGHTS,
    REGISTRY,
    SignalRegistry,
    signal_matrix,
)

if TYPE_CHECKING:
    from recommender.ranking.scored import Scored

__all__ = ["DEFAULT_WEIGHTS", "LinearRanker", "Ranker", "signal_matrix"]


class Ranker(Protocol):
    """What the engine needs of a ranker: scores of a request's candidates, each signal's
    share of them, the signals' weights, and what it is (for ``/health``)."""

    def scores(self, scored: Scored) -> np.ndarray:
        """Scores, float64 ``(len(scored.mentor_ids),)``, higher first."""
        ...

    def shares(self, scored: Scored, rows: Sequence[int]) -> np.ndarray:
        """Each signal's share of the scores of candidates ``rows``, float64
        ``(len(rows), n_signals)``; rows sum to the scores."""
        ...

    @property
    def description(self) -> dict[str, str]:
        """``kind`` (``default``, ``fitted`` or ``learned``) and what identifies it."""
        ...

    @property
    def effective_weights(self) -> dict[str, float]:
        """Signal name → weight in use, in column order."""
        ...


class LinearRanker(BaseEstimator):  # type: ignore[misc]
    """Weighted mean of signals.

    Args:
        weights: signal name → non-negative weight; missing names weigh 0. None: the
            registry's defaults.
        C: inverse regularisation strength used by ``fit``.
        registry: the signals (columns) ranked; None: ``REGISTRY``.
    """

    def __init__(
        self,
        weights: dict[str, float] | None = None,
        C: float = 1.0,
        registry: SignalRegistry | None = None,
    ) -> None:
        self.weights = weights
        self.C = C
        self.registry = registry

    @property
    def _registry(self) -> SignalRegistry:
        return REGISTRY if self.registry is None else self.registry

    @property
    def _signals(self) -> tuple[str, ...]:
        return self._registry.names

    def _weights(self) -> np.ndarray:
        learned = getattr(self, "coef_", None)
        if learned is not None:
            return np.asarray(learned, dtype=np.float64)
        registry = self._registry
        chosen = self.weights if self.weights is not None else registry.default_weights
        unknown = set(chosen) - set(registry.names)
        if unknown:
            raise ValueError(f"weights: unknown signals {sorted(unknown)}")
        w = np.array([max(0.0, float(chosen.get(s, 0.0))) for s in registry.names])
        if w.sum() <= 0:
            raise ValueError("weights: at least one must be positive")
        return w

    @property
    def effective_weights(self) -> dict[str, float]:
        """Weights in use, normalised to sum to 1 (only for a ranker of the registry's signals)."""
        w = self._weights()
        if len(w) != len(self._signals):
            raise ValueError(
                f"this ranker was fitted on {len(w)} columns, not the {len(self._signals)} "
                f"signals ({', '.join(self._signals)})"
            )
        return {s: float(v) for s, v in zip(self._signals, w / w.sum(), strict=True)}

    def fit(self, X: np.ndarray, y: np.ndarray) -> LinearRanker:
        """Learn non-negative weights from rows ``X`` (n, columns) and outcomes ``y`` (0/1).

        The engine's rows are the registry's signals, in its order; a ranker fitted on other
        columns (scikit-learn's checks do so) predicts only on rows of the same width.
        """
        X = np.asarray(X, dtype=np.float64)
        model = LogisticRegression(C=self.C, max_iter=1000)
        model.fit(X, np.asarray(y))
        coef = np.clip(model.coef_[0], 0.0, None)
        if coef.sum() <= 0:
            coef = np.ones_like(coef)
        self.coef_ = coef / coef.sum()
        self.n_features_in_ = X.shape[1]
        if X.shape[1] == len(self._signals):
            self.feature_names_in_ = np.array(self._signals, dtype=object)
        return self

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Each signal's share of the score: float64 ``(n, n_signals)``; rows sum to the score."""
        w = self._weights()
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(w):
            raise ValueError(
                f"X has {X.shape[-1] if X.ndim else 0} features, but LinearRanker is expecting "
                f"{len(w)} features as input (rows of shape {X.shape} given)"
            )
        out: np.ndarray = X * (w / w.sum())
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Scores in [0, 1], float64 ``(n,)``."""
        out: np.ndarray = self.contributions(X).sum(axis=1)
        return out

    def scores(self, scored: Scored) -> np.ndarray:
        """``predict`` of the candidates' signal values."""
        return self.predict(scored.X) if len(scored.mentor_ids) else np.zeros(0)

    def shares(self, scored: Scored, rows: Sequence[int]) -> np.ndarray:
        """``contributions`` of the candidates ``rows``."""
        return self.contributions(scored.X[list(rows)])

    @property
    def description(self) -> dict[str, str]:
        fitted = getattr(self, "coef_", None) is not None or self.weights is not None
        return {"kind": "fitted" if fitted else "default", "learner": "weighted mean"}

    def save(
        self, path: Path, trained_on: str = "", metrics: dict[str, float] | None = None
    ) -> None:
        """Write the weights and a model card (``path`` with ``.md``) beside it."""
        weights = self.effective_weights
        record: dict[str, Any] = {
            "type": "LinearRanker",
            "weights": weights,
            "trained_on": trained_on,
            "metrics": metrics or {},
            "date": datetime.now(UTC).date().isoformat(),
        }
        path.write_text(json.dumps(record, indent=2) + "\n")
        card = [
            "# Ranker model card",
            "",
            f"- type: LinearRanker (weighted mean of {', '.join(self._signals)})",
            f"- trained on: {trained_on or 'not trained (hand-set weights)'}",
            f"- date: {record['date']}",
            "",
            "| signal | weight |",
            "|---|---|",
            *[f"| {s} | {w:.3f} |" for s, w in weights.items()],
        ]
        if metrics:
            card += ["", "| metric | value |", "|---|---|"]
            card += [f"| {k} | {v:.4f} |" for k, v in metrics.items()]
        path.with_suffix(".md").write_text("\n".join(card) + "\n")

    @classmethod
    def load(cls, path: Path) -> LinearRanker:
        """Read a ranker written by ``save``."""
        record = json.loads(path.read_text())
        if record.get("type") != "LinearRanker":
            raise ValueError(f"{path}: not a LinearRanker file")
        return cls(weights={k: float(v) for k, v in record["weights"].items()})
