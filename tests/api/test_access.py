"""Every route × every role: the expected status, and what each role's answers may contain.

The world: the twelve ``FACULTY`` mentors; mentees ``me1`` and ``me2``; cohort ``c1``
(program ``prog1``: me1 with card1 and card2) and ``c2`` (program ``prog2``: me2 with orth1
and psy1); an approved assignment in c1 that pairs me1 with card1; spare drafts in both
cohorts. Keys: admin; a coordinator of ``prog1``; mentee ``me1``; mentor ``card1``.

"Mine" objects are within the caller's reach (c1, me1, card1); "other" objects are not (c2,
me2, orth1). Each role runs against its own copy of the world, so writes and erasures by one
role do not change what another sees. A test also checks that the table covers every route
of the app, so a new route cannot be added without deciding who may use it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.app import create_app
from recommender.domain.kinds import Role
from recommender.domain.profiles import Cohort
from recommender.domain.relationships import Actor
from recommender.engine import Engine, build_engine
from recommender.matching.lifecycle import Lifecycle
from recommender.matching.review import Review
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage.relationships import Relationships
from tests.conftest import FACULTY, TODAY, UNTHROTTLED, bearer, mentee, token

ROLES = ("anonymous", "invalid", "admin", "coordinator", "mentee", "mentor")
PEOPLE = ("admin", "coordinator", "mentee", "mentor")


@dataclass(frozen=True)
class Case:
    """One request and the status each role must get (anonymous → 401, invalid → 401 unless
    given)."""

    method: str
    path: str
    admin: int
    coordinator: int
    mentee: int
    mentor: int
    body: Any = None
    anonymous: int = 401
    invalid: int = 401
    route: str = ""
    """The route template when ``path`` differs from it (filled ids)."""

    def expected(self, role: str) -> int:
        return int(getattr(self, role))


MENTOR_BODY = {"name": "Dr New", "career_stage": "mid_career", "specialty": "cardiology"}
MENTEE_BODY = {"stage": "MS2", "interests": ["heart failure"]}
IDENTITY = {"claims": [{"attribute": "first_generation", "match": True}]}
INLINE = {"mentee": {"stage": "MS1", "interests": ["heart rhythm"]}, "k": 3}


def pair(mentee_id: str, mentor_id: str, reason: str | None = None) -> dict[str, str]:
    body = {"mentee_id": mentee_id, "mentor_id": mentor_id}
    return body if reason is None else {**body, "reason": reason}


def rating(mentee_id: str, mentor_id: str) -> dict[str, Any]:
    return {"mentee_id": mentee_id, "mentor_id": mentor_id, "date": "2026-08-01", "overall": 4}


A = "/v1/cohorts/{c}/assignments/{a}"
R = "/v1/relationships/{r}"
TIMING = {"reason": "timing", "text": "on leave"}
AGREEMENT = {"goals": ["publish a case report"], "cadence": "weekly"}
CHECK_IN = {"meetings": 1, "progress": 4, "satisfaction": 4, "wellbeing": 4}
REPLACE = {"reason": "not working out", "mentor_id": "neph1"}
CASES: list[Case] = [
    Case("GET", "/health", 200, 200, 200, 200, anonymous=200),
    Case("GET", "/ui", 200, 200, 200, 200, anonymous=200, invalid=200),
    Case("GET", "/me", 200, 200, 200, 200, anonymous=200, invalid=200),
    Case("GET", "/v1/me", 200, 200, 200, 200),
    # suggestions
    Case("POST", "/v1/suggestions", 200, 200, 200, 403, body={"mentee_id": "me1"}),
    Case("POST", "/v1/suggestions", 200, 404, 404, 403, body={"mentee_id": "me2"}),
    Case("POST", "/v1/suggestions", 200, 200, 200, 403, body=INLINE),
    Case("GET", "/v1/mentees/me1/suggestions", 200, 200, 200, 403),
    Case("GET", "/v1/mentees/me2/suggestions", 200, 404, 404, 403),
    # mentors
    Case("GET", "/v1/mentors", 200, 200, 200, 200),
    Case("GET", "/v1/mentors/orth1", 200, 200, 200, 200),
    Case("GET", "/v1/mentors/card1", 200, 200, 200, 200),
    Case("PUT", "/v1/mentors/card1", 200, 403, 403, 200, body=MENTOR_BODY),
    Case("PUT", "/v1/mentors/orth1", 200, 403, 403, 404, body=MENTOR_BODY),
    Case("GET", "/v1/mentors/card1/changes", 200, 403, 403, 200),
    Case("GET", "/v1/mentors/orth1/changes", 200, 403, 403, 404),
    # mentees
    Case("GET", "/v1/mentees", 200, 200, 403, 200),
    Case("GET", "/v1/mentees/me1", 200, 200, 200, 200),
    Case("GET", "/v1/mentees/me2", 200, 404, 404, 404),
    Case("PUT", "/v1/mentees/me1", 200, 403, 200, 403, body=MENTEE_BODY),
    Case("PUT", "/v1/mentees/me2", 200, 403, 404, 403, body=MENTEE_BODY),
    # identity claims: the person themself; coordinators read what was consented to them
    Case("GET", "/v1/mentees/me1/identity", 200, 200, 200, 403),
    Case("GET", "/v1/mentees/me2/identity", 200, 404, 404, 403),
    Case("PUT", "/v1/mentees/me1/identity", 200, 403, 200, 403, body=IDENTITY),
    Case("PUT", "/v1/mentees/me2/identity", 200, 403, 404, 403, body=IDENTITY),
    Case("DELETE", "/v1/mentees/me1/identity", 204, 403, 204, 403),
    Case("GET", "/v1/mentors/card1/identity", 200, 200, 403, 200),
    Case("GET", "/v1/mentors/orth1/identity", 200, 200, 403, 404),
    Case("PUT", "/v1/mentors/card1/identity", 200, 403, 403, 200, body=IDENTITY),
    Case("PUT", "/v1/mentors/orth1/identity", 200, 403, 403, 404, body=IDENTITY),
    Case("DELETE", "/v1/mentors/orth1/identity", 204, 403, 403, 404),
    # feedback
    Case("POST", "/v1/feedback", 201, 403, 201, 403, body=rating("me1", "card1")),
    Case("POST", "/v1/feedback", 201, 403, 404, 403, body=rating("me1", "orth1")),
    Case("POST", "/v1/feedback", 201, 403, 403, 403, body=rating("me2", "orth1")),
    Case("GET", "/v1/feedback", 200, 403, 403, 403),
    # cohorts
    Case("GET", "/v1/cohorts", 200, 200, 403, 403),
    Case("GET", "/v1/cohorts/c1", 200, 200, 403, 403),
    Case("GET", "/v1/cohorts/c2", 200, 404, 403, 403),
    Case("PUT", "/v1/cohorts/c3", 201, 403, 403, 403, body={"program": "prog1"}),
    Case("POST", "/v1/cohorts/c1/members", 200, 403, 403, 403, body={"mentee_ids": ["me2"]}),
    Case("POST", "/v1/cohorts/c1/members/remove", 200, 200, 403, 403, body={"mentor_ids": []}),
    Case("POST", "/v1/cohorts/c2/members/remove", 200, 404, 403, 403, body={"mentor_ids": []}),
    Case("GET", "/v1/cohorts/c1/shortlists", 200, 200, 403, 403),
    Case("GET", "/v1/cohorts/c2/shortlists", 200, 404, 403, 403),
    Case("POST", "/v1/cohorts/c1/requests", 200, 200, 200, 403, body=pair("me1", "card2")),
    Case("POST", "/v1/cohorts/c2/requests", 200, 404, 403, 403, body=pair("me2", "orth1")),
    Case("POST", "/v1/cohorts/c2/requests", 422, 404, 404, 403, body=pair("me1", "orth1")),
    Case("GET", "/v1/cohorts/c1/requests", 200, 200, 403, 403),
    Case("GET", "/v1/cohorts/c2/requests", 200, 404, 403, 403),
    Case("POST", "/v1/cohorts/c1/assignments", 201, 201, 403, 403, body={}),
    Case("POST", "/v1/cohorts/c2/assignments", 201, 404, 403, 403, body={}),
    Case("GET", "/v1/cohorts/c1/assignments", 200, 200, 403, 403),
    Case("GET", "/v1/cohorts/c2/assignments", 200, 404, 403, 403),
    Case("GET", A.format(c="c1", a="{c1_lock}"), 200, 200, 403, 403),
    Case("GET", A.format(c="c2", a="{c2_lock}"), 200, 404, 403, 403),
    Case("GET", A.format(c="c1", a="{c2_lock}"), 404, 404, 403, 403),
    Case(
        "POST",
        A.format(c="c1", a="{c1_override}") + "/override",
        200,
        200,
        403,
        403,
        body=pair("me1", "card2", "asked"),
    ),
    Case(
        "POST",
        A.format(c="c2", a="{c2_override}") + "/override",
        200,
        404,
        403,
        403,
        body=pair("me2", "psy1", "asked"),
    ),
    Case(
        "POST", A.format(c="c1", a="{c1_lock}") + "/lock", 200, 200, 403, 403, body="{c1_lock_pair}"
    ),
    Case(
        "POST", A.format(c="c2", a="{c2_lock}") + "/lock", 200, 404, 403, 403, body="{c2_lock_pair}"
    ),
    Case("GET", A.format(c="c1", a="{c1_lock}") + "/options?mentee_id=me1", 200, 200, 403, 403),
    Case("GET", A.format(c="c2", a="{c2_lock}") + "/options?mentee_id=me2", 200, 404, 403, 403),
    Case("GET", "/v1/cohorts/c1/dashboard", 200, 200, 403, 403),
    Case("GET", "/v1/cohorts/c2/dashboard", 200, 404, 403, 403),
    Case("POST", A.format(c="c1", a="{c1_rerun}") + "/rerun", 201, 201, 403, 403, body={}),
    Case("POST", A.format(c="c2", a="{c2_rerun}") + "/rerun", 201, 404, 403, 403, body={}),
    Case(  # c1 has an approved assignment: supersede it before another can be approved
        "POST",
        A.format(c="c1", a="{c1_approved}") + "/supersede",
        200,
        200,
        403,
        403,
        body={"reason": "withdrawn"},
    ),
    Case(
        "POST",
        A.format(c="c2", a="{c2_approve}") + "/supersede",
        409,  # a draft, not approved
        404,
        403,
        403,
        body={"reason": "withdrawn"},
    ),
    Case(
        "POST",
        A.format(c="c1", a="{c1_lock}") + "/swap",
        409,  # c1 has one mentee: a swap needs two
        409,
        403,
        403,
        body={"mentee_a": "me1", "mentee_b": "me1", "reason": "trial"},
    ),
    Case("POST", A.format(c="c1", a="{c1_approve}") + "/approve", 200, 200, 403, 403),
    Case("POST", A.format(c="c2", a="{c2_approve}") + "/approve", 200, 404, 403, 403),
    Case("GET", "/v1/cohorts/c1/audit", 200, 200, 403, 403),
    Case("GET", "/v1/cohorts/c2/audit", 200, 404, 403, 403),
    # administration
    Case("POST", "/v1/keys", 201, 403, 403, 403, body={"role": "mentee", "subject": "me2"}),
    Case("GET", "/v1/keys", 200, 403, 403, 403),
    Case("DELETE", "/v1/keys/{spare_key}", 200, 403, 403, 403),
    Case(
        "POST",
        "/v1/ingest/mentors",
        200,
        403,
        403,
        403,
        body={"records": [{**MENTOR_BODY, "id": "new1"}]},
    ),
    Case("POST", "/v1/index/rebuild", 200, 403, 403, 403),
    # relationships: A is me1 with card1 (the approved pair's, accepted), B me2 with orth1
    # (requested), C me1 with psy1 (accepted)
    Case("GET", "/v1/relationships", 200, 200, 200, 200),
    Case("POST", "/v1/relationships", 201, 403, 201, 403, body=pair("me1", "derm1")),
    Case("GET", R.format(r="{rel_a}"), 200, 200, 200, 200),
    Case("GET", R.format(r="{rel_b}"), 200, 404, 404, 404),
    Case("POST", R.format(r="{rel_b}") + "/accept", 200, 403, 403, 404),
    Case("POST", R.format(r="{rel_a}") + "/decline", 409, 403, 403, 409, body=TIMING),
    # (staff superseded c1's approved assignment above, which closed A)
    Case("PUT", R.format(r="{rel_a}") + "/agreement", 409, 403, 200, 200, body=AGREEMENT),
    Case("PUT", R.format(r="{rel_b}") + "/agreement", 200, 403, 404, 404, body=AGREEMENT),
    Case("POST", R.format(r="{rel_a}") + "/confirm", 403, 403, 200, 200),
    Case("POST", R.format(r="{rel_a}") + "/check-ins", 403, 403, 409, 409, body=CHECK_IN),
    Case("GET", R.format(r="{rel_a}") + "/alternates", 200, 200, 403, 403),
    Case("GET", R.format(r="{rel_b}") + "/alternates", 200, 404, 403, 403),
    Case("POST", R.format(r="{rel_c}") + "/replace", 200, 200, 403, 403, body=REPLACE),
    Case("POST", R.format(r="{rel_a}") + "/end", 409, 409, 200, 200, body={"reason": "moved"}),
    Case("GET", "/v1/cohorts/c1/relationships", 200, 200, 403, 403),
    Case("GET", "/v1/cohorts/c2/relationships", 200, 404, 403, 403),
    Case("GET", "/v1/outbox", 200, 200, 403, 403),
    Case("GET", "/v1/outcomes", 200, 403, 403, 403),
    Case("GET", "/v1/clock", 200, 200, 200, 200),
    Case("PUT", "/v1/clock", 409, 403, 403, 403, body={"now": "2031-01-01T00:00:00Z"}),
    # deletions last: they erase people the cases above use
    Case("DELETE", "/v1/cohorts/c2", 204, 403, 403, 403),
    Case("DELETE", "/v1/mentors/orth1", 204, 403, 403, 404),
    Case("DELETE", "/v1/mentees/me2", 204, 403, 404, 403),
    Case("DELETE", "/v1/mentors/card1", 204, 403, 403, 204),
    # the mentor erased themself just above: their key went with them
    Case("DELETE", "/v1/mentees/me1", 204, 403, 204, 401),
    Case("GET", "/v1/me", 200, 200, 401, 401),
]


@dataclass
class World:
    """The base data folder and the ids and tokens created in it."""

    root: Path
    ids: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def _draft(review: Review, cohort: Cohort) -> tuple[str, list[str]]:
    draft = review.propose(cohort, "setup")
    first = draft.result.pairs[0]
    return draft.id, [first.mentee_id, first.mentor_id]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[World]:
    root = tmp_path_factory.mktemp("access")
    engine = build_engine(Settings(data_dir=root / "var"), embedder=embedder, today=lambda: TODAY)
    contact = {
        "card1": {"email": "card1@example.org"},
        "orth1": {"email": "orth1@example.org", "phone": "+1 555 0100"},
        "psy1": {"email": "psy1@example.org", "share_contact": True},
    }
    engine.write(
        "mentors",
        [m.model_copy(update={"conflicts": ["me9"], **contact.get(m.id, {})}) for m in FACULTY],
    )
    engine.write(
        "mentees",
        [
            mentee("me1", interests=["heart failure"], email="me1@example.org"),
            mentee("me2", interests=["knee surgery"], conflicts=["psy1"]),
        ],
    )
    c1 = Cohort(id="c1", program="prog1", mentee_ids=["me1"], mentor_ids=["card1", "card2"])
    c2 = Cohort(id="c2", program="prog2", mentee_ids=["me2"], mentor_ids=["orth1", "psy1"])
    engine.write("cohorts", [c1, c2])
    world = World(root)
    review = Review(engine)
    approved = review.propose(c1, "setup", locked=[("me1", "card1")])
    review.approve(approved, "setup")
    world.ids["c1_approved"] = approved.id
    for cohort in (c1, c2):
        for use in ("override", "lock", "rerun", "approve"):
            draft_id, first = _draft(review, cohort)
            world.ids[f"{cohort.id}_{use}"] = draft_id
            world.ids[f"{cohort.id}_{use}_pair"] = {"mentee_id": first[0], "mentor_id": first[1]}
    world.tokens = {
        "admin": token(engine),
        "coordinator": token(engine, "coordinator", scopes=("prog1",)),
        "mentee": token(engine, "mentee", "me1"),
        "mentor": token(engine, "mentor", "card1"),
        "invalid": "mm_not-a-real-token-at-all-000000",
    }
    life = Lifecycle(engine)
    (booked,) = Relationships(engine.store.database).of_mentee("me1")  # the approved pair's
    life.accept(Actor(Role.MENTOR, "card1"), booked.id)
    world.ids["rel_a"] = booked.id
    for name, (mentee_id, mentor_id, accepted) in {
        "rel_b": ("me2", "orth1", False),
        "rel_c": ("me1", "psy1", True),
    }.items():
        r = life.request(Actor(Role.MENTEE, mentee_id), mentee_id, mentor_id)
        if accepted:
            life.accept(Actor(Role.MENTOR, mentor_id), r.id)
        world.ids[name] = r.id
    spare = token(engine, "mentee", "me2")
    world.ids["spare_key"] = next(k.id for k in _keys(engine) if k.subject == "me2")
    assert spare
    engine.store.close()
    yield world


def _keys(engine: Engine) -> list[Any]:
    from recommender.storage.keys import Keys

    return Keys(engine.store.database).list()


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**{k: v for k, v in ids.items() if isinstance(v, str)})
    return value


@pytest.fixture
def client_for(
    world: World, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> Iterator[Any]:
    """A client over a private copy of the world, sending ``role``'s token."""
    opened: list[tuple[TestClient, Engine]] = []

    def make(role: str) -> TestClient:
        shutil.copytree(world.root / "var", tmp_path / role)
        engine = build_engine(
            Settings(data_dir=tmp_path / role, **UNTHROTTLED),
            embedder=embedder,
            today=lambda: TODAY,
        )
        headers = bearer(world.tokens[role]) if role in world.tokens else {}
        client = TestClient(
            create_app(engine=engine), headers=headers, raise_server_exceptions=False
        )
        client.__enter__()
        opened.append((client, engine))
        return client

    yield make
    for client, engine in opened:
        client.__exit__(None, None, None)
        engine.store.close()


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(
    role: str, world: World, client_for: Any
) -> None:
    client = client_for(role)
    wrong = []
    for case in CASES:
        path = _fill(case.path, world.ids)
        body = _fill(case.body, world.ids)
        reply = client.request(case.method, path, json=body)
        if reply.status_code != case.expected(role):
            wrong.append(
                f"{case.method} {path}: {reply.status_code} != {case.expected(role)} "
                f"({reply.text[:120]})"
            )
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_the_table_covers_every_route_of_the_app(world: World) -> None:
    app = create_app(settings=Settings(data_dir=world.root / "unused"))
    # FastAPI includes routers lazily: ``app.routes`` holds the routers, not their routes.
    routes = {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in (getattr(route, "methods", None) or ())
        if method != "HEAD"
        and not route.path.startswith(
            ("/ui/static", "/me/static", "/docs", "/redoc", "/openapi.json")
        )
    }
    assert len(routes) > 30, routes  # the listing itself works
    covered = set()
    for case in CASES:
        for method, path in routes:
            if method == case.method and _matches(path, _fill(case.path, world.ids)):
                covered.add((method, path))
    assert routes - covered == set()


