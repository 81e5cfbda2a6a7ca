"""The exposure trade-off: the served ranking replayed through the discovery places at
several settings, nDCG@10 against exposure Gini@10 (``recommender.ranking.exposure``).

The test queries are replayed in date order (then by id) through one ledger, as a live
service would meet them: each list's discovery places go to the best candidates within
the first ``depth`` of the ranking whose share of appearances so far is at most ``factor``
times their share of the free places; the list then counts in the ledger. Each setting
gives one point; the product's default is marked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from evaluation.metrics import coverage, gini, per_query
from evaluation.report_plots import figure
from evaluation.trec import Qrels, Run
from recommender.ranking.exposure import ExposureLedger, ExposurePolicy, with_discovery
from recommender.settings import Settings

__all__ = ["ExposurePoint", "exposure_curve", "exposure_section", "plot_tradeoff"]

K = 10
SHARES = (0.0, 0.1, 0.2, 0.3)
FACTORS = (1.0, 3.0)
DEPTHS = (30, 100)


@dataclass(frozen=True)
class ExposurePoint:
    """One setting's replay: its nDCG@10, Gini@10 and coverage@10."""

    share: float
    factor: float
    depth: int
    ndcg: float
    gini: float
    coverage: float
    default: bool = False

    @property
    def label(self) -> str:
        if self.share == 0:
            return "off"
        return f"{self.share:g}·k, factor {self.factor:g}, depth {self.depth}"


def replay(
    run: Run,
    order: Sequence[str],
    fair: Mapping[str, float],
    policy: ExposurePolicy,
    dates: Mapping[str, date],
    half_life_days: float,
) -> Run:
    """``run`` with each query's top ``K`` re-ordered by the discovery places, the queries
    met in ``order`` through one ledger (a query without a date comes a minute after the
    one before)."""
    ledger = ExposureLedger(half_life_days)
    out: Run = {}
    at = datetime(2000, 1, 1, tzinfo=UTC)
    for qid in order:
        found = run.get(qid, {})
        ids = sorted(found, key=lambda d: (-found[d], d))
        day = dates.get(qid)
        at = datetime.combine(day, time(12), tzinfo=UTC) if day else at + timedelta(minutes=1)
        exposure = ledger.shares(ids, leave_out=qid)
        shares = np.array([fair.get(d, 0.0) for d in ids])
        new = with_discovery(list(range(len(ids))), exposure, shares, K, policy)
        ledger.record(qid, [ids[i] for i in new[:K]], at)
        out[qid] = {ids[i]: float(len(new) - rank) for rank, i in enumerate(new)}
    return out


def exposure_curve(
    run: Run,
    qrels: Qrels,
    catalogue: Sequence[str],
    fair: Mapping[str, float],
    dates: Mapping[str, date],
) -> list[ExposurePoint]:
    """Every setting of ``SHARES`` × ``FACTORS`` × ``DEPTHS`` replayed (share 0 once: the
    ranking as it is), the product's default marked."""
    settings = Settings()
    default = (settings.exposure_share, settings.exposure_factor, settings.exposure_depth)
    order = sorted(run, key=lambda q: (dates.get(q, date.min), q))
    grid = [(0.0, 1.0, DEPTHS[0])]
    grid += [(s, f, d) for s in SHARES if s > 0 for f in FACTORS for d in DEPTHS]
    if default not in grid:
        grid.append(default)
    points = []
    for share, factor, depth in grid:
        policy = ExposurePolicy(share, factor, depth)
        replayed = replay(run, order, fair, policy, dates, settings.exposure_half_life_days)
        ndcg = per_query(replayed, qrels, ["ndcg@10"])["ndcg@10"]
        points.append(
            ExposurePoint(
                share,
                factor,
                depth,
                float(np.mean(list(ndcg.values()))) if ndcg else float("nan"),
                gini(replayed, K, catalogue),
                coverage(replayed, K, len(catalogue)),
                (share, factor, depth) == default,
            )
        )
    return points


def plot_tradeoff(points: Sequence[ExposurePoint], path: Path) -> bool:
    """nDCG@10 against Gini@10, one dot per setting, the default ringed."""
    if not points:
        return False
    with figure(path, 4.2) as (ax,):
        for share in sorted({p.share for p in points}):
            own = [p for p in points if p.share == share]
            label = "off" if share == 0 else f"{share:g}·k discovery places"
            ax.scatter([p.gini for p in own], [p.ndcg for p in own], label=label, s=28)
        for p in points:
            if p.default:
                ax.scatter([p.gini], [p.ndcg], s=160, facecolors="none", edgecolors="black")
                ax.annotate("default", (p.gini, p.ndcg), textcoords="offset points", xytext=(12, 8))
        ax.set(xlabel="exposure Gini@10 (lower = more even)", ylabel="nDCG@10")
        ax.set_title("Exposure control: ranking quality against evenness")
        ax.legend(fontsize=8)
    return True


def exposure_section(points: Sequence[ExposurePoint], method: str, drawn: bool) -> list[str]:
    """The report's section: the plot and a table, the loss and gain read against off."""
    lines = ["## Exposure control: the trade-off", ""]
    if not points:
        return [*lines, "No engine ranking was run, so nothing was replayed.", ""]
    off = next(p for p in points if p.share == 0)
    lines += [
        f"The `{method}` ranking replayed in date order through the discovery places "
        "(`recommender/ranking/exposure.py`) at each setting; the default is marked.",
        "",
    ]
    if drawn:
        lines += ["![Exposure trade-off](plots/exposure_tradeoff.png)", ""]
    lines += [
        "| setting | nDCG@10 | Δ | Gini@10 | coverage@10 | × coverage |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for p in sorted(points, key=lambda p: (p.share, p.factor, p.depth)):
        name = f"**{p.label} (default)**" if p.default else p.label
        ratio = p.coverage / off.coverage if off.coverage else float("nan")
        lines.append(
            f"| {name} | {p.ndcg:.3f} | {p.ndcg - off.ndcg:+.3f} | {p.gini:.3f} | "
            f"{p.coverage:.3f} | {ratio:.2f} |"
        )
    return [*lines, ""]
