"""``mentor-match text-study``: which way of pooling item matches makes the best text score.

A mentee's query items (interests, goals, chunks of the query text) are compared with every
item of every mentor (specialty, interests, research, papers, answers): per query a cosine
matrix ``s`` of query items × all mentor items. A mentor's text score pools the mentor's
columns of ``s`` (per query item) and then the query items. This study ranks a BEIR data
set with each way of doing so (`METHODS`, a table: adding a method is one line) and reports
nDCG@10 on the data set's ``train/`` part and on its test part.

The method is **chosen on train/ only** (`choose` sees nothing else): the best train
nDCG@10, ties to the earlier row of `METHODS`. The test column is reported beside it and
never used to choose. Runs are keyed by the data set's document ids, 100 mentors deep, ties
broken by document id (the convention of ``evaluation.trec``); a query's declared conflicts
are never ranked, nor a mentor without items.

Everything is vectorised per query (segment reductions over the mentors' runs of columns,
one sort per query for the top-k means); there is no Python loop over mentors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: never open a window, whatever the caller's default is

import numpy as np

from evaluation.adapter import Cohort, to_cohort
from evaluation.beir import BeirDataset, DatasetError, load_beir
from evaluation.learning import DEPTH, Task, no_progress, shared_embedder
from evaluation.metrics import bootstrap_ci, per_query
from evaluation.text_study_report import Row, TextStudy, write_study
from evaluation.trec import Run
from recommender.domain.items import mentee_items, mentor_items
from recommender.domain.pooling import DEFAULT_TEMPERATURE, segment_pool
from recommender.ranking.batch import text_match
from recommender.retrieval.embedding import CachedEmbedder, Embedder
from recommender.retrieval.lexical import LexicalIndex

METRIC = "ndcg@10"
GENERIC_KINDS = ("specialty", "interest")
"""Mentor item kinds that are short and generic (a field's name, a tag)."""
GENERIC_PENALTY = 0.1
COVERED = 0.5
"""A query item is covered by a mentor when its best item cosine reaches this."""
BM25_K1, BM25_B = 1.2, 0.0
QUERY_BATCH = 32
"""Queries whose texts are embedded in one call."""
TIE = 1e-12
"""Train nDCG@10 values closer than this count as a tie (the earlier row wins)."""


# -- one query's matches -------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One part of the data set (train/ or test), embedded and indexed.

    Attributes:
        name: ``"train"`` or ``"test"``.
        dataset: The loaded part (its qrels are the judgements).
        cohort: Mentors and the judged queries' mentees.
        vectors: Mentor item vectors, mentor by mentor, ``(items, dim)``.
        lengths: Items per mentor, in ``cohort.mentors`` order (may be 0).
        generic: Per item, whether its kind is one of `GENERIC_KINDS`.
        lexical: BM25 over each mentor's whole profile, slot = mentor position.
        queries: Query id -> (item vectors, item texts, slots of its conflicts).
        doc_ids: Document id per mentor slot.
    """

    name: str
    dataset: BeirDataset
    cohort: Cohort
    vectors: np.ndarray
    lengths: np.ndarray
    generic: np.ndarray
    lexical: LexicalIndex
    queries: dict[str, tuple[np.ndarray, list[str], np.ndarray]]
    doc_ids: list[str]

    @cached_property
    def slots(self) -> np.ndarray:
        return np.arange(len(self.lengths))

    @cached_property
    def owner(self) -> np.ndarray:
        """Mentor slot of each item."""
        return np.repeat(self.slots, self.lengths)

    @cached_property
    def position(self) -> np.ndarray:
        """Each item's position among its mentor's items (0 for the first)."""
        firsts = np.cumsum(self.lengths) - self.lengths
        return np.asarray(np.arange(len(self.owner)) - np.repeat(firsts, self.lengths))

    @cached_property
    def kept_lengths(self) -> np.ndarray:
        """Items per mentor once the generic ones are dropped."""
        return np.bincount(self.owner[~self.generic], minlength=len(self.lengths))

    @cached_property
    def id_order(self) -> np.ndarray:
        """Each slot's rank when document ids are sorted (the tie-break of rankings)."""
        order = np.empty(len(self.doc_ids), dtype=np.int64)
        order[np.argsort(np.array(self.doc_ids, dtype=object), kind="stable")] = self.slots
        return order


def _segments(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``(q, Σ lengths)`` → ``(q, len(lengths))``: each mentor's run of columns summed, NaN
    for a mentor without items."""
    out = np.full((len(values), len(lengths)), np.nan, dtype=np.float32)
    has = lengths > 0
    if has.any() and len(values):
        runs = lengths[has]
        out[:, has] = np.add.reduceat(values, np.cumsum(runs) - runs, axis=1)
    return out


def mix(per_item: np.ndarray) -> np.ndarray:
    """The product's rule over query items: 0.7 · mean + 0.3 · max (per mentor)."""
    return np.asarray(0.7 * per_item.mean(axis=0) + 0.3 * per_item.max(axis=0))


class Matches:
    """One query against every mentor of a part; shared work is computed once, on demand."""

    def __init__(self, part: Part, query: np.ndarray, texts: list[str]) -> None:
        self.part = part
        self.texts = texts
        self.sims: np.ndarray = query @ part.vectors.T  # (query items, mentor items)
        self._pooled: dict[tuple[float, str], np.ndarray] = {}

    @cached_property
    def best(self) -> np.ndarray:
        """``(query items, mentors)``: each query item's best item cosine per mentor."""
        return segment_pool(self.sims, self.part.lengths, 0.0)

    @cached_property
    def descending(self) -> np.ndarray:
        """The cosines sorted within each mentor's run, best first (one sort per query)."""
        key = self.part.owner * 4.0 - self.sims  # cosines lie in [-1, 1]: runs stay apart
        return np.take_along_axis(self.sims, np.argsort(key, axis=1, kind="stable"), axis=1)

    def top_k(self, k: int) -> np.ndarray:
        """``(query items, mentors)``: mean of each mentor's ``k`` best items (missing
        items count 0)."""
        kept = np.where(self.part.position < k, self.descending, 0.0)
        return _segments(kept, self.part.lengths) / k

    def pooled(self, temperature: float, generic: str = "as is") -> np.ndarray:
        """``(query items, mentors)``: soft-max pooling; generic items ``"as is"``,
        ``"penalised"`` (cosine − `GENERIC_PENALTY`) or ``"dropped"``."""
        key = (temperature, generic)
        if key not in self._pooled:
            part, sims = self.part, self.sims
            if generic == "penalised":
                sims = sims - GENERIC_PENALTY * part.generic
            if generic == "dropped":
                pooled = segment_pool(sims[:, ~part.generic], part.kept_lengths, temperature)
            else:
                pooled = segment_pool(sims, part.lengths, temperature)
            self._pooled[key] = pooled
        return self._pooled[key]

    @cached_property
    def bm25(self) -> np.ndarray:
        """``(mentors,)``: BM25 of the query's texts against each whole profile, in [0, 1)
        (NaN for a mentor without items)."""
        found = self.part.lexical.scores(self.texts, self.part.slots)
        return np.where(self.part.lengths > 0, found, np.nan).astype(np.float32)


# -- the methods ---------------------------------------------------------------------------

Score = Callable[[Matches], np.ndarray]
"""A query's matches → one score per mentor (NaN: not ranked)."""


@dataclass(frozen=True)
class Method:
    """One way of making a mentor's text score."""

    name: str
    about: str
    score: Score


def _top_k(k: int) -> Score:
    return lambda m: m.top_k(k).mean(axis=0)


def _softmax(t: float, generic: str = "as is") -> Score:
    return lambda m: mix(m.pooled(t, generic))


def _coverage(m: Matches) -> np.ndarray:
    """Covered query items counted, the mean best cosine only breaking ties (its term stays
    below one item), divided by the number of query items."""
    covered = (np.nan_to_num(m.best, nan=-1.0) >= COVERED).sum(axis=0)
    tie_break = 0.999 * (m.best.mean(axis=0) + 1.0) / 2.0
    return np.asarray((covered + tie_break) / len(m.best))


def _hybrid(w: float) -> Score:
    """The product's similarity signal with lexical share ``w`` (``text_match``): the pooled
    match at the default temperature, rescaled, mixed with BM25."""
    return lambda m: text_match(mix(m.pooled(DEFAULT_TEMPERATURE)), m.bm25, w)


def _best(m: Matches) -> np.ndarray:
    return np.asarray(m.best.max(axis=0))


def _mean_max(m: Matches) -> np.ndarray:
    return mix(m.best)


def _bm25(m: Matches) -> np.ndarray:
    return m.bm25


def _generic(how: str) -> Score:
    return _softmax(0.1, how)


SOFTMAX = "t·log Σ exp(cos/t) per query item; 0.7·mean + 0.3·max"
HYBRID = "the product's similarity: (1 − w)·softmax t=0.05 rescaled + w·bm25"

METHODS: tuple[Method, ...] = (
    Method("max", "best item of the best query item", _best),
    Method("mean+max", "per query item its best item; 0.7·mean + 0.3·max (old rule)", _mean_max),
    Method("top-3 mean", "per query item the mean of its 3 best items; mean", _top_k(3)),
    Method("top-5 mean", "per query item the mean of its 5 best items; mean", _top_k(5)),
    Method("softmax t=0.05", SOFTMAX, _softmax(0.05)),
    Method("softmax t=0.1", SOFTMAX, _softmax(0.1)),
    Method("softmax t=0.2", SOFTMAX, _softmax(0.2)),
    Method("coverage", "share of query items with a best item ≥ 0.5; ties: mean best", _coverage),
    Method("generic -0.1", "softmax t=0.1; cos − 0.1 on generic items", _generic("penalised")),
    Method("generic dropped", "softmax t=0.1 without generic items", _generic("dropped")),
    Method("bm25", "BM25 of the whole profile (k1 = 1.2, b = 0)", _bm25),
    Method("hybrid w=0.1", HYBRID, _hybrid(0.1)),
    Method("hybrid w=0.2", HYBRID, _hybrid(0.2)),
    Method("hybrid w=0.3", HYBRID, _hybrid(0.3)),
    Method("hybrid w=0.5", HYBRID, _hybrid(0.5)),
    Method("hybrid w=0.7", HYBRID, _hybrid(0.7)),
)
"""The methods compared, in the order shown; ties in train nDCG@10 go to the earlier one."""


def choose(train: dict[str, float], methods: Sequence[Method] = METHODS) -> str:
    """The method with the best train nDCG@10; ties go to the earlier in ``methods``.

    Only train numbers are taken: the test part cannot influence the choice.
    """
    best = max(train[m.name] for m in methods)
    return next(m.name for m in methods if train[m.name] >= best - TIE)


# -- preparing a part ----------------------------------------------------------------------


def _load(path: Path) -> tuple[BeirDataset, list[str]]:
    dataset = load_beir(path)
    judged = [q for q, rel in dataset.qrels.items() if any(v > 0 for v in rel.values())]
    if not judged:
        raise ValueError(f"{path}: no query has a relevant document in qrels/test.tsv")
    return dataset, judged


def prepare(
    name: str, dataset: BeirDataset, judged: list[str], embedder: CachedEmbedder, task: Task
) -> Part:
    """Embed a part's mentor items (documents) and query items (queries), index its profiles."""
    cohort = to_cohort(dataset, judged)
    items = [mentor_items(m) for m in cohort.mentors]
    texts = [item.text for its in items for item in its]
    vectors = embedder.encode(texts, progress=task(f"embedding {name} items", len(texts)))
    lexical = LexicalIndex(k1=BM25_K1, b=BM25_B)
    tick = task(f"indexing {name} profiles (bm25)", len(items))
    for slot, its in enumerate(items):
        lexical.put(slot, [item.text for item in its])
        tick(1)
    slot_of = {m.id: i for i, m in enumerate(cohort.mentors)}
    queries: dict[str, tuple[np.ndarray, list[str], np.ndarray]] = {}
    tick = task(f"embedding {name} queries", len(cohort.mentees))
    qids = list(cohort.mentees)
    for start in range(0, len(qids), QUERY_BATCH):
        batch = qids[start : start + QUERY_BATCH]
        texts_of = {q: [i.text for i in mentee_items(cohort.mentees[q])] for q in batch}
        flat = [t for q in batch for t in texts_of[q]]
        found = embedder.encode_query(flat) if flat else np.zeros((0, embedder.dim), np.float32)
        at = 0
        for qid in batch:
            n = len(texts_of[qid])
            banned = [slot_of[c] for c in cohort.mentees[qid].conflicts if c in slot_of]
            queries[qid] = (found[at : at + n], texts_of[qid], np.array(banned, dtype=np.int64))
            at += n
        tick(len(batch))
    kinds = np.array([item.kind for its in items for item in its], dtype=object)
    return Part(
        name=name,
        dataset=dataset,
        cohort=cohort,
        vectors=np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1),
        lengths=np.array([len(its) for its in items], dtype=np.int64),
        generic=np.isin(kinds, GENERIC_KINDS) if len(kinds) else np.zeros(0, dtype=bool),
        lexical=lexical,
        queries=queries,
        doc_ids=[cohort.doc_of[m.id] for m in cohort.mentors],
    )


def top(part: Part, scores: np.ndarray, banned: np.ndarray, depth: int = DEPTH) -> dict[str, float]:
    """The ``depth`` best mentors (score descending, ties by document id), without
    ``banned`` slots or mentors scored NaN."""
    scores = np.where(np.isnan(scores), -np.inf, scores).astype(np.float64)
    scores[banned] = -np.inf
    order = np.lexsort((part.id_order, -scores))
    order = order[np.isfinite(scores[order])][:depth]
    return {part.doc_ids[i]: float(scores[i]) for i in order}


def runs_of(part: Part, methods: Sequence[Method], task: Task) -> dict[str, Run]:
    """Each method's run over the part's judged queries."""
    runs: dict[str, Run] = {m.name: {} for m in methods}
    tick = task(f"ranking {part.name} ({len(methods)} methods)", len(part.queries))
    for qid, (query, texts, banned) in part.queries.items():
        if len(query):  # a query without text ranks nobody (and scores 0)
            matches = Matches(part, query, texts)
            for method in methods:
                runs[method.name][qid] = top(part, method.score(matches), banned)
        tick(1)
    return runs


# -- the study -----------------------------------------------------------------------------


def _ndcg(runs: dict[str, Run], part: Part) -> dict[str, dict[str, float]]:
    return {m: per_query(run, part.dataset.qrels, [METRIC])[METRIC] for m, run in runs.items()}


def _summary(values: dict[str, float]) -> tuple[float, tuple[float, float]]:
    data = list(values.values())
    return float(np.mean(data)), bootstrap_ci(data)


def _check(dataset_dir: Path) -> Path:
    if not dataset_dir.is_dir():
        raise DatasetError(f"{dataset_dir}: no such folder (expected a BEIR data set)")
    train = dataset_dir / "train"
    if not (train / "corpus.jsonl").is_file():
        raise DatasetError(
            f"{train}: no train/ part (corpus.jsonl missing); the study chooses on train/ only"
        )
    return train


def run_text_study(
    dataset_dir: Path,
    out: Path,
    cache: Path | None = None,
    embedder: Embedder | None = None,
    methods: Sequence[Method] = METHODS,
    task: Task = no_progress,
) -> TextStudy:
    """Compare ``methods`` on ``dataset_dir``'s train/ and test parts; choose on train/ only;
    write ``text-study.md``, ``.json`` and ``.png`` into ``out``.

    Raises:
        DatasetError: the folder, its train/ part or one of their files is missing or bad.
        ValueError: a part has no judged query.
    """
    start = time.perf_counter()
    train_dir = _check(dataset_dir)
    loaded = {"train": _load(train_dir), "test": _load(dataset_dir)}  # both read before the model
    shared = shared_embedder(cache or out / "cache", embedder)
    per: dict[str, dict[str, dict[str, float]]] = {}
    sizes: dict[str, dict[str, int]] = {}
    notes: list[str] = []
    try:
        for name, (dataset, judged) in loaded.items():
            part = prepare(name, dataset, judged, shared, task)
            per[name] = _ndcg(runs_of(part, methods, task), part)
            sizes[name] = {
                "mentors": len(part.lengths),
                "items": int(part.lengths.sum()),
                "queries": len(judged),
            }
            notes += [f"{name}: {w}" for w in dataset.warnings[:3]]
    finally:
        shared.store.close()
    means = {m: float(np.mean(list(v.values()))) for m, v in per["train"].items()}
    chosen = choose(means, methods)  # train/ numbers only
    rows = []
    for method in methods:
        train, train_ci = _summary(per["train"][method.name])
        test, test_ci = _summary(per["test"][method.name])
        rows.append(Row(method.name, method.about, train, train_ci, test, test_ci))
    seconds = time.perf_counter() - start
    result = TextStudy(chosen, rows, per, sizes, seconds, METRIC, GENERIC_KINDS, notes)
    write_study(out, result, dataset_dir)
    return result
