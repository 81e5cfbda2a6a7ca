"""``mentor-match train``: fit a learned ranker on past outcomes and save it with its card.

The queries come in time order, from the outcome log (``recommender.matching.training_set``)
or from a BEIR ``train/`` part (``evaluation.learning``). The learners are compared by
forward chaining (``recommender.ranking.learned.fit_ranker``) beside the default weights on
the same windows; the model card gives each with a bootstrap CI, the chosen learner's
paired difference from the default weights, and the signals' importance. Test queries of
an evaluation are never read here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from evaluation.metrics import bootstrap_ci, paired_bootstrap
from recommender.ranking.feature_ranker import signal_groups
from recommender.ranking.learned import MIN_QUERIES, FeatureModel, Fitted, Query, fit_ranker
from recommender.ranking.model_files import save_ranker
from recommender.ranking.ranker import LinearRanker
from recommender.ranking.registry import REGISTRY

__all__ = ["Trained", "train_ranker"]

IMPORTANCE_ROWS = 50_000
"""Most training candidates the signals' importance is averaged over (a seeded sample)."""


@dataclass
class Trained:
    """A saved model: where, what was fitted, and the card's numbers."""

    folder: Path
    fitted: Fitted
    importance: dict[str, float]
    validation: dict[str, Any]


def importance(model: FeatureModel, queries: Sequence[Query], seed: int = 0) -> dict[str, float]:
    """Each signal's share of the model's weight: its mean absolute part of the raw score
    over the training candidates (a sample of ``IMPORTANCE_ROWS``), normalised to sum 1."""
    signals = list(REGISTRY.names)
    F = np.vstack([q.features for q in queries])
    if len(F) > IMPORTANCE_ROWS:
        F = F[np.random.default_rng(seed).choice(len(F), IMPORTANCE_ROWS, replace=False)]
    parts = model.contributions(F)[:, :-1] @ signal_groups(model.names, signals)
    mean = np.abs(parts).mean(axis=0)
    total = float(mean.sum())
    return {
        s: float(v / total) if total > 0 else 1.0 / len(signals)
        for s, v in zip(signals, mean, strict=True)
    }


CALIBRATION_TOP = 10


def calibration(model: FeatureModel, queries: Sequence[Query]) -> tuple[float, float]:
    """``(a, b)`` with ``σ(a·raw + b)`` the chance that a candidate the model puts in a
    training query's top ``CALIBRATION_TOP`` was relevant (Platt scaling over those rows;
    a standardisation of the raw scores when they cannot be fitted, e.g. one class)."""
    raw: list[np.ndarray] = []
    good: list[np.ndarray] = []
    for q in queries:
        scores = model.predict(q.features)
        top = np.argsort(-scores, kind="stable")[:CALIBRATION_TOP]
        raw.append(scores[top])
        good.append(q.labels[top] > 0)
    x, y = np.concatenate(raw), np.concatenate(good)
    spread = float(x.std()) or 1.0
    if 0 < y.sum() < len(y):
        fit = LogisticRegression(C=100.0).fit(x[:, None], y)
        a, b = float(fit.coef_[0, 0]), float(fit.intercept_[0])
        if a > 0:
            return a, b
    return 1.0 / spread, -float(x.mean()) / spread


def label(key: str) -> str:
    """A candidate's name for people: ``lambdarank@100`` → ``lambdarank, 100 rounds``,
    ``logistic@0.1`` → ``logistic, C = 0.1``."""
    if key == "baseline":
        return "default weights"
    learner, _, setting = key.partition("@")
    if not setting:
        return learner
    return f"{learner}, C = {setting}" if learner == "logistic" else f"{learner}, {setting} rounds"


def _validation(fitted: Fitted) -> dict[str, Any]:
    """Mean nDCG@10 over the windows with a CI, for each candidate and the default weights,
    and the kept one's paired difference from the default weights."""
    out: dict[str, Any] = {"metric": "ndcg@10", "kept": fitted.chosen, "windows": fitted.windows}
    rows: dict[str, Any] = {}
    for key, values in fitted.per_query.items():
        low, high = bootstrap_ci(values) if values else (float("nan"), float("nan"))
        rows[key] = {"mean": float(np.mean(values)) if values else float("nan"), "ci": [low, high]}
    out["candidates"] = rows
    ours, theirs = fitted.per_query.get(fitted.chosen), fitted.per_query.get("baseline")
    if ours and theirs:
        low, high = paired_bootstrap(ours, theirs)
        out["kept_minus_default"] = {
            "mean": float(np.mean(ours) - np.mean(theirs)),
            "ci": [low, high],
            "queries": len(ours),
        }
    return out


