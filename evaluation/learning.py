"""Engines over a data set's cohort, and what its ``train/`` part teaches them.

``load_engine`` builds the product's engine over a store holding exactly a cohort;
``learn_weights`` scores ``train/``'s queries once and chooses, on that part alone, the
lexical share of the text match (alone and within the full ranker) and the full ranker's
signal weights (logistic regression); ``Model`` is one embedder an evaluation ranks with
and what it learned. ``mentor-match evaluate`` (``evaluation.runner``) and ``text-study``
use them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np

from evaluation.adapter import Cohort, to_cohort
from evaluation.beir import BeirDataset
from evaluation.metrics import per_query
from evaluation.trec import Run
from recommender.domain.items import mentor_items
from recommender.domain.kinds import Kind
from recommender.engine import Engine, SuggestionFilters, build_engine
from recommender.ranking.batch import text_match
from recommender.ranking.feature_ranker import signal_groups
from recommender.ranking.features import feature_names, features
from recommender.ranking.learned import (
    MIN_QUERIES,
    FeatureModel,
    Fitted,
    Query,
    fit_ranker,
    refit,
)
from recommender.ranking.ranker import LinearRanker
from recommender.ranking.registry import DEFAULT_WEIGHTS
from recommender.ranking.scored import Scored
from recommender.ranking.signals import NEUTRAL
from recommender.retrieval.embedding import CachedEmbedder, Embedder, SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage.store import Store

Task = Callable[[str, int], Callable[[int], None]]
"""Starts a progress bar (description, total) and returns its advance function."""


DEPTH = 100


LEXICAL_SHARES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)
"""Lexical shares of the text match tried on ``train/``."""


def no_progress(_: str, __: int) -> Callable[[int], None]:
    return lambda _n: None


def default_pool(n_mentors: int) -> int:
    """Rank every mentor up to 5,000 (so structured signals can lift a mentor the text search
    missed); beyond that, the 5,000 nearest by text."""
    return max(300, min(n_mentors, 5000))


def shared_embedder(cache: Path, embedder: Embedder | None) -> CachedEmbedder:
    """One model and one vector cache for every store of a run (train/ and test share texts)."""
    cache.mkdir(parents=True, exist_ok=True)
    inner = embedder or SentenceTransformerEmbedder()
    return CachedEmbedder(inner, Store(f"sqlite:///{cache / 'embeddings.db'}"))


def store_dir(cache: Path, dataset: Path, tag: str = "base") -> Path:
    """The store and index folder of one data set and embedder (``base`` keeps the old name)."""
    key = hashlib.sha256(str(dataset.resolve()).encode()).hexdigest()[:12]
    suffix = "" if tag == "base" else f"-{tag}"
    return cache / f"{dataset.name}-{key}{suffix}"


@dataclass
class Model:
    """One embedder an evaluation ranks with, and what ``train/`` taught with it."""

    tag: str
    embedder: CachedEmbedder
    learned: Learned | None = None
    wants_ranker: bool = False
    ablate: tuple[str, ...] = ()
    """Signals whose removal from the learned ranker is measured (``learned-minus-S``)."""

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
    def ranker(self) -> FeatureModel | None:
        """The learned ranker over features, if ``train/`` gave one."""
        fitted = self.learned.ranker if self.learned else None
        return fitted.model if fitted else None

    def ranker_without(self, signal: str) -> FeatureModel | None:
        """The learned ranker refitted without ``signal``'s features, if it was asked for."""
        return self.learned.ablations.get(signal) if self.learned else None

    @property
    def fit(self) -> dict[str, float]:
        return self.learned.fit if self.learned else {}

    @property
    def train_full_ndcg(self) -> float:
        return max(self.learned.full_ndcg.values()) if self.learned else 0.0

    def learn(
        self, train: BeirDataset, store: Path, pool: int | None, task: Task, ranker: bool
    ) -> None:
        """Learn on ``train``; ``ranker``: fit the learned ranker too (it is asked for)."""
        self.learned = learn_weights(train, store, self.embedder, pool, task, ranker, self.ablate)
        self.wants_ranker = ranker

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
            f"({in_full}): {self.full_lexical:g}.{self._describe_ranker()}"
        )

    def _describe_ranker(self) -> str:
        fitted = self.learned.ranker if self.learned else None
        if fitted is None:
            return (
                " No learned ranker: train/ has too few queries to split."
                if self.wants_ranker
                else ""
            )
        scores = ", ".join(f"{name} {value:.3f}" for name, value in fitted.validation.items())
        return (
            f" Learned ranker over {fitted.sizes['features']} features (signals, their parts, "
            f"products, places among the candidates): learners compared by forward chaining "
            f"over train/'s {fitted.sizes['queries']} queries in time order (fitted on the "
            f"earlier ones, nDCG@10 on the next, in {fitted.sizes['windows']} windows; mean "
            f"{scores}); {fitted.chosen} kept and refitted on all of them."
        )


