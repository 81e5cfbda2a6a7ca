"""``mentor-match evaluate``: rank a BEIR data set with every method, measure, write it all down.

The ``full`` method is the product's engine (``Engine.score`` then ``Engine.order``, the same
calls ``Engine.suggest`` makes for the API); ablations re-order the same scored candidates
with one signal's weight set to zero. Weights are learned, when the data set has a ``train/``
part (a split inside its training period), from that part only — never from the test queries.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from evaluation import baselines
from evaluation.adapter import Cohort, to_cohort
from evaluation.beir import BeirDataset, load_beir
from evaluation.metrics import bootstrap_ci, coverage, gini, paired_bootstrap, per_query
from evaluation.report import ReportInput, write_report
from evaluation.trec import Run, write_run
from recommender.domain.items import mentor_items
from recommender.domain.kinds import Kind
from recommender.engine import Engine, SuggestionFilters, build_engine
from recommender.ranking.batch import text_match
from recommender.ranking.ranker import LinearRanker
from recommender.ranking.registry import DEFAULT_WEIGHTS, SIGNALS
from recommender.ranking.scored import Scored
from recommender.ranking.signals import NEUTRAL
from recommender.retrieval.embedding import CachedEmbedder, Embedder, SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage.store import Store

Task = Callable[[str, int], Callable[[int], None]]
"""Starts a progress bar (description, total) and returns its advance function."""

DEPTH = 100
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
    "full-minus-lexical",
    *(f"full-minus-{s}" for s in SIGNALS),
)
LEXICAL_SHARES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)
"""Lexical shares of the text match tried on ``train/``."""
ALL_METHODS = (*BASELINES, *ENGINE_METHODS)


def _no_progress(_: str, __: int) -> Callable[[int], None]:
    return lambda _n: None


@dataclass
class Evaluation:
    """What a run produced (also written to ``out``)."""

    metrics: dict[str, dict[str, float]]
    runs: dict[str, Run]
    weights: dict[str, float]
    seconds: float
    notes: list[str] = field(default_factory=list)


def _default_pool(n_mentors: int) -> int:
    """Rank every mentor up to 5,000 (so structured signals can lift a mentor the text search
    missed); beyond that, the 5,000 nearest by text."""
    return max(300, min(n_mentors, 5000))


def _shared_embedder(cache: Path, embedder: Embedder | None) -> CachedEmbedder:
    """One model and one vector cache for every store of a run (train/ and test share texts)."""
    cache.mkdir(parents=True, exist_ok=True)
    inner = embedder or SentenceTransformerEmbedder()
    return CachedEmbedder(inner, Store(f"sqlite:///{cache / 'embeddings.db'}"))


def _store_dir(cache: Path, dataset: Path, tag: str = "base") -> Path:
    """The store and index folder of one data set and embedder (``base`` keeps the old name)."""
    key = hashlib.sha256(str(dataset.resolve()).encode()).hexdigest()[:12]
    suffix = "" if tag == "base" else f"-{tag}"
    return cache / f"{dataset.name}-{key}{suffix}"


@dataclass
class _Model:
    """One embedder an evaluation ranks with, and what ``train/`` taught with it."""

    tag: str
    embedder: CachedEmbedder
    learned: Learned | None = None

    @property
    def weights(self) -> dict[str, float]:
        return self.learned.weights if self.learned else dict(DEFAULT_WEIGHTS)

    @property
    def lexical(self) -> float:
        return self.learned.lexical if self.learned else Settings().lexical_weight

    @property
    def full_lexical(self) -> float:
        return self.learned.full_lexical if self.learned else Settings().lexical_weight

    @property
    def fit(self) -> dict[str, float]:
        return self.learned.fit if self.learned else {}

    @property
    def train_full_ndcg(self) -> float:
        return max(self.learned.full_ndcg.values()) if self.learned else 0.0

    def learn(self, train: BeirDataset, store: Path, pool: int | None, task: Task) -> None:
        self.learned = learn_weights(train, store, self.embedder, pool, task)

    def describe(self) -> str:
        """A note: the model, and how its lexical share and weights were chosen."""
        name = f"{self.tag} embedder ({self.embedder.model_id})"
        if self.learned is None:
            return (
                f"{name}: default (hand-set) weights and lexical share {self.lexical:g}: the "
                "data set has no train/ split."
            )
        tried = ", ".join(f"{s:g}: {v:.3f}" for s, v in self.learned.text_ndcg.items())
        in_full = ", ".join(f"{s:g}: {v:.3f}" for s, v in self.learned.full_ndcg.items())
        fit = self.learned.fit
        return (
            f"{name}: lexical share of the text match chosen on train/ by text-only nDCG@10 "
            f"({tried}): {self.lexical:g}; within the full ranker, weights learned by logistic "
            f"regression on train/ ({fit['train_queries']} queries, {fit['train_pairs']} pairs, "
            f"a split inside the training period) at each share, the best by its nDCG@10 there "
            f"({in_full}): {self.full_lexical:g}."
        )


def _runs_on(method: str, model: _Model, best: _Model) -> bool:
    """Whether ``method`` is ranked with ``model``: ``adapted`` with the adapted embedder,
    the text methods with the base one, ``full`` and its ablations with the best."""
    if method == "adapted":
        return model.tag == "adapted"
    if method in TEXT_METHODS:
        return model.tag == "base"
    return model is best


def load_engine(
    cohort: Cohort, data_dir: Path, embedder: Embedder | None, pool: int | None, task: Task
) -> Engine:
    """An engine over its own store in ``data_dir`` holding exactly the cohort."""
    settings = Settings(
        data_dir=data_dir, candidate_pool=pool or _default_pool(len(cohort.mentors))
    )
    as_of = cohort.as_of or date.today()
    engine = build_engine(settings, embedder=embedder, today=lambda: as_of)
    store = engine.store
    for kind, records in ((Kind.MENTORS, cohort.mentors), (Kind.FEEDBACK, cohort.feedback)):
        keep = {r.key for r in records}
        for stale in store.ids(kind) - keep:
            store.delete(kind, stale)
        store.upsert(kind, records)
    n_items = sum(len(mentor_items(m)) for m in cohort.mentors)
    tick = task("embedding items", n_items)
    engine.refresh(progress=tick)
    return engine


def _filters(cohort: Cohort, qid: str) -> SuggestionFilters:
    """Product defaults, except stage-based reordering when the data set gave no stage."""
    staged = qid in cohort.staged
    return SuggestionFilters(
        diversify=None if staged else False, follow_specialty=None if staged else False
    )


@dataclass(frozen=True)
class Variant:
    """One way of ordering the engine's scored candidates: a ranker over the signals, with
    the similarity signal re-mixed at a lexical share (``text_match``)."""

    ranker: LinearRanker
    lexical: float


def _variants(
    weights: dict[str, float], methods: Sequence[str], lexical: float, in_full: float
) -> dict[str, Variant]:
    """The orderings of ``methods``: the text methods at lexical share ``lexical`` (bm25 at
    1, embedding-items at 0), the full ranker and its ablations at ``in_full``."""
    text_only = LinearRanker(weights={"similarity": 1.0})
    shares = {"embedding-items": 0.0, "bm25": 1.0, "hybrid": lexical, "adapted": lexical}
    out: dict[str, Variant] = {}
    for method in methods:
        if method in shares:
            out[method] = Variant(text_only, shares[method])
        elif method == "full":
            out[method] = Variant(LinearRanker(weights=weights), in_full)
        elif method == "full-minus-lexical":
            out[method] = Variant(LinearRanker(weights=weights), 0.0)
        elif method.startswith("full-minus-"):
            dropped = method.removeprefix("full-minus-")
            out[method] = Variant(LinearRanker(weights={**weights, dropped: 0.0}), in_full)
    return out


def remixed(scored: Scored, lexical: float) -> Scored:
    """``scored`` with its similarity column mixed again at lexical share ``lexical``."""
    if scored.signals is None or "similarity" not in scored.registry.names:
        return scored
    parts = dict(scored.signals.columns.get("similarity", []))
    if "cosine" not in parts:
        return scored
    value = text_match(parts["cosine"], parts.get("lexical"), lexical)
    X = scored.X.copy()
    X[:, scored.registry.names.index("similarity")] = np.where(np.isnan(value), NEUTRAL, value)
    return replace(scored, X=X)


def engine_runs(
    engine: Engine, cohort: Cohort, variants: dict[str, Variant], task: Task
) -> dict[str, Run]:
    """Score each query's candidates once, then order them with every variant."""
    runs: dict[str, Run] = {name: {} for name in variants}
    tick = task(f"engine ({len(variants)} rankings)", len(cohort.mentees))
    for qid, mentee in cohort.mentees.items():
        filters = _filters(cohort, qid)
        scored = engine.score(mentee, DEPTH, filters, cohort.dates.get(qid))
        for name, variant in variants.items():
            scores, order = engine.order(remixed(scored, variant.lexical), filters, variant.ranker)
            runs[name][qid] = {
                cohort.doc_of[scored.mentor_ids[i]]: float(scores[i]) for i in order[:DEPTH]
            }
        tick(1)
    return runs


