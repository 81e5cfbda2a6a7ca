"""``mentor-match assign`` (says whether it saved a draft; ``--save`` saves one), ``cohort
shortlists`` and ``cohort export`` as CSV or XLSX, on an over-subscribed cohort."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.main import app
from recommender.domain.profiles import Cohort
from recommender.settings import Settings
from recommender.storage.drafts import Drafts
from recommender.storage.store import Store
from tests.conftest import FACULTY, mentee

INTERESTS = ["melanoma early detection", "childhood asthma", "heart failure", "psoriasis"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A store whose cohort has 4 mentees and 2 mentor places (1 each)."""
    store = Store(Settings(data_dir=tmp_path / "var").sqlalchemy_url)
    store.upsert("mentors", [m.model_copy(update={"capacity": 1}) for m in FACULTY[:2]])
    store.upsert("mentees", [mentee(f"e{i}", interests=[t]) for i, t in enumerate(INTERESTS)])
    cohort = Cohort(
        id="c1", mentee_ids=[f"e{i}" for i in range(4)], mentor_ids=[m.id for m in FACULTY[:2]]
    )
    store.upsert("cohorts", [cohort])
    store.close()
    return {"MENTOR_MATCH_DATA_DIR": str(tmp_path / "var"), "COLUMNS": "80"}


def drafts(env: dict[str, str]) -> list[str]:
    store = Store(Settings(data_dir=Path(env["MENTOR_MATCH_DATA_DIR"])).sqlalchemy_url)
    try:
        return [r.status for r in Drafts(store.database).of_cohort("c1")]
    finally:
        store.close()


def test_assign_writes_a_file_and_says_it_saved_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "a.csv"
    result = CliRunner().invoke(app, ["assign", "c1", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert "not saved as a draft" in result.output and "--save" in result.output
    rows = list(csv.DictReader(out.open()))
    assert sum(r["status"] == "not saved" for r in rows) == 2
    assert sum(r["status"] == "unmatched" for r in rows) == 2
    assert "unmatched mentee" in result.output
    assert drafts(env) == []


def test_assign_save_stores_a_draft_and_export_reads_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    saved = runner.invoke(
        app,
        ["assign", "c1", "--mode", "fair", "--save", "--out", str(tmp_path / "a.xlsx")],
        env=env,
    )
    assert saved.exit_code == 0, saved.output
    assert "saved draft" in saved.output
    assert drafts(env) == ["draft"]
    out = tmp_path / "export.xlsx"
    exported = runner.invoke(app, ["cohort", "export", "c1", "--out", str(out)], env=env)
    assert exported.exit_code == 0, exported.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][0] == "mentee_id" and len(rows) == 1 + 4
    assert sorted(r[7] for r in rows[1:]) == ["draft", "draft", "unmatched", "unmatched"]


def test_shortlists_as_xlsx_and_a_bad_suffix_is_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "lists.xlsx"
    done = runner.invoke(
        app, ["cohort", "shortlists", "c1", "--k", "2", "--out", str(out)], env=env
    )
    assert done.exit_code == 0, done.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 4 * 2
    bad = runner.invoke(app, ["assign", "c1", "--out", str(tmp_path / "a.json")], env=env)
    assert bad.exit_code != 0 and ".csv or .xlsx" in bad.output
    none = runner.invoke(app, ["cohort", "export", "c1", "--out", str(tmp_path / "x.csv")], env=env)
    assert none.exit_code != 0 and "no assignment yet" in none.output
