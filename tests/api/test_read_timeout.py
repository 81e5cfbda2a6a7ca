"""Request read deadline of the served API (``api.server``): slowloris clients get 408.

A real ``mentor-match serve`` process runs with ``MENTOR_MATCH_READ_TIMEOUT_S=2``; the tests
talk to it over raw sockets on 127.0.0.1, trickling a request's head or body one byte at a
time. Every socket loop is bounded in time and ends by itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.durability_support import CLI, START_TIMEOUT_S, TOKEN, _free_port, _server_env

READ_TIMEOUT_S = 2.0
CLOSE_BOUND_S = 5.0  # the deadline plus slack, far below the 45 s of the audit
TRICKLE_EVERY_S = 0.3
LOOP_LIMIT_S = 12.0  # no socket loop runs longer than this, whatever the server does
HOST = "127.0.0.1"

SLOW_HEAD = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
BODY_LENGTH = 1000
BODY_HEAD = (
    b"POST /v1/suggestions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: " + str(BODY_LENGTH).encode() + b"\r\n\r\n"
)
SLOW_BODY = b'{"mentee_id": "' + b"x" * (BODY_LENGTH - 17) + b'"}'
assert len(SLOW_BODY) == BODY_LENGTH


@dataclass
class Served:
    """A running server: its port and its log file."""

    port: int
    log_path: Path

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://{HOST}:{self.port}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``mentor-match serve`` on an empty data folder with a 2 s read timeout."""
    root = tmp_path_factory.mktemp("read-timeout")
    env = _server_env(root / "var")
    env["MENTOR_MATCH_READ_TIMEOUT_S"] = str(READ_TIMEOUT_S)
    for _ in range(3):  # another process may take the free port before uvicorn binds it
        port = _free_port()
        log_path = root / f"server-{port}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [CLI, "serve", "--host", HOST, "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while time.monotonic() < deadline and proc.poll() is None:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"http://{HOST}:{port}/health", timeout=2).status_code == 200:
                        yield Served(port, log_path)
                        return
                time.sleep(0.1)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)
        if "address already in use" not in log_path.read_text(errors="replace").lower():
            break
    pytest.fail(f"server did not start:\n{log_path.read_text(errors='replace')[-3000:]}")


