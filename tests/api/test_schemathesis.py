"""Property-based conformance of the whole HTTP API to its own OpenAPI document, per role.

Schemathesis reads ``/openapi.json`` and, for every operation, sends a few generated requests
(valid and invalid ones) with one role's token. Every answer must be:

* no server error (5xx);
* a status code the document lists for that operation;
* a content type the document lists for that status;
* a body matching the documented schema for that status.

A 401/403/404/409/413/422 is a fine answer when it is documented and its body conforms.

Each role runs against its own copy of a small world, so writes and erasures by one role do
not change what another sees. Generated ids are often swapped for ids that exist in the
world, so 200 answers and their bodies are exercised too, not only 404s; deletions draw only
spare records and spare keys, so a run does not erase its own caller halfway through.

Only the fuzzing phase runs, a bounded number of examples per operation; schemathesis'
coverage phase (every boundary and missing-field case, ~2,000 requests per role) would take
about as long again. The run is derandomized: the same requests on every run, so a failure
reproduces. Its report names the operation and role (``[POST /v1/keys][admin]``) and ends with
the request as a ``curl`` command (the host is the in-process app; the token is filtered).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import APIOperation, Case, HookContext
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.openapi import from_dict
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from recommender.domain.profiles import Cohort, Feedback
from recommender.engine import build_engine
from recommender.matching.review import Review
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage.keys import Keys
from tests.conftest import FACULTY, TODAY, UNTHROTTLED, bearer, mentee, token

ROLES = ("anonymous", "admin", "coordinator", "mentee", "mentor")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

MENTEES = [
    mentee("me1", interests=["heart failure"], email="me1@example.org"),
    mentee("me2", interests=["knee surgery"], conflicts=["psy1"]),
    mentee("me3", "MS3", interests=["skin cancer"]),
]
COHORTS = [
    Cohort(id="c1", program="prog1", mentee_ids=["me1"], mentor_ids=["card1", "card2"]),
    Cohort(id="c2", program="prog2", mentee_ids=["me2"], mentor_ids=["orth1", "psy1"]),
    Cohort(id="c3", program="prog1", mentee_ids=["me3"], mentor_ids=["derm1"]),
]
IDS: dict[str, list[str]] = {
    "mentors": [m.id for m in FACULTY],
    "mentees": [m.id for m in MENTEES],
    "cohorts": [c.id for c in COHORTS],
    "assignments": [],  # the world's drafts, filled in by the ``world`` fixture
    "keys": [],  # spare keys only (a run must not revoke its own), filled in likewise
}
"""Ids that exist in every role's copy of the world, by kind."""
SPARE = {"mentors": ["derm1", "neu1"], "mentees": ["me3"], "cohorts": ["c3"]}
"""The only records deletions draw: no role's key is bound to them."""
BODY_IDS = {
    "mentee_id": IDS["mentees"],
    "mentor_id": IDS["mentors"],
    "subject": IDS["mentees"] + IDS["mentors"],
}


def _openapi_document() -> dict[str, Any]:
    """``GET /openapi.json`` of an app whose lifespan never runs (the document needs none)."""
    app = create_app(settings=Settings(data_dir=Path("unused-by-the-openapi-document")))
    reply = TestClient(app).get("/openapi.json")
    reply.raise_for_status()
    document: dict[str, Any] = reply.json()
    return document