@dataclass
class Learned:
    """What ``train/`` taught: the lexical share of the text match alone and within the full
    ranker, and the full ranker's signal weights."""

    weights: dict[str, float]
    lexical: float
    fit: dict[str, float]
    text_ndcg: dict[float, float]
    """Text-only nDCG@10 on ``train/`` at each lexical share tried."""
    full_lexical: float
    """The lexical share the full ranker uses: its weights refitted at each share, the share
    whose full ranking is best on ``train/`` (a share the text match alone prefers may not
    be the one that mixes best with the other signals)."""
    full_ndcg: dict[float, float]


def learn_weights(
    train: BeirDataset, cache: Path, embedder: Embedder | None, pool: int | None, task: Task
) -> Learned:
    """From the ``train/`` split: the lexical share whose text match ranks best (nDCG@10),
    then logistic-regression weights over the signals at that share."""
    queries = [q for q, rel in train.qrels.items() if any(v > 0 for v in rel.values())]
    cohort = to_cohort(train, queries)
    engine = load_engine(cohort, cache, embedder, pool, task)
    scored_by_query: dict[str, Scored] = {}
    tick = task("learning on train/", len(queries))
    for qid, mentee in cohort.mentees.items():
        scored_by_query[qid] = engine.score(
            mentee, DEPTH, _filters(cohort, qid), cohort.dates.get(qid)
        )
        tick(1)
    engine.store.close()

    def ndcg(ranker: LinearRanker, share: float) -> float:
        run: Run = {}
        for qid, scored in scored_by_query.items():
            scores = ranker.predict(remixed(scored, share).X)
            order = np.lexsort((np.arange(len(scores)), -scores))[:DEPTH]
            run[qid] = {cohort.doc_of[scored.mentor_ids[i]]: float(scores[i]) for i in order}
        found = per_query(run, train.qrels, ["ndcg@10"])["ndcg@10"]
        return float(np.mean(list(found.values())))

    text_only = LinearRanker(weights={"similarity": 1.0})
    text_ndcg = {share: ndcg(text_only, share) for share in LEXICAL_SHARES}
    lexical = max(LEXICAL_SHARES, key=lambda share: (text_ndcg[share], -share))
    labels = np.array(
        [
            int(m in {cohort.mentor_of[d] for d, v in train.qrels[qid].items() if v > 0})
            for qid, scored in scored_by_query.items()
            for m in scored.mentor_ids
        ]
    )
    fitted: dict[float, LinearRanker] = {}
    full_ndcg: dict[float, float] = {}
    for share in LEXICAL_SHARES:
        X = np.vstack([remixed(scored, share).X for scored in scored_by_query.values()])
        fitted[share] = LinearRanker().fit(X, labels)
        full_ndcg[share] = ndcg(fitted[share], share)
    in_full = max(LEXICAL_SHARES, key=lambda share: (full_ndcg[share], -share))
    fit = {
        "train_queries": len(queries),
        "train_pairs": len(labels),
        "lexical_share": lexical,
        "full_lexical_share": in_full,
    }
    weights = fitted[in_full].effective_weights
    return Learned(weights, lexical, fit, text_ndcg, in_full, full_ndcg)


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
    task: Task = _no_progress,
    adapted: Path | None = None,
) -> Evaluation:
    """Evaluate ``methods`` on the data set in ``dataset_dir``; write results into ``out``.

    ``adapted``: a sentence-transformers folder written by ``mentor-match adapt``; its text
    match is the ``adapted`` row, and ``full`` uses it when the full ranker ranks better with
    it on ``train/``."""
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
    models = [_Model("base", _shared_embedder(cache, embedder))]
    if adapted is not None:
        inner = SentenceTransformerEmbedder(str(adapted))
        models.append(_Model("adapted", _shared_embedder(cache, inner)))
    elif "adapted" in methods:
        notes.append("adapted: not run (no adapted model given: `--adapted MODEL_DIR`).")
    for model in models:
        if has_train:
            model.learn(load_beir(train_dir), _store_dir(cache, train_dir, model.tag), pool, task)
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
            cohort, _store_dir(cache, dataset_dir, model.tag), model.embedder, pool, task
        )
        if own:
            variants = _variants(model.weights, own, model.lexical, model.full_lexical)
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
            weights=weights,
            notes=notes,
            seconds=seconds,
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


def _ablation(per_ndcg: dict[str, Any]) -> dict[str, tuple[float, float, float]]:
    if "full" not in per_ndcg:
        return {}
    full = per_ndcg["full"]
    out = {}
    for method, values in per_ndcg.items():
        if method.startswith("full-minus-"):
            qids = sorted(full)
            a = [values[q] for q in qids]
            b = [full[q] for q in qids]
            low, high = paired_bootstrap(a, b)
            out[method.removeprefix("full-minus-")] = (float(np.mean(a) - np.mean(b)), low, high)
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
