"""Where match scores come from: ``ScoreSource`` and two implementations.

``DenseScores`` wraps a float64 ``(n_mentees, n_mentors)`` matrix; ``BlockScores`` computes
cosine scores block by block from float32 unit vectors, so a 20,000 × 4,000 cohort never
holds the dense matrix in memory. Scores are in [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import faiss
import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class ScoreSource(Protocol):
    """Match scores in [0, 1] for (mentee, mentor) pairs, by id or by row/column index.

    ``top(mentee_id, n)`` gives the ``n`` best allowed mentors, best first; ``score`` gives one
    pair's score or None (not allowed). ``top_all(n, mentor_mask)`` gives every mentee's top
    ``n`` as (mentor indices int64, scores float64), both ``(n_mentees, n)``, -1 / NaN padding
    (faiss style); mentors where the mask is False are left out. ``exceeding(u, v)`` gives all
    allowed pairs with ``score > u[i] + v[j]`` as (rows, cols, scores), computed block by block.
    """

    @property
    def mentee_ids(self) -> Sequence[str]: ...
    @property
    def mentor_ids(self) -> Sequence[str]: ...
    def top(self, mentee_id: str, n: int) -> list[tuple[str, float]]: ...
    def score(self, mentee_id: str, mentor_id: str) -> float | None: ...
    def top_all(
        self, n: int, mentor_mask: BoolArray | None = None
    ) -> tuple[IntArray, FloatArray]: ...
    def exceeding(self, u: FloatArray, v: FloatArray) -> tuple[IntArray, IntArray, FloatArray]: ...


class _Blockwise:
    """Shared block-by-block logic; subclasses give float64 blocks with -inf = not allowed."""

    block_size: int = 1024

    def __init__(self, mentee_ids: Sequence[str], mentor_ids: Sequence[str]) -> None:
        self._mentees, self._mentors = list(mentee_ids), list(mentor_ids)
        self._row = {x: i for i, x in enumerate(self._mentees)}
        self._col = {x: j for j, x in enumerate(self._mentors)}

    @property
    def mentee_ids(self) -> Sequence[str]:
        return self._mentees

    @property
    def mentor_ids(self) -> Sequence[str]:
        return self._mentors

    def _rows(self, rows: IntArray) -> FloatArray:
        """Scores of the given mentee rows against every mentor, float64, -inf = not allowed."""
        raise NotImplementedError

    def _block(self, start: int, stop: int) -> FloatArray:
        return self._rows(np.arange(start, stop, dtype=np.int64))

    def _blocks(self, rows: IntArray | None = None) -> Iterable[tuple[IntArray, FloatArray]]:
        """``(rows, scores)`` of ``block_size`` mentees at a time (all mentees by default)."""
        rows = np.arange(len(self._mentees), dtype=np.int64) if rows is None else rows
        for start in range(0, len(rows), self.block_size):
            chunk = rows[start : start + self.block_size]
            yield chunk, self._rows(chunk)

    def score(self, mentee_id: str, mentor_id: str) -> float | None:
        i = self._row[mentee_id]
        value = float(self._block(i, i + 1)[0, self._col[mentor_id]])
        return None if value == -np.inf else value

    def top(self, mentee_id: str, n: int) -> list[tuple[str, float]]:
        i = self._row[mentee_id]
        idx, val = _top_rows(self._block(i, i + 1), min(n, len(self._mentors)))
        return [(self._mentors[j], float(s)) for j, s in zip(idx[0], val[0], strict=True) if j >= 0]

    def top_all(self, n: int, mentor_mask: BoolArray | None = None) -> tuple[IntArray, FloatArray]:
        k = min(n, len(self._mentors))
        idx = np.full((len(self._mentees), k), -1, dtype=np.int64)
        val = np.full((len(self._mentees), k), np.nan)
        for rows, block in self._blocks():
            if mentor_mask is not None:
                block[:, ~mentor_mask] = -np.inf
            idx[rows], val[rows] = _top_rows(block, k)
        return idx, val

    def exceeding(self, u: FloatArray, v: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
        """Rows with ``u[i] + min(v) >= 1`` cannot hold a pair above the bound (scores are at
        most 1): they are never computed."""
        found: list[tuple[IntArray, IntArray, FloatArray]] = [(EMPTY_INT, EMPTY_INT, EMPTY_FLOAT)]
        live = np.flatnonzero(u + (v.min() if len(v) else np.inf) < 1.0)
        for rows, block in self._blocks(live):
            r, c = np.nonzero(block > u[rows, None] + v[None, :])
            found.append((rows[r], c.astype(np.int64), block[r, c]))
        at, cols, vals = zip(*found, strict=True)
        return np.concatenate(at), np.concatenate(cols), np.concatenate(vals)


EMPTY_INT: IntArray = np.empty(0, np.int64)
EMPTY_FLOAT: FloatArray = np.empty(0)


def _top_rows(block: FloatArray, k: int) -> tuple[IntArray, FloatArray]:
    """Top ``k`` per row of ``block`` (b, m), best first; -1 / NaN where -inf (not allowed)."""
    if k == 0:
        return np.empty((len(block), 0), np.int64), np.empty((len(block), 0))
    part = np.argpartition(-block, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(block, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    idx = np.take_along_axis(part, order, axis=1).astype(np.int64)
    vals = np.take_along_axis(vals, order, axis=1)
    idx[vals == -np.inf], vals[vals == -np.inf] = -1, np.nan
    return idx, vals


class DenseScores(_Blockwise):
    """In-memory scores: ``matrix`` float64 ``(n_mentees, n_mentors)`` in [0, 1];
    ``allowed`` optional bool of the same shape (False: never pair)."""

    def __init__(
        self,
        mentee_ids: Sequence[str],
        mentor_ids: Sequence[str],
        matrix: FloatArray,
        allowed: BoolArray | None = None,
    ) -> None:
        super().__init__(mentee_ids, mentor_ids)
        self._matrix = np.asarray(matrix, dtype=np.float64)
        self._allowed = allowed

    def _rows(self, rows: IntArray) -> FloatArray:
        block = self._matrix[rows]
        if self._allowed is not None:
            block[~self._allowed[rows]] = -np.inf
        return block


class BlockScores(_Blockwise):
    """Scores ``(cos + 1) / 2`` from float32 L2-normalised vectors, ``mentee_vecs (n, d)`` and
    ``mentor_vecs (m, d)``, computed ``block_size`` mentees at a time: the full n x m matrix
    is never built."""

    def __init__(
        self,
        mentee_ids: Sequence[str],
        mentor_ids: Sequence[str],
        mentee_vecs: NDArray[np.float32],
        mentor_vecs: NDArray[np.float32],
        block_size: int = 1024,
    ) -> None:
        super().__init__(mentee_ids, mentor_ids)
        self._a = np.ascontiguousarray(mentee_vecs, dtype=np.float32)
        self._b = np.ascontiguousarray(mentor_vecs, dtype=np.float32)
        self.block_size = block_size

    def _rows(self, rows: IntArray) -> FloatArray:
        return _from_cosine(self._a[rows] @ self._b.T)

    def top_all(self, n: int, mentor_mask: BoolArray | None = None) -> tuple[IntArray, FloatArray]:
        """FAISS's exact k-nearest search (blocked inner products and a heap per mentee, on
        every core): several times faster than partitioning each row of scores."""
        k = min(n, len(self._mentors))
        cols = np.arange(len(self._mentors)) if mentor_mask is None else np.flatnonzero(mentor_mask)
        idx = np.full((len(self._mentees), k), -1, dtype=np.int64)
        val = np.full((len(self._mentees), k), np.nan)
        found = min(k, len(cols))
        if found == 0 or len(self._mentees) == 0:
            return idx, val
        cos, at = faiss.knn(self._a, self._b[cols], found, metric=faiss.METRIC_INNER_PRODUCT)
        idx[:, :found], val[:, :found] = cols[at], _from_cosine(cos)
        return idx, val


def _from_cosine(cos: NDArray[np.float32]) -> FloatArray:
    """Scores ``(cos + 1) / 2`` in [0, 1], float64."""
    return np.clip((cos.astype(np.float64) + 1.0) / 2.0, 0.0, 1.0)
