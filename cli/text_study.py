"""``text-study``: compare ways of pooling item text matches per mentor; choose on train/ only.

Registered in ``cli.main`` with ``app.command(name="text-study")(text_study)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import console, fail
from cli.progress import Bars
from cli.tables import id_column, new_table
from evaluation.beir import DatasetError


def text_study(
    dataset: Annotated[
        Path, typer.Option(help="A data set folder in the BEIR layout, with a train/ part.")
    ],
    out: Annotated[
        Path, typer.Option(help="Folder for text-study.md, text-study.json and text-study.png.")
    ],
    cache: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Embedding cache folder; default OUT/cache."),
    ] = None,
) -> None:
    """Compare text-score pooling methods (max, top-k, soft-max, bm25...); choose on train/."""
    from evaluation.text_study import run_text_study  # the model: slow
    from evaluation.text_study_report import runner_up

    with Bars() as bars:
        try:
            result = run_text_study(dataset, out, cache=cache, task=bars.task)
        except (DatasetError, ValueError, OSError) as exc:
            fail(escape(str(exc)), 2, exc)
    table = new_table(id_column("method"), "nDCG@10 train", "nDCG@10 test [95% CI]")
    for row in result.rows:
        cells = [
            row.name,
            f"{row.train:.3f}",
            f"{row.test:.3f} [{row.test_ci[0]:.3f}, {row.test_ci[1]:.3f}]",
        ]
        style = "bold" if row.name == result.chosen else None
        table.add_row(*cells, style=style)
    console.print(table)
    second = runner_up(result)
    if second is not None:
        best = next(r.train for r in result.rows if r.name == result.chosen)
        console.print(f"next best on train/: {escape(second.name)} ({best - second.train:+.4f})")
    console.print(
        f"chosen on train/ only: [bold]{escape(result.chosen)}[/bold]; {result.seconds:.0f} s; "
        f"report: {escape(str(out / 'text-study.md'))}"
    )
