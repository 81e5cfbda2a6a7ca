"""Command line polish: tables fit 80 columns with ids whole, progress bars count, the model
loads quietly and says how long it took, and ``recommend`` asks a running server instead.

Most commands run in process with the session's model (``fast_model``); one test loads the
model in a separate process, as a user's command does, to see what reaches stderr, and one
starts ``mentor-match serve`` to see it note itself in the data folder.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from api.app import create_app
from cli.main import app
from cli.progress import Bars
from cli.remote import SERVER_FILE, noted_server, recorded_server
from cli.tables import first_that_fits, id_column, new_table
from recommender.engine import Engine
from recommender.ranking.registry import SIGNALS
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage.keys import Keys
from recommender.storage.store import Store
from tests.api.browser_support import free_port, serving
from tests.conftest import FACULTY, mentee, mentor, token

WIDTH = 80
NARROW = {"COLUMNS": str(WIDTH), "NO_COLOR": "1"}
BOX = "┃│┏┡└┗┣┠"
"""Characters a table's lines start with."""

LONG_NAMED = [
    mentor(
        "cardiology.hfpef.01",
        "cardiology",
        name="Dr. Maximiliana Oyelaran-Featherstonehaugh",
        research_areas=["melanoma early detection and skin cancer screening"],
    ),
    mentor(
        "dermatology.onc.0002",
        "dermatology",
        name="Professor Bartholomew Chukwuemeka Abernathy-Lindqvist",
        research_areas=["skin cancer screening in primary care"],
    ),
    mentor(
        "hemonc.lymphoma.003",
        "hematology and oncology",
        name="Dr. Wilhelmina Papadopoulou",
        research_areas=["melanoma immunotherapy trials"],
    ),
]
"""Mentors with ids of 19–20 characters and names much longer than a column at 80."""


