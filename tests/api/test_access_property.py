"""A Hypothesis audit of README.md's access table: random caller × route × ids × body.

Each example draws a caller (no token, a bad token, admin, the ``prog1`` coordinator, mentee
``me1``, mentor ``card1``, and mentee ``me3`` / mentor ``neu1`` who belong to no cohort and no
assignment), one of the app's routes (every method and path template), object ids (the
caller's own, someone else's, missing ones) and a body (valid for the route, sometimes with an
extra field such as ``role``/``scopes``/``actor``, a field the caller may not set, or someone
else's id). ``expect`` is a small function of (caller, route, whose object) written from the
README's "HTTP API" table and its footnotes, not from what the app answers today. Properties:

1. nothing the table forbids succeeds, and a mentee's or mentor's successful write leaves other
   people's records as they were;
2. existence never leaks: for an object the caller may not see, the answer (status and body)
   is the answer for a missing id of the same kind;
3. never a 5xx;
4. answers carry no conflict list, activity log, feedback comment, request note, contact
   detail or mentee record the caller is not granted (sentinel strings planted in the world).

The world (built once per module): the twelve ``FACULTY`` mentors; mentees me1 and me4 in
cohort c1 (program prog1, mentors card1 and card2), me2 in c2 (prog2, orth1 and psy1), me3 in
none; one approved assignment pairing me1 with card1; an open draft in each cohort. GETs run
against one shared copy of it; every other request runs against its own throwaway copy of the
SQLite file and index snapshot, so no example changes what the next one sees.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from recommender.domain.profiles import Cohort, Feedback, Mentor, MentorRequest
from recommender.engine import Engine, build_engine
from recommender.matching.review import Review
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage.keys import Keys
from tests.api.access_model import (
    APPROVED,
    ASSIGNMENT_COHORT,
    CALLERS,
    COHORTS,
    FEEDBACK_DAY,
    MENTEES,
    MENTOR_MAY_NOT_SET,
    MISSING,
    RATED,
    REQUESTS,
    ROLES,
    SHARES_CONTACT,
    A,
    C,
    Call,
    Caller,
    Ref,
    comment,
    expect,
    hidden_refs,
    in_reach,
    mentee_secrets,
    mentor_secrets,
    note,
    reads_mentee,
    secrets_hidden_from,
)
from tests.conftest import FACULTY, TODAY, bearer, mentee, token

EXAMPLES = 350
"""Examples over every route (about 40 s on two cores)."""
OWN_EXAMPLES = 120
"""Examples over the routes where mentees and mentors write (about 20 s)."""


# -- strategies --------------------------------------------------------------------------------

Draw = Callable[[st.SearchStrategy[Any]], Any]
Builder = Callable[[Draw, Caller, "World"], Call]
POOLS: dict[str, tuple[str, ...]] = {
    "mentees": MENTEES,
    "mentors": ("card1", "card2", "orth1", "psy1", "neu1"),
    "cohorts": tuple(COHORTS),
    "assignments": tuple(ASSIGNMENT_COHORT),
    "keys": ("spare",),
}
"""The existing ids a request may name, by kind."""


def mine(caller: Caller, kind: str) -> tuple[str, ...]:
    """Ids of ``kind`` within the caller's reach (their own, their cohorts', their pairs')."""
    role, me = caller.role, caller.subject
    if kind == "mentees":
        return tuple(m for m in MENTEES if reads_mentee(caller, m) and role != "admin")
    if kind == "mentors" and role == "coordinator":
        return tuple(m for c in sorted(in_reach(caller)) for m in COHORTS[c][2])
    if kind == "mentors":
        return (me,) if role == "mentor" else tuple(b for a, b in APPROVED if a == me)
    if kind == "cohorts" and role == "mentee":
        return tuple(c for c, (_, members, _) in COHORTS.items() if me in members)
    if kind == "cohorts":
        return tuple(sorted(in_reach(caller))) if role != "admin" else ()
    if kind == "assignments":
        return tuple(a for a, c in ASSIGNMENT_COHORT.items() if c in mine(caller, "cohorts"))
    return ()


