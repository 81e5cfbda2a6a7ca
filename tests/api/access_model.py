"""The access model of the Hypothesis audit (``test_access_property.py``): the planted world
as data, and README.md's "HTTP API" table with its footnotes as ``expect``, a small function
of (caller, route, whose object). It is written from the README, never from what the app
answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from recommender.settings import Settings
from tests.conftest import FACULTY

# -- the world, as data: the expectations below are computed from these, not from the app ------

COHORTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "c1": ("prog1", ("me1", "me4"), ("card1", "card2")),
    "c2": ("prog2", ("me2",), ("orth1", "psy1")),
}
"""Cohort id → (program, mentee ids, mentor ids)."""
APPROVED: frozenset[tuple[str, str]] = frozenset({("me1", "card1")})
"""(mentee, mentor) pairs of approved assignments."""
MENTEES = ("me1", "me2", "me3", "me4")
MENTORS = tuple(m.id for m in FACULTY)
SHARES_CONTACT = frozenset({"psy1"})
ASSIGNMENT_COHORT = {"c1-approved": "c1", "c1-draft": "c1", "c2-draft": "c2"}
MISSING = {
    "mentees": "nobody",
    "mentors": "ghost",
    "cohorts": "c9",
    "assignments": "missing",
    "keys": "missing",
}
"""A well-formed id of each kind that no record has."""
RATED = (("me1", "card1"), ("me2", "orth1"))
"""Planted feedback (mentee, mentor), dated 2026-07-01, with a secret comment."""
REQUESTS = {"c1": ("me4", "card2"), "c2": ("me2", "orth1")}
"""A planted request per cohort (mentee, mentor) with a secret note."""
FEEDBACK_DAY = "2026-07-01"


def mentor_secrets(mentor_id: str) -> dict[str, str]:
    """Sentinels on a mentor: conflict list, activity log, contact details."""
    day = MENTORS.index(mentor_id) + 1
    return {
        "conflict": f"xconf-{mentor_id}",
        "activity": f"2013-03-{day:02d}",
        "email": f"{mentor_id}.hidden@example.org",
        "phone": f"+1 555 01{day:02d}",
    }


def mentee_secrets(mentee_id: str) -> dict[str, str]:
    """Sentinels on a mentee: name, contact, conflict list."""
    return {
        "name": f"Secretname {mentee_id.upper()}",
        "email": f"{mentee_id}.private@example.org",
        "conflict": f"yconf-{mentee_id}",
    }


def comment(mentee_id: str) -> str:
    """The secret comment of a mentee's planted rating."""
    return f"SECRET-COMMENT-{mentee_id}-xyz"


def note(mentee_id: str) -> str:
    """The secret note of a mentee's planted request."""
    return f"SECRET-NOTE-{mentee_id}-xyz"


@dataclass(frozen=True)
class Caller:
    """Who sends the request: ``role`` None means no valid key."""

    name: str
    role: str | None
    subject: str = ""
    scopes: frozenset[str] = frozenset()


CALLERS = (
    Caller("anonymous", None),
    Caller("invalid", None),
    Caller("admin", "admin"),
    Caller("coordinator", "coordinator", scopes=frozenset({"prog1"})),
    Caller("mentee", "mentee", "me1"),
    Caller("mentor", "mentor", "card1"),
    Caller("lone_mentee", "mentee", "me3"),
    Caller("lone_mentor", "mentor", "neu1"),
)

# -- the README's table ------------------------------------------------------------------------

