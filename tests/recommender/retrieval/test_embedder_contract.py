"""One contract for every embedder: what ``Embedder`` declares, checked on each implementation.

Implementations: the real model (``SentenceTransformerEmbedder``, loaded once per session),
``CachedEmbedder`` over a real SQLite store (wrapping the real model and the hashing one),
and the tests' own ``HashingEmbedder``. The coalescing wrapper (``Coalescer``) is not an
embedder (no ``model_id``/``dim``; it batches a run function) and has its own tests.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from recommender.retrieval.embedding import CachedEmbedder, Embedder, SentenceTransformerEmbedder
from recommender.storage.store import Store
from tests.support.embedders import HashingEmbedder

TEXTS = [
    "heart failure with preserved ejection fraction",
    "anterior cruciate ligament reconstruction in athletes",
    "adolescent depression and suicide prevention",
    "melanoma early detection",
]


@dataclass
class Case:
    """One implementation under test; ``semantic`` when similar meanings embed close."""

    embedder: Any
    semantic: bool


def _store(path: Path) -> Store:
    return Store(f"sqlite:///{path / 'cache.db'}")


@pytest.fixture(params=["sentence-transformer", "cached-model", "hashing", "cached-hashing"])
def case(
    request: pytest.FixtureRequest, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> Iterator[Case]:
    if request.param == "sentence-transformer":
        yield Case(embedder, semantic=True)
    elif request.param == "hashing":
        yield Case(HashingEmbedder(), semantic=False)
    else:
        store = _store(tmp_path)
        inner = embedder if request.param == "cached-model" else HashingEmbedder()
        yield Case(CachedEmbedder(inner, store), semantic=request.param == "cached-model")
        store.close()


def protocol_members(protocol: type) -> dict[str, Any]:
    """The attributes and public methods ``protocol`` declares (name → None or function)."""
    members: dict[str, Any] = dict.fromkeys(getattr(protocol, "__annotations__", {}))
    for name, value in vars(protocol).items():
        if callable(value) and not name.startswith("_"):
            members[name] = value
    return members


def query_encoder(e: Any) -> Callable[[list[str]], np.ndarray]:
    """How the engine embeds a request's texts: ``encode_query`` where there is one."""
    return getattr(e, "encode_query", e.encode)  # type: ignore[no-any-return]


def assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert isinstance(vectors, np.ndarray)
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


class TestEmbedderContract:
    def test_has_every_member_the_protocol_declares(self, case: Case) -> None:
        members = protocol_members(Embedder)
        assert {"model_id", "dim", "encode"} <= set(members)
        for name, declared in members.items():
            assert hasattr(case.embedder, name), f"{type(case.embedder).__name__} lacks {name}"
            if declared is None:
                continue
            given = inspect.signature(getattr(case.embedder, name)).parameters
            wanted = [p for p in inspect.signature(declared).parameters if p != "self"]
            assert all(p in given for p in wanted), f"{name}{tuple(given)} vs {wanted}"

    def test_model_id_and_dim_describe_the_vectors(self, case: Case) -> None:
        e = case.embedder
        assert isinstance(e.model_id, str) and e.model_id.strip()
        assert isinstance(e.dim, int) and e.dim > 0
        assert e.encode(TEXTS[:1]).shape[1] == e.dim

    def test_vectors_are_float32_unit_rows_one_per_text(self, case: Case) -> None:
        assert_unit_rows(case.embedder.encode(TEXTS), len(TEXTS), case.embedder.dim)

    @pytest.mark.parametrize("empty", [[], ()], ids=["list", "tuple"])
    def test_no_texts_give_zero_rows(self, case: Case, empty: Any) -> None:
        out = case.embedder.encode(empty)
        assert out.shape == (0, case.embedder.dim)
        assert out.dtype == np.float32

    def test_an_empty_string_still_gets_a_unit_vector(self, case: Case) -> None:
        assert_unit_rows(case.embedder.encode(["", TEXTS[0]]), 2, case.embedder.dim)

    def test_same_text_gives_the_same_vector(self, case: Case) -> None:
        first = case.embedder.encode(TEXTS)
        again = case.embedder.encode(TEXTS)
        np.testing.assert_allclose(first, again, atol=1e-6)
        twice = case.embedder.encode([TEXTS[2], TEXTS[2]])
        np.testing.assert_allclose(twice[0], twice[1], atol=1e-6)

    def test_rows_follow_the_order_of_the_texts(self, case: Case) -> None:
        order = [2, 0, 3, 1]
        forward = case.embedder.encode(TEXTS)
        shuffled = case.embedder.encode([TEXTS[i] for i in order])
        np.testing.assert_allclose(shuffled, forward[order], atol=1e-5)
        assert not np.allclose(forward[0], forward[1], atol=1e-3)  # the rows do differ

    def test_a_batch_equals_the_texts_one_by_one(self, case: Case) -> None:
        batch = case.embedder.encode(TEXTS)
        single = np.concatenate([case.embedder.encode([t]) for t in TEXTS])
        np.testing.assert_allclose(batch, single, atol=1e-5)

    def test_progress_counts_every_text_once(self, case: Case) -> None:
        texts = [f"{t}, case {i}" for i, t in enumerate([*TEXTS, *TEXTS, "x"])]  # two passes
        seen: list[int] = []
        out = case.embedder.encode(texts, seen.append)
        assert_unit_rows(out, len(texts), case.embedder.dim)
        assert sum(seen) == len(texts)
        assert all(n >= 0 for n in seen)

    def test_query_vectors_match_document_vectors(self, case: Case) -> None:
        # Every implementation here is symmetric: a request's text embeds as the same text
        # stored in a profile would, so query–item cosines are comparable.
        encode_query = query_encoder(case.embedder)
        queries = encode_query(TEXTS)
        assert_unit_rows(queries, len(TEXTS), case.embedder.dim)
        np.testing.assert_allclose(queries, case.embedder.encode(TEXTS), atol=1e-5)
        assert encode_query([]).shape == (0, case.embedder.dim)

    def test_warm_up_if_offered_changes_no_vector(self, case: Case) -> None:
        before = case.embedder.encode(TEXTS[:2])
        warm_up = getattr(case.embedder, "warm_up", None)
        if warm_up is None:
            if "warm_up" in protocol_members(Embedder):
                pytest.fail(f"{type(case.embedder).__name__} lacks the declared warm_up")
            pytest.skip("the Embedder protocol declares no warm_up")
        warm_up()
        np.testing.assert_allclose(case.embedder.encode(TEXTS[:2]), before, atol=1e-6)

    def test_similar_texts_are_closer_than_unrelated_ones(self, case: Case) -> None:
        if not case.semantic:
            pytest.skip("word hashing knows no meaning")
        anchor, paraphrase, unrelated = case.embedder.encode(
            [
                "torn knee ligament repair for football players",
                "anterior cruciate ligament reconstruction in athletes",
                "melanoma early detection",
            ]
        )
        assert float(anchor @ paraphrase) > float(anchor @ unrelated) + 0.1


