"""The schema of release 0.1.0: records, embedding cache, keys, change log, review.

Revision ID: 0001
Revises:
Create Date: 2026-12-01

The tables are written out here (not imported from the models), so this revision keeps
making the 0.1.0 schema however the models change later; ``recommender.storage.migrate``
also uses ``SCHEMA`` to complete stores made by 0.1.0 before stamping them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from recommender.storage.base import NAMING_CONVENTION

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = sa.MetaData(naming_convention=NAMING_CONVENTION)
"""The tables of revision 0001."""

sa.Table(
    "meta",
    SCHEMA,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
for _name in ("mentors", "mentees", "cohorts"):
    sa.Table(
        _name,
        SCHEMA,
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False, index=True),
    )
sa.Table(
    "feedback",
    SCHEMA,
    sa.Column("mentor_id", sa.String(64), nullable=False, index=True),
    sa.Column("mentee_id", sa.String(64), nullable=False, index=True),
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False, index=True),
)
sa.Table(
    "embeddings",
    SCHEMA,
    sa.Column("model_id", sa.String(200), primary_key=True),
    sa.Column("text_hash", sa.String(64), primary_key=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),
)
sa.Table(
    "api_keys",
    SCHEMA,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("digest", sa.String(64), nullable=False, unique=True, index=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("subject", sa.String(64), nullable=False, index=True),
    sa.Column("scopes", sa.Text, nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False),
    sa.Column("revoked_at", sa.String(40), nullable=True),
    sa.Column("expires_at", sa.String(40), nullable=True),
    sa.Column("last_used_at", sa.String(40), nullable=True),
    sa.Column("last_used_from", sa.String(64), nullable=True),
)
sa.Table(
    "profile_changes",
    SCHEMA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("record_id", sa.String(64), nullable=False, index=True),
    sa.Column("changes", sa.Text, nullable=False),
)
sa.Table(
    "assignments",
    SCHEMA,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("cohort_id", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
)
sa.Table(
    "audit",
    SCHEMA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("cohort_id", sa.String(64), nullable=False, index=True),
    sa.Column("assignment_id", sa.String(40), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("details", sa.Text, nullable=False),
)


def upgrade() -> None:
    """Create every table of 0.1.0 with its indexes."""
    SCHEMA.create_all(op.get_bind())


def downgrade() -> None:
    """Drop every table."""
    SCHEMA.drop_all(op.get_bind())
