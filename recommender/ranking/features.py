"""What a learned ranker reads of a request's scored candidates: each signal's value as
ranked, each of its parts as computed (NaN where absent), and a few products of them.

A weighted mean sees only a signal's squashed value; the parts say what it was made of
(free places, how recent the mentor's activity is, how the specialty matched, the dense
and the lexical text match apart), so a learner can weigh them apart and a tree can split
on them. Names are ``signal`` for a value and ``signal.part`` for a part; a model keeps the
names it was fitted on, and ``features`` lays any request out in that order.

Each feature also comes as its place among the request's candidates (``name@query``: 0 for
the lowest, 1 for the highest, NaN where absent). Counts and dates drift as a program ages
(a mentor's raters, past mentees, how recent the newest activity is); a threshold learned
on last year's values misfires on this year's, while "the most recently active of these
candidates" means the same in both.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recommender.ranking.registry import INTERACTIONS
from recommender.ranking.scored import Scored

__all__ = ["INTERACTIONS", "IN_QUERY", "feature_names", "features"]


def _columns(scored: Scored) -> dict[str, np.ndarray]:
    """Every value and part of ``scored`` by feature name (float64 per candidate)."""
    names = scored.registry.names
    out = {name: scored.X[:, j].astype(np.float64) for j, name in enumerate(names)}
    if scored.signals is not None:
        for signal, parts in scored.signals.columns.items():
            for part, column in parts:
                out[f"{signal}.{part}"] = np.asarray(column, dtype=np.float64)
    for left, right in INTERACTIONS:
        if left in out and right in out:
            out[f"{left}*{right}"] = out[left] * out[right]
    own = list(out)
    if own:
        ranked = places(np.column_stack([out[name] for name in own]))
        for j, name in enumerate(own):
            out[f"{name}{IN_QUERY}"] = ranked[:, j]
    return out


IN_QUERY = "@query"
"""Suffix of a feature's place among the request's candidates."""


def _places(column: np.ndarray) -> np.ndarray:
    """Each value's place among the present ones in [0, 1] (ties share their mean place);
    NaN stays NaN, and a column of one distinct value is 0.5 throughout."""
    out: np.ndarray = places(column[:, None])[:, 0]
    return out


def places(X: np.ndarray) -> np.ndarray:
    """``_places`` of every column of ``X`` ``(n, m)`` at once: one sort of the matrix, ties
    found as runs of equal sorted values, each run's mean position scattered back."""
    n, m = X.shape
    out = np.full((n, m), np.nan)
    if n == 0 or m == 0:
        return out
    order = np.argsort(X, axis=0, kind="stable")  # NaN sorts last
    ranked = np.take_along_axis(X, order, axis=0)
    present = (~np.isnan(X)).sum(axis=0)
    at = np.arange(n)[:, None]
    starts = np.ones((n, m), dtype=bool)
    starts[1:] = ranked[1:] != ranked[:-1]
    ends = np.ones((n, m), dtype=bool)
    ends[:-1] = starts[1:]
    first = np.maximum.accumulate(np.where(starts, at, 0), axis=0)
    last = np.minimum.accumulate(np.where(ends, at, n - 1)[::-1], axis=0)[::-1]
    kept = at < present
    distinct = (starts & kept).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        place = (first + last) / 2.0 / (present - 1)
    place = np.where(kept, np.where(distinct == 1, 0.5, place), np.nan)
    np.put_along_axis(out, order, place, axis=0)
    return out


def feature_names(scored: Scored) -> list[str]:
    """The features ``scored`` has, in a stable order (values, then parts, then products,
    then each one's place among the candidates)."""
    return list(_columns(scored))


def features(scored: Scored, names: Sequence[str] | None = None) -> np.ndarray:
    """float64 ``(len(scored.mentor_ids), len(names))``: the candidates' features in the
    order of ``names`` (default ``feature_names(scored)``); a name the request lacks is
    NaN throughout (a model fitted where a signal had parts still ranks without them)."""
    columns = _columns(scored)
    order = list(columns) if names is None else list(names)
    n = len(scored.mentor_ids)
    out = np.full((n, len(order)), np.nan, dtype=np.float64)
    for j, name in enumerate(order):
        column = columns.get(name)
        if column is not None:
            out[:, j] = column
    return out
