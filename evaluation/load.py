"""Bounded closed-loop HTTP load against a running service, for ``mentor-match bench``.

`run_load` starts ``concurrency`` asyncio clients, each with its own keep-alive connection
(``evaluation.wire``: a lean client, so the generator does not eat the cores the service
needs), that send ``POST /v1/suggestions`` back to back for a fixed time: a client sends its
next request when the previous answer arrives. Setup (listing mentees, the first request and
its error messages) goes through ``httpx``. Every request becomes a `Sample`;
`LoadReport.from_samples` turns them into counts, percentiles and throughput, and
`write_report` writes JSON, Markdown and a plot. A run that cannot start (service
unreachable, token refused, no mentees) raises `LoadError` with a sentence for the user
instead of a report full of identical errors.

The results live in `evaluation.load_results` and the report files are written by
`evaluation.load_report`; their public names are importable from here too.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from evaluation.load_report import REPORT_FILES, summary_rows, write_report
from evaluation.load_results import (
    INVALID_BODY,
    OK,
    SUGGESTIONS_PATH,
    LoadReport,
    Sample,
    is_completed,
    is_success,
    nearest_rank,
)
from evaluation.wire import Answer, WireClient, WireError

__all__ = [
    "INVALID_BODY",
    "MENTEES_PATH",
    "MENTEE_PAGE",
    "OK",
    "REPORT_FILES",
    "SUGGESTIONS_PATH",
    "LoadError",
    "LoadReport",
    "Progress",
    "Sample",
    "is_completed",
    "is_success",
    "nearest_rank",
    "run_load",
    "summary_rows",
    "write_report",
]

MENTEES_PATH = "/v1/mentees"
MENTEE_PAGE = 500
"""Mentees fetched when none are given (the largest page ``GET /v1/mentees`` serves)."""

Progress = Callable[[float], None]


class LoadError(Exception):
    """The load run could not start; the message says why in words a user can act on."""


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
    warm: bool = False,
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
        warm: Before the clock starts, ask for every mentee once (untimed, by the same
            clients): the run then measures stored mentees with cached query vectors.

    Returns:
        The summary and raw samples of the run.

    Raises:
        ValueError: ``concurrency``, ``duration_s``, ``k`` or ``timeout_s`` is not positive.
        LoadError: The service cannot be reached, refuses the token, or lists no mentees.
    """
    _check_positive(concurrency=concurrency, duration_s=duration_s, k=k, timeout_s=timeout_s)
    base = url.rstrip("/")
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(
            _run(base, token, concurrency, duration_s, k, mentee_ids, progress, timeout_s, warm)
        )


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (it comes with ``uvicorn[standard]``): the
    client side of a load test then costs less of the machine it shares with the service."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows, or a minimal install
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


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
    warm: bool = False,
) -> LoadReport:
    async with _client(url, token, concurrency, timeout_s) as client:
        ids = list(mentee_ids) if mentee_ids is not None else await _list_mentees(client, token)
        if not ids:
            raise LoadError("no mentee ids to ask about: pass some, or load mentees first")
        await _warm_up(client, token, ids[0], k)
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        wires = [WireClient(url, headers, timeout_s) for _ in range(concurrency)]
        try:
            if warm:
                await _warm_all(wires, ids, k)
            samples, wall_s = await _drive(wires, ids, k, duration_s, progress)
        finally:
            for wire in wires:
                wire.close()
    return LoadReport.from_samples(
        samples,
        url=url,
        k=k,
        concurrency=concurrency,
        target_duration_s=duration_s,
        duration_s=wall_s,
        warmed=len(set(ids)) if warm else 0,
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
    data = _data_list(response.content)
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


async def _warm_all(wires: Sequence[WireClient], ids: Sequence[str], k: int) -> None:
    """Ask for each distinct mentee once, one request in flight per client (untimed)."""
    todo = iter(dict.fromkeys(ids))

    async def worker(wire: WireClient) -> None:
        for mentee_id in todo:
            await _send(wire, mentee_id, k)

    await asyncio.gather(*(worker(wire) for wire in wires))


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


def _data_list(body: bytes) -> list[Any] | None:
    """The ``data`` list of a JSON answer body, or None if it has none."""
    try:
        parsed = json.loads(body)
    except ValueError:  # json.JSONDecodeError and UnicodeDecodeError are both ValueErrors
        return None
    data = parsed.get("data") if isinstance(parsed, dict) else None
    return data if isinstance(data, list) else None


async def _drive(
    wires: Sequence[WireClient],
    ids: Sequence[str],
    k: int,
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
            *(
                _client_loop(wire, ids, i, k, start, deadline, samples)
                for i, wire in enumerate(wires)
            )
        )
    finally:
        if ticker is not None:
            ticker.cancel()
    wall_s = time.perf_counter() - start
    if progress is not None:
        progress(1.0)
    return samples, wall_s


async def _client_loop(
    wire: WireClient,
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
        answer = await _send(wire, ids[i % len(ids)], k)
        latency_ms = (time.perf_counter() - sent) * 1000.0
        samples.append(Sample(sent - start, latency_ms, _status(answer)))
        i += 1


async def _send(wire: WireClient, mentee_id: str, k: int) -> Answer | str:
    """The answer, or the name of the transport error that stopped it."""
    body = json.dumps({"mentee_id": mentee_id, "k": k}).encode()
    try:
        return await wire.post_json(SUGGESTIONS_PATH, body)
    except WireError as exc:
        return exc.kind


def _status(answer: Answer | str) -> str:
    if isinstance(answer, str):
        return answer
    if answer.status != 200:
        return str(answer.status)
    return OK if _data_list(answer.body) is not None else INVALID_BODY


async def _tick(progress: Progress, start: float, duration_s: float) -> None:
    """Report the elapsed fraction once at each whole second; the caller reports the final
    1.0. (Sleeping to the next second as counted from the clock, ``1 - elapsed % 1``, woke
    a hair early under load and reported one second several times.)"""
    second = 1.0
    while second < duration_s:
        await asyncio.sleep(max(0.0, second - (time.perf_counter() - start)))
        progress(min(1.0, (time.perf_counter() - start) / duration_s))
        second += 1.0
