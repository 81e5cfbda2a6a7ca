"""Placements: approved pairs kept apart from imported profiles.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Release 0.1.0 approved an assignment by adding its pairs to each mentor's
``current_mentees``, the imported field a re-import overwrites. From this revision an approval
records placements and the store keeps ``placed_mentees`` from them. Upgrading moves what
approvals added out of ``current_mentees`` into placements; where 0.1.0 let a cohort hold
several approved assignments, the newest stays approved and the older ones are superseded
(audited), which frees their places.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from recommender.storage.migrations.payloads import rewrite_mentors

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

REASON = "migration 0002: a cohort keeps one approved assignment (the newest)"


def upgrade() -> None:
    """Create ``placements`` and move approvals' places into it."""
    op.create_table(
        "placements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cohort_id", sa.String(length=64), nullable=False),
        sa.Column("assignment_id", sa.String(length=40), nullable=False),
        sa.Column("mentee_id", sa.String(length=200), nullable=False),
        sa.Column("mentor_id", sa.String(length=200), nullable=False),
        sa.Column("placed_at", sa.String(length=40), nullable=False),
        sa.Column("released_at", sa.String(length=40), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
    )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        for column in ("assignment_id", "cohort_id", "mentee_id", "mentor_id"):
            batch_op.create_index(batch_op.f(f"ix_placements_{column}"), [column], unique=False)
    _move_approvals(op.get_bind())


def _move_approvals(conn: sa.Connection) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows = conn.execute(
        sa.text(
            "SELECT id, cohort_id, created_at, payload FROM assignments "
            "WHERE status = 'approved' ORDER BY created_at DESC, id"
        )
    ).all()
    added: Counter[str] = Counter()  # what 0.1.0 approvals added to current_mentees
    placed: Counter[str] = Counter()
    kept: set[str] = set()
    for assignment_id, cohort_id, created_at, payload in rows:
        pairs = json.loads(payload)["result"]["pairs"]
        added.update(p["mentor_id"] for p in pairs)
        if cohort_id in kept:
            conn.execute(
                sa.text("UPDATE assignments SET status = 'superseded' WHERE id = :id"),
                {"id": assignment_id},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO audit (cohort_id, assignment_id, at, actor, action, reason, "
                    "details) VALUES (:c, :a, :at, 'migration', 'supersede', :r, :d)"
                ),
                {"c": cohort_id, "a": assignment_id, "at": now, "r": REASON, "d": "{}"},
            )
            continue
        kept.add(cohort_id)
        placed.update(p["mentor_id"] for p in pairs)
        for p in pairs:
            conn.execute(
                sa.text(
                    "INSERT INTO placements (cohort_id, assignment_id, mentee_id, mentor_id, "
                    "placed_at, release_reason) VALUES (:c, :a, :e, :m, :at, '')"
                ),
                {
                    "c": cohort_id,
                    "a": assignment_id,
                    "e": p["mentee_id"],
                    "m": p["mentor_id"],
                    "at": created_at,
                },
            )
    _rewrite_mentors(conn, added, placed, sign=1)


def _rewrite_mentors(
    conn: sa.Connection, added: Counter[str], placed: Counter[str], sign: int
) -> None:
    """Move counts between ``current_mentees`` and ``placed_mentees`` (``sign`` 1: out of
    current into placed; -1: back), bumping each changed mentor's change number."""

    def move(mentor_id: str, mentor: dict[str, Any]) -> None:
        current = int(mentor.get("current_mentees", 0))
        if sign > 0:
            mentor["current_mentees"] = max(0, current - added[mentor_id])
            mentor["placed_mentees"] = placed[mentor_id]
        else:
            mentor["current_mentees"] = min(
                int(mentor.get("capacity", current)), current + added[mentor_id]
            )
            mentor.pop("placed_mentees", None)

    rewrite_mentors(conn, added, move)


def downgrade() -> None:
    """Put active placements back into ``current_mentees`` and drop ``placements``."""
    conn = op.get_bind()
    active = Counter(
        m
        for (m,) in conn.execute(
            sa.text("SELECT mentor_id FROM placements WHERE released_at IS NULL")
        ).all()
    )
    _rewrite_mentors(conn, active, active, sign=-1)
    with op.batch_alter_table("placements", schema=None) as batch_op:
        for column in ("mentor_id", "mentee_id", "cohort_id", "assignment_id"):
            batch_op.drop_index(batch_op.f(f"ix_placements_{column}"))
    op.drop_table("placements")