ANY = frozenset({"admin", "coordinator", "mentee", "mentor"})
STAFF = frozenset({"admin", "coordinator"})
ADMIN = frozenset({"admin"})
ASKERS = frozenset({"admin", "coordinator", "mentee"})
C = "/v1/cohorts/{record_id}"
A = C + "/assignments/{assignment_id}"
ROLES: dict[tuple[str, str], frozenset[str] | None] = {
    # None: public, no token needed
    ("GET", "/health"): None,
    ("GET", "/ui"): None,
    ("GET", "/ui/static/{name}"): None,
    ("GET", "/openapi.json"): None,
    ("GET", "/docs"): None,
    ("GET", "/docs/oauth2-redirect"): None,
    ("GET", "/redoc"): None,
    ("GET", "/v1/me"): ANY,
    ("POST", "/v1/suggestions"): ASKERS,
    ("GET", "/v1/mentees/{mentee_id}/suggestions"): ASKERS,
    ("GET", "/v1/mentors"): ANY,
    ("GET", "/v1/mentors/{record_id}"): ANY,
    ("PUT", "/v1/mentors/{record_id}"): frozenset({"admin", "mentor"}),
    ("DELETE", "/v1/mentors/{record_id}"): frozenset({"admin", "mentor"}),
    ("GET", "/v1/mentors/{record_id}/changes"): frozenset({"admin", "mentor"}),
    ("GET", "/v1/mentees"): frozenset({"admin", "coordinator", "mentor"}),
    ("GET", "/v1/mentees/{record_id}"): ANY,
    ("PUT", "/v1/mentees/{record_id}"): frozenset({"admin", "mentee"}),
    ("DELETE", "/v1/mentees/{record_id}"): frozenset({"admin", "mentee"}),
    ("POST", "/v1/feedback"): frozenset({"admin", "mentee"}),
    ("GET", "/v1/feedback"): ADMIN,
    ("GET", "/v1/cohorts"): STAFF,
    ("GET", C): STAFF,
    ("PUT", C): ADMIN,
    ("DELETE", C): ADMIN,
    ("POST", C + "/members"): ADMIN,
    ("POST", C + "/members/remove"): STAFF,
    ("GET", C + "/shortlists"): STAFF,
    ("POST", C + "/assignments"): STAFF,
    ("GET", C + "/assignments"): STAFF,
    ("GET", A): STAFF,
    ("POST", A + "/override"): STAFF,
    ("POST", A + "/lock"): STAFF,
    ("POST", A + "/rerun"): STAFF,
    ("POST", A + "/approve"): STAFF,
    ("GET", C + "/requests"): STAFF,
    ("POST", C + "/requests"): ASKERS,
    ("GET", C + "/audit"): STAFF,
    ("POST", "/v1/keys"): ADMIN,
    ("GET", "/v1/keys"): ADMIN,
    ("DELETE", "/v1/keys/{key_id}"): ADMIN,
    ("POST", "/v1/ingest/{kind}"): ADMIN,
    ("POST", "/v1/index/rebuild"): ADMIN,
}
"""Which roles may use each route at all (403 for the others); object rules come on top."""

MENTOR_MAY_NOT_SET = (
    "specialty",
    "current_mentees",
    "response_time_hours",
    "past_mentees",
    "recent_mentees",
    "activity_dates",
    "last_active",
    "years_in_practice",
    "publication_count",
    "career_stage",
    "mentor_training",
    "teaching_roles",
)
"""Mentor fields a mentor key may only send back unchanged: the program's and the system's
(README "Field ownership"; ``capacity`` and ``hours_per_month`` are the mentor's within limits)."""


def in_reach(caller: Caller) -> set[str]:
    """Cohorts a caller manages: all for admins; a coordinator's by id or program."""
    if caller.role == "admin":
        return set(COHORTS)
    if caller.role != "coordinator":
        return set()
    return {c for c, (program, _, _) in COHORTS.items() if {c, program} & caller.scopes}


def reads_mentee(caller: Caller, mentee_id: str) -> bool:
    """Table row ``GET /v1/mentees/{id}``: admin; coordinator for their cohorts' mentees; the
    mentee themself; a mentor for mentees paired with them in an approved assignment."""
    if mentee_id not in MENTEES:
        return False
    if caller.role == "admin":
        return True
    if caller.role == "coordinator":
        return any(mentee_id in COHORTS[c][1] for c in in_reach(caller))
    if caller.role == "mentee":
        return mentee_id == caller.subject
    return caller.role == "mentor" and (mentee_id, caller.subject) in APPROVED


