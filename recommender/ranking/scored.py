"""A request's scored candidates, and the view of one of them the explainer reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from recommender.domain.items import Item
from recommender.domain.profiles import Mentee, Mentor
from recommender.ranking.signals import SignalValue


@dataclass(frozen=True)
class Candidate:
    """One ranked candidate: the pair, its place and score, and what explains them.

    Attributes:
        values: float64 ``(n_signals,)`` signal values as ranked (absent ones neutral).
        contributions: float64 ``(n_signals,)`` each signal's share of the score.
        queries: the mentee's items; ``items`` the mentor's.
        sims: float32 ``(len(queries), len(items))`` cosines, or None.
    """

    mentee: Mentee
    mentor: Mentor
    rank: int
    score: float
    signals: dict[str, SignalValue]
    values: np.ndarray
    contributions: np.ndarray
    queries: list[Item]
    items: list[Item]
    sims: np.ndarray | None


@dataclass(frozen=True)
class Scored:
    """One request's candidates with their signals, before ranking.

    ``X`` is float64 ``(len(mentor_ids), n_signals)``; ``sims`` maps a mentor id to the
    float32 ``(n_query_items, n_mentor_items)`` cosine matrix.
    """

    mentee: Mentee
    queries: list[Item]
    mentor_ids: list[str]
    signals: list[dict[str, SignalValue]]
    X: np.ndarray
    sims: dict[str, np.ndarray]
    mentors: Mapping[str, Mentor]
    items: dict[str, list[Item]]

    def candidate(self, i: int, rank: int, score: float, contributions: np.ndarray) -> Candidate:
        """Row ``i`` as a ``Candidate`` at ``rank`` with its ``score`` and contributions."""
        mentor = self.mentors[self.mentor_ids[i]]
        return Candidate(
            mentee=self.mentee,
            mentor=mentor,
            rank=rank,
            score=score,
            signals=self.signals[i],
            values=self.X[i],
            contributions=contributions,
            queries=self.queries,
            items=self.items[mentor.id],
            sims=self.sims.get(mentor.id),
        )
