"""Where is my data? ``data_dir`` is made absolute once, and commands name the store they use.

A relative ``MENTOR_MATCH_DATA_DIR`` (or the default ``var``) is resolved against the current
directory when the settings are read; every command that opens the store prints it on
stderr, and an empty store is said to be empty, with its path and what to do. The two
commands run here load the real model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.common import store_location
from cli.main import app
from recommender.settings import Settings
from recommender.storage.store import Store


def run(args: list[str], data_dir: Path | str) -> Result:
    """Run ``mentor-match ARGS`` with ``MENTOR_MATCH_DATA_DIR=data_dir``, output unwrapped."""
    env = {"MENTOR_MATCH_DATA_DIR": str(data_dir), "COLUMNS": "500"}
    return CliRunner().invoke(app, args, env=env)


def flat(result: Result) -> str:
    """The command's output (stdout and stderr) with whitespace collapsed."""
    return " ".join(result.output.split())


def test_a_relative_data_dir_is_resolved_against_the_cwd_when_settings_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    elsewhere = tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.delenv("MENTOR_MATCH_DATA_DIR", raising=False)
    default = Settings()
    given = Settings(data_dir=Path("data/../store"))
    monkeypatch.setenv("MENTOR_MATCH_DATA_DIR", "from-env")
    from_env = Settings()
    monkeypatch.chdir(elsewhere)  # later moves change nothing
    assert default.data_dir == here.resolve() / "var"
    assert given.data_dir == here.resolve() / "store"
    assert from_env.data_dir == here.resolve() / "from-env"
    for settings in (default, given, from_env):
        assert settings.data_dir.is_absolute()
        assert settings.sqlalchemy_url == f"sqlite:///{settings.data_dir / 'mentor-match.db'}"
        assert settings.index_path == settings.data_dir / "index.faiss"


def test_a_home_relative_data_dir_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Settings(data_dir=Path("~/mm")).data_dir == tmp_path.resolve() / "mm"


def test_a_database_url_is_shown_without_its_password() -> None:
    settings = Settings(database_url="postgresql+psycopg://mm:s3cret@db.example:5432/mentors")
    shown = store_location(settings)
    assert "s3cret" not in shown
    assert "db.example" in shown and "mentors" in shown


def test_recommend_on_an_empty_store_says_it_is_empty_and_where(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(["recommend", "--mentee", "x"], empty)
    assert result.exit_code != 0, result.output
    text = flat(result)
    database = str(empty.resolve() / "mentor-match.db")
    assert f"store: {database}" in text  # the start line
    assert f"the store at {database} is empty" in text
    assert "'x' not found" in text
    assert "mentor-match ingest" in text and "MENTOR_MATCH_DATA_DIR" in text


def test_ingest_names_the_store_it_writes_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    mentees = tmp_path / "mentees.jsonl"
    mentees.write_text(json.dumps({"id": "t1", "stage": "MS2", "goals": ["research"]}) + "\n")
    result = run(["ingest", str(mentees)], "relative/var")
    assert result.exit_code == 0, result.output
    text = flat(result)
    database = tmp_path.resolve() / "relative" / "var" / "mentor-match.db"
    assert f"store: {database}" in text
    assert "is empty" not in text  # an empty store is what ingest is for
    store = Store(f"sqlite:///{database}")
    try:
        assert store.ids("mentees") == {"t1"}
    finally:
        store.close()
