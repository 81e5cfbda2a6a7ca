"""The item index: candidates against exact search, updates in place, snapshots (the vectors
file read into memory or mapped, dead rows compacted at save, the format-2 FAISS file read)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import faiss
import numpy as np
import pytest

from recommender.domain.items import MAX_WORDS, Item, chunk_text
from recommender.domain.pooling import DEFAULT_TEMPERATURE, pool
from recommender.retrieval.index import IndexPolicy, MentorIndex, items_hash, write_snapshot

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
    """The reference: mentors by their nearest item to any query item."""
    best = {m: float((queries @ v.T).max()) for m, v in vectors.items()}
    return sorted(best, key=lambda m: -best[m])[:n]


def test_found_matches_are_pooled_per_query_item() -> None:
    """Candidates are chosen by their nearest item; each query item's match with them is
    its cosines with their items soft-max pooled (the index's default policy)."""
    index, vectors = filled()
    rng = np.random.default_rng(3)
    queries = unit(rng, 3)
    found = index.search(queries, 25)
    assert found.mentor_ids == exact_top(queries, vectors, 25)
    for j, m in enumerate(found.mentor_ids):
        expected = pool(queries @ vectors[m].T, DEFAULT_TEMPERATURE, axis=1)
        assert np.allclose(found.best[:, j], expected, atol=1e-5)
        assert (found.best[:, j] >= (queries @ vectors[m].T).max(axis=1) - 1e-6).all()


def test_candidates_equal_exact_search() -> None:
    index, vectors = filled()
    rng = np.random.default_rng(1)
    for _ in range(20):
        queries = unit(rng, 3)
        assert index.candidates(queries, 25) == exact_top(queries, vectors, 25)


def test_candidates_stay_exact_through_removals_and_replacements() -> None:
    """Replaced and removed mentors leave dead rows between live runs until a save."""
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


def items_of(prefix: str, n: int) -> list[Item]:
    return [Item("item", f"{prefix}-{j}") for j in range(n)]


@pytest.mark.parametrize("map_from_items", [0, 10**9], ids=["mapped", "in-memory"])
def test_saved_vectors_are_compacted_and_serve_exactly_mapped_or_not(
    tmp_path: Path, map_from_items: int
) -> None:
    policy = IndexPolicy(requested="flat", map_from_items=map_from_items)
    index, vectors = filled(80, seed=6)
    index.policy = policy
    rng = np.random.default_rng(7)
    for i in range(0, 80, 3):  # replace a third, remove a few: dead rows in the middle
        vectors[f"m{i}"] = unit(rng, 2)
        index.put_vectors(f"m{i}", items_of(f"new{i}", 2), vectors[f"m{i}"])
    for i in (1, 2, 40):
        index.remove(f"m{i}")
        del vectors[f"m{i}"]
    assert index.dead_rows > 0
    path = tmp_path / "index.faiss"
    index.save(path)
    assert index.dead_rows == 0
    assert np.load(path).shape == (index.n_items, DIM)
    mapped = map_from_items == 0
    assert (index.mapped_bytes > 0) is mapped
    loaded = MentorIndex.load(path, "test-model", DIM, policy)
    assert loaded is not None and (loaded.mapped_bytes == index.n_items * DIM * 4) is mapped
    for i in (5, 7):  # changes after loading go to memory beside the mapped rows
        vectors[f"m{i}"] = unit(rng, 3)
        loaded.put_vectors(f"m{i}", items_of(f"later{i}", 3), vectors[f"m{i}"])
    loaded.put_vectors("fresh", items_of("fresh", 1), unit(rng, 1))
    vectors["fresh"] = (
        loaded.item_similarities(np.eye(DIM, dtype=np.float32), ["fresh"]).sims["fresh"].T.copy()
    )
    for _ in range(10):
        queries = unit(rng, 3)
        assert loaded.candidates(queries, 15) == exact_top(queries, vectors, 15)
        got = loaded.item_similarities(queries, ["m5", "m9"]).sims
        np.testing.assert_allclose(got["m5"], queries @ vectors["m5"].T, rtol=1e-5, atol=1e-6)
    loaded.save(path)  # rewrites the file it maps: the old mapping stays readable meanwhile
    again = MentorIndex.load(path, "test-model", DIM, policy)
    assert again is not None and again.mentor_ids == set(vectors)
    queries = unit(rng, 2)
    assert again.candidates(queries, 20) == exact_top(queries, vectors, 20)


def test_a_format_2_snapshot_is_still_read(tmp_path: Path) -> None:
    """Snapshots written before the vectors file (a FAISS ``IndexIDMap2`` and a JSON map of
    mentor → [hash, item ids, slot]) load as they were."""
    rng = np.random.default_rng(8)
    vectors = {"a": unit(rng, 2), "b": unit(rng, 3), "c": unit(rng, 1)}
    faiss_index = faiss.IndexIDMap2(faiss.IndexFlatIP(DIM))
    mentors, next_id = {}, 10
    for slot, (mentor_id, vecs) in enumerate(reversed(list(vectors.items()))):
        ids = np.arange(next_id, next_id + len(vecs), dtype=np.int64)
        faiss_index.add_with_ids(vecs, ids)
        mentors[mentor_id] = [items_hash(items_of(mentor_id, len(vecs))), ids.tolist(), slot]
        next_id += len(vecs)
    path = tmp_path / "index.faiss"
    blob = faiss.serialize_index(faiss_index).tobytes()
    path.write_bytes(blob)
    meta = {
        "version": 2,
        "model_id": "test-model",
        "dim": DIM,
        "store_seq": 9,
        "next_id": next_id,
        "checksum": hashlib.sha256(blob).hexdigest(),
        "mentors": mentors,
    }
    path.with_suffix(".meta.json").write_text(json.dumps(meta))
    loaded = MentorIndex.load(path, "test-model", DIM)
    assert loaded is not None and loaded.store_seq == 9 and loaded.n_items == 6
    assert [loaded.slot(m) for m in ("c", "b", "a")] == [0, 1, 2]
    queries = unit(rng, 2)
    assert loaded.candidates(queries, 2) == exact_top(queries, vectors, 2)
    loaded.upsert("a", items_of("a", 2), embedder=None)  # type: ignore[arg-type]  # unchanged
    assert loaded.item_ids("a").tolist() == mentors["a"][1]


def test_chunks_respect_the_word_limit_and_keep_every_word() -> None:
    text = " ".join(f"Sentence number {i} has exactly seven words." for i in range(100))
    text += " " + "word " * 300
    chunks = chunk_text(text)
    assert all(len(c.split()) <= MAX_WORDS for c in chunks)
    assert sum(len(c.split()) for c in chunks) == len(text.split())


def test_a_snapshot_written_block_by_block_loads_mapped_and_refuses_bad_input(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(9)
    vectors = {f"m{i}": unit(rng, 1 + i % 3) for i in range(12)}
    path = tmp_path / "index.faiss"
    made = [(m, items_of(m, len(v)), v) for m, v in vectors.items()]
    assert write_snapshot(path, "test-model", DIM, iter(made), lambda: 5) == 24
    policy = IndexPolicy(requested="flat", map_from_items=1)
    loaded = MentorIndex.load(path, "test-model", DIM, policy)
    assert loaded is not None and loaded.store_seq == 5 and loaded.mapped_bytes == 24 * DIM * 4
    queries = unit(rng, 2)
    assert loaded.candidates(queries, 4) == exact_top(queries, vectors, 4)
    # the words came with it: no rebuild waits for the first sync
    assert len(loaded.lexical) == 12
    slots = np.asarray([loaded.slot("m3"), loaded.slot("m4")])
    found, other = loaded.lexical.scores(["about m3"], slots).tolist()
    assert found > 0 and other == 0
    before = path.read_bytes()
    with pytest.raises(ValueError, match="m0 appears twice"):
        write_snapshot(path, "test-model", DIM, iter([*made, made[0]]), lambda: 6)
    with pytest.raises(ValueError, match="vectors shape"):
        write_snapshot(path, "test-model", DIM, iter([("x", items_of("x", 2), unit(rng, 3))]), int)
    assert path.read_bytes() == before and not list(tmp_path.glob(".*.tmp"))
