"""``mentor-match recommend``: a table with one column per signal, in the registry's order."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from recommender.ranking.registry import SIGNALS
from recommender.settings import Settings
from recommender.storage.store import Store
from tests.conftest import FACULTY


def test_recommend_prints_every_signal_column_and_the_best_mentor_first(tmp_path: Path) -> None:
    env = {"MENTOR_MATCH_DATA_DIR": str(tmp_path / "var"), "COLUMNS": "200"}
    Store(Settings(data_dir=tmp_path / "var").sqlalchemy_url).upsert("mentors", FACULTY)
    found = CliRunner().invoke(
        app,
        ["recommend", "--text", "melanoma and skin cancer screening", "--k", "3", "--no-explain"],
        env=env,
    )
    assert found.exit_code == 0, found.output
    header = next(line for line in found.output.splitlines() if "rank" in line)
    columns = [name[:5] for name in SIGNALS]
    assert [c for c in columns if c in header] == columns
    assert [header.index(c) for c in columns] == sorted(header.index(c) for c in columns)
    first_row = next(line for line in found.output.splitlines() if "│ 1" in line or "┃ 1" in line)
    assert "derm1" in first_row


def test_recommend_without_a_profile_is_refused_naming_the_options() -> None:
    found = CliRunner().invoke(app, ["recommend"])
    assert found.exit_code == 2
    assert "--mentee" in found.output and "--text" in found.output


def test_recommend_warns_about_an_unknown_target_specialty_and_still_answers(
    tmp_path: Path,
) -> None:
    env = {"MENTOR_MATCH_DATA_DIR": str(tmp_path / "var"), "COLUMNS": "200"}
    Store(Settings(data_dir=tmp_path / "var").sqlalchemy_url).upsert("mentors", FACULTY)
    found = CliRunner().invoke(
        app,
        ["recommend", "--text", "heart failure", "--target", "cardiolgy", "--no-explain"],
        env=env,
    )
    assert found.exit_code == 0, found.output
    said = " ".join(found.output.split())
    assert '"cardiolgy" is not a known specialty; did you mean "cardiology"?' in said
    assert "rank" in said
