"""What every command shares: the consoles, errors, loading the model and opening the engine.

The engine (and with it torch, sentence-transformers and scikit-learn) is imported only
when a command needs it, so that ``mentor-match --help`` stays quick. Progress bars live in
``cli.progress`` and tables in ``cli.tables``.
"""

from __future__ import annotations

import atexit
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from cli.progress import progress as progress
from cli.progress import progress_bar
from recommender.domain.errors import MentorMatchError
from recommender.settings import Settings

if TYPE_CHECKING:
    from pydantic import ValidationError

    from recommender.engine import Engine
    from recommender.retrieval.embedding import Embedder

QUIET_MODEL_LIBRARIES = {
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
"""Set (unless already set) before any command imports the model libraries: no download or
"Loading weights" bars, no advisory warnings, and no tokenizers warning after a fork (uvicorn
workers). Our own progress bars are rich's and stay. The library quiets model loading as
well (``recommender.retrieval.embedding``); these cover the rest of a command's run."""
for _name, _value in QUIET_MODEL_LIBRARIES.items():
    os.environ.setdefault(_name, _value)

console = Console()
err = Console(stderr=True)


def fail(message: object, code: int = 2, cause: BaseException | None = None) -> NoReturn:
    """Print ``error: MESSAGE`` on stderr (one line, never wrapped; the message's own
    brackets shown as they are) and exit with ``code``."""
    err.print(f"[red]error:[/red] {escape(str(message))}", soft_wrap=True, highlight=False)
    raise typer.Exit(code) from cause


def fail_invalid(exc: ValidationError) -> NoReturn:
    """Report a profile's first validation problem (``field: problem``) and exit 2."""
    first = exc.errors()[0]
    fail(f"{'.'.join(map(str, first['loc']))}: {first['msg']}", 2, exc)


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


def load_embedder(settings: Settings) -> Embedder:
    """The settings' embedding model, saying on stderr that it loads and how long it took
    (``loading the embedding model…``, then ``embedding model loaded in 3.2 s``).

    Raises:
        ModelUnavailable: the model folder or its package is missing.
    """
    from recommender.retrieval.embedding import SentenceTransformerEmbedder

    err.print("[dim]loading the embedding model…[/dim]", highlight=False)
    start = time.perf_counter()
    embedder = SentenceTransformerEmbedder(
        settings.model_path, settings.embed_batch_size, settings.torch_threads
    )
    err.print(
        f"[dim]embedding model loaded in {time.perf_counter() - start:.1f} s[/dim]",
        highlight=False,
    )
    return embedder


def open_engine(settings: Settings | None = None, *, empty_ok: bool = False) -> Engine:
    """The engine for these settings; exit 2 with the reason if it cannot be built.

    The store's location is printed first (stderr), then how long the model took to load.
    An empty store gets a warning line unless ``empty_ok`` (ingest fills an empty store;
    recommend reports it as an error).
    """
    from recommender.engine import build_engine

    settings = settings or Settings()
    announce_store(settings)
    try:
        engine = build_engine(settings, embedder=load_embedder(settings))
    except MentorMatchError as exc:
        fail(exc, 2, exc)
    atexit.register(engine.flush)  # a snapshot deferred at scale is written before exit
    if not empty_ok and store_is_empty(engine):
        err.print(f"[yellow]warning:[/yellow] {escape(empty_store_message(settings))}")
    return engine


def sync_index(engine: Any) -> None:
    """Bring the index up to date with the store, with a progress bar and a summary line."""
    todo = max(0, engine.store.counts()["mentors"] - len(engine.index))
    with progress_bar("embedding mentor items", total=None if todo else 0) as advance:
        report = engine.refresh(progress=advance)
    console.print(
        f"index: {len(engine.index)} mentors, {engine.index.n_items} items "
        f"({report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.embedded_items} items embedded)"
    )
