"""The HTTP server: uvicorn with a request read deadline against slow (slowloris) clients.

uvicorn bounds the idle time between keep-alive requests (``timeout_keep_alive``) but not the
time a client takes to send a request: headers or a body trickled one byte at a time hold a
connection, and with it the handler waiting for the body, for as long as the client likes.
The protocol classes here give each request a *read deadline*: from its first byte (or, on a
fresh connection, from the moment the connection opens) the client has
``Settings().read_timeout_s`` seconds to deliver the complete head and body. Past it the
server answers ``408 Request Timeout`` (if no response has started) and closes the connection.
The deadline ends when the request has been read, so slow handlers are never cut short.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import socket
from collections.abc import Callable
from functools import cache
from typing import Any, Literal, Protocol

import h11
import uvicorn
from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
from uvicorn.config import Config
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from recommender.settings import Settings

__all__ = [
    "H11_MAX_INCOMPLETE_EVENT_SIZE",
    "HTTP_PROTOCOL",
    "KEEP_ALIVE_S",
    "LIMIT_CONCURRENCY",
    "ReadDeadlineH11Protocol",
    "run",
]

LIMIT_CONCURRENCY = 1000
"""Open connections plus running requests past which uvicorn answers 503."""
KEEP_ALIVE_S = 5
"""Seconds an idle keep-alive connection is kept open between requests."""
H11_MAX_INCOMPLETE_EVENT_SIZE = 64 * 1024
"""Most bytes of an unfinished request head the h11 parser buffers."""

_Phase = Literal["idle", "reading", "deferred"]
log = logging.getLogger(__name__)


@cache
def read_timeout_s() -> float:
    """``Settings().read_timeout_s``, read once per process (settings cost ~1 ms to build).

    Returns:
        Seconds a client has to send a complete request (MENTOR_MATCH_READ_TIMEOUT_S).
    """
    return Settings().read_timeout_s


class _Cycle(Protocol):
    """What the deadline needs of uvicorn's per-request ``RequestResponseCycle`` (both kinds)."""

    response_started: bool
    response_complete: bool
    disconnected: bool
    message_event: asyncio.Event


