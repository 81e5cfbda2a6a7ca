"""``train``: fit a learned ranker on past outcomes and save it where the API serves it.

Registered in ``cli.main``. Two sources: the store's outcome log (the default; ``--until``
bounds what is read) or a BEIR data set's ``train/`` part (``--dataset``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape

from cli.common import console, fail, open_engine
from cli.progress import Bars
from cli.tables import id_column, new_table
from evaluation.beir import DatasetError
from recommender.settings import Settings


def _until(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--until: {value!r} is not a date (YYYY-MM-DD) or ISO date-time", 2)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _from_outcomes(until: datetime, bars: Bars) -> tuple[list[str], list[Any], dict[str, Any]]:
    from evaluation.ranker_training import window_of
    from recommender.matching.training_set import outcome_queries

    engine = open_engine()
    relationships = engine.relationships.every()
    asking = {r.mentee_id for r in relationships if r.requested_at < until}
    tick = bars.task("scoring mentees' candidates", len(asking))
    found = outcome_queries(engine, relationships, until, progress=tick)
    trained_on: dict[str, Any] = {
        "source": "the outcome log (relationships: requests, decisions, check-ins)",
        "until": until.isoformat(timespec="seconds"),
        "requests": window_of(found.dates),
        **found.counts,
    }
    return found.names, found.queries, trained_on


def _from_dataset(dataset: Path, bars: Bars) -> tuple[list[str], list[Any], dict[str, Any]]:
    from evaluation.beir import load_beir
    from evaluation.learning import ranker_queries, score_train, shared_embedder, store_dir

    folder = dataset / "train" if (dataset / "train" / "corpus.jsonl").exists() else dataset
    train = load_beir(folder)
    cache = dataset / ".train-cache" if folder == dataset else dataset / "train" / ".cache"
    embedder = shared_embedder(cache, None)
    cohort, scored = score_train(train, store_dir(cache, folder), embedder, None, bars.task)
    names, queries, ids = ranker_queries(train, cohort, scored, None)
    dates = [cohort.dates[q] for q in ids if q in cohort.dates]
    trained_on: dict[str, Any] = {
        "source": f"BEIR data set {folder}",
        "queries": len(queries),
        "dates": f"{min(dates)} to {max(dates)}" if dates else "none (ordered by id)",
    }
    return names, queries, trained_on


def train(
    until: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Read outcomes before this date (YYYY-MM-DD); default now."),
    ] = None,
    dataset: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Learn from a BEIR data set's train/ part instead of the store."),
    ] = None,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Models folder; default the served one (MENTOR_MATCH_MODELS_DIR)."),
    ] = None,
    name: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="The model's folder name; default ranker-DATE-TIME."),
    ] = None,
) -> None:
    """Fit a learned ranker on past outcomes; save it with its model card (served next start)."""
    from evaluation.ranker_training import label, train_ranker

    cutoff = _until(until)
    if dataset is not None and until is not None:
        fail("--until reads the store's outcome log; a data set's train/ part has its own", 2)
    models = out or Settings().models_path
    with Bars() as bars:
        try:
            if dataset is None:
                names, queries, trained_on = _from_outcomes(cutoff, bars)
            else:
                names, queries, trained_on = _from_dataset(dataset, bars)
            trained = train_ranker(names, queries, models, trained_on, name)
        except (DatasetError, ValueError, FileExistsError, OSError) as exc:
            fail(escape(str(exc)), 2, exc)
    table = new_table(id_column("ranker"), "nDCG@10 over later windows [95% CI]")
    for key, row in trained.validation["candidates"].items():
        low, high = row["ci"]
        style = "bold" if key == trained.fitted.chosen else None
        table.add_row(label(key), f"{row['mean']:.3f} [{low:.3f}, {high:.3f}]", style=style)
    console.print(table)
    diff = trained.validation.get("kept_minus_default")
    if diff:
        console.print(
            f"kept {label(trained.fitted.chosen)}: {diff['mean']:+.3f} "
            f"[{diff['ci'][0]:+.3f}, {diff['ci'][1]:+.3f}] nDCG@10 against the default weights"
        )
    console.print(f"saved {escape(str(trained.folder))} (model card: MODEL_CARD.md)")
