"""API keys: who a request is, stored hashed in the store's database.

A key is a random secret shown once at creation (``mm_`` + 43 URL-safe characters). Only its
SHA-256 digest is stored: the secrets carry 256 bits of entropy, so a fast hash is enough and
a leaked database gives no usable token. Each key has a role:

- ``admin``: everything, including ingest, keys and erasure;
- ``coordinator``: the cohorts whose id or ``program`` is one of the key's ``scopes``;
- ``mentee``: bound to one mentee id (``subject``);
- ``mentor``: bound to one mentor id (``subject``).

Each key records when it was created, when and from which address it was last used (written
at most once a minute per key, so busy keys cost no write per request), an optional expiry,
and when it was revoked. ``rotate`` replaces a key by a new one with the same grant. The
bootstrap admin key (``MENTOR_MATCH_BOOTSTRAP_ADMIN_TOKEN``) is replaced when the variable
changes, revoked when it is no longer set, and stays revoked once revoked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Row, String, Text, bindparam, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from recommender.domain.errors import InvalidProfile, NotFound
from recommender.domain.kinds import Role
from recommender.domain.profiles import ID_RE
from recommender.storage.base import Base
from recommender.storage.database import Database

log = logging.getLogger(__name__)

ROLES: tuple[Role, ...] = tuple(Role)
MIN_SECRET = 16
"""Shortest secret accepted (a bootstrap token chosen by a person must not be guessable)."""
BOOTSTRAP = "bootstrap"
"""The label reserved for the bootstrap admin key."""
TOUCH_EVERY = timedelta(seconds=60)
"""Last-used time and address are written at most this often per key (or on a new address)."""


class _KeyRow(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64), index=True, default="")
    scopes: Mapped[str] = mapped_column(Text, default="[]")
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[str] = mapped_column(String(40))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[str | None] = mapped_column(String(40), nullable=True, default=None)
    expires_at: Mapped[str | None] = mapped_column(String(40), nullable=True, default=None)
    last_used_at: Mapped[str | None] = mapped_column(String(40), nullable=True, default=None)
    last_used_from: Mapped[str | None] = mapped_column(String(64), nullable=True, default=None)


_BY_DIGEST = select(
    _KeyRow.id,
    _KeyRow.role,
    _KeyRow.subject,
    _KeyRow.scopes,
    _KeyRow.label,
    _KeyRow.revoked,
    _KeyRow.expires_at,
    _KeyRow.last_used_at,
    _KeyRow.last_used_from,
).where(_KeyRow.digest == bindparam("digest"))
"""What ``Keys.authenticate`` reads of a key (built once: it runs on every request)."""


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
    revoked_at: str | None = None
    expires_at: str | None = None
    last_used_at: str | None = None
    last_used_from: str | None = None


def digest(secret: str) -> str:
    """SHA-256 hex digest of a secret, the only form in which it is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A fresh random secret."""
    return "mm_" + secrets.token_urlsafe(32)


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _expired(row: _KeyRow | Row[Any], now: datetime) -> bool:
    return row.expires_at is not None and datetime.fromisoformat(row.expires_at) <= now


def check_grant(role: str, subject: str, scopes: list[str]) -> None:
    """Raise ``InvalidProfile`` naming the field when a role's binding is wrong."""
    if role not in ROLES:
        raise InvalidProfile("role", f"must be one of {', '.join(ROLES)}")
    if role in (Role.MENTEE, Role.MENTOR) and not ID_RE.match(subject):
        raise InvalidProfile("subject", f"a {role} key needs the {role}'s id")
    if role not in ("mentee", "mentor") and subject:
        raise InvalidProfile("subject", f"a {role} key is not bound to a person")
    if role == Role.COORDINATOR and not scopes:
        raise InvalidProfile("scopes", "a coordinator key needs at least one cohort or program")
    if role != Role.COORDINATOR and scopes:
        raise InvalidProfile("scopes", "only coordinator keys have scopes")
    bad = [s for s in scopes if not ID_RE.match(s)]
    if bad:
        raise InvalidProfile("scopes", f"{bad[0]!r} is not a cohort id or program name")


