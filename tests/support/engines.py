"""Engines for unit tests: a real SQLite store and FAISS index, the hashing embedder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from recommender.engine import Engine, build_engine
from recommender.settings import Settings
from tests.support.embedders import HashingEmbedder

TODAY = date(2026, 9, 1)


@contextmanager
def hashing_engine(data_dir: Path, embedder: HashingEmbedder | None = None) -> Iterator[Engine]:
    """An engine over a fresh SQLite store in ``data_dir`` (call again on the same folder to
    simulate a restart); the store is closed on exit."""
    engine = build_engine(
        Settings(data_dir=data_dir), embedder=embedder or HashingEmbedder(), today=lambda: TODAY
    )
    try:
        yield engine
    finally:
        engine.store.close()
