"""Commands that put people into the store or take them out: ingest, erase, sample."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import console, err, fail, open_engine, sync_index
from cli.progress import progress_bar
from cli.tables import key_value_table
from recommender.domain.errors import MentorMatchError
from recommender.domain.kinds import Kind
from recommender.storage.ingest import (
    IngestError,
    ParsedFile,
    check_column_map,
    count_rows,
    fields_of,
    infer_kind,
    parse_column_map,
    parse_file,
)


def ingest(
    files: Annotated[list[Path], typer.Argument(help="JSONL or CSV files, in order.")],
    kind: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on 3.11
        typer.Option(help="mentors, mentees or feedback; default: from each file's name."),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Write nothing from a file that has any bad row.")
    ] = False,
    column_map: Annotated[
        list[str],
        typer.Option(
            "--map",
            metavar="COLUMN=FIELD",
            help="Read the export's COLUMN as FIELD (repeatable), e.g. --map 'Dept=specialty'.",
        ),
    ] = [],  # noqa: B006 - typer needs a list default
) -> None:
    """Upsert records by id; report rejected rows (line, field, problem).

    Columns that are not fields of the record type are reported once per file and ignored.
    Each file is written in one transaction. Exit code 1 if any row was rejected.
    """
    try:
        columns = parse_column_map(column_map)
        kinds = {path: Kind(kind) if kind else infer_kind(path) for path in files}
        check_column_map(columns, kinds.values())
    except ValueError as exc:  # IngestError, or an unknown --kind
        if not isinstance(exc, IngestError):
            exc = IngestError(f"unknown kind {kind!r}; use {', '.join(Kind)}")
        fail(exc, 2, exc)
    engine = open_engine(empty_ok=True)
    any_rejected = False
    for path in files:
        fields = set(fields_of(kinds[path]))
        here = {column: target for column, target in columns.items() if target in fields}
        try:
            total = count_rows(path) if path.is_file() else None
            with progress_bar(f"reading {path.name}", total) as advance:
                parsed = parse_file(path, kinds[path], advance, here)
        except IngestError as exc:
            fail(exc, 2, exc)
        _report(path, parsed)
        bad = len(parsed.rejected_rows)
        any_rejected |= bool(bad)
        if strict and bad:
            err.print(
                f"{path.name}: nothing written (--strict and {bad} rejected rows "
                f"of {parsed.rows} read)"
            )
            continue
        try:
            result = engine.write(parsed.kind, parsed.records, "cli:ingest", refresh=False)
        except MentorMatchError as exc:
            err.print(f"[red]error:[/red] {path.name}: {exc}; nothing written from this file")
            any_rejected = True
            continue
        if parsed.kind == Kind.MENTEES and result.changed:
            with progress_bar("embedding mentee texts", None) as advance:
                engine.embed_mentees(parsed.records, advance)
        superseded = (
            f", {parsed.superseded} replaced by a later row with the same id"
            if parsed.superseded
            else ""
        )
        console.print(
            f"{path.name}: {parsed.kind}: {parsed.rows} rows read, {len(parsed.records)} written: "
            f"{result.inserted} new, {result.updated} updated, {result.unchanged} unchanged, "
            f"{bad} rejected rows{superseded}"
        )
    sync_index(engine)
    raise typer.Exit(1 if any_rejected else 0)


def _report(path: Path, parsed: ParsedFile, shown: int = 50) -> None:
    """Warn once about ignored columns, then list the first ``shown`` rejected rows."""
    if parsed.unknown_columns:
        err.print(
            f"[yellow]warning:[/yellow] {path}: ignored {len(parsed.unknown_columns)} "
            f"column(s) that are not {parsed.kind.singular} fields: "
            f"{escape(', '.join(map(repr, parsed.unknown_columns)))} "
            "(map one with --map COLUMN=FIELD)",
            highlight=False,
        )
    if parsed.unused_map:
        err.print(
            f"[yellow]warning:[/yellow] {path}: no column named "
            f"{escape(', '.join(map(repr, parsed.unused_map)))} (--map)",
            highlight=False,
        )
    rows = parsed.rejected_rows
    for row in rows[:shown]:
        err.print(f"[yellow]rejected[/yellow] {path.name}: {escape(str(row))}", highlight=False)
    if len(rows) > shown:
        err.print(f"... and {len(rows) - shown} more rejected rows")


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
    rows = [(name, str(value)) for name, value in asdict(report).items()]
    console.print(key_value_table(rows, f"erased {kind} {person_id}", ("what", "count")))


def sample(
    out: Annotated[Path, typer.Option(help="Folder to write into.")] = Path("data/sample"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Regenerate the synthetic sample cohort (deterministic for a seed)."""
    from recommender.samplegen import generate, write

    for path in write(generate(seed), out):
        console.print(f"wrote {path}")