@dataclass
class Outcome:
    """How a trickled request ended."""

    reply: bytes
    closed: bool
    seconds: float  # from the first byte sent to the server's close (or the loop's end)
    sent: int

    @property
    def status(self) -> int:
        """The reply's status code (0 if none)."""
        parts = self.reply.split(b" ", 2)
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0

    @property
    def head(self) -> str:
        """The reply's status line and headers, lower-cased."""
        return self.reply.partition(b"\r\n\r\n")[0].decode("latin-1").lower()

    @property
    def body(self) -> bytes:
        """The reply's body."""
        return self.reply.partition(b"\r\n\r\n")[2]


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection((HOST, port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def trickle(port: int, burst: bytes, slow: bytes, every: float = TRICKLE_EVERY_S) -> Outcome:
    """Send ``burst`` at once, then ``slow`` one byte every ``every`` seconds, reading
    whatever the server answers, until it closes the connection or ``LOOP_LIMIT_S`` passes.
    """
    reply = bytearray()
    sent = 0
    with _connect(port) as sock:
        start = time.monotonic()
        end = start + LOOP_LIMIT_S
        pending = [burst] if burst else []
        pending += [slow[i : i + 1] for i in range(len(slow))]
        next_send = start
        while time.monotonic() < end:
            now = time.monotonic()
            if pending and now >= next_send:
                try:
                    sock.sendall(pending.pop(0))
                    sent += 1
                except OSError:  # reset or broken pipe: the server has closed
                    return Outcome(bytes(reply), True, time.monotonic() - start, sent)
                next_send = now + every
            wait = max(0.0, min(next_send if pending else end, end) - time.monotonic())
            readable, _, _ = select.select([sock], [], [], wait)
            if readable:
                try:
                    chunk = sock.recv(65536)
                except OSError:
                    return Outcome(bytes(reply), True, time.monotonic() - start, sent)
                if not chunk:
                    return Outcome(bytes(reply), True, time.monotonic() - start, sent)
                reply += chunk
        return Outcome(bytes(reply), False, time.monotonic() - start, sent)


def read_response(sock: socket.socket, limit_s: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length body (status, headers, body)."""
    end = time.monotonic() + limit_s
    data = b""
    while b"\r\n\r\n" not in data and time.monotonic() < end:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed mid-response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:])
    }
    length = int(headers.get("content-length", "0"))
    while len(body) < length and time.monotonic() < end:
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid-body"
        body += chunk
    return int(lines[0].split(" ")[1]), headers, body


def assert_408(outcome: Outcome) -> None:
    """The server answered 408 with the JSON detail, asked to close, and closed in time."""
    assert outcome.closed, f"still open after {outcome.seconds:.1f} s ({outcome.sent} sent)"
    assert outcome.seconds < CLOSE_BOUND_S, outcome
    assert outcome.status == 408, outcome.reply
    assert "connection: close" in outcome.head
    assert "content-type: application/json" in outcome.head
    assert json.loads(outcome.body) == {"detail": "request not received within 2 s"}


def _median_report(name: str, outcomes: list[Outcome]) -> None:
    seconds = sorted(o.seconds for o in outcomes)
    print(
        f"\n{name}: time to close median {statistics.median(seconds):.2f} s "
        f"(runs {', '.join(f'{s:.2f}' for s in seconds)})"
    )


def test_trickled_headers_get_408_and_close(served: Served) -> None:
    with ThreadPoolExecutor(3) as pool:
        outcomes = list(pool.map(lambda _: trickle(served.port, b"", SLOW_HEAD), range(3)))
    _median_report("trickled headers", outcomes)
    for outcome in outcomes:
        assert_408(outcome)
        assert outcome.seconds >= READ_TIMEOUT_S - 0.1  # not closed before the deadline


def test_trickled_body_gets_408_and_close(served: Served) -> None:
    with ThreadPoolExecutor(3) as pool:
        outcomes = list(pool.map(lambda _: trickle(served.port, BODY_HEAD, SLOW_BODY), range(3)))
    _median_report("trickled body", outcomes)
    for outcome in outcomes:
        assert_408(outcome)
        assert outcome.seconds >= READ_TIMEOUT_S - 0.1


def test_silent_connection_is_closed(served: Served) -> None:
    outcome = trickle(served.port, b"", b"")
    assert outcome.closed
    assert outcome.seconds < CLOSE_BOUND_S
    assert outcome.reply == b""  # never asked anything: no 408, just closed


def test_honest_split_request_and_keep_alive(served: Served) -> None:
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with _connect(served.port) as sock:
        sock.settimeout(10)
        sock.sendall(request[:20])
        time.sleep(0.5)
        sock.sendall(request[20:])
        status, headers, body = read_response(sock)
        assert status == 200, body
        assert json.loads(body) == {"status": "ok"}
        assert headers.get("connection", "") != "close"
        # Idle longer than the read timeout (but within keep-alive): the connection stays.
        time.sleep(READ_TIMEOUT_S + 0.5)
        sock.sendall(request)
        status, _, body = read_response(sock)
        assert status == 200, body
        sock.sendall(request)
        status, _, body = read_response(sock)
        assert status == 200, body


def test_health_is_prompt_while_slow_clients_hold_connections(served: Served) -> None:
    with ThreadPoolExecutor(20) as pool:
        slow = [pool.submit(trickle, served.port, b"", SLOW_HEAD) for _ in range(10)]
        slow += [pool.submit(trickle, served.port, BODY_HEAD, SLOW_BODY) for _ in range(10)]
        time.sleep(0.5)  # let every slow client connect and start trickling
        latencies = []
        with httpx.Client(base_url=served.url, timeout=5) as client:
            for _ in range(5):
                start = time.monotonic()
                reply = client.get("/health", headers={"Connection": "close"})
                latencies.append(time.monotonic() - start)
                assert reply.status_code == 200
                time.sleep(0.1)
        still_open = sum(not f.done() for f in slow)
        outcomes = [f.result() for f in slow]
    print(
        f"\n/health with 20 slow connections open: median {statistics.median(latencies) * 1000:.1f}"
        f" ms, max {max(latencies) * 1000:.1f} ms ({still_open} slow clients open at the end)"
    )
    assert still_open == 20, "the slow clients were closed before /health was measured"
    assert max(latencies) < 1.0, latencies
    for outcome in outcomes:
        assert_408(outcome)


def test_server_logged_no_errors(served: Served) -> None:
    log = served.log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert "request not received within 2 s: 408" in log
