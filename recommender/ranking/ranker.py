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

``score = Σ wₛ·xₛ / Σ wₛ`` where an absent signal counts as neutral (0.5). ``fit`` learns
non-negative weights from outcomes with logistic regression; ``save``/``load`` keep a fitted
ranker as JSON in ``models/`` beside a short model card.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from recommender.ranking.signals import NEUTRAL, SIGNALS

DEFAULT_WEIGHTS: dict[str, float] = {
    "similarity": 0.40,
    "accessibility": 0.20,
    "credibility": 0.20,
    "feedback": 0.10,
    "stage_fit": 0.10,
}


def signal_matrix(rows: list[dict[str, float | None]]) -> np.ndarray:
    """Rows of signal values → float64 ``(n, len(SIGNALS))``, absent values as neutral."""
    out = np.full((len(rows), len(SIGNALS)), NEUTRAL, dtype=np.float64)
    for i, row in enumerate(rows):
        for j, name in enumerate(SIGNALS):
            value = row.get(name)
            if value is not None:
                out[i, j] = value
    return out


class LinearRanker(BaseEstimator):  # type: ignore[misc]
    """Weighted mean of signals.

    Args:
        weights: signal name → non-negative weight; missing names weigh 0. None: defaults.
        C: inverse regularisation strength used by ``fit``.
    """

    def __init__(self, weights: dict[str, float] | None = None, C: float = 1.0) -> None:
        self.weights = weights
        self.C = C

    def _weights(self) -> np.ndarray:
        learned = getattr(self, "coef_", None)
        if learned is not None:
            return np.asarray(learned, dtype=np.float64)
        chosen = self.weights if self.weights is not None else DEFAULT_WEIGHTS
        unknown = set(chosen) - set(SIGNALS)
        if unknown:
            raise ValueError(f"weights: unknown signals {sorted(unknown)}")
        w = np.array([max(0.0, float(chosen.get(s, 0.0))) for s in SIGNALS])
        if w.sum() <= 0:
            raise ValueError("weights: at least one must be positive")
        return w

    @property
    def effective_weights(self) -> dict[str, float]:
        """Weights in use, normalised to sum to 1."""
        w = self._weights()
        return {s: float(v) for s, v in zip(SIGNALS, w / w.sum(), strict=True)}

    def fit(self, X: np.ndarray, y: np.ndarray) -> LinearRanker:
        """Learn non-negative weights from signal rows ``X`` (n, 5) and outcomes ``y`` (0/1)."""
        model = LogisticRegression(C=self.C, max_iter=1000)
        model.fit(np.asarray(X, dtype=np.float64), np.asarray(y))
        coef = np.clip(model.coef_[0], 0.0, None)
        if coef.sum() <= 0:
            coef = np.ones_like(coef)
        self.coef_ = coef / coef.sum()
        self.feature_names_in_ = np.array(SIGNALS, dtype=object)
        self.n_features_in_ = len(SIGNALS)
        return self

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Each signal's share of the score: float64 ``(n, 5)``; rows sum to the score."""
        w = self._weights()
        out: np.ndarray = np.asarray(X, dtype=np.float64) * (w / w.sum())
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Scores in [0, 1], float64 ``(n,)``."""
        out: np.ndarray = self.contributions(X).sum(axis=1)
        return out

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
            f"- type: LinearRanker (weighted mean of {', '.join(SIGNALS)})",
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