def _pick(draw: Draw, kind: str, caller: Caller) -> str:
    """An id of the caller's (half the time), someone else's, or a missing one."""
    own = mine(caller, kind) or POOLS[kind][:1]
    others = tuple(i for i in POOLS[kind] if i not in own) or own
    whose = draw(st.sampled_from(("mine", "other", "mine", "missing")))
    if whose == "missing":
        return MISSING[kind]
    chosen: str = draw(st.sampled_from(own if whose == "mine" else others))
    return chosen


EXTRAS: dict[str, Any] = {
    "role": "admin",
    "scopes": ["prog2"],
    "actor": "admin:root",
    "subject": "me2",
    "current_mentees": 0,
    "program": "prog2",
}
"""Fields a caller might add to take more than the key gives."""
MENTOR_CHANGES: dict[str, Callable[[Any], Any]] = {
    "current_mentees": lambda v: (v or 0) + 1,
    "response_time_hours": lambda v: 1.5 if v != 1.5 else 2.5,
    "past_mentees": lambda v: (v or 0) + 30,
    "recent_mentees": lambda v: (v or 0) + 5,
    "activity_dates": lambda v: [*(v or []), "2026-08-20"],
    "last_active": lambda v: "2026-08-31",
    "years_in_practice": lambda v: (v or 0) + 10,
    "publication_count": lambda v: (v or 0) + 500,
    "career_stage": lambda v: "emeritus" if v != "emeritus" else "senior",
    "specialty": lambda v: "dermatology" if v != "dermatology" else "neurology",
    "mentor_training": lambda v: not v,
    "teaching_roles": lambda v: [*(v or []), "dean of medicine"],
    "capacity": lambda v: 50,
    "hours_per_month": lambda v: 100.0,
}
"""A different value for each field a mentor may not set (or not beyond the limits)."""


def _extra(draw: Draw, call: Call, fields: frozenset[str] | None) -> Call:
    """Sometimes add a field from ``EXTRAS`` (named ``extra:F`` when the body has no such
    field)."""
    if not isinstance(call.body, dict) or not draw(st.booleans()):
        return call
    name = draw(st.sampled_from(sorted(EXTRAS)))
    if name in call.body:
        return call
    label = f"extra:{name}" if fields is not None and name not in fields else f"own:{name}"
    if label.startswith("own:") and call.template == "/v1/mentors/{record_id}":
        label = f"mentor-sets:{name}"
    return replace(call, body={**call.body, name: EXTRAS[name]}, mutation=label)


def _path(**ids: tuple[str, str]) -> tuple[dict[str, str], tuple[Ref, ...]]:
    """Path parameters and their refs from ``name=(kind, id)``."""
    params = {name: value for name, (_, value) in ids.items()}
    return params, tuple(Ref(("path", name), kind, value) for name, (kind, value) in ids.items())


def _no_body(method: str, template: str, **kinds: str) -> Builder:
    """A route without a body; ``kinds`` gives each path parameter's kind of id."""

    def build(draw: Draw, caller: Caller, world: World) -> Call:
        chosen = {name: (kind, _pick(draw, kind, caller)) for name, kind in kinds.items()}
        params, refs = _path(**chosen)
        return Call(method, template, params, refs=refs)

    return build


def _mentor_body(caller: Caller, target: str, world: World) -> dict[str, Any]:
    """A valid mentor profile; what the program and the system own is sent back as stored (the
    caller's own record for a mentor, the target's for an admin)."""
    body: dict[str, Any] = {
        "name": "Dr Edited",
        "career_stage": "mid_career",
        "specialty": "cardiology",
        "interests": ["valve disease"],
        "bio": "Happy to talk about training.",
    }
    source = world.mentors.get(caller.subject if caller.role == "mentor" else target)
    if caller.role == "admin" and source is None:
        source = world.mentors["card2"]
    if caller.role in ("mentor", "admin") and source is not None:
        keep = (*MENTOR_MAY_NOT_SET, "capacity", "hours_per_month")
        body.update({k: source[k] for k in keep})
    return body


