"""Ingesting real program exports: extra columns, ``--map``, row counts and progress.

An export has columns of its own (``department``, ``Dept``): columns that are not fields of
the record type are ignored and reported once per file, ``--map COLUMN=FIELD`` reads one as
a field, and known fields are validated as strictly as ever. Counts are of data rows: a CSV
header and JSONL blank lines are not rows, and a row with two bad fields is one rejected row.

The CLI runs load the real model (three of the invocations here; the refused maps stop
before the engine is built). Rich wraps at 80 columns: assertions collapse whitespace.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from recommender.domain.profiles import Mentee, Mentor
from recommender.settings import Settings
from recommender.storage.ingest import (
    IngestError,
    count_rows,
    parse_column_map,
    parse_file,
)
from recommender.storage.store import Store

EXPORT_COLUMNS = ["id", "name", "career_stage", "Dept", "department", "capacity", "timezone"]
EXPORT_ROWS: list[list[str]] = [
    ["m1", "Dr Ada", "senior", "cardiology", "Medicine", "3", "America/Chicago"],
    ["m2", "Dr Bea", "mid_career", "neurology", "Neurosciences", "lots", "Mars/Olympus"],
    ["m3", "Dr Cy", "early_career", "dermatology", "Medicine", "1", ""],
]
"""A mentor export: ``Dept`` holds the specialty, ``department`` is no field of a mentor;
row 2 (CSV line 3) has two bad known fields (capacity and timezone)."""

MENTEE_ROWS: list[dict[str, Any]] = [
    {"id": "t1", "stage": "MS2", "goals": ["research"], "cohort_year": 2026},
    {"id": "t2", "stage": "MS3", "goals": ["surgery"], "cohort_year": 2026, "advisor": "Kim"},
    {"id": "t3", "stage": "PGY1", "goals": ["teaching"]},
]
"""A mentee export with keys of its own (``cohort_year`` on two rows, ``advisor`` on one)."""


def write_export(path: Path, columns: list[str], rows: list[list[str]]) -> Path:
    """Write a CSV export: a header line, then one line per row."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def write_mentees(path: Path) -> Path:
    """The mentee JSONL export, with a blank line between its rows (not rows themselves)."""
    path.write_text("\n\n".join(json.dumps(row) for row in MENTEE_ROWS) + "\n\n")
    return path


def ingest(settings: Settings, *args: str) -> Result:
    """Run ``mentor-match ingest ARGS`` on the store under ``settings.data_dir``."""
    env = {"MENTOR_MATCH_DATA_DIR": str(settings.data_dir), "COLUMNS": "200"}
    return CliRunner().invoke(app, ["ingest", *args], env=env)


def flat(result: Result) -> str:
    """The command's output (stdout and stderr) with whitespace collapsed."""
    return " ".join(result.output.split())


def stored(settings: Settings) -> dict[str, int]:
    """The store's counts (opened and closed again)."""
    store = Store(settings.sqlalchemy_url)
    try:
        return store.counts()
    finally:
        store.close()


# -- parse_file (no model) -------------------------------------------------------------------


def test_an_unknown_csv_column_is_ignored_and_listed_once(tmp_path: Path) -> None:
    rows = [[*row[:5], "2", ""] for row in EXPORT_ROWS]  # every value good
    columns = ["specialty" if c == "Dept" else c for c in EXPORT_COLUMNS]
    parsed = parse_file(write_export(tmp_path / "mentors.csv", columns, rows))
    assert parsed.rejected == []
    assert parsed.unknown_columns == ["department"]
    assert [str(m.id) for m in parsed.records] == ["m1", "m2", "m3"]


