"""The assignment benchmark: its instance is solved optimally through FAISS's top-N search,
to the same objective as through a dense score matrix (the partition path)."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from evaluation.assignment_bench import instance, run_bench
from recommender.matching.scores import DenseScores
from recommender.matching.solver import solve


def test_bench_total_equals_the_dense_solve_of_the_same_instance() -> None:
    result = run_bench(300, 60, dim=16, seed=3, repeats=3)
    assert result["repeats"] == 3
    assert result["scores_s"] >= 0 and result["solve_s"] >= 0  # rounded to ms: may be 0
    src, mentors, mentees = instance(300, 60, dim=16, seed=3)
    a, b = src._a.astype(np.float64), src._b.astype(np.float64)
    dense = DenseScores(src.mentee_ids, src.mentor_ids, (a @ b.T + 1.0) / 2.0)
    reference = solve(mentors, mentees, dense, top_n=60)  # every pair a candidate
    assert result["total"] == pytest.approx(reference.total, abs=1e-4)


def test_cli_prints_the_table_and_refuses_a_bad_size() -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["bench", "--assignment", "200x40"])
    assert ok.exit_code == 0, ok.output
    assert "median of 5 runs" in ok.output and "200 × 40" in ok.output
    bad = runner.invoke(app, ["bench", "--assignment", "200by40"])
    assert bad.exit_code != 0
    assert "expected e.g. 5000x1000" in bad.output
