"""``mentor-match index``: build or inspect the FAISS index of mentor items."""

from __future__ import annotations

from typing import cast

import typer
from rich.table import Table

from cli.common import console, open_engine, sync_index

index_app = typer.Typer(help="Build or inspect the FAISS index.", no_args_is_help=True)


@index_app.command("build")
def index_build() -> None:
    """Bring the index up to date with the store (embedding only new or changed text)."""
    sync_index(open_engine())


@index_app.command("status")
def index_status() -> None:
    """Show counts, model id and whether the index matches the store."""
    engine = open_engine()
    health = engine.health()
    table = Table("what", "value")
    counts = cast(dict[str, object], health["counts"])
    index = cast(dict[str, object], health["index"])
    for key, value in {**counts, "model": health["model_id"], **index}.items():
        table.add_row(str(key), str(value))
    console.print(table)
