"""Whose embedding work this is, how much they may ask for, and a fair turn at the model.

The model is one shared resource: a client sending maximum-size profiles must not hold up
everyone else. Three parts:

- ``Workload``: the request being served (set by the web layer with ``workload(...)`` in the
  thread that serves it): its owner (an API key id), the most characters this request may
  have embedded, and a per-owner budget callback (characters per minute).
- ``spend``: called before query texts are embedded; raises ``EmbeddingBudgetExceeded``.
- ``FairGate``: one model pass at a time. When the model frees up, small passes (a request's
  few query texts) go first, then bulk passes of the owner who has had the least model time
  lately. Bulk work is cut into small passes, so another client waits at most one pass.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from recommender.domain.errors import MentorMatchError


class EmbeddingBudgetExceeded(MentorMatchError):
    """A request, or its owner in the current minute, asked for more embedding than allowed.

    Attributes:
        per_request: True when one request was too large (retrying cannot help); False when
            the owner's per-minute budget is spent (retry after ``retry_after`` seconds).
    """

    def __init__(self, message: str, per_request: bool, retry_after: int = 60) -> None:
        super().__init__(message)
        self.per_request = per_request
        self.retry_after = retry_after


@dataclass
class Workload:
    """The request whose texts are being embedded.

    Attributes:
        owner: who the work is for (an API key id); fairness is per owner.
        max_chars: most characters this request may have embedded (None: no limit).
        charge: takes characters from the owner's budget; raises ``EmbeddingBudgetExceeded``.
        used: characters charged so far in this request.
    """

    owner: str
    max_chars: int | None = None
    charge: Callable[[int], None] | None = None
    used: int = 0


_CURRENT: ContextVar[Workload | None] = ContextVar("mentor_match_workload", default=None)


def current() -> Workload | None:
    """The workload of the request this thread is serving, if any."""
    return _CURRENT.get()


@contextmanager
def workload(
    owner: str, max_chars: int | None = None, charge: Callable[[int], None] | None = None
) -> Iterator[Workload]:
    """Serve the block as ``owner``'s work (set in the thread that calls the engine)."""
    work = Workload(owner, max_chars, charge)
    token = _CURRENT.set(work)
    try:
        yield work
    finally:
        _CURRENT.reset(token)


def spend(chars: int) -> None:
    """Charge ``chars`` characters of embedding to the current request and its owner.

    Raises:
        EmbeddingBudgetExceeded: over the request's limit, or the owner's budget is spent.
    """
    work = current()
    if work is None or chars <= 0:
        return
    if work.max_chars is not None and work.used + chars > work.max_chars:
        raise EmbeddingBudgetExceeded(
            f"this request needs {work.used + chars:,} characters embedded; at most "
            f"{work.max_chars:,} per request",
            per_request=True,
        )
    if work.charge is not None:
        work.charge(chars)
    work.used += chars


SMALL, BULK = 0, 1
"""Pass classes: a request's few query texts, and bulk work (big profiles, indexing)."""


class FairGate:
    """Admit one model pass at a time, small passes first, then the least-served owner.

    Args:
        half_life_s: how fast an owner's past model time is forgotten.
    """

    def __init__(self, half_life_s: float = 30.0) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._queue: list[tuple[int, float, int]] = []
        self._order = itertools.count()
        self._served: dict[str, tuple[float, float]] = {}
        self._half_life = half_life_s

    def _usage(self, owner: str, now: float) -> float:
        seconds, at = self._served.get(owner, (0.0, now))
        return float(seconds * 0.5 ** ((now - at) / self._half_life))

    @contextmanager
    def turn(self, owner: str, kind: int = BULK) -> Iterator[None]:
        """Hold the model for one pass on behalf of ``owner``."""
        with self._cond:
            ticket = (kind, self._usage(owner, time.monotonic()), next(self._order))
            heapq.heappush(self._queue, ticket)
            while self._busy or self._queue[0] != ticket:
                self._cond.wait()
            heapq.heappop(self._queue)
            self._busy = True
        started = time.monotonic()
        try:
            yield
        finally:
            with self._cond:
                now = time.monotonic()
                self._served[owner] = (self._usage(owner, now) + now - started, now)
                if len(self._served) > 10_000:
                    self._served.clear()
                self._busy = False
                self._cond.notify_all()
