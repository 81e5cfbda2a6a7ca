"""The server's BLAS cap: numpy's products on one thread, FAISS's searches left alone."""

from __future__ import annotations

import os
import subprocess
import sys

import faiss
import numpy as np
import pytest
from threadpoolctl import ThreadpoolController

from recommender.retrieval.threads import numpy_blas, request_threads


def _numpy_blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in numpy_blas(ThreadpoolController()).info()]


def test_request_threads_caps_numpy_blas_and_restores_it() -> None:
    np.ones((4, 4)) @ np.ones((4, 4))  # numpy's BLAS is loaded
    before = _numpy_blas_threads()
    assert before, "numpy's BLAS library was not found"
    with request_threads(1):
        assert _numpy_blas_threads() == [1] * len(before)
    assert _numpy_blas_threads() == before


def test_request_threads_leaves_faiss_openmp_threads_alone() -> None:
    """FAISS's bundled BLAS is OpenMP's: capping it would cap the calling thread's OpenMP
    threads too, and with them every IVF search this thread makes."""
    faiss.IndexFlatIP(8)  # the faiss libraries are loaded
    before = faiss.omp_get_max_threads()
    if before < 2:
        pytest.skip("OpenMP has one thread here: a cap to one could not be told apart")
    with request_threads(1):
        assert faiss.omp_get_max_threads() == before
    assert faiss.omp_get_max_threads() == before


@pytest.mark.parametrize(("given", "spin"), [(None, "0"), ("ACTIVE", None)])
def test_openmp_threads_sleep_unless_the_user_chose_otherwise(
    given: str | None, spin: str | None
) -> None:
    """The policy is set before FAISS loads OpenMP, which reads it once: a fresh interpreter
    imports FAISS through the package, and OpenMP's own report of its settings shows idle
    threads that never spin (or the user's policy kept)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "GOMP_"))}
    env["OMP_DISPLAY_ENV"] = "VERBOSE"
    if given is not None:
        env["OMP_WAIT_POLICY"] = given
    done = subprocess.run(
        [sys.executable, "-c", "import recommender.retrieval.rows"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = (line.partition("=") for line in done.stderr.splitlines())
    shown = {name.strip(): value.strip().strip("'") for name, _, value in lines if value}
    assert shown["OMP_WAIT_POLICY"] == (given or "PASSIVE")
    if spin is not None:
        assert shown["GOMP_SPINCOUNT"] == spin
    else:
        assert int(shown["GOMP_SPINCOUNT"]) > 0
