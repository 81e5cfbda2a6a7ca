"""Baselines every method is measured against: random, popularity, TF-IDF, one vector per profile.

Each takes the cohort (mentors as the engine sees them) and returns a run keyed by the data
set's own ids. Like the engine, they never suggest a mentee's declared conflicts (for a Q&A
data set: the asker themself).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from evaluation.adapter import Cohort
from evaluation.trec import Run
from recommender.domain.items import mentee_items, mentor_items
from recommender.domain.profiles import Mentee
from recommender.retrieval.embedding import CachedEmbedder

Tick = Callable[[int], None]
DEPTH = 100


def _top(mentee: Mentee, scores: np.ndarray, cohort: Cohort, depth: int) -> dict[str, float]:
    """The ``depth`` best mentors by ``scores`` (aligned with ``cohort.mentors``), conflicts out."""
    ids = [m.id for m in cohort.mentors]
    banned = set(mentee.conflicts)
    order = np.lexsort((np.arange(len(ids)), -scores))
    out: dict[str, float] = {}
    for i in order:
        if ids[i] in banned:
            continue
        out[cohort.doc_of[ids[i]]] = float(scores[i])
        if len(out) == depth:
            break
    return out


def random_run(cohort: Cohort, seed: int = 0, tick: Tick | None = None) -> Run:
    """Uniformly random scores, reproducible per query id."""
    run: Run = {}
    for qid, mentee in cohort.mentees.items():
        digest = hashlib.sha256(f"{seed}:{qid}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        run[qid] = _top(mentee, rng.random(len(cohort.mentors)), cohort, DEPTH)
        if tick:
            tick(1)
    return run


def popularity_scores(cohort: Cohort) -> np.ndarray:
    """Past mentees per mentor (``past_mentees``; else ratings received; else work items)."""
    rated: dict[str, int] = {}
    for fb in cohort.feedback:
        rated[fb.mentor_id] = rated.get(fb.mentor_id, 0) + 1
    counts = [
        m.past_mentees if m.past_mentees is not None else rated.get(m.id, len(m.work_items))
        for m in cohort.mentors
    ]
    return np.array([math.log1p(c) for c in counts], dtype=np.float64)


def popularity_run(cohort: Cohort, tick: Tick | None = None) -> Run:
    """Most past mentees first, the same list for every query."""
    scores = popularity_scores(cohort)
    run: Run = {}
    for qid, mentee in cohort.mentees.items():
        run[qid] = _top(mentee, scores, cohort, DEPTH)
        if tick:
            tick(1)
    return run


def _profile_texts(cohort: Cohort) -> list[str]:
    """Each mentor's whole profile as one text: the same items the engine embeds, joined."""
    return [" ".join(item.text for item in mentor_items(m)) for m in cohort.mentors]


def _query_text(mentee: Mentee) -> str:
    return " ".join(item.text for item in mentee_items(mentee))


def tfidf_run(cohort: Cohort, tick: Tick | None = None) -> Run:
    """TF-IDF cosine (sublinear tf, English stop words) of the query and the whole profile."""
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", dtype=np.float32)
    matrix = vectorizer.fit_transform(_profile_texts(cohort))
    run: Run = {}
    for qid, mentee in cohort.mentees.items():
        q = vectorizer.transform([_query_text(mentee)])
        scores = np.asarray((matrix @ q.T).todense()).ravel().astype(np.float64)
        run[qid] = _top(mentee, scores, cohort, DEPTH)
        if tick:
            tick(1)
    return run


def embedding_run(cohort: Cohort, embedder: CachedEmbedder, tick: Tick | None = None) -> Run:
    """One vector per whole profile (the model reads only its first 256 word pieces)."""
    doc_vecs = embedder.encode(_profile_texts(cohort))
    run: Run = {}
    for qid, mentee in cohort.mentees.items():
        q = embedder.encode_query([_query_text(mentee)])[0]
        run[qid] = _top(mentee, (doc_vecs @ q).astype(np.float64), cohort, DEPTH)
        if tick:
            tick(1)
    return run