def _matches(template: str, path: str) -> bool:
    a, b = template.strip("/").split("/"), path.split("?")[0].strip("/").split("/")
    return len(a) == len(b) and all(x == y or x.startswith("{") for x, y in zip(a, b, strict=True))


# -- what each role's answers contain ----------------------------------------------------------


def test_mentees_and_mentors_see_the_public_mentor_view(world: World, client_for: Any) -> None:
    for role in ("mentee", "coordinator"):
        client = client_for(role)
        other = client.get("/v1/mentors/orth1").json()
        assert "conflicts" not in other and "activity_dates" not in other
        listed = client.get("/v1/mentors").json()["data"]
        assert all("conflicts" not in m for m in listed)
    admin = client_for("admin").get("/v1/mentors/orth1").json()
    assert admin["conflicts"] == ["me9"]
    own = client_for("mentor").get("/v1/mentors/card1").json()
    assert own["conflicts"] == ["me9"]


def test_a_mentor_sees_their_mentee_without_conflicts_and_nobody_else(
    world: World, client_for: Any
) -> None:
    client = client_for("mentor")
    listed = client.get("/v1/mentees").json()
    assert [m["id"] for m in listed["data"]] == ["me1"] and listed["count"] == 1
    assert "conflicts" not in listed["data"][0]
    assert listed["data"][0]["email"] == "me1@example.org"


