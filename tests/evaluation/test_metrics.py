"""IR metrics and TREC/BEIR I/O against hand-computed answers, plus property checks."""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.metrics import (
    bootstrap_ci,
    coverage,
    evaluate,
    gini,
    paired_bootstrap,
    per_query,
    primary_metric,
)
from evaluation.trec import Qrels, Run, ranked, read_qrels, read_run, write_run

ALL_METRICS = [
    "ndcg@1",
    "ndcg@3",
    "ndcg@10",
    "recall@2",
    "recall@10",
    "precision@1",
    "precision@5",
    "hit@1",
    "hit@3",
    "mrr",
    "mrr@2",
    "map",
    "map@2",
]


def _one(run_docs: dict[str, float], judged: dict[str, float], metric: str) -> float:
    """Score a single query called "q"."""
    return per_query({"q": run_docs}, {"q": judged}, [metric])[metric]["q"]


# --- ranking quality -----------------------------------------------------------------------


def test_graded_ndcg_with_fractional_relevance() -> None:
    judged = {"a": 3.0, "b": 1.5, "c": 0.5}
    run_docs = {"c": 3.0, "x": 2.0, "a": 1.0}  # ranking: c, x, a
    dcg = 0.5 / 1 + 0.0 / math.log2(3) + 3.0 / 2
    idcg = 3.0 / 1 + 1.5 / math.log2(3) + 0.5 / 2
    assert _one(run_docs, judged, "ndcg@3") == pytest.approx(dcg / idcg)
    assert _one(run_docs, judged, "ndcg@1") == pytest.approx(0.5 / 3.0)


def test_ideal_dcg_is_cut_at_k() -> None:
    judged = {"a": 1.0, "b": 1.0, "c": 1.0}
    run_docs = {"a": 1.0}
    assert _one(run_docs, judged, "ndcg@1") == pytest.approx(1.0)
    # At K=3 the ideal has three relevant docs; the run found one.
    assert _one(run_docs, judged, "ndcg@3") == pytest.approx(1.0 / (1 + 1 / math.log2(3) + 0.5))


def test_negative_relevance_is_zero_gain() -> None:
    judged = {"a": -2.0, "b": 1.0}
    assert _one({"a": 2.0, "b": 1.0}, judged, "ndcg@2") == pytest.approx(1 / math.log2(3))
    assert _one({"a": 2.0, "b": 1.0}, judged, "mrr") == pytest.approx(0.5)


def test_set_and_rank_metrics_by_hand() -> None:
    judged = {"a": 1.0, "b": 2.0, "c": 1.0, "n": 0.0}
    run_docs = {"a": 0.9, "x": 0.8, "b": 0.7, "n": 0.6}  # a+, x, b+, n (judged 0)
    values = per_query({"q": run_docs}, {"q": judged}, ALL_METRICS)
    expected = {
        "recall@2": 1 / 3,
        "recall@10": 2 / 3,
        "precision@1": 1.0,
        "precision@5": 2 / 5,  # divides by K even with only 4 retrieved
        "hit@1": 1.0,
        "mrr": 1.0,
        "map": (1 / 1 + 2 / 3) / 3,
        "map@2": (1 / 1) / 3,
    }
    for name, value in expected.items():
        assert values[name]["q"] == pytest.approx(value), name


def test_mrr_and_hit_when_first_relevant_is_deep() -> None:
    judged = {"a": 1.0}
    run_docs = {"x": 3.0, "y": 2.0, "a": 1.0}
    assert _one(run_docs, judged, "mrr") == pytest.approx(1 / 3)
    assert _one(run_docs, judged, "mrr@2") == 0.0
    assert _one(run_docs, judged, "hit@2") == 0.0
    assert _one(run_docs, judged, "hit@3") == 1.0
    assert _one(run_docs, judged, "map") == pytest.approx(1 / 3)


def test_ties_are_broken_by_doc_id() -> None:
    assert ranked({"b": 1.0, "a": 1.0, "c": 2.0}) == ["c", "a", "b"]
    assert _one({"b": 1.0, "a": 1.0}, {"a": 1.0}, "mrr") == 1.0
    assert _one({"b": 1.0, "a": 1.0}, {"b": 1.0}, "mrr") == 0.5


def test_queries_without_relevant_docs_are_skipped_and_missing_ones_score_zero() -> None:
    qrels: Qrels = {
        "found": {"a": 1.0},
        "no_relevant": {"a": 0.0, "b": -1.0},
        "not_in_run": {"c": 2.0},
    }
    run: Run = {"found": {"a": 1.0}, "no_relevant": {"a": 1.0}, "extra": {"z": 1.0}}
    scores = per_query(run, qrels, ALL_METRICS)
    for name in ALL_METRICS:
        assert list(scores[name]) == ["found", "not_in_run"], name
        assert scores[name]["not_in_run"] == 0.0, name
    means = evaluate(run, qrels, ["ndcg@10", "precision@1", "recall@10"])
    assert means == pytest.approx({"ndcg@10": 0.5, "precision@1": 0.5, "recall@10": 0.5})


