"""No personal data in logs: only ids, whatever the request did."""

from __future__ import annotations

import logging

import pytest

from recommender.engine import Engine
from tests.conftest import api_client

NAME = "Philippa Vandersloot"
TEXT = "aurora borealis dermatoses"


def test_logs_carry_ids_but_no_names_texts_or_tokens(
    faculty_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with api_client(faculty_engine, raise_server_exceptions=False) as admin:
        secret = admin.headers["Authorization"].split()[1]
        person = {"name": NAME, "stage": "MS3", "interests": [TEXT], "email": "pv@example.org"}
        assert admin.put("/v1/mentees/pv1", json=person).status_code == 201
        assert admin.post("/v1/suggestions", json={"mentee_id": "pv1"}).status_code == 200
        bad = {**person, "stage": "MS9"}
        assert admin.put("/v1/mentees/pv1", json=bad).status_code == 422
        mentor = {"name": NAME, "career_stage": "senior", "specialty": "dermatology"}
        assert admin.put("/v1/mentors/pv2", json={**mentor, "bio": TEXT}).status_code == 201
        assert admin.post("/v1/index/rebuild").status_code == 200
        assert admin.delete("/v1/mentees/pv1").status_code == 204
        assert admin.delete("/v1/mentors/pv2").status_code == 204
    logged = caplog.text
    assert "pv1" in logged  # ids are how operators follow a request
    for private in (NAME, TEXT, "pv@example.org", secret):
        assert private not in logged
