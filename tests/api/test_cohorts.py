"""Cohorts over HTTP: members, shortlists (JSON and CSV), and the bundled ``sample`` cohort."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from recommender.domain.profiles import Cohort
from recommender.engine import Engine
from tests.conftest import api_client, mentee

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def test_cohort_members_and_shortlists(faculty_engine: Engine) -> None:
    faculty_engine.write(
        "mentees",
        [
            mentee("e1", interests=["heart failure with preserved ejection fraction"]),
            mentee("e2", interests=["melanoma early detection"]),
        ],
    )
    with api_client(faculty_engine) as client:
        created = client.put("/v1/cohorts/c1", json={"name": "Cardio", "mentor_ids": ["card2"]})
        assert created.status_code == 201
        grown = client.post(
            "/v1/cohorts/c1/members", json={"mentee_ids": ["e1", "e2"], "mentor_ids": ["derm1"]}
        )
        assert grown.json()["mentor_ids"] == ["card2", "derm1"]
        lists = client.get("/v1/cohorts/c1/shortlists", params={"k": 2}).json()
        assert lists["count"] == 2
        by_mentee = {
            row["mentee_id"]: [s["mentor_id"] for s in row["data"]] for row in lists["data"]
        }
        assert by_mentee == {"e1": ["card2", "derm1"], "e2": ["derm1", "card2"]}
        exported = client.get("/v1/cohorts/c1/shortlists", params={"k": 2, "format": "csv"})
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert len(rows) == 4 and {"similarity", "feedback", "explanation"} <= set(rows[0])
        shrunk = client.post("/v1/cohorts/c1/members/remove", json={"mentor_ids": ["card2"]})
        assert shrunk.json()["mentor_ids"] == ["derm1"]
        assert client.get("/v1/cohorts/nope/shortlists").status_code == 404
        assert client.post("/v1/cohorts/nope/members", json={}).status_code == 404
        bad = client.post("/v1/cohorts/c1/members", json={"mentee_ids": "e1", "role": "x"})
        assert bad.status_code == 422
        assert client.get("/v1/cohorts/c1/shortlists", params={"k": 0}).status_code == 422
        assert client.delete("/v1/cohorts/c1").status_code == 204


def test_bundled_sample_cohort_has_the_promised_shape() -> None:
    rows = [json.loads(line) for line in (SAMPLE / "cohorts.jsonl").open()]
    sample = Cohort.model_validate(next(r for r in rows if r["id"] == "sample"))
    assert len(sample.mentee_ids) == 100 and len(sample.mentor_ids) == 60
    mentors = {
        m["id"]: m
        for m in map(json.loads, (SAMPLE / "mentors.jsonl").open())
        if m["id"] in sample.mentor_ids
    }
    assert len({m["capacity"] for m in mentors.values()}) >= 3
    mentees = [
        m
        for m in map(json.loads, (SAMPLE / "mentees.jsonl").open())
        if m["id"] in sample.mentee_ids
    ]
    conflicts = [m for m in mentees if set(m["conflicts"]) & set(sample.mentor_ids)]
    assert len(conflicts) >= 2


def test_cohort_command_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.main import app
    from recommender.settings import Settings
    from recommender.storage.store import Store
    from tests.conftest import FACULTY

    env = {"MENTOR_MATCH_DATA_DIR": str(tmp_path / "var")}
    store = Store(Settings(data_dir=tmp_path / "var").sqlalchemy_url)
    store.upsert("mentors", FACULTY)
    store.upsert("mentees", [mentee("e1", interests=["melanoma early detection"])])
    runner = CliRunner()
    made = runner.invoke(
        app,
        ["cohort", "create", "c1", "--mentee", "e1", "--mentor", "card1", "--mentor", "derm1"],
        env=env,
    )
    assert made.exit_code == 0, made.output
    out = tmp_path / "lists.csv"
    listed = runner.invoke(
        app, ["cohort", "shortlists", "c1", "--k", "2", "--out", str(out)], env=env
    )
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(out.open()))
    assert [r["mentor_id"] for r in rows] == ["derm1", "card1"]
    missing = runner.invoke(app, ["cohort", "add", "nope", "--mentee", "e1"], env=env)
    assert missing.exit_code == 1 and "not found" in missing.output
