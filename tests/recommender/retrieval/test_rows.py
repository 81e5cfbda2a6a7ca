"""Item rows: the fused gather-and-dot reads mapped and in-memory rows alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.retrieval.rows import ItemRows


def unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def rows(tmp_path: Path) -> tuple[ItemRows, np.ndarray]:
    """50 rows mapped from a file, then 30 appended in memory."""
    rng = np.random.default_rng(7)
    base, tail = unit(rng, 50, 16), unit(rng, 30, 16)
    stored = ItemRows.of(base)
    checksum = stored.write(tmp_path / "rows.npy", np.arange(50, dtype=np.int64))
    stored.map(tmp_path / "rows.npy", 50, checksum)
    stored.append(tail)
    assert stored.mapped == 50 and len(stored) == 80
    return stored, np.vstack([base, tail])


@pytest.mark.parametrize(
    "which",
    [
        np.array([3, 0, 49, 7, 7], dtype=np.int64),  # mapped only, unsorted, repeated
        np.array([50, 79, 61], dtype=np.int64),  # in memory only
        np.array([79, 2, 50, 49, 10, 65], dtype=np.int64),  # both, interleaved
        np.zeros(0, dtype=np.int64),
    ],
)
def test_inner_products_equal_the_product_of_the_rows(
    rows: tuple[ItemRows, np.ndarray], which: np.ndarray
) -> None:
    stored, every = rows
    q = unit(np.random.default_rng(1), 4, 16)
    got = stored.inner_products(q, which)
    assert got.shape == (4, len(which)) and got.dtype == np.float32
    np.testing.assert_allclose(got, q @ every[which].T, atol=1e-6)
    np.testing.assert_array_equal(got, stored.inner_products(q, which))  # deterministic


def test_rows_out_of_range_are_refused_not_read(rows: tuple[ItemRows, np.ndarray]) -> None:
    stored, _ = rows
    q = unit(np.random.default_rng(1), 2, 16)
    for bad in ([0, 80], [-1]):
        with pytest.raises(IndexError, match="out of range"):
            stored.inner_products(q, np.array(bad, dtype=np.int64))
