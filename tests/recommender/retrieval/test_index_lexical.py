"""The index's lexical half: kept in step with the vectors through puts, replacements and
removals, saved with the snapshot, and rebuilt from the items (not re-embedded) when the
snapshot's lexical file is missing or does not match it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from recommender.domain.items import Item
from recommender.domain.kinds import Kind
from recommender.retrieval.index import MentorIndex
from recommender.retrieval.index_files import lexical_path
from recommender.retrieval.lexical import LexicalIndex
from tests.conftest import mentor
from tests.support.embedders import HashingEmbedder
from tests.support.engines import hashing_engine

DIM = 8
TOPICS = ["stroke thrombectomy", "heart failure", "sepsis antibiotics", "glioma surgery"]


class CountingEmbedder:
    """Deterministic vectors by text hash; counts what it embeds (none of the model's work
    is under test here)."""

    model_id = "counting"
    dim = DIM

    def __init__(self) -> None:
        self.embedded = 0

    def encode(self, texts: Sequence[str], progress: object = None) -> np.ndarray:
        self.embedded += len(texts)
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=DIM) for t in texts]
        x = np.array(rows, dtype=np.float32).reshape(len(texts), DIM)
        return x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-9)


def profiles(n: int = 40) -> dict[str, list[Item]]:
    return {
        f"m{i}": [Item("interest", TOPICS[i % 4]), Item("bio", f"mentor {i} {TOPICS[(i * 3) % 4]}")]
        for i in range(n)
    }


def fresh_scores(index: MentorIndex, items: dict[str, list[Item]], query: str) -> np.ndarray:
    """What a lexical index built from scratch over ``items`` gives the index's slots."""
    scratch = LexicalIndex()
    for mentor_id, its in items.items():
        scratch.put(index.slot(mentor_id), [i.text for i in its])
    return scratch.scores([query], index.slots(sorted(items)))


def test_lexical_follows_puts_replacements_and_removals() -> None:
    index, embedder = MentorIndex("counting", DIM), CountingEmbedder()
    items = profiles()
    index.sync(items, embedder)
    items["m3"] = [Item("interest", "glioma surgery outcomes")]
    del items["m7"]
    index.sync(items, embedder)
    got = index.lexical.scores(["glioma"], index.slots(sorted(items)))
    assert np.allclose(got, fresh_scores(index, items, "glioma"), atol=1e-12)
    assert got[sorted(items).index("m3")] > 0 and got[sorted(items).index("m0")] == 0
    assert len(index.lexical) == len(items)


def test_the_snapshot_keeps_the_lexical_index_and_rebuilds_it_without_embedding(
    tmp_path: Path,
) -> None:
    path = tmp_path / "index.faiss"
    index, embedder = MentorIndex("counting", DIM), CountingEmbedder()
    items = profiles()
    index.sync(items, embedder)
    index.save(path)
    expected = index.lexical.scores(["thrombectomy stroke"], index.slots(sorted(items)))

    loaded = MentorIndex.load(path, "counting", DIM)
    assert loaded is not None
    got = loaded.lexical.scores(["thrombectomy stroke"], loaded.slots(sorted(items)))
    assert np.array_equal(got, expected)

    lexical_path(path).write_bytes(b"not a lexical index")  # damaged: rebuilt from the items
    damaged = MentorIndex.load(path, "counting", DIM)
    assert damaged is not None and len(damaged.lexical) == 0
    before = embedder.embedded
    assert damaged.sync(items, embedder).words_rebuilt
    assert embedder.embedded == before  # nothing re-embedded
    got = damaged.lexical.scores(["thrombectomy stroke"], damaged.slots(sorted(items)))
    assert np.allclose(got, expected, atol=1e-12)
    damaged.save(path)
    again = MentorIndex.load(path, "counting", DIM)
    assert again is not None and len(again.lexical) == len(items)


def test_an_engine_saves_the_rebuilt_lexical_index_so_the_next_start_reads_it(
    tmp_path: Path,
) -> None:
    """A snapshot without its lexical file (written by an older version, or damaged) is
    rebuilt once and saved at once: the next start loads it instead of rebuilding again."""
    embedder = HashingEmbedder()
    with hashing_engine(tmp_path, embedder) as engine:
        engine.write(
            Kind.MENTORS,
            [mentor(f"m{i}", "neurology", interests=[TOPICS[i % 4]]) for i in range(12)],
        )
        engine.refresh()
        path = engine.settings.index_path
    assert lexical_path(path).exists()
    lexical_path(path).unlink()
    with hashing_engine(tmp_path, embedder) as engine:
        engine.refresh()
        assert lexical_path(path).exists()  # saved by the first refresh, nothing else changed
        expected = engine.index.lexical.scores(["glioma surgery"], engine.index.slots(["m3"]))
    with hashing_engine(tmp_path, embedder) as engine:
        assert engine.index._lexical_whole
        got = engine.index.lexical.scores(["glioma surgery"], engine.index.slots(["m3"]))
        assert np.array_equal(got, expected) and got[0] > 0
