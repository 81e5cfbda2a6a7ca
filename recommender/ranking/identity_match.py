"""Identity preferences in a mentee's own list: which candidates share an attribute the
mentee asked to match on (both having consented; ``recommender.domain.identity``), and how
much each is lifted.

Claims are read once per store change number: a mentee's own on their first request, every
mentor's disclosed ones once for all requests. Any statement, withdrawal or erasure bumps
the number, so nothing read under the old one is used again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recommender.domain.identity import IdentityClaim, shared
from recommender.domain.kinds import Kind
from recommender.ranking.answers import AnswerCache
from recommender.storage.identity import Identities


class IdentityMatch:
    """The identity part of a mentee's own ranking.

    Args:
        identities: the store's claims.
        weight: the most a shared attribute lifts a score (``Settings.identity_weight``).
        cache_items: mentees whose claims are kept in memory.
    """

    def __init__(self, identities: Identities, weight: float, cache_items: int) -> None:
        self.identities = identities
        self.weight = weight
        self.claims: AnswerCache[list[IdentityClaim]] = AnswerCache(cache_items)
        self._disclosed: tuple[int, dict[str, list[IdentityClaim]]] = (-1, {})

    def claims_of(self, mentee_id: str, seq: int) -> list[IdentityClaim]:
        """The mentee's claims under store change number ``seq``."""
        kept = self.claims.get(seq, mentee_id)
        if kept is None:
            kept = self.identities.of(Kind.MENTEES, mentee_id)
            self.claims.put(seq, mentee_id, kept)
        return kept

    def shared(self, mentee_id: str, mentor_ids: Sequence[str], seq: int) -> dict[str, list[str]]:
        """Candidate mentor id → the attributes they share with the mentee, both having
        consented to matching on them (absent: none)."""
        mine = self.claims_of(mentee_id, seq)
        if not any(c.match for c in mine):
            return {}
        if self._disclosed[0] != seq:
            self._disclosed = (seq, self.identities.matching_mentors())
        disclosed = self._disclosed[1]
        out = {}
        for m in mentor_ids:
            found = shared(mine, disclosed.get(m, []))
            if found:
                out[m] = found
        return out

    def lift(
        self, mentee_id: str, mentor_ids: Sequence[str], seq: int
    ) -> tuple[np.ndarray | None, dict[str, list[str]]]:
        """Each candidate's boost (``weight`` × its share of the attributes the mentee asked
        to match on; None when no candidate shares one) and what each shares."""
        found = self.shared(mentee_id, mentor_ids, seq)
        if not found:
            return None, found
        asked = max(1, sum(c.match for c in self.claims_of(mentee_id, seq)))
        step = self.weight / asked
        return np.array([step * len(found.get(m, ())) for m in mentor_ids]), found