class _ReadDeadline(asyncio.Protocol):
    """The read-deadline state machine shared by the httptools and h11 protocol classes.

    Phases: ``idle`` (no byte of a next request seen), ``reading`` (a request is arriving and
    its deadline runs) and ``deferred`` (bytes of a next request arrived while the previous
    response was still being produced; its deadline starts when that response is complete,
    since the server does not read it before).

    The connection callbacks below wrap uvicorn's (next in the method order); the concrete
    protocol classes call the other ``_deadline_*`` hooks from their parser's callbacks.
    """

    # Attributes of uvicorn's protocol classes this mixin relies on.
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    flow: FlowControl
    server_state: ServerState
    logger: logging.Logger
    client: tuple[str, int] | None
    cycle: Any

    def connection_made(  # type: ignore[override]
        self, transport: asyncio.Transport
    ) -> None:
        """Start the connection, and the deadline for its first request."""
        super().connection_made(transport)
        self._deadline_connection_made()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the deadline, then let uvicorn clean up."""
        self._deadline_stop()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Start a new request's deadline on its first byte, then parse as uvicorn does."""
        self._deadline_data(data)
        super().data_received(data)

    def on_response_complete(self) -> None:
        """As uvicorn, then start the deadline of a request that arrived meanwhile."""
        super().on_response_complete()  # type: ignore[misc]
        self._deadline_response_complete()

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        """As uvicorn's protocol (next in the method order), plus the deadline state.

        Args:
            config: the uvicorn configuration.
            server_state: uvicorn's state shared by all connections.
            app_state: the lifespan state copied into each request's scope.
            _loop: the event loop (default: the current one).
        """
        super().__init__(config, server_state, app_state, _loop)  # type: ignore[call-arg]
        self.read_timeout_s = read_timeout_s()
        self._deadline: asyncio.TimerHandle | None = None
        self._phase: _Phase = "idle"
        self._head_read = False  # the request in progress has its head parsed (and a cycle)
        self._observe_requests(config)

    def _observe_requests(self, config: Config) -> None:
        """Hook the parser's request callbacks (h11 only; httptools has its own callbacks)."""

    def _current_cycle(self) -> _Cycle | None:
        """The protocol's latest request/response cycle."""
        cycle: _Cycle | None = self.cycle
        return cycle

    def _response_pending(self) -> bool:
        """True while a request has been read and its response is not yet complete."""
        cycle = self._current_cycle()
        return cycle is not None and not cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.read_timeout_s, self._deadline_expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _deadline_connection_made(self) -> None:
        """A fresh connection must send its first byte within the deadline too."""
        self._phase = "idle"
        self._arm()

    def _deadline_data(self, data: bytes) -> None:
        """Bytes arrived (call before parsing them): the first byte of a request starts its
        deadline, unless the previous response is still being produced."""
        if data:
            self._deadline_request_begins()

    def _deadline_request_begins(self) -> None:
        """A request's first byte has been seen (also one pipelined behind another)."""
        if self._phase != "idle":
            return
        if self._response_pending():
            self._disarm()
            self._phase = "deferred"
        else:
            self._phase = "reading"
            self._arm()

    def _deadline_head_complete(self) -> None:
        """The request's head has been parsed: uvicorn gives it its own cycle."""
        self._head_read = True

    def _deadline_request_complete(self) -> None:
        """The request's head and body have been read: its deadline ends."""
        self._disarm()
        self._phase = "idle"
        self._head_read = False
        if self._more_buffered():
            self._deadline_request_begins()

    def _more_buffered(self) -> bool:
        """True if bytes after the request just read wait in the parser (overridden)."""
        return False

    def _deadline_response_complete(self) -> None:
        """A response is complete (call after uvicorn's handler, which may parse a pipelined
        request): a next request that was already arriving starts its deadline now."""
        if self._phase == "deferred" and not self.transport.is_closing():
            self._phase = "reading"
            self._arm()

    def _deadline_stop(self) -> None:
        """The connection is gone or handed to another protocol: no deadline any more."""
        self._disarm()
        self._phase = "idle"

    def _deadline_expired(self) -> None:
        """The deadline passed: answer 408 unless a response has started, then close."""
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._phase == "idle":  # a connection that never sent a byte: close quietly
            self.transport.close()
            return
        if self.flow.read_paused:  # the server, not the client, stopped reading: wait on
            self._arm()
            return
        prefix = f"{self.client[0]}:{self.client[1]} - " if self.client else ""
        current = self._current_cycle() if self._head_read else None
        if current is not None and current.response_started:
            self.logger.warning(
                "%srequest not received within %g s; response already started, closing",
                prefix,
                self.read_timeout_s,
            )
        else:
            self.logger.warning(
                "%srequest not received within %g s: 408", prefix, self.read_timeout_s
            )
            if current is not None:  # the handler waits for the body: it gets a disconnect
                current.disconnected = True
                current.message_event.set()
            self.transport.write(self._response_408())
        self._phase = "idle"
        self.transport.close()

    def _response_408(self) -> bytes:
        body = json.dumps({"detail": f"request not received within {self.read_timeout_s:g} s"})
        payload = body.encode()
        head = [b"HTTP/1.1 408 Request Timeout\r\n"]
        defaults = self.server_state.default_headers
        head += [name + b": " + value + b"\r\n" for name, value in defaults]
        head += [
            b"content-type: application/json\r\n",
            b"x-content-type-options: nosniff\r\n",
            b"content-length: %d\r\n" % len(payload),
            b"connection: close\r\n",
            b"\r\n",
        ]
        return b"".join(head) + payload


class _ObservedH11Connection(h11.Connection):
    """An ``h11.Connection`` that reports each complete request (``EndOfMessage``)."""

    def __init__(
        self,
        max_incomplete_event_size: int,
        on_head: Callable[[], None],
        on_complete: Callable[[], None],
    ) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size)
        self._on_head = on_head
        self._on_complete = on_complete

    def next_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        """The next event, as ``h11.Connection.next_event``; a request's head (``Request``)
        and end (``EndOfMessage``) are reported before they are returned.

        Returns:
            The event, or ``h11.NEED_DATA`` / ``h11.PAUSED``.
        """
        event = super().next_event()
        if isinstance(event, h11.Request):
            self._on_head()
        elif isinstance(event, h11.EndOfMessage):
            self._on_complete()
        return event


class ReadDeadlineH11Protocol(_ReadDeadline, H11Protocol):
    """uvicorn's h11 protocol with a request read deadline (used when httptools is missing)."""

    def _observe_requests(self, config: Config) -> None:
        """An h11 connection that reports each request's head and end."""
        size = config.h11_max_incomplete_event_size
        self.conn = _ObservedH11Connection(
            DEFAULT_MAX_INCOMPLETE_EVENT_SIZE if size is None else size,
            self._deadline_head_complete,
            self._deadline_request_complete,
        )

    def _more_buffered(self) -> bool:
        return bool(self.conn.trailing_data[0])

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        """The connection becomes a WebSocket (another protocol): no read deadline."""
        self._deadline_stop()
        super().handle_websocket_upgrade(event)


