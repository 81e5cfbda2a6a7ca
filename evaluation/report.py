"""Markdown report with plots for ``mentor-match evaluate``.

`write_report` turns the numbers of one evaluation run (`ReportInput`) into ``report.md`` and
four PNGs under ``plots/``. It computes no metric itself: values, confidence intervals and
ablation deltas all come from the runner. A missing part (no curves, no ablation, no weights)
gives a sentence in the report instead of a plot, so a partial run still yields a report.
Output is deterministic: the same input gives byte-identical files.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: never open a window, whatever the caller's default is

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.typing import RcKeyType

BASELINES = ("random", "popularity", "tfidf", "bm25", "embedding", "embedding-items")
"""Baseline methods, in the order they are listed in the report."""
FULL = "full"
ABLATION_PREFIX = "full-"
"""Methods named ``full-<signal>`` are the full ranker without one signal."""

_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ndcg@5", "nDCG@5"),
    ("ndcg@10", "nDCG@10"),
    ("recall@10", "recall@10"),
    ("recall@50", "recall@50"),
    ("mrr", "MRR"),
    ("map", "MAP"),
    ("coverage@10", "catalogue coverage@10"),
    ("gini@10", "exposure Gini@10"),
)
_CI_LOW, _CI_HIGH = "_ci_low", "_ci_high"
_LOWER_IS_BETTER = ("gini",)  # metric-name prefixes where the smallest value is the best
_DASH = "–"
_DPI = 110  # 10-inch-wide figures -> 1100 px, readable when shown 1000 px wide
_RC: dict[RcKeyType, float | bool] = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_HELPS, _HURTS, _NEUTRAL = "#2b7bba", "#d95f02", "#9e9e9e"

PLOT_FILES = ("metric_vs_k.png", "ablation.png", "exposure.png", "weights.png")


@dataclass(frozen=True)
class ReportInput:
    """Everything one evaluation run reports; plain dicts so the runner needs no adapters.

    Attributes:
        dataset: Data set name (its folder name).
        n_queries: Number of evaluated queries (mentees).
        n_mentors: Number of mentors in the catalogue.
        metrics: Method -> metric -> value, e.g. ``"ndcg@10"``, ``"ndcg@10_ci_low"``,
            ``"coverage@10"``. A metric ``m`` with ``m_ci_low`` and ``m_ci_high`` is shown
            with its confidence interval.
        curves: Method -> cut-off k -> ``{"ndcg": v, "recall": v}``.
        ablation: Signal -> (Δ nDCG@10 of the full ranker without the signal minus the full
            ranker, CI low, CI high). Negative means the signal helps.
        weights: The full ranker's weight per signal.
        notes: Free sentences (how weights were learned, split, command, run time).
        seconds: Total run time in seconds.
    """

    dataset: str
    n_queries: int
    n_mentors: int
    metrics: dict[str, dict[str, float]]
    curves: dict[str, dict[int, dict[str, float]]]
    ablation: dict[str, tuple[float, float, float]]
    weights: dict[str, float]
    notes: list[str]
    seconds: float


def write_report(out: Path, data: ReportInput) -> Path:
    """Write ``out/report.md`` and its plots in ``out/plots/``.

    A plot whose data is missing is not drawn, and a stale PNG of that name left by an
    earlier run is deleted so the folder never shows numbers from another run.

    Args:
        out: Output folder; created if absent.
        data: The numbers to report.

    Returns:
        The path of the Markdown report.
    """
    plots = out / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    methods = method_order(set(data.metrics) | set(data.curves))
    colours = _method_colours(methods)
    drawn = {
        "metric_vs_k.png": _plot_curves(data.curves, methods, colours, plots / "metric_vs_k.png"),
        "ablation.png": _plot_ablation(data.ablation, plots / "ablation.png"),
        "exposure.png": _plot_exposure(data.metrics, methods, colours, plots / "exposure.png"),
        "weights.png": _plot_weights(data.weights, plots / "weights.png"),
    }
    for name, ok in drawn.items():
        if not ok:
            (plots / name).unlink(missing_ok=True)
    lines = [
        *_header(data),
        *_results_section(data.metrics, method_order(data.metrics)),
        *_image_section("Metric against cut-off k", "metric_vs_k.png", drawn, _CURVES_TEXT),
        *_ablation_section(data.ablation, drawn["ablation.png"]),
        *_image_section("Exposure", "exposure.png", drawn, _EXPOSURE_TEXT),
        *_weights_section(data.weights, drawn["weights.png"]),
        *_HOW_TO_READ,
    ]
    path = out / "report.md"
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
    return path


def method_order(methods: Iterable[str]) -> list[str]:
    """Sort methods: baselines, then ``full``, then ``full-*`` ablations, then the rest.

    Args:
        methods: Method names, in any order.

    Returns:
        The names in report order; within the last two groups alphabetically.
    """

    def key(name: str) -> tuple[int, int, str]:
        if name in BASELINES:
            return (0, BASELINES.index(name), "")
        if name == FULL:
            return (1, 0, "")
        return (2 if name.startswith(ABLATION_PREFIX) else 3, 0, name)

    return sorted(set(methods), key=key)


# --- Markdown ---------------------------------------------------------------------------------


def _header(data: ReportInput) -> list[str]:
    lines = [
        f"# Evaluation report: {_escape(data.dataset)}",
        "",
        f"**{data.n_queries:,} queries · {data.n_mentors:,} mentors · "
        f"run time {_duration(data.seconds)}**",
        "",
    ]
    if data.notes:
        lines += [*(f"- {_escape(note)}" for note in data.notes), ""]
    return lines


def _results_section(metrics: Mapping[str, Mapping[str, float]], methods: list[str]) -> list[str]:
    lines = ["## Results", ""]
    columns = _columns(metrics)
    if not methods or not columns:
        return [*lines, "No metrics were supplied.", ""]
    labels = [label + (" [95% CI]" if _has_ci(metrics, m) else "") for m, label in columns]
    lines += ["| method | " + " | ".join(labels) + " |", "|---" + "|---:" * len(columns) + "|"]
    best = {
        metric: _best(metric, (metrics[m].get(metric) for m in methods)) for metric, _ in columns
    }
    for method in methods:
        cells = [_cell(metrics[method], metric, best[metric]) for metric, _ in columns]
        lines.append(f"| {_escape(method)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Bold: best value in the column (lowest for Gini). {_DASH}: not available. "
        "Rows: baselines, the full ranker, then the full ranker without one signal.",
        "",
    ]
    return lines


def _columns(metrics: Mapping[str, Mapping[str, float]]) -> list[tuple[str, str]]:
    present = {m for values in metrics.values() for m in values}
    known = [(m, label) for m, label in _COLUMNS if m in present]
    names = {m for m, _ in _COLUMNS}
    extra = sorted(
        m
        for m in present
        if m not in names and not m.endswith(_CI_LOW) and not m.endswith(_CI_HIGH)
    )
    return known + [(m, m) for m in extra]


def _has_ci(metrics: Mapping[str, Mapping[str, float]], metric: str) -> bool:
    return any(metric + _CI_LOW in v and metric + _CI_HIGH in v for v in metrics.values())


def _best(metric: str, values: Iterable[float | None]) -> float | None:
    finite = [round(v, 3) for v in values if v is not None and math.isfinite(v)]  # as shown
    if len(set(finite)) < 2:  # nothing to single out when every method ties
        return None
    return min(finite) if metric.startswith(_LOWER_IS_BETTER) else max(finite)


def _cell(values: Mapping[str, float], metric: str, best: float | None) -> str:
    value = values.get(metric)
    if value is None or not _finite(value):
        return _DASH
    text = f"{value:.3f}"
    if best is not None and round(value, 3) == best:
        text = f"**{text}**"
    low, high = values.get(metric + _CI_LOW), values.get(metric + _CI_HIGH)
    if low is not None and high is not None and _finite(low) and _finite(high):
        text += f" [{low:.2f}, {high:.2f}]"
    return text


def _image_section(title: str, name: str, drawn: Mapping[str, bool], text: str) -> list[str]:
    body = f"![{title}](plots/{name})\n\n{text}" if drawn[name] else _MISSING[name]
    return [f"## {title}", "", body, ""]


def _ablation_section(ablation: Mapping[str, tuple[float, float, float]], drawn: bool) -> list[str]:
    lines = ["## Ablation: removing one signal at a time", ""]
    if not ablation:
        return [*lines, _MISSING["ablation.png"], ""]
    if drawn:
        lines += ["![Ablation](plots/ablation.png)", ""]
    lines += ["| signal removed | Δ nDCG@10 [95% CI] | reading |", "|---|---:|---|"]
    rows = sorted(ablation.items(), key=lambda kv: kv[1][0] if _finite(kv[1][0]) else math.inf)
    for signal, (delta, low, high) in rows:
        ci = f" [{low:.3f}, {high:.3f}]" if _finite(low) and _finite(high) else ""
        value = f"{delta:+.3f}{ci}" if _finite(delta) else _DASH
        lines.append(f"| {_escape(signal)} | {value} | {_verdict(delta, low, high)} |")
    return [*lines, "", "Δ < 0 means the signal helps.", ""]


def _verdict(delta: float, low: float, high: float) -> str:
    if not (_finite(delta) and _finite(low) and _finite(high)):
        return _DASH
    if high < 0:
        return "helps"
    if low > 0:
        return "hurts"
    return "no clear effect (CI includes 0)"


def _weights_section(weights: Mapping[str, float], drawn: bool) -> list[str]:
    lines = ["## Full ranker weights", ""]
    if not weights:
        return [*lines, _MISSING["weights.png"], ""]
    listed = ", ".join(f"{_escape(s)} {w:.3f}" for s, w in sorted(weights.items()))
    image = "![Full ranker weights](plots/weights.png)\n\n" if drawn else ""
    return [*lines, f"{image}Weights: {listed}.", ""]


_CURVES_TEXT = (
    "One line per method (ablations left out). Higher is better; a line that stays above "
    "another for every k wins regardless of the shortlist length."
)
_EXPOSURE_TEXT = (
    "Left: share of mentors that appear in at least one top-10 list (higher = more mentors "
    "get suggested). Right: Gini of how often each mentor appears in top-10 lists "
    "(0 = everyone equally often, 1 = all suggestions go to one mentor)."
)
_MISSING = {
    "metric_vs_k.png": "No per-k curves were supplied, so this plot is omitted.",
    "ablation.png": "No ablation results were supplied, so this section is empty.",
    "exposure.png": "No coverage@10 or gini@10 values were supplied, so this plot is omitted.",
    "weights.png": "No ranker weights were supplied, so this section is empty.",
}
_HOW_TO_READ = [
    "## How to read this",
    "",
    "- **nDCG@10**: quality of the top-10 suggestions, 0 to 1. A relevant mentor counts more "
    "near the top of the list; 1 means the best possible order.",
    "- **recall@k**: share of each trainee's relevant mentors found in the top k; averaged "
    "over trainees.",
    "- **MRR / MAP**: how high the first relevant mentor is ranked / precision averaged over "
    "the positions of all relevant mentors.",
    "- **catalogue coverage@10**: share of all mentors suggested to at least one trainee in "
    "a top-10 list. Low coverage means a few mentors receive all requests.",
    "- **exposure Gini@10**: inequality of top-10 appearances across mentors; lower is fairer.",
    "- Intervals in brackets are 95% bootstrap confidence intervals over queries: the range "
    "the value stays in for 95% of resamples of the trainees. When two methods' intervals "
    "overlap a lot, their difference may be noise.",
    "- Ablation: Δ is nDCG@10 of the full ranker without one signal minus nDCG@10 of the full "
    "ranker. Δ < 0 means the signal helps.",
    "",
]


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _duration(seconds: float) -> str:
    if not _finite(seconds) or seconds < 0:
        return "unknown"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s"


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


# --- Plots ------------------------------------------------------------------------------------


def _method_colours(methods: list[str]) -> dict[str, str]:
    """One colour per non-ablation method, kept the same across plots; ablations are grey."""
    palette = [f"C{i}" for i in range(10)]
    main = [m for m in methods if not m.startswith(ABLATION_PREFIX)]
    colours = {m: palette[i % len(palette)] for i, m in enumerate(main)}
    return colours | {m: _NEUTRAL for m in methods if m.startswith(ABLATION_PREFIX)}


@contextmanager
def _figure(path: Path, height: float, ncols: int = 1) -> Iterator[list[Axes]]:
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
    ax.barh(y, [v if _finite(v) else 0.0 for v in values], color=colours, height=0.6,
            xerr=[lower, upper] if errors else None, capsize=4, ecolor="#333333")  # fmt: skip
    ax.set_yticks(y, labels)
    ax.grid(axis="x", alpha=0.3)
    ends = [v + up if v >= 0 else v - lo for v, lo, up in zip(values, lower, upper, strict=True)]
    for yi, v, end in zip(y, values, ends, strict=True):
        text, right = (fmt.format(v), end >= 0) if _finite(v) else (_DASH, True)
        ax.annotate(text, (end if _finite(end) else 0.0, yi), xytext=(5 if right else -5, 0),
                    textcoords="offset points", va="center", ha="left" if right else "right",
                    fontsize=10)  # fmt: skip
    finite = [e for e in ends if _finite(e)]
    low, high = min([0.0, *finite]), max([0.0, *finite])
    pad = 0.18 * ((high - low) or 1.0)  # room for the value labels
    ax.set_xlim(low - pad if low < 0 else 0.0, high + pad)


def _plot_curves(
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
    with _figure(path, 4.2 + 0.3 * math.ceil(len(shown) / ncol), ncols=2) as axes:
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


def _plot_ablation(ablation: Mapping[str, tuple[float, float, float]], path: Path) -> bool:
    rows = sorted(((s, v) for s, v in ablation.items() if _finite(v[0])), key=lambda r: r[1][0])
    if not rows:
        return False
    deltas = [d for _, (d, _, _) in rows]
    lower = [max(d - lo, 0.0) if _finite(lo) else 0.0 for _, (d, lo, _) in rows]
    upper = [max(hi - d, 0.0) if _finite(hi) else 0.0 for _, (d, _, hi) in rows]
    with _figure(path, 1.8 + 0.5 * len(rows)) as (ax,):
        colours = [_HELPS if d < 0 else _HURTS for d in deltas]
        labels = [f"removing {s}" for s, _ in rows]
        _hbars(ax, labels, deltas, colours, (lower, upper), fmt="{:+.3f}")
        ax.axvline(0, color="black", linewidth=1)
        ax.set_xlabel("Δ nDCG@10 = (full ranker without the signal) − (full ranker), 95% CI")
        ax.set_title("Ablation, most helpful signal on top: Δ < 0 means the signal helps")
        helps, hurts = Patch(color=_HELPS, label="signal helps"), Patch(color=_HURTS, label="hurts")
        ax.figure.legend(handles=[helps, hurts], loc="outside lower center", ncol=2)
    return True


def _plot_exposure(
    metrics: Mapping[str, Mapping[str, float]],
    methods: list[str],
    colours: Mapping[str, str],
    path: Path,
) -> bool:
    panels = (
        ("coverage@10", "catalogue coverage@10\n(higher = more mentors suggested)"),
        ("gini@10", "exposure Gini@10\n(lower = more even exposure)"),
    )
    shown = [m for m in methods if any(_finite(metrics.get(m, {}).get(key)) for key, _ in panels)]
    if not shown:
        return False
    with _figure(path, 1.8 + 0.42 * len(shown), ncols=2) as axes:
        for ax, (key, title) in zip(axes, panels, strict=True):
            values = [metrics.get(m, {}).get(key, math.nan) for m in shown]
            _hbars(ax, shown, values, [colours[m] for m in shown])
            ax.set_title(title)
        axes[1].tick_params(labelleft=False)  # same rows as the left panel
    return True


def _plot_weights(weights: Mapping[str, float], path: Path) -> bool:
    rows = sorted(((s, w) for s, w in weights.items() if _finite(w)), key=lambda r: -r[1])
    if not rows:
        return False
    values = [w for _, w in rows]
    with _figure(path, 1.6 + 0.45 * len(rows)) as (ax,):
        _hbars(ax, [s for s, _ in rows], values, [_HELPS if w >= 0 else _HURTS for w in values])
        ax.axvline(0, color="black", linewidth=1)
        ax.set(xlabel="weight in the full ranker", title="Full ranker: weight per signal")
    return True
