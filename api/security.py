"""The guard in front of every route: client address, authentication, rate limits, security
headers, and a last catch for unexpected errors.

- **Client address**: the TCP peer, or, when the peer is one of ``trusted_proxies``, the
  right-most address in ``X-Forwarded-For`` that is not itself a trusted proxy. A client
  cannot choose its own address by sending the header.
- **Rate limits** (the ``limits`` library, moving windows; counters in memory or a shared
  store such as Redis): per address for every request; per address for requests without a
  token; per key (admin keys have their own, higher limit); and failed authentications per
  address, past which every request from that address that carries a token gets 429, so
  tokens cannot be guessed at speed. A refusal is 429 with ``Retry-After``.
- **Authentication** happens here once per request (the route dependencies read the result),
  recording the key's last use and address.
- **Headers**: ``nosniff``, ``Referrer-Policy: no-referrer``, ``X-Frame-Options: DENY`` and a
  Content-Security-Policy on every answer (``default-src 'none'`` for data; the coordinator
  page may load only its own script and style sheet; the API docs' pages only this server's
  assets and their own inline blocks, by hash); ``Cache-Control: no-store`` on data.
- **Errors**: an exception no handler took is logged as its type and route only (no
  traceback: its message could quote SQL parameters or personal data) and answered 500.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from limits import RateLimitItem, parse_many, storage, strategies
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recommender.domain.kinds import Role
from recommender.retrieval.workload import EmbeddingBudgetExceeded, Workload, workload
from recommender.settings import Settings
from recommender.storage.keys import Keys, Principal

log = logging.getLogger(__name__)

AUTH = "mentor_match_auth"
"""Key in the request's state: ``("ok", principal)``, ``("failed", None)`` or absent."""

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
DATA_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
DOCS_PAGES = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
"""The interactive API docs' pages: their scripts and style sheets come from this server
(``/docs/assets``), plus the inline blocks FastAPI writes into each page, allowed by hash."""
_INLINE = {
    "script": re.compile(r"<script>(.*?)</script>", re.DOTALL),
    "style": re.compile(r"<style>(.*?)</style>", re.DOTALL),
}