def _put_mentor(draw: Draw, caller: Caller, world: World) -> Call:
    target = _pick(draw, "mentors", caller)
    params, refs = _path(record_id=("mentors", target))
    body = _mentor_body(caller, target, world)
    call = Call("PUT", "/v1/mentors/{record_id}", params, body=body, refs=refs)
    change = draw(st.sampled_from(("none", "extra", "id", "free", *MENTOR_CHANGES)))
    if change == "extra":
        return _extra(draw, call, world.body_fields(call))
    if change == "id":
        other = draw(st.sampled_from(POOLS["mentors"]).filter(lambda m: m != target))
        return replace(call, body={**call.body, "id": other}, mutation=f"id:{other}")
    if change == "free":
        capacity = min(call.body.get("capacity", 2) + 1, 10)
        return replace(call, body={**call.body, "capacity": capacity, "interests": ["ethics"]})
    if change in MENTOR_CHANGES:
        value = MENTOR_CHANGES[change](call.body.get(change))
        return replace(call, body={**call.body, change: value}, mutation=f"mentor-sets:{change}")
    return call


def _put_mentee(draw: Draw, caller: Caller, world: World) -> Call:
    target = _pick(draw, "mentees", caller)
    params, refs = _path(record_id=("mentees", target))
    body = {"stage": "MS2", "interests": ["heart failure", "valve disease"]}
    call = Call("PUT", "/v1/mentees/{record_id}", params, body=body, refs=refs)
    change = draw(st.sampled_from(("none", "extra", "id")))
    if change == "extra":
        return _extra(draw, call, world.body_fields(call))
    if change == "id":
        other = draw(st.sampled_from(MENTEES).filter(lambda m: m != target))
        return replace(call, body={**body, "id": other}, mutation=f"id:{other}")
    return call


def _suggest(draw: Draw, caller: Caller, world: World) -> Call:
    form = draw(st.sampled_from(("stored", "inline", "inline-id")))
    refs: tuple[Ref, ...] = ()
    if form == "stored":
        who = _pick(draw, "mentees", caller)
        body: dict[str, Any] = {"mentee_id": who, "k": 3}
        refs = (Ref(("body", "mentee_id"), "mentees", who),)
    else:
        profile: dict[str, Any] = {"stage": "MS1", "interests": ["heart rhythm"]}
        if form == "inline-id":
            profile["id"] = _pick(draw, "mentees", caller)
            refs = (Ref(("body", "mentee", "id"), "mentees", profile["id"]),)
        body = {"mentee": profile, "k": 3}
    call = Call("POST", "/v1/suggestions", body=body, refs=refs)
    return _extra(draw, call, world.body_fields(call))


def _feedback(draw: Draw, caller: Caller, world: World) -> Call:
    rater, rated = _pick(draw, "mentees", caller), _pick(draw, "mentors", caller)
    body: dict[str, Any] = {
        "mentee_id": rater,
        "mentor_id": rated,
        "date": "2026-08-15",
        "overall": 4,
        "comment": "Helpful and kind.",
    }
    refs = (
        Ref(("body", "mentee_id"), "mentees", rater),
        Ref(("body", "mentor_id"), "mentors", rated),
    )
    call = Call("POST", "/v1/feedback", body=body, refs=refs)
    change = draw(st.sampled_from(("none", "extra", "id")))
    if change == "id":
        # someone else's planted rating, or any id of the caller's choosing
        chosen = draw(st.sampled_from((f"me2:orth1:{FEEDBACK_DAY}", "my-chosen-id")))
        return replace(call, body={**body, "id": chosen}, mutation=f"id:{chosen}")
    if change == "extra":
        return _extra(draw, call, world.body_fields(call))
    return call


