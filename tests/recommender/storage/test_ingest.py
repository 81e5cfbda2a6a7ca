"""Ingesting program exports: ``parse_file`` directly, and ``mentor-match ingest`` end to end.

The CLI builds its own engine from ``Settings`` (``MENTOR_MATCH_DATA_DIR`` points it at this
test's folder) and loads the real model each time, so it is invoked only six times here.
Its output goes through rich, which wraps at 80 columns; assertions compare text with the
whitespace collapsed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from recommender.domain.profiles import Mentee, Mentor
from recommender.engine import Engine
from recommender.settings import Settings
from recommender.storage.ingest import IngestError, Rejection, infer_kind, parse_file
from recommender.storage.store import Store

GOOD_MENTORS: list[dict[str, Any]] = [
    {
        "id": "good1",
        "name": "Dr Ada Good",
        "career_stage": "senior",
        "specialty": "cardiology",
        "research_areas": ["heart failure with preserved ejection fraction", "cardiac imaging"],
        "interests": ["echocardiography"],
        "offers": ["career_advice", "research_collaboration"],
        "meeting_modes": ["video", "in_person"],
        "languages": ["English", "Spanish"],
        "timezone": "America/Chicago",
        "hours_per_month": 3.5,
        "capacity": 3,
        "current_mentees": 1,
        "mentor_training": True,
        "last_active": "2026-07-15",
    },
    {
        "id": "good2",
        "name": "Dr Bea Fine",
        "career_stage": "mid_career",
        "specialty": "neurology",
        "research_areas": ["thrombectomy for acute ischemic stroke"],
        "capacity": 2,
    },
    {
        "id": "good3",
        "name": "Dr Cy Sound",
        "career_stage": "early_career",
        "specialty": "dermatology",
        "interests": ["melanoma early detection", "teledermatology"],
        "capacity": 1,
        "current_mentees": 1,
        "mentor_training": False,
    },
]
"""Valid mentor rows; every list field that has a value holds more than one entry once."""

BAD_MENTORS: list[tuple[str, str]] = [
    ('{"id": "bad1", "name": "Dr Broken", ', "JSON"),
    (
        '{"id": "bad2", "name": "Dr Type", "career_stage": "senior", '
        '"specialty": "cardiology", "capacity": "lots"}',
        "capacity",
    ),
    ('{"id": "bad3", "name": "Dr Missing", "specialty": "cardiology"}', "career_stage"),
    (  # an unknown key ("role") is ignored and reported, not a rejection: see
        # test_ingest_exports.py; a known field with a bad value still rejects the row
        '{"id": "bad4", "name": "Dr Extra", "career_stage": "senior", '
        '"specialty": "cardiology", "hours_per_month": -1}',
        "hours_per_month",
    ),
    (
        '{"id": "bad5", "name": "Dr Mars", "career_stage": "senior", '
        '"specialty": "cardiology", "timezone": "Mars/Olympus"}',
        "timezone",
    ),
    (
        '{"id": "bad6", "name": "Dr Busy", "career_stage": "senior", '
        '"specialty": "cardiology", "capacity": 1, "current_mentees": 3}',
        "current_mentees",
    ),
]
"""Bad mentor rows (JSONL lines) and the field each rejection must name."""


@pytest.fixture
def runner() -> CliRunner:
    """A CLI runner."""
    return CliRunner()


def ingest(runner: CliRunner, settings: Settings, *args: str) -> Result:
    """Run ``mentor-match ingest ARGS`` against the store under ``settings.data_dir``."""
    env = {"MENTOR_MATCH_DATA_DIR": str(settings.data_dir)}
    return runner.invoke(app, ["ingest", *args], env=env)


def flat(result: Result) -> str:
    """The command's whole output (stdout and stderr) with whitespace collapsed."""
    return " ".join(result.output.split())


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write ``rows`` as JSON lines."""
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write ``rows`` as CSV, list fields ``;``-separated, absent fields as empty cells."""
    columns = list(dict.fromkeys(name for row in rows for name in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return path


def mixed_mentors(folder: Path) -> tuple[Path, dict[int, str]]:
    """``mentors.jsonl`` with good and bad rows interleaved; bad line number → field."""
    lines: list[str] = []
    expected: dict[int, str] = {}
    good = iter(GOOD_MENTORS)
    for line, field in BAD_MENTORS:
        lines.append(json.dumps(next(good, GOOD_MENTORS[0])))
        lines.append(line)
        expected[len(lines)] = field
    path = folder / "mentors.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path, expected


def assert_rejections_name(rejected: list[Rejection], expected: dict[int, str]) -> None:
    """One rejection per bad line, each at its line number and naming its field."""
    assert {r.line for r in rejected} == set(expected)
    for line, field in expected.items():
        here = [str(r) for r in rejected if r.line == line]
        assert any(field in text for text in here), (line, field, here)


# -- parse_file (no model) -------------------------------------------------------------------


def test_parse_rejects_each_bad_row_by_line_and_field_and_keeps_good_ones(
    tmp_path: Path,
) -> None:
    path, expected = mixed_mentors(tmp_path)
    parsed = parse_file(path)
    assert parsed.kind == "mentors"
    assert {str(r.id) for r in parsed.records} == {m["id"] for m in GOOD_MENTORS}
    assert_rejections_name(parsed.rejected, expected)


def test_csv_gives_the_same_records_as_jsonl(tmp_path: Path) -> None:
    from_jsonl = parse_file(write_jsonl(tmp_path / "mentors.jsonl", GOOD_MENTORS))
    from_csv = parse_file(write_csv(tmp_path / "mentors.csv", GOOD_MENTORS))
    assert from_jsonl.rejected == from_csv.rejected == []
    assert [r.model_dump() for r in from_csv.records] == [
        r.model_dump() for r in from_jsonl.records
    ]
    first = from_csv.records[0]
    assert isinstance(first, Mentor)
    assert first.research_areas == GOOD_MENTORS[0]["research_areas"]
    assert first.languages == ["english", "spanish"]


def test_csv_bad_rows_are_reported_by_csv_line(tmp_path: Path) -> None:
    rows = [GOOD_MENTORS[1], {**GOOD_MENTORS[2], "id": "bad1", "capacity": "lots"}]
    parsed = parse_file(write_csv(tmp_path / "mentors.csv", rows))
    assert [str(r.id) for r in parsed.records] == ["good2"]
    assert_rejections_name(parsed.rejected, {3: "capacity"})  # line 1 is the header


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("mentors.jsonl", "mentors"),
        ("2026_Mentees.CSV", "mentees"),
        ("feedback-spring.jsonl", "feedback"),
        ("mentor_export.csv", "mentors"),
    ],
)
def test_kind_is_inferred_from_the_file_name(name: str, kind: str) -> None:
    assert infer_kind(Path(name)) == kind


