"""``mentor-match evaluate``: rank a BEIR data set with every method, measure, write it all down.

The ``full`` method is the product's engine (``Engine.score`` then ``Engine.order``, the same
calls ``Engine.suggest`` makes for the API); ablations re-order the same scored candidates
with one signal's weight set to zero. Weights are learned, when the data set has a ``train/``
part (a split inside its training period), from that part only — never from the test queries.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evaluation import baselines
from evaluation.adapter import Cohort, to_cohort
from evaluation.beir import BeirDataset, load_beir
from evaluation.exposure_curve import ExposurePoint, exposure_curve
from evaluation.learning import (
    DEPTH,
    Model,
    Task,
    load_engine,
    no_progress,
    query_filters,
    remixed,
    shared_embedder,
    store_dir,
)
from evaluation.metrics import bootstrap_ci, coverage, gini, paired_bootstrap, per_query
from evaluation.report import ReportInput, write_report
from evaluation.trec import Run, write_run
from recommender.engine import Engine
from recommender.ranking.feature_ranker import FeatureRanker
from recommender.ranking.features import features
from recommender.ranking.learned import FeatureModel
from recommender.ranking.model_files import load_ranker
from recommender.ranking.ranker import LinearRanker, Ranker
from recommender.ranking.registry import SIGNALS
from recommender.retrieval.embedding import CachedEmbedder, Embedder, SentenceTransformerEmbedder
from recommender.settings import Settings

CUTOFFS = (1, 3, 5, 10, 20, 50, 100)
METRICS = ("ndcg@5", "ndcg@10", "recall@10", "recall@50", "mrr", "map")
BASELINES = ("random", "popularity", "tfidf", "embedding")
TEXT_METHODS = ("embedding-items", "bm25", "hybrid")
"""The engine's text match alone: embedding (pooled item cosines), lexical (BM25 over the
same items), and their mix with the lexical share learned on ``train/``."""
ENGINE_METHODS = (
    *TEXT_METHODS,
    "adapted",
    "full",
    "learned",
    "full-minus-lexical",
    *(f"full-minus-{s}" for s in SIGNALS),
    *(f"learned-minus-{s}" for s in SIGNALS),
    "served",
    "served-one-sided",
)
SERVED = ("served", "served-one-sided")
"""A saved ranker as the API serves it (two-sided), and the same without the mentor side
(what a data set judging only the mentee side can compare with the other rows)."""
LEARNED_ABLATION = "learned-minus-"
ALL_METHODS = (*BASELINES, *ENGINE_METHODS)


@dataclass
class Evaluation:
    """What a run produced (also written to ``out``)."""

    metrics: dict[str, dict[str, float]]
    runs: dict[str, Run]
    weights: dict[str, float]
    seconds: float
    notes: list[str] = field(default_factory=list)


def _runs_on(method: str, model: Model, best: Model) -> bool:
    """Whether ``method`` is ranked with ``model``: ``adapted`` with the adapted embedder,
    the text methods with the base one, ``full`` and its ablations with the best."""
    if method == "adapted":
        return model.tag == "adapted"
    if method in (*TEXT_METHODS, *SERVED):
        return model.tag == "base"
    return model is best


@dataclass(frozen=True)
class Variant:
    """One way of ordering the engine's scored candidates: a ranker over the signals, with
    the similarity signal re-mixed at a lexical share (``text_match``)."""

    ranker: Ranker
    lexical: float
    model: FeatureModel | None = None
    """A learned ranker over the candidates' features, used instead of ``ranker``."""
    two_sided: bool = False
    """Times the mentor side's factor (``recommender.ranking.mentor_side``): only the
    ``served`` row, ranking as the API does; the others measure the mentee side. The factor
    scales the ranker's shown score (in (0, 1)), so this row ranks with ``ranker`` itself."""