def _cohort_body(template: str, method: str = "POST") -> Builder:
    """Routes under a cohort, with a body of ids drawn from the pools."""

    def build(draw: Draw, caller: Caller, world: World) -> Call:
        ids: dict[str, tuple[str, str]] = {"record_id": ("cohorts", _pick(draw, "cohorts", caller))}
        if "{assignment_id}" in template:
            ids["assignment_id"] = ("assignments", _pick(draw, "assignments", caller))
        params, refs = _path(**ids)
        someone, mentor_id = _pick(draw, "mentees", caller), _pick(draw, "mentors", caller)
        body: dict[str, Any] | None
        extra: tuple[Ref, ...] = ()
        suffix = template.removeprefix(C)
        if suffix in ("", "/members", "/members/remove"):
            body = {"mentee_ids": [someone], "mentor_ids": [mentor_id]}
            if suffix == "":
                body["program"] = draw(st.sampled_from(("prog1", "prog2")))
            extra = (Ref(("body", "mentee_ids", 0), "mentees", someone),)
        elif suffix == "/assignments":
            form = draw(st.sampled_from(("plain", "fair", "locked", "forbidden")))
            body = {"plain": {}, "fair": {"mode": "fair"}}.get(form)
            if body is None:
                body = {form: [[someone, mentor_id]]}
                extra = (Ref(("body", form, 0, 0), "mentees", someone),)
        elif suffix in ("/requests", A.removeprefix(C) + "/override", A.removeprefix(C) + "/lock"):
            body = {"mentee_id": someone, "mentor_id": mentor_id}
            if suffix.endswith("/override"):
                body["reason"] = "asked for a change"
            if suffix == "/requests":
                body["note"] = "I would like this mentor."
            extra = (Ref(("body", "mentee_id"), "mentees", someone),)
        elif suffix.endswith("/rerun"):
            body = draw(st.sampled_from(({}, {"mode": "fair"})))
        else:
            body = None
        call = Call(method, template, params, body=body, refs=refs + extra)
        return _extra(draw, call, world.body_fields(call))

    return build


def _with_query(builder: Builder, **choices: st.SearchStrategy[Any]) -> Builder:
    def build(draw: Draw, caller: Caller, world: World) -> Call:
        call = builder(draw, caller, world)
        query = {k: draw(v) for k, v in choices.items()}
        return replace(call, query={k: v for k, v in query.items() if v is not None})

    return build


def _keys_post(draw: Draw, caller: Caller, world: World) -> Call:
    body = draw(
        st.sampled_from(
            (
                {"role": "mentee", "subject": "me2"},
                {"role": "coordinator", "scopes": ["prog2"]},
                {"role": "admin"},
            )
        )
    )
    call = Call("POST", "/v1/keys", body=body)
    return _extra(draw, call, world.body_fields(call))


INGEST = {
    "mentors": {"id": "new1", "name": "Dr New", "career_stage": "senior", "specialty": "urology"},
    "mentees": {"id": "newme", "stage": "MS1", "interests": ["urology"]},
    "feedback": {"mentee_id": "me2", "mentor_id": "orth1", "date": "2026-08-02", "overall": 2},
    "cohorts": {"id": "c7", "program": "prog1", "mentee_ids": ["me2"]},
}


def _ingest(draw: Draw, caller: Caller, world: World) -> Call:
    kind = draw(st.sampled_from(sorted(INGEST)))
    call = Call("POST", "/v1/ingest/{kind}", {"kind": kind}, body={"records": [INGEST[kind]]})
    return _extra(draw, call, world.body_fields(call))


def _public(method: str, template: str, **params: st.SearchStrategy[str]) -> Builder:
    def build(draw: Draw, caller: Caller, world: World) -> Call:
        return Call(method, template, {k: draw(v) for k, v in params.items()})

    return build


