"""The retriever: candidate mentors for a request's query vectors, from the index.

It asks the index for the nearest mentors by text and keeps those a predicate allows
(the hard filters, given by the caller), widening the pool until enough are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from recommender.retrieval.index import MentorIndex

Keep = Callable[[str], bool]
"""Whether a mentor id may be suggested (known to the caller and passing its filters)."""


@dataclass(frozen=True)
class Retrieved:
    """Kept candidates, nearest first, and their item cosines.

    Attributes:
        sims: mentor id → float32 ``(n_query_items, n_mentor_items)`` cosine matrix.
    """

    mentor_ids: list[str]
    sims: dict[str, np.ndarray]


@dataclass(frozen=True)
class Retriever:
    """Nearest mentors by text, the pool widened when the filters keep too few.

    Attributes:
        pool: mentors fetched from the index at first.
        growth: factor the pool grows by while too few are kept.
    """

    pool: int
    growth: int = 4

    def candidates(
        self, index: MentorIndex, queries: np.ndarray, k: int, keep: Keep, available: int
    ) -> list[str]:
        """Mentor ids passing ``keep`` among the nearest to ``queries``.

        The pool grows until at least ``min(k, available)`` are kept or it covers the index.

        Args:
            queries: float32 ``(n, dim)`` unit query vectors.
            available: how many mentors could be kept at most (the caller's known mentors).
        """
        pool = self.pool
        while True:
            kept = [m for m in index.candidates(queries, pool) if keep(m)]
            if len(kept) >= min(k, available) or pool >= len(index):
                return kept
            pool *= self.growth

    def retrieve(
        self, index: MentorIndex, queries: np.ndarray, k: int, keep: Keep, available: int
    ) -> Retrieved:
        """``candidates`` with their item cosines against ``queries``."""
        kept = self.candidates(index, queries, k, keep, available)
        return Retrieved(kept, index.item_similarities(queries, kept).sims)