@pytest.fixture
def fast_model(monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder) -> None:
    """Commands get the session's model instead of loading their own (which takes seconds)."""
    monkeypatch.setattr(
        "recommender.retrieval.embedding.SentenceTransformerEmbedder", lambda *a, **k: embedder
    )
    monkeypatch.setattr("evaluation.learning.SentenceTransformerEmbedder", lambda *a, **k: embedder)


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the model fails the test: the command must not need it."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the command loaded the embedding model")

    monkeypatch.setattr("recommender.retrieval.embedding.SentenceTransformerEmbedder", refuse)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder whose store holds the faculty, the long-named mentors and one mentee."""
    folder = tmp_path / "var"
    store = Store(Settings(data_dir=folder).sqlalchemy_url)
    try:
        store.upsert("mentors", [*FACULTY, *LONG_NAMED])
        store.upsert("mentees", [mentee("trainee.skin.0001", interests=["melanoma screening"])])
    finally:
        store.close()
    return folder


def run(args: list[str], data_dir: Path, **env: str) -> Result:
    """``mentor-match ARGS`` in process on ``data_dir`` at 80 columns (stdout and stderr)."""
    return CliRunner().invoke(
        app, args, env={"MENTOR_MATCH_DATA_DIR": str(data_dir), **NARROW, **env}
    )


def assert_fits(output: str) -> None:
    """Every line fits 80 columns and no table cell was cut with "…"."""
    long = [line for line in output.splitlines() if len(line) > WIDTH]
    assert not long, "\n".join(long)
    cut = [line for line in output.splitlines() if line[:1] in BOX and "…" in line]
    assert not cut, "\n".join(cut)


def lines_with(output: str, word: str) -> list[str]:
    return [
        line for line in output.splitlines() if re.search(rf"(?<![\w.-]){re.escape(word)}\b", line)
    ]


# -- the table helper ---------------------------------------------------------------------


def _render(table: object, width: int = WIDTH) -> str:
    out = StringIO()
    Console(file=out, width=width, color_system=None).print(table)
    return out.getvalue()


def test_a_table_too_wide_for_80_columns_wraps_text_and_keeps_ids_whole() -> None:
    table = new_table("rank", id_column("id"), "name", "notes")
    long_id = "an-identifier-of-thirty-two-char"
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    table.add_row("1", long_id, "Dr. " + "Bartholomew " * 4, f"{word} and more words " * 3)
    shown = _render(table)
    assert_fits(shown)
    assert lines_with(shown, long_id), shown
    assert word[:8] in shown and word[-8:] in shown  # folded, not cut


def test_first_that_fits_keeps_the_wide_layout_when_it_fits_else_takes_the_next() -> None:
    def wide() -> object:
        table = new_table("a", "b", title="wide")
        table.add_row("x" * 30, "y" * 30)
        return table

    def narrow() -> object:
        table = new_table("ab", title="narrow")
        table.add_row("x" * 30 + " " + "y" * 30)
        return table

    def chosen(width: int) -> str:
        console = Console(file=StringIO(), width=width)
        title = first_that_fits(console, wide, narrow).title  # type: ignore[arg-type]
        return str(title)

    assert chosen(120) == "wide"
    assert chosen(60) == "narrow"


# -- progress bars ------------------------------------------------------------------------


def _bars_output(work: object) -> str:
    out = StringIO()
    with Bars(Console(file=out, width=WIDTH, color_system=None)) as bars:
        work(bars)  # type: ignore[operator]
    return out.getvalue()


def test_a_bar_counts_against_its_total_and_an_unknown_total_ends_as_the_count() -> None:
    def work(bars: Bars) -> None:
        known = bars.task("reading rows", total=5)
        unknown = bars.task("embedding items")
        for _ in range(5):
            known(1)
        unknown(7)

    shown = _bars_output(work)
    assert re.search(r"reading rows .* 5/5 \d+:\d\d:\d\d", shown), shown
    assert re.search(r"embedding items .* 7/7 ", shown), shown
    assert_fits(shown)


def test_the_callback_form_shows_its_bar_when_the_library_learns_the_total() -> None:
    def library(progress: object) -> None:  # as library code would: total first, then steps
        advance = progress(3)  # type: ignore[operator]
        for _ in range(3):
            advance(1)

    assert "shortlists" in _bars_output(lambda bars: library(bars.starter("shortlists")))
    assert _bars_output(lambda bars: bars.starter("never started")) == ""


# -- every table at 80 columns ------------------------------------------------------------


@pytest.mark.usefixtures("fast_model")
def test_recommend_at_80_columns_stacks_id_name_and_specialty_and_keeps_ids_whole(
    data_dir: Path,
) -> None:
    found = run(["recommend", "--text", "melanoma and skin cancer screening", "--k", "5"], data_dir)
    assert found.exit_code == 0, found.output
    assert_fits(found.output)
    header = next(line for line in found.stdout.splitlines() if "rank" in line)
    assert all(name[:5] in header for name in SIGNALS), header
    for m in LONG_NAMED:
        assert lines_with(found.stdout, m.id), (m.id, found.stdout)
    words = " ".join(found.stdout.split())
    assert "Oyelaran-Featherstonehaugh" in words or "Oyelaran-" in words
    assert "loading the embedding model" in found.stderr
    assert re.search(r"embedding model loaded in \d+\.\d s", found.stderr), found.stderr


@pytest.mark.usefixtures("fast_model")
def test_recommend_on_a_wide_terminal_gives_name_and_specialty_columns(data_dir: Path) -> None:
    found = run(
        ["recommend", "--text", "melanoma", "--k", "3", "--no-explain"], data_dir, COLUMNS="200"
    )
    assert found.exit_code == 0, found.output
    header = next(line for line in found.stdout.splitlines() if "rank" in line)
    assert re.search(r"mentor .*name .*specialty .*score", header), header
    first = next(line for line in found.stdout.splitlines() if line.startswith("│ 1 "))
    assert "dermatology" in first or "cardiology" in first or "oncology" in first


@pytest.mark.usefixtures("fast_model")
@pytest.mark.parametrize(
    "args",
    [
        ["index", "status"],
        ["bench", "--requests", "2", "--k", "3"],
        ["erase", "mentor", "em1"],
    ],
    ids=" ".join,
)
def test_status_bench_and_erase_tables_fit_80_columns(data_dir: Path, args: list[str]) -> None:
    found = run(args, data_dir)
    assert found.exit_code == 0, found.output
    assert_fits(found.output)
    assert "┏" in found.stdout  # a table was printed


@pytest.mark.usefixtures("fast_model")
def test_index_status_shows_the_search_in_use(data_dir: Path) -> None:
    """Flat by default at this size; an IVF index when the settings ask for one, with its
    lists, memory and candidate recall measured at the build."""
    flat = run(["index", "status"], data_dir)
    assert flat.exit_code == 0, flat.output
    assert re.search(r"index type\s+│\s+flat", flat.stdout), flat.stdout
    assert re.search(r"index candidate_recall\s+│\s+1\.000 \(against exact", flat.stdout)
    ivf = run(["index", "status"], data_dir, MENTOR_MATCH_INDEX_TYPE="ivf-sq8")
    assert ivf.exit_code == 0, ivf.output
    for shown in (
        r"index type\s+│\s+ivf-sq8",
        r"index chosen\s+│\s+settings",
        r"index lists\s+│\s+\d+",
        r"index index_bytes\s+│\s+[\d.]+ MB",
        r"index recall_measured_on\s+│\s+mentee queries",
    ):
        assert re.search(shown, ivf.stdout), (shown, ivf.stdout)


def test_keys_list_fits_80_columns_with_every_key_id_whole(data_dir: Path) -> None:
    store = Store(Settings(data_dir=data_dir).sqlalchemy_url)
    try:
        keys = Keys(store.database)
        made = [
            keys.create("admin", label="operations on-call rotation, primary")[0],
            keys.create("coordinator", scopes=["internal-medicine-2026", "surgery-2026"])[0],
            keys.create("mentee", subject="trainee.skin.0001", expires_in_days=30)[0],
        ]
        keys.revoke(made[0].id)
    finally:
        store.close()
    found = run(["keys", "list"], data_dir)
    assert found.exit_code == 0, found.output
    assert_fits(found.output)
    for key in made:
        assert lines_with(found.stdout, key.id), (key.id, found.stdout)
    assert "surgery-2026" in " ".join(found.stdout.split())
    wide = run(["keys", "list"], data_dir, COLUMNS="250")
    header = next(line for line in wide.stdout.splitlines() if "role" in line)
    assert "last used" in header and "expires / revoked" in header  # one column per field


@pytest.mark.usefixtures("fast_model")
def test_evaluate_summary_fits_80_columns(tmp_path: Path) -> None:
    data = tmp_path / "beir"
    (data / "qrels").mkdir(parents=True)
    topics = {m.id: m.research_areas[0] for m in FACULTY}
    corpus = [{"_id": i, "title": "", "text": t} for i, t in topics.items()]
    (data / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in corpus) + "\n")
    queries = {"q1": ("catching skin cancer early", "derm1"), "q2": ("knee ligament", "orth1")}
    lines = [json.dumps({"_id": q, "text": text}) for q, (text, _) in queries.items()]
    (data / "queries.jsonl").write_text("\n".join(lines) + "\n")
    qrels = ["query-id\tcorpus-id\tscore", *(f"{q}\t{d}\t1" for q, (_, d) in queries.items())]
    (data / "qrels" / "test.tsv").write_text("\n".join(qrels) + "\n")
    found = run(
        [
            "evaluate",
            "--dataset",
            str(data),
            "--out",
            str(tmp_path / "out"),
            "--methods",
            "random,embedding",
            "--no-learn",
        ],
        tmp_path / "var",
    )
    assert found.exit_code == 0, found.output
    assert_fits(found.output)
    assert lines_with(found.stdout, "embedding") and lines_with(found.stdout, "random")


# -- no stray noise when the model loads --------------------------------------------------


def test_loading_the_model_prints_only_our_own_lines_on_stderr(data_dir: Path) -> None:
    """A separate process, as a user runs it: no third-party progress bars or log lines."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("HF_HUB_DISABLE", "TRANSFORMERS_"))
    }
    env.update({"MENTOR_MATCH_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"})
    env.update({"COLUMNS": "300", "NO_COLOR": "1"})  # one line per message, paths unbroken
    env.pop("MENTOR_MATCH_TOKEN", None)
    command = [str(Path(sys.executable).with_name("mentor-match")), "recommend", "--text",
               "melanoma and skin cancer screening", "--k", "3", "--no-explain"]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for noise in ("Batches", "Loading weights", "INFO", "Warning", "it/s", "%|", "Traceback"):
        assert noise not in done.stderr, done.stderr
    said = " ".join(done.stderr.split())
    ours = [
        r"tip: with `mentor-match serve` running for this data folder, --token \(or "
        r"MENTOR_MATCH_TOKEN\) makes recommend ask the server instead of loading the model",
        rf"store: {re.escape(str(data_dir.resolve() / 'mentor-match.db'))}",
        r"index snapshot \S+ not used: [^;]+; rebuilding from the store",
        r"loading the embedding model…",
        r"embedding model loaded in \d+\.\d s",
    ]
    rest = said
    for line in ours:
        rest = re.sub(line, "", rest)
    assert rest.strip() == "", said
    assert "store: " in said and "embedding model loaded in" in said
    assert lines_with(done.stdout, "derm1")


