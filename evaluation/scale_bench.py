"""How suggestions scale with the number of mentors: 1k to 1M, in process and over HTTP.

A synthetic program of N mentors is the bundled sample program scaled up: mentor ``i`` is a
copy of sample mentor ``i mod 320`` under a new id, with its own capacity, load, hours and
timezone drawn at random, and item vectors made by **perturbing the real embeddings** of the
sample mentor's item texts (Gaussian noise, cosine about 0.9 to the original, renormalised).
Embedding a million profiles would take days on two cores; only the 320 sample mentors'
texts (and the mentees' query texts) go through the model. The sample's 600 mentees are
stored as they are; past ratings are not copied (they name sample mentor ids).

For each N the benchmark writes the program to a fresh SQLite store, builds the index as
the engine would (the kind chosen by size, or ``Settings``), then measures: index type,
build time, memory (RSS of this process, index and column bytes), candidate recall of the
index against exact search (on the stored mentees' real query vectors), in-process p50/p99
of a stored-mentee suggestion and of an inline free-text one, HTTP p50/p99 sequential, and
throughput with concurrent clients (a live ``mentor-match serve`` on 127.0.0.1). Run
through ``mentor-match bench --mentors``; the table and plot are ``evaluation.scale_report``'s.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

import numpy as np

from evaluation.load_results import nearest_rank
from recommender.domain.items import Item, mentor_items
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Mentee, Mentor
from recommender.engine import Engine, build_engine, index_policy, query_vectors
from recommender.retrieval.embedding import CachedEmbedder, Embedder
from recommender.retrieval.index import MentorIndex, write_snapshot
from recommender.retrieval.threads import request_threads
from recommender.settings import Settings
from recommender.storage.ingest import parse_file
from recommender.storage.store import Store

Progress = Callable[[str, int, int], None]
"""``(stage, done, total)``: called as a stage advances."""

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
NOISE_COSINE = 0.9
"""Expected cosine of a perturbed item vector to the real embedding it was made from."""
TIMEZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London")
WRITE_CHUNK = 5_000
RATE_LIMITS = (
    "rate_limit_per_key",
    "rate_limit_admin",
    "rate_limit_per_address",
    "rate_limit_anonymous",
)
"""Lifted on the benchmark's server: 50 clients on one key measure the engine, not the
per-key limit (which has tests of its own)."""
INLINE_TEXTS = (
    "outcomes research in {} and mentoring for residency applications",
    "clinical trials in {}, work-life balance as a parent in training",
    "{} quality improvement project and career advice for an academic path",
    "global health and {} with a focus on underserved communities",
)


@dataclass
class ScaleRow:
    """One program size's figures (times in ms unless named ``_s``; memory in MB)."""

    mentors: int
    items: int
    index_type: str
    build_s: float
    load_s: float
    rss_mb: float
    index_mb: float
    columns_mb: float
    recall: float
    stored_p50: float
    stored_p99: float
    inline_p50: float
    inline_p99: float
    http_p50: float = float("nan")
    http_p99: float = float("nan")
    load_rps: float = float("nan")
    load_p99: float = float("nan")
    load_errors: int = 0
    mapped_mb: float = 0.0
    rss_anon_mb: float = float("nan")
    lexical_mb: float = 0.0

    def as_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


def rss_mb() -> float:
    """Resident set size of this process, MB (from /proc; 0 where there is none)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def rss_anon_mb() -> float:
    """This process's own resident memory, MB: resident pages not backed by a file (mapped
    snapshot pages are the system's cache, shared and reclaimable); NaN where unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024 / 1e6
    except (OSError, IndexError, ValueError):
        pass
    return float("nan")


