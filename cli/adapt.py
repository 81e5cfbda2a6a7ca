"""``adapt``: fine-tune the embedding model on the program's own mentor profiles, no labels.

Registered in ``cli.main`` with ``app.command()(adapt)``. The mentors come from the store
(``MENTOR_MATCH_DATA_DIR``) or from a data set in the BEIR layout (``--dataset``); the work is
``recommender.retrieval.adapt``'s, and this module adds the progress bar, ``loss.png`` and the
summary on the terminal.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.markup import escape
from rich.progress import TaskID

from cli.common import announce_store, console, empty_store_message, err, fail
from cli.progress import Bars
from cli.tables import id_column, new_table
from recommender.settings import Settings

if TYPE_CHECKING:
    from recommender.domain.profiles import Mentor
    from recommender.retrieval.adapt import Progress

LOSS_WINDOW = 20
"""Steps averaged for the running loss on the progress bar and the smoothed curve."""


def _dataset_mentors(dataset: Path) -> list[Mentor]:
    """The corpus of a BEIR data set as mentor records."""
    from evaluation.adapter import to_cohort
    from evaluation.beir import DatasetError, load_beir

    try:
        return to_cohort(load_beir(dataset), query_ids=[]).mentors
    except DatasetError as exc:
        fail(exc, 2, exc)


def _store_mentors(settings: Settings) -> list[Mentor]:
    """Every mentor in the configured store."""
    from recommender.domain.errors import MentorMatchError
    from recommender.domain.kinds import Kind
    from recommender.domain.profiles import Mentor
    from recommender.storage.store import Store

    announce_store(settings)
    try:
        store = Store(settings.sqlalchemy_url)
    except MentorMatchError as exc:
        fail(exc, 2, exc)
    try:
        records = store.records(Kind.MENTORS)
        empty = not records and not store.counts()["mentees"]
    finally:
        store.close()
    if empty:
        fail(empty_store_message(settings), 2)
    return [record for record in records if isinstance(record, Mentor)]


def plot_loss(losses: list[float], path: Path, window: int = LOSS_WINDOW) -> None:
    """``loss.png``: the loss of every step and its moving average."""
    import matplotlib

    matplotlib.use("Agg")  # headless: never open a window
    import matplotlib.pyplot as plt
    import numpy as np

    steps = np.arange(1, len(losses) + 1)
    values = np.asarray(losses, dtype=float)
    width = max(1, min(window, len(values)))
    smooth = np.convolve(values, np.ones(width) / width, mode="valid")
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    try:
        ax.plot(steps, values, color="#9e9e9e", linewidth=0.8, label="loss per step")
        ax.plot(steps[width - 1 :], smooth, color="#2b7bba", linewidth=2, label=f"mean of {width}")
        ax.set_xlabel("step")
        ax.set_ylabel("MultipleNegativesRankingLoss")
        ax.set_title("Adapting the embedding model: training loss")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(frameon=False)
        fig.savefig(path, dpi=110, metadata={"Software": None})
    finally:
        plt.close(fig)


def _training_bar(bars: Bars) -> Progress:
    """A ``progress(step, total, loss)`` callback drawing a bar with the running loss."""
    recent: deque[float] = deque(maxlen=LOSS_WINDOW)
    shown: list[TaskID] = []

    def progress(step: int, total: int, loss: float) -> None:
        recent.append(loss)
        description = f"training, loss {sum(recent) / len(recent):.3f}"
        if not shown:
            bars.task(description, total)
            shown.append(bars.progress.tasks[-1].id)
        bars.progress.update(shown[0], completed=step, total=total, description=description)

    return progress


def adapt(
    out: Annotated[
        Path, typer.Option(help="Folder for the adapted model, its card and adaptation.json.")
    ] = Path("models/adapted"),
    dataset: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on 3.11
        typer.Option(help="Read the mentors from this BEIR data set instead of the store."),
    ] = None,
    base: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="Model folder to start from; default MENTOR_MATCH_MODEL_PATH, else the "
            "packaged all-MiniLM-L6-v2."
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace a non-empty --out folder.")] = False,
    seed: Annotated[int, typer.Option(help="Seeds the split, pairs, batches and torch.")] = 7,
    held_out: Annotated[
        float,
        typer.Option(min=0.01, max=0.5, help="Share of mentors kept out to measure the match."),
    ] = 0.1,
    pairs_per_mentor: Annotated[
        int, typer.Option(min=1, help="Most training pairs drawn from one mentor's items.")
    ] = 8,
    batch_size: Annotated[int, typer.Option(min=2, help="Pairs per training step.")] = 32,
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the training pairs.")] = 1,
    lr: Annotated[float, typer.Option(min=1e-8, max=1e-2, help="Peak learning rate.")] = 2e-5,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads torch may use.")] = 2,
) -> None:
    """Adapt the embedding model to your mentors' profiles, without labels; report the
    held-out match before and after, and write a model MENTOR_MATCH_MODEL_PATH can load."""
    from recommender.retrieval.adapt import (
        AdaptConfig,
        OutputExists,
        check_output,
        items_of,
        metrics_rows,
        save_adaptation,
    )
    from recommender.retrieval.adapt import adapt as run_adaptation
    from recommender.retrieval.embedding import SentenceTransformerEmbedder

    try:
        check_output(out, force)
        config = AdaptConfig(
            seed=seed,
            held_out=held_out,
            pairs_per_mentor=pairs_per_mentor,
            batch_size=batch_size,
            epochs=epochs,
            lr=lr,
            threads=threads,
        )
    except OutputExists as exc:
        fail(f"{exc} (use --force to replace it)", 2, exc)
    except ValueError as exc:
        fail(exc, 2, exc)
    settings = Settings()
    base_path = str(base) if base is not None else settings.model_path
    if base_path is not None and not Path(base_path).is_dir():
        fail(f"base model folder {base_path} does not exist", 2)
    mentors = _dataset_mentors(dataset) if dataset is not None else _store_mentors(settings)

    def note(line: str) -> None:
        err.print(f"[dim]{escape(line)}[/dim]", highlight=False)

    with Bars() as bars:
        try:
            result = run_adaptation(
                items_of(mentors), base_path, config, progress=_training_bar(bars), note=note
            )
        except ValueError as exc:
            fail(exc, 2, exc)
        except FloatingPointError as exc:
            fail(exc, 1, exc)
    try:
        model_id = save_adaptation(
            result, out, force, extra=lambda folder: plot_loss(result.losses, folder / "loss.png")
        )
    except OutputExists as exc:
        fail(f"{exc} (use --force to replace it)", 2, exc)
    except OSError as exc:
        fail(f"could not write {out}: {exc}", 2, exc)
    except ValueError as exc:
        fail(exc, 1, exc)
    loaded = SentenceTransformerEmbedder(str(out.absolute()))
    if loaded.model_id != model_id or loaded.model_id == result.base_id:
        fail(f"{out} loads as {loaded.model_id}, expected {model_id}", 1)

    counts = result.counts
    tenth = max(1, len(result.losses) // 10)
    first, last = result.losses[:tenth], result.losses[-tenth:]
    table = new_table(id_column("held-out match"), "before", "after", "change")
    for row in metrics_rows(result.before, result.after):
        table.add_row(*row)
    console.print(table)
    console.print(
        f"{counts['held_out_mentors']} held-out mentors ({result.after.queries} queries); "
        f"trained on {counts['pairs_trained']} pairs of {counts['train_mentors']} mentors in "
        f"{counts['steps']} steps, {result.seconds['training']:.0f} s (mean loss of the "
        f"first and last tenth of the steps: {sum(first) / len(first):.3f} → "
        f"{sum(last) / len(last):.3f})"
    )
    console.print(f"base model:    {escape(result.base_id)}")
    console.print(f"adapted model: {escape(loaded.model_id)}")
    console.print(f"wrote {escape(str(out))} (model, MODEL_CARD.md, adaptation.json, loss.png)")
    console.print(
        f"to use it: export MENTOR_MATCH_MODEL_PATH={escape(str(out.absolute()))} "
        "(the index re-embeds on its next build)",
        soft_wrap=True,
    )
