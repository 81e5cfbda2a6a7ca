"""The outcome log, exported: every suggestion shown and every step of every relationship.

Rows are dated events, oldest first, in one JSON-ready shape: ``type`` ``shown`` (a mentor
shown to a mentee, with the rank and score it had) or ``relationship`` (a request, decision,
agreement, check-in answer or ending, with its details). This is what a ranker learns from:
what was shown, and what came of it. Erasure removes a person's rows from both sources.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from recommender.engine import Engine


def outcome_log(engine: Engine, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """The log's rows (optionally only those at or after ``since``), oldest first."""
    engine.shown.flush()  # what waits in memory belongs in the export
    rows: list[tuple[datetime, int, dict[str, Any]]] = []
    for event in engine.relationships.events():
        at = datetime.fromisoformat(event.at)
        rows.append(
            (
                at,
                0,
                {
                    "type": "relationship",
                    "at": event.at,
                    "seq": event.seq,
                    "relationship_id": event.relationship_id,
                    "mentee_id": event.mentee_id,
                    "mentor_id": event.mentor_id,
                    "action": event.action,
                    "before": event.before,
                    "after": event.after,
                    "actor": event.actor,
                    "reason": event.reason,
                    "details": json.loads(event.details),
                },
            )
        )
    for shown in engine.shown.rows():
        rows.append(
            (
                datetime.fromisoformat(shown.at),
                1,
                {
                    "type": "shown",
                    "at": shown.at,
                    "seq": shown.seq,
                    "answer": shown.answer,
                    "mentee_id": shown.mentee_id,
                    "mentor_id": shown.mentor_id,
                    "rank": shown.rank,
                    "score": shown.score,
                },
            )
        )
    rows.sort(key=lambda r: (r[0], r[1], r[2]["seq"]))
    for at, _, row in rows:
        if since is None or at >= since:
            yield row