@dataclass(frozen=True)
class Base:
    """The sample program the synthetic one is made from, with real item embeddings."""

    mentors: list[Mentor]
    mentees: list[Mentee]
    vectors: list[np.ndarray]  # per base mentor: float32 (n_items, dim)

    @classmethod
    def load(cls, embedder: Embedder, sample: Path = SAMPLE, first: int | None = None) -> Base:
        """The sample program's mentors (the ``first`` ones, default all) and mentees, the
        mentors' item texts embedded by ``embedder``."""
        mentors = list(parse_file(sample / "mentors.jsonl").records)[:first]
        mentees = list(parse_file(sample / "mentees.jsonl").records)
        texts = [[i.text for i in mentor_items(m)] for m in mentors]  # type: ignore[arg-type]
        flat = embedder.encode([t for group in texts for t in group])
        vectors, start = [], 0
        for group in texts:
            vectors.append(flat[start : start + len(group)])
            start += len(group)
        return cls(mentors, mentees, vectors)  # type: ignore[arg-type]

    def with_mentees(self, n: int) -> Base:
        """The first ``n`` sample mentees, or all of them and copies under new ids."""
        more = [
            self.mentees[i % len(self.mentees)].model_copy(update={"id": f"bench-mentee-{i:07d}"})
            for i in range(len(self.mentees), n)
        ]
        return Base(self.mentors, (self.mentees + more)[:n], self.vectors)


def synthetic_mentors(
    base: Base, n: int, seed: int = 0, chunk: int = WRITE_CHUNK
) -> Iterator[list[tuple[Mentor, np.ndarray]]]:
    """``n`` synthetic mentors with their item vectors, ``chunk`` at a time."""
    rng = np.random.default_rng(seed)
    dim = base.vectors[0].shape[1]
    sigma = np.sqrt((1 / NOISE_COSINE**2 - 1) / dim)
    for start in range(0, n, chunk):
        out = []
        for i in range(start, min(n, start + chunk)):
            b = i % len(base.mentors)
            capacity = int(rng.integers(1, 6))
            mentor = base.mentors[b].model_copy(
                update={
                    "id": f"bench-{i:07d}",
                    "capacity": capacity,
                    "current_mentees": int(rng.integers(0, capacity + 1)),
                    "hours_per_month": float(rng.integers(1, 9)),
                    "timezone": TIMEZONES[int(rng.integers(0, len(TIMEZONES)))],
                }
            )
            own = base.vectors[b]
            noisy = own + rng.standard_normal(own.shape, dtype=np.float32) * np.float32(sigma)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            out.append((mentor, noisy.astype(np.float32)))
        yield out


def build_program(
    base: Base, n: int, settings: Settings, embedder: Embedder, progress: Progress
) -> tuple[float, int]:
    """Write ``n`` synthetic mentors and the sample mentees to a fresh store under
    ``settings.data_dir`` and the engine's index snapshot for them. The vectors are streamed
    to the snapshot's file as the mentors are written (a million mentors' vectors, 14 GB,
    are never all in memory), then the index is loaded from it, the kind chosen by size is
    built (recall measured on the stored mentees' queries) and the snapshot saved. Returns
    the index build seconds (all of that but the store's writes) and the number of item
    vectors."""
    if settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    settings.data_dir.mkdir(parents=True)
    store = Store(settings.sqlalchemy_url)
    dim = base.vectors[0].shape[1]
    store_s, done = 0.0, 0

    def mentors() -> Iterator[tuple[str, list[Item], np.ndarray]]:
        nonlocal store_s, done
        for block in synthetic_mentors(base, n):
            start = time.perf_counter()
            store.upsert(Kind.MENTORS, [m for m, _ in block])
            store_s += time.perf_counter() - start
            for mentor, vectors in block:
                yield mentor.id, mentor_items(mentor), vectors
            done += len(block)
            progress(f"{n:,} mentors: writing", done, n)

    try:
        store.upsert(Kind.MENTEES, base.mentees)
        start = time.perf_counter()
        model_id = embedder.model_id
        items = write_snapshot(settings.index_path, model_id, dim, mentors(), store.seq)
        progress(f"{n:,} mentors: building the index", 0, 1)
        index = MentorIndex.load(settings.index_path, model_id, dim, index_policy(settings))
        if index is None:
            raise RuntimeError(f"the snapshot just written to {settings.index_path} is unreadable")
        index.recall_probe = lambda k: query_vectors(embedder, base.mentees[:k])
        index.tune()
        index.save(settings.index_path)
        progress(f"{n:,} mentors: building the index", 1, 1)
        return time.perf_counter() - start - store_s, items
    finally:
        store.close()


