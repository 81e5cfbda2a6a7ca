"""numpy's BLAS thread pool sized for a server that answers requests concurrently.

BLAS starts a pool of threads sized to the machine for each product. In a batch job that
is right; in a server each request's products are small and several requests run at once,
so the pool's threads spin on the very cores other requests need (measured here: the
sample program under 50 clients, 47 requests/s at 175% CPU with the default pool, 58
requests/s on one core with one thread). ``request_threads`` caps it while the server runs.
(FAISS's OpenMP threads are not capped: OpenMP's limit is per calling thread, and an IVF
search of a few query items gains from them.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


@contextmanager
def request_threads(n: int) -> Iterator[None]:
    """Cap BLAS at ``n`` threads per product inside the block; restore on exit."""
    limits = threadpool_limits(limits=n, user_api="blas")
    try:
        yield
    finally:
        limits.restore_original_limits()
