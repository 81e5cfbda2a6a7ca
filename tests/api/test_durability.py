"""Durability of the served API: SIGKILL mid-write, damaged index snapshots, re-index under load.

Each test runs the real CLI server (``mentor-match serve``) as its own process group, so it
can be SIGKILLed and restarted on the same data folder, and talks to it over HTTP. Server
output goes to a log file per start, so tests can assert on its log lines.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import FACULTY

TOKEN = "durability-admin-secret-0123456789"
CLI = shutil.which("mentor-match", path=str(Path(sys.executable).parent)) or "mentor-match"
START_TIMEOUT_S = 90.0
SEED = 20261125

CONDITIONS = [
    "sepsis",
    "type 2 diabetes",
    "heart failure",
    "childhood asthma",
    "chronic kidney disease",
    "ischemic stroke",
    "melanoma",
    "major depression",
    "knee osteoarthritis",
    "preterm birth",
    "opioid use disorder",
    "atrial fibrillation",
    "lung cancer",
    "hip fracture",
    "liver cirrhosis",
    "HIV infection",
    "tuberculosis",
    "chronic migraine",
    "obesity",
    "COPD exacerbations",
]
METHODS = [
    "machine learning risk prediction",
    "pragmatic randomized trials",
    "health equity research",
    "genomic sequencing",
    "quality improvement",
    "telemedicine follow-up",
    "imaging biomarkers",
    "cost-effectiveness analysis",
    "implementation science",
    "qualitative interviews",
]
PLACES = [
    "in rural clinics",
    "in older adults",
    "in the intensive care unit",
    "in pregnant patients",
    "in veterans",
    "in low-income countries",
    "in primary care",
    "after hospital discharge",
]
SPECIALTIES = sorted({m.specialty for m in FACULTY})
CITIES = ["Boston", "Denver", "Lyon", "Osaka", "Lagos", "Lima"]


def topics(rng: random.Random, n: int) -> list[str]:
    """``n`` distinct research topics ("<method> of <condition> <place>"), in random order."""
    combos = rng.sample(list(itertools.product(METHODS, CONDITIONS, PLACES)), n)
    return [f"{method} of {condition} {place}" for method, condition, place in combos]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_env(data_dir: Path) -> dict[str, str]:
    """The test's environment without any ``MENTOR_MATCH_*`` setting, plus this server's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_MATCH_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        PYTHONUNBUFFERED="1",
        MENTOR_MATCH_DATA_DIR=str(data_dir),
        MENTOR_MATCH_BOOTSTRAP_ADMIN_TOKEN=TOKEN,
    )
    return env


class Server:
    """``mentor-match serve`` over one data folder, one process at a time.

    Args:
        data_dir: the folder holding the SQLite store and the index snapshot.
        log_dir: where each start's combined stdout and stderr is written.
    """

    def __init__(self, data_dir: Path, log_dir: Path) -> None:
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.url = ""
        self.log_path = log_dir / "none.log"
        self.starts = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def snapshot(self) -> Path:
        """The FAISS snapshot file (its metadata is ``index.meta.json`` beside it)."""
        return self.data_dir / "index.faiss"

    @property
    def running(self) -> bool:
        """True while the current process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start a new process on a free port and wait until ``/health`` answers."""
        for _ in range(3):  # another process may take the free port before uvicorn binds it
            if self._launch():
                return
            if "address already in use" not in self.log().lower():
                break
        pytest.fail(f"server did not start; log {self.log_path}:\n{self.log()[-3000:]}")

    def _launch(self) -> bool:
        self.starts += 1
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = self.log_dir / f"{self.data_dir.name}-start{self.starts}.log"
        with self.log_path.open("wb") as log:
            self._proc = subprocess.Popen(
                [CLI, "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=_server_env(self.data_dir),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and self.running:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        return False

    def kill(self) -> None:
        """SIGKILL the whole process group (no shutdown code runs) and reap it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), or SIGKILL after 20 s."""
        if self._proc is None:
            return
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self._proc.pid, signal.SIGTERM)
            self._proc.wait(timeout=20)
        self.kill()

    def ensure_running(self) -> None:
        """Start the server if no process is serving."""
        if not self.running:
            self.start()

    def log(self) -> str:
        """What the current (or last) process wrote."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def client(self, timeout: float = 60.0) -> httpx.Client:
        """An admin client of the current process."""
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=timeout
        )


@pytest.fixture(scope="module")
def launch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Server]]:
    """Start a server on a fresh data folder; every server is killed at module teardown."""
    root = tmp_path_factory.mktemp("durability")
    servers: list[Server] = []

    def make(name: str) -> Server:
        server = Server(root / name, root)
        servers.append(server)
        server.start()
        return server

    yield make
    for server in servers:
        server.kill()


def admin_health(client: httpx.Client) -> dict[str, Any]:
    """``GET /health`` with the admin token (counts and index state)."""
    reply = client.get("/health")
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def assert_index_agrees(health: dict[str, Any]) -> None:
    """The index holds exactly the stored mentors."""
    index, counts = health["index"], health["counts"]
    assert index["in_sync"] is True, health
    assert index["mentors"] == counts["mentors"], health


def suggest(client: httpx.Client, interest: str, k: int = 5) -> list[dict[str, Any]]:
    """Suggestions for an inline PGY2 mentee with one interest (full mentors included)."""
    reply = client.post(
        "/v1/suggestions",
        json={
            "mentee": {"stage": "PGY2", "interests": [interest]},
            "k": k,
            "filters": {"include_full": True},
        },
    )
    assert reply.status_code == 200, reply.text
    data: list[dict[str, Any]] = reply.json()["data"]
    return data


def assert_findable(client: httpx.Client, mentor_id: str, text: str) -> None:
    """Asking with the mentor's own research text puts them in the top 3."""
    top = [s["mentor_id"] for s in suggest(client, text)[:3]]
    assert mentor_id in top, f"{mentor_id} ({text!r}) not in top 3 {top}"


def ingest(client: httpx.Client, records: list[dict[str, Any]]) -> dict[str, int]:
    """``POST /v1/ingest/mentors`` (one transaction); the counts it reports."""
    reply = client.post("/v1/ingest/mentors", json={"records": records})
    assert reply.status_code == 200, reply.text
    counts: dict[str, int] = reply.json()
    return counts


def snapshot_checksum_ok(snapshot: Path) -> bool:
    """True if the snapshot's bytes match the checksum in its metadata."""
    meta = json.loads(snapshot.with_suffix(".meta.json").read_text())
    return hashlib.sha256(snapshot.read_bytes()).hexdigest() == meta["checksum"]


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


def holds(found: dict[str, Any] | None, version: dict[str, Any] | None) -> bool:
    """True if a stored record (None: absent) is this version (None: absent)."""
    if found is None or version is None:
        return found is version
    return all(found.get(key) == value for key, value in version.items())


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
