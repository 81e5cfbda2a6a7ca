"""The assignment problem's data: inputs, result, and the pruned candidate network.

``MentorSlot`` and ``MenteeDemand`` describe the round, ``Assignment`` the result;
``_Problem`` holds validated input in local indices with each mentee's top-N candidates
(see :mod:`recommender.matching.solver` for why pruning is safe), and ``_build`` makes one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from recommender.domain.errors import InvalidProfile, MentorMatchError
from recommender.matching.scores import (
    EMPTY_FLOAT,
    EMPTY_INT,
    BoolArray,
    FloatArray,
    IntArray,
    ScoreSource,
)

Mode = Literal["total", "fair"]
PairKey = tuple[str, str]


class InfeasibleAssignment(MentorMatchError):
    """No assignment meets every constraint; the message names the constraint and the gap."""


@dataclass(frozen=True)
class MentorSlot:
    """A mentor's places in this round: ``max_mentees`` is what they can still take."""

    id: str
    max_mentees: int
    min_mentees: int = 0


@dataclass(frozen=True)
class MenteeDemand:
    """A mentee and how many distinct mentors they want."""

    id: str
    mentors_wanted: int = 1


@dataclass(frozen=True)
class Pair:
    """One assigned (mentee, mentor) pair with its full-precision score in [0, 1]."""

    mentee_id: str
    mentor_id: str
    score: float


@dataclass(frozen=True)
class AssignmentStats:
    """Summary a coordinator reads: ``load_histogram`` maps a mentor load to a mentor count."""

    mean_score: float
    min_score: float
    top3_share: float
    load_histogram: dict[int, int]


@dataclass(frozen=True)
class Assignment:
    """The result. ``total`` and ``min_score`` are both reported whatever the mode.

    Attributes:
        threshold: in fair mode, the lowest score any free (non-locked) pair was allowed.
        widenings: how often the pruned candidate set had to grow to prove optimality.
        candidates: pairs in the final flow network.
        unserved: mentee id → places left unserved (a partial assignment only).
    """

    mode: Mode
    pairs: list[Pair]
    total: float
    min_score: float
    stats: AssignmentStats
    threshold: float | None = None
    widenings: int = 0
    candidates: int = 0
    unserved: dict[str, int] = field(default_factory=dict)


