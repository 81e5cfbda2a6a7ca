"""Durability of the served API under SIGKILL: acknowledged writes survive a kill mid-stream."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.api.durability_support import (
    CITIES,
    SEED,
    SPECIALTIES,
    TOKEN,
    Server,
    admin_health,
    assert_findable,
    assert_index_agrees,
    holds,
    ingest,
    topics,
)
from tests.api.durability_support import launch as launch  # a pytest fixture
from tests.conftest import FACULTY

# -- 1. SIGKILL during a stream of writes ----------------------------------------------------


@dataclass
class Write:
    """One mentor version sent to the server, and whether a 2xx answer came back."""

    content: dict[str, Any]
    acked: bool = False


@dataclass
class WriteLog:
    """Every version written per mentor id, in the order sent (one writer thread)."""

    history: dict[str, list[Write]] = field(default_factory=dict)
    new_ids: list[str] = field(default_factory=list)
    last_sent: list[Write] = field(default_factory=list)
    requests_acked: int = 0
    records_acked: int = 0
    failure: str = ""
    """Why the stream stopped (the exception at the kill), or a wrong answer."""

    def send(self, records: list[dict[str, Any]]) -> list[Write]:
        """Note records about to be sent."""
        writes = [Write(dict(r)) for r in records]
        self.last_sent = writes
        for write in writes:
            self.history.setdefault(write.content["id"], []).append(write)
        return writes

    def ack(self, writes: list[Write]) -> None:
        """Note that the server acknowledged these writes."""
        for write in writes:
            write.acked = True
        self.requests_acked += 1
        self.records_acked += len(writes)

    def latest(self, mentor_id: str) -> dict[str, Any]:
        """The last version sent for an id."""
        return self.history[mentor_id][-1].content

    def allowed(self, mentor_id: str) -> list[dict[str, Any] | None]:
        """Versions the store may hold after a crash: the last acknowledged one or any later
        (unacknowledged) one; None (absent) only if no write of the id was acknowledged."""
        writes = self.history[mentor_id]
        acked = [i for i, w in enumerate(writes) if w.acked]
        start = acked[-1] if acked else 0
        options: list[dict[str, Any] | None] = [w.content for w in writes[start:]]
        return options if acked else [None, *options]


def _new_mentor(n: int, topic: str) -> dict[str, Any]:
    return {
        "id": f"new-{n:03d}",
        "name": f"Dr New {n}",
        "career_stage": "senior",
        "specialty": SPECIALTIES[n % len(SPECIALTIES)],
        "research_areas": [topic],
        "capacity": 3,
    }


def _revised(content: dict[str, Any], rng: random.Random, revision: int) -> dict[str, Any]:
    """A changed version (name, location, capacity) that leaves the embedded text alone."""
    base = content["name"].split(" (rev")[0]
    return {
        **content,
        "name": f"{base} (rev {revision})",
        "location": rng.choice(CITIES),
        "capacity": rng.choice([3, 4, 5]),
    }


def stream_writes(url: str, seed: int, log: WriteLog, stop: threading.Event) -> None:
    """Write until the server stops answering: single new mentors, updates and small batches.

    Each request is noted before it is sent and acknowledged on a 2xx answer, so when the
    server is killed the request in flight stays unacknowledged.
    """
    rng = random.Random(seed)
    fresh = iter(topics(rng, 600))
    counter = itertools.count(1)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=20) as client:
        while not stop.is_set():
            op = rng.choices(["new", "update", "batch"], weights=[5, 3, 2])[0]
            n_new = {"new": 1, "update": 0, "batch": rng.randint(1, 2)}[op]
            n_upd = {"new": 0, "update": 1, "batch": rng.randint(1, 2)}[op]
            records = [_new_mentor(len(log.new_ids) + i, next(fresh)) for i in range(n_new)]
            for mentor_id in rng.sample(sorted(log.history), n_upd):
                records.append(_revised(log.latest(mentor_id), rng, next(counter)))
            writes = log.send(records)
            log.new_ids += [r["id"] for r in records[:n_new]]
            try:
                if op == "batch":
                    reply = client.post("/v1/ingest/mentors", json={"records": records})
                    expected: Any = {"inserted": n_new, "updated": n_upd, "unchanged": 0}
                    got: Any = reply.json() if reply.status_code == 200 else None
                else:
                    body = {k: v for k, v in records[0].items() if k != "id"}
                    reply = client.put(f"/v1/mentors/{records[0]['id']}", json=body)
                    expected, got = (201 if op == "new" else 200), reply.status_code
            except httpx.HTTPError as exc:
                log.failure = f"{type(exc).__name__}: {exc}"
                return
            if not reply.is_success or got != expected:
                log.failure = f"wrong answer to {op}: {reply.status_code} {reply.text[:300]}"
                return
            log.ack(writes)


def test_acknowledged_writes_survive_sigkill(launch: Callable[[str], Server]) -> None:
    """After a SIGKILL mid-stream, every acknowledged write is stored as acknowledged (or as
    a later unacknowledged version), a batch in flight is all or nothing, and the index
    agrees with the store so new mentors can be found."""
    rng = random.Random(SEED)
    server = launch("crash")
    log = WriteLog()
    seed = [m.model_dump(mode="json", exclude_defaults=True) | {"id": m.id} for m in FACULTY[:10]]
    with server.client() as client:
        assert ingest(client, seed)["inserted"] == len(seed)
    log.ack(log.send(seed))

    stop = threading.Event()
    writer = threading.Thread(target=stream_writes, args=(server.url, SEED + 1, log, stop))
    writer.start()
    target = rng.randint(16, 32)  # stream requests acknowledged before the kill
    try:
        deadline = time.monotonic() + 30
        while log.requests_acked <= target and writer.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.3))  # then a random moment in the stream
        server.kill()
    finally:
        stop.set()
        writer.join(timeout=30)
    assert not writer.is_alive()
    assert log.failure and not log.failure.startswith("wrong answer"), log.failure
    in_flight = [w for w in log.last_sent if not w.acked]
    requests, records = log.requests_acked - 1, log.records_acked - len(seed)
    print(
        f"\n[crash] {requests} write requests ({records} records) acknowledged before SIGKILL;"
        f" in flight: {[w.content['id'] for w in in_flight]} ({log.failure})"
    )

    server.start()
    startup = [line for line in server.log().splitlines() if "index snapshot" in line]
    with server.client() as client:
        present, stored = 0, {}
        for mentor_id in sorted(log.history):
            reply = client.get(f"/v1/mentors/{mentor_id}")
            assert reply.status_code in (200, 404), reply.text
            found = stored[mentor_id] = reply.json() if reply.status_code == 200 else None
            allowed = log.allowed(mentor_id)
            assert any(holds(found, version) for version in allowed), (
                f"{mentor_id}: store holds {found}, expected one of {allowed}"
            )
            present += found is not None
        landed = {holds(stored[w.content["id"]], w.content) for w in in_flight}
        assert len(landed) <= 1, "the batch in flight was written in part"
        health = admin_health(client)
        assert_index_agrees(health)
        assert health["counts"]["mentors"] == present
        assert client.get("/v1/mentors", params={"limit": 500}).json()["count"] == present

        acked_new = [i for i in log.new_ids if any(w.acked for w in log.history[i])]
        for mentor_id in rng.sample(acked_new, min(5, len(acked_new))):
            assert_findable(client, mentor_id, log.latest(mentor_id)["research_areas"][0])
    print(
        f"[crash] after restart: write in flight landed: {landed or 'none in flight'}; "
        f"{present} mentors stored, index {health['index']}; "
        f"snapshot at start: {startup or ['loaded as saved']}"
    )
