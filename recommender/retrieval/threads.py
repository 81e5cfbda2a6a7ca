"""numpy's BLAS thread pool sized for a server that answers requests concurrently.

BLAS starts a pool of threads sized to the machine for each product. In a batch job that
is right; in a server each request's products are small and several requests run at once,
so the pool's threads spin on the very cores other requests need (measured here: the
sample program under 50 clients, 47 requests/s at 175% CPU with the default pool, 58
requests/s on one core with one thread). ``request_threads`` caps it while the server runs.

Only numpy's (and scipy's) BLAS is capped. FAISS ships a BLAS of its own built on OpenMP,
and capping that one sets the calling thread's OpenMP thread count, so an IVF search of a
few query items would lose the second core it gains from (measured at 100k mentors, 16
probes: 3.2 ms a search on one thread, 2.0 ms on two). Its threads sleep between regions
rather than spin (``OMP_WAIT_POLICY``, set when the ``recommender`` package loads), so the
second core is free for other work whenever no search runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from threadpoolctl import ThreadpoolController

FAISS_PACKAGE_LIBS = "faiss_cpu.libs"
"""The folder of the libraries the faiss-cpu wheel bundles (its OpenMP BLAS among them)."""


def numpy_blas(controller: ThreadpoolController) -> ThreadpoolController:
    """The BLAS libraries of ``controller`` other than those FAISS bundles."""
    paths = [
        lib.filepath
        for lib in controller.lib_controllers
        if lib.user_api == "blas" and Path(lib.filepath).parent.name != FAISS_PACKAGE_LIBS
    ]
    return controller.select(filepath=paths)


@contextmanager
def request_threads(n: int) -> Iterator[None]:
    """Cap numpy's BLAS at ``n`` threads per product inside the block; restore on exit."""
    limits = numpy_blas(ThreadpoolController()).limit(limits=n)
    try:
        yield
    finally:
        limits.restore_original_limits()
