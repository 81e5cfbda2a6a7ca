"""Durability of a served corpus: damaged snapshots at start, re-index under queries, a load run."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.durability_support import (
    SEED,
    SPECIALTIES,
    TOKEN,
    Server,
    _server_env,
    admin_health,
    assert_findable,
    assert_index_agrees,
    ingest,
    snapshot_checksum_ok,
    topics,
)
from tests.api.durability_support import launch as launch  # a pytest fixture

# -- 2. and 3. a served corpus of 200 mentors --------------------------------------------------


def corpus(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` mentors alike but for name, specialty and one distinct research topic each."""
    rng = random.Random(seed)
    texts = topics(rng, n)
    return [
        {
            "id": f"m{i:03d}",
            "name": f"Dr Corpus {i}",
            "career_stage": "senior",
            "specialty": SPECIALTIES[i % len(SPECIALTIES)],
            "research_areas": [texts[i]],
            "capacity": 3,
        }
        for i in range(n)
    ]


CORPUS = corpus(200, SEED)


@pytest.fixture(scope="module")
def served(launch: Callable[[str], Server]) -> Server:
    """A server holding ``CORPUS`` (ingested in one batch); tests may restart it."""
    server = launch("corpus")
    with server.client() as client:
        started = time.monotonic()
        assert ingest(client, CORPUS)["inserted"] == len(CORPUS)
        print(f"\n[corpus] {len(CORPUS)} mentors ingested in {time.monotonic() - started:.1f} s")
    return server


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("truncated", "checksum mismatch (truncated or corrupt file)"),
        ("deleted", "no snapshot"),
    ],
)
def test_damaged_snapshot_is_rebuilt_at_start(served: Server, damage: str, reason: str) -> None:
    """A snapshot cut in half or deleted is not used: the log says why, the index is rebuilt
    from the store, saved whole again, and answers as before."""
    served.ensure_running()
    with served.client() as client:
        before = admin_health(client)
    served.stop()
    snapshot = served.snapshot
    if damage == "truncated":
        data = snapshot.read_bytes()
        snapshot.write_bytes(data[: len(data) // 2])
    else:
        snapshot.unlink()

    served.start()
    line = f"index snapshot {snapshot} not used: {reason}; rebuilding from the store"
    assert line in served.log(), served.log()[-3000:]
    with served.client() as client:
        health = admin_health(client)
        assert_index_agrees(health)
        assert health["counts"]["mentors"] == len(CORPUS)
        assert health["index"]["items"] == before["index"]["items"]
        assert health["index"]["snapshot_seq"] == health["index"]["store_seq"]
        for record in CORPUS[:: len(CORPUS) // 4]:
            assert_findable(client, record["id"], record["research_areas"][0])
    assert snapshot_checksum_ok(snapshot), "the rebuilt index was not saved as a whole snapshot"


@dataclass
class Answer:
    """One suggestion request made during the re-index."""

    started: float
    ended: float
    status: int
    n: int


def query_loop(url: str, seed: int, stop: threading.Event, out: list[Answer], k: int) -> None:
    """Ask for suggestions (a random corpus topic each time) until ``stop`` is set."""
    rng = random.Random(seed)
    texts = [r["research_areas"][0] for r in CORPUS]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        while not stop.is_set():
            body = {
                "mentee": {"stage": "PGY2", "interests": [rng.choice(texts)]},
                "k": k,
                "filters": {"include_full": True},
            }
            started = time.monotonic()
            try:
                reply = client.post("/v1/suggestions", json=body)
                status = reply.status_code
                n = len(reply.json()["data"]) if status == 200 else -1
            except (httpx.HTTPError, ValueError, KeyError):
                status, n = -1, -1
            out.append(Answer(started, time.monotonic(), status, n))


def test_queries_are_answered_during_full_reindex(served: Server) -> None:
    """Suggestion requests sent while ``POST /v1/index/rebuild`` runs all get full answers."""
    served.ensure_running()
    k, rebuilds = 5, 3
    with served.client() as client:
        before = admin_health(client)
    stop = threading.Event()
    answers: list[list[Answer]] = [[] for _ in range(3)]
    readers = [
        threading.Thread(target=query_loop, args=(served.url, SEED + i, stop, out, k))
        for i, out in enumerate(answers)
    ]
    windows: list[tuple[float, float]] = []
    results: list[dict[str, Any]] = []
    for reader in readers:
        reader.start()
    try:
        time.sleep(0.5)
        with served.client() as client:
            for _ in range(rebuilds):
                started = time.monotonic()
                reply = client.post("/v1/index/rebuild")
                windows.append((started, time.monotonic()))
                assert reply.status_code == 200, reply.text
                results.append(reply.json())
        time.sleep(0.3)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)

    done = [a for out in answers for a in out]
    bad = [a for a in done if a.status != 200 or a.n != k]
    during = [a for a in done if any(a.started < end and a.ended > s for s, end in windows)]
    print(
        f"\n[reindex] rebuilds took {', '.join(f'{e - s:.2f}' for s, e in windows)} s; "
        f"{len(done)} queries, {len(during)} overlapping a rebuild, "
        f"max latency {max(a.ended - a.started for a in done):.2f} s; last rebuild {results[-1]}"
    )
    assert not bad, f"{len(bad)} bad answers of {len(done)}, e.g. {bad[:3]}"
    assert during, "no query overlapped a rebuild"
    for result in results:
        assert result["mentors"] == len(CORPUS)
        assert result["items"] == before["index"]["items"]
    with served.client() as client:
        health = admin_health(client)
        assert_index_agrees(health)
        assert health["index"]["items"] == before["index"]["items"]
        record = CORPUS[7]
        assert_findable(client, record["id"], record["research_areas"][0])


def test_a_short_load_run_from_a_second_process_ends_without_errors(
    served: Server, tmp_path: Path
) -> None:
    """``mentor-match bench --concurrency`` (a separate process) against the live server:
    zero errors, and its report files are written. Timings are printed, not asserted."""
    served.ensure_running()
    mentees = [
        {"id": f"load{i}", "stage": "PGY2", "interests": [topic]}
        for i, topic in enumerate(topics(random.Random(SEED), 20))
    ]
    with served.client() as client:
        reply = client.post("/v1/ingest/mentees", json={"records": mentees})
        assert reply.status_code == 200, reply.text
    env = {**_server_env(tmp_path / "unused"), "MENTOR_MATCH_TOKEN": TOKEN}
    out = tmp_path / "load"
    bench = [
        str(Path(sys.executable).with_name("mentor-match")),
        "bench",
        "--url",
        served.url,
        "--concurrency",
        "8",
        "--duration",
        "5",
        "--out",
        str(out),
    ]
    run = subprocess.run(bench, env=env, capture_output=True, text=True, timeout=120)
    print(run.stdout[-1500:])
    assert run.returncode == 0, run.stdout + run.stderr
    summary = json.loads((out / "load.json").read_text())
    assert summary["errors"] == 0 and summary["requests"] > 0
    assert (out / "load.png").stat().st_size > 0
