"""The one declarative base of every table the store's database holds.

Constraint and index names follow one convention, so a migration can name what it alters
(the index names are SQLAlchemy's defaults, which the tables of earlier releases carry).
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of the store's, keys', change log's and review's tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
