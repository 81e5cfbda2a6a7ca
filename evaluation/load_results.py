"""What one load run measured: each request as a `Sample`, the run as a `LoadReport`.

`LoadReport.from_samples` turns the samples of `evaluation.load.run_load` into counts,
nearest-rank percentiles and throughput.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

SUGGESTIONS_PATH = "/v1/suggestions"
"""The route a load run sends its requests to."""
OK = "200"
INVALID_BODY = "InvalidBody"
"""Status of a 200 answer whose body is not JSON with a ``data`` list."""


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
        warmed: Mentees asked once each before the clock started (0: none), so the run
            measures cached query vectors.
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
    warmed: int = 0

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
        warmed: int = 0,
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
            warmed=warmed,
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
