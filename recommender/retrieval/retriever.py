"""The retriever: candidate mentors for a request's query vectors, from the index.

It asks the index for the mentors nearest by text among those the hard filters allow (a
mask over the index's slots, given by the caller), so a restricted request searches only
the allowed mentors instead of widening a search over everyone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.retrieval.index import Found, MentorIndex


@dataclass(frozen=True)
class Retriever:
    """The ``pool`` nearest allowed mentors by text (at least ``k``).

    Attributes:
        pool: mentors re-ranked per request.
    """

    pool: int

    def retrieve(
        self, index: MentorIndex, queries: np.ndarray, k: int, allowed: np.ndarray | None
    ) -> Found:
        """The nearest ``max(pool, k)`` allowed mentors to ``queries`` (float32 ``(n, dim)``
        unit rows) with their per-query best cosines; ``allowed`` is a bool mask over slots
        (None: every mentor)."""
        return index.search(queries, max(self.pool, k), allowed)
