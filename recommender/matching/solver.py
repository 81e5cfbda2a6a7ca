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
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from recommender.domain.errors import InvalidProfile
from recommender.matching.problem import (
    Assignment,
    AssignmentStats,
    InfeasibleAssignment,
    MenteeDemand,
    MentorSlot,
    Mode,
    Pair,
    PairKey,
    _build,
    _Problem,
)
from recommender.matching.scores import BoolArray, IntArray, ScoreSource

__all__ = [
    "Assignment",
    "AssignmentStats",
    "InfeasibleAssignment",
    "MenteeDemand",
    "MentorSlot",
    "Mode",
    "Pair",
    "PairKey",
    "solve",
]


@dataclass(frozen=True)
class _Flows:
    """A solved network's flows: per candidate pair, per mentor's arc to the sink (above its
    minimum), and per mentee's unserved places."""

    pairs: IntArray
    slack: IntArray
    unserved: IntArray


def _flow(prob: _Problem, sel: BoolArray, costs: bool) -> _Flows | None:
    """Solve the network on the selected candidates, or None if it has no feasible flow.

    Mentor minimums use the lower-bound transformation: mentor j demands ``low_j`` itself,
    its arc to the sink carries the rest (capacity ``cap_j - low_j``). With spare places
    (``prob.spare``), each mentee also has an arc to an "unserved" node (cost
    ``prob.penalty`` per place) that carries at most ``prob.spare`` places to the sink.
    """
    n, m = prob.n, prob.m
    rows, cols = prob.rows[sel], prob.cols[sel]
    if prob.want.sum() == 0:
        return _Flows(np.zeros(len(rows), np.int64), np.zeros(m, np.int64), np.zeros(n, np.int64))
    cost = -np.rint(prob.scores[sel] * prob.scale).astype(np.int64) if costs else 0 * rows
    net = min_cost_flow.SimpleMinCostFlow()
    sink, spare = n + m, n + m + 1
    tails: list[Any] = [rows, n + np.arange(m)]
    heads: list[Any] = [n + cols, np.full(m, sink)]
    caps: list[Any] = [np.ones(len(rows), np.int64), prob.cap - prob.low]
    unit: list[Any] = [cost, np.zeros(m, np.int64)]
    if prob.spare is not None:
        tails += [np.arange(n), [spare]]
        heads += [np.full(n, spare), [sink]]
        caps += [prob.want, [prob.spare]]
        unit += [np.full(n, prob.penalty if costs else 0, np.int64), [0]]
    net.add_arcs_with_capacity_and_unit_cost(
        *(np.concatenate(x).astype(np.int64) for x in (tails, heads, caps, unit))
    )
    supplies = np.concatenate([prob.want, -prob.low, [-(prob.want.sum() - prob.low.sum())]])
    if prob.spare is not None:
        supplies = np.concatenate([supplies, [0]])
    net.set_nodes_supplies(np.arange(len(supplies)), supplies)
    if net.solve() != net.OPTIMAL:
        return None
    flows = np.asarray(net.flows(np.arange(net.num_arcs())), np.int64)
    k = len(rows)
    unserved = flows[k + m : k + m + n] if prob.spare is not None else np.zeros(n, np.int64)
    return _Flows(flows[:k], flows[k : k + m], unserved)


def _potentials(prob: _Problem, sel: BoolArray, res: _Flows) -> IntArray:
    """Shortest distances from a virtual root in the residual graph (vectorised Bellman-Ford).

    They satisfy ``d[head] <= d[tail] + cost`` on every residual arc (the flow is optimal, so
    there is no negative cycle): optimal node potentials, i.e. an optimal dual. Nodes:
    mentees, mentors, the sink, then the "unserved" node.
    """
    n, m = prob.n, prob.m
    rows, cols = prob.rows[sel], prob.cols[sel]
    cost = -np.rint(prob.scores[sel] * prob.scale).astype(np.int64)
    used = res.pairs > 0
    mentor, sink, spare = n + np.arange(m), n + m, n + m + 1
    fwd, bwd = res.slack < prob.cap - prob.low, res.slack > 0
    tail: list[Any] = [np.where(used, n + cols, rows), mentor[fwd], np.full(bwd.sum(), sink)]
    head: list[Any] = [np.where(used, rows, n + cols), np.full(fwd.sum(), sink), mentor[bwd]]
    weight = [np.where(used, -cost, cost), np.zeros(fwd.sum() + bwd.sum(), np.int64)]
    if prob.spare is not None:
        mentee = np.arange(n)
        out, back = res.unserved < prob.want, res.unserved > 0
        total = int(res.unserved.sum())
        room, held = int(total < prob.spare), int(total > 0)
        tail += [mentee[out], np.full(back.sum(), spare), [spare] * room, [sink] * held]
        head += [np.full(out.sum(), spare), mentee[back], [sink] * room, [spare] * held]
        weight += [
            np.full(out.sum(), prob.penalty),
            np.full(back.sum(), -prob.penalty),
            np.zeros(room + held, np.int64),
        ]
    t, h = (np.concatenate(x).astype(np.int64) for x in (tail, head))
    return _distances(t, h, np.concatenate(weight).astype(np.int64), n + m + 2)


