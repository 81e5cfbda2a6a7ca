"""The ``mentor-match`` command line."""

from __future__ import annotations

import json
import logging
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Optional, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from recommender.domain.errors import MentorMatchError
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort, Mentee
from recommender.engine import Engine, build_engine
from recommender.settings import Settings
from recommender.storage.ingest import IngestError, count_rows, parse_file

app = typer.Typer(
    help="Suggest mentors to trainees in medicine: ingest profiles, serve the API, recommend.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
index_app = typer.Typer(help="Build or inspect the FAISS index.", no_args_is_help=True)
app.add_typer(index_app, name="index")
console = Console()
err = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def _engine(settings: Settings | None = None) -> Engine:

    try:
        return build_engine(settings or Settings())
    except MentorMatchError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _sync_index(engine: Any) -> None:
    todo = max(0, engine.store.counts()["mentors"] - len(engine.index))
    with _progress() as bar:
        task = bar.add_task("embedding mentor items", total=None if todo else 0)
        report = engine.refresh(progress=lambda n: bar.advance(task, n))
        bar.update(task, total=bar.tasks[0].completed)
    console.print(
        f"index: {len(engine.index)} mentors, {engine.index.n_items} items "
        f"({report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.embedded_items} items embedded)"
    )


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="JSONL or CSV files, in order.")],
    kind: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on 3.11
        typer.Option(help="mentors, mentees or feedback; default: from each file's name."),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Write nothing from a file that has any bad row.")
    ] = False,
) -> None:
    """Upsert records by id; report rejected rows (line, field, problem).

    Each file is written in one transaction. Exit code 1 if any row was rejected.
    """
    engine = _engine()
    any_rejected = False
    for path in files:
        try:
            total = count_rows(path) if path.is_file() else None
            with _progress() as bar:
                task = bar.add_task(f"reading {path.name}", total=total)
                parsed = parse_file(path, kind, partial(bar.advance, task))  # type: ignore[arg-type]
        except IngestError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
        for rejection in parsed.rejected[:50]:
            err.print(f"[yellow]rejected[/yellow] {path.name}: {rejection}")
        if len(parsed.rejected) > 50:
            err.print(f"... and {len(parsed.rejected) - 50} more rejections")
        any_rejected |= bool(parsed.rejected)
        if strict and parsed.rejected:
            err.print(
                f"{path.name}: nothing written (--strict and {len(parsed.rejected)} bad rows)"
            )
            continue
        try:
            result = engine.write(parsed.kind, parsed.records, "cli:ingest", refresh=False)
        except MentorMatchError as exc:
            err.print(f"[red]error:[/red] {path.name}: {exc}; nothing written from this file")
            any_rejected = True
            continue
        console.print(
            f"{path.name}: {parsed.kind}: {result.inserted} new, {result.updated} updated, "
            f"{result.unchanged} unchanged, {len(parsed.rejected)} rejected rows"
        )
    _sync_index(engine)
    raise typer.Exit(1 if any_rejected else 0)


@index_app.command("build")
def index_build() -> None:
    """Bring the index up to date with the store (embedding only new or changed text)."""
    _sync_index(_engine())