# Loaded eagerly and each role's app passed per call: ``schemathesis.pytest.from_fixture``
# (the lazy loader) fails on pytest 9.2 ("'Function' object has no attribute '_nodeid'").
schema = from_dict(
    _openapi_document(),
    config=SchemathesisConfig.from_dict(
        {
            # The role's token is the only credential sent; none are generated.
            "generation": {"with-security-parameters": False, "database": "none"},
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    ),
).exclude(path_regex=r"^/ui")


def _known_in_path(operation: APIOperation, name: str) -> list[str]:
    """Ids that exist for the path parameter ``name`` (spare ones for a deletion)."""
    kind = operation.path.split("/")[2]  # /v1/{kind}/...
    if name == "record_id":
        return (SPARE if operation.method.upper() == "DELETE" else IDS).get(kind, [])
    by_name = {"mentee_id": "mentees", "assignment_id": "assignments", "key_id": "keys"}
    return IDS[by_name[name]] if name in by_name else []


def _or_known(value: Any, known: list[str]) -> st.SearchStrategy[Any]:
    """The generated ``value``, or as often one of the ``known`` ids."""
    return st.one_of(st.just(value), st.sampled_from(known)) if known else st.just(value)


@schema.hook
def flatmap_path_parameters(
    context: HookContext, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[Any]:
    """Often an id that exists in the path, so answers other than 404 are checked too."""
    if context.operation is None or not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    operation = context.operation
    return st.fixed_dictionaries(
        {k: _or_known(v, _known_in_path(operation, k)) for k, v in path_parameters.items()}
    )


@schema.hook
def flatmap_body(context: HookContext, body: Any) -> st.SearchStrategy[Any]:
    """Often existing people in a JSON body's id fields (``mentee_ids`` lists included)."""
    if not isinstance(body, dict):
        return st.just(body)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, value in body.items():
        if name in ("mentee_ids", "mentor_ids"):
            kind = IDS[name.split("_")[0] + "s"]
            fields[name] = st.one_of(st.just(value), st.lists(st.sampled_from(kind), max_size=3))
        else:
            fields[name] = _or_known(value, BODY_IDS.get(name, []))
    return st.fixed_dictionaries(fields)


@dataclass
class World:
    """The base data folder and one token per role."""

    root: Path
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[World]:
    """Faculty, three mentees, cohorts c1/c3 (prog1) and c2 (prog2), an approved assignment
    and open drafts, one rating, a key per role and spare keys."""
    root = tmp_path_factory.mktemp("schemathesis")
    engine = build_engine(Settings(data_dir=root / "var"), embedder=embedder, today=lambda: TODAY)
    contact = {"email": "faculty@example.org", "conflicts": ["me9"]}
    engine.write("mentors", [m.model_copy(update=contact) for m in FACULTY])
    engine.write("mentees", MENTEES)
    engine.write("cohorts", COHORTS)
    engine.write("feedback", [Feedback(mentee_id="me1", mentor_id="card1", date=TODAY, overall=4)])
    review = Review(engine)
    review.approve(review.propose(COHORTS[0], "setup", locked=[("me1", "card1")]), "setup")
    IDS["assignments"][:] = [review.propose(c, "setup").id for c in COHORTS[:2] for _ in "ab"]
    tokens = {
        "admin": token(engine),
        "coordinator": token(engine, "coordinator", scopes=("prog1",)),
        "mentee": token(engine, "mentee", "me1"),
        "mentor": token(engine, "mentor", "card1"),
    }
    known_keys = {k.id for k in Keys(engine.store.database).list()}
    token(engine, "mentee", "me2")
    token(engine, "coordinator", scopes=("prog2",))
    keys = Keys(engine.store.database).list()
    IDS["keys"][:] = [k.id for k in keys if k.id not in known_keys]
    engine.store.close()
    yield World(root=root, tokens=tokens)


@dataclass
class Caller:
    """One role's app (over a private copy of the world) and its request headers."""

    role: str
    app: FastAPI
    headers: dict[str, str]


@pytest.fixture(scope="module", params=ROLES)
def caller(
    request: pytest.FixtureRequest,
    world: World,
    tmp_path_factory: pytest.TempPathFactory,
    embedder: SentenceTransformerEmbedder,
) -> Iterator[Caller]:
    """The app for one role. Schemathesis' ASGI transport runs the app's lifespan (which sets
    ``app.state``) on the first request and keeps it running; it is shut down when the role's
    operations are done."""
    role = str(request.param)
    data_dir = tmp_path_factory.mktemp(role) / "var"
    shutil.copytree(world.root / "var", data_dir)
    engine = build_engine(
        Settings(data_dir=data_dir, **UNTHROTTLED), embedder=embedder, today=lambda: TODAY
    )
    headers = bearer(world.tokens[role]) if role in world.tokens else {}
    yield Caller(role, create_app(engine=engine), headers)
    asgi.shutdown_lifespans()
    engine.store.close()


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_answer_conforms_to_the_openapi_document(case: Case, caller: Caller) -> None:
    """No 5xx; documented status, content type and body schema, whatever the request."""
    case.call_and_validate(app=caller.app, headers=caller.headers, checks=CHECKS)
