"""The evaluation report: Markdown table, plots, and graceful gaps, on made-up numbers."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from evaluation.exposure_curve import ExposurePoint
from evaluation.report import PLOT_FILES, ReportInput, method_order, write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIGNALS = ("similarity", "accessibility", "credibility", "feedback", "stage_fit")
METHODS = (
    "full",
    "random",
    "bm25",
    "popularity",
    "embedding",
    *(f"full-{s}" for s in SIGNALS[:3]),
)
KS = (1, 3, 5, 10, 20, 50, 100)


NDCG10 = {
    "random": 0.10,
    "popularity": 0.15,
    "bm25": 0.22,
    "embedding": 0.28,
    "full": 0.40,
    "full-similarity": 0.30,
    "full-accessibility": 0.37,
    "full-credibility": 0.39,
}


def _metrics(ndcg: float) -> dict[str, float]:
    return {
        "ndcg@5": ndcg - 0.02,
        "ndcg@10": ndcg,
        "ndcg@10_ci_low": ndcg - 0.03,
        "ndcg@10_ci_high": ndcg + 0.03,
        "recall@10": ndcg + 0.1,
        "recall@50": ndcg + 0.3,
        "mrr": ndcg + 0.05,
        "map": ndcg - 0.01,
        "coverage@10": 1.0 - ndcg,
        "gini@10": ndcg + 0.1,
    }


def sample_input(**changes: object) -> ReportInput:
    """Eight methods, five ablated signals; ``full`` has the best nDCG@10 (0.4)."""
    metrics = {m: _metrics(NDCG10[m]) for m in METHODS}
    metrics["popularity"]["mrr"] = math.nan  # shown as a dash
    curves = {
        m: {
            k: {"ndcg": v["ndcg@10"] * k**0.1, "recall": min(1.0, v["recall@10"] * (k / 10) ** 0.4)}
            for k in KS
        }
        for m, v in metrics.items()
    }
    ablation = {
        s: (-0.05 + 0.02 * i, -0.07 + 0.02 * i, -0.03 + 0.02 * i) for i, s in enumerate(SIGNALS)
    }
    data = ReportInput(
        dataset="mentors-small",
        n_queries=120,
        n_mentors=340,
        metrics=metrics,
        curves=curves,
        ablation=ablation,
        weights={s: 0.5 - 0.2 * i for i, s in enumerate(SIGNALS)},
        notes=["Weights learned by logistic regression on the train split.", "Seed 7."],
        seconds=83.4,
        tradeoff=[
            ExposurePoint(0.0, 1.0, 30, 0.400, 0.98, 0.06),
            ExposurePoint(0.2, 1.0, 30, 0.394, 0.96, 0.12, default=True),
            ExposurePoint(0.3, 1.0, 100, 0.371, 0.90, 0.25),
        ],
        tradeoff_method="full",
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def table_rows(report: str) -> list[str]:
    return [line for line in report.splitlines() if line.startswith("| ")]


def test_report_has_table_with_every_method_in_order(tmp_path: Path) -> None:
    text = write_report(tmp_path, sample_input()).read_text(encoding="utf-8")

    assert text.startswith("# Evaluation report: mentors-small")
    assert "120 queries · 340 mentors · run time 1 min 23 s" in text
    assert "- Seed 7." in text
    header, *rows = table_rows(text)[: len(METHODS) + 1]
    assert "nDCG@10 [95% CI]" in header
    assert "catalogue coverage@10" in header and "exposure Gini@10" in header
    names = [row.split("|")[1].strip() for row in rows]
    assert names == [
        "random",
        "popularity",
        "bm25",
        "embedding",
        "full",
        "full-accessibility",
        "full-credibility",
        "full-similarity",
    ]


def test_best_value_is_bold_and_ci_is_formatted(tmp_path: Path) -> None:
    text = write_report(tmp_path, sample_input()).read_text(encoding="utf-8")
    full = next(row for row in table_rows(text) if row.startswith("| full |"))
    random = next(row for row in table_rows(text) if row.startswith("| random |"))
    popularity = next(row for row in table_rows(text) if row.startswith("| popularity |"))

    assert "**0.400** [0.37, 0.43]" in full  # best nDCG@10, with its CI
    assert "| 0.100 [0.07, 0.13] |" in random
    assert "**0.200**" in random  # lowest exposure Gini is the best
    assert "| – |" in popularity  # NaN MRR


def test_ablation_and_reading_guide(tmp_path: Path) -> None:
    text = write_report(tmp_path, sample_input()).read_text(encoding="utf-8")

    assert "| similarity | -0.050 [-0.070, -0.030] | helps |" in text
    assert "| stage_fit | +0.030 [0.010, 0.050] | hurts |" in text
    assert "Δ < 0 means the signal helps" in text
    assert "95% bootstrap confidence intervals over queries" in text


def test_rankers_are_set_against_the_text_match_alone_when_both_ran(tmp_path: Path) -> None:
    against = {
        "full": (-0.065, -0.080, -0.048),
        "served": (-0.013, -0.029, 0.004),
        "learned": (0.020, 0.005, 0.035),
    }
    text = write_report(tmp_path, sample_input(against_text=against)).read_text("utf-8")
    assert "## Against the text match alone" in text
    assert "| full | -0.065 [-0.080, -0.048] | below |" in text
    assert "| served | -0.013 [-0.029, +0.004] | no clear difference (CI includes 0) |" in text
    assert "| learned | +0.020 [+0.005, +0.035] | above |" in text
    plain = write_report(tmp_path / "b", sample_input()).read_text("utf-8")
    assert "Against the text match alone" not in plain


def test_all_plots_are_real_pngs_and_linked(tmp_path: Path) -> None:
    text = write_report(tmp_path, sample_input()).read_text(encoding="utf-8")

    for name in PLOT_FILES:
        png = tmp_path / "plots" / name
        assert png.read_bytes()[:8] == PNG_MAGIC
        assert png.stat().st_size > 10_000, name
        assert f"(plots/{name})" in text


def test_output_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write_report(first, sample_input())
    write_report(second, sample_input())

    for name in ("report.md", *(f"plots/{p}" for p in PLOT_FILES)):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_missing_parts_are_reported_not_crashed(tmp_path: Path) -> None:
    write_report(tmp_path, sample_input())  # a previous complete run in the same folder
    data = sample_input(curves={}, ablation={}, weights={}, notes=[])

    text = write_report(tmp_path, data).read_text(encoding="utf-8")

    assert "No per-k curves were supplied" in text
    assert "No ablation results were supplied" in text
    assert "No ranker weights were supplied" in text
    assert "(plots/ablation.png)" not in text
    assert not (tmp_path / "plots" / "ablation.png").exists()  # stale plot removed
    assert not (tmp_path / "plots" / "metric_vs_k.png").exists()
    assert (tmp_path / "plots" / "exposure.png").exists()


def test_no_metrics_at_all(tmp_path: Path) -> None:
    data = sample_input(metrics={}, curves={}, ablation={}, weights={})

    text = write_report(tmp_path, data).read_text(encoding="utf-8")

    assert "No metrics were supplied." in text
    assert "No coverage@10 or gini@10 values were supplied" in text


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["zeta", "full-b", "full", "bm25", "random", "full-a"],
         ["random", "bm25", "full", "full-a", "full-b", "zeta"]),
        (["embedding-items", "embedding", "tfidf", "popularity"],
         ["popularity", "tfidf", "embedding", "embedding-items"]),
    ],
)  # fmt: skip
def test_method_order(given: list[str], expected: list[str]) -> None:
    assert method_order(given) == expected


def test_the_exposure_tradeoff_is_a_table_against_the_ranking_without_it(tmp_path: Path) -> None:
    text = write_report(tmp_path, sample_input()).read_text(encoding="utf-8")
    assert "## Exposure control: the trade-off" in text
    assert "| off | 0.400 | +0.000 | 0.980 | 0.060 | 1.00 |" in text
    row = "| **0.2·k, factor 1, depth 30 (default)** | 0.394 | -0.006 | 0.960 | 0.120 | 2.00 |"
    assert row in text
    empty = write_report(tmp_path / "b", sample_input(tradeoff=[])).read_text(encoding="utf-8")
    assert "nothing was replayed" in empty
    assert not (tmp_path / "b" / "plots" / "exposure_tradeoff.png").exists()