# -- recommend asks a running server ------------------------------------------------------


@pytest.fixture
def live(faculty_engine: Engine) -> object:
    """The faculty served by uvicorn on a free port of 127.0.0.1, noted in its data folder as
    ``mentor-match serve`` notes itself; yields (data folder, URL, admin token)."""
    faculty_engine.write("mentees", [mentee("trainee.skin.0001", interests=["melanoma screening"])])
    secret = token(faculty_engine)
    settings = faculty_engine.settings
    with serving(create_app(engine=faculty_engine)) as url:
        port = urlsplit(url).port
        assert port is not None
        with noted_server(settings, "127.0.0.1", port):
            yield settings.data_dir, url, secret


@pytest.mark.usefixtures("no_model")
def test_recommend_with_a_token_asks_the_running_server_and_loads_no_model(
    live: tuple[Path, str, str],
) -> None:
    data_dir, url, secret = live
    found = run(
        ["recommend", "--text", "melanoma and skin cancer screening", "--k", "3"],
        data_dir,
        MENTOR_MATCH_TOKEN=secret,
    )
    assert found.exit_code == 0, found.output
    assert f"server: {url}" in found.stderr
    assert "loading the embedding model" not in found.stderr
    assert_fits(found.output)
    first = next(line for line in found.stdout.splitlines() if line.startswith("│ 1 "))
    assert "derm1" in first
    header = next(line for line in found.stdout.splitlines() if "rank" in line)
    assert all(name[:5] in header for name in SIGNALS)
    stored = run(["recommend", "--mentee", "trainee.skin.0001", "--token", secret], data_dir)
    assert stored.exit_code == 0, stored.output
    assert "derm1" in stored.stdout and f"server: {url}" in stored.stderr


