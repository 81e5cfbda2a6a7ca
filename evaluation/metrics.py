"""Ranking-quality, exposure and uncertainty metrics on id-keyed dicts.

Conventions (those of trec_eval / pytrec_eval, so numbers are comparable with BEIR papers):

* A document is relevant when its qrels relevance is > 0; documents missing from the qrels
  are non-relevant. Rankings follow `evaluation.trec.ranked` (score desc, then id asc).
* Only queries with at least one relevant document are evaluated; a query missing from the
  run scores 0 on every metric; run queries absent from the qrels are ignored.
* ``ndcg@K``: linear gains (the graded relevance, negatives count 0), discount
  ``1 / log2(rank + 1)``; the ideal DCG sorts the query's qrels relevances and cuts at K.
* ``precision@K`` divides by K even when fewer than K documents were retrieved.
* ``recall@K`` and ``map[@K]`` divide by the number of relevant documents in the qrels.
* ``mrr`` and ``map`` without ``@K`` look at the whole ranking.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from evaluation.trec import Qrels, Run, ranked

primary_metric = "ndcg@10"

FloatValues = Sequence[float] | npt.NDArray[np.floating[Any]]
"""Per-query values: a list or a 1-D float array."""

_METRIC_RE = re.compile(r"^(ndcg|recall|precision|hit|mrr|map)(?:@([1-9][0-9]*))?$")
_CUTOFF_REQUIRED = frozenset({"ndcg", "recall", "precision", "hit"})
_BOOTSTRAP_CHUNK = 4_000_000  # resampled values held in memory at once


@dataclass(frozen=True)
class _Judged:
    """One query's ranking, seen through its qrels."""

    gains: list[float]  # relevance (>= 0) of each retrieved document, in rank order
    ideal: list[float]  # positive qrels relevances, sorted descending
    n_relevant: int


_MetricFn = Callable[[_Judged, int | None], float]


def per_query(run: Run, qrels: Qrels, metrics: Sequence[str]) -> dict[str, dict[str, float]]:
    """Score every evaluated query.

    Args:
        run: Query id -> document id -> score.
        qrels: Query id -> document id -> relevance.
        metrics: Names such as ``"ndcg@10"``, ``"recall@100"``, ``"precision@5"``,
            ``"hit@1"``, ``"mrr"``, ``"mrr@10"``, ``"map"``, ``"map@100"``.

    Returns:
        Metric name -> query id -> value, query ids in sorted order (so per-query values of
        two runs on the same qrels line up for `paired_bootstrap`).

    Raises:
        ValueError: If a metric name is not recognised.
    """
    parsed = [(name, *_parse_metric(name)) for name in metrics]
    result: dict[str, dict[str, float]] = {name: {} for name in metrics}
    for qid in sorted(qrels):
        judged = _judge(run.get(qid, {}), qrels[qid])
        if judged.n_relevant == 0:
            continue
        for name, fn, cutoff in parsed:
            result[name][qid] = fn(judged, cutoff)
    return result


def evaluate(run: Run, qrels: Qrels, metrics: Sequence[str]) -> dict[str, float]:
    """Mean of each metric over the evaluated queries (see `per_query`).

    Raises:
        ValueError: If a metric name is not recognised, or no query in ``qrels`` has a
            relevant document (the mean would be undefined).
    """
    scores = per_query(run, qrels, metrics)
    if metrics and not next(iter(scores.values())):
        raise ValueError("qrels has no query with a relevant document; nothing to evaluate")
    return {name: math.fsum(values.values()) / len(values) for name, values in scores.items()}


