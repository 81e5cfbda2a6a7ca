"""``mentor-match train``: a learned ranker from the store's outcome log, saved with its
model card where the next engine serves it; bad options and too little history refused
with a clear message and nothing written (real model, SQLite, FAISS)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from recommender.domain.agreements import Agreement
from recommender.domain.kinds import Kind, Role
from recommender.domain.relationships import Actor, DeclineReason, request
from recommender.matching.lifecycle import Lifecycle
from recommender.samplegen.relationships import History, relationship_rows
from recommender.settings import Settings
from recommender.storage.store import Store
from tests.conftest import FACULTY, mentee
from tests.support.engines import hashing_engine

T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
TOPICS = {m.id: m.research_areas[0] for m in FACULTY}


def _program(data_dir: Path) -> None:
    """FACULTY, and 24 mentees each asking two mentors over a year: the one whose research
    they share accepts (and the pair lasts), the other declines."""
    store = Store(Settings(data_dir=data_dir).sqlalchemy_url)
    mentors = sorted(TOPICS)
    mentees = [
        mentee(f"e{i:02d}", interests=[TOPICS[mentors[i % len(mentors)]]]) for i in range(24)
    ]
    store.upsert(Kind.MENTORS, FACULTY)
    store.upsert(Kind.MENTEES, mentees)
    history = History()
    for i, m in enumerate(mentees):
        good, other = mentors[i % len(mentors)], mentors[(i + 3) % len(mentors)]
        at = T0 + timedelta(days=14 * i)
        asker = Actor(Role.MENTEE, m.id, m.id)
        yes = request(f"r{i:02d}a", m.id, good, asker, at)
        yes = yes.accept(
            Actor(Role.MENTOR, good, good), at + timedelta(days=2), Agreement(goals=("research",))
        )
        no = request(f"r{i:02d}b", m.id, other, asker, at)
        no = no.decline(
            Actor(Role.MENTOR, other, other),
            at + timedelta(days=1),
            DeclineReason.OUTSIDE_EXPERTISE,
        )
        history.relationships += [yes, no]
    store.close()
    with hashing_engine(data_dir) as engine:
        Lifecycle(engine).import_history(relationship_rows(history))


def test_train_saves_a_model_the_next_engine_serves(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    _program(data_dir)
    env = {"MENTOR_MATCH_DATA_DIR": str(data_dir), "COLUMNS": "200", "NO_COLOR": "1"}
    got = CliRunner().invoke(app, ["train", "--until", "2026-06-01", "--name", "first"], env=env)
    assert got.exit_code == 0, got.output
    assert "default weights" in got.output and "kept" in got.output
    folder = data_dir / "models" / "first"
    card = (folder / "MODEL_CARD.md").read_text()
    assert "## Validation (later windows, never test data)" in card
    assert "the outcome log" in card and "2026-06-01" in card
    record = json.loads((folder / "ranker.json").read_text())
    assert record["trained_on"]["graded"] == 48 and record["trained_on"]["mentees"] == 24
    assert record["validation"]["kept"] in record["validation"]["candidates"]
    shown = CliRunner().invoke(
        app, ["recommend", "--mentee", "e05", "--k", "3", "--no-explain"], env=env
    )
    assert shown.exit_code == 0, shown.output
    # the same name again is refused; the model in place is kept
    again = CliRunner().invoke(app, ["train", "--until", "2026-06-01", "--name", "first"], env=env)
    assert again.exit_code == 2 and "exists already" in again.output
    assert json.loads((folder / "ranker.json").read_text()) == record


def test_train_refuses_bad_options_and_too_little_history(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    _program(data_dir)
    env = {"MENTOR_MATCH_DATA_DIR": str(data_dir), "COLUMNS": "200", "NO_COLOR": "1"}
    bad = CliRunner().invoke(app, ["train", "--until", "next tuesday"], env=env)
    assert bad.exit_code == 2 and "--until" in bad.output and "Traceback" not in bad.output
    early = CliRunner().invoke(app, ["train", "--until", "2025-04-01"], env=env)
    assert early.exit_code == 2 and "training needs 10" in early.output
    assert not (data_dir / "models").exists()
