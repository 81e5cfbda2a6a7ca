"""``backup`` and ``restore``: copy the store and index snapshot out, and put them back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cli.common import announce_store, console, fail
from cli.progress import progress
from cli.tables import key_value_table
from recommender.domain.errors import MentorMatchError
from recommender.settings import Settings


def _manifest_table(manifest: Any, title: str) -> Table:
    rows = [
        ("created (UTC)", manifest.created_at),
        ("store change number", str(manifest.store_seq)),
    ]
    rows += [(kind, f"{n:,}") for kind, n in manifest.counts.items()]
    rows.append(("embedding model", manifest.model_id or "(no index snapshot)"))
    if manifest.index_seq is not None:
        rows.append(("index snapshot at change", str(manifest.index_seq)))
    rows += [(f.name, f"{f.size:,} bytes, sha256 {f.sha256[:16]}…") for f in manifest.files]
    return key_value_table(rows, title)


def backup(
    out: Annotated[Path, typer.Argument(help="New (or empty) folder to write the backup into.")],
) -> None:
    """Back up the store and the index snapshot while the server runs.

    The store is copied with SQLite's online backup API as one consistent state (writes go on
    meanwhile); OUT gets mentor-match.db, index.faiss, index.meta.json and manifest.json
    (change number, model id, sizes, SHA-256). SQLite stores only.
    """
    from recommender.storage.backup import backup as take_backup  # SQLAlchemy: slow

    try:
        with progress() as bar:  # rich's own: the page total grows while writes go on

            def step(done: int, total: int) -> None:
                if not bar.tasks:  # shown from the first step on, so early errors stand alone
                    bar.add_task("copying the store (pages)", total=total)
                bar.update(bar.tasks[0].id, completed=done, total=total)

            settings = Settings()
            announce_store(settings)
            manifest = take_backup(settings, out, progress=step)
    except MentorMatchError as exc:
        fail(exc, 2, exc)
    console.print(_manifest_table(manifest, f"backup {out}"))
    console.print(f"wrote {out}: {manifest.size:,} bytes in {manifest.seconds:.2f} s")


def restore(
    backup: Annotated[Path, typer.Argument(help="A backup folder.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the store already in the data folder.")
    ] = False,
) -> None:
    """Restore a backup into the data folder; the server must be stopped.

    Every file is checked against the manifest's SHA-256 first. At its next start the
    server checks the restored index snapshot against the store and catches it up.
    """
    from recommender.storage.backup import restore as put_back  # SQLAlchemy: slow

    settings = Settings()
    announce_store(settings)
    try:
        manifest = put_back(backup, settings, force=force)
    except MentorMatchError as exc:
        fail(exc, 2, exc)
    console.print(_manifest_table(manifest, f"restored {backup}"))
    console.print(f"restored into {settings.data_dir}; start the server as usual")
