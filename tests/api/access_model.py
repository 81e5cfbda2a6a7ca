"""The access model of the Hypothesis audit (``test_access_property.py``): the planted world
as data, and README.md's "HTTP API" table with its footnotes (who may use a route, who sees
what); ``access_expect.py`` turns them into ``expect``. It is written from the README, never
from what the app answers.
"""

from __future__ import annotations

from dataclasses import dataclass

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
RELATIONSHIPS: dict[str, tuple[str, str, str]] = {
    "rel-me1-card1": ("me1", "card1", "active"),
    "rel-me2-orth1": ("me2", "orth1", "requested"),
    "rel-me3-neu1": ("me3", "neu1", "accepted"),
}
"""Planted relationships: symbolic id → (mentee, mentor, state). me1's has a check-in answer
with a secret comment (``checkin_comment``)."""
MISSING = {
    "mentees": "nobody",
    "mentors": "ghost",
    "cohorts": "c9",
    "assignments": "missing",
    "keys": "missing",
    "relationships": "r-0000000000000000",
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


def checkin_comment(mentee_id: str) -> str:
    """The secret comment of a mentee's planted check-in answer."""
    return f"SECRET-CHECKIN-{mentee_id}-xyz"


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
R = "/v1/relationships/{relationship_id}"
ROLES: dict[tuple[str, str], frozenset[str] | None] = {
    # None: public, no token needed
    ("GET", "/health"): None,
    ("GET", "/ui"): None,
    ("GET", "/ui/static/{name}"): None,
    ("GET", "/me"): None,
    ("GET", "/me/static/{name}"): None,
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
    ("GET", A + "/options"): STAFF,
    ("POST", A + "/override"): STAFF,
    ("POST", A + "/swap"): STAFF,
    ("POST", A + "/supersede"): STAFF,
    ("POST", A + "/lock"): STAFF,
    ("POST", A + "/rerun"): STAFF,
    ("POST", A + "/approve"): STAFF,
    ("GET", C + "/requests"): STAFF,
    ("POST", C + "/requests"): ASKERS,
    ("GET", C + "/audit"): STAFF,
    ("GET", C + "/dashboard"): STAFF,
    ("POST", "/v1/keys"): ADMIN,
    ("GET", "/v1/keys"): ADMIN,
    ("DELETE", "/v1/keys/{key_id}"): ADMIN,
    ("POST", "/v1/ingest/{kind}"): ADMIN,
    ("POST", "/v1/index/rebuild"): ADMIN,
    ("GET", "/v1/relationships"): ANY,
    ("POST", "/v1/relationships"): frozenset({"admin", "mentee"}),
    ("GET", R): ANY,
    ("POST", R + "/accept"): frozenset({"admin", "mentor"}),
    ("POST", R + "/decline"): frozenset({"admin", "mentor"}),
    ("PUT", R + "/agreement"): frozenset({"admin", "mentee", "mentor"}),
    ("POST", R + "/confirm"): frozenset({"mentee", "mentor"}),
    ("POST", R + "/check-ins"): frozenset({"mentee", "mentor"}),
    ("POST", R + "/end"): ANY,
    ("GET", R + "/alternates"): STAFF,
    ("POST", R + "/replace"): STAFF,
    ("GET", C + "/relationships"): STAFF,
    ("GET", "/v1/outbox"): STAFF,
    ("GET", "/v1/outcomes"): ADMIN,
    ("GET", "/v1/mentees/{record_id}/identity"): ASKERS,
    ("PUT", "/v1/mentees/{record_id}/identity"): frozenset({"admin", "mentee"}),
    ("DELETE", "/v1/mentees/{record_id}/identity"): frozenset({"admin", "mentee"}),
    ("GET", "/v1/mentors/{record_id}/identity"): frozenset({"admin", "coordinator", "mentor"}),
    ("PUT", "/v1/mentors/{record_id}/identity"): frozenset({"admin", "mentor"}),
    ("DELETE", "/v1/mentors/{record_id}/identity"): frozenset({"admin", "mentor"}),
    ("GET", "/v1/clock"): ANY,
    ("PUT", "/v1/clock"): ADMIN,
}
"""Which roles may use each route at all (403 for the others); object rules come on top."""

MENTOR_MAY_NOT_SET = (
    "specialty",
    "current_mentees",
    "placed_mentees",
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
    asked = {(a, b) for a, b, _ in RELATIONSHIPS.values()}  # a mentor reads who asks them
    return caller.role == "mentor" and (mentee_id, caller.subject) in APPROVED | asked


def sees_relationship(caller: Caller, relationship: str) -> bool:
    """The relationships rows: admins all; a mentee or mentor their own; a coordinator those
    of their cohorts' mentees."""
    if relationship not in RELATIONSHIPS:
        return False
    mentee_id, mentor_id, _ = RELATIONSHIPS[relationship]
    if caller.role == "admin":
        return True
    if caller.role == "coordinator":
        return any(mentee_id in COHORTS[c][1] for c in in_reach(caller))
    return caller.subject == (mentee_id if caller.role == "mentee" else mentor_id)


def accepted_pairs() -> frozenset[tuple[str, str]]:
    """(mentee, mentor) of planted relationships the mentor accepted."""
    return frozenset((a, b) for a, b, state in RELATIONSHIPS.values() if state != "requested")


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
        return (caller.subject, mentor_id) in APPROVED | accepted_pairs()
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
    for rel, (mentee_id, _, _) in RELATIONSHIPS.items():
        staff = caller.role in ("admin", "coordinator") and sees_relationship(caller, rel)
        if not staff and caller.subject != mentee_id:
            hidden[checkin_comment(mentee_id)] = f"{mentee_id}'s check-in comment"
    for cohort_id, (mentee_id, _) in REQUESTS.items():
        if cohort_id not in in_reach(caller) and caller.subject != mentee_id:
            hidden[note(mentee_id)] = f"{mentee_id}'s request note"
    return hidden
