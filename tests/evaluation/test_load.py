"""The load generator against a stub HTTP server on 127.0.0.1.

The server is a stand-in for the real service: it speaks the same two routes
(``GET /v1/mentees``, ``POST /v1/suggestions``), checks the bearer token, and can be told to
answer some requests with 503, a broken body, or too slowly. What is under test here is the
load generator (closed loop, counting, percentiles, report files), not the recommender, so a
stub keeps these tests fast and free of the embedding model; the real service is exercised
by the API tests.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from evaluation.load import (
    REPORT_FILES,
    LoadError,
    LoadReport,
    Sample,
    run_load,
    summary_rows,
    write_report,
)

TOKEN = "s3cret"
MENTEES = [f"mentee-{i}" for i in range(5)]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SUMMARY_KEYS = {
    "url",
    "k",
    "concurrency",
    "target_duration_s",
    "duration_s",
    "requests",
    "errors",
    "warmed",
    "errors_by_kind",
    "p50_ms",
    "p90_ms",
    "p99_ms",
    "max_ms",
    "mean_ms",
    "throughput_rps",
}


@dataclass
class Stub:
    """What the stub server answers, and what it saw.

    ``fail_every=n`` answers every n-th suggestion request with 503 (likewise ``broken_every``
    with a 200 whose body is not JSON, ``slow_every`` with a ``slow_s`` pause). The first
    request is never touched, so the load generator's warm-up request succeeds.
    """

    mentees: list[str] = field(default_factory=lambda: list(MENTEES))
    fail_every: int = 0
    broken_every: int = 0
    slow_every: int = 0
    slow_s: float = 0.0
    suggestion_calls: int = 0
    asked: Counter[str] = field(default_factory=Counter)
    ks: set[int] = field(default_factory=set)
    mentee_limits: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, mentee_id: str, k: int) -> int:
        with self.lock:
            self.suggestion_calls += 1
            self.asked[mentee_id] += 1
            self.ks.add(k)
            return self.suggestion_calls


def _every(n: int, call: int) -> bool:
    return n > 0 and call % n == 0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # the default 5 drops SYNs when many clients connect at once
    stub: Stub

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client gives up on a slow answer and closes the socket."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real service
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """No access log in the test output."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/v1/mentees":
            self._reply(404, {"detail": "not found"})
        elif self._authorised():
            stub = self.server.stub
            stub.mentee_limits.extend(parse_qs(url.query).get("limit", []))
            rows = [{"id": mentee_id} for mentee_id in stub.mentees]
            self._reply(200, {"data": rows, "count": len(rows)})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        if self.path != "/v1/suggestions":
            self._reply(404, {"detail": "not found"})
        elif self._authorised():
            self._suggest(body["mentee_id"], body["k"])

    def _suggest(self, mentee_id: str, k: int) -> None:
        stub = self.server.stub
        call = stub.count(mentee_id, k)
        if _every(stub.slow_every, call):
            time.sleep(stub.slow_s)
        if _every(stub.fail_every, call):
            self._reply(503, {"detail": "index is rebuilding"})
        elif _every(stub.broken_every, call):
            self._reply(200, "<html>oops</html>")
        else:
            data = [{"mentor_id": f"mentor-{r}", "rank": r + 1} for r in range(k)]
            self._reply(200, {"mentee_id": mentee_id, "data": data, "count": k})

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {TOKEN}":
            return True
        self._reply(401, {"detail": "invalid or missing bearer token"})
        return False

    def _reply(self, status: int, body: dict[str, Any] | str) -> None:
        raw = (body if isinstance(body, str) else json.dumps(body)).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except OSError:  # the client timed out and closed the connection
            self.close_connection = True