# -- the hashing embedder's own promises ------------------------------------------------------


def test_hashing_embedder_id_names_its_size_and_version() -> None:
    assert HashingEmbedder().model_id == "hashing-64@1"
    assert HashingEmbedder(dim=128).model_id == "hashing-128@1"
    assert HashingEmbedder(dim=128).encode(["x"]).shape == (1, 128)


def test_hashing_embedder_is_the_same_across_instances_and_sees_word_overlap() -> None:
    a, b = HashingEmbedder(), HashingEmbedder()
    np.testing.assert_array_equal(a.encode(TEXTS), b.encode(TEXTS))
    v = a.encode(["heart failure research", "heart failure", "knee ligament surgery"])
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])


# -- the cache: what wrapping an embedder in CachedEmbedder adds --------------------------------


def test_cached_vectors_survive_a_restart_without_embedding_again(tmp_path: Path) -> None:
    inner = HashingEmbedder()
    store = _store(tmp_path)
    first = CachedEmbedder(inner, store).encode(TEXTS)
    assert inner.calls == [len(TEXTS)]
    store.close()

    store = _store(tmp_path)
    again = CachedEmbedder(inner, store).encode(TEXTS)
    store.close()
    assert inner.calls == [len(TEXTS)], "a fresh cache on the same store embedded again"
    np.testing.assert_array_equal(first, again)


def test_cache_embeds_only_new_texts_and_each_once(tmp_path: Path) -> None:
    inner = HashingEmbedder()
    store = _store(tmp_path)
    cached = CachedEmbedder(inner, store)
    cached.encode(TEXTS[:2])
    out = cached.encode([TEXTS[1], TEXTS[2], TEXTS[2], TEXTS[0]])
    store.close()
    assert inner.calls == [2, 1]
    np.testing.assert_allclose(out, inner.encode([TEXTS[1], TEXTS[2], TEXTS[2], TEXTS[0]]))


def test_query_vectors_are_not_written_to_the_store(tmp_path: Path) -> None:
    inner = HashingEmbedder()
    store = _store(tmp_path)
    CachedEmbedder(inner, store).encode_query(["a request text"])
    CachedEmbedder(inner, store).encode(["a profile text"])
    restarted = CachedEmbedder(inner, store)
    restarted.encode(["a profile text"])
    assert inner.calls == [1, 1], "the stored profile text was embedded again"
    restarted.encode(["a request text"])
    store.close()
    assert inner.calls == [1, 1, 1], "the query text was persisted"


def test_a_text_first_seen_as_a_query_is_stored_once_a_profile_uses_it(tmp_path: Path) -> None:
    """ "Unchanged text is never embedded twice, across processes and restarts": a profile
    text must reach the store even if a request embedded the same text just before."""
    inner = HashingEmbedder()
    store = _store(tmp_path)
    cached = CachedEmbedder(inner, store)
    cached.encode_query(["heart failure"])  # a mentee's request
    cached.encode(["heart failure"])  # then a mentor's profile item, same words
    restarted = CachedEmbedder(inner, store)
    restarted.encode(["heart failure"])
    store.close()
    assert inner.calls == [1], "the profile text was embedded again after a restart"
