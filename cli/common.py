"""What every command shares: the consoles, progress bars and opening the engine.

The engine (and with it torch, sentence-transformers and scikit-learn) is imported only
when a command needs it, so that ``mentor-match --help`` stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from recommender.domain.errors import MentorMatchError
from recommender.settings import Settings

if TYPE_CHECKING:
    from pydantic import ValidationError

    from recommender.engine import Engine

console = Console()
err = Console(stderr=True)


def fail(message: object, code: int = 2, cause: BaseException | None = None) -> NoReturn:
    """Print ``error: MESSAGE`` on stderr and exit with ``code``."""
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code) from cause


def fail_invalid(exc: ValidationError) -> NoReturn:
    """Report a profile's first validation problem (``field: problem``) and exit 2."""
    first = exc.errors()[0]
    fail(f"{'.'.join(map(str, first['loc']))}: {first['msg']}", 2, exc)


def progress() -> Progress:
    """Progress bars on stderr, left on screen when done."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def open_engine(settings: Settings | None = None) -> Engine:
    """The engine for these settings; exit 2 with the reason if it cannot be built."""
    from recommender.engine import build_engine

    try:
        return build_engine(settings or Settings())
    except MentorMatchError as exc:
        fail(exc, 2, exc)


def sync_index(engine: Any) -> None:
    """Bring the index up to date with the store, with a progress bar and a summary line."""
    todo = max(0, engine.store.counts()["mentors"] - len(engine.index))
    with progress() as bar:
        task = bar.add_task("embedding mentor items", total=None if todo else 0)
        report = engine.refresh(progress=lambda n: bar.advance(task, n))
        bar.update(task, total=bar.tasks[0].completed)
    console.print(
        f"index: {len(engine.index)} mentors, {engine.index.n_items} items "
        f"({report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.embedded_items} items embedded)"
    )
