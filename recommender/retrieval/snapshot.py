"""What the engine holds of the store: mentors, their indexed items, and feedback.

A ``Snapshot`` is read at one store change number and advanced by reading only the rows
changed since, so keeping in step with the store costs what changed, not what is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast

from recommender.domain.items import Item, mentor_items
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Feedback, Mentor, Record
from recommender.storage.store import Store

R = TypeVar("R", bound=Record)


@dataclass
class Snapshot:
    """The store's mentors, their items and feedback as of change number ``seq``.

    ``changed`` and ``removed`` name the mentors re-read and dropped since the snapshot this
    one advanced from (``changed`` is None for a snapshot read whole).
    """

    seq: int = -1
    mentors: dict[str, Mentor] = field(default_factory=dict)
    items: dict[str, list[Item]] = field(default_factory=dict)
    feedback: dict[str, Feedback] = field(default_factory=dict)
    changed: frozenset[str] | None = None
    removed: frozenset[str] = frozenset()

    @classmethod
    def read(cls, store: Store, seq: int) -> Snapshot:
        """Everything re-read from ``store``, labelled with change number ``seq``."""
        mentors: dict[str, Mentor] = reload(store, {}, Kind.MENTORS, -1)
        feedback: dict[str, Feedback] = reload(store, {}, Kind.FEEDBACK, -1)
        return cls(seq, mentors, {m.id: mentor_items(m) for m in mentors.values()}, feedback)

    def advance(self, store: Store, seq: int) -> Snapshot:
        """A snapshot at ``seq``: rows changed since this one re-read, unchanged items kept."""
        mentors = reload(store, self.mentors, Kind.MENTORS, self.seq)
        feedback = reload(store, self.feedback, Kind.FEEDBACK, self.seq)
        if self.seq < 0:
            return Snapshot(
                seq, mentors, {m.id: mentor_items(m) for m in mentors.values()}, feedback
            )
        # ``reload`` keeps the held object of every row not re-read: identity tells the
        # changed ones apart without comparing profiles.
        changed = frozenset(m for m, r in mentors.items() if self.mentors.get(m) is not r)
        removed = frozenset(self.mentors.keys() - mentors.keys())
        items = dict(self.items)
        for mentor_id in removed:
            items.pop(mentor_id, None)
        for mentor_id in changed:
            items[mentor_id] = mentor_items(mentors[mentor_id])
        return Snapshot(seq, mentors, items, feedback, changed, removed)


def reload(store: Store, held: Mapping[str, R], kind: Kind, since: int) -> dict[str, R]:
    """``held`` brought up to date: deleted ids dropped, rows changed after ``since`` read."""
    if since < 0:
        return {r.key: cast(R, r) for r in store.records(kind)}
    live = store.ids(kind)
    out = {key: rec for key, rec in held.items() if key in live}
    out.update({r.key: cast(R, r) for r in store.records_since(kind, since)})
    return out