def test_a_mapped_column_is_read_as_its_field(tmp_path: Path) -> None:
    rows = [[*row[:5], "2", ""] for row in EXPORT_ROWS]
    path = write_export(tmp_path / "mentors.csv", EXPORT_COLUMNS, rows)
    unmapped = parse_file(path)  # Dept is not a specialty: each row lacks a required field
    assert unmapped.unknown_columns == ["Dept", "department"]
    assert unmapped.records == []
    assert {(r.line, r.field) for r in unmapped.rejected} == {
        (2, "specialty"),
        (3, "specialty"),
        (4, "specialty"),
    }
    mapped = parse_file(path, columns={"Dept": "specialty"})
    assert mapped.rejected == []
    assert mapped.unknown_columns == ["department"]
    assert [(str(m.id), m.specialty) for m in mapped.records if isinstance(m, Mentor)] == [
        ("m1", "cardiology"),
        ("m2", "neurology"),
        ("m3", "dermatology"),
    ]


def test_unknown_jsonl_keys_are_ignored_and_listed_once_in_order_of_appearance(
    tmp_path: Path,
) -> None:
    parsed = parse_file(write_mentees(tmp_path / "mentees.jsonl"))
    assert parsed.rejected == []
    assert parsed.unknown_columns == ["cohort_year", "advisor"]
    assert [str(m.id) for m in parsed.records if isinstance(m, Mentee)] == ["t1", "t2", "t3"]
    assert parsed.rows == 3


def test_a_row_with_two_bad_fields_is_one_rejected_row_naming_both(tmp_path: Path) -> None:
    path = write_export(tmp_path / "mentors.csv", EXPORT_COLUMNS, EXPORT_ROWS)
    parsed = parse_file(path, columns={"Dept": "specialty"})
    assert parsed.rows == 3
    assert [str(r.id) for r in parsed.records] == ["m1", "m3"]
    [row] = parsed.rejected_rows
    assert row.line == 3  # line 1 is the header
    assert {p.field for p in row.problems} == {"capacity", "timezone"}
    assert "capacity" in str(row) and "timezone" in str(row)
    assert str(row).startswith("line 3, field")


def test_a_bad_value_in_a_mapped_column_names_the_field_and_the_column(tmp_path: Path) -> None:
    rows = [["m1", "Dr Ada", "senior", "", "Medicine", "2", ""]]  # empty Dept: no specialty
    path = write_export(tmp_path / "mentors.csv", EXPORT_COLUMNS, rows)
    [problem] = parse_file(path, columns={"Dept": "specialty"}).rejected
    assert problem.line == 2
    assert problem.field.startswith("specialty")
    rows = [["m1", "Dr Ada", "senior", "x" * 101, "Medicine", "2", ""]]
    path = write_export(tmp_path / "mentors.csv", EXPORT_COLUMNS, rows)
    [problem] = parse_file(path, columns={"Dept": "specialty"}).rejected
    assert problem.field == "specialty (column Dept)"


def test_the_header_and_blank_lines_are_not_counted_as_rows(tmp_path: Path) -> None:
    csv_path = write_export(tmp_path / "mentors.csv", EXPORT_COLUMNS, EXPORT_ROWS)
    jsonl_path = write_mentees(tmp_path / "mentees.jsonl")
    for path, rows in ((csv_path, len(EXPORT_ROWS)), (jsonl_path, len(MENTEE_ROWS))):
        advanced: list[int] = []
        parsed = parse_file(path, progress=advanced.append)
        assert count_rows(path) == rows
        assert sum(advanced) == parsed.rows == rows


def test_a_quoted_cell_over_two_lines_is_one_row(tmp_path: Path) -> None:
    rows = [["m1", "Dr Ada", "senior", "cardiology\nand more", "Medicine", "2", ""]]
    path = write_export(tmp_path / "mentors.csv", EXPORT_COLUMNS, rows)
    assert count_rows(path) == 1
    assert parse_file(path, columns={"Dept": "specialty"}).rows == 1