def test_evaluate_without_any_relevant_query_raises() -> None:
    with pytest.raises(ValueError, match="no query"):
        evaluate({"q": {"a": 1.0}}, {"q": {"a": 0.0}}, ["ndcg@10"])


@pytest.mark.parametrize("name", ["ndcg", "ndcg@0", "recall@-1", "foo@3", "NDCG@10", "map@x"])
def test_unknown_metric_names_are_rejected(name: str) -> None:
    with pytest.raises(ValueError, match=re.escape(name)):
        per_query({}, {"q": {"a": 1.0}}, [name])


def test_primary_metric_is_a_valid_name() -> None:
    assert primary_metric == "ndcg@10"
    assert primary_metric in per_query({}, {"q": {"a": 1.0}}, [primary_metric])


# --- run and qrels files -------------------------------------------------------------------


def test_run_round_trip_keeps_order_and_exact_scores(tmp_path: Path) -> None:
    # 0.1 + 0.2 and 0.3 differ only in the 17th digit: "%.8g" would create a tie.
    run: Run = {
        "q2": {"a": 0.1 + 0.2, "b": 0.3, "c": -1e-300, "d": 12345678.123456789},
        "q1": {"x": 1.0, "y": 2.0},
    }
    path = tmp_path / "run.trec"
    write_run(run, path, tag="bm25")
    lines = path.read_text().splitlines()
    assert lines[0] == "q1 Q0 y 1 2.0 bm25"
    assert [line.split()[0] for line in lines] == ["q1"] * 2 + ["q2"] * 4
    back = read_run(path)
    assert back == run
    assert {q: ranked(docs) for q, docs in back.items()} == {
        q: ranked(docs) for q, docs in run.items()
    }


