"""Answered suggestion lists, kept while nothing they depend on has changed.

A suggestion list is a pure function of the request (mentee profile, k, filters), the
store's content (its change sequence), the date signals are computed at and the ranker.
A mentee's page is asked for again and again while nothing moves, so the engine keeps the
answers of recent requests (least recently used out first) and serves a repeat from
memory. The cache is keyed by the request and *stamped* with the store sequence, date and
ranker it was filled under; the first lookup under another stamp empties it, so an answer
never outlives a write.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class AnswerCache(Generic[V]):
    """A bounded least-recently-used map, emptied whenever its stamp changes.

    Args:
        max_items: entries held (0: nothing is kept).
    """

    def __init__(self, max_items: int) -> None:
        self.max_items = max_items
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._stamp: Hashable = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, stamp: Hashable, key: Hashable) -> V | None:
        """The answer kept for ``key`` under ``stamp``, or None (a different stamp empties
        the cache first)."""
        if not self.max_items:
            return None
        with self._lock:
            if stamp != self._stamp:
                self._items.clear()
                self._stamp = stamp
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found

    def put(self, stamp: Hashable, key: Hashable, value: V) -> None:
        """Keep ``value`` for ``key`` if ``stamp`` is still current (an answer computed
        while a write landed is dropped, not kept under the new stamp)."""
        if not self.max_items:
            return
        with self._lock:
            if stamp != self._stamp:
                return
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._items.clear()
            self._stamp = None
