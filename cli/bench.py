"""``mentor-match bench``: time suggestions (in process, over HTTP, under load) or assignment.

httpx, the engine and OR-Tools are imported only by the mode that needs them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.common import console, err, fail, open_engine
from cli.progress import Bars, progress_bar
from cli.tables import key_value_table, new_table
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Mentee


def bench(
    requests: Annotated[int, typer.Option(min=1, help="Suggestion requests to time.")] = 100,
    k: Annotated[int, typer.Option(min=1, max=100, help="Suggestions per request.")] = 10,
    url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Time a running server over HTTP (e.g. http://127.0.0.1:8000)."),
    ] = None,
    assignment: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            help="Time the cohort assignment solver instead, on random instances of size "
            "MENTEESxMENTORS (repeat), e.g. 5000x1000."
        ),
    ] = None,
    token: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(envvar="MENTOR_MATCH_TOKEN", help="Bearer token for --url."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=0, max=1000, help="With --url: a load test with this many clients.")
    ] = 0,
    duration: Annotated[
        float, typer.Option(min=1, max=3600, help="Load test length in seconds.")
    ] = 60.0,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Folder for the load test's load.json, load.md and load.png."),
    ] = None,
    mentors: Annotated[
        Optional[list[int]],  # noqa: UP045
        typer.Option(
            min=1,
            max=5_000_000,
            help="Scale benchmark: build a synthetic program of this many mentors (repeat "
            "for several sizes) and time suggestions in process and over HTTP.",
        ),
    ] = None,
    mentees: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="With --mentors: mentees stored.")
    ] = 600,
    http: Annotated[
        bool, typer.Option(help="With --mentors: also time a live server (sequential, load).")
    ] = True,
    warm: Annotated[
        bool,
        typer.Option(
            "--warm",
            help="With --url --concurrency: ask for every mentee once before the clock "
            "starts, so the run measures cached query vectors.",
        ),
    ] = False,
    fairness: Annotated[
        bool,
        typer.Option(
            "--fairness",
            help="With --url and an admin --token: a stored-mentee suggestion's latency while "
            "the admin key keeps three maximum-size inline profiles in flight.",
        ),
    ] = False,
) -> None:
    """Time suggestion requests one after another: median, p95, max, throughput.

    In process over the stored mentees by default; with ``--url``, over HTTP; with
    ``--url --concurrency N``, a closed-loop load test of N clients for ``--duration``
    seconds (p50/p90/p99, throughput, errors; report files with ``--out``); with
    ``--assignment``, the optimal capacity-aware assignment (scores included).
    """
    if assignment:
        _bench_assignment(assignment)
        return
    if mentors:
        _bench_scale(mentors, mentees, requests, concurrency or 50, duration, http, out)
        return
    if url and fairness:
        _bench_fairness(url, token, duration)
        return
    if url and concurrency:
        _load_test(url, token, concurrency, duration, k, out, warm)
        return
    if url:
        call = _http_caller(url, k, token)
        where = url
    else:
        engine = open_engine()
        engine.refresh()
        stored = [m for m in engine.store.records(Kind.MENTEES, 0, 500) if isinstance(m, Mentee)]
        if not stored:
            fail("no mentees stored; run `mentor-match ingest` first")

        def call(i: int) -> object:
            return engine.suggest(stored[i % len(stored)], k)

        where = f"in process, {len(engine.index)} mentors indexed"
    timings, wall = _timed(call, requests)
    rows = [
        ("requests", str(requests)),
        ("median ms", f"{statistics.median(timings):.1f}"),
        ("p95 ms", f"{timings[int(0.95 * (len(timings) - 1))]:.1f}"),
        ("max ms", f"{timings[-1]:.1f}"),
        ("requests/s (sequential)", f"{requests / wall:.1f}"),
    ]
    console.print(key_value_table(rows, f"suggestions, k={k} ({where})", ("measure", "value")))


def _timed(call: Callable[[int], object], n: int) -> tuple[list[float], float]:
    call(0)  # warm-up
    timings = []
    with progress_bar("timing requests", n) as advance:
        start = time.perf_counter()
        for i in range(n):
            t = time.perf_counter()
            call(i)
            timings.append((time.perf_counter() - t) * 1000)
            advance(1)
        wall = time.perf_counter() - start
    return sorted(timings), wall


def _http_caller(url: str, k: int, token: str | None) -> Callable[[int], object]:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = httpx.Client(base_url=url, timeout=30, headers=headers)
    page = client.get("/v1/mentees", params={"limit": 500})
    page.raise_for_status()
    ids = [m["id"] for m in page.json()["data"]]
    if not ids:
        raise typer.BadParameter("the server holds no mentees", param_hint="--url")

    def call(i: int) -> object:
        reply = client.post("/v1/suggestions", json={"mentee_id": ids[i % len(ids)], "k": k})
        reply.raise_for_status()
        return reply

    return call


def _bench_assignment(sizes: list[str]) -> None:
    from evaluation.assignment_bench import run_bench

    table = new_table(
        "mentees × mentors",
        "scores s",
        "solve s (incl. scores)",
        "widenings",
        "min score",
        "top-3 share",
        title="optimal assignment, capacities 1–5, total mode (median of 5 runs)",
    )
    for size in sizes:
        try:
            n, m = (int(x) for x in size.lower().split("x"))
        except ValueError as exc:
            raise typer.BadParameter(
                f"{size!r}: expected e.g. 5000x1000", param_hint="--assignment"
            ) from exc
        r = run_bench(n, m)
        table.add_row(
            f"{n:,} × {m:,}",
            f"{r['scores_s']:.2f}",
            f"{r['solve_s']:.2f}",
            str(r["widenings"]),
            f"{r['min_score']:.3f}",
            f"{r['top3_share']:.3f}",
        )
    console.print(table)


def _bench_scale(
    sizes: list[int],
    mentees: int,
    requests: int,
    clients: int,
    duration: float,
    http: bool,
    out: Path | None,
) -> None:
    from evaluation.scale_bench import run_scale
    from evaluation.scale_report import COLUMNS, NOTE, cells, write_report
    from recommender.retrieval.embedding import SentenceTransformerEmbedder
    from recommender.settings import Settings

    folder = (out or Path("bench")).resolve()
    settings = Settings()
    with err.status("loading the embedding model..."):
        embedder = SentenceTransformerEmbedder(
            settings.model_path, settings.embed_batch_size, settings.torch_threads
        )
    console.print(NOTE)
    with Bars() as bars:
        stages: dict[str, Callable[[int], None]] = {}
        seen: dict[str, int] = {}

        def tell(stage: str, done: int, total: int) -> None:
            if stage not in stages:
                stages[stage] = bars.task(stage, total=total)
                seen[stage] = 0
            stages[stage](done - seen[stage])
            seen[stage] = done

        rows = run_scale(
            sorted(set(sizes)),
            folder,
            embedder,
            requests=requests,
            clients=clients,
            duration_s=duration,
            http=http,
            progress=tell,
            settings=settings,
            mentees=mentees,
        )
    sizes_shown = [f"{row.mentors:,}" for row in rows]
    table = new_table("measure", *sizes_shown, title="suggestions by program size (times in ms)")
    by_size = [cells(row) for row in rows]
    for i, (_, header, _) in enumerate(COLUMNS[1:], start=1):
        table.add_row(header, *(values[i] for values in by_size))
    console.print(table)
    for path in write_report(rows, folder):
        console.print(f"wrote {path}")


def _bench_fairness(url: str, token: str | None, duration: float) -> None:
    from evaluation.fairness import run_fairness

    if not token:
        fail("--fairness needs an admin --token (it creates two keys)")
    with err.status("three maximum-size inline profiles in flight..."):
        result = run_fairness(url, token, seconds=min(duration, 120.0))
    rows = [
        (name, f"{value:.3f}" if name.endswith("_s") else f"{value:.0f}")
        for name, value in result.summary().items()
    ]
    rows.append(("heavy answers", ", ".join(sorted({str(c) for c in result.heavy_status}))))
    rows.append(("light answers", ", ".join(sorted({str(c) for c in result.light_status}))))
    title = "fairness: another key's stored-mentee suggestion"
    console.print(key_value_table(rows, title, ("measure", "value")))


def _load_test(
    url: str,
    token: str | None,
    concurrency: int,
    duration: float,
    k: int,
    out: Path | None,
    warm: bool = False,
) -> None:
    from evaluation.load import LoadError, run_load, summary_rows, write_report

    with Bars() as bars:
        seconds = max(1, round(duration))
        advance = bars.task(f"{concurrency} clients, seconds", total=seconds)
        done = [0]

        def tick(fraction: float) -> None:  # run_load reports the share of the time gone
            now = min(seconds, round(fraction * seconds))
            advance(now - done[0])
            done[0] = now

        try:
            report = run_load(
                url,
                token=token,
                concurrency=concurrency,
                duration_s=duration,
                k=k,
                progress=tick,
                warm=warm,
            )
        except LoadError as exc:
            fail(exc, 2, exc)
    title = f"load test: POST /v1/suggestions, k={k} ({url})"
    console.print(key_value_table(summary_rows(report), title, ("measure", "value")))
    if out is not None:
        for path in write_report(report, out):
            console.print(f"wrote {path}")
    if report.errors:
        raise typer.Exit(1)
