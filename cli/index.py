"""``mentor-match index``: build or inspect the FAISS index of mentor items."""

from __future__ import annotations

from typing import cast

import typer

from cli.common import console, open_engine, sync_index
from cli.tables import key_value_table

index_app = typer.Typer(help="Build or inspect the FAISS index.", no_args_is_help=True)


@index_app.command("build")
def index_build() -> None:
    """Bring the index up to date with the store (embedding only new or changed text)."""
    sync_index(open_engine())


@index_app.command("status")
def index_status() -> None:
    """Show counts, model id, whether the index matches the store, and its search: type,
    memory and candidate recall against exact search."""
    engine = open_engine()
    health = engine.health()
    counts = cast(dict[str, object], health["counts"])
    index = cast(dict[str, object], health["index"])
    rows = [(str(key), str(value)) for key, value in counts.items()]
    rows.append(("model", str(health["model_id"])))
    rows += [(f"index {key}", _shown(key, value)) for key, value in index.items()]
    console.print(key_value_table(rows))


def _shown(key: str, value: object) -> str:
    """A status value as people read it: bytes in MB, seconds and shares rounded."""
    if key.endswith("_bytes") and isinstance(value, int):
        return f"{value / 1e6:,.1f} MB"
    if key == "candidate_recall" and isinstance(value, float):
        return f"{value:.3f} (against exact search)"
    return str(value)
