"""Method names as the evaluation report groups them: baselines, the full ranker, ablations."""

from __future__ import annotations

from collections.abc import Iterable

BASELINES = ("random", "popularity", "tfidf", "bm25", "embedding", "embedding-items", "hybrid")
"""Baseline methods, in the order they are listed in the report."""
FULL = "full"
ABLATION_PREFIX = "full-"
"""Methods named ``full-<signal>`` are the full ranker without one signal."""


def method_order(methods: Iterable[str]) -> list[str]:
    """Sort methods: baselines, then ``full``, then ``full-*`` ablations, then the rest.

    Args:
        methods: Method names, in any order.

    Returns:
        The names in report order; within the last two groups alphabetically.
    """

    def key(name: str) -> tuple[int, int, str]:
        if name in BASELINES:
            return (0, BASELINES.index(name), "")
        if name == FULL:
            return (1, 0, "")
        return (2 if name.startswith(ABLATION_PREFIX) else 3, 0, name)

    return sorted(set(methods), key=key)
