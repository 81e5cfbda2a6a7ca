"""Capacity-aware cohort assignment: ``solve(mentors, mentees, scores) -> Assignment``.

Every mentee gets exactly ``mentors_wanted`` distinct mentors, every mentor takes between
``min_mentees`` and ``max_mentees``, conflicting or forbidden pairs never meet and locked
pairs always do. ``mode="total"`` maximises the sum of scores (min-cost flow);
``mode="fair"`` first maximises the lowest assigned score, then the sum.

Scale: the flow network holds only each mentee's top-N candidates. That is a heuristic until
proven, and :func:`solve` proves it. Min-cost flow is optimal iff node potentials ``d`` exist
with non-negative reduced cost on every residual arc; the shortest distances from a virtual
root in the residual graph of the solved pruned network are such potentials. A pruned pair
(i, j) would enter the residual graph as the arc i → j with cost ``-s_ij``, so it keeps the
flow optimal iff ``s_ij <= d_i - d_j`` (in LP terms: ``s_ij <= u_i + v_j`` for an optimal dual
``u, v``, so the dual stays feasible with the same objective). Every pair of the source is
checked against that bound block by block; violators are added and the flow re-solved until
none is left. Costs are integers (``round(-score * scale)``) because the solver needs them;
pair scores are reported at full precision from the source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

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
    """

    mode: Mode
    pairs: list[Pair]
    total: float
    min_score: float
    stats: AssignmentStats
    threshold: float | None = None
    widenings: int = 0
    candidates: int = 0


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

    def add(self, rows: IntArray, cols: IntArray, scores: FloatArray) -> int:
        """Add new candidate pairs that are neither banned nor locked; returns how many."""
        keys = rows * self.m + cols
        keep = ~np.isin(keys, self.never) & ~np.isin(keys, self.rows * self.m + self.cols)
        keys, first = np.unique(keys[keep], return_index=True)
        self.rows = np.concatenate([self.rows, rows[keep][first]])
        self.cols = np.concatenate([self.cols, cols[keep][first]])
        self.scores = np.concatenate([self.scores, scores[keep][first]])
        return len(keys)

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
        if first:
            self.top3 = rows[keep & (rank < 3)] * self.m + cols[keep & (rank < 3)]
            wants = self.want + np.bincount([i for i, _, _ in self.locked], minlength=self.n)
            for i in np.flatnonzero((last == -np.inf) & (counts < wants)):
                raise InfeasibleAssignment(
                    f"mentee {self.mentee_ids[i]} has only {counts[i]} allowed mentors "
                    f"after conflicts but wants {wants[i]}"
                )
        self.add(rows[keep], cols[keep], val[keep])

    def exceeding(self, u: FloatArray, v: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
        """Allowed pairs with ``score > u[i] + v[j]`` (local indices) from the source."""
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
    if want.sum() > cap.sum():
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
    return _Problem(src, *names, want, cap, low, row_of, col_of, banned_keys, locks, scale)


def _flow(prob: _Problem, sel: BoolArray, costs: bool) -> tuple[IntArray, IntArray] | None:
    """Solve the network on the selected candidates; (pair flows, mentor slack flows) or None.

    Mentor minimums use the lower-bound transformation: mentor j demands ``low_j`` itself,
    its arc to the sink carries the rest (capacity ``cap_j - low_j``).
    """
    n, m = prob.n, prob.m
    rows, cols = prob.rows[sel], prob.cols[sel]
    if prob.want.sum() == 0:
        return np.zeros(len(rows), np.int64), np.zeros(m, np.int64)
    cost = -np.rint(prob.scores[sel] * prob.scale).astype(np.int64) if costs else 0 * rows
    net = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([rows, n + np.arange(m)])
    heads = np.concatenate([n + cols, np.full(m, n + m)])
    caps = np.concatenate([np.ones(len(rows), np.int64), prob.cap - prob.low])
    net.add_arcs_with_capacity_and_unit_cost(
        tails, heads, caps, np.concatenate([cost, np.zeros(m, np.int64)])
    )
    sink = -(prob.want.sum() - prob.low.sum())
    net.set_nodes_supplies(np.arange(n + m + 1), np.concatenate([prob.want, -prob.low, [sink]]))
    if net.solve() != net.OPTIMAL:
        return None
    flows = net.flows(np.arange(len(tails)))
    return flows[: len(rows)].astype(np.int64), flows[len(rows) :].astype(np.int64)


def _potentials(prob: _Problem, sel: BoolArray, flows: IntArray, slack: IntArray) -> IntArray:
    """Shortest distances from a virtual root in the residual graph (vectorised Bellman-Ford).

    They satisfy ``d[head] <= d[tail] + cost`` on every residual arc (the flow is optimal, so
    there is no negative cycle): optimal node potentials, i.e. an optimal dual.
    """
    n, m = prob.n, prob.m
    rows, cols = prob.rows[sel], prob.cols[sel]
    cost = -np.rint(prob.scores[sel] * prob.scale).astype(np.int64)
    used = flows > 0
    mentor = n + np.arange(m)
    fwd, bwd = slack < prob.cap - prob.low, slack > 0
    tail = np.concatenate([np.where(used, n + cols, rows), mentor[fwd], np.full(bwd.sum(), n + m)])
    head = np.concatenate([np.where(used, rows, n + cols), np.full(fwd.sum(), n + m), mentor[bwd]])
    weight = np.concatenate(
        [np.where(used, -cost, cost), np.zeros(fwd.sum() + bwd.sum(), np.int64)]
    )
    d = np.zeros(n + m + 1, np.int64)
    for _ in range(n + m + 2):
        cand = d[tail] + weight
        better = cand < d[head]
        if not better.any():
            return d
        np.minimum.at(d, head[better], cand[better])
    raise RuntimeError("negative cycle in the residual graph of an optimal flow")


def _max_total(prob: _Problem, threshold: float | None) -> IntArray:
    """Max-total assignment over pairs scoring >= threshold, proven optimal over all pairs."""
    while True:
        sel = prob.scores >= threshold if threshold is not None else np.ones(len(prob.rows), bool)
        res = _flow(prob, sel, costs=True)
        if res is None:
            if prob.widen():
                continue
            raise _diagnose(prob, sel)
        flows, slack = res
        d = _potentials(prob, sel, flows, slack)
        r, c, s = prob.exceeding((d[: prob.n] - 1) / prob.scale, -d[prob.n : -1] / prob.scale)
        bad = np.rint(s * prob.scale).astype(np.int64) > d[r] - d[prob.n + c]
        if threshold is not None:
            bad &= s >= threshold
        if prob.add(r[bad], c[bad], s[bad]) == 0:
            return np.flatnonzero(sel)[flows > 0]
        prob.widenings += 1


def _max_min(prob: _Problem) -> float | None:
    """Largest t such that the free places can be filled with pairs scoring >= t.

    Binary search over the candidates' distinct scores. It is exact over all pairs once every
    pair scoring above t is a candidate (``last <= t``): a higher threshold was tested on the
    complete set of pairs above t and failed.
    """
    if prob.want.sum() == 0:
        return None
    while True:
        vals = np.unique(prob.scores)
        if len(vals) == 0 or _flow(prob, prob.scores >= vals[0], costs=False) is None:
            if prob.widen():
                continue
            raise _diagnose(prob, np.ones(len(prob.rows), bool))
        lo, hi = 0, len(vals) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if _flow(prob, prob.scores >= vals[mid], costs=False) is not None:
                lo = mid
            else:
                hi = mid - 1
        t = float(vals[lo])
        need = (prob.last > t) & (prob.want > 0)
        if not need.any():
            return t
        r, c, s = prob.exceeding(np.where(need, t, np.inf), np.zeros(prob.m))
        prob.last[need] = t
        if prob.add(r, c, s):
            prob.widenings += 1


def _diagnose(prob: _Problem, sel: BoolArray) -> InfeasibleAssignment:
    """Explain a failed flow on the complete candidate set with two max-flow checks."""
    n, m = prob.n, prob.m
    rows, cols = prob.rows[sel], prob.cols[sel]

    def reach(mentor_cap: IntArray) -> IntArray:
        net = max_flow.SimpleMaxFlow()
        src_arcs = net.add_arcs_with_capacity(np.full(n, n + m), np.arange(n), prob.want)
        net.add_arcs_with_capacity(rows, n + cols, np.ones(len(rows), np.int64))
        net.add_arcs_with_capacity(n + np.arange(m), np.full(m, n + m + 1), mentor_cap)
        net.solve(n + m, n + m + 1)
        return np.asarray(net.flows(src_arcs), np.int64)

    short = prob.want - reach(prob.cap)
    if short.sum() > 0:
        names = [prob.mentee_ids[i] for i in np.flatnonzero(short)]
        return InfeasibleAssignment(
            f"{short.sum()} mentee places cannot be served by allowed mentors with room "
            f"(mentees {', '.join(names[:10])}{' ...' if len(names) > 10 else ''})"
        )
    reached = int(reach(prob.low).sum())
    if reached < prob.low.sum():
        return InfeasibleAssignment(
            f"mentor minimums need {prob.low.sum()} mentee places, only {reached} can reach "
            "those mentors through allowed pairs"
        )
    return InfeasibleAssignment("capacities, minimums and allowed pairs cannot all hold together")


def _result(prob: _Problem, mode: Mode, used: IntArray, threshold: float | None) -> Assignment:
    free = [(int(prob.rows[a]), int(prob.cols[a]), float(prob.scores[a])) for a in used]
    chosen = sorted(prob.locked + free)
    pairs = [Pair(prob.mentee_ids[i], prob.mentor_ids[j], s) for i, j, s in chosen]
    values = [p.score for p in pairs]
    top3 = set(prob.top3.tolist())
    served = {i for i, _, _ in chosen}
    hits = {i for i, j, _ in chosen if i * prob.m + j in top3}
    loads = np.bincount(np.array([j for _, j, _ in chosen], np.int64), minlength=prob.m)
    stats = AssignmentStats(
        mean_score=float(np.mean(values)) if values else 0.0,
        min_score=min(values, default=0.0),
        top3_share=len(hits) / len(served) if served else 0.0,
        load_histogram=dict(sorted(Counter(int(x) for x in loads).items())),
    )
    return Assignment(
        mode,
        pairs,
        float(sum(values)),
        stats.min_score,
        stats,
        threshold,
        prob.widenings,
        len(prob.rows),
    )


def solve(
    mentors: Sequence[MentorSlot],
    mentees: Sequence[MenteeDemand],
    scores: ScoreSource,
    *,
    conflicts: Iterable[PairKey] = (),
    locked: Iterable[PairKey] = (),
    forbidden: Iterable[PairKey] = (),
    mode: Mode = "total",
    top_n: int = 50,
    scale: int = 1_000_000,
) -> Assignment:
    """Assign mentors to mentees; pairs are ``(mentee_id, mentor_id)``.

    Args:
        mentors: places per mentor (mentors absent here are never used).
        mentees: demand per mentee.
        scores: the score source; every id above must be one of its ids.
        conflicts: pairs that must never meet (e.g. same department).
        locked: pairs that must meet.
        forbidden: pairs a coordinator ruled out.
        mode: ``"total"`` maximises the sum; ``"fair"`` the minimum, then the sum.
        top_n: candidates per mentee in the first flow network (grown until proven).
        scale: integer cost scaling for the solver.

    Raises:
        InfeasibleAssignment: no assignment meets the constraints; the message says why.
        InvalidProfile: malformed input (unknown or duplicate ids, bad counts).
    """
    if mode not in ("total", "fair"):
        raise InvalidProfile("mode", f"expected 'total' or 'fair', got {mode!r}")
    prob = _build(mentors, mentees, scores, conflicts, locked, forbidden, scale)
    prob.fetch(max(top_n, 1))
    threshold: float | None = None
    if mode == "fair":
        threshold = _max_min(prob)
        lock_min = min((s for _, _, s in prob.locked), default=None)
        if threshold is not None and lock_min is not None:
            threshold = min(threshold, lock_min)
    used = _max_total(prob, threshold)
    return _result(prob, mode, used, threshold)
