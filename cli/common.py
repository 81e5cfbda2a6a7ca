"""What every command shares: the consoles, progress bars and opening the engine.

The engine (and with it torch, sentence-transformers and scikit-learn) is imported only
when a command needs it, so that ``mentor-match --help`` stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
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


def store_location(settings: Settings) -> str:
    """Where the store is: the SQLite file's absolute path, or the URL with its password hidden."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(settings.sqlalchemy_url)
    except ArgumentError:  # reported as an error when the store is opened
        return "(unparsable database URL)"
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            return str(Path(database).expanduser().resolve())
    return url.render_as_string(hide_password=True)


def announce_store(settings: Settings) -> None:
    """One dim line on stderr naming the store a command is about to open."""
    err.print(f"[dim]store: {escape(store_location(settings))}[/dim]", highlight=False)


def empty_store_message(settings: Settings) -> str:
    """What to say when the store holds no mentors and no mentees."""
    return (
        f"the store at {store_location(settings)} is empty (no mentors and no mentees); "
        "run mentor-match ingest FILES first, or set MENTOR_MATCH_DATA_DIR "
        "(or MENTOR_MATCH_DATABASE_URL) to where your data is"
    )


def store_is_empty(engine: Engine) -> bool:
    """True if the engine's store holds no mentors and no mentees."""
    counts = engine.store.counts()
    return not counts["mentors"] and not counts["mentees"]


def open_engine(settings: Settings | None = None, *, empty_ok: bool = False) -> Engine:
    """The engine for these settings; exit 2 with the reason if it cannot be built.

    The store's location is printed first (stderr). An empty store gets a warning line
    unless ``empty_ok`` (ingest fills an empty store; recommend reports it as an error).
    """
    from recommender.engine import build_engine

    settings = settings or Settings()
    announce_store(settings)
    try:
        engine = build_engine(settings)
    except MentorMatchError as exc:
        fail(exc, 2, exc)
    if not empty_ok and store_is_empty(engine):
        err.print(f"[yellow]warning:[/yellow] {escape(empty_store_message(settings))}")
    return engine


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
