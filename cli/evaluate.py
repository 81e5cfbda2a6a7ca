"""Offline evaluation: ``evaluate`` and ``datasets`` (conversion to the BEIR layout)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.common import console, fail
from cli.progress import Bars
from cli.tables import id_column, new_table
from evaluation.beir import DatasetError
from evaluation.sample_beir import convert_sample
from evaluation.stackexchange import convert_stackexchange
from recommender.domain.errors import ModelUnavailable

datasets_app = typer.Typer(
    help="Convert public data sets to the BEIR layout.", no_args_is_help=True
)


@datasets_app.command("stackexchange")
def datasets_stackexchange(
    src: Annotated[Path, typer.Argument(help="The team2box History Stack Exchange folder.")],
    out: Annotated[Path, typer.Argument(help="Folder to write the BEIR data set into.")],
    test_fraction: Annotated[
        float, typer.Option(min=0.05, max=0.5, help="Newest share of questions used as queries.")
    ] = 0.2,
    rolling: Annotated[
        bool,
        typer.Option(
            help="Log each mentor's answer dates so activity is computed as of each query "
            "(--no-rolling: summarised once at the split)."
        ),
    ] = True,
) -> None:
    """Askers → mentees, answerers → mentors, temporal split, plus a train/ split inside it."""
    try:
        summary = convert_stackexchange(src, out, test_fraction, rolling=rolling)
    except (DatasetError, OSError) as exc:
        fail(exc, 2, exc)
    console.print_json(json.dumps(summary, default=str))
    console.print(f"wrote {out}")


@datasets_app.command("sample")
def datasets_sample(
    out: Annotated[Path, typer.Argument(help="Folder to write the BEIR data set into.")],
    src: Annotated[Path, typer.Option(help="The sample cohort folder.")] = Path("data/sample"),
) -> None:
    """The synthetic sample cohort with its planted truth as qrels (a regression data set)."""
    try:
        counts = convert_sample(src, out)
    except (OSError, ValueError) as exc:
        fail(exc, 2, exc)
    console.print(f"wrote {out}: {counts}")


def evaluate(
    dataset: Annotated[Path, typer.Option(help="A data set folder in the BEIR layout.")],
    out: Annotated[Path, typer.Option(help="Folder for metrics.json, runs/ and report.md.")],
    methods: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--methods", help="Methods to run (repeat or comma-separate); default all."),
    ] = None,
    k: Annotated[
        Optional[list[int]],  # noqa: UP045
        typer.Option("--k", help="Cutoffs for the metric-against-k curves; default 1..100."),
    ] = None,
    cache: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Store and embedding cache folder; default OUT/cache."),
    ] = None,
    learn: Annotated[
        bool, typer.Option(help="Learn ranker weights on DATASET/train when it exists.")
    ] = True,
    adapted: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="A model folder written by `mentor-match adapt`: its text match is the "
            "`adapted` row, and `full` uses it when the full ranker does better with it on "
            "DATASET/train.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    ranker: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="A learned ranker's folder (`mentor-match train` wrote it): the `served` row "
            "ranks with it, as the API would.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Rank the corpus for every query with each method; write metrics, TREC runs, a report."""
    from evaluation.runner import ALL_METHODS, CUTOFFS, run_evaluation  # the engine: slow

    chosen = [m.strip() for item in (methods or ALL_METHODS) for m in item.split(",") if m.strip()]
    cutoffs = sorted(set(k or CUTOFFS) | {5, 10, 50})
    with Bars() as bars:
        try:
            result = run_evaluation(
                dataset,
                out,
                chosen,
                cutoffs,
                cache=cache,
                learn=learn,
                task=bars.task,
                adapted=adapted,
                ranker=ranker,
            )
        except (DatasetError, ValueError, OSError, ModelUnavailable) as exc:
            fail(exc, 2, exc)
    table = new_table(
        id_column("method"), "nDCG@10 [95% CI]", "recall@10", "recall@50", "MRR", "coverage@10"
    )
    for method, row in result.metrics.items():
        table.add_row(
            method,
            f"{row['ndcg@10']:.3f} [{row['ndcg@10_ci_low']:.3f}, {row['ndcg@10_ci_high']:.3f}]",
            f"{row['recall@10']:.3f}",
            f"{row['recall@50']:.3f}",
            f"{row['mrr']:.3f}",
            f"{row['coverage@10']:.2f}",
        )
    console.print(table)
    console.print(f"{result.seconds:.0f} s; report: {out / 'report.md'}")