@pytest.mark.parametrize("name", ["mentor_feedback.jsonl", "mentee-feedback.csv"])
def test_a_feedback_file_named_after_its_mentors_or_mentees_is_feedback(name: str) -> None:
    assert infer_kind(Path(name)) == "feedback"


def test_a_name_without_a_kind_asks_for_kind(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "export.jsonl", GOOD_MENTORS)
    with pytest.raises(IngestError, match="--kind"):
        parse_file(path)


def test_kind_argument_overrides_the_file_name(tmp_path: Path) -> None:
    rows = [{"id": "t1", "stage": "MS3", "interests": ["sports medicine"]}]
    path = write_jsonl(tmp_path / "mentors_roster.jsonl", rows)
    assert parse_file(path).records == []  # read as mentors, the row is rejected
    parsed = parse_file(path, "mentees")
    assert parsed.kind == "mentees"
    assert parsed.rejected == []
    assert [type(r) for r in parsed.records] == [Mentee]


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mentors.jsonl", GOOD_MENTORS)
    with pytest.raises(IngestError, match="students"):
        parse_file(path, "students")  # type: ignore[arg-type]


# -- mentor-match ingest (real model, six invocations) --------------------------------------


def test_cli_stores_only_good_rows_reports_bad_ones_and_exits_1(
    tmp_path: Path, settings: Settings, runner: CliRunner
) -> None:
    path, expected = mixed_mentors(tmp_path)
    result = ingest(runner, settings, str(path))
    assert result.exit_code == 1, result.output
    text = flat(result)
    for line, field in expected.items():
        assert f"line {line}, field" in text
        assert field in text
    assert "3 new, 0 updated" in text
    store = Store(settings.sqlalchemy_url)
    assert store.ids("mentors") == {m["id"] for m in GOOD_MENTORS}
    assert store.counts() == {"mentors": 3, "mentees": 0, "feedback": 0, "cohorts": 0}
    store.close()


