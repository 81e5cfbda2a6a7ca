"""Commands that answer for mentees: serve the HTTP API, recommend on the command line."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from types import FrameType
from typing import Annotated, Any, Optional

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from cli.common import console, empty_store_message, err, fail, open_engine, store_is_empty
from cli.keys import DEV_LABEL, open_keys
from cli.remote import ServerRefused, fetch_suggestions, noted_server, running_server
from cli.tables import first_that_fits, id_column, new_table
from recommender.domain.errors import MentorMatchError
from recommender.domain.profiles import Mentee
from recommender.domain.vocabulary_check import format_warnings, specialty_warnings
from recommender.settings import Settings

LIBRARY_LOGGERS = (
    "alembic",
    "faiss",
    "sentence_transformers",
    "transformers",
    "huggingface_hub",
    "httpx",
)
"""Libraries whose INFO lines the server's log leaves out ("setup plugin ...", faiss's "Could
not load library with AVX2 support" that reads like an error, ...)."""


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    dev: Annotated[
        bool,
        typer.Option(
            "--dev",
            help="Development mode: create a fresh admin key and print its token (the "
            "previous development key is revoked). Never use it in production.",
        ),
    ] = False,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs and /openapi.json).

    Every data route needs a bearer token: create keys with ``mentor-match keys create``,
    or set MENTOR_MATCH_BOOTSTRAP_ADMIN_TOKEN to have an admin key with that secret. While it
    runs, the server is noted in the data folder (server.json), so that ``recommend --token``
    asks it instead of loading the model again.
    """
    from api.server import run  # uvicorn: not needed for --help

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for name in LIBRARY_LOGGERS:  # their INFO lines are noise here, some read like errors
        logging.getLogger(name).setLevel(logging.WARNING)
    if dev:
        keys = open_keys()
        keys.revoke_labelled(DEV_LABEL)
        _, secret = keys.create("admin", label=DEV_LABEL)
        typer.echo("DEVELOPMENT MODE: an admin key was created for this run.")
        typer.echo(f"admin token: {secret}", err=False)
        typer.echo(f"  e.g. curl -H 'Authorization: Bearer {secret}' http://{host}:{port}/v1/me")
        typer.echo(f"  coordinator page, signed in: http://{host}:{port}/ui#token={secret}")
    if workers > 1 and Settings().torch_threads is None:
        # Each worker runs its own model: share the cores instead of oversubscribing them.
        threads = max(1, (os.cpu_count() or 1) // workers)
        os.environ["MENTOR_MATCH_TORCH_THREADS"] = str(threads)
    console.print(f"serving on http://{host}:{port} (docs at /docs)")
    with _sigterm_exits(), noted_server(Settings(), host, port):
        run(host, port, workers)


@contextmanager
def _sigterm_exits() -> Iterator[None]:
    """SIGTERM ends the command by ``SystemExit`` (status 143), so ``finally`` blocks run:
    uvicorn shuts down gracefully on it, then raises it again with our handler in place."""

    def leave(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, leave)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


Row = dict[str, Any]
"""One suggestion as the API's JSON has it (``mentor_id``, ``rank``, ``score``,
``components`` with each signal's ``value``, ``explanation``, ``mentor_name``, ``specialty``)."""

SERVER_TIP = (
    "tip: with `mentor-match serve` running for this data folder, --token (or "
    "MENTOR_MATCH_TOKEN) makes recommend ask the server instead of loading the model"
)


def _inline_mentee(text: str, stage: str, targets: list[str]) -> Mentee:
    try:
        return Mentee.model_validate(
            {"id": "cli", "stage": stage, "interests": [text], "target_specialties": targets}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "mentee"
        fail(f"{where}: {first['msg']}", 2, exc)


def recommend(
    mentee: Annotated[Optional[str], typer.Option(help="A stored mentee's id.")] = None,  # noqa: UP045
    text: Annotated[Optional[str], typer.Option(help="Free text of interests.")] = None,  # noqa: UP045
    stage: Annotated[str, typer.Option(help="Stage for --text (MS1, PGY2, ...).")] = "MS3",
    target: Annotated[list[str], typer.Option(help="Target specialty for --text.")] = [],  # noqa: B006
    k: Annotated[int, typer.Option(min=1, max=100, help="How many.")] = 10,
    explain: Annotated[bool, typer.Option(help="Print each explanation.")] = True,
    token: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            envvar="MENTOR_MATCH_TOKEN",
            help="API token: ask the server running for this data folder (noted by "
            "`mentor-match serve`) instead of loading the model here.",
        ),
    ] = None,
    server: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="With --token: ask this server (e.g. http://127.0.0.1:8000) instead."),
    ] = None,
) -> None:
    """Print ranked mentor suggestions for a stored mentee or a free-text profile.

    With a token and a server running for this data folder, the server answers (no model
    to load); otherwise the model is loaded here, which takes a few seconds.
    """
    if (mentee is None) == (text is None):
        fail("give exactly one of --mentee or --text")
    profile = _inline_mentee(text, stage, target) if text is not None else None
    for line in format_warnings(specialty_warnings("target_specialties", target)):
        err.print(escape(line), highlight=False)
    inline = None
    if text is not None:
        inline = {"id": "inline", "stage": stage, "interests": [text], "target_specialties": target}
    found = _from_server(Settings(), token, server, k, mentee, inline)
    if found is None:
        found = _from_engine(mentee, profile, k)
    console.print(_suggestions_table(found))
    if explain:
        for s in found:
            name = escape(s["mentor_name"] or s["mentor_id"])
            console.print(f"[bold]{s['rank']}. {name}[/bold]: {escape(s['explanation'])}")


