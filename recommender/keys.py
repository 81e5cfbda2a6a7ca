"""API keys: who a request is, stored hashed in the store's database.

A key is a random secret shown once at creation (``mm_`` + 43 URL-safe characters). Only its
SHA-256 digest is stored: the secrets carry 256 bits of entropy, so a fast hash is enough and
a leaked database gives no usable token. Each key has a role:

- ``admin``: everything, including ingest, keys and erasure;
- ``coordinator``: the cohorts whose id or ``program`` is one of the key's ``scopes``;
- ``mentee``: bound to one mentee id (``subject``);
- ``mentor``: bound to one mentor id (``subject``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Literal, get_args

from sqlalchemy import Boolean, String, Text, delete, select
from sqlalchemy import Engine as SqlEngine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from recommender.errors import InvalidProfile, NotFound
from recommender.profiles import ID_RE

Role = Literal["admin", "coordinator", "mentee", "mentor"]
ROLES: tuple[Role, ...] = get_args(Role)
MIN_SECRET = 16
"""Shortest secret accepted (a bootstrap token chosen by a person must not be guessable)."""


class _Base(DeclarativeBase):
    pass


class _KeyRow(_Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64), index=True, default="")
    scopes: Mapped[str] = mapped_column(Text, default="[]")
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[str] = mapped_column(String(40))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


@dataclass(frozen=True)
class Principal:
    """The identity behind a request.

    Attributes:
        key_id: the key's public id (safe to log).
        role: what the key may do.
        subject: the mentee or mentor id a ``mentee``/``mentor`` key is bound to, else "".
        scopes: cohort ids or program names a ``coordinator`` key covers.
        label: a human name for the key (shown in the audit trail).
    """

    key_id: str
    role: Role
    subject: str = ""
    scopes: frozenset[str] = frozenset()
    label: str = ""

    @property
    def actor(self) -> str:
        """How the audit trail names this principal."""
        return f"{self.role}:{self.label or self.key_id}"


@dataclass(frozen=True)
class KeyInfo:
    """A stored key without its secret."""

    id: str
    role: Role
    subject: str
    scopes: list[str]
    label: str
    created_at: str
    revoked: bool


def digest(secret: str) -> str:
    """SHA-256 hex digest of a secret, the only form in which it is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A fresh random secret."""
    return "mm_" + secrets.token_urlsafe(32)


@cache
def _create_tables(database: SqlEngine) -> None:
    _Base.metadata.create_all(database)


def check_grant(role: str, subject: str, scopes: list[str]) -> None:
    """Raise ``InvalidProfile`` naming the field when a role's binding is wrong."""
    if role not in ROLES:
        raise InvalidProfile("role", f"must be one of {', '.join(ROLES)}")
    if role in ("mentee", "mentor") and not ID_RE.match(subject):
        raise InvalidProfile("subject", f"a {role} key needs the {role}'s id")
    if role not in ("mentee", "mentor") and subject:
        raise InvalidProfile("subject", f"a {role} key is not bound to a person")
    if role == "coordinator" and not scopes:
        raise InvalidProfile("scopes", "a coordinator key needs at least one cohort or program")
    if role != "coordinator" and scopes:
        raise InvalidProfile("scopes", "only coordinator keys have scopes")
    bad = [s for s in scopes if not ID_RE.match(s)]
    if bad:
        raise InvalidProfile("scopes", f"{bad[0]!r} is not a cohort id or program name")


class Keys:
    """Create, check, list and revoke API keys in a SQLAlchemy database."""

    def __init__(self, database: SqlEngine) -> None:
        self.database = database
        _create_tables(database)

    def create(
        self,
        role: str,
        subject: str = "",
        scopes: list[str] | None = None,
        label: str = "",
        secret: str | None = None,
    ) -> tuple[KeyInfo, str]:
        """Store a new key and return it with its secret (shown this once).

        Raises:
            InvalidProfile: the role, subject, scopes or secret are not valid together.
        """
        scopes = sorted(set(scopes or []))
        check_grant(role, subject, scopes)
        secret = secret or new_secret()
        if len(secret) < MIN_SECRET:
            raise InvalidProfile("secret", f"must be at least {MIN_SECRET} characters")
        row = _KeyRow(
            id=uuid.uuid4().hex[:12],
            digest=digest(secret),
            role=role,
            subject=subject,
            scopes=json.dumps(scopes),
            label=label,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            revoked=False,
        )
        info = self._info(row)
        with Session(self.database) as session, session.begin():
            if session.scalar(select(_KeyRow.id).where(_KeyRow.digest == row.digest)):
                raise InvalidProfile("secret", "a key with this secret already exists")
            session.add(row)
        return info, secret

    def ensure_admin(self, secret: str, label: str) -> KeyInfo:
        """An admin key with this secret: the existing one, or a new one."""
        with Session(self.database) as session, session.begin():
            row = session.scalar(select(_KeyRow).where(_KeyRow.digest == digest(secret)))
            if row is not None:
                if row.role != "admin" or row.revoked:
                    row.role, row.revoked, row.subject, row.scopes = "admin", False, "", "[]"
                    session.flush()
                return self._info(row)
        return self.create("admin", label=label, secret=secret)[0]

    def authenticate(self, secret: str) -> Principal | None:
        """The principal of a live key with this secret, or None."""
        with Session(self.database) as session:
            row = session.scalar(select(_KeyRow).where(_KeyRow.digest == digest(secret)))
            if row is None or row.revoked:
                return None
            return Principal(
                key_id=row.id,
                role=row.role,  # type: ignore[arg-type]
                subject=row.subject,
                scopes=frozenset(json.loads(row.scopes)),
                label=row.label,
            )

    def list(self) -> list[KeyInfo]:
        """Every key, oldest first (secrets are never returned)."""
        with Session(self.database) as session:
            rows = session.scalars(select(_KeyRow).order_by(_KeyRow.created_at, _KeyRow.id))
            return [self._info(r) for r in rows]

    def revoke(self, key_id: str) -> KeyInfo:
        """Revoke a key; requests with it are refused from now on. Raises ``NotFound``."""
        with Session(self.database) as session, session.begin():
            row = session.get(_KeyRow, key_id)
            if row is None:
                raise NotFound("key", key_id)
            row.revoked = True
            session.flush()
            return self._info(row)

    def revoke_labelled(self, label: str) -> int:
        """Revoke every live key with this label (e.g. earlier development keys)."""
        with Session(self.database) as session, session.begin():
            rows = session.scalars(
                select(_KeyRow).where(_KeyRow.label == label, _KeyRow.revoked.is_(False))
            ).all()
            for row in rows:
                row.revoked = True
            return len(rows)

    def erase_subject(self, role: Role, subject: str) -> int:
        """Delete the keys bound to an erased person; returns how many."""
        with Session(self.database) as session, session.begin():
            result = session.execute(
                delete(_KeyRow).where(_KeyRow.role == role, _KeyRow.subject == subject)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    @staticmethod
    def _info(row: _KeyRow) -> KeyInfo:
        return KeyInfo(
            id=row.id,
            role=row.role,  # type: ignore[arg-type]
            subject=row.subject,
            scopes=list(json.loads(row.scopes)),
            label=row.label,
            created_at=row.created_at,
            revoked=bool(row.revoked),
        )