def sees_mentor_contact(caller: Caller, mentor_id: str) -> bool:
    """Footnote ¹: contact details are null unless shared, the mentor mentors the caller, or
    (coordinators) belongs to one of their cohorts; admins and the mentor see everything."""
    if caller.role is None:
        return False
    if caller.role == "admin" or mentor_id in SHARES_CONTACT:
        return True
    if caller.role == "coordinator":
        return any(mentor_id in COHORTS[c][2] for c in in_reach(caller))
    if caller.role == "mentee":
        return (caller.subject, mentor_id) in APPROVED
    return caller.subject == mentor_id


def secrets_hidden_from(caller: Caller) -> dict[str, str]:
    """Sentinel string → what it is, for everything the caller must never be shown."""
    hidden: dict[str, str] = {}
    if caller.role != "admin":
        hidden.update({comment(m): f"{m}'s feedback comment" for m, _ in RATED})
    for mentor_id in MENTORS:
        found = mentor_secrets(mentor_id)
        own = caller.role == "admin" or (caller.role == "mentor" and caller.subject == mentor_id)
        if not own:
            hidden[found["conflict"]] = f"{mentor_id}'s conflict list"
            hidden[found["activity"]] = f"{mentor_id}'s activity log"
        if not sees_mentor_contact(caller, mentor_id):
            hidden[found["email"]] = f"{mentor_id}'s email"
            hidden[found["phone"]] = f"{mentor_id}'s phone"
    for mentee_id in MENTEES:
        found = mentee_secrets(mentee_id)
        if not reads_mentee(caller, mentee_id):
            hidden[found["name"]] = f"{mentee_id}'s name"
            hidden[found["email"]] = f"{mentee_id}'s email"
        if not reads_mentee(caller, mentee_id) or caller.role == "mentor":
            hidden[found["conflict"]] = f"{mentee_id}'s conflict list"
    for cohort_id, (mentee_id, _) in REQUESTS.items():
        if cohort_id not in in_reach(caller) and caller.subject != mentee_id:
            hidden[note(mentee_id)] = f"{mentee_id}'s request note"
    return hidden


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
    if any(_missing(r) for r in call.refs if r.where[0] == "path") and call.method != "PUT":
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
    if key == ("POST", C + "/requests"):
        mentee_id, mentor_id = call.body["mentee_id"], call.body["mentor_id"]
        if role == "mentee" and mentee_id != me:
            out.append("a mentee enters only their own request")
        members = COHORTS.get(cohort.id if cohort else "", ("", (), ()))
        if mentee_id not in members[1] or mentor_id not in members[2]:
            out.append("request pair not in the cohort")
    if key in (("GET", "/v1/mentees/{record_id}"), ("GET", "/v1/mentees/{mentee_id}/suggestions")):
        (target,) = call.path.values()
        if not reads_mentee(caller, target):
            out.append("mentee outside the caller's reach")
    if key == ("POST", "/v1/suggestions"):
        if "mentee_id" in call.body and not reads_mentee(caller, call.body["mentee_id"]):
            out.append("mentee outside the caller's reach")
        inline = call.body.get("mentee", {}).get("id", "inline")
        if role == "mentee" and "mentee" in call.body and inline not in ("inline", me):
            out.append("an inline profile under someone else's id")
    if role == OWN_ONLY.get(key) and call.path["record_id"] != me:
        out.append(f"a {role} reaches only their own record here")
    if key == ("POST", "/v1/feedback"):
        rater, rated = call.body["mentee_id"], call.body["mentor_id"]
        if rated == MISSING["mentors"]:
            out.append("unknown mentor")
        if role == "mentee":
            if rater != me:
                out.append("a mentee rates only as themself")
            if (me, rated) not in APPROVED:
                out.append("a mentee rates only mentors assigned to them")
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
        elif ref.kind == "mentors" and call.template == "/v1/mentors/{record_id}/changes":
            hidden = ref.id != caller.subject
        elif ref.kind == "mentors" and call.template == "/v1/mentors/{record_id}":
            hidden = call.method != "GET" and ref.id != caller.subject
        elif ref.kind == "mentors" and call.template == "/v1/feedback":
            hidden = caller.role == "mentee" and (caller.subject, ref.id) not in APPROVED
        else:
            hidden = False
        if hidden:
            out.append(ref)
    return out
