"""The history study: trained only on outcomes before the cut-off, scored on mentees who
asked nothing before it, each ranker's top 5 judged by the sample's planted model, with
CIs, a paired difference and a report (real SQLite and FAISS; the hashing embedder keeps
the sample's 320 mentors fast)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.history_study import run_history_study
from recommender.samplegen import generate
from recommender.samplegen.relationships import planted_chances
from tests.support.embedders import HashingEmbedder


def test_planted_chances_follow_the_planted_model() -> None:
    cohort = generate(7)
    history = cohort.history
    mentee, planted = next(
        (m, p)
        for m in cohort.mentees
        for p in cohort.truth[m.id][:3]
        if history.preferences[p] != "anyone"
    )
    other = next(
        m.id
        for m in cohort.mentors
        if m.id not in cohort.truth[mentee.id]
        and history.specialties[m.id] not in history.pools[mentee.id]
        and history.preferences[m.id] == history.preferences[planted]
        and abs(history.quality[m.id] - history.quality[planted]) < 0.3
    )
    good = planted_chances(history, cohort.truth, mentee, planted, 0.0)
    poor = planted_chances(history, cohort.truth, mentee, other, 0.0)
    assert good[0] > poor[0] + 0.2 and 0 < good[1] <= good[0]  # fit raises acceptance
    assert planted_chances(history, cohort.truth, mentee, planted, 1.0) == (0.0, 0.0)  # full
    assert planted_chances(history, cohort.truth, mentee, planted, 0.5)[0] < good[0]
    flipped = "PGY3" if mentee.stage in ("premedical", "MS1", "MS2", "MS3", "MS4") else "MS1"
    twin = mentee.model_copy(update={"stage": flipped})
    assert planted_chances(history, cohort.truth, twin, planted, 0.0)[0] != pytest.approx(
        good[0]
    )  # the mentor's hidden stage preference counts


def test_the_study_trains_before_the_cut_off_and_judges_held_out_mentees(tmp_path: Path) -> None:
    study = run_history_study(tmp_path / "study", embedder=HashingEmbedder())
    assert set(study.rankers) == {
        "default weights",
        "default weights, two-sided",
        "learned",
        "learned, two-sided",
    }
    assert "learned, two-sided − default weights: lasting" in study.differences
    for r in study.rankers.values():
        assert r.accept_ci[0] <= r.accept <= r.accept_ci[1]
        assert r.lasting_ci[0] <= r.lasting <= r.lasting_ci[1] and r.lasting <= r.accept
    assert study.until == "2026-03-05" and study.mentees >= 300
    assert study.trained["graded"] >= 250
    for d in study.differences.values():
        assert d["low"] <= d["mean"] <= d["high"]
    saved = json.loads((tmp_path / "study" / "history-study.json").read_text())
    assert saved["mentees"] == study.mentees
    card = (tmp_path / "study" / "models" / "history" / "MODEL_CARD.md").read_text()
    assert "2026-03-05" in card  # trained on what came before the cut-off only
    report = (tmp_path / "study" / "history-study.md").read_text()
    assert "| learned |" in report and "(history-study.png)" in report
    assert (tmp_path / "study" / "history-study.png").read_bytes()[:4] == b"\x89PNG"