HTTP_PROTOCOL: type[asyncio.Protocol] = ReadDeadlineH11Protocol
"""The protocol class ``run`` serves with: httptools when installed, else h11."""

if importlib.util.find_spec("httptools") is not None:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class ReadDeadlineHttpToolsProtocol(_ReadDeadline, HttpToolsProtocol):
        """uvicorn's httptools protocol with a request read deadline."""

        def _response_pending(self) -> bool:
            return super()._response_pending() or bool(self.pipeline)

        def on_message_begin(self) -> None:
            """A request starts (maybe pipelined behind another in the same bytes)."""
            self._deadline_request_begins()
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            """As uvicorn (which creates the request's cycle), noting the head is read."""
            before = self.cycle
            super().on_headers_complete()
            if self.cycle is not before:  # not for an upgrade request, which gets none
                self._deadline_head_complete()

        def on_message_complete(self) -> None:
            """The request has been read (even one already answered): its deadline ends."""
            self._deadline_request_complete()
            super().on_message_complete()

        def handle_websocket_upgrade(self) -> None:
            """The connection becomes a WebSocket (another protocol): no read deadline."""
            self._deadline_stop()
            super().handle_websocket_upgrade()

    HTTP_PROTOCOL = ReadDeadlineHttpToolsProtocol
    __all__ += ["ReadDeadlineHttpToolsProtocol"]


def run(host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Serve ``api.main:app`` with uvicorn, hardened for exposure to untrusted clients.

    Each request must arrive within ``MENTOR_MATCH_READ_TIMEOUT_S`` (else 408); idle keep-alive
    connections close after ``KEEP_ALIVE_S``; past ``LIMIT_CONCURRENCY`` connections or
    requests uvicorn answers 503. uvicorn does not rewrite the client address from proxy
    headers (the app decides which proxies it trusts) and sends no ``Server`` header.

    Args:
        host: interface to bind.
        port: TCP port.
        workers: worker processes.
        log_level: uvicorn's log level.
    """
    log.info("request read timeout: %g s", read_timeout_s())  # bad settings fail here
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": log_level,
        "http": HTTP_PROTOCOL,
        "proxy_headers": False,
        "server_header": False,
        "date_header": True,
        "limit_concurrency": LIMIT_CONCURRENCY,
        "timeout_keep_alive": KEEP_ALIVE_S,
        "h11_max_incomplete_event_size": H11_MAX_INCOMPLETE_EVENT_SIZE,
    }
    if workers <= 1:
        uvicorn.run("api.main:app", **options)
        return
    config = Config("api.main:app", **options)
    held = PortPerWorker(host, port, config.backlog)
    try:
        Multiprocess(config, sockets=[held]).run()
    finally:
        held.close()


class PortPerWorker(socket.socket):
    """The server's port for several workers, each listening on a socket of its own.

    With one listening socket shared by the workers, a keep-alive connection stays with
    whichever worker's event loop accepted it first, and the busier worker, waking more
    often, takes more: 50 clients connecting together split 36 to 14 here, and the busier
    worker's clients waited twice as long. Here every worker opens its own socket on the
    port with ``SO_REUSEPORT`` and the kernel spreads new connections evenly across them.

    This socket holds the port in the parent process (bound, never listening, so the kernel
    sends it no connection). uvicorn hands its sockets to each worker by pickling them; this
    one unpickles as a new listening socket of the worker's own (``_listening``).
    """

    def __init__(self, host: str, port: int, backlog: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__(family, socket.SOCK_STREAM)
        self.backlog = backlog
        _reuse(self).bind((host, port))
        self.address: tuple[str, int] = self.getsockname()[:2]  # port 0: the one given

    def __reduce__(self) -> tuple[Callable[..., socket.socket], tuple[Any, ...]]:
        return _listening, (self.family, self.address, self.backlog)


def _reuse(sock: socket.socket) -> socket.socket:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock


def _listening(family: int, address: tuple[str, int], backlog: int) -> socket.socket:
    """A worker's own listening socket on the shared port (see ``PortPerWorker``)."""
    sock = _reuse(socket.socket(family, socket.SOCK_STREAM))
    sock.bind(address)
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock
