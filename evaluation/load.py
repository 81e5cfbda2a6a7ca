"""Bounded closed-loop HTTP load against a running service, for ``mentor-match bench``.

`run_load` starts ``concurrency`` asyncio clients that share one ``httpx.AsyncClient`` (one
connection per client, so the client side never queues behind its own pool) and each send
``POST /v1/suggestions`` back to back for a fixed time: a client sends its next request when
the previous answer arrives. Every request becomes a `Sample`; `LoadReport.from_samples` turns
them into counts, percentiles and throughput, and `write_report` writes JSON, Markdown and a
plot. A run that cannot start (service unreachable, token refused, no mentees) raises
`LoadError` with a sentence for the user instead of a report full of identical errors.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import matplotlib

matplotlib.use("Agg")  # headless: never open a window, whatever the caller's default is

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

SUGGESTIONS_PATH = "/v1/suggestions"
MENTEES_PATH = "/v1/mentees"
MENTEE_PAGE = 500
"""Mentees fetched when none are given (the largest page ``GET /v1/mentees`` serves)."""
OK = "200"
INVALID_BODY = "InvalidBody"
"""Status of a 200 answer whose body is not JSON with a ``data`` list."""
REPORT_FILES = ("load.json", "load.md", "load.png")

_DASH = "–"
_DPI = 110
_MAX_POINTS = 20_000  # scatter points drawn; more only slows matplotlib down
_OK_COLOUR, _ERROR_COLOUR = "#2b7bba", "#d95f02"

Progress = Callable[[float], None]


class LoadError(Exception):
    """The load run could not start; the message says why in words a user can act on."""


class Sample(NamedTuple):
    """One request of a load run.

    Attributes:
        t_s: When it was sent, in seconds since the run started.
        latency_ms: Time until the whole answer arrived (or the transport failed), in ms.
        status: The HTTP status (``"200"``, ``"503"``), `INVALID_BODY`, or the class name of
            the transport error (``"ReadTimeout"``, ``"ConnectError"``).
    """

    t_s: float
    latency_ms: float
    status: str


def is_success(status: str) -> bool:
    """Whether a sample's status counts as a successful request (HTTP 200 with a data list)."""
    return status == OK


def is_completed(status: str) -> bool:
    """Whether an answer arrived at all (any HTTP status), as opposed to a transport error."""
    return status.isdigit() or status == INVALID_BODY


@dataclass(frozen=True)
class LoadReport:
    """Summary of one load run, plus its raw samples.

    Latency measures (``p50_ms`` … ``mean_ms``) cover the *completed* requests, those that got
    an HTTP answer of any status; transport errors are left out because their latency is the
    timeout or the refusal, not the service's. Percentiles are nearest-rank: the smallest
    latency with at least p % of completed requests at or below it, so each is a latency that
    was actually observed and ``p50 <= p90 <= p99 <= max``. They are NaN when nothing
    completed.

    Attributes:
        url: Base URL of the service.
        k: Suggestions asked for per request.
        concurrency: Number of closed-loop clients.
        target_duration_s: How long clients kept sending new requests.
        duration_s: Actual wall time, from the first request until the last answer.
        requests: Requests sent (completed or not).
        errors: Requests that were not a 200 with a ``data`` list.
        errors_by_kind: Error count per status, e.g. ``{"503": 2, "ReadTimeout": 1}``.
        p50_ms: Median latency in ms.
        p90_ms: 90th percentile latency in ms.
        p99_ms: 99th percentile latency in ms.
        max_ms: Largest latency in ms.
        mean_ms: Mean latency in ms.
        throughput_rps: Successful requests per wall-clock second.
        samples: Every request, in the order answers arrived.
    """

    url: str
    k: int
    concurrency: int
    target_duration_s: float
    duration_s: float
    requests: int
    errors: int
    errors_by_kind: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    throughput_rps: float
    samples: list[Sample] = field(repr=False)

    @classmethod
    def from_samples(
        cls,
        samples: Sequence[Sample],
        *,
        url: str,
        k: int,
        concurrency: int,
        target_duration_s: float,
        duration_s: float,
    ) -> LoadReport:
        """Count, rank and rate ``samples`` of a run that lasted ``duration_s`` seconds."""
        kinds = Counter(s.status for s in samples if not is_success(s.status))
        latencies = sorted(s.latency_ms for s in samples if is_completed(s.status))
        successes = len(samples) - sum(kinds.values())
        return cls(
            url=url,
            k=k,
            concurrency=concurrency,
            target_duration_s=target_duration_s,
            duration_s=duration_s,
            requests=len(samples),
            errors=sum(kinds.values()),
            errors_by_kind=dict(sorted(kinds.items())),
            p50_ms=nearest_rank(latencies, 50),
            p90_ms=nearest_rank(latencies, 90),
            p99_ms=nearest_rank(latencies, 99),
            max_ms=latencies[-1] if latencies else math.nan,
            mean_ms=sum(latencies) / len(latencies) if latencies else math.nan,
            throughput_rps=successes / duration_s if duration_s > 0 else 0.0,
            samples=list(samples),
        )

    def summary(self) -> dict[str, Any]:
        """Every field but the samples, JSON-ready (NaN becomes None)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "samples":
                continue
            value = getattr(self, f.name)
            out[f.name] = None if isinstance(value, float) and math.isnan(value) else value
        return out


def nearest_rank(sorted_values: Sequence[float], percent: int) -> float:
    """Nearest-rank percentile of ascending ``sorted_values``; NaN for an empty sequence."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(percent * len(sorted_values) / 100))
    return sorted_values[rank - 1]


def run_load(
    url: str,
    *,
    token: str | None,
    concurrency: int,
    duration_s: float,
    k: int = 10,
    mentee_ids: Sequence[str] | None = None,
    progress: Progress | None = None,
    timeout_s: float = 10.0,
) -> LoadReport:
    """Send suggestion requests from ``concurrency`` closed-loop clients for ``duration_s``.

    Without ``mentee_ids`` the first 500 mentees are listed from ``GET /v1/mentees``. One
    untimed warm-up request checks that the service answers and accepts the token; then the
    clock starts. Client ``i`` asks for mentee ``i``, ``i + 1``, … (cycling). Requests still in
    flight at the deadline are awaited and counted. Must not be called from a running event
    loop (it calls `asyncio.run`).

    Args:
        url: Base URL of the service, e.g. ``http://127.0.0.1:8000``.
        token: Bearer token sent as ``Authorization``, or None to send none.
        concurrency: Number of clients, each with one request in flight at a time.
        duration_s: Seconds during which clients start new requests.
        k: Suggestions asked for per request.
        mentee_ids: Mentees to ask about, or None to list them from the service.
        progress: Called about once a second with the fraction of ``duration_s`` elapsed,
            and with 1.0 at the end.
        timeout_s: Per-request timeout; a request that exceeds it counts as an error
            (``ReadTimeout`` and the like).

    Returns:
        The summary and raw samples of the run.

    Raises:
        ValueError: ``concurrency``, ``duration_s``, ``k`` or ``timeout_s`` is not positive.
        LoadError: The service cannot be reached, refuses the token, or lists no mentees.
    """
    _check_positive(concurrency=concurrency, duration_s=duration_s, k=k, timeout_s=timeout_s)
    base = url.rstrip("/")
    return asyncio.run(
        _run(base, token, concurrency, duration_s, k, mentee_ids, progress, timeout_s)
    )


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value!r}")


async def _run(
    url: str,
    token: str | None,
    concurrency: int,
    duration_s: float,
    k: int,
    mentee_ids: Sequence[str] | None,
    progress: Progress | None,
    timeout_s: float,
) -> LoadReport:
    async with _client(url, token, concurrency, timeout_s) as client:
        ids = list(mentee_ids) if mentee_ids is not None else await _list_mentees(client, token)
        if not ids:
            raise LoadError("no mentee ids to ask about: pass some, or load mentees first")
        await _warm_up(client, token, ids[0], k)
        samples, wall_s = await _drive(client, ids, k, concurrency, duration_s, progress)
    return LoadReport.from_samples(
        samples,
        url=url,
        k=k,
        concurrency=concurrency,
        target_duration_s=duration_s,
        duration_s=wall_s,
    )


def _client(url: str, token: str | None, concurrency: int, timeout_s: float) -> httpx.AsyncClient:
    """One pool with a connection per client; environment proxies are ignored on purpose."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(
        base_url=url,
        headers=headers,
        limits=limits,
        timeout=httpx.Timeout(timeout_s),
        trust_env=False,  # measure the service, not a proxy between us and it
    )


async def _list_mentees(client: httpx.AsyncClient, token: str | None) -> list[str]:
    what = f"GET {MENTEES_PATH}"
    try:
        response = await client.get(MENTEES_PATH, params={"limit": MENTEE_PAGE})
    except httpx.RequestError as exc:
        raise LoadError(f"could not reach {client.base_url}: {_describe(exc)}") from exc
    _check_auth(response, what, token)
    if response.status_code != 200:
        raise LoadError(f"{what} answered HTTP {response.status_code}: {_snippet(response)}")
    ids = _mentee_ids(response)
    if not ids:
        raise LoadError(f"{what} returned no mentees: load some into the service first")
    return ids


def _mentee_ids(response: httpx.Response) -> list[str]:
    data = _data_list(response)
    if data is None:
        raise LoadError(f"GET {MENTEES_PATH} did not answer JSON with a data list")
    return [str(row["id"]) for row in data if isinstance(row, dict) and "id" in row]


async def _warm_up(client: httpx.AsyncClient, token: str | None, mentee_id: str, k: int) -> None:
    """One untimed request: fail early if the service is down or refuses the token."""
    try:
        response = await client.post(SUGGESTIONS_PATH, json={"mentee_id": mentee_id, "k": k})
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise LoadError(f"could not reach {client.base_url}: {_describe(exc)}") from exc
    except httpx.RequestError:
        return  # slow or flaky, not down: the run itself will count these
    _check_auth(response, f"POST {SUGGESTIONS_PATH}", token)


def _check_auth(response: httpx.Response, what: str, token: str | None) -> None:
    if response.status_code not in (401, 403):
        return
    problem = "the token was refused" if token is not None else "the service needs a token"
    raise LoadError(f"{problem}: {what} answered HTTP {response.status_code}: {_snippet(response)}")


def _describe(exc: Exception) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _snippet(response: httpx.Response, limit: int = 200) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "") if text else "(empty body)"


def _data_list(response: httpx.Response) -> list[Any] | None:
    try:
        body = response.json()
    except ValueError:  # json.JSONDecodeError and UnicodeDecodeError are both ValueErrors
        return None
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, list) else None


async def _drive(
    client: httpx.AsyncClient,
    ids: Sequence[str],
    k: int,
    concurrency: int,
    duration_s: float,
    progress: Progress | None,
) -> tuple[list[Sample], float]:
    """Run the clients; return their samples and the wall time until the last answer."""
    samples: list[Sample] = []
    start = time.perf_counter()
    deadline = start + duration_s
    ticker = None if progress is None else asyncio.create_task(_tick(progress, start, duration_s))
    try:
        await asyncio.gather(
            *(_client_loop(client, ids, i, k, start, deadline, samples) for i in range(concurrency))
        )
    finally:
        if ticker is not None:
            ticker.cancel()
    wall_s = time.perf_counter() - start
    if progress is not None:
        progress(1.0)
    return samples, wall_s


async def _client_loop(
    client: httpx.AsyncClient,
    ids: Sequence[str],
    offset: int,
    k: int,
    start: float,
    deadline: float,
    samples: list[Sample],
) -> None:
    """One closed-loop client: send, wait for the answer, record, repeat until the deadline."""
    i = offset
    while (sent := time.perf_counter()) < deadline:
        answer = await _send(client, ids[i % len(ids)], k)
        latency_ms = (time.perf_counter() - sent) * 1000.0
        samples.append(Sample(sent - start, latency_ms, _status(answer)))
        i += 1


async def _send(client: httpx.AsyncClient, mentee_id: str, k: int) -> httpx.Response | str:
    """The answer, or the class name of the transport error that stopped it."""
    try:
        return await client.post(SUGGESTIONS_PATH, json={"mentee_id": mentee_id, "k": k})
    except httpx.RequestError as exc:
        return type(exc).__name__


def _status(answer: httpx.Response | str) -> str:
    if isinstance(answer, str):
        return answer
    if answer.status_code != 200:
        return str(answer.status_code)
    return OK if _data_list(answer) is not None else INVALID_BODY


async def _tick(progress: Progress, start: float, duration_s: float) -> None:
    """Report the elapsed fraction each second; the caller reports the final 1.0."""
    while (elapsed := time.perf_counter() - start) < duration_s - 1.0:
        await asyncio.sleep(1.0 - elapsed % 1.0)
        progress(min(1.0, (time.perf_counter() - start) / duration_s))


def summary_rows(report: LoadReport) -> list[tuple[str, str]]:
    """(measure, value) pairs for a table: counts, throughput, latencies, parameters."""
    return [
        ("requests", str(report.requests)),
        ("errors", _errors_text(report)),
        ("throughput (req/s)", f"{report.throughput_rps:.1f}"),
        ("p50 (ms)", _ms(report.p50_ms)),
        ("p90 (ms)", _ms(report.p90_ms)),
        ("p99 (ms)", _ms(report.p99_ms)),
        ("max (ms)", _ms(report.max_ms)),
        ("concurrency", str(report.concurrency)),
        ("duration (s)", f"{report.duration_s:.2f}"),
    ]


def _errors_text(report: LoadReport) -> str:
    if not report.errors:
        return "0"
    share = report.errors / report.requests
    kinds = ", ".join(f"{kind}: {n}" for kind, n in report.errors_by_kind.items())
    return f"{report.errors} ({share:.1%}; {kinds})"


def _ms(value: float) -> str:
    return _DASH if math.isnan(value) else f"{value:.1f}"


def write_report(report: LoadReport, out: Path) -> list[Path]:
    """Write ``load.json`` (summary), ``load.md`` (table) and ``load.png`` (plot) under ``out``.

    Args:
        report: The run to describe.
        out: Folder to write into; created if missing.

    Returns:
        The paths written, in the order of `REPORT_FILES`.
    """
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path, png_path = (out / name for name in REPORT_FILES)
    json_path.write_text(json.dumps(report.summary(), indent=2) + "\n", encoding="utf-8")
    md_path.write_text(_markdown(report, png_path.name), encoding="utf-8")
    _plot(report, png_path)
    return [json_path, md_path, png_path]


def _markdown(report: LoadReport, plot_name: str) -> str:
    completed = sum(is_completed(s.status) for s in report.samples)
    lines = [
        "# Load test: suggestions",
        "",
        f"`POST {SUGGESTIONS_PATH}` at `{report.url}` with `k={report.k}`, "
        f"`concurrency={report.concurrency}`, `duration={report.target_duration_s:g} s`. "
        "Closed loop: each client sends its next request when the previous answer arrives.",
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in summary_rows(report)),
        f"| mean (ms) | {_ms(report.mean_ms)} |",
        "",
        f"Latencies are nearest-rank percentiles over the {completed} requests that got an "
        "HTTP answer (any status); transport errors such as timeouts are counted as errors "
        "but left out of the latencies. Throughput counts successful requests only.",
        "",
        f"![Latency and throughput over time]({plot_name})",
        "",
    ]
    return "\n".join(lines)


def _plot(report: LoadReport, path: Path) -> None:
    fig, (latency_ax, rate_ax) = plt.subplots(
        2, 1, figsize=(10, 7), sharex=True, height_ratios=(2, 1), layout="constrained"
    )
    try:
        _plot_latency(latency_ax, report)
        _plot_throughput(rate_ax, report)
        fig.suptitle(f"{report.url}: concurrency {report.concurrency}, k={report.k}")
        fig.savefig(path, dpi=_DPI)
    finally:
        plt.close(fig)


def _plot_latency(ax: Axes, report: LoadReport) -> None:
    completed = [s for s in report.samples if is_completed(s.status)]
    shown = completed[:: max(1, math.ceil(len(completed) / _MAX_POINTS))]
    ok = [s for s in shown if is_success(s.status)]
    bad = [s for s in shown if not is_success(s.status)]
    ax.scatter([s.t_s for s in ok], [s.latency_ms for s in ok], s=4, alpha=0.3, c=_OK_COLOUR)
    if bad:
        ax.scatter(
            [s.t_s for s in bad], [s.latency_ms for s in bad], s=8, c=_ERROR_COLOUR, label="error"
        )
    centres, p50, p99 = _rolling_percentiles(completed, _window_s(report.target_duration_s))
    ax.plot(centres, p50, color="black", label="rolling p50")
    ax.plot(centres, p99, color="black", linestyle="--", label="rolling p99")
    ax.set_ylabel("latency (ms)")
    ax.set_ylim(bottom=0)
    ax.set_title("Latency of each request, by the time it was sent")
    if completed:
        ax.legend(loc="upper right")
    else:
        ax.text(0.5, 0.5, "no request got an answer", ha="center", transform=ax.transAxes)


def _window_s(duration_s: float) -> float:
    """Rolling-window width: 1 s, or less for short runs so the line has ~10 points."""
    return min(1.0, max(duration_s / 10, 0.05))


def _rolling_percentiles(
    samples: Sequence[Sample], window_s: float
) -> tuple[list[float], list[float], list[float]]:
    """Window centres and nearest-rank p50 and p99 of latencies sent in each window."""
    windows: dict[int, list[float]] = {}
    for s in samples:
        windows.setdefault(int(s.t_s // window_s), []).append(s.latency_ms)
    centres, p50, p99 = [], [], []
    for index in sorted(windows):
        values = sorted(windows[index])
        centres.append((index + 0.5) * window_s)
        p50.append(nearest_rank(values, 50))
        p99.append(nearest_rank(values, 99))
    return centres, p50, p99


def _plot_throughput(ax: Axes, report: LoadReport) -> None:
    """Answers per second, by the second they arrived; errors stacked on successes.

    Answers to requests still in flight at the deadline are counted in the last second.
    """
    seconds = max(1, math.ceil(report.target_duration_s))
    ok, bad = [0] * seconds, [0] * seconds
    for s in report.samples:
        second = min(seconds - 1, int(s.t_s + s.latency_ms / 1000.0))
        (ok if is_success(s.status) else bad)[second] += 1
    left = list(range(seconds))
    ax.bar(left, ok, width=0.9, align="edge", color=_OK_COLOUR, label="successful")
    ax.bar(left, bad, width=0.9, align="edge", bottom=ok, color=_ERROR_COLOUR, label="errors")
    ax.set_xlabel("seconds since the start of the run")
    ax.set_ylabel("requests / s")
    ax.set_title("Throughput per second")
    ax.legend(loc="lower right")