def _variants(
    weights: dict[str, float],
    methods: Sequence[str],
    lexical: float,
    in_full: float,
    learned: FeatureModel | None = None,
    without: Callable[[str], FeatureModel | None] = lambda _: None,
    served: FeatureRanker | None = None,
) -> dict[str, Variant]:
    """The orderings of ``methods``: the text methods at lexical share ``lexical`` (bm25 at
    1, embedding-items at 0), the full ranker and its ablations at ``in_full``, the learned
    ranker (when there is one) over features with the text match at ``lexical``, and its
    ablations (``without(signal)``: the learned ranker refitted without it), and a saved
    ranker (``served``, two-sided, and ``served-one-sided``) with the text match at the
    product's lexical share."""
    text_only = LinearRanker(weights={"similarity": 1.0})
    shares = {"embedding-items": 0.0, "bm25": 1.0, "hybrid": lexical, "adapted": lexical}
    out: dict[str, Variant] = {}
    for method in methods:
        if method in shares:
            out[method] = Variant(text_only, shares[method])
        elif method == "full":
            out[method] = Variant(LinearRanker(weights=weights), in_full)
        elif method == "learned" and learned is not None:
            out[method] = Variant(LinearRanker(weights=weights), lexical, learned)
        elif method in SERVED and served is not None:
            two_sided = method == "served"
            out[method] = Variant(served, Settings().lexical_weight, two_sided=two_sided)
        elif method.startswith(LEARNED_ABLATION):
            model = without(method.removeprefix(LEARNED_ABLATION))
            if model is not None:
                out[method] = Variant(LinearRanker(weights=weights), lexical, model)
        elif method == "full-minus-lexical":
            out[method] = Variant(LinearRanker(weights=weights), 0.0)
        elif method.startswith("full-minus-"):
            dropped = method.removeprefix("full-minus-")
            out[method] = Variant(LinearRanker(weights={**weights, dropped: 0.0}), in_full)
    return out


def engine_runs(
    engine: Engine, cohort: Cohort, variants: dict[str, Variant], task: Task
) -> dict[str, Run]:
    """Score each query's candidates once, then order them with every variant."""
    runs: dict[str, Run] = {name: {} for name in variants}
    tick = task(f"engine ({len(variants)} rankings)", len(cohort.mentees))
    for qid, mentee in cohort.mentees.items():
        filters = query_filters(cohort, qid)
        scored = engine.score(mentee, DEPTH, filters, cohort.dates.get(qid))
        for name, variant in variants.items():
            mixed = remixed(scored, variant.lexical)
            given = None
            if variant.model is not None:
                given = variant.model.predict(features(mixed, variant.model.names))
            scores, order = engine.order(
                mixed, filters, variant.ranker, given, two_sided=variant.two_sided
            )
            runs[name][qid] = {
                cohort.doc_of[scored.mentor_ids[i]]: float(scores[i]) for i in order[:DEPTH]
            }
        tick(1)
    return runs


def _strictly_decreasing(run: Run) -> Run:
    """Scores made strictly decreasing along each list's order (ties and reorderings broken
    by at most a few ulps), so run files, metrics and any TREC tool agree on one ranking."""
    out: Run = {}
    for qid, docs in run.items():
        previous = float("inf")
        fixed: dict[str, float] = {}
        for doc, score in docs.items():
            previous = float(min(score, np.nextafter(previous, -np.inf)))
            fixed[doc] = previous
        out[qid] = fixed
    return out


def measure(
    runs: dict[str, Run], dataset: BeirDataset, cutoffs: Sequence[int]
) -> tuple[dict[str, dict[str, float]], dict[str, dict[int, dict[str, float]]], dict[str, Any]]:
    """Metrics (with a 95% bootstrap CI for nDCG@10), curves over k, per-query nDCG@10."""
    names = sorted({*METRICS, *(f"ndcg@{k}" for k in cutoffs), *(f"recall@{k}" for k in cutoffs)})
    metrics: dict[str, dict[str, float]] = {}
    curves: dict[str, dict[int, dict[str, float]]] = {}
    per_ndcg: dict[str, Any] = {}
    for method, run in runs.items():
        values = per_query(run, dataset.qrels, names)
        means = {n: float(np.mean(list(v.values()))) for n, v in values.items()}
        low, high = bootstrap_ci(list(values["ndcg@10"].values()))
        metrics[method] = {
            **{n: means[n] for n in METRICS},
            "ndcg@10_ci_low": low,
            "ndcg@10_ci_high": high,
            "coverage@10": coverage(run, 10, len(dataset.corpus)),
            "gini@10": gini(run, 10, dataset.corpus),
        }
        curves[method] = {
            k: {"ndcg": means[f"ndcg@{k}"], "recall": means[f"recall@{k}"]} for k in cutoffs
        }
        per_ndcg[method] = values["ndcg@10"]
    return metrics, curves, per_ndcg


