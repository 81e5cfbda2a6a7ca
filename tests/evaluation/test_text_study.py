"""The text study: vectorised pooling equals a loop per mentor, the choice is made on train/
only (whatever the test qrels say), the files are written, and the command reports bad paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import evaluation.text_study as study
from cli.text_study import text_study
from evaluation.beir import load_beir
from evaluation.learning import shared_embedder
from evaluation.text_study import (
    METHODS,
    Matches,
    Method,
    Part,
    choose,
    mix,
    prepare,
    run_text_study,
    runs_of,
    top,
)
from evaluation.text_study_report import TextStudy
from recommender.domain.pooling import segment_pool
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.retrieval.lexical import LexicalIndex

MENTORS: dict[str, tuple[list[str], list[str]]] = {
    "hf": (["heart failure with preserved ejection fraction", "diastolic dysfunction trials"],
           ["cardiology"]),
    "acl": (["anterior cruciate ligament reconstruction in athletes", "knee arthroscopy"],
            ["orthopaedics", "sports"]),
    "mel": (["melanoma early detection", "skin cancer screening in primary care"],
            ["dermatology"]),
    "dep": (["adolescent depression and suicide prevention"], ["psychiatry"]),
    "aki": (["acute kidney injury after cardiac surgery", "dialysis timing"], ["nephrology"]),
    "tags": ([], ["cardiology", "dermatology"]),  # generic items only
}  # fmt: skip
TRAIN = {
    "t1": ("stiff heart that still pumps normally", "hf"),
    "t2": ("torn knee ligament in a football player", "acl"),
    "t3": ("low mood and self-harm in teenagers", "dep"),
}
TEST = {
    "s1": ("catching skin cancer before it spreads", "mel"),
    "s2": ("kidneys failing after heart surgery", "aki"),
    "s3": ("heart failure with normal ejection fraction", "hf"),
}


def write_part(folder: Path, queries: dict[str, tuple[str, str]], conflicts: bool = False) -> Path:
    (folder / "qrels").mkdir(parents=True)
    corpus = [
        {"_id": d, "title": "", "text": "", "items": items, "metadata": {"interests": tags}}
        for d, (items, tags) in MENTORS.items()
    ]
    corpus.append({"_id": "empty", "title": "", "text": ""})  # a mentor without any item
    rows = [
        {"_id": q, "text": text, "metadata": {"conflicts": ["hf"] if conflicts else []}}
        for q, (text, _) in queries.items()
    ]
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in corpus) + "\n")
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in rows) + "\n")
    write_qrels(folder, {q: d for q, (_, d) in queries.items()})
    return folder


def write_qrels(folder: Path, relevant: dict[str, str]) -> None:
    lines = ["query-id\tcorpus-id\tscore", *(f"{q}\t{d}\t1" for q, d in relevant.items())]
    (folder / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")


def write_dataset(root: Path) -> Path:
    data = write_part(root / "data", TEST)
    write_part(data / "train", TRAIN)
    return data


@pytest.fixture(scope="module")
def studied(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> tuple[Path, Path, TextStudy]:
    root = tmp_path_factory.mktemp("textstudy")
    data = write_dataset(root)
    out = root / "out"
    return data, out, run_text_study(data, out, cache=root / "cache", embedder=embedder)


def train_means(saved: dict[str, Any]) -> dict[str, float]:
    return {name: row["train"]["ndcg@10"] for name, row in saved["methods"].items()}


# -- the study end to end ------------------------------------------------------------------


def test_files_are_written_and_the_chosen_method_is_the_train_best(
    studied: tuple[Path, Path, TextStudy],
) -> None:
    _, out, result = studied
    saved = json.loads((out / "text-study.json").read_text())
    assert list(saved["methods"]) == [m.name for m in METHODS]
    train = train_means(saved)
    best = max(train.values())
    assert saved["chosen"] == result.chosen == next(n for n, v in train.items() if v == best)
    for row in saved["methods"].values():
        for part in ("train", "test"):
            numbers = row[part]
            assert 0.0 <= numbers["ci_low"] <= numbers["ndcg@10"] <= numbers["ci_high"] <= 1.0
    assert set(saved["per_query"]["train"][result.chosen]) == set(TRAIN)
    assert set(saved["per_query"]["test"][result.chosen]) == set(TEST)
    assert saved["sizes"]["test"] == {"mentors": 7, "items": 17, "queries": 3}
    report = (out / "text-study.md").read_text()
    assert f"| **{result.chosen}** |" in report
    assert f"Chosen on train/: **{result.chosen}**" in report
    assert "The next best on train/ is " in report
    assert report.count("\n| ") == len(METHODS) + 1  # header and one row per method
    assert (out / "text-study.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_test_qrels_never_influence_the_choice(
    studied: tuple[Path, Path, TextStudy],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    embedder: SentenceTransformerEmbedder,
) -> None:
    _, out, first = studied
    before = json.loads((out / "text-study.json").read_text())
    seen: list[dict[str, float]] = []

    def spy(train: dict[str, float], methods: Any = METHODS) -> str:
        seen.append(dict(train))
        return choose(train, methods)

    monkeypatch.setattr(study, "choose", spy)
    swapped = write_dataset(tmp_path)
    write_qrels(swapped, {"s1": "aki", "s2": "hf", "s3": "mel"})  # every test answer wrong
    again = run_text_study(swapped, tmp_path / "out", cache=out.parent / "cache", embedder=embedder)
    after = json.loads((tmp_path / "out" / "text-study.json").read_text())
    assert again.chosen == first.chosen
    assert train_means(after) == train_means(before)
    assert seen == [train_means(before)]  # choose saw the train numbers and nothing else
    tests = [(before["methods"][m]["test"], after["methods"][m]["test"]) for m in before["methods"]]
    assert any(a["ndcg@10"] != b["ndcg@10"] for a, b in tests)


def test_conflicts_and_mentors_without_items_are_never_ranked(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    folder = write_part(tmp_path / "data", TEST, conflicts=True)
    shared = shared_embedder(tmp_path / "cache", embedder)
    part = prepare("test", load_beir(folder), list(TEST), shared, study.no_progress)
    runs = runs_of(part, METHODS, study.no_progress)
    shared.store.close()
    for name, run in runs.items():
        assert set(run) == set(TEST), name
        for docs in run.values():
            assert "hf" not in docs and "empty" not in docs, name
            assert len(docs) == len(MENTORS) - 1 - (name == "generic dropped"), name


# -- the vectorised pooling against a loop over mentors ------------------------------------


def fake_part(rng: np.random.Generator, lengths: list[int], generic: np.ndarray) -> Part:
    n_items = sum(lengths)
    vectors = rng.normal(size=(n_items, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    lexical = LexicalIndex(k1=1.2, b=0.0)
    for slot in range(len(lengths)):
        lexical.put(slot, [f"word{slot}", "common"])
    return Part(
        name="fake",
        dataset=None,  # type: ignore[arg-type]
        cohort=None,  # type: ignore[arg-type]
        vectors=vectors,
        lengths=np.array(lengths, dtype=np.int64),
        generic=generic,
        lexical=lexical,
        queries={},
        doc_ids=[f"d{i:02d}" for i in range(len(lengths))],
    )


def lse(values: np.ndarray, t: float) -> float:
    return float(t * np.log(np.exp(values / t).sum()))


def test_vectorised_pooling_equals_a_loop_per_mentor() -> None:
    rng = np.random.default_rng(3)
    lengths = [3, 0, 1, 7, 2, 5, 0, 4]
    generic = rng.random(sum(lengths)) < 0.3
    part = fake_part(rng, lengths, generic)
    query = rng.normal(size=(3, 8)).astype(np.float32)
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    matches = Matches(part, query, ["word3 common"])
    sims = query @ part.vectors.T
    bounds = np.cumsum([0, *lengths])
    for j, n in enumerate(lengths):
        block = sims[:, bounds[j] : bounds[j + 1]]
        kept = block[:, ~generic[bounds[j] : bounds[j + 1]]]
        if n == 0:
            assert np.isnan(matches.best[:, j]).all() and np.isnan(matches.top_k(3)[:, j]).all()
            continue
        np.testing.assert_allclose(matches.best[:, j], block.max(axis=1), rtol=1e-6)
        for k in (1, 3, 5):
            expected = np.sort(block, axis=1)[:, ::-1][:, :k].sum(axis=1) / k
            np.testing.assert_allclose(matches.top_k(k)[:, j], expected, rtol=1e-5, atol=1e-6)
        for t in (0.05, 0.1, 0.2):
            expected = [lse(row, t) for row in block]
            np.testing.assert_allclose(matches.pooled(t)[:, j], expected, rtol=1e-5, atol=1e-6)
        penalised = block - 0.1 * generic[bounds[j] : bounds[j + 1]]
        np.testing.assert_allclose(
            matches.pooled(0.1, "penalised")[:, j],
            [lse(r, 0.1) for r in penalised],
            rtol=1e-5,
            atol=1e-6,
        )
        dropped = matches.pooled(0.1, "dropped")[:, j]
        if kept.shape[1]:
            np.testing.assert_allclose(dropped, [lse(r, 0.1) for r in kept], rtol=1e-5, atol=1e-6)
        else:
            assert np.isnan(dropped).all()
    pooled = segment_pool(sims, part.lengths, 0.1)
    np.testing.assert_allclose(
        study._softmax(0.1)(matches), 0.7 * pooled.mean(0) + 0.3 * pooled.max(0), rtol=1e-6
    )
    bm25 = matches.bm25
    assert np.isnan(bm25[[1, 6]]).all()  # mentors without items
    scored = np.delete(bm25, [1, 6])
    assert np.nanargmax(bm25) == 3 and (scored >= 0).all() and (scored < 1).all()


def test_coverage_counts_covered_items_first_and_breaks_ties_by_mean_best() -> None:
    rng = np.random.default_rng(0)
    part = fake_part(rng, [1, 1, 1], np.zeros(3, dtype=bool))
    matches = Matches(part, np.zeros((2, 8), np.float32), [])
    # mentor 0: both items covered, barely; 1: one covered, very well; 2: as 0 but higher
    matches.__dict__["best"] = np.array([[0.5, 0.99, 0.6], [0.5, 0.1, 0.6]], dtype=np.float32)
    scores = study._coverage(matches)
    assert list(np.argsort(-scores)) == [2, 0, 1]


def test_top_skips_conflicts_and_unscored_and_breaks_ties_by_document_id() -> None:
    rng = np.random.default_rng(1)
    part = fake_part(rng, [1, 1, 1, 1, 1], np.zeros(5, dtype=bool))
    part = Part(**{**part.__dict__, "doc_ids": ["e", "b", "d", "a", "c"]})
    scores = np.array([0.5, 0.5, np.nan, 0.9, 0.5], dtype=np.float32)
    assert list(top(part, scores, np.array([3]))) == ["b", "c", "e"]
    assert list(top(part, scores, np.array([], dtype=np.int64), depth=2)) == ["a", "b"]


def test_choice_ties_go_to_the_earlier_method() -> None:
    methods = [Method(n, "", mix) for n in ("simple", "fancy", "other")]
    assert choose({"simple": 0.4, "fancy": 0.4, "other": 0.3}, methods) == "simple"
    assert choose({"simple": 0.4, "fancy": 0.41, "other": 0.3}, methods) == "fancy"


# -- the command ---------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder) -> typer.Typer:
    """A throwaway app with the command registered as ``cli.main`` does; the session's model."""
    monkeypatch.setattr("evaluation.learning.SentenceTransformerEmbedder", lambda *a, **k: embedder)
    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def main() -> None:
        """A group, so that ``text-study`` is a subcommand as in ``mentor-match``."""

    app.command(name="text-study")(text_study)
    return app