@index_app.command("status")
def index_status() -> None:
    """Show counts, model id and whether the index matches the store."""
    engine = _engine()
    health = engine.health()
    table = Table("what", "value")
    counts = cast(dict[str, object], health["counts"])
    index = cast(dict[str, object], health["index"])
    for key, value in {**counts, "model": health["model_id"], **index}.items():
        table.add_row(str(key), str(value))
    console.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    dev: Annotated[
        bool,
        typer.Option(
            "--dev",
            help="Development mode: create a fresh admin key and print its token (the "
            "previous development key is revoked). Never use it in production.",
        ),
    ] = False,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs and /openapi.json).

    Every data route needs a bearer token: create keys with ``mentor-match keys create``,
    or set MENTOR_MATCH_BOOTSTRAP_ADMIN_TOKEN to have an admin key with that secret.
    """
    from api.server import run

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if dev:
        keys = _keys()
        keys.revoke_labelled(DEV_LABEL)
        _, secret = keys.create("admin", label=DEV_LABEL)
        typer.echo("DEVELOPMENT MODE: an admin key was created for this run.")
        typer.echo(f"admin token: {secret}", err=False)
        typer.echo(f"  e.g. curl -H 'Authorization: Bearer {secret}' http://{host}:{port}/v1/me")
        typer.echo(f"  coordinator page, signed in: http://{host}:{port}/ui#token={secret}")
    if workers > 1 and Settings().torch_threads is None:
        # Each worker runs its own model: share the cores instead of oversubscribing them.
        threads = max(1, (os.cpu_count() or 1) // workers)
        os.environ["MENTOR_MATCH_TORCH_THREADS"] = str(threads)
    console.print(f"serving on http://{host}:{port} (docs at /docs)")
    run(host, port, workers)


DEV_LABEL = "development"
keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _keys() -> Any:
    from recommender.storage.keys import Keys
    from recommender.storage.store import Store

    return Keys(Store(Settings().sqlalchemy_url).engine)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin, coordinator, mentee or mentor.")],
    subject: Annotated[
        str, typer.Option(help="The mentee's or mentor's id (mentee and mentor keys).")
    ] = "",
    scope: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(help="A cohort id or program name a coordinator key covers (repeat)."),
    ] = None,
    label: Annotated[str, typer.Option(help="A name for the key, shown in the audit trail.")] = "",
    expires_in_days: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(help="The key stops working after this many days (default: never)."),
    ] = None,
) -> None:
    """Create a key and print its token (shown once; only a hash is stored)."""
    try:
        info, secret = _keys().create(role, subject, scope or [], label, None, expires_in_days)
    except MentorMatchError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    typer.echo(f"key {info.id} ({info.role}) token: {secret}")


@keys_app.command("list")
def keys_list() -> None:
    """Every key (never the secrets)."""
    table = Table()
    table.add_column("id", no_wrap=True, min_width=12)
    for name in ("role", "subject", "scopes", "label", "created", "last used", "from"):
        table.add_column(name)
    table.add_column("expires / revoked")
    for k in _keys().list():
        ends = f"revoked {k.revoked_at or ''}".strip() if k.revoked else (k.expires_at or "")
        table.add_row(
            k.id,
            k.role,
            k.subject,
            ",".join(k.scopes),
            k.label,
            k.created_at,
            k.last_used_at or "never",
            k.last_used_from or "",
            ends,
        )
    console.print(table)


@keys_app.command("rotate")
def keys_rotate(
    key_id: Annotated[str, typer.Argument(help="The key's id.")],
    grace_minutes: Annotated[
        float,
        typer.Option(help="Keep the old key working this long so clients can switch (max 7 d)."),
    ] = 0,
) -> None:
    """Replace a key by a new one with the same role, person, scopes and label; print the
    new token (shown once). The old key is revoked now, or expires after the grace period."""
    try:
        info, secret = _keys().rotate(key_id, grace_minutes)
    except MentorMatchError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    ends = f"expires in {grace_minutes:g} min" if grace_minutes else "is revoked"
    typer.echo(f"key {info.id} ({info.role}) replaces {key_id}, which {ends}; token: {secret}")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id.")]) -> None:
    """Revoke a key at once."""
    try:
        _keys().revoke(key_id)
    except MentorMatchError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"key {key_id} revoked")


@app.command()
def erase(
    kind: Annotated[str, typer.Argument(help="mentor or mentee.")],
    person_id: Annotated[str, typer.Argument(help="Their id.")],
) -> None:
    """Erase a mentor or mentee everywhere: store, index, caches, cohorts, drafts, audit
    trail and keys (the right to erasure)."""
    from recommender.domain.kinds import Role
    from recommender.privacy.erasure import erase as erase_person

    if kind not in ("mentor", "mentee"):
        err.print("[red]error:[/red] KIND must be mentor or mentee")
        raise typer.Exit(2)
    engine = _engine()
    person = Role(kind).kind
    assert person is not None  # mentor or mentee, checked above
    report = erase_person(engine, person, person_id)
    if not report.found:
        err.print(f"[red]error:[/red] no {kind} {person_id!r} stored (references cleared)")
        raise typer.Exit(1)
    table = Table("what", "count", title=f"erased {kind} {person_id}")
    for name, value in asdict(report).items():
        table.add_row(name, str(value))
    console.print(table)


def _inline_mentee(text: str, stage: str, targets: list[str]) -> Mentee:
    from pydantic import ValidationError

    try:
        return Mentee.model_validate(
            {"id": "cli", "stage": stage, "interests": [text], "target_specialties": targets}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "mentee"
        err.print(f"[red]error:[/red] {where}: {first['msg']}")
        raise typer.Exit(2) from exc


@app.command()
def recommend(
    mentee: Annotated[Optional[str], typer.Option(help="A stored mentee's id.")] = None,  # noqa: UP045
    text: Annotated[Optional[str], typer.Option(help="Free text of interests.")] = None,  # noqa: UP045
    stage: Annotated[str, typer.Option(help="Stage for --text (MS1, PGY2, ...).")] = "MS3",
    target: Annotated[list[str], typer.Option(help="Target specialty for --text.")] = [],  # noqa: B006
    k: Annotated[int, typer.Option(min=1, max=100, help="How many.")] = 10,
    explain: Annotated[bool, typer.Option(help="Print each explanation.")] = True,
) -> None:
    """Print ranked mentor suggestions for a stored mentee or a free-text profile."""
    if (mentee is None) == (text is None):
        err.print("[red]error:[/red] give exactly one of --mentee or --text")
        raise typer.Exit(2)
    engine = _engine()
    try:
        found = (
            engine.suggest_for(mentee, k)
            if mentee is not None
            else engine.suggest(_inline_mentee(text or "", stage, target), k)
        )
    except MentorMatchError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    table = Table("rank", "mentor", "specialty", "score", *[c[:5] for c in _SIGNAL_NAMES])
    for s in found:
        table.add_row(
            str(s.rank),
            f"{s.mentor_name} ({s.mentor_id})",
            s.specialty,
            f"{s.score:.3f}",
            *[f"{s.components[c].value:.2f}" for c in _SIGNAL_NAMES],
        )
    console.print(table)
    if explain:
        for s in found:
            console.print(f"[bold]{s.rank}. {s.mentor_name}[/bold]: {s.explanation}")


_SIGNAL_NAMES = ("similarity", "accessibility", "credibility", "feedback", "stage_fit")


@app.command()
def sample(
    out: Annotated[Path, typer.Option(help="Folder to write into.")] = Path("data/sample"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Regenerate the synthetic sample cohort (deterministic for a seed)."""
    from recommender.samplegen import generate, write

    for path in write(generate(seed), out):
        console.print(f"wrote {path}")


