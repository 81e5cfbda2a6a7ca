"""What a learned ranker reads of a request's scored candidates: each signal's value as
ranked, each of its parts as computed (NaN where absent), and a few products of them.

A weighted mean sees only a signal's squashed value; the parts say what it was made of
(free places, how recent the mentor's activity is, how the specialty matched, the dense
and the lexical text match apart), so a learner can weigh them apart and a tree can split
on them. Names are ``signal`` for a value and ``signal.part`` for a part; a model keeps the
names it was fitted on, and ``features`` lays any request out in that order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recommender.ranking.registry import INTERACTIONS
from recommender.ranking.scored import Scored

__all__ = ["INTERACTIONS", "feature_names", "features"]


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
    return out


def feature_names(scored: Scored) -> list[str]:
    """The features ``scored`` has, in a stable order (values, then parts, then products)."""
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