WIDE = {"COLUMNS": "1000", "NO_COLOR": "1"}


def test_command_writes_the_study_and_names_the_chosen_method(
    cli: typer.Typer, tmp_path: Path
) -> None:
    data = write_dataset(tmp_path)
    out = tmp_path / "out"
    found = CliRunner().invoke(cli, ["text-study", "--dataset", str(data), "--out", str(out)],
                               env=WIDE)  # fmt: skip
    assert found.exit_code == 0, found.output
    chosen = json.loads((out / "text-study.json").read_text())["chosen"]
    assert f"chosen on train/ only: {chosen}" in found.stdout
    assert "next best on train/: " in found.stdout
    assert all(m.name in found.stdout for m in METHODS)
    assert (out / "cache" / "embeddings.db").exists()  # the default cache is OUT/cache
    assert {p.name for p in out.iterdir()} >= {"text-study.md", "text-study.json", "text-study.png"}


def test_command_names_a_bad_dataset_path(cli: typer.Typer, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-data"
    found = CliRunner().invoke(cli, ["text-study", "--dataset", str(missing), "--out",
                                     str(tmp_path / "out")], env=WIDE)  # fmt: skip
    assert found.exit_code == 2
    assert "error:" in found.output and str(missing) in "".join(found.output.splitlines())
    assert not (tmp_path / "out").exists()
    no_train = write_part(tmp_path / "flat", TEST)
    found = CliRunner().invoke(cli, ["text-study", "--dataset", str(no_train), "--out",
                                     str(tmp_path / "out")], env=WIDE)  # fmt: skip
    assert found.exit_code == 2
    assert str(no_train / "train") in "".join(found.output.splitlines())