def _distances(tail: IntArray, head: IntArray, weight: IntArray, nodes: int) -> IntArray:
    """Bellman-Ford from a virtual root joined to every node at cost 0, vectorised by rounds.

    A round relaxes only the arcs leaving nodes whose distance fell in the round before (the
    others cannot improve anything), so late rounds touch a small frontier, not every arc.
    """
    order = np.argsort(tail, kind="stable")
    tail, head, weight = tail[order], head[order], weight[order]
    first = np.searchsorted(tail, np.arange(nodes + 1))
    d = np.zeros(nodes, np.int64)
    arcs = np.arange(len(tail))
    for _ in range(nodes + 1):
        cand = d[tail[arcs]] + weight[arcs]
        better = cand < d[head[arcs]]
        if not better.any():
            return d
        moved = head[arcs[better]]
        np.minimum.at(d, moved, cand[better])
        arcs = _arcs_of(np.unique(moved), first)
    raise RuntimeError("negative cycle in the residual graph of an optimal flow")


def _arcs_of(nodes: IntArray, first: IntArray) -> IntArray:
    """Indices of the arcs leaving ``nodes``; arcs sorted by tail, ``first[v]`` the first of
    node v's arcs (CSR offsets)."""
    start, count = first[nodes], first[nodes + 1] - first[nodes]
    if count.sum() == 0:
        return np.empty(0, np.int64)
    shift: IntArray = np.repeat(start - np.cumsum(count) + count, count)
    return np.arange(int(count.sum()), dtype=np.int64) + shift


def _max_total(prob: _Problem, threshold: float | None) -> IntArray:
    """Max-total assignment over pairs scoring >= threshold, proven optimal over all pairs."""
    while True:
        sel = prob.scores >= threshold if threshold is not None else np.ones(len(prob.rows), bool)
        res = _flow(prob, sel, costs=True)
        if res is None:
            if prob.widen():
                continue
            raise _diagnose(prob, sel)
        n, m = prob.n, prob.m
        d = _potentials(prob, sel, res)
        r, c, s = prob.exceeding((d[:n] - 1) / prob.scale, -d[n : n + m] / prob.scale)
        bad = np.rint(s * prob.scale).astype(np.int64) > d[r] - d[n + c]
        if threshold is not None:
            bad &= s >= threshold
        if prob.add(r[bad], c[bad], s[bad]) == 0:
            return np.flatnonzero(sel)[res.pairs > 0]
        prob.widenings += 1


def _max_min(prob: _Problem) -> float | None:
    """Largest t such that the free places can be filled with pairs scoring >= t.

    Binary search over the candidates' distinct scores. It is exact over all pairs once every
    pair scoring above t is a candidate (``last <= t``): a higher threshold was tested on the
    complete set of pairs above t and failed.
    """
    if prob.want.sum() == 0 or (prob.spare is not None and prob.spare >= prob.want.sum()):
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
    short = prob.want - np.bincount(prob.rows[used], minlength=prob.n)
    unserved = {prob.mentee_ids[i]: int(short[i]) for i in np.flatnonzero(short > 0)}
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
        unserved,
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
    top_n: int = 20,
    scale: int = 1_000_000,
    partial: bool = False,
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
        partial: when places are short, serve as many as the allowed pairs and the mentors'
            places allow (then the best total, or in fair mode the best minimum first) and
            report the rest in ``Assignment.unserved``, instead of raising.

    Raises:
        InfeasibleAssignment: no assignment meets the constraints; the message says why.
        InvalidProfile: malformed input (unknown or duplicate ids, bad counts).
    """
    if mode not in ("total", "fair"):
        raise InvalidProfile("mode", f"expected 'total' or 'fair', got {mode!r}")
    prob = _build(mentors, mentees, scores, conflicts, locked, forbidden, scale, partial)
    prob.fetch(max(top_n, 1))
    threshold: float | None = None
    if mode == "fair":
        if prob.spare is not None:  # fairness among the most places that can be served
            most = _max_total(prob, None)
            prob.spare = int(prob.want.sum() - len(most))
        threshold = _max_min(prob)
        lock_min = min((s for _, _, s in prob.locked), default=None)
        if threshold is not None and lock_min is not None:
            threshold = min(threshold, lock_min)
    used = _max_total(prob, threshold)
    return _result(prob, mode, used, threshold)