def run_evaluation(
    dataset_dir: Path,
    out: Path,
    methods: Sequence[str] = ALL_METHODS,
    cutoffs: Sequence[int] = CUTOFFS,
    cache: Path | None = None,
    embedder: Embedder | None = None,
    pool: int | None = None,
    learn: bool = True,
    task: Task = no_progress,
    adapted: Path | None = None,
    ranker: Path | None = None,
) -> Evaluation:
    """Evaluate ``methods`` on the data set in ``dataset_dir``; write results into ``out``.

    ``adapted``: a sentence-transformers folder written by ``mentor-match adapt``; its text
    match is the ``adapted`` row, and ``full`` uses it when the full ranker ranks better with
    it on ``train/``. ``ranker``: a learned ranker's folder (``mentor-match train``); the
    ``served`` row ranks with it."""
    start = time.perf_counter()
    unknown = sorted(set(methods) - set(ALL_METHODS))
    if unknown:
        raise ValueError(f"methods: unknown {unknown}; choose from {list(ALL_METHODS)}")
    dataset = load_beir(dataset_dir)
    spaced = [i for i in [*dataset.corpus, *dataset.queries] if any(c.isspace() for c in i)]
    if spaced:
        raise ValueError(
            f"{dataset_dir}: id {spaced[0]!r} contains whitespace, which TREC run files cannot hold"
        )
    judged = [q for q, rel in dataset.qrels.items() if any(v > 0 for v in rel.values())]
    if not judged:
        raise ValueError(f"{dataset_dir}: no query has a relevant document in qrels/test.tsv")
    cache = cache or out / "cache"
    cohort = to_cohort(dataset, judged)
    notes = [f"{len(judged)} judged queries of {len(dataset.queries)}; as of {cohort.as_of}."]
    notes += dataset.warnings[:5]
    train_dir = dataset_dir / "train"
    has_train = learn and (train_dir / "corpus.jsonl").exists()
    models = [Model("base", shared_embedder(cache, embedder))]
    if adapted is not None:
        inner = SentenceTransformerEmbedder(str(adapted))
        models.append(Model("adapted", shared_embedder(cache, inner)))
    elif "adapted" in methods:
        notes.append("adapted: not run (no adapted model given: `--adapted MODEL_DIR`).")
    saved = load_ranker(ranker) if ranker is not None else None
    if saved is not None:
        methods = [*methods, *(m for m in SERVED if m not in methods)]
    if any(m in methods for m in SERVED) and saved is None:
        notes.append("served: not run (no saved ranker given: `--ranker MODEL_DIR`).")
    elif saved is not None:
        notes.append(
            f"served: the saved ranker {ranker} ({saved.model.learner}), ranking as the API "
            "does (its calibrated score times the mentor side's factor); served-one-sided: "
            "the same without the mentor side."
        )
    if "learned" in methods and not has_train:
        notes.append("learned: not run (the data set has no train/ split to learn from).")
    for model in models:
        if has_train:
            train = load_beir(train_dir)
            folder = store_dir(cache, train_dir, model.tag)
            model.ablate = tuple(
                m.removeprefix(LEARNED_ABLATION) for m in methods if m.startswith(LEARNED_ABLATION)
            )
            wants = "learned" in methods or bool(model.ablate)
            model.learn(train, folder, pool, task, ranker=wants)
        notes.append(model.describe())
    best = max(models, key=lambda m: m.train_full_ndcg) if has_train else models[0]
    if len(models) > 1:
        notes.append(
            f"full uses the {best.tag} embedder: with it the full ranker ranks best on train/"
            if has_train
            else "full uses the base embedder: without train/ nothing chooses between them"
        )
    runs: dict[str, Run] = {}
    wanted = [m for m in methods if m in ENGINE_METHODS]
    base_engine: Engine | None = None
    for model in models:
        own = [m for m in wanted if _runs_on(m, model, best)]
        engine = load_engine(
            cohort, store_dir(cache, dataset_dir, model.tag), model.embedder, pool, task
        )
        if own:
            variants = _variants(
                model.weights,
                own,
                model.lexical,
                model.full_lexical,
                model.ranker,
                model.ranker_without,
                saved,
            )
            runs.update(engine_runs(engine, cohort, variants, task))
        if model.tag == "base":
            base_engine = engine
        else:
            engine.store.close()
    weights = best.weights
    fit = best.fit
    assert base_engine is not None
    engine = base_engine
    runs.update(_baseline_runs(methods, cohort, engine.embedder, task))
    engine.store.close()
    runs = {m: _strictly_decreasing(runs[m]) for m in methods if m in runs}
    metrics, curves, per_ndcg = measure(runs, dataset, cutoffs)
    ablation = _ablation(per_ndcg)
    against_text = _against(per_ndcg, TEXT_ONLY, COMPARED_WITH_TEXT)
    served = next((m for m in ("served", "learned", "full") if m in runs), None)
    tradeoff = [] if served is None else _tradeoff(runs[served], dataset, cohort)
    seconds = time.perf_counter() - start
    _write(out, runs, metrics, weights, fit, notes, seconds)
    write_report(
        out,
        ReportInput(
            dataset=dataset.name,
            n_queries=len(judged),
            n_mentors=len(dataset.corpus),
            metrics=metrics,
            curves=curves,
            ablation=ablation,
            against_text=against_text,
            weights=weights,
            notes=notes,
            seconds=seconds,
            tradeoff=tradeoff,
            tradeoff_method=served or "",
        ),
    )
    return Evaluation(metrics, runs, weights, seconds, notes)