def _card(
    name: str,
    fitted: Fitted,
    weights: Mapping[str, float],
    validation: Mapping[str, Any],
    trained_on: Mapping[str, Any],
) -> str:
    """The model card's Markdown."""
    learners = {"logistic": "logistic regression", "lambdarank": "LightGBM LambdaRank"}
    kept = fitted.chosen
    lines = [
        f"# Learned ranker `{name}`",
        "",
        f"- **learner:** {learners.get(fitted.model.learner, fitted.model.learner)} "
        f"(`{kept}`, chosen by forward chaining over time)",
        f"- **trained on:** {trained_on.get('source', '?')}",
    ]
    lines += [f"- **{k}:** {v}" for k, v in trained_on.items() if k != "source"]
    lines += [
        f"- **features:** {len(fitted.model.names)} (each signal's value, its parts, products "
        "of declared pairs, and each one's place among the request's candidates)",
        "",
        "## Validation (later windows, never test data)",
        "",
        "Each window fits on the queries before it and scores nDCG@10 on its own; the "
        "default weights are scored on the same queries. 95% bootstrap CIs over queries.",
        "",
        "| ranker | nDCG@10 [95% CI] |",
        "|---|---|",
    ]
    for key, row in validation["candidates"].items():
        mark = " (kept)" if key == kept else ""
        low, high = row["ci"]
        lines.append(f"| {label(key)}{mark} | {row['mean']:.3f} [{low:.3f}, {high:.3f}] |")
    diff = validation.get("kept_minus_default")
    if diff:
        lines += [
            "",
            f"Kept minus default weights, paired over {diff['queries']} queries: "
            f"{diff['mean']:+.3f} [{diff['ci'][0]:+.3f}, {diff['ci'][1]:+.3f}].",
        ]
    keys = list(validation["candidates"])
    lines += [
        "",
        "| window | fitted on | scored on | " + " | ".join(label(k) for k in keys) + " |",
        "|---|---|---|" + "---|" * len(keys),
    ]
    for i, w in enumerate(fitted.windows, 1):
        cells = " | ".join(f"{w.get(k, float('nan')):.3f}" for k in keys)
        lines.append(f"| {i} | {w['fitted_on']:.0f} | {w['scored_on']:.0f} | {cells} |")
    lines += [
        "",
        "## Signals' weight in the model",
        "",
        "Mean absolute part of the model's score over the training candidates (the weights "
        "the explanations show).",
        "",
        "| signal | share |",
        "|---|---|",
        *[f"| {s} | {v:.3f} |" for s, v in weights.items()],
        "",
        "## Features",
        "",
        ", ".join(f"`{n}`" for n in fitted.model.names),
        "",
    ]
    return "\n".join(lines)


def train_ranker(
    names: list[str],
    queries: Sequence[Query],
    out: Path,
    trained_on: Mapping[str, Any],
    name: str | None = None,
    created: datetime | None = None,
) -> Trained:
    """Fit on ``queries`` (time order), save into ``out/NAME`` with its card.

    Raises:
        ValueError: too few queries, or none with a relevant (graded above 0) candidate.
    """
    if len(queries) < MIN_QUERIES:
        raise ValueError(f"{len(queries)} queries with outcomes; training needs {MIN_QUERIES}")
    if not any(q.labels.max() > 0 for q in queries):
        raise ValueError(
            "no query has a positive outcome (an accepted request, a relevant document)"
        )
    n_signals = len(REGISTRY.names)
    if list(names[:n_signals]) != list(REGISTRY.names):
        raise ValueError(f"features must start with the signals {list(REGISTRY.names)}")
    default = LinearRanker()
    fitted = fit_ranker(names, queries, baseline=lambda F: default.predict(F[:, :n_signals]))
    weights = importance(fitted.model, queries)
    scale = calibration(fitted.model, queries)
    validation = _validation(fitted)
    created = created or datetime.now(UTC)
    name = name or f"ranker-{created:%Y%m%d-%H%M%S}"
    card = _card(name, fitted, weights, validation, trained_on)
    folder = save_ranker(
        out / name, fitted.model, weights, trained_on, validation, card, created, scale
    )
    return Trained(folder, fitted, weights, validation)


def window_of(dates: Sequence[date]) -> str:
    """``first – last`` of the queries' dates."""
    return f"{min(dates).isoformat()} to {max(dates).isoformat()}" if dates else "no dates"
