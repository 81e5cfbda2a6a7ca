"""The command line's contract: every command answers ``--help``, and the documented ones exist.

Nothing here touches a store or a model: ``--help`` is answered before any command runs.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cli.main import app

WIDE = {"COLUMNS": "200", "TERMINAL_WIDTH": "200", "NO_COLOR": "1"}

CONTRACT = {
    "ingest": "upsert records by id",
    "serve": "serve the http api",
    "recommend": "ranked mentor suggestions",
    "evaluate": "write metrics, trec runs, a report",
    "assign": "assign mentors to a cohort's mentees",
    "bench": "time suggestion requests",
    "db": "upgrade",
}
"""Commands the README and the deployment rely on, and words of their purpose."""


def _help(*path: str) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env=WIDE, prog_name="mentor-match")
    assert result.exit_code == 0, (path, result.output)
    return " ".join(result.output.split()).lower()  # one line: rich wraps and boxes the text


def _command_paths(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _command_paths(sub, (*path, name))
    return found


ALL_PATHS = _command_paths(typer.main.get_command(app))


def test_top_level_help_lists_the_contract_commands() -> None:
    listed = _help()
    assert "suggest mentors to trainees in medicine" in listed
    for name in CONTRACT:
        assert re.search(rf"│ {name} ", listed) or f" {name} " in listed, name


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_contract_command_help_states_its_purpose(name: str) -> None:
    assert (name,) in ALL_PATHS
    assert CONTRACT[name] in _help(name)


@pytest.mark.parametrize("path", ALL_PATHS, ids=lambda p: " ".join(p) or "mentor-match")
def test_every_command_answers_help(path: tuple[str, ...]) -> None:
    text = _help(*path)
    assert f"usage: mentor-match {' '.join(path)}".rstrip() in text


def test_groups_without_a_command_show_help_and_exit_2() -> None:
    for path in [(), *(p for p in ALL_PATHS if len(p) == 1 and p[0] in {"index", "keys"})]:
        result = CliRunner().invoke(app, list(path), env=WIDE, prog_name="mentor-match")
        assert result.exit_code == 2, path
        assert "usage: mentor-match" in result.output.lower()


def test_importing_the_app_loads_no_model_code() -> None:
    """``mentor-match --help`` stays quick: the engine and its ML stack load on first use."""
    code = (
        "import sys, cli.main; "
        "heavy = [m for m in ('recommender.engine', 'torch', 'sentence_transformers', "
        "'sklearn', 'ortools', 'matplotlib', 'uvicorn') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