@pytest.mark.usefixtures("no_model")
def test_the_server_refusing_is_reported_with_its_reason(live: tuple[Path, str, str]) -> None:
    data_dir, url, secret = live
    bad = run(
        ["recommend", "--text", "melanoma", "--token", "mm_not-a-real-token-at-all"], data_dir
    )
    assert bad.exit_code == 2
    assert f"the server at {url} answered 401" in " ".join(bad.stderr.split())
    missing = run(["recommend", "--mentee", "nobody", "--token", secret], data_dir)
    assert missing.exit_code == 1
    assert "404" in missing.stderr and "nobody" in missing.stderr


@pytest.mark.usefixtures("fast_model")
def test_without_a_token_or_a_server_the_model_loads_here_and_says_how_to_avoid_it(
    data_dir: Path,
) -> None:
    alone = run(["recommend", "--text", "melanoma", "--no-explain"], data_dir)
    assert alone.exit_code == 0, alone.output
    said = " ".join(alone.stderr.split())
    assert said.count("--token (or MENTOR_MATCH_TOKEN)") == 1  # mentioned once
    assert "loading the embedding model" in said

    gone = free_port()  # a server noted, then killed: its port no longer answers
    (data_dir / SERVER_FILE).write_text(
        json.dumps({"url": f"http://127.0.0.1:{gone}", "pid": os.getpid()})
    )
    started = time.monotonic()
    stale = run(["recommend", "--text", "melanoma", "--no-explain", "--token", "t" * 20], data_dir)
    assert stale.exit_code == 0, stale.output
    assert "no server for this data folder answers; loading the model here" in " ".join(
        stale.stderr.split()
    )
    assert time.monotonic() - started < 60


def test_a_note_of_a_dead_process_is_ignored(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    settings.data_dir.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    note = {"url": "http://127.0.0.1:9", "pid": int(dead.stdout)}
    (settings.data_dir / SERVER_FILE).write_text(json.dumps(note))
    assert recorded_server(settings) is None


def test_serve_notes_itself_in_the_data_folder_and_removes_the_note_when_stopped(
    tmp_path: Path,
) -> None:
    """The real command in its own process: the note names its URL while it serves, and a
    graceful stop (SIGTERM) removes it."""
    data_dir = tmp_path / "var"
    port = free_port()
    env = {**os.environ, "MENTOR_MATCH_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    command = [str(Path(sys.executable).with_name("mentor-match")), "serve", "--port", str(port)]
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        note = json.loads((data_dir / SERVER_FILE).read_text())
        assert note == {"url": url, "pid": proc.pid}
        assert recorded_server(Settings(data_dir=data_dir)) == url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()
    assert not (data_dir / SERVER_FILE).exists(), (tmp_path / "serve.log").read_text()
    server_log = (tmp_path / "serve.log").read_text()
    assert "Could not load library" not in server_log and "setup plugin" not in server_log
