"""``mentor-match text-study``'s results (``TextStudy``, a ``Row`` per method) and how they
are written: ``text-study.md`` (the table and what was chosen), ``text-study.json`` (every
number) and ``text-study.png`` (train/ against test nDCG@10 per method, with CIs)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: never open a window, whatever the caller's default is

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch
from matplotlib.typing import RcKeyType


@dataclass
class Row:
    """One method's numbers (nDCG@10 mean and 95% bootstrap CI, per part)."""

    name: str
    about: str
    train: float
    train_ci: tuple[float, float]
    test: float
    test_ci: tuple[float, float]


@dataclass
class TextStudy:
    """What the study found (also written to ``out``)."""

    chosen: str
    rows: list[Row]
    per_query: dict[str, dict[str, dict[str, float]]]  # part -> method -> query -> nDCG@10
    sizes: dict[str, dict[str, int]]  # part -> mentors, items, queries
    seconds: float
    metric: str  # the measure compared, e.g. "ndcg@10"
    generic_kinds: tuple[str, ...]  # the mentor item kinds counted as generic
    notes: list[str] = field(default_factory=list)


# -- writing --------------------------------------------------------------------------------


def _cell(value: float, ci: tuple[float, float] | None = None) -> str:
    text = f"{value:.3f}"
    return f"{text} [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else text


def runner_up(study: TextStudy) -> Row | None:
    """The best other method on train/ (None when only one method was compared)."""
    others = [r for r in study.rows if r.name != study.chosen]
    return max(others, key=lambda r: r.train) if others else None


def _margin(study: TextStudy) -> str:
    chosen = next(r for r in study.rows if r.name == study.chosen)
    second = runner_up(study)
    if second is None:
        return ""
    return (
        f" The next best on train/ is {second.name} ({second.train:.4f} against "
        f"{chosen.train:.4f}, {chosen.train - second.train:+.4f})."
    )


def write_study(out: Path, study: TextStudy, dataset_dir: Path) -> None:
    """``text-study.md`` (the table), ``text-study.json`` (every number), ``text-study.png``."""
    out.mkdir(parents=True, exist_ok=True)
    chosen = next(r for r in study.rows if r.name == study.chosen)
    train, test = study.sizes["train"], study.sizes["test"]
    lines = [
        "# Text study: pooling item matches into one text score per mentor",
        "",
        f"Data set `{dataset_dir.name}`: train/ {train['mentors']} mentors "
        f"({train['items']} items), {train['queries']} judged queries; test "
        f"{test['mentors']} mentors ({test['items']} items), {test['queries']} judged queries. "
        f"Every mentor is scored per query (the 100 best ranked, conflicts never); nDCG@10, "
        "test with a 95% bootstrap CI.",
        "",
        "The method is chosen on **train/ only** (best train nDCG@10, ties to the earlier row); "
        "the test column is shown beside it and takes no part in the choice. Generic items are "
        f"a mentor's items of kind {' and '.join(study.generic_kinds)} (short: a field, a tag).",
        "",
        "| method | what it does | nDCG@10 train | nDCG@10 test [95% CI] |",
        "|---|---|---:|---:|",
    ]
    for r in study.rows:
        cells = [r.name, r.about, _cell(r.train), _cell(r.test, r.test_ci)]
        if r.name == study.chosen:
            cells = [f"**{c}**" for c in cells]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += [
        "",
        f"Chosen on train/: **{chosen.name}** (nDCG@10 {chosen.train:.3f} on train/; "
        f"{_cell(chosen.test, chosen.test_ci)} on test).{_margin(study)}",
        "",
        "![train and test nDCG@10 per method](text-study.png)",
        "",
        *(f"- {n}" for n in study.notes),
        *([""] if study.notes else []),
        f"Run in {study.seconds:.1f} s.",
        "",
    ]
    (out / "text-study.md").write_text("\n".join(lines))
    data: dict[str, Any] = {
        "dataset": str(dataset_dir),
        "metric": study.metric,
        "chosen": study.chosen,
        "rule": "best train nDCG@10, ties to the earlier method; test never used to choose",
        "sizes": study.sizes,
        "methods": {
            r.name: {
                "about": r.about,
                "train": {"ndcg@10": r.train, "ci_low": r.train_ci[0], "ci_high": r.train_ci[1]},
                "test": {"ndcg@10": r.test, "ci_low": r.test_ci[0], "ci_high": r.test_ci[1]},
            }
            for r in study.rows
        },
        "per_query": study.per_query,
        "seconds": round(study.seconds, 1),
        "notes": study.notes,
    }
    (out / "text-study.json").write_text(json.dumps(data, indent=2) + "\n")
    plot_study(study, out / "text-study.png")


_TRAIN, _TEST, _CHOSEN_TRAIN, _CHOSEN_TEST = "#9ecae1", "#3182bd", "#fdae6b", "#e6550d"
_RC: dict[RcKeyType, float | bool] = {
    "font.size": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def plot_study(study: TextStudy, path: Path) -> None:
    """Horizontal bars of train and test nDCG@10 per method (test with its 95% CI), first
    method on top; the chosen one in orange, its name in bold."""
    rows = study.rows
    y = np.arange(len(rows))[::-1].astype(float)
    half = 0.19  # each bar is 0.38 high; train above, test below
    chosen = [r.name == study.chosen for r in rows]
    train = [r.train for r in rows]
    test = [r.test for r in rows]
    below = [max(r.test - r.test_ci[0], 0.0) for r in rows]
    above = [max(r.test_ci[1] - r.test, 0.0) for r in rows]
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(10, 1.6 + 0.55 * len(rows)), layout="constrained")
        try:
            train_colours = [_CHOSEN_TRAIN if c else _TRAIN for c in chosen]
            test_colours = [_CHOSEN_TEST if c else _TEST for c in chosen]
            ax.barh(y + half, train, 2 * half, color=train_colours)
            ax.barh(y - half, test, 2 * half, color=test_colours, xerr=[below, above], capsize=3)
            ends = [(v, yi + half) for v, yi in zip(train, y, strict=True)]
            ends += [(r.test_ci[1], yi - half) for r, yi in zip(rows, y, strict=True)]
            values = [*train, *test]
            for value, (x, yi) in zip(values, ends, strict=True):
                ax.annotate(
                    f"{value:.3f}", (x, yi), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=9,
                )  # fmt: skip
            ax.set_yticks(y, [r.name for r in rows])
            for label, bold in zip(ax.get_yticklabels(), chosen, strict=True):
                label.set_fontweight("bold" if bold else "normal")
            high = max([0.0, *(x for x, _ in ends if math.isfinite(x))])
            ax.set_xlim(0.0, (high or 1.0) * 1.15)  # room for the value labels
            ax.grid(axis="x", alpha=0.3)
            ax.set_xlabel("nDCG@10 (test: 95% bootstrap CI)")
            ax.set_title(f"Text score per mentor, chosen on train/ only: {study.chosen}")
            legend = [
                Patch(color=_TRAIN, label="train/"),
                Patch(color=_TEST, label="test"),
                Patch(color=_CHOSEN_TEST, label="chosen (on train/)"),
            ]
            fig.legend(handles=legend, loc="outside lower center", ncol=3)
            fig.savefig(path, dpi=110, metadata={"Software": None})  # no version stamp
        finally:
            plt.close(fig)