@dataclass
class _Problem:
    """Validated input in local indices (mentee i, mentor j), locked pairs pre-assigned.

    Pair keys are ``i * m + j``. Candidates are flat arrays, unique by key; every allowed pair
    of mentee i scoring above ``last[i]`` is a candidate (-inf: all of them are).
    """

    src: ScoreSource
    mentee_ids: list[str]
    mentor_ids: list[str]
    want: IntArray
    cap: IntArray
    low: IntArray
    row_of: IntArray  # source row of each mentee
    col_of: IntArray  # source column of each mentor
    banned: IntArray  # conflicts and forbidden
    locked: list[tuple[int, int, float]]
    scale: int
    spare: int | None = None
    """Mentee places that may stay unserved (None: every place must be served)."""
    top_n: int = 0
    widenings: int = 0
    rows: IntArray = field(default_factory=lambda: EMPTY_INT)
    cols: IntArray = field(default_factory=lambda: EMPTY_INT)
    scores: FloatArray = field(default_factory=lambda: EMPTY_FLOAT)
    last: FloatArray = field(default_factory=lambda: EMPTY_FLOAT)
    top3: IntArray = field(default_factory=lambda: EMPTY_INT)

    def __post_init__(self) -> None:
        self.n, self.m = len(self.mentee_ids), len(self.mentor_ids)
        self.inv_row = np.full(len(self.src.mentee_ids), -1, np.int64)
        self.inv_row[self.row_of] = np.arange(self.n)
        self.inv_col = np.full(len(self.src.mentor_ids), -1, np.int64)
        self.inv_col[self.col_of] = np.arange(self.m)
        self.never = np.union1d(self.banned, [i * self.m + j for i, j, _ in self.locked])
        self._held = EMPTY_INT  # keys of the candidates, sorted
        # Leaving a place unserved must cost more than any re-routing of served pairs can
        # gain (an augmenting path changes at most min(n, m) + 1 pairs, each worth <= scale):
        # the flow then serves as many places as possible first, then maximises the score.
        self.penalty = self.scale * (min(self.n, self.m) + 2)

    def add(self, rows: IntArray, cols: IntArray, scores: FloatArray) -> int:
        """Add new candidate pairs that are neither banned nor locked; returns how many."""
        keys = rows * self.m + cols
        keep = ~_within(keys, self.never) & ~_within(keys, self._held)
        order = np.flatnonzero(keep)[np.argsort(keys[keep], kind="stable")]
        first = np.ones(len(order), bool)
        first[1:] = keys[order[1:]] != keys[order[:-1]]
        new = order[first]
        self.rows = np.concatenate([self.rows, rows[new]])
        self.cols = np.concatenate([self.cols, cols[new]])
        self.scores = np.concatenate([self.scores, scores[new]])
        self._held = np.sort(np.concatenate([self._held, keys[new]]))  # disjoint
        return len(new)

    def fetch(self, top_n: int) -> None:
        """(Re)load each mentee's ``top_n`` allowed mentors from the source."""
        first, self.top_n = self.top_n == 0, top_n
        extra = int(np.bincount(self.banned // max(self.m, 1), minlength=1).max())
        idx, val = self.src.top_all(top_n + extra, self.inv_col >= 0)
        idx, val = idx[self.row_of], val[self.row_of].ravel()
        k = idx.shape[1]
        full = (idx >= 0).all(axis=1) & (k < self.m)
        rows = np.repeat(np.arange(self.n, dtype=np.int64), k)
        cols = self.inv_col[np.where(idx >= 0, idx, 0)].ravel()
        ok = (idx.ravel() >= 0) & ~np.isin(rows * self.m + cols, self.banned)
        before = np.concatenate([[0], np.cumsum(ok)])
        rank = before[1:] - 1 - before[rows * k]  # rank among the allowed pairs of the row
        counts = np.bincount(rows[ok], minlength=self.n)
        keep = ok & (rank < top_n)
        last = np.full(self.n, np.inf)
        np.minimum.at(last, rows[keep], val[keep])
        last[~(full | (counts > top_n))] = -np.inf
        self.last = last if first else np.minimum(self.last, last)
        if first and self.spare is None:
            self._check_enough(last, counts)
        if first:
            self.top3 = rows[keep & (rank < 3)] * self.m + cols[keep & (rank < 3)]
        self.add(rows[keep], cols[keep], val[keep])

    def _check_enough(self, last: FloatArray, counts: IntArray) -> None:
        """Raise if a mentee has fewer allowed mentors than they want."""
        wants = self.want + np.bincount([i for i, _, _ in self.locked], minlength=self.n)
        for i in np.flatnonzero((last == -np.inf) & (counts < wants)):
            raise InfeasibleAssignment(
                f"mentee {self.mentee_ids[i]} has only {counts[i]} allowed mentors "
                f"after conflicts but wants {wants[i]}"
            )

    def exceeding(self, u: FloatArray, v: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
        """Allowed pairs with ``score > u[i] + v[j]`` (local indices) from the source.

        Every pair of mentee i that is not a candidate scores at most ``last[i]``, so a mentee
        with ``last[i] <= u[i] + min(v)`` can only return candidates: the source never
        computes that mentee's row (a margin of one cost unit covers float rounding between
        the source's top-N search and its block products).
        """
        low_v = v.min() if len(v) else np.inf
        u = np.where(self.last + 1.0 / self.scale <= u + low_v, np.inf, u)
        big_u = np.full(len(self.inv_row), np.inf)
        big_v = np.full(len(self.inv_col), np.inf)
        big_u[self.row_of], big_v[self.col_of] = u, v
        r, c, s = self.src.exceeding(big_u, big_v)
        return self.inv_row[r], self.inv_col[c], s

    def widen(self) -> bool:
        """Double N if some mentee's list is incomplete; False if there is nothing to add."""
        if not (self.last > -np.inf).any() or self.top_n >= self.m:
            return False
        self.widenings += 1
        self.fetch(self.top_n * 2)
        return True


def _build(
    mentors: Sequence[MentorSlot],
    mentees: Sequence[MenteeDemand],
    src: ScoreSource,
    conflicts: Iterable[PairKey],
    locked: Iterable[PairKey],
    forbidden: Iterable[PairKey],
    scale: int,
    partial: bool = False,
) -> _Problem:
    """Validate the input, pre-assign locked pairs and check the obvious gaps up front."""
    src_row = {x: i for i, x in enumerate(src.mentee_ids)}
    src_col = {x: j for j, x in enumerate(src.mentor_ids)}
    for kind, ids, known in (("mentee", mentees, src_row), ("mentor", mentors, src_col)):
        seen = [x.id for x in ids]
        if len(set(seen)) != len(seen):
            raise InvalidProfile(f"{kind}s", "duplicate ids")
        if unknown := [x for x in seen if x not in known]:
            raise InvalidProfile(f"{kind}s", f"no scores for {unknown[:5]}")
    if bad := [s.id for s in mentors if not 0 <= s.min_mentees <= s.max_mentees]:
        raise InvalidProfile("min_mentees", f"need 0 <= min <= max for mentors {bad[:5]}")
    if any(d.mentors_wanted < 0 for d in mentees):
        raise InvalidProfile("mentors_wanted", "must be >= 0")
    li = {d.id: i for i, d in enumerate(mentees)}
    lj = {s.id: j for j, s in enumerate(mentors)}
    want = np.array([d.mentors_wanted for d in mentees], np.int64)
    cap = np.array([s.max_mentees for s in mentors], np.int64)
    low = np.array([s.min_mentees for s in mentors], np.int64)
    m = len(mentors)
    pairs = set(conflicts) | set(forbidden)
    banned = {li[a] * m + lj[b] for a, b in pairs if a in li and b in lj}
    locks: list[tuple[int, int, float]] = []
    for a, b in sorted(set(locked)):
        if a not in li or b not in lj:
            raise InfeasibleAssignment(f"locked pair ({a}, {b}) names an absent mentee or mentor")
        value = src.score(a, b)
        if value is None or li[a] * m + lj[b] in banned:
            raise InfeasibleAssignment(f"locked pair ({a}, {b}) is a conflict or not allowed")
        locks.append((li[a], lj[b], value))
    for j, count in Counter(j for _, j, _ in locks).items():
        if count > cap[j]:
            raise InfeasibleAssignment(
                f"mentor {mentors[j].id} is locked to {count} mentees but takes at most {cap[j]}"
            )
    for i, count in Counter(i for i, _, _ in locks).items():
        if count > want[i]:
            raise InfeasibleAssignment(
                f"mentee {mentees[i].id} is locked to {count}, wants {want[i]}"
            )
    if want.sum() > cap.sum() and not partial:
        raise InfeasibleAssignment(
            f"{want.sum()} mentee places wanted, {cap.sum()} mentor places available"
        )
    if low.sum() > want.sum():
        raise InfeasibleAssignment(
            f"mentor minimums need {low.sum()} mentee places, {want.sum()} wanted"
        )
    for i, j, _ in locks:
        want[i], cap[j], low[j] = want[i] - 1, cap[j] - 1, max(0, low[j] - 1)
    if low.sum() > want.sum():
        raise InfeasibleAssignment(
            f"mentor minimums need {low.sum()} more mentee places after locks, {want.sum()} left"
        )
    row_of = np.array([src_row[d.id] for d in mentees], np.int64)
    col_of = np.array([src_col[s.id] for s in mentors], np.int64)
    names = [d.id for d in mentees], [s.id for s in mentors]
    banned_keys = np.array(sorted(banned), np.int64)
    spare = int(want.sum()) if partial else None
    return _Problem(src, *names, want, cap, low, row_of, col_of, banned_keys, locks, scale, spare)


def _within(keys: IntArray, sorted_keys: IntArray) -> BoolArray:
    """Whether each key is in ``sorted_keys`` (sorted, unique): a binary search each."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    found: BoolArray = sorted_keys[at] == keys
    return found
