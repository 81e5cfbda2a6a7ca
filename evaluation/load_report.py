"""Describe a load run: a summary table, and ``load.json``, ``load.md`` and ``load.png``."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: never open a window, whatever the caller's default is

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from evaluation.load_results import (
    SUGGESTIONS_PATH,
    LoadReport,
    Sample,
    is_completed,
    is_success,
    nearest_rank,
)

REPORT_FILES = ("load.json", "load.md", "load.png")

_DASH = "–"
_DPI = 110
_MAX_POINTS = 20_000  # scatter points drawn; more only slows matplotlib down
_OK_COLOUR, _ERROR_COLOUR = "#2b7bba", "#d95f02"


def summary_rows(report: LoadReport) -> list[tuple[str, str]]:
    """(measure, value) pairs for a table: counts, throughput, latencies, parameters."""
    warm = [("warmed mentees (untimed)", f"{report.warmed:,}")] if report.warmed else []
    return [
        *warm,
        ("requests", str(report.requests)),
        ("errors", _errors_text(report)),
        ("throughput (req/s)", f"{report.throughput_rps:.1f}"),
        ("p50 (ms)", _ms(report.p50_ms)),
        ("p90 (ms)", _ms(report.p90_ms)),
        ("p99 (ms)", _ms(report.p99_ms)),
        ("max (ms)", _ms(report.max_ms)),
        ("concurrency", str(report.concurrency)),
        ("duration (s)", f"{report.duration_s:.2f}"),
    ]


def _errors_text(report: LoadReport) -> str:
    if not report.errors:
        return "0"
    share = report.errors / report.requests
    kinds = ", ".join(f"{kind}: {n}" for kind, n in report.errors_by_kind.items())
    return f"{report.errors} ({share:.1%}; {kinds})"


def _ms(value: float) -> str:
    return _DASH if math.isnan(value) else f"{value:.1f}"


def write_report(report: LoadReport, out: Path) -> list[Path]:
    """Write ``load.json`` (summary), ``load.md`` (table) and ``load.png`` (plot) under ``out``.

    Args:
        report: The run to describe.
        out: Folder to write into; created if missing.

    Returns:
        The paths written, in the order of `REPORT_FILES`.
    """
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path, png_path = (out / name for name in REPORT_FILES)
    json_path.write_text(json.dumps(report.summary(), indent=2) + "\n", encoding="utf-8")
    md_path.write_text(_markdown(report, png_path.name), encoding="utf-8")
    _plot(report, png_path)
    return [json_path, md_path, png_path]


def _markdown(report: LoadReport, plot_name: str) -> str:
    completed = sum(is_completed(s.status) for s in report.samples)
    lines = [
        "# Load test: suggestions",
        "",
        f"`POST {SUGGESTIONS_PATH}` at `{report.url}` with `k={report.k}`, "
        f"`concurrency={report.concurrency}`, `duration={report.target_duration_s:g} s`. "
        "Closed loop: each client sends its next request when the previous answer arrives.",
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in summary_rows(report)),
        f"| mean (ms) | {_ms(report.mean_ms)} |",
        "",
        f"Latencies are nearest-rank percentiles over the {completed} requests that got an "
        "HTTP answer (any status); transport errors such as timeouts are counted as errors "
        "but left out of the latencies. Throughput counts successful requests only.",
        "",
        f"![Latency and throughput over time]({plot_name})",
        "",
    ]
    return "\n".join(lines)


def _plot(report: LoadReport, path: Path) -> None:
    fig, (latency_ax, rate_ax) = plt.subplots(
        2, 1, figsize=(10, 7), sharex=True, height_ratios=(2, 1), layout="constrained"
    )
    try:
        _plot_latency(latency_ax, report)
        _plot_throughput(rate_ax, report)
        fig.suptitle(f"{report.url}: concurrency {report.concurrency}, k={report.k}")
        fig.savefig(path, dpi=_DPI)
    finally:
        plt.close(fig)


def _plot_latency(ax: Axes, report: LoadReport) -> None:
    completed = [s for s in report.samples if is_completed(s.status)]
    shown = completed[:: max(1, math.ceil(len(completed) / _MAX_POINTS))]
    ok = [s for s in shown if is_success(s.status)]
    bad = [s for s in shown if not is_success(s.status)]
    ax.scatter([s.t_s for s in ok], [s.latency_ms for s in ok], s=4, alpha=0.3, c=_OK_COLOUR)
    if bad:
        ax.scatter(
            [s.t_s for s in bad], [s.latency_ms for s in bad], s=8, c=_ERROR_COLOUR, label="error"
        )
    centres, p50, p99 = _rolling_percentiles(completed, _window_s(report.target_duration_s))
    ax.plot(centres, p50, color="black", label="rolling p50")
    ax.plot(centres, p99, color="black", linestyle="--", label="rolling p99")
    ax.set_ylabel("latency (ms)")
    ax.set_ylim(bottom=0)
    ax.set_title("Latency of each request, by the time it was sent")
    if completed:
        ax.legend(loc="upper right")
    else:
        ax.text(0.5, 0.5, "no request got an answer", ha="center", transform=ax.transAxes)


def _window_s(duration_s: float) -> float:
    """Rolling-window width: 1 s, or less for short runs so the line has ~10 points."""
    return min(1.0, max(duration_s / 10, 0.05))


def _rolling_percentiles(
    samples: Sequence[Sample], window_s: float
) -> tuple[list[float], list[float], list[float]]:
    """Window centres and nearest-rank p50 and p99 of latencies sent in each window."""
    windows: dict[int, list[float]] = {}
    for s in samples:
        windows.setdefault(int(s.t_s // window_s), []).append(s.latency_ms)
    centres, p50, p99 = [], [], []
    for index in sorted(windows):
        values = sorted(windows[index])
        centres.append((index + 0.5) * window_s)
        p50.append(nearest_rank(values, 50))
        p99.append(nearest_rank(values, 99))
    return centres, p50, p99


def _plot_throughput(ax: Axes, report: LoadReport) -> None:
    """Answers per second, by the second they arrived; errors stacked on successes.

    Answers to requests still in flight at the deadline are counted in the last second.
    """
    seconds = max(1, math.ceil(report.target_duration_s))
    ok, bad = [0] * seconds, [0] * seconds
    for s in report.samples:
        second = min(seconds - 1, int(s.t_s + s.latency_ms / 1000.0))
        (ok if is_success(s.status) else bad)[second] += 1
    left = list(range(seconds))
    ax.bar(left, ok, width=0.9, align="edge", color=_OK_COLOUR, label="successful")
    ax.bar(left, bad, width=0.9, align="edge", bottom=ok, color=_ERROR_COLOUR, label="errors")
    ax.set_xlabel("seconds since the start of the run")
    ax.set_ylabel("requests / s")
    ax.set_title("Throughput per second")
    ax.legend(loc="lower right")