def test_cli_strict_writes_nothing_from_a_file_with_a_bad_row(
    tmp_path: Path, settings: Settings, runner: CliRunner
) -> None:
    bad, _ = mixed_mentors(tmp_path)
    good = write_jsonl(tmp_path / "mentees.jsonl", [{"id": "t1", "stage": "MS2", "goals": ["x"]}])
    result = ingest(runner, settings, "--strict", str(bad), str(good))
    assert result.exit_code == 1, result.output
    assert "nothing written" in flat(result)
    store = Store(settings.sqlalchemy_url)
    assert store.counts() == {"mentors": 0, "mentees": 1, "feedback": 0, "cohorts": 0}
    store.close()


def test_cli_feedback_for_an_unknown_mentor_writes_nothing_from_that_file(
    tmp_path: Path, settings: Settings, runner: CliRunner, engine: Engine
) -> None:
    mentors = parse_file(write_jsonl(tmp_path / "mentors.jsonl", GOOD_MENTORS)).records
    engine.write("mentors", mentors)
    before = (engine.store.counts(), engine.store.seq())
    rows = [
        {"mentee_id": "t1", "mentor_id": "good1", "date": "2026-05-01", "overall": 5},
        {"mentee_id": "t2", "mentor_id": "ghost7", "date": "2026-05-02", "overall": 4},
        {"mentee_id": "t3", "mentor_id": "good2", "date": "2026-05-03", "overall": 3},
    ]
    result = ingest(runner, settings, str(write_jsonl(tmp_path / "feedback.jsonl", rows)))
    assert result.exit_code != 0, result.output
    assert "ghost7" in flat(result)
    assert (engine.store.counts(), engine.store.seq()) == before
    assert before[0]["feedback"] == 0


def test_cli_reingesting_the_same_file_changes_and_embeds_nothing(
    tmp_path: Path, settings: Settings, runner: CliRunner, make_engine: Callable[[], Engine]
) -> None:
    path = write_jsonl(tmp_path / "mentors.jsonl", GOOD_MENTORS)
    first = make_engine()  # the first ingest, through the library: same store, same index
    assert first.write("mentors", parse_file(path).records).inserted == 3
    seq = first.store.seq()

    result = ingest(runner, settings, str(path))
    assert result.exit_code == 0, result.output
    text = flat(result)
    assert "0 new, 0 updated, 3 unchanged, 0 rejected rows" in text
    assert "0 items embedded" in text
    assert first.store.seq() == seq


def test_cli_refuses_an_unknown_file_type_with_exit_2(
    tmp_path: Path, settings: Settings, runner: CliRunner
) -> None:
    path = tmp_path / "mentors.txt"
    path.write_text(json.dumps(GOOD_MENTORS[0]) + "\n")
    result = ingest(runner, settings, str(path))
    assert result.exit_code == 2, result.output
    text = flat(result)
    assert ".txt" in text
    assert ".jsonl" in text and ".csv" in text


def test_cli_refuses_a_missing_file_with_exit_2(
    tmp_path: Path, settings: Settings, runner: CliRunner
) -> None:
    result = ingest(runner, settings, str(tmp_path / "mentors-missing.jsonl"))
    assert result.exit_code == 2, result.output
    text = flat(result)
    assert "mentors-missing.jsonl" in text
    assert "no such file" in text
