"""``mentor-match adapt``: a tiny BEIR data set adapts into a loadable model folder; a
non-empty --out is refused without --force (and replaced with it); too few mentors and an
empty store are one-line errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from cli.adapt import adapt
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from tests.recommender.retrieval.test_adapt import TOPICS

app = typer.Typer()
app.command()(adapt)
WIDE = {"COLUMNS": "200", "NO_COLOR": "1"}
FAST = ["--pairs-per-mentor", "2", "--batch-size", "8", "--seed", "3"]


def write_beir(root: Path, mentors: int = len(TOPICS)) -> Path:
    """A BEIR data set: one document per topic, two work items and an interest each."""
    (root / "qrels").mkdir(parents=True)
    corpus = [
        {"_id": key, "title": "", "text": "", "items": [a, b], "metadata": {"interests": [c]}}
        for key, (a, b, c) in list(TOPICS.items())[:mentors]
    ]
    query = {"_id": "q1", "text": "stiff heart that still pumps normally"}
    (root / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in corpus) + "\n")
    (root / "queries.jsonl").write_text(json.dumps(query) + "\n")
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\thf\t1\n")
    return root


def run(*args: str, **env: str) -> Result:
    return CliRunner().invoke(app, list(args), env={**WIDE, **env})


def flat(text: str) -> str:
    return " ".join(text.split())


def test_adapt_writes_a_model_and_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    dataset = write_beir(tmp_path / "beir")
    out = tmp_path / "adapted"
    out.mkdir()
    (out / "notes.txt").write_text("an earlier run")

    refused = run("--dataset", str(dataset), "--out", str(out), *FAST)
    assert refused.exit_code == 2, refused.output
    assert "already exists and is not empty" in flat(refused.stderr)
    assert "--force" in refused.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]

    result = run("--dataset", str(dataset), "--out", str(out), "--force", *FAST)
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"MODEL_CARD.md", "adaptation.json", "loss.png", "model.safetensors"} <= names
    assert "notes.txt" not in names
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    model_id = SentenceTransformerEmbedder(str(out)).model_id
    text = flat(result.stdout)
    assert f"adapted model: {model_id}" in text
    assert "base model: all-MiniLM-L6-v2@" in text and model_id.startswith("adapted@")
    assert f"MENTOR_MATCH_MODEL_PATH={out}" in text
    for metric in ("MRR", "recall@1", "recall@10"):
        assert metric in text
    record = json.loads((out / "adaptation.json").read_text())
    assert record["counts"]["mentors"] == 24 and record["counts"]["held_out_mentors"] == 10
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    again = run("--dataset", str(dataset), "--out", str(out), *FAST)
    assert again.exit_code == 2 and "--force" in again.stderr


def _one_error_line(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    return errors[0]


def test_too_few_mentors_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    dataset = write_beir(tmp_path / "beir", mentors=19)
    result = run("--dataset", str(dataset), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    line = _one_error_line(result)
    assert "at least 20 mentors with two or more distinct items" in line and "19 of 19" in line
    assert result.stderr.strip() == line
    assert not (tmp_path / "out").exists()


def test_an_empty_store_is_said_to_be_empty(tmp_path: Path) -> None:
    result = run("--out", str(tmp_path / "out"), MENTOR_MATCH_DATA_DIR=str(tmp_path / "var"))
    assert result.exit_code == 2, result.output
    assert "is empty" in _one_error_line(result)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--base", "/nowhere/model"], "base model folder /nowhere/model does not exist"),
        (["--dataset", "/nowhere/beir"], "file not found"),
    ],
)
def test_bad_paths_are_one_line_errors(tmp_path: Path, args: list[str], words: str) -> None:
    result = run(*args, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert words in _one_error_line(result)
