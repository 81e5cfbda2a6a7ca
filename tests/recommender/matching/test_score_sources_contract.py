"""One contract for every ``ScoreSource``: ``DenseScores`` and ``BlockScores`` on a small case
whose right answers are known.

Three mentees and four mentors with 2-d unit vectors at chosen angles, so every cosine is
known: ``BlockScores`` maps cosine c to (c + 1) / 2, and ``DenseScores`` is given that same
matrix. Where they are meant to agree (no pair forbidden), every answer must be equal.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from recommender.matching.scores import BlockScores, DenseScores, ScoreSource

MENTEES = ["e0", "e1", "e2"]
MENTORS = ["m0", "m1", "m2", "m3"]


def unit(degrees: float) -> list[float]:
    r = np.radians(degrees)
    return [float(np.cos(r)), float(np.sin(r))]


MENTEE_VECS = np.array([unit(0), unit(90), unit(45)], dtype=np.float32)
MENTOR_VECS = np.array([unit(0), unit(60), unit(180), unit(120)], dtype=np.float32)
EXPECTED = (np.cos(np.radians([[0, 60, 180, 120], [90, 30, 90, 30], [45, 15, 135, 75]])) + 1) / 2
"""Scores (cos + 1) / 2; row e1 ties m1 and m3 (both 30° away), e0 has m0 at 1 and m2 at 0."""

FORBIDDEN = [("e0", "m0"), ("e2", "m1"), ("e2", "m0")]


def allowed_mask() -> np.ndarray:
    mask = np.ones((len(MENTEES), len(MENTORS)), dtype=bool)
    for mentee_id, mentor_id in FORBIDDEN:
        mask[MENTEES.index(mentee_id), MENTORS.index(mentor_id)] = False
    return mask


def dense() -> ScoreSource:
    return DenseScores(MENTEES, MENTORS, EXPECTED.copy())


def dense_forbidding() -> ScoreSource:
    return DenseScores(MENTEES, MENTORS, EXPECTED.copy(), allowed_mask())


def blocks(block_size: int) -> Callable[[], ScoreSource]:
    def make() -> ScoreSource:
        return BlockScores(MENTEES, MENTORS, MENTEE_VECS, MENTOR_VECS, block_size=block_size)

    return make


SOURCES: dict[str, Callable[[], ScoreSource]] = {
    "dense": dense,
    "block-1": blocks(1),
    "block-2": blocks(2),
    "block-1024": blocks(1024),
}
"""Sources that allow every pair; block sizes below, at and above the mentee count."""


@pytest.fixture(params=sorted(SOURCES))
def source(request: pytest.FixtureRequest) -> ScoreSource:
    return SOURCES[request.param]()


def score_matrix(source: ScoreSource) -> np.ndarray:
    return np.array(
        [[source.score(e, m) for m in source.mentor_ids] for e in source.mentee_ids], dtype=float
    )


class TestScoreSourceContract:
    def test_ids_are_kept_in_the_given_order(self, source: ScoreSource) -> None:
        assert list(source.mentee_ids) == MENTEES
        assert list(source.mentor_ids) == MENTORS

    def test_every_pair_scores_as_computed_by_hand(self, source: ScoreSource) -> None:
        got = score_matrix(source)
        np.testing.assert_allclose(got, EXPECTED, atol=1e-6)
        assert np.all((got >= 0) & (got <= 1))
        assert all(isinstance(source.score(e, "m1"), float) for e in MENTEES)

    def test_top_is_best_first_and_right(self, source: ScoreSource) -> None:
        top = source.top("e0", 2)
        assert [m for m, _ in top] == ["m0", "m1"]
        assert [s for _, s in top] == pytest.approx([1.0, 0.75], abs=1e-6)
        assert all(isinstance(s, float) for _, s in top)
        assert [m for m, _ in source.top("e2", 1)] == ["m1"]  # 15° away

    def test_top_lists_every_mentor_at_most_once_when_n_is_large(self, source: ScoreSource) -> None:
        top = source.top("e1", 10)
        assert sorted(m for m, _ in top) == sorted(MENTORS)
        scores = [s for _, s in top]
        assert scores == sorted(scores, reverse=True)
        assert {m for m, _ in top[:2]} == {"m1", "m3"}  # the tie, both at cos 30°

    def test_top_all_has_the_documented_shapes_and_dtypes(self, source: ScoreSource) -> None:
        idx, val = source.top_all(2)
        assert idx.shape == val.shape == (len(MENTEES), 2)
        assert idx.dtype == np.int64
        assert val.dtype == np.float64
        assert idx[:, 0].tolist() == [0, 1, 1] or idx[:, 0].tolist() == [0, 3, 1]
        np.testing.assert_allclose(val, np.sort(EXPECTED, axis=1)[:, ::-1][:, :2], atol=1e-6)

    def test_top_all_agrees_with_top(self, source: ScoreSource) -> None:
        idx, val = source.top_all(3)
        for i, mentee_id in enumerate(MENTEES):
            one = source.top(mentee_id, 3)
            # BlockScores computes in float32: one row alone and a block differ by ~1e-8
            assert [s for _, s in one] == pytest.approx(val[i].tolist(), abs=1e-6)
            # equal scores may come in either order (FAISS's heap vs a partition), so the
            # mentors agree by score: each one's true score is the one listed at its place
            expected = [EXPECTED[i, MENTORS.index(m)] for m, _ in one]
            assert EXPECTED[i, idx[i]].tolist() == pytest.approx(expected, abs=1e-6)

    def test_top_all_leaves_masked_mentors_out_and_pads(self, source: ScoreSource) -> None:
        mask = np.array([False, True, False, False])
        idx, val = source.top_all(2, mentor_mask=mask)
        assert idx[:, 0].tolist() == [1, 1, 1]
        np.testing.assert_allclose(val[:, 0], EXPECTED[:, 1], atol=1e-6)
        assert idx[:, 1].tolist() == [-1, -1, -1]
        assert np.isnan(val[:, 1]).all()

    def test_top_all_of_more_than_there_are_mentors_is_capped(self, source: ScoreSource) -> None:
        idx, val = source.top_all(10)
        assert idx.shape == val.shape == (len(MENTEES), len(MENTORS))
        assert all(sorted(row) == [0, 1, 2, 3] for row in idx.tolist())

    def test_top_all_of_zero(self, source: ScoreSource) -> None:
        idx, val = source.top_all(0)
        assert idx.shape == val.shape == (len(MENTEES), 0)

    def test_exceeding_finds_exactly_the_pairs_above_the_threshold(
        self, source: ScoreSource
    ) -> None:
        u = np.array([0.5, 0.2, 0.0])
        v = np.array([0.0, 0.1, 0.0, 0.3])
        rows, cols, vals = source.exceeding(u, v)
        assert rows.dtype == cols.dtype == np.int64
        assert vals.dtype == np.float64
        want = {(i, j) for i in range(3) for j in range(4) if EXPECTED[i, j] > u[i] + v[j] + 1e-9}
        assert set(zip(rows.tolist(), cols.tolist(), strict=True)) == want
        np.testing.assert_allclose(vals, EXPECTED[rows, cols], atol=1e-6)

    def test_exceeding_nothing_returns_empty_arrays(self, source: ScoreSource) -> None:
        rows, cols, vals = source.exceeding(np.ones(3), np.ones(4))
        assert rows.shape == cols.shape == vals.shape == (0,)
        assert rows.dtype == np.int64

    def test_unknown_ids_are_refused(self, source: ScoreSource) -> None:
        with pytest.raises(KeyError):
            source.score("nobody", "m0")
        with pytest.raises(KeyError):
            source.score("e0", "nobody")
        with pytest.raises(KeyError):
            source.top("nobody", 3)


# -- pairs that are not allowed (DenseScores' ``allowed`` mask) --------------------------------


def test_forbidden_pairs_score_none() -> None:
    source = dense_forbidding()
    for mentee_id, mentor_id in FORBIDDEN:
        assert source.score(mentee_id, mentor_id) is None
    assert source.score("e0", "m1") == pytest.approx(0.75)


def test_forbidden_pairs_never_appear_in_top_lists_or_exceeding() -> None:
    source = dense_forbidding()
    assert "m0" not in [m for m, _ in source.top("e0", 4)]
    assert [m for m, _ in source.top("e2", 4)] == ["m3", "m2"]  # only two allowed, best first
    idx, val = source.top_all(4)
    assert idx[2].tolist()[2:] == [-1, -1] and np.isnan(val[2, 2:]).all()
    rows, cols, _ = source.exceeding(np.full(3, -1.0), np.zeros(4))
    found = {(MENTEES[i], MENTORS[j]) for i, j in zip(rows.tolist(), cols.tolist(), strict=True)}
    assert found.isdisjoint(FORBIDDEN)
    assert len(found) == 12 - len(FORBIDDEN)


def test_asking_never_changes_the_scores() -> None:
    """``top_all`` with a mask must not write the mask into the source's own matrix."""
    source = dense()
    source.top_all(2, mentor_mask=np.array([True, False, False, False]))
    np.testing.assert_allclose(score_matrix(source), EXPECTED)
    assert [m for m, _ in source.top("e1", 1)] in (["m1"], ["m3"])


