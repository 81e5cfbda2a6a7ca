"""Commands that answer for mentees: serve the HTTP API, recommend on the command line."""

from __future__ import annotations

import logging
import os
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from cli.common import console, empty_store_message, err, fail, open_engine, store_is_empty
from cli.keys import DEV_LABEL, open_keys
from recommender.domain.errors import MentorMatchError
from recommender.domain.profiles import Mentee
from recommender.domain.vocabulary_check import format_warnings, specialty_warnings
from recommender.settings import Settings


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
    or set MENTOR_MATCH_BOOTSTRAP_ADMIN_TOKEN to have an admin key with that secret.
    """
    from api.server import run  # uvicorn: not needed for --help

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
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
    run(host, port, workers)


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
) -> None:
    """Print ranked mentor suggestions for a stored mentee or a free-text profile."""
    if (mentee is None) == (text is None):
        fail("give exactly one of --mentee or --text")
    engine = open_engine(empty_ok=True)
    if store_is_empty(engine):
        what = f"mentee {mentee!r} not found" if mentee is not None else "no mentors to suggest"
        fail(f"{what}: {empty_store_message(engine.settings)}", 1)
    for line in format_warnings(specialty_warnings("target_specialties", target)):
        err.print(escape(line), highlight=False)
    try:
        found = (
            engine.suggest_for(mentee, k)
            if mentee is not None
            else engine.suggest(_inline_mentee(text or "", stage, target), k)
        )
    except MentorMatchError as exc:
        fail(exc, 1, exc)
    signals = list(found[0].components) if found else []  # the registry's order
    table = Table("rank", "mentor", "specialty", "score", *[c[:5] for c in signals])
    for s in found:
        table.add_row(
            str(s.rank),
            f"{s.mentor_name} ({s.mentor_id})",
            s.specialty,
            f"{s.score:.3f}",
            *[f"{s.components[c].value:.2f}" for c in signals],
        )
    console.print(table)
    if explain:
        for s in found:
            console.print(f"[bold]{s.rank}. {s.mentor_name}[/bold]: {s.explanation}")
