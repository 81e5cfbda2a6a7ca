"""The scale benchmark's report: a table (``cells``), and ``scale.json``, ``scale.md`` (the table
and how the programs were made) and ``scale.png`` (latency and memory against mentors)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from evaluation.scale_bench import NOISE_COSINE, ScaleRow

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("mentors", "mentors", "{:,}"),
    ("items", "items", "{:,}"),
    ("index_type", "index", "{}"),
    ("build_s", "build s", "{:.1f}"),
    ("rss_mb", "RSS MB", "{:,.0f}"),
    ("rss_anon_mb", "own RSS MB", "{:,.0f}"),
    ("index_mb", "index MB", "{:,.0f}"),
    ("mapped_mb", "mapped MB", "{:,.0f}"),
    ("columns_mb", "columns MB", "{:,.1f}"),
    ("lexical_mb", "lexical MB", "{:,.1f}"),
    ("recall", "recall", "{:.3f}"),
    ("stored_p50", "stored p50", "{:.1f}"),
    ("stored_p99", "stored p99", "{:.1f}"),
    ("inline_p50", "inline p50", "{:.1f}"),
    ("inline_p99", "inline p99", "{:.1f}"),
    ("http_p50", "HTTP p50", "{:.1f}"),
    ("http_p99", "HTTP p99", "{:.1f}"),
    ("load_rps", "load req/s", "{:.0f}"),
    ("load_p99", "load p99", "{:.0f}"),
    ("load_errors", "errors", "{}"),
)
"""(field, header, format) of the results table; times in ms."""

NOTE = (
    "Synthetic programs: the sample's 320 mentors copied to N ids with their own capacity, "
    "load, hours and timezone; item vectors are the real embeddings of the sample texts "
    f"perturbed by Gaussian noise (cosine ≈ {NOISE_COSINE} to the original), not embeddings "
    "of new texts. Times in ms; stored = a stored mentee (query vectors cached), inline = a "
    "new free-text request (embedded by the model); load = concurrent clients for the set "
    "duration over HTTP, rate limits lifted. The answer cache is off: every request is "
    "computed, none is a repeat served from memory. Recall: the share of the exact "
    "search's 300 candidates the index finds for the stored mentees' queries. Memory: "
    "RSS counts pages of the mapped vectors file that search touched; own RSS leaves them "
    "out (they are the system's page cache, shared by processes and reclaimable); index "
    "MB is what the index holds in the process's memory, mapped MB the vectors read from "
    "the snapshot file."
)


def cells(row: ScaleRow) -> list[str]:
    """The row as table cells (``–`` for what was not measured)."""
    values = row.as_dict()
    out = []
    for name, _, fmt in COLUMNS:
        value = values[name]
        out.append("–" if isinstance(value, float) and np.isnan(value) else fmt.format(value))
    return out


def write_report(rows: Sequence[ScaleRow], out: Path) -> list[Path]:
    """``scale.json``, ``scale.md`` (the table and how the programs were made) and
    ``scale.png`` (latency and memory against mentors, log scales) under ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "scale.json", out / "scale.md", out / "scale.png"]
    paths[0].write_text(json.dumps([r.as_dict() for r in rows], indent=2) + "\n")
    header = [h for _, h, _ in COLUMNS]
    lines = ["# Suggestions against program size", "", NOTE, ""]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells(r)) + " |" for r in rows]
    paths[1].write_text("\n".join(lines) + "\n")
    n = [r.mentors for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for field, label in (
        ("stored_p50", "stored, in process, p50"),
        ("stored_p99", "stored, in process, p99"),
        ("inline_p99", "inline text, in process, p99"),
        ("http_p99", "stored, HTTP sequential, p99"),
    ):
        values = [getattr(r, field) for r in rows]
        if not all(np.isnan(values)):
            left.plot(n, values, marker="o", label=label)
    left.set(xscale="log", yscale="log", xlabel="mentors", ylabel="ms", title="latency")
    left.legend(fontsize=8)
    for field, label in (
        ("rss_mb", "process RSS"),
        ("rss_anon_mb", "process RSS without mapped files"),
        ("index_mb", "index (held in memory)"),
        ("mapped_mb", "vectors file (mapped)"),
        ("columns_mb", "columns"),
        ("lexical_mb", "lexical index"),
    ):
        values = [getattr(r, field) for r in rows]
        if any(v > 0 for v in values):  # nothing mapped: no line at zero on a log scale
            right.plot(n, values, marker="o", label=label)
    right.set(xscale="log", yscale="log", xlabel="mentors", ylabel="MB", title="memory")
    right.legend(fontsize=8)
    for axes in (left, right):
        axes.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(paths[2], dpi=110)
    plt.close(fig)
    return paths
