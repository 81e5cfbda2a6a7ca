"""The four PNG plots of the evaluation report (see `evaluation.report.write_report`).

Each ``plot_*`` function draws one file and returns whether it had data to draw. Output is
deterministic: no version stamp is written into the PNGs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: never open a window, whatever the caller's default is

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.typing import RcKeyType

from evaluation.report_methods import ABLATION_PREFIX, FULL

DASH = "–"
"""Shown in place of a missing or non-finite value."""
_DPI = 110  # 10-inch-wide figures -> 1100 px, readable when shown 1000 px wide
_RC: dict[RcKeyType, float | bool] = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_HELPS, _HURTS, _NEUTRAL = "#2b7bba", "#d95f02", "#9e9e9e"


def finite(value: float | None) -> bool:
    """Whether ``value`` is a number other than NaN or infinity."""
    return value is not None and math.isfinite(value)


def method_colours(methods: list[str]) -> dict[str, str]:
    """One colour per non-ablation method, kept the same across plots; ablations are grey."""
    palette = [f"C{i}" for i in range(10)]
    main = [m for m in methods if not m.startswith(ABLATION_PREFIX)]
    colours = {m: palette[i % len(palette)] for i, m in enumerate(main)}
    return colours | {m: _NEUTRAL for m in methods if m.startswith(ABLATION_PREFIX)}


@contextmanager
def figure(path: Path, height: float, ncols: int = 1) -> Iterator[list[Axes]]:
    """Yield ``ncols`` side-by-side axes 10 inches wide; save to ``path`` and close on exit."""
    with plt.rc_context(_RC):
        fig, axes = plt.subplots(
            1, ncols, figsize=(10, height), layout="constrained", squeeze=False
        )
        try:
            yield list(axes[0])
            fig.savefig(path, dpi=_DPI, metadata={"Software": None})  # no version stamp
        finally:
            plt.close(fig)


def _hbars(
    ax: Axes,
    labels: list[str],
    values: list[float],
    colours: list[str],
    errors: tuple[list[float], list[float]] | None = None,
    fmt: str = "{:.3f}",
) -> None:
    """Horizontal bars, first label on top, each value written just beyond its bar's end."""
    n = len(values)
    y = [n - 1 - i for i in range(n)]
    lower, upper = errors if errors else ([0.0] * n, [0.0] * n)
    ax.barh(y, [v if finite(v) else 0.0 for v in values], color=colours, height=0.6,
            xerr=[lower, upper] if errors else None, capsize=4, ecolor="#333333")  # fmt: skip
    ax.set_yticks(y, labels)
    ax.grid(axis="x", alpha=0.3)
    ends = [v + up if v >= 0 else v - lo for v, lo, up in zip(values, lower, upper, strict=True)]
    for yi, v, end in zip(y, values, ends, strict=True):
        text, right = (fmt.format(v), end >= 0) if finite(v) else (DASH, True)
        ax.annotate(text, (end if finite(end) else 0.0, yi), xytext=(5 if right else -5, 0),
                    textcoords="offset points", va="center", ha="left" if right else "right",
                    fontsize=10)  # fmt: skip
    shown = [e for e in ends if finite(e)]
    low, high = min([0.0, *shown]), max([0.0, *shown])
    pad = 0.18 * ((high - low) or 1.0)  # room for the value labels
    ax.set_xlim(low - pad if low < 0 else 0.0, high + pad)