def _timed(call: Callable[[int], object], n: int) -> tuple[list[float], float]:
    call(0)  # warm-up
    timings = []
    start = time.perf_counter()
    for i in range(n):
        t = time.perf_counter()
        call(i)
        timings.append((time.perf_counter() - t) * 1000)
    return sorted(timings), time.perf_counter() - start


def _bench_assignment(sizes: list[str]) -> None:
    from evaluation.assignment_bench import run_bench

    table = Table(
        "mentees × mentors",
        "scores s",
        "solve s (incl. scores)",
        "widenings",
        "min score",
        "top-3 share",
        title="optimal assignment, capacities 1–5, total mode",
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


@app.command()
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
    if url and fairness:
        _bench_fairness(url, token, duration)
        return
    if url and concurrency:
        _load_test(url, token, concurrency, duration, k, out)
        return
    if url:
        call = _http_caller(url, k, token)
        where = url
    else:
        engine = _engine()
        engine.refresh()
        mentees = [m for m in engine.store.records(Kind.MENTEES, 0, 500) if isinstance(m, Mentee)]
        if not mentees:
            err.print("[red]error:[/red] no mentees stored; run `mentor-match ingest` first")
            raise typer.Exit(2)

        def call(i: int) -> object:
            return engine.suggest(mentees[i % len(mentees)], k)

        where = f"in process, {len(engine.index)} mentors indexed"
    timings, wall = _timed(call, requests)
    table = Table("measure", "value", title=f"suggestions, k={k} ({where})")
    table.add_row("requests", str(requests))
    table.add_row("median ms", f"{statistics.median(timings):.1f}")
    table.add_row("p95 ms", f"{timings[int(0.95 * (len(timings) - 1))]:.1f}")
    table.add_row("max ms", f"{timings[-1]:.1f}")
    table.add_row("requests/s (sequential)", f"{requests / wall:.1f}")
    console.print(table)


def _bench_fairness(url: str, token: str | None, duration: float) -> None:
    from evaluation.fairness import run_fairness

    if not token:
        err.print("[red]error:[/red] --fairness needs an admin --token (it creates two keys)")
        raise typer.Exit(2)
    with console.status("three maximum-size inline profiles in flight..."):
        result = run_fairness(url, token, seconds=min(duration, 120.0))
    table = Table("measure", "value", title="fairness: another key's stored-mentee suggestion")
    for name, value in result.summary().items():
        table.add_row(name, f"{value:.3f}" if name.endswith("_s") else f"{value:.0f}")
    table.add_row("heavy answers", ", ".join(sorted({str(c) for c in result.heavy_status})))
    table.add_row("light answers", ", ".join(sorted({str(c) for c in result.light_status})))
    console.print(table)


def _load_test(
    url: str, token: str | None, concurrency: int, duration: float, k: int, out: Path | None
) -> None:
    from evaluation.load import LoadError, run_load, summary_rows, write_report

    with _progress() as bar:
        task = bar.add_task(f"{concurrency} clients for {duration:.0f} s", total=100)
        try:
            report = run_load(
                url,
                token=token,
                concurrency=concurrency,
                duration_s=duration,
                k=k,
                progress=lambda f: bar.update(task, completed=100 * f),
            )
        except LoadError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    table = Table("measure", "value", title=f"load test: POST /v1/suggestions, k={k} ({url})")
    for name, value in summary_rows(report):
        table.add_row(name, value)
    console.print(table)
    if out is not None:
        for path in write_report(report, out):
            console.print(f"wrote {path}")
    if report.errors:
        raise typer.Exit(1)


datasets_app = typer.Typer(
    help="Convert public data sets to the BEIR layout.", no_args_is_help=True
)
app.add_typer(datasets_app, name="datasets")


@datasets_app.command("stackexchange")
def datasets_stackexchange(
    src: Annotated[Path, typer.Argument(help="The team2box History Stack Exchange folder.")],
    out: Annotated[Path, typer.Argument(help="Folder to write the BEIR data set into.")],
    test_fraction: Annotated[
        float, typer.Option(min=0.05, max=0.5, help="Newest share of questions used as queries.")
    ] = 0.2,
    rolling: Annotated[
        bool,
        typer.Option(
            help="Log each mentor's answer dates so activity is computed as of each query "
            "(--no-rolling: summarised once at the split)."
        ),
    ] = True,
) -> None:
    """Askers → mentees, answerers → mentors, temporal split, plus a train/ split inside it."""
    from evaluation.beir import DatasetError
    from evaluation.stackexchange import convert_stackexchange

    try:
        summary = convert_stackexchange(src, out, test_fraction, rolling=rolling)
    except (DatasetError, OSError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print_json(json.dumps(summary, default=str))
    console.print(f"wrote {out}")


@datasets_app.command("sample")
def datasets_sample(
    out: Annotated[Path, typer.Argument(help="Folder to write the BEIR data set into.")],
    src: Annotated[Path, typer.Option(help="The sample cohort folder.")] = Path("data/sample"),
) -> None:
    """The synthetic sample cohort with its planted truth as qrels (a regression data set)."""
    from evaluation.sample_beir import convert_sample

    try:
        counts = convert_sample(src, out)
    except (OSError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"wrote {out}: {counts}")


@app.command()
def evaluate(
    dataset: Annotated[Path, typer.Option(help="A data set folder in the BEIR layout.")],
    out: Annotated[Path, typer.Option(help="Folder for metrics.json, runs/ and report.md.")],
    methods: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--methods", help="Methods to run (repeat or comma-separate); default all."),
    ] = None,
    k: Annotated[
        Optional[list[int]],  # noqa: UP045
        typer.Option("--k", help="Cutoffs for the metric-against-k curves; default 1..100."),
    ] = None,
    cache: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Store and embedding cache folder; default OUT/cache."),
    ] = None,
    learn: Annotated[
        bool, typer.Option(help="Learn ranker weights on DATASET/train when it exists.")
    ] = True,
) -> None:
    """Rank the corpus for every query with each method; write metrics, TREC runs, a report."""
    from evaluation.beir import DatasetError
    from evaluation.runner import ALL_METHODS, CUTOFFS, run_evaluation

    chosen = [m.strip() for item in (methods or ALL_METHODS) for m in item.split(",") if m.strip()]
    cutoffs = sorted(set(k or CUTOFFS) | {5, 10, 50})
    with _progress() as bar:

        def task(description: str, total: int) -> Callable[[int], None]:
            return partial(bar.advance, bar.add_task(description, total=total))

        try:
            result = run_evaluation(
                dataset, out, chosen, cutoffs, cache=cache, learn=learn, task=task
            )
        except (DatasetError, ValueError, OSError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    table = Table("method", "nDCG@10 [95% CI]", "recall@10", "recall@50", "MRR", "coverage@10")
    for method, row in result.metrics.items():
        table.add_row(
            method,
            f"{row['ndcg@10']:.3f} [{row['ndcg@10_ci_low']:.3f}, {row['ndcg@10_ci_high']:.3f}]",
            f"{row['recall@10']:.3f}",
            f"{row['recall@50']:.3f}",
            f"{row['mrr']:.3f}",
            f"{row['coverage@10']:.2f}",
        )
    console.print(table)
    console.print(f"{result.seconds:.0f} s; report: {out / 'report.md'}")


cohort_app = typer.Typer(help="Program cohorts: members and shortlists.", no_args_is_help=True)
app.add_typer(cohort_app, name="cohort")


def _get_cohort(engine: Any, cohort_id: str) -> Cohort:
    try:
        found = engine.store.get(Kind.COHORTS, cohort_id)
    except MentorMatchError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    assert isinstance(found, Cohort)
    return found


def _save_cohort(engine: Any, data: dict[str, Any]) -> Cohort:
    from pydantic import ValidationError

    try:
        cohort = Cohort.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        err.print(f"[red]error:[/red] {'.'.join(map(str, first['loc']))}: {first['msg']}")
        raise typer.Exit(2) from exc
    engine.store.upsert(Kind.COHORTS, [cohort])
    console.print(
        f"cohort {cohort.id}: {len(cohort.mentee_ids)} mentees, {len(cohort.mentor_ids)} mentors"
    )
    return cohort


@cohort_app.command("create")
def cohort_create(
    cohort_id: Annotated[str, typer.Argument(help="New cohort id.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    mentee: Annotated[list[str], typer.Option(help="Mentee id (repeat).")] = [],  # noqa: B006
    mentor: Annotated[list[str], typer.Option(help="Mentor id (repeat).")] = [],  # noqa: B006
) -> None:
    """Create or replace a cohort."""
    _save_cohort(
        _engine(), {"id": cohort_id, "name": name, "mentee_ids": mentee, "mentor_ids": mentor}
    )


@cohort_app.command("list")
def cohort_list() -> None:
    """List cohorts with their sizes."""
    table = Table("cohort", "name", "mentees", "mentors")
    for c in _engine().store.records(Kind.COHORTS):
        assert isinstance(c, Cohort)
        table.add_row(c.id, c.name, str(len(c.mentee_ids)), str(len(c.mentor_ids)))
    console.print(table)


def _change_members(cohort_id: str, mentee: list[str], mentor: list[str], add: bool) -> None:
    from pydantic import ValidationError

    engine = _engine()
    try:
        updated = _get_cohort(engine, cohort_id).with_members(mentee, mentor, add)
    except ValidationError as exc:
        first = exc.errors()[0]
        err.print(f"[red]error:[/red] {'.'.join(map(str, first['loc']))}: {first['msg']}")
        raise typer.Exit(2) from exc
    _save_cohort(engine, updated.model_dump())


MenteeOpt = Annotated[list[str], typer.Option("--mentee", help="Mentee id (repeat).")]
MentorOpt = Annotated[list[str], typer.Option("--mentor", help="Mentor id (repeat).")]


@cohort_app.command("add")
def cohort_add(
    cohort_id: Annotated[str, typer.Argument(help="Cohort id.")],
    mentee: MenteeOpt = [],  # noqa: B006
    mentor: MentorOpt = [],  # noqa: B006
) -> None:
    """Add members to a cohort."""
    _change_members(cohort_id, mentee, mentor, add=True)


@cohort_app.command("remove")
def cohort_remove(
    cohort_id: Annotated[str, typer.Argument(help="Cohort id.")],
    mentee: MenteeOpt = [],  # noqa: B006
    mentor: MentorOpt = [],  # noqa: B006
) -> None:
    """Remove members from a cohort (their profiles stay)."""
    _change_members(cohort_id, mentee, mentor, add=False)


@cohort_app.command("shortlists")
def cohort_shortlists_cmd(
    cohort_id: Annotated[str, typer.Argument(help="Cohort id.")],
    k: Annotated[int, typer.Option(min=1, max=50, help="Mentors per mentee.")] = 5,
    out: Annotated[Path, typer.Option(help="CSV file to write.")] = Path("shortlists.csv"),
) -> None:
    """Write every mentee's ranked shortlist as CSV (one row per mentee–mentor pair)."""
    from recommender.matching.shortlist import cohort_shortlists, shortlists_csv

    engine = _engine()
    c = _get_cohort(engine, cohort_id)
    with _progress() as bar:
        bar.add_task(f"shortlists for {len(c.mentee_ids)} mentees", total=None)
        found = cohort_shortlists(engine, c, k)
    out.write_text(shortlists_csv(found), encoding="utf-8")
    console.print(f"wrote {out}: {sum(len(s.suggestions) for s in found)} rows")


@app.command()
def assign(
    cohort_id: Annotated[str, typer.Argument(help="Cohort id.")],
    mode: Annotated[
        str, typer.Option(help="total (highest sum) or fair (max-min first).")
    ] = "total",
    out: Annotated[Path, typer.Option(help="CSV of assigned pairs.")] = Path("assignment.csv"),
) -> None:
    """Assign mentors to a cohort's mentees optimally; print a summary and write a CSV."""
    from recommender.matching.cohort_assignment import assign_cohort, assignment_csv

    if mode not in ("total", "fair"):
        err.print(f"[red]error:[/red] --mode: {mode!r} is not total or fair")
        raise typer.Exit(2)
    engine = _engine()
    cohort = _get_cohort(engine, cohort_id)
    try:
        with _progress() as bar:
            bar.add_task(f"scoring and assigning {len(cohort.mentee_ids)} mentees", total=None)
            result = assign_cohort(engine, cohort, mode)  # type: ignore[arg-type]
    except MentorMatchError as exc:
        err.print(f"[red]cannot assign:[/red] {exc}")
        raise typer.Exit(1) from exc
    out.write_text(assignment_csv(result), encoding="utf-8")
    table = Table("mode", "total score", "lowest score", title=f"cohort {cohort_id}")
    for name, objective in result.objectives.items():
        table.add_row(name, f"{objective['total']:.4f}", f"{objective['min_score']:.4f}")
    console.print(table)
    loads = ", ".join(
        f"{n} mentor(s) × {load}" for load, n in sorted(result.load_histogram.items())
    )
    console.print(
        f"{len(result.pairs)} pairs ({result.mode}); mean score {result.mean_score:.3f}; "
        f"{result.top3_share:.0%} of mentees got one of their top 3; loads: {loads}; wrote {out}"
    )


def _manifest_table(manifest: Any, title: str) -> Table:
    table = Table("what", "value", title=title)
    table.add_row("created (UTC)", manifest.created_at)
    table.add_row("store change number", str(manifest.store_seq))
    for kind, n in manifest.counts.items():
        table.add_row(kind, f"{n:,}")
    table.add_row("embedding model", manifest.model_id or "(no index snapshot)")
    if manifest.index_seq is not None:
        table.add_row("index snapshot at change", str(manifest.index_seq))
    for f in manifest.files:
        table.add_row(f.name, f"{f.size:,} bytes, sha256 {f.sha256[:16]}…")
    return table


@app.command("backup")
def backup_cmd(
    out: Annotated[Path, typer.Argument(help="New (or empty) folder to write the backup into.")],
) -> None:
    """Back up the store and the index snapshot while the server runs.

    The store is copied with SQLite's online backup API as one consistent state (writes go on
    meanwhile); OUT gets mentor-match.db, index.faiss, index.meta.json and manifest.json
    (change number, model id, sizes, SHA-256). SQLite stores only.
    """
    from recommender.storage.backup import backup as take_backup

    try:
        with _progress() as bar:

            def step(done: int, total: int) -> None:
                if not bar.tasks:  # shown from the first step on, so early errors stand alone
                    bar.add_task("copying the store (pages)", total=total)
                bar.update(bar.tasks[0].id, completed=done, total=total)

            manifest = take_backup(Settings(), out, progress=step)
    except MentorMatchError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(_manifest_table(manifest, f"backup {out}"))
    console.print(f"wrote {out}: {manifest.size:,} bytes in {manifest.seconds:.2f} s")


@app.command("restore")
def restore_cmd(
    backup: Annotated[Path, typer.Argument(help="A backup folder.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the store already in the data folder.")
    ] = False,
) -> None:
    """Restore a backup into the data folder; the server must be stopped.

    Every file is checked against the manifest's SHA-256 first. At its next start the
    server checks the restored index snapshot against the store and catches it up.
    """
    from recommender.storage.backup import restore

    settings = Settings()
    try:
        manifest = restore(backup, settings, force=force)
    except MentorMatchError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(_manifest_table(manifest, f"restored {backup}"))
    console.print(f"restored into {settings.data_dir}; start the server as usual")


def main() -> None:  # pragma: no cover
    """Entry point for ``python -m cli.main``."""
    app(prog_name="mentor-match")


if __name__ == "__main__":  # pragma: no cover
    main()