def test_a_coordinator_lists_only_their_cohorts_and_members(world: World, client_for: Any) -> None:
    client = client_for("coordinator")
    assert [c["id"] for c in client.get("/v1/cohorts").json()["data"]] == ["c1"]
    assert [m["id"] for m in client.get("/v1/mentees").json()["data"]] == ["me1"]


def test_audit_names_the_key_not_a_body_field(world: World, client_for: Any) -> None:
    client = client_for("coordinator")
    draft = client.post("/v1/cohorts/c1/assignments", json={}).json()
    trail = client.get("/v1/cohorts/c1/audit").json()["data"]
    assert trail[-1]["assignment_id"] == draft["id"]
    assert trail[-1]["actor"] == "coordinator:test-coordinator"
    spoof = client.post("/v1/cohorts/c1/assignments", json={"actor": "someone else"})
    assert spoof.status_code == 422 and spoof.json()["detail"][0]["loc"][-1] == "actor"


def test_a_body_cannot_grant_a_role_or_a_program(world: World, client_for: Any) -> None:
    client = client_for("mentee")
    reply = client.put("/v1/mentees/me1", json={**MENTEE_BODY, "role": "admin"})
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"][-1] == "role"
    reply = client.post("/v1/suggestions", json={"mentee_id": "me1", "scopes": ["prog2"]})
    assert reply.status_code == 422


