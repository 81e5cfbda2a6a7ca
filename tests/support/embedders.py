"""``HashingEmbedder``: a tiny deterministic embedder for fast unit tests.

Texts are lower-cased and split into words; every word and every pair of neighbouring words
is hashed (BLAKE2b, so the same on every run and every machine, unlike ``hash``) into one of
``dim`` buckets with a sign, and the bucket counts are L2-normalised. Texts sharing words
share buckets, so word overlap gives a positive cosine: enough for tests of plumbing
(storage, index, shortlists, erasure), never for tests of ranking quality, which keep the
real model.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Sequence

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
_NO_WORDS = "\x00no-words"
"""The one feature of a text without any word, so its vector is still a unit vector."""


def features(text: str) -> list[str]:
    """The word unigrams and bigrams of ``text`` (lower case)."""
    words = _WORD.findall(text.lower())
    if not words:
        return [_NO_WORDS]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


class HashingEmbedder:
    """Word unigrams and bigrams hashed into ``dim`` signed buckets; float32, unit rows.

    Implements what ``recommender.retrieval.embedding.Embedder`` declares (``model_id``,
    ``dim``, ``encode``) and the query and warm-up extensions (``encode_query`` gives the
    same vectors as ``encode``: the embedding is symmetric). ``calls`` records how many texts
    each ``encode``/``encode_query`` call embedded, so tests can see cache hits.
    """

    version = 1

    def __init__(self, dim: int = 64) -> None:
        if dim < 2:
            raise ValueError("dim must be at least 2")
        self.dim = dim
        self.model_id = f"hashing-{dim}@{self.version}"
        self.calls: list[int] = []
        self.warmed_up = False

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return (value >> 1) % self.dim, (1.0 if value & 1 else -1.0)

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float64)
        for feature in features(text):
            bucket, sign = self._bucket(feature)
            vector[bucket] += sign
        norm = np.linalg.norm(vector)
        if norm == 0:  # features cancelled out: fall back to the no-words feature
            bucket, sign = self._bucket(_NO_WORDS)
            vector[bucket], norm = sign, 1.0
        return vector / norm

    def encode(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embed ``texts``: float32 ``(len(texts), dim)``, rows L2-normalised."""
        texts = list(texts)
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._vector(text)
        if progress is not None and texts:
            progress(len(texts))
        return out

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a request's texts: the same vectors as ``encode``."""
        return self.encode(texts)

    def warm_up(self) -> None:
        """Nothing to load; remembers it was called."""
        self.warmed_up = True
