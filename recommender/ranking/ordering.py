"""Presentation order: best score first, then a policy (diversify or specialty-first).

A policy rearranges candidate indices already sorted best first; ``choose_policy`` picks
one from the request's filters and the mentee's stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from recommender.domain.profiles import STAGE_LEVEL, Mentee
from recommender.ranking.filters import SuggestionFilters
from recommender.ranking.registry import CREDIBILITY
from recommender.ranking.signals import SignalValue

IN_FIELD = 0.6
"""Specialty match at or above which a mentor is "in the field" (same, parent or child)."""


@dataclass(frozen=True)
class Pool:
    """What a policy may look at, per candidate index.

    Attributes:
        scores: float64 ``(n,)`` ranker scores.
        groups: each candidate's canonical specialty.
        in_field: whether each candidate works in (or next to) the mentee's target specialty.
    """

    scores: np.ndarray
    groups: Sequence[str]
    in_field: Sequence[bool]


class OrderingPolicy(Protocol):
    """Rearranges candidate indices sorted best first."""

    def arrange(self, ranked: list[int], pool: Pool) -> list[int]:
        """The presentation order of ``ranked`` (indices into ``pool``)."""
        ...


def best_first(scores: np.ndarray, ids: Sequence[str]) -> list[int]:
    """Candidate indices by descending score, ties by id."""
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    if not np.isnan(ranked).any() and not (ranked[1:] == ranked[:-1]).any():
        fast: list[int] = order.tolist()  # no ties: the ids are not needed
        return fast
    values = scores.tolist()
    return sorted(range(len(ids)), key=lambda i: (-values[i], ids[i]))


def diversify(
    order: Sequence[int], scores: np.ndarray, groups: Sequence[str], lam: float
) -> list[int]:
    """Maximal marginal relevance over groups (specialties).

    Greedily picks ``argmax lam·relevance − (1−lam)·[group already picked]`` so an undecided
    mentee sees several fields before a second mentor of the same one. The relevance is the
    score relative to the best of ``order``'s (``relative``), so the trade-off ``lam`` sets
    is the same whatever the ranker's scale: a weighted mean near 0.5, a learned ranker's
    calibrated chance near 0.05, or either times the mentor side's factor.
    """
    remaining = list(order)
    picked: list[int] = []
    seen: set[str] = set()
    values = relative(scores[list(order)]).tolist()
    values_of = dict(zip(order, values, strict=True))
    while remaining:
        best = max(
            remaining,
            key=lambda i: lam * values_of[i] - (1 - lam) * float(groups[i] in seen),
        )
        picked.append(best)
        seen.add(groups[best])
        remaining.remove(best)
    return picked


def relative(scores: np.ndarray) -> np.ndarray:
    """``scores`` over the best of them, in [0, 1] (the product's scores are never
    negative); scores of any sign (a model's raw output) are scaled from the lowest (0) to
    the best (1). A missing score counts as the lowest; all equal: all 1."""
    present = scores[~np.isnan(scores)]
    if not len(present):
        return np.ones(len(scores))
    best, low = float(present.max()), float(present.min())
    if best == low:
        return np.ones(len(scores))
    filled = np.where(np.isnan(scores), low, scores)
    out: np.ndarray = filled / best if low >= 0 else (filled - low) / (best - low)
    return out


@dataclass(frozen=True)
class ByScore:
    """Best score first, nothing else."""

    def arrange(self, ranked: list[int], pool: Pool) -> list[int]:
        """``ranked`` unchanged."""
        return list(ranked)


@dataclass(frozen=True)
class Diversify:
    """MMR across specialties over the head of the list (the tail stays by score).

    Attributes:
        lam: relevance share (1: by score only).
    """

    lam: float

    def arrange(self, ranked: list[int], pool: Pool) -> list[int]:
        """The first ``max(4·min(n, 10), 40)`` diversified, then the rest by score."""
        head = max(4 * len(ranked[:10]), 40)
        return diversify(ranked[:head], pool.scores, pool.groups, self.lam) + ranked[head:]


@dataclass(frozen=True)
class SpecialtyFirst:
    """Mentors in (or next to) the mentee's target specialty first, each part by score."""

    def arrange(self, ranked: list[int], pool: Pool) -> list[int]:
        """In-field candidates, then the others, keeping the order within each."""
        return [i for i in ranked if pool.in_field[i]] + [i for i in ranked if not pool.in_field[i]]


def follows_specialty(mentee: Mentee) -> bool:
    """Decided residents and fellows get a list that follows their specialty."""
    return bool(mentee.target_specialties) and STAGE_LEVEL[mentee.stage] >= STAGE_LEVEL["PGY1"]


def _choose(requested: bool | None, default: bool) -> bool:
    return default if requested is None else requested


def choose_policy(filters: SuggestionFilters, mentee: Mentee, mmr_lambda: float) -> OrderingPolicy:
    """Diversify for early, undecided mentees; specialty-first for decided residents and
    fellows; by score otherwise; the filters' ``diversify``/``follow_specialty`` override."""
    if _choose(filters.diversify, mentee.early and mentee.undecided):
        return Diversify(mmr_lambda)
    if _choose(filters.follow_specialty, follows_specialty(mentee)):
        return SpecialtyFirst()
    return ByScore()


def in_field(signals: dict[str, SignalValue]) -> bool:
    """Whether the credibility signal's specialty match puts the mentor in the field."""
    return signals[CREDIBILITY.name].parts.get("specialty", 0.0) >= IN_FIELD


def present(
    scores: np.ndarray,
    ids: Sequence[str],
    groups: Sequence[str],
    in_field: Sequence[bool] | np.ndarray,
    policy: OrderingPolicy,
) -> list[int]:
    """Candidate indices in presentation order: best first, then as ``policy`` arranges.

    Args:
        scores: float64 ``(n,)`` ranker scores.
        ids: the candidates' mentor ids (ties are broken by id).
        groups: each candidate's canonical specialty.
        in_field: whether each candidate works in (or next to) the target specialty.
    """
    pool = Pool(scores, groups, [bool(x) for x in in_field])
    return policy.arrange(best_first(scores, ids), pool)