def test_write_run_cuts_at_depth(tmp_path: Path) -> None:
    path = tmp_path / "run.trec"
    write_run({"q": {f"d{i}": float(i) for i in range(10)}}, path, tag="t", depth=3)
    assert read_run(path) == {"q": {"d9": 9.0, "d8": 8.0, "d7": 7.0}}
    assert [line.split()[3] for line in path.read_text().splitlines()] == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("run", "tag", "bad"),
    [
        ({"q 1": {"a": 1.0}}, "t", "q 1"),
        ({"q": {"doc\t7": 1.0}}, "t", r"doc\\t7"),
        ({"q": {"a": 1.0}}, "my run", "my run"),
    ],
)
def test_write_run_rejects_whitespace_in_ids(tmp_path: Path, run: Run, tag: str, bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        write_run(run, tmp_path / "run.trec", tag=tag)


@pytest.mark.parametrize(
    "bad_line",
    ["q1 Q0 d3 3 0.5", "q1 Q0 d3 3 high run", "q1 Q0 d3 third 0.5 run", "q1 Q0 d1 3 0.5 run"],
)
def test_read_run_reports_the_malformed_line(tmp_path: Path, bad_line: str) -> None:
    path = tmp_path / "run.trec"
    path.write_text(f"q1 Q0 d1 1 0.9 run\n\nq1  Q0\td2 2 0.7 run\n{bad_line}\n")
    with pytest.raises(ValueError, match=r":4:"):
        read_run(path)


@pytest.mark.parametrize("header", ["query-id\tcorpus-id\tscore\n", ""])
def test_read_qrels_with_and_without_header(tmp_path: Path, header: str) -> None:
    path = tmp_path / "test.tsv"
    path.write_text(header + "q1\td1\t1\nq1\td2\t0.5\nq2\td1\t0\n")
    assert read_qrels(path) == {"q1": {"d1": 1.0, "d2": 0.5}, "q2": {"d1": 0.0}}


def test_read_qrels_reports_the_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "test.tsv"
    path.write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\tvery\n")
    with pytest.raises(ValueError, match=r":3:"):
        read_qrels(path)


# --- uncertainty ---------------------------------------------------------------------------


def test_bootstrap_ci_contains_mean_and_narrows_with_more_data() -> None:
    rng = np.random.default_rng(1)
    small = rng.random(20).tolist()
    large = rng.random(2000).tolist()
    low_s, high_s = bootstrap_ci(small)
    low_l, high_l = bootstrap_ci(large)
    assert low_s <= float(np.mean(small)) <= high_s
    assert low_l <= float(np.mean(large)) <= high_l
    assert high_l - low_l < (high_s - low_s) / 3
    assert bootstrap_ci(small, seed=5) == bootstrap_ci(small, seed=5)
    assert bootstrap_ci([0.4]) == (0.4, 0.4)


def test_bootstrap_ci_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        bootstrap_ci([])
    with pytest.raises(ValueError):
        bootstrap_ci([1.0, 2.0], confidence=1.0)


def test_paired_bootstrap() -> None:
    values = np.random.default_rng(2).random(50).tolist()
    assert paired_bootstrap(values, values) == (0.0, 0.0)
    better = [v + 0.1 for v in values]
    low, high = paired_bootstrap(better, values)
    assert low == pytest.approx(0.1) and high == pytest.approx(0.1)
    with pytest.raises(ValueError, match="paired"):
        paired_bootstrap(values, values[:-1])


# --- exposure ------------------------------------------------------------------------------


def test_coverage() -> None:
    run: Run = {"q1": {"a": 3.0, "b": 2.0, "c": 1.0}, "q2": {"a": 1.0, "d": 2.0}}
    assert coverage(run, k=1, n_items=5) == pytest.approx(2 / 5)  # a, d
    assert coverage(run, k=2, n_items=5) == pytest.approx(3 / 5)  # a, b, d
    assert coverage({}, k=10, n_items=5) == 0.0
    with pytest.raises(ValueError):
        coverage(run, k=3, n_items=2)


def test_gini_extremes_and_a_hand_computed_case() -> None:
    items = [f"d{i}" for i in range(100)]
    same_top1: Run = {f"q{i}": {"d0": 1.0, f"d{i + 1}": 0.5} for i in range(50)}
    assert gini(same_top1, k=1, item_ids=items) == pytest.approx(0.99)  # (n - 1) / n
    round_robin: Run = {f"q{i}": {f"d{i}": 1.0} for i in range(100)}
    assert gini(round_robin, k=1, item_ids=items) == pytest.approx(0.0)
    # Exposure counts [1, 3]: mean |xi - xj| over all pairs / (2 * mean) = (4 / 4) / 4.
    one_three: Run = {"q1": {"a": 1.0}, "q2": {"b": 1.0}, "q3": {"b": 1.0}, "q4": {"b": 1.0}}
    assert gini(one_three, k=1, item_ids=["a", "b"]) == pytest.approx(0.25)
    assert gini({}, k=5, item_ids=items) == 0.0
    with pytest.raises(ValueError, match="'zz'"):
        gini({"q": {"zz": 1.0}}, k=1, item_ids=items)


# --- properties ----------------------------------------------------------------------------

_ids = st.sampled_from([f"d{i}" for i in range(12)])
_relevance = st.sampled_from([-1.0, 0.0, 0.25, 0.5, 1.0, 2.0, 3.0])
_score = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
_qids = st.sampled_from(["q1", "q2", "q3", "q4"])
_runs = st.dictionaries(_qids, st.dictionaries(_ids, _score, max_size=12), max_size=4)
_qrels = st.dictionaries(_qids, st.dictionaries(_ids, _relevance, min_size=1), max_size=4)


@settings(max_examples=100, deadline=None)
@given(run=_runs, qrels=_qrels, k=st.integers(min_value=1, max_value=15))
def test_every_metric_is_in_unit_interval(run: Run, qrels: Qrels, k: int) -> None:
    names = [f"{m}@{k}" for m in ("ndcg", "recall", "precision", "hit", "mrr", "map")]
    for name, values in per_query(run, qrels, [*names, "mrr", "map"]).items():
        for qid, value in values.items():
            assert 0.0 <= value <= 1.0, (name, qid, value)


@settings(max_examples=100, deadline=None)
@given(qrels=_qrels, k=st.integers(min_value=1, max_value=15))
def test_ideal_run_has_ndcg_one(qrels: Qrels, k: int) -> None:
    ideal: Run = {qid: dict(judged) for qid, judged in qrels.items()}  # score = relevance
    for value in per_query(ideal, qrels, [f"ndcg@{k}", "map", "recall@15"]).values():
        assert all(v == pytest.approx(1.0) for v in value.values())


@settings(max_examples=50, deadline=None)
@given(run=_runs, depth=st.integers(min_value=1, max_value=12))
def test_round_trip_keeps_top_depth_ranking(run: Run, depth: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.trec"
        write_run(run, path, tag="prop", depth=depth)
        back = read_run(path)
    for qid, docs in run.items():
        assert ranked(back.get(qid, {})) == ranked(docs)[:depth]
        assert all(back[qid][d] == docs[d] for d in ranked(docs)[:depth])
