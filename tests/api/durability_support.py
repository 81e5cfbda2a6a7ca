"""The live ``mentor-match serve`` process and HTTP helpers shared by the durability tests."""

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
import time
from collections.abc import Callable, Iterator
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


def holds(found: dict[str, Any] | None, version: dict[str, Any] | None) -> bool:
    """True if a stored record (None: absent) is this version (None: absent)."""
    if found is None or version is None:
        return found is version
    return all(found.get(key) == value for key, value in version.items())
