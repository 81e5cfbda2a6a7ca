"""The scale benchmark on a small program: real model, real store, real index, live server.

Sizes are tiny here (the figures themselves come from ``mentor-match bench --mentors``);
what is checked is that every measure is taken, the index kind follows the settings, the
synthetic mentors are what the report says they are, and the report files are written.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from evaluation.scale_bench import NOISE_COSINE, Base, ScaleRow, run_scale, synthetic_mentors
from evaluation.scale_report import cells, write_report
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings


@pytest.fixture(scope="module")
def base(embedder: SentenceTransformerEmbedder) -> Base:
    return Base.load(embedder, first=60)  # a fifth of the sample: enough shapes, less model time


def test_synthetic_mentors_perturb_real_embeddings_under_new_ids(base: Base) -> None:
    blocks = list(synthetic_mentors(base, 700, chunk=300))
    assert [len(b) for b in blocks] == [300, 300, 100]
    made = [pair for block in blocks for pair in block]
    assert len({m.id for m, _ in made}) == 700
    for i, (mentor, vectors) in enumerate(made[::37]):
        source = base.vectors[(i * 37) % len(base.mentors)]
        assert vectors.shape == source.shape and vectors.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        cosines = (vectors * source).sum(axis=1)
        assert abs(float(cosines.mean()) - NOISE_COSINE) < 0.05
        assert 0 <= mentor.current_mentees <= mentor.capacity
    assert base.with_mentees(650).mentees[-1].id == "bench-mentee-0000649"
    assert len(base.with_mentees(10).mentees) == 10


def test_run_scale_measures_every_figure_in_process_and_over_http(
    embedder: SentenceTransformerEmbedder, base: Base, tmp_path: Path
) -> None:
    # The larger program's vectors file is mapped, the smaller one's read into memory.
    settings = Settings(index_flat_max_items=5000, index_probes=16, index_map_from_items=6000)
    rows = run_scale(
        [400, 1200],
        tmp_path,
        embedder,
        requests=10,
        clients=4,
        duration_s=2.0,
        port=18_765,
        settings=settings,
        mentees=50,
        base=base,
    )
    small, large = rows
    assert small.index_type == "flat" and small.recall == 1.0
    assert large.index_type == "ivf-sq8" and 0.5 <= large.recall <= 1.0
    assert large.items > small.items > 400
    for row in rows:
        for name, value in row.as_dict().items():
            if isinstance(value, float):
                assert not math.isnan(value) and value >= 0, (row.mentors, name)
        assert row.stored_p50 <= row.stored_p99 and row.http_p50 <= row.http_p99
        assert row.load_rps > 0 and row.load_errors == 0
        assert row.index_mb > row.columns_mb > 0 and row.rss_mb > row.index_mb
        assert 0 < row.lexical_mb < row.index_mb
        assert 0 < row.rss_anon_mb <= row.rss_mb
    assert small.mapped_mb == 0 and large.mapped_mb > 0
    assert large.mapped_mb == pytest.approx(large.items * 384 * 4 / 1e6)
    paths = write_report(rows, tmp_path / "report")
    assert [p.name for p in paths] == ["scale.json", "scale.md", "scale.png"]
    assert json.loads(paths[0].read_text())[1]["index_type"] == "ivf-sq8"
    table = paths[1].read_text()
    assert "perturbed by Gaussian noise" in table and "| 1,200 |" in table
    assert paths[2].read_bytes()[:4] == b"\x89PNG"


def test_unmeasured_figures_show_as_dashes() -> None:
    row = ScaleRow(10, 90, "flat", 0.1, 0.1, 100.0, 1.0, 0.1, 1.0, 1.0, 2.0, 3.0, 4.0)
    shown = cells(row)
    assert shown[0] == "10" and shown[2] == "flat"
    assert shown[-5:-1] == ["–", "–", "–", "–"] and shown[-1] == "0"