BUILDERS: dict[tuple[str, str], Builder] = {
    ("GET", "/health"): _public("GET", "/health"),
    ("GET", "/ui"): _public("GET", "/ui"),
    ("GET", "/ui/static/{name}"): _public(
        "GET", "/ui/static/{name}", name=st.sampled_from(("ui.js", "ui.css", "secret.txt"))
    ),
    ("GET", "/openapi.json"): _public("GET", "/openapi.json"),
    ("GET", "/docs"): _public("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"): _public("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"): _public("GET", "/redoc"),
    ("GET", "/v1/me"): _no_body("GET", "/v1/me"),
    ("POST", "/v1/suggestions"): _suggest,
    ("GET", "/v1/mentees/{mentee_id}/suggestions"): _with_query(
        _no_body("GET", "/v1/mentees/{mentee_id}/suggestions", mentee_id="mentees"),
        k=st.just(3),
    ),
    ("GET", "/v1/mentors"): _no_body("GET", "/v1/mentors"),
    ("GET", "/v1/mentors/{record_id}"): _no_body(
        "GET", "/v1/mentors/{record_id}", record_id="mentors"
    ),
    ("PUT", "/v1/mentors/{record_id}"): _put_mentor,
    ("DELETE", "/v1/mentors/{record_id}"): _no_body(
        "DELETE", "/v1/mentors/{record_id}", record_id="mentors"
    ),
    ("GET", "/v1/mentors/{record_id}/changes"): _no_body(
        "GET", "/v1/mentors/{record_id}/changes", record_id="mentors"
    ),
    ("GET", "/v1/mentees"): _no_body("GET", "/v1/mentees"),
    ("GET", "/v1/mentees/{record_id}"): _no_body(
        "GET", "/v1/mentees/{record_id}", record_id="mentees"
    ),
    ("PUT", "/v1/mentees/{record_id}"): _put_mentee,
    ("DELETE", "/v1/mentees/{record_id}"): _no_body(
        "DELETE", "/v1/mentees/{record_id}", record_id="mentees"
    ),
    ("POST", "/v1/feedback"): _feedback,
    ("GET", "/v1/feedback"): _with_query(
        _no_body("GET", "/v1/feedback"), mentor_id=st.none() | st.sampled_from(POOLS["mentors"])
    ),
    ("GET", "/v1/cohorts"): _no_body("GET", "/v1/cohorts"),
    ("GET", C): _no_body("GET", C, record_id="cohorts"),
    ("PUT", C): _cohort_body(C, "PUT"),
    ("DELETE", C): _no_body("DELETE", C, record_id="cohorts"),
    ("POST", C + "/members"): _cohort_body(C + "/members"),
    ("POST", C + "/members/remove"): _cohort_body(C + "/members/remove"),
    ("GET", C + "/shortlists"): _with_query(
        _no_body("GET", C + "/shortlists", record_id="cohorts"),
        k=st.just(3),
        format=st.sampled_from(("json", "csv")),
    ),
    ("POST", C + "/assignments"): _cohort_body(C + "/assignments"),
    ("GET", C + "/assignments"): _no_body("GET", C + "/assignments", record_id="cohorts"),
    ("GET", A): _no_body("GET", A, record_id="cohorts", assignment_id="assignments"),
    ("POST", A + "/override"): _cohort_body(A + "/override"),
    ("POST", A + "/lock"): _cohort_body(A + "/lock"),
    ("POST", A + "/rerun"): _cohort_body(A + "/rerun"),
    ("POST", A + "/approve"): _cohort_body(A + "/approve"),
    ("GET", C + "/requests"): _no_body("GET", C + "/requests", record_id="cohorts"),
    ("POST", C + "/requests"): _cohort_body(C + "/requests"),
    ("GET", C + "/audit"): _no_body("GET", C + "/audit", record_id="cohorts"),
    ("POST", "/v1/keys"): _keys_post,
    ("GET", "/v1/keys"): _no_body("GET", "/v1/keys"),
    ("DELETE", "/v1/keys/{key_id}"): _no_body("DELETE", "/v1/keys/{key_id}", key_id="keys"),
    ("POST", "/v1/ingest/{kind}"): _ingest,
    ("POST", "/v1/index/rebuild"): _no_body("POST", "/v1/index/rebuild"),
}
"""A request builder for every route the audit knows."""


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path template) the app serves (HEAD, added by Starlette to GET routes,
    is left out), routers included."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - FastAPI before lazily included routers
        found: Any = app.routes
    else:
        found = iter_route_contexts(app.routes)
    return {
        (method, route.path)
        for route in found
        for method in (getattr(route, "methods", None) or ())
        if method != "HEAD"
    }