def test_a_revoked_key_is_refused_at_once(world: World, client_for: Any) -> None:
    admin = client_for("admin")
    created = admin.post("/v1/keys", json={"role": "mentee", "subject": "me1"}).json()
    headers = bearer(created["secret"])
    assert admin.get("/v1/me", headers=headers).json()["role"] == "mentee"
    assert admin.delete(f"/v1/keys/{created['id']}").status_code == 200
    assert admin.get("/v1/me", headers=headers).status_code == 401
    assert all("secret" not in k for k in admin.get("/v1/keys").json()["data"])


def test_contact_details_reach_a_mentee_only_when_granted(world: World, client_for: Any) -> None:
    mentee_client = client_for("mentee")
    assert mentee_client.get("/v1/mentors/card1").json()["email"] == "card1@example.org"  # assigned
    assert mentee_client.get("/v1/mentors/psy1").json()["email"] == "psy1@example.org"  # shared
    hidden = mentee_client.get("/v1/mentors/orth1").json()
    assert hidden["email"] is None and hidden["phone"] is None
    coordinator = client_for("coordinator")
    assert coordinator.get("/v1/mentors/card1").json()["email"] == "card1@example.org"
    assert coordinator.get("/v1/mentors/orth1").json()["email"] is None  # not their cohort
