"""Field ownership for a mentor's own writes (no mass assignment).

A mentor edits their profile and what they offer; the fields the program verifies
(credentials) and the fields the product measures are not theirs to set
(``recommender.domain.profiles.MENTOR_WRITERS``). A mentor's ``PUT`` may leave those fields out or
send them unchanged (so a record read with ``GET`` can be sent back); a different value is
refused with 422 naming the field. What they offer is bounded: ``capacity`` at most
``mentor_max_capacity`` and not below the mentees they have now, ``hours_per_month`` at most
``mentor_max_hours``.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status

from recommender.domain.items import mentor_items
from recommender.domain.profiles import MENTOR_WRITERS, Mentor
from recommender.settings import Settings

WHY = {
    "program": "verified by the program (ask your coordinator); a mentor may not change it",
    "system": "measured or kept by the system; a mentor may not set it",
}


def _baseline(stored: Mentor | None) -> dict[str, Any]:
    """The stored record's values, or the defaults for a new record."""
    if stored is not None:
        return dict(stored)
    return {
        name: info.get_default(call_default_factory=True)
        for name, info in Mentor.model_fields.items()
        if not info.is_required()
    }


def mentor_own_write(
    stored: Mentor | None, data: dict[str, Any], settings: Settings
) -> dict[str, Any]:
    """The record a mentor's ``PUT`` body stands for: their own fields from ``data``, every
    other field as ``stored`` (None for a new record). Raises ``HTTPException`` 422 listing
    each field they may not set (or set beyond its bound)."""
    baseline = _baseline(stored)
    problems: list[dict[str, Any]] = []
    for name, value in data.items():
        owner = MENTOR_WRITERS[name]
        if name == "id" or owner == "mentor":
            continue
        if name in baseline and value == baseline[name]:
            continue
        problems.append({"loc": ["body", name], "msg": WHY[owner], "type": "field_not_writable"})
    changed = {k: v for k, v in data.items() if k not in baseline or v != baseline[k]}
    current = int(baseline.get("current_mentees") or 0) + int(baseline.get("placed_mentees") or 0)
    if "capacity" in changed:
        if changed["capacity"] > settings.mentor_max_capacity:
            problems.append(_bound("capacity", f"at most {settings.mentor_max_capacity} mentees"))
        elif changed["capacity"] < current:
            problems.append(_bound("capacity", f"no fewer places than your {current} mentees"))
    if changed.get("hours_per_month", 0) > settings.mentor_max_hours:
        problems.append(_bound("hours_per_month", f"at most {settings.mentor_max_hours:g} hours"))
    if problems:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems)
    kept = {k: v for k, v in baseline.items() if MENTOR_WRITERS[k] != "mentor"}
    return {**kept, **{k: v for k, v in data.items() if MENTOR_WRITERS[k] == "mentor"}}


def _bound(name: str, limit: str) -> dict[str, Any]:
    return {"loc": ["body", name], "msg": f"a mentor may offer {limit}", "type": "less_than_equal"}


def new_text_chars(stored: Mentor | None, mentor: Mentor) -> int:
    """Characters of the mentor's texts that a write would have embedded (texts the stored
    record does not already have)."""
    old = {item.text for item in mentor_items(stored)} if stored is not None else set()
    return sum(len(item.text) for item in mentor_items(mentor) if item.text not in old)
