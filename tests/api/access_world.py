"""The access audit's planted world: the stored records, tokens and a client per request."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from recommender.domain.checkins import Survey
from recommender.domain.kinds import Role
from recommender.domain.profiles import Cohort, Feedback, Mentor, MentorRequest
from recommender.domain.relationships import Actor
from recommender.engine import Engine, build_engine
from recommender.matching.lifecycle import Lifecycle
from recommender.matching.review import Review
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage.keys import Keys
from recommender.storage.relationships import Relationships
from tests.api.access_expect import Call
from tests.api.access_model import (
    APPROVED,
    CALLERS,
    COHORTS,
    MENTEES,
    MISSING,
    RATED,
    RELATIONSHIPS,
    REQUESTS,
    SHARES_CONTACT,
    Caller,
    checkin_comment,
    comment,
    mentee_secrets,
    mentor_secrets,
    note,
)
from tests.conftest import FACULTY, TODAY, bearer, mentee, token

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


def _settings(data_dir: Path, **more: Any) -> Settings:
    return Settings(data_dir=data_dir, **RELAXED, **more)


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
        table = {
            "assignments": "assignment_id",
            "keys": "key_id",
            "relationships": "relationship_id",
        }
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


def _plant_relationships(engine: Engine) -> dict[str, str]:
    """``RELATIONSHIPS``, made through the lifecycle in 2026 (so check-ins have fallen due
    since); me1's has a check-in answer with a secret comment. Symbolic id → real id."""
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    life = Lifecycle(engine, now=lambda: at)
    out = {}
    booked = {(r.mentee_id, r.mentor_id): r for r in Relationships(engine.store.database).every()}
    for symbol, (mentee_id, mentor_id, state) in RELATIONSHIPS.items():
        r = booked.get((mentee_id, mentor_id))  # an approved pair's, requested by approval
        if r is None:
            r = life.request(Actor(Role.MENTEE, mentee_id), mentee_id, mentor_id)
        mentor = Actor(Role.MENTOR, mentor_id)
        if state in ("accepted", "active"):
            life.accept(mentor, r.id)
        if state == "active":
            life.confirm(mentor, r.id)
            life.confirm(Actor(Role.MENTEE, mentee_id), r.id)
        out[symbol] = r.id
    later = Lifecycle(engine, now=lambda: at + timedelta(days=31))
    answer = Survey(2, 4, 4, wellbeing=4, comment=checkin_comment("me1"))
    later.check_in(Actor(Role.MENTEE, "me1"), out["rel-me1-card1"], answer)
    out[MISSING["relationships"]] = MISSING["relationships"]
    return out


def build_world(root: Path, embedder: SentenceTransformerEmbedder) -> World:
    """Plant the world in ``root / "pristine"`` and open the shared read-only copy."""
    planted_at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)  # the world's past, on a set clock
    engine = build_engine(
        _settings(root / "pristine", clock=planted_at), embedder=embedder, today=lambda: TODAY
    )
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
    planted = _plant_relationships(engine)
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
            "relationship_id": planted,
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