def _from_server(
    settings: Settings,
    token: str | None,
    url: str | None,
    k: int,
    mentee_id: str | None,
    inline: dict[str, Any] | None,
) -> list[Row] | None:
    """The server's suggestions, or None (after one line on stderr saying why) when the
    model has to be loaded here instead. Exits if the server refuses the request."""
    import httpx

    found = running_server(settings, url)
    if found is None:
        if token:
            where = url or "for this data folder"
            err.print(f"[dim]no server {where} answers; loading the model here[/dim]")
        else:
            err.print(f"[dim]{escape(SERVER_TIP)}[/dim]", highlight=False)
        return None
    if not token:
        err.print(
            f"[dim]a server runs at {found}: give --token (or set MENTOR_MATCH_TOKEN) to "
            "ask it instead of loading the model here[/dim]",
            highlight=False,
        )
        return None
    err.print(f"[dim]server: {found}[/dim]", highlight=False)
    try:
        return fetch_suggestions(found, token, k, mentee_id=mentee_id, mentee=inline)
    except ServerRefused as exc:
        code = 2 if exc.status in (401, 403, 422) else 1
        fail(f"the server at {found} answered {exc.status}: {escape(exc.detail)}", code, exc)
    except httpx.HTTPError as exc:
        err.print(
            f"[yellow]warning:[/yellow] the server at {found} did not answer "
            f"({type(exc).__name__}); loading the model here",
            highlight=False,
        )
        return None


def _from_engine(mentee_id: str | None, profile: Mentee | None, k: int) -> list[Row]:
    """Suggestions computed here (the model is loaded first)."""
    engine = open_engine(empty_ok=True)
    if store_is_empty(engine):
        what = (
            f"mentee {mentee_id!r} not found" if mentee_id is not None else "no mentors to suggest"
        )
        fail(f"{what}: {empty_store_message(engine.settings)}", 1)
    try:
        if mentee_id is not None:
            suggestions = engine.suggest_for(mentee_id, k)
        else:
            assert profile is not None
            suggestions = engine.suggest(profile, k)
    except MentorMatchError as exc:
        fail(exc, 1, exc)
    return [asdict(s) for s in suggestions]


def _suggestions_table(found: list[Row]) -> Table:
    """Rank, mentor, score and one column per signal (in the registry's order): the mentor's
    id, name and specialty in columns of their own when that fits the terminal, else
    stacked in one column (id first)."""
    signals = list(found[0]["components"]) if found else []
    values = [[f"{s['components'][c]['value']:.2f}" for c in signals] for s in found]

    def score_columns() -> list[str]:
        return ["score", *[c[:5] for c in signals]]

    def wide() -> Table:
        table = new_table("rank", id_column("mentor"), "name", "specialty", *score_columns())
        for s, row in zip(found, values, strict=True):
            name, specialty = Text(s["mentor_name"]), Text(s["specialty"])
            table.add_row(
                str(s["rank"]), s["mentor_id"], name, specialty, f"{s['score']:.3f}", *row
            )
        return table

    def stacked() -> Table:
        table = new_table("rank", "mentor", *score_columns())
        for s, row in zip(found, values, strict=True):
            who = Text(s["mentor_id"], style="bold")
            who.append(f"\n{s['mentor_name']}")
            who.append(f"\n{s['specialty']}", style="dim")
            table.add_row(str(s["rank"]), who, f"{s['score']:.3f}", *row)
        return table

    layouts: list[Callable[[], Table]] = [wide, stacked]
    return first_that_fits(console, *layouts)