def timed(call: Callable[[int], object], n: int) -> list[float]:
    """Milliseconds of ``n`` calls (after one untimed warm-up call)."""
    call(0)
    out = []
    for i in range(n):
        start = time.perf_counter()
        call(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def inline_mentee(i: int, base: Base) -> Mentee:
    """A free-text request no mentee stored: a new interest text each time (a cache miss)."""
    topic = base.mentors[(i * 7) % len(base.mentors)].specialty
    text = INLINE_TEXTS[i % len(INLINE_TEXTS)].format(topic) + f" (request {i})"
    return Mentee(id=f"inline-{i}", stage="PGY2", interests=[text])


def measure_in_process(
    engine: Engine, base: Base, requests: int
) -> tuple[float, float, float, float]:
    """p50/p99 of a stored-mentee suggestion (query vectors cached after the first pass
    over the mentees) and of an inline free-text one, under the server's conditions: BLAS
    at ``request_threads`` per product, and what start-up loaded kept out of the garbage
    collector's full passes while the clock runs."""
    ids = [m.id for m in base.mentees]
    with request_threads(engine.settings.request_threads):
        for mentee_id in ids[: min(len(ids), requests)]:
            engine.suggest_for(mentee_id, 10)  # caches the query vectors, as a server would
        gc.collect()
        gc.freeze()
        try:
            stored = timed(lambda i: engine.suggest_for(ids[i % len(ids)], 10), requests)
            inline = timed(
                lambda i: engine.suggest(inline_mentee(i, base), 10), max(20, requests // 5)
            )
        finally:
            gc.unfreeze()
    return (
        statistics.median(stored),
        nearest_rank(sorted(stored), 99),
        statistics.median(inline),
        nearest_rank(sorted(inline), 99),
    )


@contextmanager
def live_server(settings: Settings, port: int, timeout_s: float = 900) -> Iterator[str]:
    """``mentor-match serve --dev`` on 127.0.0.1 over ``settings.data_dir``; yields the
    admin token once ``/health`` answers."""
    import httpx

    env = {**os.environ, "MENTOR_MATCH_DATA_DIR": str(settings.data_dir)}
    env |= {f"MENTOR_MATCH_{k.upper()}": str(v) for k, v in _index_env(settings).items()}
    env |= {f"MENTOR_MATCH_{name.upper()}": "1000000/minute" for name in RATE_LIMITS}
    log = (settings.data_dir / "server.log").open("w")
    command = [sys.executable, "-m", "cli.main", "serve", "--dev", "--port", str(port)]
    command += ["--host", "127.0.0.1"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        assert proc.stdout is not None
        token = ""
        for line in proc.stdout:
            found = re.match(r"admin token: (\S+)", line)
            if found:
                token = found.group(1)
                break
        # Keep reading what the server prints (its access log): a pipe nobody empties fills
        # after a few hundred requests and then blocks the server mid-request.
        threading.Thread(target=_copy_lines, args=(proc.stdout, log), daemon=True).start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited ({proc.returncode}); see {log.name}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError(f"the server did not answer within {timeout_s:.0f} s")
        yield token
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _copy_lines(source: IO[str], sink: IO[str]) -> None:
    """Copy ``source`` to ``sink`` line by line until ``source`` ends (or ``sink`` closes)."""
    for line in source:
        try:
            sink.write(line)
        except ValueError:  # the log was closed: the server is going away
            return


def _index_env(settings: Settings) -> dict[str, object]:
    return {
        "index_type": settings.index_type,
        "index_flat_max_items": settings.index_flat_max_items,
        "index_probes": settings.index_probes,
        "index_shortlist": settings.index_shortlist,
        "index_map_from_items": settings.index_map_from_items,
        "suggestion_cache_items": settings.suggestion_cache_items,
    }


def measure_http(
    settings: Settings, base: Base, requests: int, clients: int, duration_s: float, port: int
) -> tuple[float, float, float, float, int]:
    """Sequential p50/p99 over HTTP, then a load test: throughput, p99 and errors."""
    import httpx

    from evaluation.load import run_load

    ids = [m.id for m in base.mentees]
    with live_server(settings, port) as token:
        headers = {"Authorization": f"Bearer {token}"}
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            for mentee_id in ids:  # the server caches each mentee's query vectors
                client.post("/v1/suggestions", json={"mentee_id": mentee_id, "k": 10})

            def call(i: int) -> object:
                reply = client.post("/v1/suggestions", json={"mentee_id": ids[i % len(ids)]})
                reply.raise_for_status()
                return reply

            seq = timed(call, requests)
        report = run_load(
            url, token=token, concurrency=clients, duration_s=duration_s, mentee_ids=ids
        )
    return (
        statistics.median(seq),
        nearest_rank(sorted(seq), 99),
        report.throughput_rps,
        report.p99_ms,
        report.errors,
    )


def run_scale(
    sizes: Sequence[int],
    out: Path,
    embedder: Embedder,
    requests: int = 300,
    clients: int = 50,
    duration_s: float = 30.0,
    http: bool = True,
    port: int = 8765,
    progress: Progress | None = None,
    settings: Settings | None = None,
    mentees: int = 600,
    base: Base | None = None,
) -> list[ScaleRow]:
    """Build and measure a synthetic program of each size (with ``mentees`` stored
    mentees: the sample's, copied under new ids past 600); one row per size. ``base``:
    the sample program already embedded (default: embedded here, cached under ``out``)."""
    tell = progress or (lambda stage, done, total: None)

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        tell(name, 0, 1)
        yield
        tell(name, 1, 1)

    # Every request computed: a repeat served from the answer cache measures nothing here.
    template = (settings or Settings()).model_copy(update={"suggestion_cache_items": 0})
    out.mkdir(parents=True, exist_ok=True)
    if base is None:
        cache = Store(f"sqlite:///{out / 'embedding-cache.db'}")
        try:
            with stage("embedding the sample program's texts"):
                base = Base.load(CachedEmbedder(embedder, cache))
        finally:
            cache.close()
    base = base.with_mentees(mentees)
    rows = []
    for n in sizes:
        settings = template.model_copy(update={"data_dir": out / f"program-{n}"})
        build_s, items = build_program(base, n, settings, embedder, tell)
        gc.collect()
        with stage(f"{n:,} mentors: loading the engine"):
            start = time.perf_counter()
            engine = build_engine(settings, embedder=embedder)
            engine.refresh()
            load_s = time.perf_counter() - start
        with stage(f"{n:,} mentors: timing suggestions in process"):
            stored_p50, stored_p99, inline_p50, inline_p99 = measure_in_process(
                engine, base, requests
            )
        row = ScaleRow(
            mentors=n,
            items=items,
            index_type=engine.index.kind,
            build_s=build_s,
            load_s=load_s,
            rss_mb=rss_mb(),
            rss_anon_mb=rss_anon_mb(),
            index_mb=engine.index.nbytes / 1e6,
            mapped_mb=engine.index.mapped_bytes / 1e6,
            columns_mb=engine.columns.nbytes / 1e6,
            lexical_mb=engine.index.lexical.nbytes() / 1e6,
            recall=1.0 if engine.index.recall is None else engine.index.recall,
            stored_p50=stored_p50,
            stored_p99=stored_p99,
            inline_p50=inline_p50,
            inline_p99=inline_p99,
        )
        engine.store.close()
        del engine
        gc.collect()
        if http:
            with stage(f"{n:,} mentors: timing over HTTP"):
                measured = measure_http(settings, base, requests, clients, duration_s, port)
            row.http_p50, row.http_p99, row.load_rps, row.load_p99, row.load_errors = measured
        rows.append(row)
    return rows
