"""The audit's requests (``Call``) and README.md's access table applied to them (``expect``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from recommender.settings import Settings
from tests.api.access_model import (
    APPROVED,
    ASSIGNMENT_COHORT,
    COHORTS,
    FEEDBACK_DAY,
    MENTOR_MAY_NOT_SET,
    MISSING,
    RATED,
    ROLES,
    A,
    C,
    Caller,
    R,
    accepted_pairs,
    in_reach,
    reads_mentee,
    sees_relationship,
)

# -- requests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """An object id in a request: where it sits (``path``/``body``/``query`` then keys or list
    indices), its kind and its (symbolic) id."""

    where: tuple[str | int, ...]
    kind: str
    id: str


@dataclass
class Call:
    """One request, with symbolic ids (assignment and key ids are resolved when sent)."""

    method: str
    template: str
    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    refs: tuple[Ref, ...] = ()
    mutation: str = ""
    """What was done to a valid body: ``extra:F``, ``id:X``, ``mentor-sets:F`` or ``own:F``."""

    def with_id(self, ref: Ref, new_id: str) -> Call:
        """A copy with ``ref`` replaced by ``new_id`` (everything else equal)."""
        where, *keys = ref.where
        refs = tuple(replace(r, id=new_id) if r == ref else r for r in self.refs)
        if where == "path":
            return replace(self, path={**self.path, str(keys[0]): new_id}, refs=refs)
        body = json.loads(json.dumps(self.body))
        target = body
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = new_id
        return replace(self, body=body, refs=refs)


@dataclass(frozen=True)
class Expected:
    """What the table allows: ``public``, ``401``, ``403``, ``denied`` (reasons given) or
    ``allowed``; ``field`` is a body field a 422 must name."""

    outcome: str
    reasons: tuple[str, ...] = ()
    field: str = ""


def expect(caller: Caller, call: Call, stored: dict[str, dict[str, Any]]) -> Expected:
    """The table's answer class for ``caller`` sending ``call`` (``stored``: mentor records
    as stored, to tell a changed value from one sent back unchanged)."""
    roles = ROLES[(call.method, call.template)]
    if roles is None:
        return Expected("public")
    if caller.role is None:
        return Expected("401")
    if caller.role not in roles:
        return Expected("403")
    reasons = _object_denials(caller, call) + _body_denials(caller, call, stored)
    if not reasons:
        return Expected("allowed")
    named = [r.split(":", 1)[1] for r in reasons if r.startswith("field:")]
    return Expected("denied", tuple(reasons), named[0] if len(reasons) == 1 and named else "")


OWN_ONLY = {
    ("PUT", "/v1/mentors/{record_id}"): "mentor",
    ("DELETE", "/v1/mentors/{record_id}"): "mentor",
    ("GET", "/v1/mentors/{record_id}/changes"): "mentor",
    ("PUT", "/v1/mentees/{record_id}"): "mentee",
    ("DELETE", "/v1/mentees/{record_id}"): "mentee",
    ("PUT", "/v1/mentees/{record_id}/identity"): "mentee",
    ("DELETE", "/v1/mentees/{record_id}/identity"): "mentee",
    ("GET", "/v1/mentees/{record_id}/identity"): "mentee",
    ("PUT", "/v1/mentors/{record_id}/identity"): "mentor",
    ("DELETE", "/v1/mentors/{record_id}/identity"): "mentor",
    ("GET", "/v1/mentors/{record_id}/identity"): "mentor",
}
"""Routes where a mentor or mentee key reaches only their own record (``themself``)."""


def _missing(ref: Ref) -> bool:
    return ref.id == MISSING[ref.kind]


def _object_denials(caller: Caller, call: Call) -> list[str]:
    """Object-level rules of the table (the role may use the route)."""
    key = (call.method, call.template)
    role, me = caller.role, caller.subject
    refs = {r.where: r for r in call.refs}
    out: list[str] = []
    creates = call.method == "PUT" and not call.template.endswith("/identity")
    if any(_missing(r) for r in call.refs if r.where[0] == "path") and not creates:
        out.append("missing object")
    cohort = refs.get(("path", "record_id"))
    if call.template.startswith(C) and cohort is not None:
        if key == ("POST", C + "/requests") and role == "mentee":
            if cohort.id not in COHORTS or me not in COHORTS[cohort.id][1]:
                out.append("not a cohort the mentee belongs to")
        elif cohort.id not in in_reach(caller) and role != "admin":
            out.append("cohort outside the coordinator's scopes")
        assignment = refs.get(("path", "assignment_id"))
        if assignment is not None and ASSIGNMENT_COHORT.get(assignment.id) != cohort.id:
            out.append("assignment not in this cohort")
    if key == ("GET", A + "/options") and cohort is not None:
        members = COHORTS.get(cohort.id, ("", (), ()))
        if call.query.get("mentee_id") not in members[1]:
            out.append("options asked for a mentee outside the cohort")
    if key == ("POST", C + "/requests"):
        mentee_id, mentor_id = call.body["mentee_id"], call.body["mentor_id"]
        if role == "mentee" and mentee_id != me:
            out.append("a mentee enters only their own request")
        members = COHORTS.get(cohort.id if cohort else "", ("", (), ()))
        if mentee_id not in members[1] or mentor_id not in members[2]:
            out.append("request pair not in the cohort")
    if key in (
        ("GET", "/v1/mentees/{record_id}"),
        ("GET", "/v1/mentees/{mentee_id}/suggestions"),
        ("GET", "/v1/mentees/{record_id}/identity"),
    ):
        (target,) = call.path.values()
        if not reads_mentee(caller, target):
            out.append("mentee outside the caller's reach")
    if key == ("POST", "/v1/suggestions"):
        if "mentee_id" in call.body and not reads_mentee(caller, call.body["mentee_id"]):
            out.append("mentee outside the caller's reach")
        inline = call.body.get("mentee", {}).get("id", "inline")
        if role == "mentee" and "mentee" in call.body and inline not in ("inline", me):
            out.append("an inline profile under someone else's id")
    relationship = refs.get(("path", "relationship_id"))
    if relationship is not None and not sees_relationship(caller, relationship.id):
        out.append("relationship outside the caller's reach")
    if key == ("POST", "/v1/relationships"):
        if role == "mentee" and call.body["mentee_id"] != me:
            out.append("a mentee requests a mentor only for themself")
        if call.body["mentee_id"] == MISSING["mentees"]:
            out.append("unknown mentee")
        if call.body["mentor_id"] == MISSING["mentors"]:
            out.append("unknown mentor")
    if key == ("POST", R + "/replace"):
        if call.body["mentor_id"] == MISSING["mentors"]:
            out.append("unknown mentor")
        chosen = call.body.get("cohort_id")
        if chosen is not None and role != "admin" and chosen not in in_reach(caller):
            out.append("cohort outside the coordinator's scopes")
    if role == OWN_ONLY.get(key) and call.path["record_id"] != me:
        out.append(f"a {role} reaches only their own record here")
    if key == ("POST", "/v1/feedback"):
        rater, rated = call.body["mentee_id"], call.body["mentor_id"]
        if rated == MISSING["mentors"]:
            out.append("unknown mentor")
        if role == "mentee":
            if rater != me:
                out.append("a mentee rates only as themself")
            if (me, rated) not in APPROVED | accepted_pairs():
                out.append("a mentee rates only mentors assigned to them or who accepted them")
            if "id" in call.body:
                # UPCOMING CHANGE (feedback): the server derives a mentee's rating id; a
                # mentee's body with an ``id`` gets 422 naming it. Fails before the change.
                out.append("field:id")
        planted = {f"{a}:{b}:{FEEDBACK_DAY}": (a, b) for a, b in RATED}
        if planted.get(call.body.get("id", ""), (rater, rated)) != (rater, rated):
            # UPCOMING CHANGE (feedback): an id stays tied to its mentee and mentor, for
            # admins too, so no one overwrites another person's rating (before the change an
            # admin's, or a mentee's, body id replaced me2's planted rating).
            out.append("a rating id names someone else's rating")
    return out


def _body_denials(caller: Caller, call: Call, stored: dict[str, dict[str, Any]]) -> list[str]:
    """Body rules: unknown fields are refused (no body sets a role, a scope or the actor), a
    body id must be the path id, and a mentor may not set what the program or system owns."""
    out: list[str] = []
    if call.mutation.startswith("extra:"):
        out.append(f"unknown field {call.mutation[6:]}")
    if call.mutation.startswith("id:") and call.method == "PUT":
        out.append("body id differs from the path id")
    if call.mutation.startswith("mentor-sets:") and caller.role == "mentor":
        # UPCOMING CHANGE (mentor fields, README "Field ownership"): a mentor's PUT that sets a
        # program- or system-owned field to a value other than the stored one, or capacity /
        # hours_per_month beyond the limits, gets 422 naming the field. Fails before the change.
        name = call.mutation.split(":", 1)[1]
        if call.path["record_id"] == caller.subject:
            own = stored.get(caller.subject, {})
            if name in MENTOR_MAY_NOT_SET and call.body[name] != own.get(name):
                out.append(f"field:{name}")
            limit = {
                "capacity": ("mentor_max_capacity", 10),
                "hours_per_month": ("mentor_max_hours", 40),
            }
            if name in limit and call.body[name] > getattr(Settings(), *limit[name]):
                out.append(f"field:{name}")
    return out


def hidden_refs(caller: Caller, call: Call) -> list[Ref]:
    """Ids of existing objects the caller may not see: the answer must be the missing-id one.

    Mentors are public (listed for every role), so a mentor id is hidden only as the target
    of a write the caller may not make: another mentor's profile, or a rating of a mentor not
    assigned to the rating mentee.
    """
    roles = ROLES[(call.method, call.template)]
    if caller.role is None or roles is None or caller.role not in roles or caller.role == "admin":
        return []
    out = []
    for ref in call.refs:
        if _missing(ref):
            continue
        if ref.kind == "mentees":
            hidden = not reads_mentee(caller, ref.id)
        elif ref.kind == "cohorts" and caller.role == "mentee":
            hidden = caller.subject not in COHORTS[ref.id][1]
        elif ref.kind == "cohorts":
            hidden = ref.id not in in_reach(caller)
        elif ref.kind == "assignments":
            hidden = ASSIGNMENT_COHORT[ref.id] not in in_reach(caller)
        elif ref.kind == "mentors" and call.template.endswith("/identity"):
            hidden = caller.role == "mentor" and ref.id != caller.subject
        elif ref.kind == "mentors" and call.template == "/v1/mentors/{record_id}/changes":
            hidden = ref.id != caller.subject
        elif ref.kind == "mentors" and call.template == "/v1/mentors/{record_id}":
            hidden = call.method != "GET" and ref.id != caller.subject
        elif ref.kind == "mentors" and call.template == "/v1/feedback":
            granted = APPROVED | accepted_pairs()
            hidden = caller.role == "mentee" and (caller.subject, ref.id) not in granted
        elif ref.kind == "relationships":
            hidden = not sees_relationship(caller, ref.id)
        else:
            hidden = False
        if hidden:
            out.append(ref)
    return out
