"""A BM25 lexical index of mentors: one document per slot, updated in place.

A mentor's document is the concatenation of its item texts (see ``recommender.domain.items``),
cut into words, stripped of English stop words and stemmed (``tokens``). The index keeps, per
slot, a forward posting: the document's sorted unique term ids with their counts, as a run of
two flat arrays shared by all slots (5 bytes a term, no object per mentor). ``put`` appends a
run and ``remove`` abandons one; the arrays are compacted once abandoned runs outweigh the
live ones. Term statistics (document frequency per term, number of documents, total length)
follow every ``put`` and ``remove``, so they are always exact and the index never needs a
rebuild.

It does not search the whole corpus: ``scores`` rates the candidate slots a caller already
has (from the vector index, say), vectorised over their postings. Scores are BM25 with the
Lucene idf, divided by the most any document could score for the query, so they lie in
``[0, 1)`` and are comparable across queries.

The snapshot is one ``.npz`` file (``save``, ``load``): the vocabulary, document frequencies,
``k1`` and ``b``, and every slot's posting, flattened with offsets.
"""

from __future__ import annotations

import math
import os
import re
import threading
import zipfile
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import Stemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = ["FORMAT_VERSION", "LexicalIndex", "tokens", "word_stems"]

FORMAT_VERSION = 1
"""Version of the ``.npz`` snapshot's layout; ``load`` refuses any other."""

MAX_SLOT = 2**31 - 1
"""Highest slot accepted (slot-aligned arrays are dense, so a slot costs memory up to it)."""

_WORD = re.compile(r"[^\W_]+")
_STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS)
TF_MAX = np.iinfo(np.uint8).max
"""Highest term count kept for one document (a higher one is kept as this; its BM25 weight
is saturated long before)."""
MIN_COMPACT = 65_536
"""Abandoned posting entries below which the flat arrays are never compacted."""
_TERM_BYTES = 120
"""Rough memory per vocabulary term besides its characters: dict entry, list entry, str."""

_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    """This thread's English stemmer (a PyStemmer stemmer must not be shared by threads)."""
    stemmer: Stemmer.Stemmer | None = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer("english")
        _local.stemmer = stemmer
    return stemmer


STEMMED_TEXTS = 32_768
"""Texts whose stems are kept in memory (a few hundred bytes each)."""
ANALYSED_QUERIES = 256
"""Queries whose analysis for explanations is kept (per index, while it is unchanged)."""


def _words(text: str) -> list[str]:
    """The words of ``text`` as written, keeping those of two or more characters that are
    not stop words (both judged lowercase)."""
    out = []
    for word in _WORD.findall(text):
        low = word.lower()
        if len(low) >= 2 and low not in _STOP_WORDS:
            out.append(word)
    return out


def tokens(text: str) -> list[str]:
    """The index terms of ``text``, in order, repeats kept.

    Lowercased words (runs of unicode letters and digits), without one-character words and
    English stop words, stemmed with the Snowball English stemmer.

    Args:
        text: any text.

    Returns:
        The stems, one per kept word.
    """
    return [stem for stem, _ in _stem_pairs(text)]


def word_stems(text: str) -> list[tuple[str, str]]:
    """``(stem, word)`` for each kept word of ``text``, in order: ``tokens`` with the word
    as written beside its stem (for explanations).

    Args:
        text: any text.

    Returns:
        One pair per term ``tokens(text)`` gives, in the same order.
    """
    return list(_stem_pairs(text))


@lru_cache(maxsize=STEMMED_TEXTS)
def _stem_set(text: str) -> frozenset[str]:
    """The distinct stems of ``text`` (kept like ``_stem_pairs``)."""
    return frozenset(stem for stem, _ in _stem_pairs(text))