def test_a_map_onto_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = write_export(tmp_path / "mentors.csv", EXPORT_COLUMNS, EXPORT_ROWS)
    with pytest.raises(IngestError, match="specialy"):
        parse_file(path, columns={"Dept": "specialy"})


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        (["Dept"], "COLUMN=FIELD"),
        (["=specialty"], "COLUMN=FIELD"),
        (["Dept=specialty", "Dept=interests"], "mapped twice"),
        (["Dept=specialty", "Field=specialty"], "more than one column"),
    ],
)
def test_a_malformed_or_ambiguous_map_is_refused(entries: list[str], problem: str) -> None:
    with pytest.raises(IngestError, match=problem):
        parse_column_map(entries)


def test_a_map_onto_a_column_the_csv_also_has_is_refused(tmp_path: Path) -> None:
    path = write_export(tmp_path / "mentors.csv", [*EXPORT_COLUMNS, "specialty"], [])
    with pytest.raises(IngestError, match="specialty"):
        parse_file(path, columns={"Dept": "specialty"})


# -- mentor-match ingest (real model) --------------------------------------------------------


def test_cli_reports_unknown_columns_once_per_file_and_writes_the_rows(
    tmp_path: Path, settings: Settings
) -> None:
    rows = [[*row[:5], "2", ""] for row in EXPORT_ROWS]
    mentors = write_export(tmp_path / "mentors.csv", EXPORT_COLUMNS, rows)
    mentees = write_mentees(tmp_path / "mentees.jsonl")
    result = ingest(settings, "--map", "Dept=specialty", str(mentors), str(mentees))
    assert result.exit_code == 0, result.output
    text = flat(result)
    assert text.count("department") == 1
    assert "mentors.csv: ignored 1 column(s)" in text
    assert text.count("cohort_year") == 1 and text.count("advisor") == 1
    assert "mentees.jsonl: ignored 2 column(s)" in text
    assert "rejected" not in text.replace("0 rejected rows", "")
    assert "mentors.csv: mentors: 3 rows read, 3 written: 3 new" in text
    assert "mentees.jsonl: mentees: 3 rows read, 3 written: 3 new" in text
    # progress bars count data rows: 3 of 3, never the header (4) or blank lines (6)
    assert "reading mentors.csv" in text and "3/3" in text
    assert "4/4" not in text and "6/6" not in text and "/4 " not in text
    assert stored(settings)["mentors"] == 3
    assert stored(settings)["mentees"] == 3


def test_cli_counts_rows_and_lists_every_problem_of_a_bad_row(
    tmp_path: Path, settings: Settings
) -> None:
    path = write_export(tmp_path / "mentors.csv", EXPORT_COLUMNS, EXPORT_ROWS)
    result = ingest(settings, "--map", "Dept=specialty", str(path))
    assert result.exit_code == 1, result.output
    text = flat(result)
    assert "3 rows read, 2 written: 2 new, 0 updated, 0 unchanged, 1 rejected rows" in text
    assert result.output.count("rejected mentors.csv") == 1  # one line for the row
    assert "line 3, field" in text and "capacity" in text and "Mars/Olympus" in text
    assert stored(settings)["mentors"] == 2


def test_cli_strict_counts_rejected_rows_not_problems(tmp_path: Path, settings: Settings) -> None:
    path = write_export(tmp_path / "mentors.csv", EXPORT_COLUMNS, EXPORT_ROWS)
    result = ingest(settings, "--strict", "--map", "Dept=specialty", str(path))
    assert result.exit_code == 1, result.output
    assert "nothing written (--strict and 1 rejected rows of 3 read)" in flat(result)
    assert stored(settings)["mentors"] == 0


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [("Dept=specialy", "'specialy' is not a field of mentors"), ("Dept", "COLUMN=FIELD")],
)
def test_cli_refuses_a_bad_map_with_exit_2_before_writing(
    tmp_path: Path, settings: Settings, mapping: str, expected: str
) -> None:
    path = write_export(tmp_path / "mentors.csv", EXPORT_COLUMNS, EXPORT_ROWS)
    result = ingest(settings, "--map", mapping, str(path))
    assert result.exit_code == 2, result.output
    text = flat(result)
    assert "error:" in text and expected in text
    assert "rows read" not in text
    assert not (settings.data_dir / "mentor-match.db").exists()