class Keys:
    """Create, check, list, rotate and revoke API keys in a SQLAlchemy database."""

    def __init__(self, database: Database) -> None:
        """Keys in ``database``."""
        self.database = database

    def create(
        self,
        role: str,
        subject: str = "",
        scopes: list[str] | None = None,
        label: str = "",
        secret: str | None = None,
        expires_in_days: float | None = None,
    ) -> tuple[KeyInfo, str]:
        """Store a new key and return it with its secret (shown this once).

        Raises:
            InvalidProfile: the role, subject, scopes, label, expiry or secret are not valid.
        """
        if label == BOOTSTRAP:
            raise InvalidProfile("label", f"{BOOTSTRAP!r} is reserved for the bootstrap key")
        return self._create(role, subject, scopes, label, secret, expires_in_days)

    def _create(
        self,
        role: str,
        subject: str,
        scopes: list[str] | None,
        label: str,
        secret: str | None,
        expires_in_days: float | None,
        session: Session | None = None,
    ) -> tuple[KeyInfo, str]:
        scopes = sorted(set(scopes or []))
        check_grant(role, subject, scopes)
        if expires_in_days is not None and not 0 < expires_in_days <= 3650:
            raise InvalidProfile("expires_in_days", "must be more than 0 and at most 3650")
        secret = secret or new_secret()
        if len(secret) < MIN_SECRET:
            raise InvalidProfile("secret", f"must be at least {MIN_SECRET} characters")
        now = _now()
        expires = now + timedelta(days=expires_in_days) if expires_in_days else None
        row = _KeyRow(
            id=uuid.uuid4().hex[:12],
            digest=digest(secret),
            role=role,
            subject=subject,
            scopes=json.dumps(scopes),
            label=label,
            created_at=_stamp(now),
            revoked=False,
            expires_at=_stamp(expires) if expires else None,
        )
        info = self._info(row)
        if session is not None:
            self._add(session, row)
        else:
            with self.database.write() as own:
                self._add(own, row)
        return info, secret

    @staticmethod
    def _add(session: Session, row: _KeyRow) -> None:
        if session.scalar(select(_KeyRow.id).where(_KeyRow.digest == row.digest)):
            raise InvalidProfile("secret", "a key with this secret already exists")
        session.add(row)

    def ensure_bootstrap(self, secret: str) -> KeyInfo | None:
        """The bootstrap admin key for this secret, replacing any earlier bootstrap key.

        Other live bootstrap keys are revoked (the variable changed, so the old token stops
        working). A bootstrap key that was revoked stays revoked: None is returned and no
        admin key is made until the variable is set to a new secret.

        Raises:
            InvalidProfile: the secret is too short, or is another (non-bootstrap) key's.
        """
        if len(secret) < MIN_SECRET:
            raise InvalidProfile("secret", f"must be at least {MIN_SECRET} characters")
        wanted = digest(secret)
        with self.database.write() as session:
            now = _stamp(_now())
            live = select(_KeyRow).where(_KeyRow.label == BOOTSTRAP, _KeyRow.revoked.is_(False))
            for old in session.scalars(live).all():
                if old.digest != wanted:
                    old.revoked, old.revoked_at = True, now
                    log.info("bootstrap key %s revoked: the bootstrap token changed", old.id)
            row = session.scalar(select(_KeyRow).where(_KeyRow.digest == wanted))
            if row is not None and row.label != BOOTSTRAP:
                raise InvalidProfile(
                    "secret", "is the secret of a key other than the bootstrap key"
                )
            if row is not None:
                return None if row.revoked else self._info(row)
            return self._create("admin", "", [], BOOTSTRAP, secret, None, session=session)[0]

    def retire_bootstrap(self) -> int:
        """Revoke every live bootstrap key (the variable is no longer set); returns how many."""
        revoked = self.revoke_labelled(BOOTSTRAP)
        if revoked:
            log.info("bootstrap key revoked: MENTOR_MATCH_BOOTSTRAP_ADMIN_TOKEN is not set")
        return revoked

    def rotate(self, key_id: str, grace_minutes: float = 0) -> tuple[KeyInfo, str]:
        """A new key with the same role, person, scopes, label and lifetime; the old key is
        revoked now, or expires after ``grace_minutes`` so clients can switch over.

        Raises:
            NotFound: no such key.
            InvalidProfile: the key is revoked or expired, or the grace period is not
                between 0 and 7 days.
        """
        if not 0 <= grace_minutes <= 7 * 24 * 60:
            raise InvalidProfile("grace_minutes", "must be between 0 and 10080 (7 days)")
        with self.database.write() as session:
            old = session.get(_KeyRow, key_id)
            if old is None:
                raise NotFound("key", key_id)
            now = _now()
            if old.revoked or _expired(old, now):
                raise InvalidProfile("key_id", f"key {key_id} is revoked or expired")
            lifetime = None
            if old.expires_at is not None:
                created = datetime.fromisoformat(old.created_at)
                lifetime = (datetime.fromisoformat(old.expires_at) - created).total_seconds()
            fresh = self._create(
                old.role,
                old.subject,
                json.loads(old.scopes),
                old.label,
                None,
                lifetime / 86400 if lifetime else None,
                session=session,
            )
            if grace_minutes:
                until = now + timedelta(minutes=grace_minutes)
                if old.expires_at is None or datetime.fromisoformat(old.expires_at) > until:
                    old.expires_at = _stamp(until)
            else:
                old.revoked, old.revoked_at = True, _stamp(now)
        return fresh

    def authenticate(self, secret: str, address: str | None = None) -> Principal | None:
        """The principal of a live key with this secret, or None (unknown, revoked or
        expired). Records when, and from which ``address``, the key was last used."""
        principal, stale = self.identify(secret, address)
        if principal is not None and stale:
            self.touch(principal.key_id, address)
        return principal

    def identify(self, secret: str, address: str | None = None) -> tuple[Principal | None, bool]:
        """``authenticate``'s principal, read only (one indexed read, no write), and whether
        the key's last use is due to be recorded with ``touch`` (last recorded
        ``TOUCH_EVERY`` ago or more, or from another address)."""
        now = _now()
        # Plain columns on one connection, no ORM session: this runs on every request.
        row = self.database.quick_first(_BY_DIGEST, {"digest": digest(secret)})
        if row is None or row.revoked or _expired(row, now):
            return None, False
        principal = Principal(
            key_id=row.id,
            role=row.role,
            subject=row.subject,
            scopes=frozenset(json.loads(row.scopes)),
            label=row.label,
        )
        stale = row.last_used_at is None or (
            now - datetime.fromisoformat(row.last_used_at) >= TOUCH_EVERY
        )
        moved = address is not None and address != row.last_used_from
        return principal, stale or moved

    def touch(self, key_id: str, address: str | None = None) -> None:
        """Record that key ``key_id`` was used now (from ``address``, if given)."""
        with self.database.write() as session:
            row = session.get(_KeyRow, key_id)
            if row is not None:
                row.last_used_at = _stamp(_now())
                if address is not None:
                    row.last_used_from = address[:64]

    def list(self) -> list[KeyInfo]:
        """Every key, oldest first (secrets are never returned)."""
        with self.database.sessions() as session:
            rows = session.scalars(select(_KeyRow).order_by(_KeyRow.created_at, _KeyRow.id))
            return [self._info(r) for r in rows]

    def revoke(self, key_id: str) -> KeyInfo:
        """Revoke a key; requests with it are refused from now on. Raises ``NotFound``."""
        with self.database.write() as session:
            row = session.get(_KeyRow, key_id)
            if row is None:
                raise NotFound("key", key_id)
            if not row.revoked:
                row.revoked, row.revoked_at = True, _stamp(_now())
            session.flush()
            return self._info(row)

    def revoke_labelled(self, label: str) -> int:
        """Revoke every live key with this label (e.g. earlier development keys)."""
        with self.database.write() as session:
            rows = session.scalars(
                select(_KeyRow).where(_KeyRow.label == label, _KeyRow.revoked.is_(False))
            ).all()
            for row in rows:
                row.revoked, row.revoked_at = True, _stamp(_now())
            return len(rows)

    def erase_subject(self, role: Role, subject: str) -> int:
        """Delete the keys bound to an erased person; returns how many."""
        with self.database.write() as session:
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
            revoked_at=row.revoked_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            last_used_from=row.last_used_from,
        )