@st.composite
def requests(
    draw: Draw,
    world: World,
    routes: tuple[tuple[str, str], ...] = (),
    callers: tuple[Caller, ...] = CALLERS,
) -> tuple[Caller, Call]:
    """A caller and a request to one of ``routes`` (default: every route of the app); half the
    time the caller has a role the route admits, so object rules get exercised."""
    route = draw(st.sampled_from(routes or sorted(world.routes)))
    assert route in BUILDERS, f"the audit has no rule for {route}: add it to ROLES and BUILDERS"
    admitted = tuple(c for c in callers if c.role in (ROLES.get(route) or ()))
    caller = draw(st.sampled_from(callers) | st.sampled_from(admitted or callers))
    return caller, BUILDERS[route](draw, caller, world)


# -- the world, built ----------------------------------------------------------------------------

RELAXED = {
    "rate_limit_per_key": "1000000/minute",
    "rate_limit_admin": "1000000/minute",
    "rate_limit_per_address": "1000000/minute",
    "rate_limit_anonymous": "1000000/minute",
    "rate_limit_failed_auth": "1000000/minute",
    "embed_chars_per_minute": 100_000_000,
}
"""Rate limits out of the way (ignored by settings that lack them): this audits access."""


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, **RELAXED)  # type: ignore[arg-type]


@dataclass
class Reply:
    """An answer, and for a write by a mentee or mentor: other people's records it changed."""

    status: int
    text: str
    changed: list[str] = field(default_factory=list)


@dataclass
class World:
    """The pristine data folder, a shared read-only client over a copy of it, and the ids,
    tokens and stored records created in it."""

    root: Path
    embedder: SentenceTransformerEmbedder
    tokens: dict[str, str]
    ids: dict[str, dict[str, str]]
    mentors: dict[str, dict[str, Any]]
    records: dict[str, str]
    routes: set[tuple[str, str]] = field(default_factory=set)
    schema: dict[str, Any] = field(default_factory=dict)
    reader: TestClient | None = None
    counter: Iterator[int] = field(default_factory=itertools.count)

    def body_fields(self, call: Call) -> frozenset[str] | None:
        """The request body's field names from the OpenAPI document (None: not an object)."""
        operation = self.schema["paths"].get(call.template, {}).get(call.method.lower(), {})
        content = operation.get("requestBody", {}).get("content", {})
        found = content.get("application/json", {}).get("schema", {})
        ref = found.get("$ref", "")
        if not ref:
            return None
        model = self.schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        return frozenset(model.get("properties", {}))

    def concrete(self, kind: str, value: str) -> str:
        """The real id behind a symbolic assignment or key id."""
        table = {"assignments": "assignment_id", "keys": "key_id"}
        return self.ids.get(table.get(kind, ""), {}).get(value, value)

    def resolve(self, call: Call) -> tuple[str, dict[str, Any], Any]:
        """The concrete path, query and body of a call."""
        params = {k: self.ids.get(k, {}).get(v, v) for k, v in call.path.items()}
        return call.template.format(**params), call.query, call.body

    @contextmanager
    def scratch(self) -> Iterator[tuple[TestClient, Engine]]:
        """A client over a throwaway copy of the world."""
        folder = self.root / f"scratch-{next(self.counter)}"
        shutil.copytree(self.root / "pristine", folder)
        engine = build_engine(_settings(folder), embedder=self.embedder, today=lambda: TODAY)
        try:
            with TestClient(create_app(engine=engine), raise_server_exceptions=False) as client:
                yield client, engine
        finally:
            engine.store.close()
            shutil.rmtree(folder, ignore_errors=True)

    def send(self, caller: Caller, call: Call) -> Reply:
        """Send ``call`` as ``caller``: GETs to the shared copy, writes to a throwaway one."""
        path, query, body = self.resolve(call)
        headers = bearer(self.tokens[caller.name]) if caller.name in self.tokens else {}
        if call.method == "GET":
            assert self.reader is not None
            got = self.reader.request("GET", path, params=query, headers=headers)
            return Reply(got.status_code, got.text)
        with self.scratch() as (client, engine):
            got = client.request(call.method, path, params=query, json=body, headers=headers)
            changed = []
            if caller.role in ("mentee", "mentor") and call.method != "DELETE":
                changed = self._changed_others(engine, caller)
            return Reply(got.status_code, got.text, changed)

    def _changed_others(self, engine: Engine, caller: Caller) -> list[str]:
        """Other people's profiles and ratings that differ from the world's."""
        now = _snapshot(engine)
        out = []
        for key in sorted(set(now) | set(self.records)):
            kind, record_id, *rest = key.split("/")
            own = record_id == caller.subject or (kind == "feedback" and caller.subject in rest)
            if not own and now.get(key) != self.records.get(key):
                out.append(key)
        return out


