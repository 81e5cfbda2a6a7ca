"""The BEIR reader: round trip on a tiny hand-made data set, ids kept, every error path."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from evaluation.beir import BeirDataset, DatasetError, Doc, Query, load_beir

CORPUS: list[dict[str, Any]] = [
    {
        "_id": "Doc 1/a",
        "title": "Cardiology",
        "text": "heart failure",
        "items": ["echo", "HFpEF trial"],
        "metadata": {"specialty": "cardiology", "years_in_practice": 12},
    },
    {"_id": 42, "title": "", "text": "numeric id, no items, no metadata"},
    {"_id": "007", "text": "leading zeros stay"},
]
QUERIES: list[dict[str, Any]] = [
    {"_id": "q 1", "text": "I want to do cardiology", "metadata": {"stage": "MS3"}},
    {"_id": 7, "text": "numeric query id"},
    {"_id": "unjudged", "text": "a query without any qrels row"},
]
QRELS = [("q 1", "Doc 1/a", "2"), ("q 1", "42", "0.5"), ("7", "007", "1")]


def _write(
    root: Path,
    corpus: list[Any] | None = None,
    queries: list[Any] | None = None,
    qrels: Sequence[tuple[str, ...]] | None = None,
) -> Path:
    (root / "qrels").mkdir(parents=True, exist_ok=True)
    for name, rows in (("corpus", corpus or CORPUS), ("queries", queries or QUERIES)):
        lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
        (root / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tsv = ["query-id\tcorpus-id\tscore", *("\t".join(r) for r in (qrels or QRELS))]
    (root / "qrels" / "test.tsv").write_text("\n".join(tsv) + "\n", encoding="utf-8")
    return root


def test_round_trip_keeps_ids_and_fields(tmp_path: Path) -> None:
    data = load_beir(_write(tmp_path / "tiny"))
    assert isinstance(data, BeirDataset)
    assert data.name == "tiny"
    assert list(data.corpus) == ["Doc 1/a", "42", "007"]
    assert data.corpus["Doc 1/a"] == Doc(
        id="Doc 1/a",
        title="Cardiology",
        text="heart failure",
        items=("echo", "HFpEF trial"),
        metadata={"specialty": "cardiology", "years_in_practice": 12},
    )
    assert data.corpus["42"] == Doc(id="42", text="numeric id, no items, no metadata")
    assert data.corpus["007"].title == ""
    assert list(data.queries) == ["q 1", "7", "unjudged"]
    assert data.queries["q 1"] == Query(
        id="q 1", text="I want to do cardiology", metadata={"stage": "MS3"}
    )
    assert data.queries["7"].metadata == {}
    assert data.qrels == {"q 1": {"Doc 1/a": 2.0, "42": 0.5}, "7": {"007": 1.0}}
    assert "unjudged" not in data.qrels  # kept as a query; the runner decides
    assert data.warnings == []


def test_other_split_and_blank_lines(tmp_path: Path) -> None:
    root = _write(tmp_path)
    (root / "qrels" / "dev.tsv").write_text("query-id\tcorpus-id\tscore\n\n7\t42\t3\n")
    assert load_beir(root, split="dev").qrels == {"7": {"42": 3.0}}


def test_unknown_ids_in_qrels_are_dropped_with_a_warning(tmp_path: Path) -> None:
    qrels = [*QRELS, ("nope", "42", "1"), ("q 1", "ghost", "1"), ("7", "ghost", "2")]
    data = load_beir(_write(tmp_path, qrels=qrels))
    assert data.qrels == {"q 1": {"Doc 1/a": 2.0, "42": 0.5}, "7": {"007": 1.0}}
    text = " ".join(data.warnings)
    assert "1 rows with an unknown query id" in text
    assert "2 rows with an unknown corpus id" in text


def _expect(root: Path, *parts: str) -> None:
    with pytest.raises(DatasetError) as info:
        load_beir(root)
    for part in parts:
        assert part in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("missing", ["corpus.jsonl", "queries.jsonl", "qrels/test.tsv"])
def test_missing_file(tmp_path: Path, missing: str) -> None:
    root = _write(tmp_path)
    (root / missing).unlink()
    _expect(root, missing, "not found")


def test_bad_json_names_file_and_line(tmp_path: Path) -> None:
    root = _write(tmp_path, corpus=[CORPUS[0], '{"_id": "x", "text": '])
    _expect(root, "corpus.jsonl:2", "JSON")


def test_not_an_object(tmp_path: Path) -> None:
    _expect(_write(tmp_path, queries=[QUERIES[0], "[1, 2]"]), "queries.jsonl:2", "object")


def test_missing_id(tmp_path: Path) -> None:
    _expect(_write(tmp_path, queries=[QUERIES[0], {"text": "x"}]), "queries.jsonl:2", "_id")


def test_duplicate_id_including_number_and_string(tmp_path: Path) -> None:
    corpus = [*CORPUS, {"_id": "42", "text": "again"}]
    _expect(_write(tmp_path, corpus=corpus), "corpus.jsonl:4", "duplicate", "'42'", "line 2")


@pytest.mark.parametrize("items", ["one string", [1, 2], ["ok", None]])
def test_items_must_be_a_list_of_strings(tmp_path: Path, items: Any) -> None:
    corpus = [CORPUS[1], {"_id": "x", "text": "t", "items": items}]
    _expect(_write(tmp_path, corpus=corpus), "corpus.jsonl:2", "items")


def test_metadata_must_be_an_object(tmp_path: Path) -> None:
    corpus = [{"_id": "x", "text": "t", "metadata": ["a"]}]
    _expect(_write(tmp_path, corpus=corpus, qrels=[("7", "x", "1")]), "corpus.jsonl:1", "metadata")


def test_qrels_wrong_column_count(tmp_path: Path) -> None:
    _expect(_write(tmp_path, qrels=[QRELS[0], ("q 1", "42")]), "test.tsv:3", "3 tab-separated")


@pytest.mark.parametrize("score", ["high", "nan", ""])
def test_qrels_score_must_be_a_number(tmp_path: Path, score: str) -> None:
    _expect(_write(tmp_path, qrels=[QRELS[0], ("q 1", "42", score)]), "test.tsv:3", "score")