def test_dense_and_block_sources_agree_on_random_unit_vectors() -> None:
    rng = np.random.default_rng(7)
    a = rng.normal(size=(37, 8)).astype(np.float32)
    b = rng.normal(size=(11, 8)).astype(np.float32)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    mentees = [f"e{i}" for i in range(37)]
    mentors = [f"m{j}" for j in range(11)]
    matrix = np.clip((a.astype(np.float64) @ b.T.astype(np.float64) + 1) / 2, 0, 1)
    d = DenseScores(mentees, mentors, matrix)
    s = BlockScores(mentees, mentors, a, b, block_size=5)
    d_idx, d_val = d.top_all(4)
    s_idx, s_val = s.top_all(4)
    np.testing.assert_allclose(s_val, d_val, atol=1e-6)
    assert (s_idx == d_idx).mean() > 0.99  # float32 vs float64 may swap near-ties only
    u, v = np.full(37, 0.4), np.full(11, 0.3)
    d_pairs = set(zip(*map(np.ndarray.tolist, d.exceeding(u, v)[:2]), strict=True))
    s_pairs = set(zip(*map(np.ndarray.tolist, s.exceeding(u, v)[:2]), strict=True))
    assert len(d_pairs ^ s_pairs) <= 1
    assert len(d_pairs) > 10