def _snapshot(engine: Engine) -> dict[str, str]:
    """Every mentor, mentee and rating as stored (``kind/id``; ratings also name both people)."""
    out = {}
    for kind in ("mentors", "mentees"):
        for record in engine.store.records(kind):
            out[f"{kind}/{record.key}"] = record.model_dump_json()
    for rating in engine.store.feedback():
        key = f"feedback/{rating.key}/{rating.mentee_id}/{rating.mentor_id}"
        out[key] = rating.model_dump_json()
    return out


def build_world(root: Path, embedder: SentenceTransformerEmbedder) -> World:
    """Plant the world in ``root / "pristine"`` and open the shared read-only copy."""
    engine = build_engine(_settings(root / "pristine"), embedder=embedder, today=lambda: TODAY)
    mentors = []
    for m in FACULTY:
        secret = mentor_secrets(m.id)
        email = secret["email"] if m.id not in SHARES_CONTACT else f"{m.id}.shared@example.org"
        update = {
            "conflicts": [secret["conflict"]],
            "activity_dates": [secret["activity"]],
            "email": email,
            "phone": secret["phone"] if m.id not in SHARES_CONTACT else None,
            "share_contact": m.id in SHARES_CONTACT,
        }
        mentors.append(Mentor.model_validate({**m.model_dump(), **update}))
    engine.write("mentors", mentors)
    texts = {"me1": "heart failure", "me2": "knee surgery", "me3": "skin cancer", "me4": "stroke"}
    engine.write(
        "mentees",
        [
            mentee(
                i,
                interests=[texts[i]],
                name=mentee_secrets(i)["name"],
                email=mentee_secrets(i)["email"],
                conflicts=[mentee_secrets(i)["conflict"]],
            )
            for i in MENTEES
        ],
    )
    review = Review(engine)
    first = Cohort(id="c1", program="prog1", mentee_ids=["me1"], mentor_ids=["card1", "card2"])
    engine.write("cohorts", [first])
    approved = review.propose(first, "setup", locked=sorted(APPROVED))
    review.approve(approved, "setup")
    assert review.approved_pairs() == APPROVED
    cohorts = [
        Cohort(
            id=cohort_id,
            program=program,
            mentee_ids=list(mentee_list),
            mentor_ids=list(mentor_list),
            requests=[
                MentorRequest(
                    mentee_id=REQUESTS[cohort_id][0],
                    mentor_id=REQUESTS[cohort_id][1],
                    note=note(REQUESTS[cohort_id][0]),
                )
            ],
        )
        for cohort_id, (program, mentee_list, mentor_list) in COHORTS.items()
    ]
    engine.write("cohorts", cohorts)
    drafts = {c.id: review.propose(c, "setup").id for c in cohorts}
    engine.write(
        "feedback",
        [
            Feedback(mentee_id=a, mentor_id=b, date=date(2026, 7, 1), overall=5, comment=comment(a))
            for a, b in RATED
        ],
    )
    for who in MENTEES:  # embed the mentees' texts once, so the copies find them cached
        engine.suggest_for(who, 3)
    tokens = {
        "admin": token(engine),
        "coordinator": token(engine, "coordinator", scopes=("prog1",)),
        "invalid": "mm_not-a-real-token-at-all-000000",
    }
    for caller in CALLERS:
        if caller.role in ("mentee", "mentor"):
            tokens[caller.name] = token(engine, caller.role, caller.subject)
    token(engine, "mentee", "me2")
    spare = next(k.id for k in Keys(engine.store.database).list() if k.subject == "me2")
    world = World(
        root=root,
        embedder=embedder,
        tokens=tokens,
        ids={
            "assignment_id": {
                "c1-approved": approved.id,
                "c1-draft": drafts["c1"],
                "c2-draft": drafts["c2"],
                MISSING["assignments"]: "0000deadbeef",
            },
            "key_id": {"spare": spare, MISSING["keys"]: "0000deadbeef"},
        },
        mentors={m.id: m.model_dump(mode="json") for m in engine.store.mentors()},
        records=_snapshot(engine),
    )
    engine.store.close()
    return world


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[World]:
    """The world, and a client over a read-only copy of it (GETs never write)."""
    built = build_world(tmp_path_factory.mktemp("access-property"), embedder)
    shutil.copytree(built.root / "pristine", built.root / "read")
    engine = build_engine(_settings(built.root / "read"), embedder=embedder, today=lambda: TODAY)
    app = create_app(engine=engine)
    with TestClient(app, raise_server_exceptions=False) as reader:
        built.reader = reader
        built.routes = app_routes(app)
        built.schema = app.openapi()
        yield built
    engine.store.close()


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