def bootstrap_ci(
    values: FloatValues,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile-bootstrap confidence interval of the mean of ``values``.

    Args:
        values: Per-query metric values (any 1-D float sequence or array).
        n_resamples: Number of bootstrap resamples.
        confidence: Coverage of the interval, in (0, 1).
        seed: Seed of the resampling, so intervals are reproducible.

    Returns:
        ``(low, high)`` bounds of the interval.

    Raises:
        ValueError: If ``values`` is empty or an argument is out of range.
    """
    data = np.asarray(values, dtype=np.float64).ravel()
    if data.size == 0:
        raise ValueError("bootstrap_ci needs at least one value")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be positive, got {n_resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    rng = np.random.default_rng(seed)
    means = np.empty(n_resamples, dtype=np.float64)
    rows = max(1, _BOOTSTRAP_CHUNK // data.size)
    for start in range(0, n_resamples, rows):
        stop = min(start + rows, n_resamples)
        idx = rng.integers(0, data.size, size=(stop - start, data.size))
        means[start:stop] = data[idx].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return float(low), float(high)


def paired_bootstrap(
    a: FloatValues,
    b: FloatValues,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Bootstrap CI of ``mean(a - b)``, resampling queries jointly.

    If the interval excludes 0, method A and method B differ at that confidence.

    Args:
        a: Per-query values of method A.
        b: Per-query values of method B, for the same queries in the same order.
        n_resamples: Number of bootstrap resamples.
        confidence: Coverage of the interval, in (0, 1).
        seed: Seed of the resampling.

    Returns:
        ``(low, high)`` bounds of the interval of the mean difference.

    Raises:
        ValueError: If ``a`` and ``b`` differ in length, or as `bootstrap_ci`.
    """
    left = np.asarray(a, dtype=np.float64).ravel()
    right = np.asarray(b, dtype=np.float64).ravel()
    if left.shape != right.shape:
        raise ValueError(f"a and b must be paired: lengths {left.size} and {right.size}")
    return bootstrap_ci(left - right, n_resamples, confidence, seed)


def coverage(run: Run, k: int, n_items: int) -> float:
    """Share of the catalogue that appears in at least one query's top ``k``.

    Args:
        run: Query id -> document id -> score.
        k: Cutoff (positive).
        n_items: Catalogue size (positive).

    Raises:
        ValueError: If ``k`` or ``n_items`` is not positive, or the top-k lists hold more
            distinct documents than the catalogue has.
    """
    _check_positive(k, "k")
    _check_positive(n_items, "n_items")
    shown = set(_exposure(run, k))
    if len(shown) > n_items:
        raise ValueError(
            f"top-{k} lists hold {len(shown)} distinct documents but n_items is {n_items}"
        )
    return len(shown) / n_items


def gini(run: Run, k: int, item_ids: Iterable[str]) -> float:
    """Gini coefficient of how often each catalogue item appears in top-``k`` lists.

    Items never shown count as 0. 0 means perfectly even exposure; the maximum,
    ``(n - 1) / n`` for ``n`` items, means every slot goes to a single item.

    Args:
        run: Query id -> document id -> score.
        k: Cutoff (positive).
        item_ids: The catalogue's item ids.

    Returns:
        The coefficient; 0.0 when nothing is shown (e.g. an empty run).

    Raises:
        ValueError: If ``k`` is not positive or a shown document is not in ``item_ids``.
    """
    _check_positive(k, "k")
    counts = dict.fromkeys(item_ids, 0)
    for doc_id, times in _exposure(run, k).items():
        if doc_id not in counts:
            raise ValueError(f"document {doc_id!r} in the run is not in item_ids")
        counts[doc_id] = times
    x = np.sort(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
    total = float(x.sum())
    if total == 0.0:
        return 0.0
    n = x.size
    ranks = np.arange(1, n + 1, dtype=np.float64)
    return float(2.0 * np.dot(ranks, x) / (n * total) - (n + 1) / n)


# --- internals -----------------------------------------------------------------------------


def _judge(docs: dict[str, float], judgments: dict[str, float]) -> _Judged:
    """Attach qrels relevance to a query's ranking."""
    gains = [max(judgments.get(doc_id, 0.0), 0.0) for doc_id in ranked(docs)]
    ideal = sorted((rel for rel in judgments.values() if rel > 0), reverse=True)
    return _Judged(gains=gains, ideal=ideal, n_relevant=len(ideal))


def _dcg(gains: Sequence[float]) -> float:
    return math.fsum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def _ndcg(q: _Judged, k: int | None) -> float:
    return _dcg(q.gains[:k]) / _dcg(q.ideal[:k])


def _recall(q: _Judged, k: int | None) -> float:
    return sum(1 for gain in q.gains[:k] if gain > 0) / q.n_relevant


def _precision(q: _Judged, k: int | None) -> float:
    assert k is not None
    return sum(1 for gain in q.gains[:k] if gain > 0) / k


def _hit(q: _Judged, k: int | None) -> float:
    return 1.0 if any(gain > 0 for gain in q.gains[:k]) else 0.0


def _mrr(q: _Judged, k: int | None) -> float:
    for rank, gain in enumerate(q.gains[:k], start=1):
        if gain > 0:
            return 1.0 / rank
    return 0.0


def _map(q: _Judged, k: int | None) -> float:
    found = 0
    total = 0.0
    for rank, gain in enumerate(q.gains[:k], start=1):
        if gain > 0:
            found += 1
            total += found / rank
    return total / q.n_relevant


_METRICS: dict[str, _MetricFn] = {
    "ndcg": _ndcg,
    "recall": _recall,
    "precision": _precision,
    "hit": _hit,
    "mrr": _mrr,
    "map": _map,
}


def _parse_metric(name: str) -> tuple[_MetricFn, int | None]:
    """Split ``"ndcg@10"`` into its function and cutoff (None = whole ranking)."""
    match = _METRIC_RE.match(name)
    if match is None or (match.group(2) is None and match.group(1) in _CUTOFF_REQUIRED):
        raise ValueError(
            f"unknown metric {name!r}; expected ndcg@K, recall@K, precision@K, hit@K, "
            "mrr, mrr@K, map or map@K with K a positive integer"
        )
    cutoff = None if match.group(2) is None else int(match.group(2))
    return _METRICS[match.group(1)], cutoff


def _exposure(run: Run, k: int) -> Counter[str]:
    """How many queries show each document in their top ``k``."""
    return Counter(doc_id for docs in run.values() for doc_id in ranked(docs)[:k])


def _check_positive(value: int, name: str) -> None:
    if value < 1:
        raise ValueError(f"{name} must be positive, got {value}")
