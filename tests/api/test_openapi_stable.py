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

    Dicts may gain keys; every old key must be present with a contained value. Prose
    (``description``, ``summary``) may be reworded. An ``enum`` may gain values. A
    ``parameters`` list may gain optional parameters (matched by name and place). Other
    lists and scalars must be equal.

    Args:
        old: the released document (or a part of it).
        new: today's document at the same place.
        where: the JSON pointer of this place, for the messages.

    Returns:
        One readable line per difference; empty when ``old`` is contained in ``new``.
    """
    last = where.rsplit("/", 1)[-1]
    if last in PROSE and isinstance(old, str) and isinstance(new, str):
        return []
    if last == "enum" and isinstance(old, list) and isinstance(new, list):
        gone = [v for v in old if v not in new]
        return [f"{where}: lost {json.dumps(gone)}"] if gone else []
    if last == "parameters" and isinstance(old, list) and isinstance(new, list):
        return _parameters(old, new, where)
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


PROSE = frozenset({"description", "summary"})
"""Keys whose text may be reworded without breaking a client."""


def _parameters(old: list[Any], new: list[Any], where: str) -> list[str]:
    """Every old parameter still there (contained); new ones optional."""
    key = lambda p: (p.get("name"), p.get("in"))  # noqa: E731
    now = {key(p): p for p in new}
    found: list[str] = []
    for p in old:
        if key(p) not in now:
            found.append(f"{where}: parameter {key(p)} removed")
        else:
            found += missing(p, now[key(p)], f"{where}/{p.get('name')}")
    before = {key(p) for p in old}
    found += [
        f"{where}: new required parameter {key(p)}"
        for p in new
        if key(p) not in before and p.get("required")
    ]
    return found


def test_missing_allows_reworded_prose_grown_enums_and_optional_parameters() -> None:
    param = {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}}
    old = {"description": "old words", "parameters": [param]}
    grown = {"name": "format", "in": "query", "schema": {"enum": ["json", "csv", "xlsx"]}}
    extra = {"name": "page", "in": "query", "required": False}
    assert missing(old, {"description": "new words", "parameters": [grown, extra]}) == []
    shrunk = {"name": "format", "in": "query", "schema": {"enum": ["json"]}}
    required = {**extra, "required": True}
    assert missing(old, {"description": "x", "parameters": [shrunk, required]}) == [
        '/parameters/format/schema/enum: lost ["csv"]',
        "/parameters: new required parameter ('page', 'query')",
    ]
    assert missing(old, {"parameters": []}) == [
        '/description: removed (was "old words")',
        "/parameters: parameter ('format', 'query') removed",
    ]


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
