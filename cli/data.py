"""Commands that put people into the store or take them out: ingest, erase, sample."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from cli.common import console, err, fail, open_engine, progress, sync_index
from recommender.domain.errors import MentorMatchError
from recommender.storage.ingest import IngestError, count_rows, parse_file


def ingest(
    files: Annotated[list[Path], typer.Argument(help="JSONL or CSV files, in order.")],
    kind: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on 3.11
        typer.Option(help="mentors, mentees or feedback; default: from each file's name."),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Write nothing from a file that has any bad row.")
    ] = False,
) -> None:
    """Upsert records by id; report rejected rows (line, field, problem).

    Each file is written in one transaction. Exit code 1 if any row was rejected.
    """
    engine = open_engine()
    any_rejected = False
    for path in files:
        try:
            total = count_rows(path) if path.is_file() else None
            with progress() as bar:
                task = bar.add_task(f"reading {path.name}", total=total)
                parsed = parse_file(path, kind, partial(bar.advance, task))  # type: ignore[arg-type]
        except IngestError as exc:
            fail(exc, 2, exc)
        for rejection in parsed.rejected[:50]:
            err.print(f"[yellow]rejected[/yellow] {path.name}: {rejection}")
        if len(parsed.rejected) > 50:
            err.print(f"... and {len(parsed.rejected) - 50} more rejections")
        any_rejected |= bool(parsed.rejected)
        if strict and parsed.rejected:
            err.print(
                f"{path.name}: nothing written (--strict and {len(parsed.rejected)} bad rows)"
            )
            continue
        try:
            result = engine.write(parsed.kind, parsed.records, "cli:ingest", refresh=False)
        except MentorMatchError as exc:
            err.print(f"[red]error:[/red] {path.name}: {exc}; nothing written from this file")
            any_rejected = True
            continue
        console.print(
            f"{path.name}: {parsed.kind}: {result.inserted} new, {result.updated} updated, "
            f"{result.unchanged} unchanged, {len(parsed.rejected)} rejected rows"
        )
    sync_index(engine)
    raise typer.Exit(1 if any_rejected else 0)


def erase(
    kind: Annotated[str, typer.Argument(help="mentor or mentee.")],
    person_id: Annotated[str, typer.Argument(help="Their id.")],
) -> None:
    """Erase a mentor or mentee everywhere: store, index, caches, cohorts, drafts, audit
    trail and keys (the right to erasure)."""
    from recommender.domain.kinds import Role
    from recommender.privacy.erasure import erase as erase_person

    if kind not in ("mentor", "mentee"):
        fail("KIND must be mentor or mentee")
    engine = open_engine()
    person = Role(kind).kind
    assert person is not None  # mentor or mentee, checked above
    report = erase_person(engine, person, person_id)
    if not report.found:
        fail(f"no {kind} {person_id!r} stored (references cleared)", 1)
    table = Table("what", "count", title=f"erased {kind} {person_id}")
    for name, value in asdict(report).items():
        table.add_row(name, str(value))
    console.print(table)


def sample(
    out: Annotated[Path, typer.Option(help="Folder to write into.")] = Path("data/sample"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Regenerate the synthetic sample cohort (deterministic for a seed)."""
    from recommender.samplegen import generate, write

    for path in write(generate(seed), out):
        console.print(f"wrote {path}")