def test_the_audit_knows_every_route_of_the_app(world: World) -> None:
    """A new route fails here until ``ROLES`` and ``BUILDERS`` say who may use it."""
    assert ("GET", "/v1/me") in world.routes and len(world.routes) > 30  # not a vacuous walk
    assert world.routes - set(BUILDERS) == set(), "routes the audit does not know"
    assert world.routes - set(ROLES) == set(), "routes without a row of the access table"
    assert set(BUILDERS) - world.routes == set(), "the audit knows routes the app lacks"


AUDIT = settings(
    deadline=None,
    derandomize=True,  # the same examples on every run and machine
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(AUDIT, max_examples=EXAMPLES)
@given(data=st.data())
def test_no_call_breaks_the_access_table(world: World, data: st.DataObject) -> None:
    """Properties 1–4 for a random caller, route, ids and body."""
    caller, call = data.draw(requests(world), label="request")
    problems = audit(world, caller, call)
    assert not problems, "\n".join(problems)


OWN_WRITES = (
    ("PUT", "/v1/mentors/{record_id}"),
    ("PUT", "/v1/mentees/{record_id}"),
    ("POST", "/v1/feedback"),
    ("POST", C + "/requests"),
)
"""Routes where a mentee or mentor key writes: what it may set is narrower than the body."""


@settings(AUDIT, max_examples=OWN_EXAMPLES)
@given(data=st.data())
def test_mentee_and_mentor_writes_stay_within_the_key(world: World, data: st.DataObject) -> None:
    """Properties 1–4 for mentee and mentor keys on the routes where they write."""
    people = tuple(c for c in CALLERS if c.role in ("mentee", "mentor"))
    caller, call = data.draw(requests(world, OWN_WRITES, people), label="request")
    problems = audit(world, caller, call)
    assert not problems, "\n".join(problems)
