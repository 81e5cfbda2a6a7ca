"""Hypothesis strategies of the access audit: a caller and a request to any route of the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from tests.api.access_expect import Call, Ref
from tests.api.access_model import (
    APPROVED,
    ASSIGNMENT_COHORT,
    CALLERS,
    COHORTS,
    FEEDBACK_DAY,
    MENTEES,
    MENTOR_MAY_NOT_SET,
    MISSING,
    RELATIONSHIPS,
    ROLES,
    A,
    C,
    Caller,
    R,
    in_reach,
    reads_mentee,
    sees_relationship,
)

if TYPE_CHECKING:
    from tests.api.access_world import World


# -- strategies --------------------------------------------------------------------------------

Draw = Callable[[st.SearchStrategy[Any]], Any]
Builder = Callable[[Draw, Caller, "World"], Call]
POOLS: dict[str, tuple[str, ...]] = {
    "mentees": MENTEES,
    "mentors": ("card1", "card2", "orth1", "psy1", "neu1"),
    "cohorts": tuple(COHORTS),
    "assignments": tuple(ASSIGNMENT_COHORT),
    "keys": ("spare",),
    "relationships": tuple(RELATIONSHIPS),
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
    if kind == "relationships" and role != "admin":
        return tuple(r for r in RELATIONSHIPS if sees_relationship(caller, r))
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


IDENTITY_BODIES = (
    {"claims": []},
    {"claims": [{"attribute": "first_generation", "match": True}]},
    {"claims": [{"attribute": "gender", "value": "woman", "match": True, "coordinators": True}]},
)


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
        elif suffix.endswith("/swap"):
            other = _pick(draw, "mentees", caller)
            body = {"mentee_a": someone, "mentee_b": other, "reason": "trial swap"}
            extra = (Ref(("body", "mentee_a"), "mentees", someone),)
        elif suffix.endswith("/supersede"):
            body = {"reason": "withdrawn"}
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


def _with_body(method: str, template: str, *bodies: dict[str, Any], **kinds: str) -> Builder:
    """A route with path ids of ``kinds`` and one of ``bodies`` (sometimes an extra field)."""

    def build(draw: Draw, caller: Caller, world: World) -> Call:
        chosen = {name: (kind, _pick(draw, kind, caller)) for name, kind in kinds.items()}
        params, refs = _path(**chosen)
        call = Call(method, template, params, body=draw(st.sampled_from(bodies)), refs=refs)
        return _extra(draw, call, world.body_fields(call))

    return build


def _request_mentor(draw: Draw, caller: Caller, world: World) -> Call:
    someone, mentor_id = _pick(draw, "mentees", caller), _pick(draw, "mentors", caller)
    mentor_id = draw(st.sampled_from((mentor_id, "derm1", "psy1")))
    body = {"mentee_id": someone, "mentor_id": mentor_id}
    refs = (
        Ref(("body", "mentee_id"), "mentees", someone),
        Ref(("body", "mentor_id"), "mentors", mentor_id),
    )
    call = Call("POST", "/v1/relationships", body=body, refs=refs)
    return _extra(draw, call, world.body_fields(call))


def _replace(draw: Draw, caller: Caller, world: World) -> Call:
    relationship = _pick(draw, "relationships", caller)
    params, refs = _path(relationship_id=("relationships", relationship))
    mentor_id = draw(st.sampled_from(("derm1", "psy1", "neph1", MISSING["mentors"])))
    body: dict[str, Any] = {"reason": "not working out", "mentor_id": mentor_id}
    if draw(st.booleans()):
        body["cohort_id"] = _pick(draw, "cohorts", caller)
    call = Call("POST", R + "/replace", params, body=body, refs=refs)
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
    ("GET", "/me"): _public("GET", "/me"),
    ("GET", "/me/static/{name}"): _public(
        "GET", "/me/static/{name}", name=st.sampled_from(("mentee.js", "mentee.css", "ui.js"))
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
        format=st.sampled_from(("json", "csv", "xlsx")),
    ),
    ("POST", C + "/assignments"): _cohort_body(C + "/assignments"),
    ("GET", C + "/assignments"): _no_body("GET", C + "/assignments", record_id="cohorts"),
    ("GET", A): _no_body("GET", A, record_id="cohorts", assignment_id="assignments"),
    ("GET", A + "/options"): _with_query(
        _no_body("GET", A + "/options", record_id="cohorts", assignment_id="assignments"),
        mentee_id=st.sampled_from(("me1", "me2")),
    ),
    ("POST", A + "/override"): _cohort_body(A + "/override"),
    ("POST", A + "/swap"): _cohort_body(A + "/swap"),
    ("POST", A + "/supersede"): _cohort_body(A + "/supersede"),
    ("POST", A + "/lock"): _cohort_body(A + "/lock"),
    ("POST", A + "/rerun"): _cohort_body(A + "/rerun"),
    ("POST", A + "/approve"): _cohort_body(A + "/approve"),
    ("GET", C + "/requests"): _no_body("GET", C + "/requests", record_id="cohorts"),
    ("POST", C + "/requests"): _cohort_body(C + "/requests"),
    ("GET", C + "/audit"): _no_body("GET", C + "/audit", record_id="cohorts"),
    ("GET", C + "/dashboard"): _no_body("GET", C + "/dashboard", record_id="cohorts"),
    ("POST", "/v1/keys"): _keys_post,
    ("GET", "/v1/keys"): _no_body("GET", "/v1/keys"),
    ("DELETE", "/v1/keys/{key_id}"): _no_body("DELETE", "/v1/keys/{key_id}", key_id="keys"),
    ("POST", "/v1/ingest/{kind}"): _ingest,
    ("POST", "/v1/index/rebuild"): _no_body("POST", "/v1/index/rebuild"),
    ("GET", "/v1/relationships"): _with_query(
        _no_body("GET", "/v1/relationships"),
        state=st.none() | st.sampled_from(("requested", "active")),
        flagged=st.none() | st.booleans(),
    ),
    ("POST", "/v1/relationships"): _request_mentor,
    ("GET", R): _no_body("GET", R, relationship_id="relationships"),
    ("POST", R + "/accept"): _no_body("POST", R + "/accept", relationship_id="relationships"),
    ("POST", R + "/decline"): _with_body(
        "POST",
        R + "/decline",
        {"reason": "timing", "text": "on leave"},
        {"reason": "other"},
        relationship_id="relationships",
    ),
    ("PUT", R + "/agreement"): _with_body(
        "PUT",
        R + "/agreement",
        {"goals": ["publish a case report"], "cadence": "weekly"},
        {"goals": ["match"], "mode": "in_person", "mentor_expects": "drafts early"},
        relationship_id="relationships",
    ),
    ("POST", R + "/confirm"): _no_body("POST", R + "/confirm", relationship_id="relationships"),
    ("POST", R + "/check-ins"): _with_body(
        "POST",
        R + "/check-ins",
        {"meetings": 2, "progress": 4, "satisfaction": 4, "wellbeing": 4},
        {"meetings": 0, "progress": 1, "satisfaction": 1, "comment": "no show"},
        relationship_id="relationships",
    ),
    ("POST", R + "/end"): _with_body(
        "POST",
        R + "/end",
        {"reason": "moving on"},
        {"reason": "goals met", "completed": True},
        relationship_id="relationships",
    ),
    ("GET", R + "/alternates"): _with_query(
        _no_body("GET", R + "/alternates", relationship_id="relationships"), k=st.just(3)
    ),
    ("POST", R + "/replace"): _replace,
    ("GET", C + "/relationships"): _no_body("GET", C + "/relationships", record_id="cohorts"),
    ("GET", "/v1/outbox"): _with_query(
        _no_body("GET", "/v1/outbox"), format=st.sampled_from(("json", "jsonl"))
    ),
    ("GET", "/v1/outcomes"): _no_body("GET", "/v1/outcomes"),
    **{
        (method, f"/v1/{kind}/{{record_id}}/identity"): (
            _with_body(
                method, f"/v1/{kind}/{{record_id}}/identity", *IDENTITY_BODIES, record_id=kind
            )
            if method == "PUT"
            else _no_body(method, f"/v1/{kind}/{{record_id}}/identity", record_id=kind)
        )
        for kind in ("mentees", "mentors")
        for method in ("GET", "PUT", "DELETE")
    },
    ("GET", "/v1/clock"): _no_body("GET", "/v1/clock"),
    ("PUT", "/v1/clock"): _with_body("PUT", "/v1/clock", {"now": "2031-01-01T00:00:00+00:00"}),
}
"""A request builder for every route the audit knows."""


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