@lru_cache(maxsize=STEMMED_TEXTS)
def _stem_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``word_stems``, kept for the last ``STEMMED_TEXTS`` texts: the same mentors' items
    are explained request after request."""
    words = _words(text)
    if not words:
        return ()
    stems = _stemmer().stemWords([word.lower() for word in words])
    return tuple(zip(stems, words, strict=True))


def _unique_stems(texts: Iterable[str]) -> list[str]:
    """The distinct stems of ``texts``, in order of first appearance."""
    return list(dict.fromkeys(stem for text in texts for stem in tokens(text)))


class LexicalIndex:
    """BM25 over one document per mentor slot, with in-place updates.

    A slot's posting is the run ``_start[slot] : _start[slot] + _nterms[slot]`` of the
    flat arrays ``_ids`` (int32 term ids, ascending within a run) and ``_tfs`` (uint8
    term frequencies); the first ``_used`` entries are written, ``_dead`` of them belong
    to abandoned runs. ``_dl[slot]`` is the document's length in tokens and ``_has[slot]``
    says whether the slot holds one. Term ids index ``_terms`` and ``_df`` and are never
    reused in memory; terms no document holds any more are dropped by ``save``.

    Not safe to call from several threads at once: scoring writes the query's weights into
    a scratch array the index keeps. The engine calls it under its lock.

    Args:
        k1: term frequency saturation (> 0); the higher, the more repeats count.
        b: document length normalisation, from 0 (none) to 1 (full).
    """

    def __init__(self, k1: float = 1.2, b: float = 0.0) -> None:
        if not (math.isfinite(k1) and k1 > 0):
            raise ValueError(f"k1 must be > 0, not {k1}")
        if not 0.0 <= b <= 1.0:
            raise ValueError(f"b must be in [0, 1], not {b}")
        self.k1 = float(k1)
        self.b = float(b)
        self._vocab: dict[str, int] = {}  # term -> id
        self._terms: list[str] = []  # id -> term
        self._df = np.zeros(0, dtype=np.int64)  # id -> documents holding it (grown ahead)
        self._ids = np.zeros(0, dtype=np.int32)  # flat postings: term ids …
        self._tfs = np.zeros(0, dtype=np.uint8)  # … and their counts
        self._used = 0  # entries of the flat arrays written
        self._dead = 0  # of which in abandoned runs
        self._has = np.zeros(0, dtype=bool)
        self._start = np.zeros(0, dtype=np.int64)
        self._dl = np.zeros(0, dtype=np.int64)
        self._nterms = np.zeros(0, dtype=np.int64)
        self._n_docs = 0
        self._total_len = 0
        self._term_chars = 0  # characters of the vocabulary
        self._changes = 0  # documents put or removed (the query analyses' cache key)
        self._weight = np.zeros(0, dtype=np.float64)  # per term: its idf in the scored query
        self._weighed: dict[tuple[tuple[str, ...], int], tuple[np.ndarray, np.ndarray, float]] = {}
        self._queries: dict[
            tuple[tuple[str, ...], bool, int],
            tuple[dict[str, str], list[frozenset[str]], dict[str, int]],
        ] = {}

    def __len__(self) -> int:
        return self._n_docs

    def __contains__(self, slot: object) -> bool:
        if isinstance(slot, bool) or not isinstance(slot, int | np.integer):
            return False
        return 0 <= int(slot) < len(self._has) and bool(self._has[int(slot)])

    @property
    def n_terms(self) -> int:
        """Vocabulary size, counting terms no document holds any more (until a save)."""
        return len(self._terms)

    # -- updates ------------------------------------------------------------------------

    def put(self, slot: int, texts: Sequence[str]) -> None:
        """Make ``texts`` (a mentor's item texts, read as one document) the slot's document,
        replacing any it held.

        Args:
            slot: the mentor's slot, ``0 <= slot <= MAX_SLOT``.
            texts: the texts whose concatenation is the document (may be empty).
        """
        slot = _checked_slot(slot)
        self.remove(slot)
        self._grow_slots(slot + 1)
        ids, counts = self._posting([stem for text in texts for stem in tokens(text)])
        self._df[ids] += 1  # ids are unique, so fancy += adds once each
        length = int(counts.sum())
        start = self._append(ids, counts)
        self._has[slot] = True
        self._start[slot] = start
        self._dl[slot] = length
        self._nterms[slot] = len(ids)
        self._n_docs += 1
        self._total_len += length
        self._changes += 1

    def remove(self, slot: int) -> bool:
        """Drop the slot's document.

        Args:
            slot: the mentor's slot.

        Returns:
            True if the slot held a document.
        """
        if slot not in self:
            return False
        start, n = int(self._start[slot]), int(self._nterms[slot])
        self._df[self._ids[start : start + n]] -= 1
        self._n_docs -= 1
        self._total_len -= int(self._dl[slot])
        self._dead += n
        self._has[slot] = False
        self._start[slot] = 0
        self._dl[slot] = 0
        self._nterms[slot] = 0
        self._changes += 1
        return True

    def _append(self, ids: np.ndarray, counts: np.ndarray) -> int:
        """Write a posting at the end of the flat arrays (compacting or growing them first
        when full); returns where it starts."""
        n = len(ids)
        if self._used + n > len(self._ids):
            if self._dead >= max(MIN_COMPACT, self._used - self._dead):
                self._compact()
            if self._used + n > len(self._ids):
                size = max(self._used + n, 2 * len(self._ids), 4096)
                self._ids = _grown(self._ids[: self._used], size)
                self._tfs = _grown(self._tfs[: self._used], size)
        start = self._used
        self._ids[start : start + n] = ids
        self._tfs[start : start + n] = counts
        self._used += n
        return start

    def _compact(self) -> None:
        """Drop the abandoned runs: the live ones are moved to the front, in slot order."""
        slots = np.flatnonzero(self._has)
        where = _runs(self._start[slots], self._nterms[slots])
        self._ids[: len(where)] = self._ids[where]
        self._tfs[: len(where)] = self._tfs[where]
        starts = np.zeros(len(slots), dtype=np.int64)
        np.cumsum(self._nterms[slots][:-1], out=starts[1:])
        self._start[slots] = starts
        self._used, self._dead = len(where), 0

    def _posting(self, stems: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The posting of a document's stems (unique term ids ascending, their counts),
        adding new terms to the vocabulary."""
        if not stems:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint8)
        vocab = self._vocab
        ids = np.empty(len(stems), dtype=np.int32)
        for i, stem in enumerate(stems):
            term_id = vocab.get(stem)
            if term_id is None:
                term_id = len(self._terms)
                vocab[stem] = term_id
                self._terms.append(stem)
                self._term_chars += len(stem)
            ids[i] = term_id
        if len(self._terms) > len(self._df):
            self._df = _grown(self._df, max(len(self._terms), 2 * len(self._df), 1024))
        unique, counts = np.unique(ids, return_counts=True)
        return unique, np.minimum(counts, TF_MAX).astype(np.uint8)

    def _grow_slots(self, size: int) -> None:
        """Make every slot-aligned array at least ``size`` long."""
        if size <= len(self._has):
            return
        grown = max(size, 2 * len(self._has), 1024)
        self._has = _grown(self._has, grown)
        self._start = _grown(self._start, grown)
        self._dl = _grown(self._dl, grown)
        self._nterms = _grown(self._nterms, grown)

    # -- scoring ------------------------------------------------------------------------

    def _idf(self, df: np.ndarray) -> np.ndarray:
        """Lucene's BM25 idf of terms with document frequencies ``df`` (float64)."""
        n = float(self._n_docs)
        return np.log1p((n - df + 0.5) / (df + 0.5))

    def scores(self, query_texts: Sequence[str], slots: np.ndarray) -> np.ndarray:
        """BM25 of the query against each of ``slots``' documents, scaled into ``[0, 1)``.

        The query is the set of distinct stems of ``query_texts``. A document scores
        ``Σ idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl))`` over the query terms it
        holds, divided by ``Σ idf(t) · (k1 + 1)`` over the query terms any document holds
        (the most a document could score).

        Args:
            query_texts: the mentee's query texts.
            slots: int array of candidate slots (any order, repeats allowed).

        Returns:
            float64 scores aligned with ``slots``: 0.0 for a slot without a document, and
            all zeros when no query term occurs in the index.
        """
        slots = np.asarray(slots, dtype=np.int64).reshape(-1)
        out = np.zeros(len(slots), dtype=np.float64)
        query, query_idf, most = self._query(tuple(query_texts))
        if not len(query) or not len(slots):
            return out
        valid = (slots >= 0) & (slots < len(self._has))
        valid[valid] = self._has[slots[valid]]
        where = np.flatnonzero(valid)
        if not len(where):
            return out
        held = slots[where]
        lengths = self._nterms[held]
        ends = np.cumsum(lengths)
        entries = _runs(self._start[held], lengths, ends)
        if len(self._weight) < len(self._terms):
            self._weight = np.zeros(max(len(self._terms), 2 * len(self._weight)), np.float64)
        weights = self._weight  # all 0 between calls: the query's idfs are set, then unset
        weights[query] = query_idf
        try:
            entry_idf = weights[self._ids[entries]]
        finally:
            weights[query] = 0.0
        hit = np.flatnonzero(entry_idf)
        if not len(hit):
            return out
        owner = np.searchsorted(ends, hit, side="right")  # hit -> position in held
        idf = entry_idf[hit]
        tf = self._tfs[entries[hit]].astype(np.float64)
        k1 = self.k1
        if self.b == 0.0:
            weight = tf * (k1 + 1.0) / (tf + k1)
        else:
            avgdl = self._total_len / self._n_docs if self._total_len else 1.0
            norm = 1.0 - self.b + self.b * (self._dl[held].astype(np.float64) / avgdl)
            weight = tf * (k1 + 1.0) / (tf + k1 * norm[owner])
        summed = np.bincount(owner, weights=idf * weight, minlength=len(held))
        out[where] = summed / most
        return out

    def _query(self, query_texts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, float]:
        """The query's known term ids (sorted), their idf and the most a document could
        score: worked out once per query while the index is unchanged."""
        key = (query_texts, self._changes)
        found = self._weighed.get(key)
        if found is None:
            query = self._known_ids(_unique_stems(query_texts))
            query_idf = self._idf(self._df[query].astype(np.float64))
            found = (query, query_idf, float(query_idf.sum()) * (self.k1 + 1.0))
            if len(self._weighed) >= ANALYSED_QUERIES:
                self._weighed.pop(next(iter(self._weighed)))
            self._weighed[key] = found
        return found

    def _known_ids(self, stems: Iterable[str]) -> np.ndarray:
        """Sorted int64 ids of those of ``stems`` some document holds."""
        found = [self._vocab.get(stem, -1) for stem in stems]
        ids = np.unique(np.asarray([i for i in found if i >= 0], dtype=np.int64))
        return ids[self._df[ids] > 0]

    def matched_terms(self, query_texts: Sequence[str], texts: Sequence[str]) -> list[list[str]]:
        """The query words each of ``texts`` shares, for explanations.

        Words match by stem. Each is given as first written in the query, rarest in the
        index first (highest idf; a term no document holds counts as rarest), then in
        query order.

        Args:
            query_texts: the mentee's query texts.
            texts: texts to explain, e.g. one mentor's separate items.

        Returns:
            One list per entry of ``texts``, without repeats (empty where none match).
        """
        return [row[0] for row in self._shared(query_texts, texts, merged=True)]

    def shared_words(
        self, query_texts: Sequence[str], texts: Sequence[str]
    ) -> list[list[list[str]]]:
        """For each query text and each of ``texts``, the query text's words the text shares
        (``[q][t]``), ranked as ``matched_terms`` ranks them; every text is read once."""
        per_text = self._shared(query_texts, texts, merged=False)
        return [[per_text[t][q] for t in range(len(texts))] for q in range(len(query_texts))]

    def _shared(
        self, query_texts: Sequence[str], texts: Sequence[str], merged: bool
    ) -> list[list[list[str]]]:
        """``[t][q]``: the words of query text ``q`` that text ``t`` shares, rarest first;
        ``merged``: the query texts count as one (``[t][0]``, no word twice)."""
        surface, owners, rank = self._analysed(tuple(query_texts), merged)
        if not surface:
            return [[[] for _ in owners] for _ in texts]
        out = []
        for text in texts:
            shared = sorted(surface.keys() & _stem_set(text), key=rank.__getitem__)
            out.append([[surface[stem] for stem in shared if stem in own] for own in owners])
        return out

    def _analysed(
        self, query_texts: tuple[str, ...], merged: bool
    ) -> tuple[dict[str, str], list[frozenset[str]], dict[str, int]]:
        """The query's stems with their words as first written, each query text's stems (or
        all of them, ``merged``), and each stem's rank by idf: worked out once per query
        while the index is unchanged (a request explains ten mentors with the same query)."""
        key = (query_texts, merged, self._changes)
        found = self._queries.get(key)
        if found is not None:
            return found
        surface: dict[str, str] = {}
        owners: list[frozenset[str]] = []
        for text in query_texts:
            pairs = word_stems(text)
            for stem, word in pairs:
                surface.setdefault(stem, word)
            owners.append(frozenset(stem for stem, _ in pairs))
        if merged:
            owners = [frozenset(surface)]
        stems = list(surface)
        df = np.asarray(
            [self._df[i] if (i := self._vocab.get(s)) is not None else 0 for s in stems],
            dtype=np.float64,
        )
        order = np.argsort(-self._idf(df), kind="stable").tolist() if stems else []
        rank = {stems[i]: r for r, i in enumerate(order)}
        if len(self._queries) >= ANALYSED_QUERIES:
            self._queries.pop(next(iter(self._queries)))
        self._queries[key] = (surface, owners, rank)
        return surface, owners, rank

    # -- snapshot -----------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (one ``.npz`` file), atomically.

        The file is written beside ``path`` and renamed over it, so a crash leaves either
        the old file or the new one. Terms no document holds are left out.

        Args:
            path: the file to write.
        """
        slots = np.flatnonzero(self._has).astype(np.int64)
        flat = _runs(self._start[slots], self._nterms[slots])
        offsets = np.zeros(len(slots) + 1, dtype=np.int64)
        np.cumsum(self._nterms[slots], out=offsets[1:])
        n_terms = len(self._terms)
        live = self._df[:n_terms] > 0
        new_id = np.cumsum(live) - 1  # ascending, so each posting stays sorted
        terms = [term for term, keep in zip(self._terms, live.tolist(), strict=True) if keep]
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with tmp.open("wb") as handle:
                np.savez(
                    handle,
                    version=np.asarray(FORMAT_VERSION, dtype=np.int64),
                    params=np.asarray([self.k1, self.b], dtype=np.float64),
                    terms=np.asarray(terms, dtype=np.str_) if terms else np.zeros(0, "<U1"),
                    df=self._df[:n_terms][live],
                    slots=slots,
                    offsets=offsets,
                    term_ids=new_id[self._ids[flat]].astype(np.int32),
                    tfs=self._tfs[flat],
                )
                handle.flush()
                os.fsync(handle.fileno())
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex | None:
        """Read an index ``save`` wrote.

        Args:
            path: the ``.npz`` file.

        Returns:
            The index, or None if the file is missing, unreadable, corrupt or of another
            format version.
        """
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in _SAVED}
            return cls._from_arrays(arrays)
        except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile):
            return None

    @classmethod
    def _from_arrays(cls, arrays: dict[str, np.ndarray]) -> LexicalIndex:
        """The index held by a snapshot's arrays (ValueError if they are inconsistent)."""
        if arrays["version"].shape != () or int(arrays["version"]) != FORMAT_VERSION:
            raise ValueError("lexical index format version differs")
        params = arrays["params"]
        if params.shape != (2,):
            raise ValueError("bad params")
        index = cls(k1=float(params[0]), b=float(params[1]))
        terms = arrays["terms"]
        df = arrays["df"].astype(np.int64)
        slots = arrays["slots"].astype(np.int64)
        offsets = arrays["offsets"].astype(np.int64)
        term_ids = arrays["term_ids"].astype(np.int32)
        tfs = arrays["tfs"].astype(np.int64)
        n_terms, total = len(terms), len(term_ids)
        if terms.dtype.kind != "U" or terms.ndim != 1 or df.shape != (n_terms,):
            raise ValueError("bad vocabulary")
        if term_ids.ndim != 1 or tfs.shape != (total,):
            raise ValueError("bad postings shape")
        if offsets.shape != (len(slots) + 1,) or (len(offsets) and offsets[-1] != total):
            raise ValueError("bad offsets")
        if offsets[0] != 0 or (np.diff(offsets) < 0).any():
            raise ValueError("bad offsets")
        if len(slots) and (slots[0] < 0 or slots[-1] > MAX_SLOT or (np.diff(slots) <= 0).any()):
            raise ValueError("bad slots")
        if total and (term_ids.min() < 0 or term_ids.max() >= n_terms or tfs.min() < 1):
            raise ValueError("bad postings")
        starts = np.zeros(total, dtype=bool)
        starts[offsets[:-1][offsets[:-1] < total]] = True
        if (np.diff(term_ids)[~starts[1:]] <= 0).any():
            raise ValueError("posting term ids not strictly ascending")
        if not np.array_equal(np.bincount(term_ids, minlength=n_terms), df):
            raise ValueError("document frequencies disagree with the postings")
        index._terms = terms.tolist()
        index._vocab = {term: i for i, term in enumerate(index._terms)}
        if len(index._vocab) != n_terms:
            raise ValueError("repeated vocabulary terms")
        index._term_chars = sum(len(term) for term in index._terms)
        index._df = df.copy()
        tfs = np.minimum(tfs, TF_MAX)  # as ``put`` keeps them (a file may hold more)
        running = np.zeros(total + 1, dtype=np.int64)
        np.cumsum(tfs, out=running[1:])
        if len(slots):
            index._grow_slots(int(slots[-1]) + 1)
        index._ids, index._tfs, index._used = term_ids, tfs.astype(np.uint8), total
        index._has[slots] = True
        index._start[slots] = offsets[:-1]
        index._dl[slots] = running[offsets[1:]] - running[offsets[:-1]]
        index._nterms[slots] = np.diff(offsets)
        index._n_docs = len(slots)
        index._total_len = int(running[-1])
        return index

    def nbytes(self) -> int:
        """Approximate memory the index holds, in bytes."""
        slots = sum(a.nbytes for a in (self._has, self._start, self._dl, self._nterms))
        vocab = self._term_chars + _TERM_BYTES * len(self._terms) + self._df.nbytes
        return self._ids.nbytes + self._tfs.nbytes + slots + vocab + self._weight.nbytes


_SAVED = ("version", "params", "terms", "df", "slots", "offsets", "term_ids", "tfs")


def _checked_slot(slot: int) -> int:
    """``slot`` as an int (ValueError outside ``0 … MAX_SLOT``, TypeError if not integral)."""
    if isinstance(slot, bool) or not isinstance(slot, int | np.integer):
        raise TypeError(f"slot must be an int, not {type(slot).__name__}")
    value = int(slot)
    if not 0 <= value <= MAX_SLOT:
        raise ValueError(f"slot {value} outside 0…{MAX_SLOT}")
    return value


def _runs(starts: np.ndarray, lengths: np.ndarray, ends: np.ndarray | None = None) -> np.ndarray:
    """The positions of the runs ``starts[i] : starts[i] + lengths[i]`` one after another
    (``ends``: ``cumsum(lengths)``, if the caller has it)."""
    if ends is None:
        ends = np.cumsum(lengths)
    total = int(ends[-1]) if len(ends) else 0
    return np.repeat(starts - ends + lengths, lengths) + np.arange(total, dtype=np.int64)


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    """``array`` zero-padded to ``size`` entries."""
    out = np.zeros(size, dtype=array.dtype)
    out[: len(array)] = array
    return out
