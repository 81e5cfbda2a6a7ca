"""Where match scores come from: ``ScoreSource`` and two implementations.

``DenseScores`` wraps a float64 ``(n_mentees, n_mentors)`` matrix; ``BlockScores`` computes
cosine scores block by block from float32 unit vectors, so a 20,000 × 4,000 cohort never
holds the dense matrix in memory. Scores are in [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

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

    def _block(self, start: int, stop: int) -> FloatArray:
        raise NotImplementedError

    def _blocks(self) -> Iterable[tuple[int, FloatArray]]:
        for start in range(0, len(self._mentees), self.block_size):
            yield start, self._block(start, min(start + self.block_size, len(self._mentees)))

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
        for start, block in self._blocks():
            if mentor_mask is not None:
                block[:, ~mentor_mask] = -np.inf
            idx[start : start + len(block)], val[start : start + len(block)] = _top_rows(block, k)
        return idx, val

    def exceeding(self, u: FloatArray, v: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
        found: list[tuple[IntArray, IntArray, FloatArray]] = [(EMPTY_INT, EMPTY_INT, EMPTY_FLOAT)]
        for start, block in self._blocks():
            r, c = np.nonzero(block > u[start : start + len(block), None] + v[None, :])
            found.append((r.astype(np.int64) + start, c.astype(np.int64), block[r, c]))
        rows, cols, vals = zip(*found, strict=True)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


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

    def _block(self, start: int, stop: int) -> FloatArray:
        block = self._matrix[start:stop].copy()
        if self._allowed is not None:
            block[~self._allowed[start:stop]] = -np.inf
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

    def _block(self, start: int, stop: int) -> FloatArray:
        cos = (self._a[start:stop] @ self._b.T).astype(np.float64)
        return np.clip((cos + 1.0) / 2.0, 0.0, 1.0)