def _baseline_runs(
    methods: Sequence[str], cohort: Cohort, embedder: Any, task: Task
) -> dict[str, Run]:
    n = len(cohort.mentees)
    makers: dict[str, Callable[[Callable[[int], None]], Run]] = {
        "random": lambda t: baselines.random_run(cohort, tick=t),
        "popularity": lambda t: baselines.popularity_run(cohort, tick=t),
        "tfidf": lambda t: baselines.tfidf_run(cohort, tick=t),
        "embedding": lambda t: baselines.embedding_run(cohort, _as_cached(embedder), tick=t),
    }
    return {m: makers[m](task(m, n)) for m in methods if m in makers}


def _as_cached(embedder: Any) -> CachedEmbedder:
    if not isinstance(embedder, CachedEmbedder):
        raise TypeError("the embedding baseline needs the engine's cached embedder")
    return embedder


def _tradeoff(run: Run, dataset: BeirDataset, cohort: Cohort) -> list[ExposurePoint]:
    """The served ranking replayed through the discovery places (``exposure_curve``), each
    mentor's fair share their share of the free places (equal when none are known)."""
    free = {cohort.doc_of[m.id]: max(0, m.capacity - m.current_mentees) for m in cohort.mentors}
    total = sum(free.values())
    fair = (
        {d: n / total for d, n in free.items()} if total > 0 else {d: 1.0 / len(free) for d in free}
    )
    return exposure_curve(run, dataset.qrels, list(dataset.corpus), fair, cohort.dates)


TEXT_ONLY = "embedding-items"
COMPARED_WITH_TEXT = ("full", "learned", "served", "served-one-sided")
"""The rankers the report sets against the text match alone (paired over queries)."""


def _against(
    per_ndcg: dict[str, Any], base: str, methods: Sequence[str]
) -> dict[str, tuple[float, float, float]]:
    """Method → its nDCG@10 minus ``base``'s [95% CI], paired over ``base``'s queries (a
    query a method did not rank counts 0), for each of ``methods`` that ran."""
    if base not in per_ndcg:
        return {}
    qids = sorted(per_ndcg[base])
    theirs = [per_ndcg[base][q] for q in qids]
    out = {}
    for method in methods:
        if method in per_ndcg and qids:
            ours = [per_ndcg[method].get(q, 0.0) for q in qids]
            low, high = paired_bootstrap(ours, theirs)
            out[method] = (float(np.mean(ours) - np.mean(theirs)), low, high)
    return out


def _ablation(per_ndcg: dict[str, Any]) -> dict[str, tuple[float, float, float]]:
    """Signal → Δ nDCG@10 [CI] of removing it, paired over queries: from the full ranker
    (``signal``) and from the learned ranker (``signal (learned)``)."""
    out = {}
    for whole, prefix, suffix in (
        ("full", "full-minus-", ""),
        ("learned", LEARNED_ABLATION, " (learned)"),
    ):
        removed = [m for m in per_ndcg if m.startswith(prefix)]
        for method, delta in _against(per_ndcg, whole, removed).items():
            out[method.removeprefix(prefix) + suffix] = delta
    return out


def _write(
    out: Path,
    runs: dict[str, Run],
    metrics: dict[str, dict[str, float]],
    weights: dict[str, float],
    fit: dict[str, float],
    notes: list[str],
    seconds: float,
) -> None:
    (out / "runs").mkdir(parents=True, exist_ok=True)
    for method, run in runs.items():
        write_run(run, out / "runs" / f"{method}.trec", tag=method, depth=DEPTH)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    LinearRanker(weights=weights).save(
        out / "ranker.json", trained_on="; ".join(notes[-1:]), metrics=fit
    )
    (out / "run.json").write_text(
        json.dumps({"seconds": round(seconds, 1), "notes": notes}, indent=2) + "\n"
    )