def plot_curves(
    curves: Mapping[str, Mapping[int, Mapping[str, float]]],
    methods: list[str],
    colours: Mapping[str, str],
    path: Path,
) -> bool:
    shown = [m for m in methods if curves.get(m) and not m.startswith(ABLATION_PREFIX)]
    ks = sorted({k for m in shown for k in curves[m] if k > 0})
    if not ks:
        return False
    ncol = max(1, min(len(shown), 5, 110 // (max(map(len, shown)) + 6)))  # legend fits 10 in
    with figure(path, 4.2 + 0.3 * math.ceil(len(shown) / ncol), ncols=2) as axes:
        for ax, key, label in zip(axes, ("ndcg", "recall"), ("nDCG@k", "recall@k"), strict=True):
            for m in shown:
                points = sorted((k, v.get(key, math.nan)) for k, v in curves[m].items() if k > 0)
                ax.plot([k for k, _ in points], [v for _, v in points], marker="o", markersize=4,
                        linewidth=2.8 if m == FULL else 1.6, color=colours[m], label=m,
                        linestyle="--" if m in ("random", "popularity") else "-")  # fmt: skip
            ax.set_xscale("log")
            ax.set_xticks(ks, [str(k) for k in ks])
            ax.minorticks_off()
            ax.set_ylim(bottom=0)
            ax.set(xlabel="k (list length, log scale)", ylabel=label, title=f"{label} against k")
            ax.grid(alpha=0.3)
        handles, labels = axes[0].get_legend_handles_labels()
        axes[0].figure.legend(handles, labels, loc="outside lower center", ncol=ncol)
    return True


def plot_ablation(ablation: Mapping[str, tuple[float, float, float]], path: Path) -> bool:
    rows = sorted(((s, v) for s, v in ablation.items() if finite(v[0])), key=lambda r: r[1][0])
    if not rows:
        return False
    deltas = [d for _, (d, _, _) in rows]
    lower = [max(d - lo, 0.0) if finite(lo) else 0.0 for _, (d, lo, _) in rows]
    upper = [max(hi - d, 0.0) if finite(hi) else 0.0 for _, (d, _, hi) in rows]
    with figure(path, 1.8 + 0.5 * len(rows)) as (ax,):
        colours = [_HELPS if d < 0 else _HURTS for d in deltas]
        labels = [f"removing {s}" for s, _ in rows]
        _hbars(ax, labels, deltas, colours, (lower, upper), fmt="{:+.3f}")
        ax.axvline(0, color="black", linewidth=1)
        ax.set_xlabel("Δ nDCG@10 = (full ranker without the signal) − (full ranker), 95% CI")
        ax.set_title("Ablation, most helpful signal on top: Δ < 0 means the signal helps")
        helps, hurts = Patch(color=_HELPS, label="signal helps"), Patch(color=_HURTS, label="hurts")
        ax.figure.legend(handles=[helps, hurts], loc="outside lower center", ncol=2)
    return True


def plot_exposure(
    metrics: Mapping[str, Mapping[str, float]],
    methods: list[str],
    colours: Mapping[str, str],
    path: Path,
) -> bool:
    panels = (
        ("coverage@10", "catalogue coverage@10\n(higher = more mentors suggested)"),
        ("gini@10", "exposure Gini@10\n(lower = more even exposure)"),
    )
    shown = [m for m in methods if any(finite(metrics.get(m, {}).get(key)) for key, _ in panels)]
    if not shown:
        return False
    with figure(path, 1.8 + 0.42 * len(shown), ncols=2) as axes:
        for ax, (key, title) in zip(axes, panels, strict=True):
            values = [metrics.get(m, {}).get(key, math.nan) for m in shown]
            _hbars(ax, shown, values, [colours[m] for m in shown])
            ax.set_title(title)
        axes[1].tick_params(labelleft=False)  # same rows as the left panel
    return True


def plot_weights(weights: Mapping[str, float], path: Path) -> bool:
    rows = sorted(((s, w) for s, w in weights.items() if finite(w)), key=lambda r: -r[1])
    if not rows:
        return False
    values = [w for _, w in rows]
    with figure(path, 1.6 + 0.45 * len(rows)) as (ax,):
        _hbars(ax, [s for s, _ in rows], values, [_HELPS if w >= 0 else _HURTS for w in values])
        ax.axvline(0, color="black", linewidth=1)
        ax.set(xlabel="weight in the full ranker", title="Full ranker: weight per signal")
    return True
