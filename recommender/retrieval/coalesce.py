"""Coalescing: concurrent small encode calls share one forward pass.

Under load, many requests each need a few query texts embedded at the same moment. Run one
by one behind the model's lock they queue for ``n × pass`` time; a single batched pass costs
little more than one. ``Coalescer`` makes the first caller the *leader*: it takes every
waiting call (up to ``max_texts`` texts), runs them as one batch and hands each caller its
rows. When the leader's own call is served and others are still waiting, leadership passes
to the oldest waiter, so no caller serves the queue for long.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence

import numpy as np


class _Ticket:
    """One caller's texts and, once served, their vectors (or the error).

    ``wake`` is set when the ticket is served, or when its caller is made the leader.
    """

    __slots__ = ("error", "lead", "result", "served", "texts", "wake")

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        self.wake = threading.Event()
        self.lead = False
        self.served = False
        self.result: np.ndarray | None = None
        self.error: BaseException | None = None

    def finish(self, result: np.ndarray | None, error: BaseException | None) -> None:
        self.result, self.error, self.served = result, error, True
        self.wake.set()


class Coalescer:
    """Batch concurrent ``encode`` calls into shared runs of ``run``.

    Args:
        run: texts → float32 ``(len(texts), dim)``; called by one thread at a time.
        max_texts: most texts per shared run (a single larger call runs alone).
    """

    def __init__(self, run: Callable[[list[str]], np.ndarray], max_texts: int = 256) -> None:
        self._run = run
        self._max = max_texts
        self._lock = threading.Lock()
        self._waiting: deque[_Ticket] = deque()
        self._busy = False

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``run(texts)``, possibly as part of a larger batch with other callers' texts."""
        ticket = _Ticket(texts)
        with self._lock:
            self._waiting.append(ticket)
            if not self._busy:
                self._busy = ticket.lead = True
        if not ticket.lead:
            ticket.wake.wait()
        if not ticket.served:  # made the leader
            self._serve(ticket)
        if ticket.error is not None:
            raise ticket.error
        assert ticket.result is not None
        return ticket.result

    def _serve(self, own: _Ticket) -> None:
        """Run batches until our own ticket is served, then pass the lead on (or stop)."""
        while not own.served:
            batch = self._take()
            try:
                vectors = self._run([t for ticket in batch for t in ticket.texts])
            except BaseException as exc:  # every caller in the batch gets the error
                for ticket in batch:
                    ticket.finish(None, exc)
                continue
            start = 0
            for ticket in batch:
                ticket.finish(vectors[start : start + len(ticket.texts)], None)
                start += len(ticket.texts)
        with self._lock:
            if self._waiting:
                successor = self._waiting[0]
                successor.lead = True
                successor.wake.set()
            else:
                self._busy = False

    def _take(self) -> list[_Ticket]:
        with self._lock:
            batch = [self._waiting.popleft()]
            size = len(batch[0].texts)
            while self._waiting and size + len(self._waiting[0].texts) <= self._max:
                size += len(self._waiting[0].texts)
                batch.append(self._waiting.popleft())
            return batch
