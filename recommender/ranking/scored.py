"""A request's scored candidates, and the view of one of them the explainer reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from recommender.domain.items import Item
from recommender.domain.profiles import Mentee, Mentor
from recommender.ranking.mentor_side import MentorSide
from recommender.ranking.registry import REGISTRY, BatchSignals, SignalPair, SignalRegistry
from recommender.ranking.signals import SignalContext, SignalValue


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
    """One request's candidates with every signal computed, before ranking.

    Attributes:
        X: float64 ``(len(mentor_ids), n_signals)`` signal values (absent ones neutral).
        in_field: bool per candidate: works in (or next to) the mentee's target specialty.
        groups: each candidate's canonical primary specialty (for diversifying).
        mentors: the candidates (and possibly others) by id, as ranked.
        items: each candidate's indexed items by mentor id.
        ctx: the context the signals were computed in (for explaining a candidate).
    """

    mentee: Mentee
    queries: list[Item]
    mentor_ids: list[str]
    X: np.ndarray
    in_field: np.ndarray
    groups: list[str]
    mentors: Mapping[str, Mentor]
    items: Mapping[str, list[Item]]
    ctx: SignalContext
    registry: SignalRegistry = REGISTRY
    vectors: np.ndarray | None = None
    """float32 ``(len(queries), dim)`` query vectors, for the shown candidates' item cosines."""
    signals: BatchSignals | None = None
    """The signals of ``X`` with their parts (None: parts are worked out pair by pair)."""
    lexical: np.ndarray | None = None
    """float64 per candidate, its word-overlap match (None: not computed), for working
    the parts out pair by pair as they were ranked."""
    side: np.ndarray | None = None
    """float64 per candidate, the mentor side's factor on its score (None: one-sided)."""
    sides: MentorSide | None = None
    """The acceptance model the factors came from (for explaining a candidate)."""

    def candidates(
        self,
        shown: Sequence[tuple[int, int]],
        scores: np.ndarray,
        contributions: np.ndarray,
        sims: Mapping[str, np.ndarray],
    ) -> list[Candidate]:
        """The ``(rank, row)`` pairs of ``shown`` as ``Candidate``s, their signals' parts read
        from the columns they were ranked with (or worked out for each pair).

        Args:
            scores: float64 ``(len(mentor_ids),)`` every row's score.
            contributions: float64 ``(len(shown), n_signals)`` the shown rows' shares.
            sims: item cosines by mentor id (a mentor without items is left out).
        """
        rows = [i for _, i in shown]
        kept = self.signals.at(rows) if self.signals is not None else None
        out = []
        for j, (rank, i) in enumerate(shown):
            mentor = self.mentors[self.mentor_ids[i]]
            found = sims.get(mentor.id)
            if kept is not None:
                signals = kept[j]
            else:
                lexical = None if self.lexical is None else float(self.lexical[i])
                pair = SignalPair(self.mentee, mentor, found, self.ctx, lexical)
                signals = self.registry.compute(pair)
            out.append(
                Candidate(
                    mentee=self.mentee,
                    mentor=mentor,
                    rank=rank,
                    score=float(scores[i]),
                    signals=signals,
                    values=self.X[i],
                    contributions=contributions[j],
                    queries=self.queries,
                    items=self.items[mentor.id],
                    sims=found,
                )
            )
        return out