@contextmanager
def serve(stub: Stub) -> Iterator[str]:
    """Run the stub on a free port in a background thread; yield its base URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.stub = stub
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class HealthyRun:
    report: LoadReport
    stub: Stub
    progress: list[float]


@pytest.fixture(scope="module")
def healthy() -> HealthyRun:
    """One 2-second run with 8 clients against a server that never fails."""
    stub, progress = Stub(), []
    with serve(stub) as url:
        report = run_load(
            url, token=TOKEN, concurrency=8, duration_s=2.0, k=7, progress=progress.append
        )
    return HealthyRun(report, stub, progress)


def test_healthy_server_gives_no_errors_and_consistent_numbers(healthy: HealthyRun) -> None:
    report = healthy.report
    assert report.errors == 0 and report.errors_by_kind == {}
    assert report.requests > 0
    assert report.p50_ms <= report.p90_ms <= report.p99_ms <= report.max_ms
    # The run stops sending at 2 s and ends when the requests then in flight are answered.
    assert 2.0 <= report.duration_s < 2.0 + report.max_ms / 1000 + 1.0
    assert report.throughput_rps == pytest.approx(report.requests / report.duration_s)
    assert len(report.samples) == report.requests
    assert all(0.0 <= s.t_s < 2.0 for s in report.samples)
    rows = dict(summary_rows(report))
    assert rows["requests"] == str(report.requests)
    assert rows["errors"] == "0"
    assert rows["concurrency"] == "8"


def test_clients_cycle_through_the_listed_mentees(healthy: HealthyRun) -> None:
    stub = healthy.stub
    assert stub.mentee_limits == ["500"]
    assert set(stub.asked) == set(MENTEES)
    assert stub.ks == {7}
    assert stub.suggestion_calls == healthy.report.requests + 1  # plus the warm-up request


def test_progress_is_reported_about_once_a_second(healthy: HealthyRun) -> None:
    assert 2 <= len(healthy.progress) <= 4
    assert healthy.progress == sorted(healthy.progress)
    assert healthy.progress[-1] == 1.0


@pytest.mark.parametrize("mentee_ids", [None, MENTEES], ids=["listed", "given"])
def test_wrong_token_raises_load_error(mentee_ids: list[str] | None) -> None:
    with serve(Stub()) as url, pytest.raises(LoadError, match=r"token was refused.*401"):
        run_load(url, token="wrong", concurrency=2, duration_s=0.5, mentee_ids=mentee_ids)


def test_missing_token_says_the_service_needs_one() -> None:
    with serve(Stub()) as url, pytest.raises(LoadError, match="needs a token"):
        run_load(url, token=None, concurrency=2, duration_s=0.5)


def test_no_mentees_raises_load_error() -> None:
    with serve(Stub(mentees=[])) as url, pytest.raises(LoadError, match="no mentees"):
        run_load(url, token=TOKEN, concurrency=2, duration_s=0.5)


def test_503s_and_broken_bodies_are_counted_by_kind() -> None:
    stub = Stub(fail_every=5, broken_every=7)
    with serve(stub) as url:
        report = run_load(url, token=TOKEN, concurrency=4, duration_s=1.0)
    assert report.errors_by_kind["503"] > 0
    assert report.errors_by_kind["InvalidBody"] > 0
    assert set(report.errors_by_kind) == {"503", "InvalidBody"}
    assert report.errors == sum(report.errors_by_kind.values())
    assert report.errors == sum(s.status != "200" for s in report.samples)
    assert report.throughput_rps == pytest.approx(
        (report.requests - report.errors) / report.duration_s
    )


def test_timeouts_during_the_run_are_counted_as_transport_errors() -> None:
    stub = Stub(slow_every=4, slow_s=0.6)
    with serve(stub) as url:
        report = run_load(url, token=TOKEN, concurrency=4, duration_s=1.0, timeout_s=0.2)
    assert set(report.errors_by_kind) == {"ReadTimeout"}
    assert 0 < report.errors < report.requests


@pytest.mark.parametrize("mentee_ids", [None, MENTEES], ids=["listed", "given"])
def test_nothing_listening_raises_load_error(mentee_ids: list[str] | None) -> None:
    """A dead address is a setup mistake: say so at once, not after a run of 100 % errors."""
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(LoadError, match=rf"could not reach {re.escape(url)}.*ConnectError"):
        run_load(url, token=TOKEN, concurrency=2, duration_s=0.5, mentee_ids=mentee_ids)


def test_percentiles_are_nearest_rank_over_answered_requests() -> None:
    samples = [Sample(i / 100, float(i), "200") for i in range(1, 101)]
    samples.append(Sample(0.5, 10_000.0, "ReadTimeout"))  # no answer: not a latency
    report = LoadReport.from_samples(
        samples, url="http://x", k=10, concurrency=1, target_duration_s=2.0, duration_s=2.0
    )
    assert (report.p50_ms, report.p90_ms, report.p99_ms, report.max_ms) == (50, 90, 99, 100)
    assert report.mean_ms == pytest.approx(50.5)
    assert (report.requests, report.errors, report.errors_by_kind) == (101, 1, {"ReadTimeout": 1})
    assert report.throughput_rps == pytest.approx(50.0)


def test_write_report_writes_json_markdown_and_plot(healthy: HealthyRun, tmp_path: Path) -> None:
    paths = write_report(healthy.report, tmp_path / "bench")
    assert [p.name for p in paths] == list(REPORT_FILES)
    json_path, md_path, png_path = paths
    summary = json.loads(json_path.read_text(encoding="utf-8"))
    assert set(summary) == SUMMARY_KEYS
    assert summary["requests"] == healthy.report.requests
    markdown = md_path.read_text(encoding="utf-8")
    assert "| requests |" in markdown and "concurrency=8" in markdown and "k=7" in markdown
    assert png_path.read_bytes().startswith(PNG_MAGIC)


def test_write_report_survives_a_run_where_nothing_answered(tmp_path: Path) -> None:
    report = LoadReport.from_samples(
        [Sample(0.0, 200.0, "ReadTimeout")],
        url="http://x",
        k=10,
        concurrency=1,
        target_duration_s=1.0,
        duration_s=1.0,
    )
    json_path, md_path, _ = write_report(report, tmp_path)
    assert json.loads(json_path.read_text(encoding="utf-8"))["p50_ms"] is None
    assert "| p50 (ms) | – |" in md_path.read_text(encoding="utf-8")


def test_a_warm_run_asks_every_mentee_once_before_the_clock_starts() -> None:
    stub = Stub()
    with serve(stub) as url:
        report = run_load(url, token=TOKEN, concurrency=3, duration_s=0.5, k=5, warm=True)
    distinct = list(dict.fromkeys(MENTEES))
    # the untimed check request and one untimed request per mentee, then the timed ones
    assert sum(stub.asked.values()) == 1 + len(distinct) + report.requests
    assert all(stub.asked[m] >= 1 for m in distinct)
    assert report.warmed == len(distinct)
    assert dict(summary_rows(report))["warmed mentees (untimed)"] == f"{len(distinct):,}"
    assert report.summary()["warmed"] == len(distinct)
