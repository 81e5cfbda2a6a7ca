"""Helpers the migrations share: rewriting stored mentor payloads in place.

Migrations run on a bare connection (no models: the models move on, a migration must not),
so they edit the JSON payloads directly and bump each changed row's change number, as the
store does, so that running engines see the change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa


def rewrite_mentors(
    conn: sa.Connection, mentor_ids: Iterable[str], edit: Callable[[str, dict[str, Any]], None]
) -> int:
    """Apply ``edit(mentor_id, payload)`` (in place) to each stored mentor of
    ``mentor_ids``, in id order, each with a new change number; returns how many changed
    (ids not stored are skipped)."""
    wanted = sorted(set(mentor_ids))
    if not wanted:
        return 0
    seq = int(conn.execute(sa.text("SELECT value FROM meta WHERE key = 'seq'")).scalar() or 0)
    changed = 0
    for mentor_id in wanted:
        found = conn.execute(
            sa.text("SELECT payload FROM mentors WHERE id = :id"), {"id": mentor_id}
        ).scalar()
        if found is None:
            continue
        mentor = json.loads(found)
        edit(mentor_id, mentor)
        seq += 1
        changed += 1
        conn.execute(
            sa.text("UPDATE mentors SET payload = :p, seq = :s WHERE id = :id"),
            {"p": json.dumps(mentor), "s": seq, "id": mentor_id},
        )
    conn.execute(sa.text("UPDATE meta SET value = :v WHERE key = 'seq'"), {"v": str(seq)})
    return changed
