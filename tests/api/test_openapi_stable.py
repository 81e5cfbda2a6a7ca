"""The OpenAPI document only grows: everything the 0.1.0 release documented is still there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api.app import create_app
from recommender.settings import Settings

SNAPSHOT = Path(__file__).parent / "openapi_0_1_0.json"


def missing(old: Any, new: Any, where: str = "") -> list[str]:
    """Where ``new`` does not contain ``old``.

    Dicts may gain keys; every old key must be present with a contained value. Lists and
    scalars must be equal.

    Args:
        old: the released document (or a part of it).
        new: today's document at the same place.
        where: the JSON pointer of this place, for the messages.

    Returns:
        One readable line per difference; empty when ``old`` is contained in ``new``.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[str] = []
        for key, value in old.items():
            here = f"{where}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key not in new:
                found.append(f"{here}: removed (was {json.dumps(value, sort_keys=True)})")
            else:
                found += missing(value, new[key], here)
        return found
    if old != new:
        was, now = json.dumps(old, sort_keys=True), json.dumps(new, sort_keys=True)
        return [f"{where or '/'}: was {was}, now {now}"]
    return []


def test_missing_reports_removals_and_changes_but_allows_additions() -> None:
    old = {"a": {"b": 1, "c": [1, 2]}, "d/e": "x"}
    assert missing(old, {"a": {"b": 1, "c": [1, 2], "new": 3}, "d/e": "x", "f": 0}) == []
    assert missing(old, {"a": {"b": 2, "c": [1]}}) == [
        "/a/b: was 1, now 2",
        "/a/c: was [1, 2], now [1]",
        '/d~1e: removed (was "x")',
    ]


def test_released_document_is_contained_in_todays(tmp_path: Path) -> None:
    released = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    today = json.loads(json.dumps(create_app(Settings(data_dir=tmp_path)).openapi()))
    differences = missing(released, today)
    assert not differences, "the OpenAPI document lost or changed:\n" + "\n".join(differences)
