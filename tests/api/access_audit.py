"""The access audit's properties: one call checked against the table; its Hypothesis settings."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from hypothesis import HealthCheck, settings

from tests.api.access_expect import Call, expect, hidden_refs
from tests.api.access_model import (
    MISSING,
    Caller,
    secrets_hidden_from,
)
from tests.api.access_world import Reply, World

# -- the properties ----------------------------------------------------------------------------

HEX = re.compile(r"\b[0-9a-f]{12}\b")
STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?")


def _normal(text: str, ids: tuple[str, ...]) -> str:
    """An answer with the probed ids, draft ids and timestamps blanked."""
    for value in ids:
        text = re.sub(rf"(?<![\w.:@-]){re.escape(value)}(?![\w.:@-])", "<ID>", text)
    return STAMP.sub("<TIME>", HEX.sub("<HEX>", text))


def describe(world: World, caller: Caller, call: Call, reply: Reply) -> str:
    """The exact request and answer, for a report."""
    path, query, body = world.resolve(call)
    sent = f"{call.method} {path}" + (f"?{urlencode(query)}" if query else "")
    sent += f" body={json.dumps(body)}" if body is not None else ""
    return f"{caller.name} ({caller.role}:{caller.subject}) {sent} -> {reply.status} {reply.text}"


def audit(world: World, caller: Caller, call: Call) -> list[str]:
    """Every property the call breaks (empty when none)."""
    expected = expect(caller, call, world.mentors)
    reply = world.send(caller, call)
    said = describe(world, caller, call, reply)[:1500]
    problems = []
    ok = 200 <= reply.status < 300
    if reply.status >= 500:
        problems.append(f"[3: 5xx] {said}")
    if expected.outcome == "401" and reply.status != 401:
        problems.append(f"[1: needs a token, expected 401] {said}")
    if expected.outcome == "403" and reply.status != 403:
        problems.append(f"[1: role may never use the route, expected 403] {said}")
    if expected.outcome == "denied" and ok:
        problems.append(f"[1: table forbids this ({'; '.join(expected.reasons)})] {said}")
    if expected.field and not _names_field(reply, expected.field):
        problems.append(f"[1: expected 422 naming {expected.field!r}] {said}")
    if expected.outcome == "allowed" and reply.status in (401, 403):
        problems.append(f"[table allows this, got {reply.status}] {said}")
    if expected.outcome == "allowed" and call.method == "GET" and reply.status != 200:
        problems.append(f"[table allows this read, expected 200] {said}")
    if ok and reply.changed:
        problems.append(f"[1: changed other people's records {reply.changed}] {said}")
    problems += _leaks(caller, reply, said)
    liveness = call.template == "/health" and caller.role != "admin" and ok
    if liveness and json.loads(reply.text) != {"status": "ok"}:
        problems.append(f"[4: health details for a non-admin] {said}")
    for ref in hidden_refs(caller, call):
        twin_call = call.with_id(ref, MISSING[ref.kind])
        twin = world.send(caller, twin_call)
        problems += _leaks(caller, twin, describe(world, caller, twin_call, twin)[:1500])
        ids = (world.concrete(ref.kind, ref.id), world.concrete(ref.kind, MISSING[ref.kind]))
        if (reply.status, _normal(reply.text, ids)) != (twin.status, _normal(twin.text, ids)):
            problems.append(
                f"[2: existence of {ref.kind} {ref.id!r} leaks: answer differs from the one for "
                f"{MISSING[ref.kind]!r}] {said}\n    vs "
                + describe(world, caller, twin_call, twin)[:1500]
            )
    return problems


def _names_field(reply: Reply, name: str) -> bool:
    if reply.status != 422:
        return False
    detail = json.loads(reply.text).get("detail", [])
    return any(isinstance(d, dict) and name in d.get("loc", []) for d in detail)


def _leaks(caller: Caller, reply: Reply, said: str) -> list[str]:
    return [
        f"[4: {what} shown to {caller.name}] {said}"
        for secret, what in secrets_hidden_from(caller).items()
        if secret in reply.text
    ]


AUDIT = settings(
    deadline=None,
    derandomize=True,  # the same examples on every run and machine
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
