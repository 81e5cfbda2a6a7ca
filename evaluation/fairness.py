"""Does one client's embedding work hold up another's? A measurement against a live server.

The admin key (which has no embedding budget) keeps three maximum-size inline profiles in
flight, each with fresh texts so nothing is cached; meanwhile a mentee key asks for its stored
profile's suggestions and, in turn, a small inline profile with new text (which needs a
forward pass of its own), one request after another. Reported:
the second client's latencies (median, p90, max) and the heavy requests' durations, beside the
second client's latency on an idle server.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class FairnessResult:
    """Latencies in seconds."""

    idle: list[float] = field(default_factory=list)
    contended: list[float] = field(default_factory=list)
    fresh: list[float] = field(default_factory=list)
    heavy: list[float] = field(default_factory=list)
    heavy_status: list[int] = field(default_factory=list)
    light_status: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        """Medians, p90 and maxima (seconds)."""

        def p90(xs: list[float]) -> float:
            return sorted(xs)[max(0, int(0.9 * len(xs)) - 1)] if xs else float("nan")

        return {
            "idle_median_s": statistics.median(self.idle) if self.idle else float("nan"),
            "contended_median_s": (
                statistics.median(self.contended) if self.contended else float("nan")
            ),
            "contended_p90_s": p90(self.contended),
            "contended_max_s": max(self.contended, default=float("nan")),
            "fresh_median_s": statistics.median(self.fresh) if self.fresh else float("nan"),
            "fresh_p90_s": p90(self.fresh),
            "fresh_max_s": max(self.fresh, default=float("nan")),
            "heavy_median_s": statistics.median(self.heavy) if self.heavy else float("nan"),
            "light_requests": float(len(self.contended)),
        }


def heavy_profile() -> dict[str, Any]:
    """A maximum-size inline profile (20 goals of 4,000 characters, 100 interests of 300),
    with fresh words so nothing is cached."""
    tag = uuid.uuid4().hex[:8]
    words = " ".join(f"topic{tag}w{i} in clinical outcomes research." for i in range(200))
    goals = [f"Goal {j}: {words}"[:4000] for j in range(20)]
    interests = [f"Interest {i} {tag}: {words}"[:300] for i in range(100)]
    return {"mentee": {"stage": "PGY2", "goals": goals, "interests": interests}, "k": 10}


def _light_key(client: httpx.Client) -> tuple[str, str]:
    mentees = client.get("/v1/mentees", params={"limit": 1}).json()["data"]
    if not mentees:
        raise RuntimeError("the server needs a stored mentee")
    made = client.post(
        "/v1/keys",
        json={"role": "mentee", "subject": mentees[0]["id"], "label": "fairness-bench"},
    )
    made.raise_for_status()
    return made.json()["secret"], mentees[0]["id"]


def run_fairness(
    url: str, admin_token: str, in_flight: int = 3, seconds: float = 20.0
) -> FairnessResult:
    """Measure as the module doc says (bounded: stops after ``seconds``)."""
    admin = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=120
    )
    light_secret, light_id = _light_key(admin)
    result = FairnessResult()
    light = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {light_secret}"}, timeout=120
    )
    for _ in range(5):
        started = time.perf_counter()
        light.get(f"/v1/mentees/{light_id}/suggestions")
        result.idle.append(time.perf_counter() - started)
    stop = time.monotonic() + seconds
    busy = threading.Event()

    def heavy_loop() -> None:
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=300
        ) as client:
            while time.monotonic() < stop:
                busy.set()
                started = time.perf_counter()
                answer = client.post("/v1/suggestions", json=heavy_profile())
                result.heavy.append(time.perf_counter() - started)
                result.heavy_status.append(answer.status_code)

    threads = [threading.Thread(target=heavy_loop, daemon=True) for _ in range(in_flight)]
    for thread in threads:
        thread.start()
    busy.wait(10)
    time.sleep(1.0)  # let the heavy requests reach the model
    turn = 0
    while time.monotonic() < stop:
        turn += 1
        started = time.perf_counter()
        if turn % 2:  # the stored mentee (their texts' vectors are cached after the first)
            answer = light.get(f"/v1/mentees/{light_id}/suggestions")
            result.contended.append(time.perf_counter() - started)
        else:  # a small inline profile with new text: needs a forward pass of its own
            fresh = {"stage": "MS3", "interests": [f"sepsis care {uuid.uuid4().hex[:6]}"]}
            answer = light.post("/v1/suggestions", json={"mentee": fresh, "k": 10})
            result.fresh.append(time.perf_counter() - started)
        result.light_status.append(answer.status_code)
        time.sleep(0.2)
    for thread in threads:
        thread.join(timeout=300)
    return result
