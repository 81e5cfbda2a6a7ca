"""``history-study``: the learned ranker against the default weights on the sample's planted
outcomes (``evaluation.history_study``). Registered in ``cli.main``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.common import console, fail, load_embedder
from cli.progress import Bars
from cli.tables import id_column, new_table
from recommender.settings import Settings


def history_study(
    out: Annotated[Path, typer.Option(help="Folder for the study's store, model and report.")],
    seed: Annotated[int, typer.Option(help="The sample's seed (7: the bundled sample).")] = 7,
    holdout_days: Annotated[
        int,
        typer.Option(min=30, max=600, help="Train on outcomes up to this many days before export."),
    ] = 180,
) -> None:
    """Learned ranker vs default weights: top-5 acceptance and 90-day retention (planted model)."""
    from evaluation.history_study import run_history_study  # the model: slow

    with Bars() as bars:
        try:
            study = run_history_study(
                out, seed, holdout_days, load_embedder(Settings()), task=bars.task
            )
        except (ValueError, OSError) as exc:
            fail(escape(str(exc)), 2, exc)
    table = new_table(id_column("ranker"), "top-5 acceptance [95% CI]", "lasting 90 days [95% CI]")
    for name, r in study.rankers.items():
        table.add_row(
            name,
            f"{r.accept:.3f} [{r.accept_ci[0]:.3f}, {r.accept_ci[1]:.3f}]",
            f"{r.lasting:.3f} [{r.lasting_ci[0]:.3f}, {r.lasting_ci[1]:.3f}]",
        )
    console.print(table)
    for what, d in study.differences.items():
        console.print(f"{what}: {d['mean']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]")
    console.print(
        f"{study.mentees} held-out mentees; {study.seconds:.0f} s; "
        f"report: {escape(str(out / 'history-study.md'))}"
    )
