"""Shared fixtures and helpers for the audit-finding tests (``test_audit_findings*.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from recommender.domain.profiles import Cohort
from recommender.engine import Engine
from recommender.matching.review import Review
from tests.conftest import bearer, mentee, mentor, token

RATERS = ("me1", "me2", "me3", "me4")


@pytest.fixture
def world(faculty_engine: Engine) -> Engine:
    """FACULTY plus mentees me1–me4, all paired with card1 in an approved assignment, and
    orth1 paired with me1."""
    engine = faculty_engine
    engine.write(
        "mentors",
        [mentor("card1", "cardiology", capacity=6, research_areas=["heart failure care"])],
    )
    engine.write("mentees", [mentee(m, interests=["heart failure"]) for m in RATERS])
    cohort = Cohort(id="c1", mentee_ids=list(RATERS), mentor_ids=["card1"])
    engine.write("cohorts", [cohort])
    review = Review(engine)
    draft = review.propose(cohort, "test", locked=[(m, "card1") for m in RATERS])
    review.approve(draft, "test")
    return engine


def client_as(engine: Engine, role: str = "admin", subject: str = "", **kw: Any) -> TestClient:
    return TestClient(
        create_app(engine=engine),
        headers=bearer(token(engine, role, subject, kw.pop("scopes", ()))),
        raise_server_exceptions=False,
        **kw,
    )


def rating(mentee_id: str, mentor_id: str, overall: int, day: date, **extra: Any) -> dict[str, Any]:
    return {
        "mentee_id": mentee_id,
        "mentor_id": mentor_id,
        "date": day.isoformat(),
        "overall": overall,
        **extra,
    }


def all_feedback(engine: Engine) -> list[dict[str, Any]]:
    with client_as(engine) as admin:
        data: list[dict[str, Any]] = admin.get("/v1/feedback", params={"limit": 500}).json()["data"]
        return data


def feedback_component(client: TestClient, mentor_id: str) -> tuple[dict[str, Any], list[str]]:
    body = {"mentee": {"stage": "PGY2", "interests": ["heart failure"]}, "k": 100}
    body["filters"] = {"include_full": True}
    data = client.post("/v1/suggestions", json=body).json()["data"]
    found = next(s for s in data if s["mentor_id"] == mentor_id)
    return found["components"]["feedback"], found["reasons"]
