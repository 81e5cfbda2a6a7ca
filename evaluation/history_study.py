"""``mentor-match history-study``: does a ranker learned from the sample's outcome log
suggest mentors who accept and stay, by the sample's own planted model?

The sample's two years of relationships come from a planted model of acceptance and of
lasting past 90 days (``recommender.samplegen.relationships``). The study:

1. builds the sample program (mentors, mentees, ratings, the whole relationship history) in
   a store of its own, with the real embedding model;
2. trains the learned ranker on the outcome log before a cut-off (``holdout_days`` before
   the export date), as ``mentor-match train --until`` does;
3. for every mentee who made no request before the cut-off (nothing of theirs was learned
   from), takes the top 5 of the default weights and of the learned ranker, one-sided and
   two-sided (times the mentor side's factor: ``recommender.ranking.mentor_side``, from
   the decisions made before the cut-off and the mentors' stated preferences), each as the
   engine orders it for that mentee, and asks the planted model how likely each suggested
   mentor is to accept and to still be meeting 90 days later (workloads as on the export
   date; a mentor without a free place declines);
4. reports the mean over mentees of the top 5's mean chances, with 95% bootstrap CIs, and
   the differences named in ``COMPARED``, paired over mentees.

The planted model is the oracle only: rankers never see it (the mentors' quality, and the
stage preferences of the mentors who do not state them, are hidden from every profile).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.learning import Task, no_progress
from evaluation.metrics import bootstrap_ci, paired_bootstrap
from evaluation.ranker_training import label, train_ranker, window_of
from evaluation.report_plots import figure
from recommender.domain.items import mentor_items
from recommender.domain.kinds import Kind
from recommender.engine import build_engine
from recommender.matching.lifecycle import Lifecycle
from recommender.matching.training_set import outcome_queries
from recommender.ranking.filters import SuggestionFilters
from recommender.ranking.model_files import load_ranker
from recommender.ranking.ranker import LinearRanker, Ranker
from recommender.retrieval.embedding import Embedder
from recommender.samplegen import SampleCohort, generate
from recommender.samplegen.generate import DEFAULT_AS_OF
from recommender.samplegen.relationships import planted_chances, relationship_rows
from recommender.settings import Settings

__all__ = ["HistoryStudy", "run_history_study"]

TOP = 5
DEPTH = 50
COMPARED = (
    ("learned, two-sided", "default weights"),
    ("learned", "default weights"),
    ("default weights, two-sided", "default weights"),
    ("learned, two-sided", "learned"),
)
"""The paired differences reported: (ranker, against)."""


@dataclass
class RankerOutcome:
    """One ranker's top 5 by the planted model: mean chances with 95% CIs."""

    accept: float
    accept_ci: tuple[float, float]
    lasting: float
    lasting_ci: tuple[float, float]


@dataclass
class HistoryStudy:
    """The study's numbers (also ``history-study.json``)."""

    seed: int
    until: str
    mentees: int
    rankers: dict[str, RankerOutcome]
    differences: dict[str, dict[str, float]]
    """"A − B: accept" / "A − B: lasting" (``COMPARED``) → the mean difference paired over
    mentees and its 95% CI bounds."""
    trained: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def _build(cohort: SampleCohort, settings: Settings, embedder: Embedder | None, task: Task) -> Any:
    engine = build_engine(settings, embedder=embedder, today=lambda: DEFAULT_AS_OF)
    store = engine.store
    store.upsert(Kind.MENTORS, cohort.mentors)
    store.upsert(Kind.MENTEES, cohort.mentees)
    store.upsert(Kind.FEEDBACK, cohort.feedback)
    n_items = sum(len(mentor_items(m)) for m in cohort.mentors)
    engine.refresh(progress=task("embedding items", n_items))
    Lifecycle(engine).import_history(relationship_rows(cohort.history))
    return engine


def _loads(cohort: SampleCohort) -> dict[str, float]:
    """Each mentor's open relationships over capacity on the export date (≥ 1: full)."""
    held = cohort.history.open_places()
    return {
        m.id: (m.current_mentees + held.get(m.id, 0)) / max(1, m.capacity) for m in cohort.mentors
    }