def load_engine(
    cohort: Cohort, data_dir: Path, embedder: Embedder | None, pool: int | None, task: Task
) -> Engine:
    """An engine over its own store in ``data_dir`` holding exactly the cohort."""
    settings = Settings(data_dir=data_dir, candidate_pool=pool or default_pool(len(cohort.mentors)))
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


def query_filters(cohort: Cohort, qid: str) -> SuggestionFilters:
    """Product defaults, except stage-based reordering when the data set gave no stage."""
    staged = qid in cohort.staged
    return SuggestionFilters(
        diversify=None if staged else False, follow_specialty=None if staged else False
    )


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
    ranker: Fitted | None = None
    """The learned ranker over the candidates' features (``recommender.ranking.learned``),
    fitted at ``lexical``'s text match: None when ``train/`` is too small to split."""
    ablations: dict[str, FeatureModel] = field(default_factory=dict)
    """Signal → the learned ranker's kept candidate refitted without that signal's features
    (values, parts, products with it, places)."""


def _graded(train: BeirDataset, cohort: Cohort, qid: str, scored: Scored) -> np.ndarray:
    """Each candidate's grade for query ``qid``: its best judged document's (0 if none)."""
    grade: dict[str, float] = {}
    for doc, value in train.qrels[qid].items():
        mentor = cohort.mentor_of.get(doc)
        if mentor is not None and value > 0:
            grade[mentor] = max(grade.get(mentor, 0.0), float(value))
    return np.asarray([grade.get(m, 0.0) for m in scored.mentor_ids], dtype=np.float64)


def ranker_queries(
    train: BeirDataset, cohort: Cohort, scored_by_query: dict[str, Scored], share: float | None
) -> tuple[list[str], list[Query], list[str]]:
    """Features and graded labels of every train/ query's candidates (text match remixed at
    lexical ``share``; None: as scored), in time order (by date, else by id): the feature
    names, the queries, and their ids."""
    remixes = {
        qid: scored if share is None else remixed(scored, share)
        for qid, scored in scored_by_query.items()
    }
    if not remixes:
        return [], [], []
    names = feature_names(next(iter(remixes.values())))
    by_time = sorted(remixes, key=lambda q: (cohort.dates.get(q, date.min), q))
    rows = [
        Query(features(remixes[qid], names), _graded(train, cohort, qid, remixes[qid]))
        for qid in by_time
    ]
    return names, rows, by_time


def fit_learned(
    train: BeirDataset,
    cohort: Cohort,
    scored_by_query: dict[str, Scored],
    share: float,
    ablate: Sequence[str] = (),
) -> tuple[Fitted | None, dict[str, FeatureModel]]:
    """The learned ranker over ``ranker_queries`` (None when too few to compare learners),
    learners compared by forward chaining over them; and its kept candidate refitted
    without each signal of ``ablate``."""
    names, rows, _ = ranker_queries(train, cohort, scored_by_query, share)
    if len(rows) < MIN_QUERIES:
        return None, {}
    fitted = fit_ranker(names, rows)
    ablations: dict[str, FeatureModel] = {}
    for signal in ablate:
        keep = [j for j, owners in enumerate(signal_groups(names, [signal])) if not owners.any()]
        kept = [Query(q.features[:, keep], q.labels) for q in rows]
        ablations[signal] = refit(fitted.chosen, [names[j] for j in keep], kept)
    return fitted, ablations


def score_train(
    train: BeirDataset, cache: Path, embedder: Embedder | None, pool: int | None, task: Task
) -> tuple[Cohort, dict[str, Scored]]:
    """Every judged train/ query's candidates scored by the product's engine (each as of its
    own date), over a store in ``cache`` holding train/'s corpus."""
    queries = [q for q, rel in train.qrels.items() if any(v > 0 for v in rel.values())]
    cohort = to_cohort(train, queries)
    engine = load_engine(cohort, cache, embedder, pool, task)
    scored_by_query: dict[str, Scored] = {}
    tick = task("scoring train/ queries", len(queries))
    for qid, mentee in cohort.mentees.items():
        scored_by_query[qid] = engine.score(
            mentee, DEPTH, query_filters(cohort, qid), cohort.dates.get(qid)
        )
        tick(1)
    engine.store.close()
    return cohort, scored_by_query


def learn_weights(
    train: BeirDataset,
    cache: Path,
    embedder: Embedder | None,
    pool: int | None,
    task: Task,
    with_ranker: bool = True,
    ablate: Sequence[str] = (),
) -> Learned:
    """From the ``train/`` split: the lexical share whose text match ranks best (nDCG@10),
    then logistic-regression weights over the signals at that share, and (``with_ranker``)
    the learned ranker over features (``fit_learned``)."""
    cohort, scored_by_query = score_train(train, cache, embedder, pool, task)
    queries = list(scored_by_query)

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
    ranker, ablations = (
        fit_learned(train, cohort, scored_by_query, lexical, ablate) if with_ranker else (None, {})
    )
    return Learned(weights, lexical, fit, text_ndcg, in_full, full_ndcg, ranker, ablations)