def docs_csp(html: str = "", redoc: bool = False) -> str:
    """The docs pages' policy: only this server's scripts, styles, images and API, and the
    inline ``<script>`` and ``<style>`` blocks of ``html`` by their SHA-256 (nothing else
    inline, nothing from another host). ``redoc`` adds what ReDoc's own script does at run
    time: it writes ``<style>`` elements (any inline style, never script) and runs its search
    in a worker made from a ``blob:`` URL."""

    def sources(kind: str) -> str:
        if kind == "style" and redoc:
            return "'self' 'unsafe-inline'"
        hashes = [
            "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
            for body in _INLINE[kind].findall(html)
        ]
        return " ".join(["'self'", *hashes])

    worker = "worker-src blob:; " if redoc else ""
    return (
        f"default-src 'none'; script-src {sources('script')}; style-src {sources('style')}; "
        f"{worker}img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )


def _networks(entries: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(e, strict=False) for e in entries]


def _trusted(address: str, networks: list[Any]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(scope: Scope, networks: list[Any]) -> str:
    """The client's address (see the module doc for forwarded-for handling)."""
    peer = scope.get("client")
    address = peer[0] if peer else "unknown"
    if not networks or not _trusted(address, networks):
        return str(address)
    forwarded = [
        value.decode("latin-1")
        for name, value in scope.get("headers", [])
        if name == b"x-forwarded-for"
    ]
    hops = [h.strip() for h in ",".join(forwarded).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return str(address)


def bearer_token(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if any."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = str(value.decode("latin-1")).partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused, and when to come back."""

    message: str
    retry_after: int


class SweptMemoryStorage(storage.MemoryStorage):
    """``limits``' in-memory counters, with expired counters swept at most once a second.

    The library's storage starts a new timer thread to sweep them whenever its last one
    has finished, about every 10 ms under load: a thread started from the event loop ~100
    times a second (3% of a loaded worker's time here). Expiry does not depend on the
    sweep (every read drops an expired counter first); the sweep only frees the memory
    of keys no longer used, which once a second does as well.
    """

    STORAGE_SCHEME: list[str] = []  # noqa: RUF012  # not registered: ``rate_limit_storage`` makes it
    SWEEP_EVERY_S = 1.0

    def __init__(self, uri: str | None = None, **options: Any) -> None:
        self._next_sweep = 0.0
        super().__init__(uri, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802  # the library's hook
        now = time.monotonic()
        if now < self._next_sweep or self.timer.is_alive():
            return
        self._next_sweep = now + self.SWEEP_EVERY_S
        self.timer = threading.Timer(0.01, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
        self.timer.daemon = True
        self.timer.start()


def rate_limit_storage(uri: str) -> storage.Storage:
    """The counters' storage for ``uri``: ``memory://`` in this process (swept quietly,
    see ``SweptMemoryStorage``), anything else as ``limits`` opens it (e.g. Redis)."""
    if uri == "memory://" and hasattr(storage.MemoryStorage, "_MemoryStorage__expire_events"):
        return SweptMemoryStorage(uri)
    return cast(storage.Storage, storage.storage_from_string(uri))


class Limits:
    """The rate limits and the embedding budget, from settings."""

    def __init__(self, settings: Settings) -> None:
        # Two counters per key and window (the current and the previous, weighted): O(1) a
        # hit, where a moving window keeps and shifts a list of every hit in the window.
        self.limiter = strategies.SlidingWindowCounterRateLimiter(
            rate_limit_storage(settings.rate_limit_storage)
        )
        self.per_address = parse_many(settings.rate_limit_per_address)
        self.anonymous = parse_many(settings.rate_limit_anonymous)
        self.per_key = parse_many(settings.rate_limit_per_key)
        self.admin = parse_many(settings.rate_limit_admin)
        self.failed_auth = parse_many(settings.rate_limit_failed_auth)
        self.embed = parse_many(f"{settings.embed_chars_per_minute}/minute")

    def hit(self, items: list[RateLimitItem], what: str, ident: str, cost: int = 1) -> bool:
        """Count one request (``cost`` units) against each limit; False if one is exceeded."""
        return all(self.limiter.hit(item, what, ident, cost=cost) for item in items)

    def exhausted(self, items: list[RateLimitItem], what: str, ident: str) -> bool:
        """True when a limit has nothing left (without counting a hit)."""
        return not all(self.limiter.test(item, what, ident) for item in items)

    def retry_after(self, items: list[RateLimitItem], what: str, ident: str) -> int:
        """Seconds until every one of ``items`` admits again."""
        waits = []
        for item in items:
            stats = self.limiter.get_window_stats(item, what, ident)
            if stats.remaining <= 0:
                waits.append(math.ceil(stats.reset_time - time.time()))
        return max([1, *waits])

    def embedding_charge(self, key_id: str) -> Callable[[int], None]:
        """A callback taking characters from the key's per-minute embedding budget."""

        def charge(chars: int) -> None:
            if not self.hit(self.embed, "embed", key_id, cost=chars):
                raise EmbeddingBudgetExceeded(
                    f"embedding budget spent: at most {self.embed[0].amount:,} characters "
                    "per minute per key",
                    per_request=False,
                    retry_after=self.retry_after(self.embed, "embed", key_id),
                )

        return charge


def _unit(what: str) -> str:
    return "failed authentications" if what == "failed-auth" else "requests"


def _per(what: str) -> str:
    return {
        "address": "per address",
        "anonymous": "per address without a token",
        "key": "per key",
        "admin": "per admin key",
        "failed-auth": "per address",
        "embed": "characters per key",
    }[what]


def too_many(refusal: Refusal) -> JSONResponse:
    """The 429 answer."""
    return JSONResponse(
        {"detail": f"{refusal.message}; retry in {refusal.retry_after} s"},
        status_code=429,
        headers={"Retry-After": str(refusal.retry_after)},
    )


class Guard:
    """Pure ASGI middleware: see the module doc."""

    def __init__(self, app: ASGIApp, limits: Limits, trusted_proxies: list[str]) -> None:
        self.app = app
        self.limits = limits
        self.networks = _networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                _security_headers(MutableHeaders(scope=message), path)
            await send(message)

        try:
            refusal = await self._admit(scope)
            if refusal is not None:
                await too_many(refusal)(scope, receive, send_with_headers)
                return
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            # The type and the route only: a message or traceback could quote personal data.
            route = getattr(scope.get("route"), "path", path)
            log.error("unexpected %s on %s %s", type(exc).__name__, scope.get("method"), route)
            if not started:
                answer = JSONResponse({"detail": "internal error (logged)"}, status_code=500)
                await answer(scope, receive, send_with_headers)

    async def _admit(self, scope: Scope) -> Refusal | None:
        address = client_address(scope, self.networks)
        scope.setdefault("state", {})["client_address"] = address
        checks: list[tuple[list[RateLimitItem], str, str]] = [
            (self.limits.per_address, "address", address)
        ]
        token = bearer_token(scope)
        if token is None:
            checks.append((self.limits.anonymous, "anonymous", address))
        elif self.limits.exhausted(self.limits.failed_auth, "failed-auth", address):
            return self._refusal(self.limits.failed_auth, "failed-auth", address)
        for items, what, ident in checks:
            if not self.limits.hit(items, what, ident):
                return self._refusal(items, what, ident)
        if token is None:
            return None
        keys: Keys = scope["app"].state.keys
        if keys.database.reads_quickly:  # a read of microseconds: a thread hop costs more
            principal, stale = keys.identify(token, address)
            if principal is not None and stale:  # a durable write: off the event loop
                await run_in_threadpool(keys.touch, principal.key_id, address)
        else:
            principal = await run_in_threadpool(keys.authenticate, token, address)
        scope["state"][AUTH] = ("ok", principal) if principal else ("failed", None)
        if principal is None:
            self.limits.hit(self.limits.failed_auth, "failed-auth", address)
            return None
        items, what = (
            (self.limits.admin, "admin")
            if principal.role == Role.ADMIN
            else (self.limits.per_key, "key")
        )
        if not self.limits.hit(items, what, principal.key_id):
            return self._refusal(items, what, principal.key_id)
        return None

    def _refusal(self, items: list[RateLimitItem], what: str, ident: str) -> Refusal:
        allowed = " and ".join(str(item) for item in items)
        message = f"too many {_unit(what)}: at most {allowed} {_per(what)}"
        return Refusal(message, self.limits.retry_after(items, what, ident))


def _security_headers(headers: MutableHeaders, path: str) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    if path in DOCS_PAGES:
        # The page sets its own policy (with its inline blocks' hashes); this one is the floor.
        headers.setdefault("Content-Security-Policy", docs_csp())
        return
    headers.setdefault("Content-Security-Policy", PAGE_CSP if path.startswith("/ui") else DATA_CSP)
    if path.startswith("/v1/") or path == "/health":
        headers.setdefault("Cache-Control", "no-store")


def authenticated(request: Request) -> tuple[str, Principal | None] | None:
    """What the guard found for this request's token, if it ran."""
    found: tuple[str, Principal | None] | None = getattr(request.state, AUTH, None)
    return found


@contextmanager
def embedding_work(request: Request, principal: Principal) -> Iterator[Workload]:
    """Serve the block as ``principal``'s embedding work: mentee and mentor keys within the
    per-request and per-minute budgets; staff keys fairly, without a budget."""
    settings: Settings = request.app.state.settings
    limits: Limits = request.app.state.limits
    if principal.role in (Role.MENTEE, Role.MENTOR):
        charge = limits.embedding_charge(principal.key_id)
        with workload(principal.key_id, settings.embed_chars_per_request, charge) as work:
            yield work
    else:
        with workload(principal.key_id) as work:
            yield work


class _NoTraceback(logging.Filter):
    """Keeps a record but drops its traceback and arguments' detail: a traceback can quote
    SQL parameters, key digests or profile text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            kind = record.exc_info[0].__name__ if record.exc_info[0] else "error"
            record.msg = f"{record.getMessage()} ({kind}; traceback withheld)"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_tracebacks() -> None:
    """No traceback from the server's own loggers (uvicorn reports errors that escape the
    app with one)."""
    for name in ("uvicorn.error", "uvicorn", "starlette", "fastapi"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoTraceback) for f in logger.filters):
            logger.addFilter(_NoTraceback())