def run_history_study(
    out: Path,
    seed: int = 7,
    holdout_days: int = 180,
    embedder: Embedder | None = None,
    task: Task = no_progress,
) -> HistoryStudy:
    """Run the study into ``out`` (its store, model and report live there)."""
    start = time.perf_counter()
    cohort = generate(seed)
    out.mkdir(parents=True, exist_ok=True)
    models = out / "models"
    shutil.rmtree(models, ignore_errors=True)
    settings = Settings(data_dir=out / "store", models_dir=models, exposure_share=0.0)
    engine = _build(cohort, settings, embedder, task)
    try:
        until = datetime.combine(
            DEFAULT_AS_OF - timedelta(days=holdout_days), datetime.min.time(), UTC
        )
        relationships = engine.relationships.every()
        asked_before = {r.mentee_id for r in relationships if r.requested_at < until}
        found = outcome_queries(
            engine, relationships, until, progress=task("training set", len(asked_before))
        )
        trained_on = {
            "source": f"the sample's outcome log (seed {seed})",
            "until": until.isoformat(timespec="seconds"),
            "requests": window_of(found.dates),
            **found.counts,
        }
        trained = train_ranker(found.names, found.queries, models, trained_on, "history")
        learned = load_ranker(trained.folder)
        rankers: dict[str, Ranker] = {"default weights": LinearRanker(), "learned": learned}
        rows = [
            (f"{name}{suffix}", ranker, two)
            for name, ranker in rankers.items()
            for suffix, two in (("", False), (", two-sided", True))
        ]
        loads = _loads(cohort)
        held_out = [m for m in cohort.mentees if m.id not in asked_before]
        chances: dict[str, dict[str, list[float]]] = {
            name: {"accept": [], "lasting": []} for name, _, _ in rows
        }
        tick = task("scoring held-out mentees", len(held_out))
        filters = SuggestionFilters()
        for mentee in held_out:
            # as of the cut-off: the mentor side reads only the decisions made before it
            scored = engine.score(mentee, DEPTH, filters, as_of=until.date())
            for name, ranker, two_sided in rows:
                _, order = engine.order(scored, filters, ranker, two_sided=two_sided)
                top = [scored.mentor_ids[i] for i in order[:TOP]]
                pairs = [
                    planted_chances(cohort.history, cohort.truth, mentee, m, loads[m]) for m in top
                ]
                chances[name]["accept"].append(float(np.mean([a for a, _ in pairs])))
                chances[name]["lasting"].append(float(np.mean([b for _, b in pairs])))
            tick(1)
    finally:
        engine.store.close()
    outcomes = {
        name: RankerOutcome(
            float(np.mean(c["accept"])),
            bootstrap_ci(c["accept"]),
            float(np.mean(c["lasting"])),
            bootstrap_ci(c["lasting"]),
        )
        for name, c in chances.items()
    }
    differences: dict[str, dict[str, float]] = {}
    for ours, theirs in COMPARED:
        for what in ("accept", "lasting"):
            a, b = chances[ours][what], chances[theirs][what]
            low, high = paired_bootstrap(a, b)
            differences[f"{ours} − {theirs}: {what}"] = {
                "mean": float(np.mean(a) - np.mean(b)),
                "low": low,
                "high": high,
            }
    study = HistoryStudy(
        seed,
        until.date().isoformat(),
        len(held_out),
        outcomes,
        differences,
        {
            "model": trained.folder.name,
            "kept": label(trained.fitted.chosen),
            "mentees": found.counts["mentees"],
            "graded": found.counts["graded"],
        },
        time.perf_counter() - start,
    )
    _write(out, study)
    return study


def _write(out: Path, study: HistoryStudy) -> None:
    (out / "history-study.json").write_text(json.dumps(asdict(study), indent=2) + "\n")
    drawn = _plot(study, out / "history-study.png")
    lines = [
        f"# History study: sample seed {study.seed}",
        "",
        f"Learned ranker trained on the outcome log before {study.until} "
        f"({study.trained['graded']} graded requests of {study.trained['mentees']} mentees; "
        f"kept {study.trained['kept']}). Scored on the {study.mentees} mentees who made no "
        f"request before then: the top {TOP} of each ranker, each suggestion's chance to be "
        "accepted and to last past 90 days by the sample's planted model. 95% bootstrap CIs "
        "over mentees.",
        "",
    ]
    if drawn:
        lines += ["![History study](history-study.png)", ""]
    lines += [
        f"| ranker | top-{TOP} acceptance [95% CI] | top-{TOP} lasting 90 days [95% CI] |",
        "|---|---:|---:|",
    ]
    for name, r in study.rankers.items():
        lines.append(
            f"| {name} | {r.accept:.3f} [{r.accept_ci[0]:.3f}, {r.accept_ci[1]:.3f}] | "
            f"{r.lasting:.3f} [{r.lasting_ci[0]:.3f}, {r.lasting_ci[1]:.3f}] |"
        )
    lines += ["", "Differences paired over mentees [95% CI]:", ""]
    for what, d in study.differences.items():
        lines.append(f"- {what}: {d['mean']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]")
    lines += ["", f"Run time {study.seconds:.0f} s.", ""]
    (out / "history-study.md").write_text("\n".join(lines))


def _plot(study: HistoryStudy, path: Path) -> bool:
    names = list(study.rankers)
    if not names:
        return False
    with figure(path, 3.2, ncols=2) as axes:
        for ax, (what, title) in zip(
            axes, (("accept", "acceptance"), ("lasting", "lasting 90 days")), strict=True
        ):
            means = [getattr(study.rankers[n], what) for n in names]
            cis = [getattr(study.rankers[n], f"{what}_ci") for n in names]
            err = np.array(
                [
                    [m - lo for m, (lo, _) in zip(means, cis, strict=True)],
                    [hi - m for m, (_, hi) in zip(means, cis, strict=True)],
                ]
            )
            colours = ["C7", "C1", "C0", "C2"][: len(names)]
            ax.barh(names, means, xerr=err, color=colours, capsize=4)
            ax.set_title(f"top-{TOP} chance of {title}\n(planted model)")
            ax.set_xlim(0, 1)
        axes[1].tick_params(labelleft=False)
    return True
