"""Markdown report with plots for ``mentor-match evaluate``.

`write_report` turns the numbers of one evaluation run (`ReportInput`) into ``report.md`` and
four PNGs under ``plots/`` (drawn by `evaluation.report_plots`). It computes no metric itself:
values, confidence intervals and ablation deltas all come from the runner. A missing part (no
curves, no ablation, no weights) gives a sentence in the report instead of a plot, so a partial
run still yields a report. Output is deterministic: the same input gives byte-identical files.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.exposure_curve import ExposurePoint, exposure_section, plot_tradeoff
from evaluation.report_methods import ABLATION_PREFIX, BASELINES, FULL, method_order
from evaluation.report_plots import (
    DASH,
    finite,
    method_colours,
    plot_ablation,
    plot_curves,
    plot_exposure,
    plot_weights,
)

__all__ = [
    "ABLATION_PREFIX",
    "BASELINES",
    "FULL",
    "PLOT_FILES",
    "ReportInput",
    "method_order",
    "write_report",
]

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

PLOT_FILES = (
    "metric_vs_k.png",
    "ablation.png",
    "exposure.png",
    "exposure_tradeoff.png",
    "weights.png",
)


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
        tradeoff: The served ranking replayed through the discovery places at each setting
            (``evaluation.exposure_curve``); ``tradeoff_method`` names the ranking.
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
    tradeoff: list[ExposurePoint] = field(default_factory=list)
    tradeoff_method: str = ""
    against_text: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    """Ranker → (its nDCG@10 minus the text match alone's, CI low, CI high), paired."""


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
    colours = method_colours(methods)
    drawn = {
        "metric_vs_k.png": plot_curves(data.curves, methods, colours, plots / "metric_vs_k.png"),
        "ablation.png": plot_ablation(data.ablation, plots / "ablation.png"),
        "exposure.png": plot_exposure(data.metrics, methods, colours, plots / "exposure.png"),
        "exposure_tradeoff.png": plot_tradeoff(data.tradeoff, plots / "exposure_tradeoff.png"),
        "weights.png": plot_weights(data.weights, plots / "weights.png"),
    }
    for name, ok in drawn.items():
        if not ok:
            (plots / name).unlink(missing_ok=True)
    lines = [
        *_header(data),
        *_results_section(data.metrics, method_order(data.metrics)),
        *_image_section("Metric against cut-off k", "metric_vs_k.png", drawn, _CURVES_TEXT),
        *_against_text_section(data.against_text),
        *_ablation_section(data.ablation, drawn["ablation.png"]),
        *_image_section("Exposure", "exposure.png", drawn, _EXPOSURE_TEXT),
        *exposure_section(data.tradeoff, data.tradeoff_method, drawn["exposure_tradeoff.png"]),
        *_weights_section(data.weights, drawn["weights.png"]),
        *_HOW_TO_READ,
    ]
    path = out / "report.md"
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
    return path


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
        f"Bold: best value in the column (lowest for Gini). {DASH}: not available. "
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
    if value is None or not finite(value):
        return DASH
    text = f"{value:.3f}"
    if best is not None and round(value, 3) == best:
        text = f"**{text}**"
    low, high = values.get(metric + _CI_LOW), values.get(metric + _CI_HIGH)
    if low is not None and high is not None and finite(low) and finite(high):
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
    rows = sorted(ablation.items(), key=lambda kv: kv[1][0] if finite(kv[1][0]) else math.inf)
    for signal, (delta, low, high) in rows:
        ci = f" [{low:.3f}, {high:.3f}]" if finite(low) and finite(high) else ""
        value = f"{delta:+.3f}{ci}" if finite(delta) else DASH
        lines.append(f"| {_escape(signal)} | {value} | {_verdict(delta, low, high)} |")
    return [*lines, "", "Δ < 0 means the signal helps.", ""]


def _against_text_section(against: Mapping[str, tuple[float, float, float]]) -> list[str]:
    """Each ranker against the text match alone (``embedding-items``); nothing when either
    was not run."""
    if not against:
        return []
    lines = [
        "## Against the text match alone",
        "",
        "nDCG@10 of each ranker minus that of `embedding-items`, paired over queries.",
        "",
        "| ranker | Δ nDCG@10 [95% CI] | reading |",
        "|---|---:|---|",
    ]
    for method, (delta, low, high) in against.items():
        ci = f" [{low:+.3f}, {high:+.3f}]" if finite(low) and finite(high) else ""
        value = f"{delta:+.3f}{ci}" if finite(delta) else DASH
        lines.append(f"| {_escape(method)} | {value} | {_standing(delta, low, high)} |")
    return [*lines, ""]


def _standing(delta: float, low: float, high: float) -> str:
    if not (finite(delta) and finite(low) and finite(high)):
        return DASH
    if low > 0:
        return "above"
    if high < 0:
        return "below"
    return "no clear difference (CI includes 0)"


def _verdict(delta: float, low: float, high: float) -> str:
    if not (finite(delta) and finite(low) and finite(high)):
        return DASH
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
    if not finite(seconds) or seconds < 0:
        return "unknown"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s"
