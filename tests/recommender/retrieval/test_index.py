"""The FAISS item index: candidates against exact search, updates in place, snapshots."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recommender.domain.items import MAX_WORDS, Item, chunk_text
from recommender.retrieval.index import MentorIndex

DIM = 16


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.normal(size=(n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def filled(n_mentors: int = 200, seed: int = 0) -> tuple[MentorIndex, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    index = MentorIndex("test-model", DIM)
    vectors = {}
    for i in range(n_mentors):
        n_items = int(rng.integers(1, 6))
        vecs = unit(rng, n_items)
        index.put_vectors(f"m{i}", [Item("item", f"t{i}-{j}") for j in range(n_items)], vecs)
        vectors[f"m{i}"] = vecs
    return index, vectors


def exact_top(queries: np.ndarray, vectors: dict[str, np.ndarray], n: int) -> list[str]:
    best = {m: float((queries @ v.T).max()) for m, v in vectors.items()}
    return sorted(best, key=lambda m: -best[m])[:n]


def test_candidates_equal_exact_search() -> None:
    index, vectors = filled()
    rng = np.random.default_rng(1)
    for _ in range(20):
        queries = unit(rng, 3)
        assert index.candidates(queries, 25) == exact_top(queries, vectors, 25)


def test_candidates_stay_exact_through_removals_and_replacements() -> None:
    """The numpy view of the stored vectors is rebuilt after every change."""
    index, vectors = filled(60, seed=4)
    rng = np.random.default_rng(5)
    for step in range(30):
        queries = unit(rng, 2)
        assert index.candidates(queries, 10) == exact_top(queries, vectors, 10)
        victim = f"m{int(rng.integers(0, 60))}"
        if step % 2 and victim in vectors:
            index.remove(victim)
            del vectors[victim]
        else:
            vecs = unit(rng, int(rng.integers(1, 4)))
            index.put_vectors(
                victim, [Item("item", f"r{step}-{j}") for j in range(len(vecs))], vecs
            )
            vectors[victim] = vecs
        sims = index.item_similarities(queries, list(vectors)[:5]).sims
        for mentor_id, got in sims.items():
            np.testing.assert_allclose(got, queries @ vectors[mentor_id].T, rtol=1e-5, atol=1e-6)


def test_item_similarities_are_exact_cosines() -> None:
    index, vectors = filled(20)
    queries = unit(np.random.default_rng(2), 2)
    sims = index.item_similarities(queries, ["m3", "m7", "absent"]).sims
    assert set(sims) == {"m3", "m7"}
    np.testing.assert_allclose(sims["m3"], queries @ vectors["m3"].T, rtol=1e-5, atol=1e-6)


def test_remove_and_replace_in_place() -> None:
    index, vectors = filled(20)
    assert index.remove("m3") and not index.remove("m3")
    assert "m3" not in index
    new = unit(np.random.default_rng(3), 2)
    index.put_vectors("m4", [Item("item", "a"), Item("item", "b")], new)
    assert index.n_items == sum(len(v) for k, v in vectors.items() if k not in ("m3", "m4")) + 2
    assert index.candidates(new[:1], 1) == ["m4"]


def test_snapshot_round_trip_and_refusals(tmp_path: Path) -> None:
    index, _ = filled(30)
    index.store_seq = 42
    path = tmp_path / "index.faiss"
    index.save(path)
    loaded = MentorIndex.load(path, "test-model", DIM)
    assert loaded is not None
    assert loaded.mentor_ids == index.mentor_ids and loaded.store_seq == 42
    queries = unit(np.random.default_rng(4), 2)
    assert loaded.candidates(queries, 10) == index.candidates(queries, 10)
    assert MentorIndex.load(path, "other-model", DIM) is None
    path.write_bytes(path.read_bytes()[:-10])
    assert MentorIndex.load(path, "test-model", DIM) is None
    assert MentorIndex.load(tmp_path / "missing.faiss", "test-model", DIM) is None


def test_chunks_respect_the_word_limit_and_keep_every_word() -> None:
    text = " ".join(f"Sentence number {i} has exactly seven words." for i in range(100))
    text += " " + "word " * 300
    chunks = chunk_text(text)
    assert all(len(c.split()) <= MAX_WORDS for c in chunks)
    assert sum(len(c.split()) for c in chunks) == len(text.split())
