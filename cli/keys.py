"""``mentor-match keys``: create, list, rotate and revoke API keys."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from cli.common import announce_store, console, fail
from cli.tables import first_that_fits, id_column, new_table
from recommender.domain.errors import MentorMatchError
from recommender.settings import Settings

DEV_LABEL = "development"
"""The label of the admin key ``mentor-match serve --dev`` creates (and revokes next time)."""

keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)


def open_keys() -> Any:
    """The key register of the configured store (SQLAlchemy is imported only when needed)."""
    from recommender.storage.keys import Keys
    from recommender.storage.store import Store

    settings = Settings()
    announce_store(settings)
    return Keys(Store(settings.sqlalchemy_url).database)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin, coordinator, mentee or mentor.")],
    subject: Annotated[
        str, typer.Option(help="The mentee's or mentor's id (mentee and mentor keys).")
    ] = "",
    scope: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(help="A cohort id or program name a coordinator key covers (repeat)."),
    ] = None,
    label: Annotated[str, typer.Option(help="A name for the key, shown in the audit trail.")] = "",
    expires_in_days: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(help="The key stops working after this many days (default: never)."),
    ] = None,
) -> None:
    """Create a key and print its token (shown once; only a hash is stored)."""
    try:
        info, secret = open_keys().create(role, subject, scope or [], label, None, expires_in_days)
    except MentorMatchError as exc:
        fail(exc, 2, exc)
    typer.echo(f"key {info.id} ({info.role}) token: {secret}")


@keys_app.command("list")
def keys_list() -> None:
    """Every key (never the secrets)."""
    found = open_keys().list()
    console.print(first_that_fits(console, lambda: _keys_wide(found), lambda: _keys_narrow(found)))


def _ends(k: Any) -> str:
    return f"revoked {k.revoked_at or ''}".strip() if k.revoked else (k.expires_at or "")


def _keys_wide(found: list[Any]) -> Table:
    """One column per field."""
    table = new_table(
        id_column("id"),
        "role",
        "subject",
        "scopes",
        "label",
        "created",
        "last used",
        "from",
        "expires / revoked",
    )
    for k in found:
        table.add_row(
            k.id,
            k.role,
            k.subject,
            ",".join(k.scopes),
            k.label,
            k.created_at,
            k.last_used_at or "never",
            k.last_used_from or "",
            _ends(k),
        )
    return table


def _keys_narrow(found: list[Any]) -> Table:
    """Id and role in columns, the rest as wrapping text (for narrow terminals)."""
    table = new_table(id_column("id"), id_column("role"), "key")
    for k in found:
        grant = [f"subject {k.subject}"] if k.subject else []
        grant += [f"scopes {','.join(k.scopes)}"] if k.scopes else []
        grant += [f"label {k.label!r}"] if k.label else []
        used = k.last_used_at or "never"
        used += f" from {k.last_used_from}" if k.last_used_from else ""
        ends = _ends(k)
        ends = ends if k.revoked else (f"expires {ends}" if ends else "never expires")
        lines = [
            "; ".join(grant),
            f"created {k.created_at}; last used {used}; {ends}",
        ]
        table.add_row(k.id, k.role, "\n".join(line for line in lines if line))
    return table


@keys_app.command("rotate")
def keys_rotate(
    key_id: Annotated[str, typer.Argument(help="The key's id.")],
    grace_minutes: Annotated[
        float,
        typer.Option(help="Keep the old key working this long so clients can switch (max 7 d)."),
    ] = 0,
) -> None:
    """Replace a key by a new one with the same role, person, scopes and label; print the
    new token (shown once). The old key is revoked now, or expires after the grace period."""
    try:
        info, secret = open_keys().rotate(key_id, grace_minutes)
    except MentorMatchError as exc:
        fail(exc, 2, exc)
    ends = f"expires in {grace_minutes:g} min" if grace_minutes else "is revoked"
    typer.echo(f"key {info.id} ({info.role}) replaces {key_id}, which {ends}; token: {secret}")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id.")]) -> None:
    """Revoke a key at once."""
    try:
        open_keys().revoke(key_id)
    except MentorMatchError as exc:
        fail(exc, 2, exc)
    console.print(f"key {key_id} revoked")
