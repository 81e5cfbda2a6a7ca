"""The exposure trade-off replay: queries met in date order through one ledger; with the
discovery places off the ranking is unchanged, with them on the lists spread over more
mentors, the first places never move, and the product's default is one marked point."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from evaluation.exposure_curve import exposure_curve, replay
from evaluation.metrics import coverage, per_query
from recommender.ranking.exposure import ExposurePolicy

DOCS = [f"d{i:02d}" for i in range(40)]


def popular_run(n_queries: int = 30) -> tuple[dict, dict, dict]:
    """Every query ranks the same 10 mentors first (with noise below); each query's relevant
    mentor is one of the first 8, or one further down."""
    rng = np.random.default_rng(0)
    run, qrels, dates = {}, {}, {}
    for q in range(n_queries):
        scores = {d: 100.0 - i + rng.random() * 0.5 for i, d in enumerate(DOCS)}
        qid = f"q{q:02d}"
        run[qid] = scores
        qrels[qid] = {DOCS[q % 8] if q % 3 else DOCS[10 + q % 20]: 1}
        dates[qid] = date(2026, 1, 1) + timedelta(days=q)
    return run, qrels, dates


def test_off_is_the_ranking_and_on_spreads_the_last_places() -> None:
    run, qrels, dates = popular_run()
    fair = {d: 1 / len(DOCS) for d in DOCS}
    order = sorted(run, key=lambda q: dates[q])
    off = replay(run, order, fair, ExposurePolicy(share=0.0), dates, 30)
    for qid in run:
        assert (
            sorted(off[qid], key=off[qid].get, reverse=True)[:10]
            == sorted(run[qid], key=run[qid].get, reverse=True)[:10]
        )
    on = replay(run, order, fair, ExposurePolicy(0.2, 1.0, 30), dates, 30)
    for qid in run:
        top = sorted(on[qid], key=on[qid].get, reverse=True)[:10]
        assert top[:8] == sorted(run[qid], key=run[qid].get, reverse=True)[:8]
    assert coverage(on, 10, len(DOCS)) > 1.5 * coverage(off, 10, len(DOCS))
    ndcg_off = np.mean(list(per_query(off, qrels, ["ndcg@10"])["ndcg@10"].values()))
    ndcg_on = np.mean(list(per_query(on, qrels, ["ndcg@10"])["ndcg@10"].values()))
    assert ndcg_on >= ndcg_off  # the relevant ones below the top 10 now get a turn


def test_the_curve_marks_the_default_and_measures_each_setting() -> None:
    run, qrels, dates = popular_run()
    fair = {d: 1 / len(DOCS) for d in DOCS}
    points = exposure_curve(run, qrels, DOCS, fair, dates)
    assert sum(p.default for p in points) == 1
    off = [p for p in points if p.share == 0]
    assert len(off) == 1
    default = next(p for p in points if p.default)
    assert (default.share, default.factor, default.depth) == (0.2, 1.0, 30)
    assert default.coverage > off[0].coverage and default.gini < off[0].gini
    widest = max(points, key=lambda p: p.coverage)
    assert widest.share == 0.3
