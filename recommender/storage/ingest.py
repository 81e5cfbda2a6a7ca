"""Reading program exports (JSONL or CSV) into validated records, with per-row rejections.

Bad rows are reported (line, field, problem) and never written; the good rows of a file are
written in one transaction by the caller, so a failure leaves the store as it was.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from recommender.domain.kinds import Kind
from recommender.domain.profiles import RECORD_TYPES, Record

MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Rejection:
    """One bad row: where, which field, what is wrong."""

    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}, field {self.field}: {self.problem}"


@dataclass
class ParsedFile:
    """The valid records of a file and the rows rejected."""

    kind: Kind
    records: list[Record] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    lines: int = 0


class IngestError(ValueError):
    """The file as a whole cannot be read (missing, unknown kind or format)."""


def infer_kind(path: Path) -> Kind:
    """``mentors``, ``mentees`` or ``feedback`` from the file name."""
    name = path.name.lower()
    # "mentor_feedback.csv" is feedback, "cohort_mentors.csv" a cohort list
    for kind in (Kind.FEEDBACK, Kind.COHORTS, Kind.MENTORS, Kind.MENTEES):
        if kind.singular in name:
            return kind
    raise IngestError(
        f"{path}: cannot tell mentors, mentees, feedback or cohorts from the file name; pass --kind"
    )


def validation_rejections(line: int, error: ValidationError) -> list[Rejection]:
    """One rejection per pydantic error, naming the field path."""
    out = []
    for err in error.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(row)"
        out.append(Rejection(line, where, err["msg"]))
    return out


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row) pairs; a row that cannot be parsed is given as an error string."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, f"not valid JSON ({exc.msg} at column {exc.colno})"
                    continue
                yield number, row if isinstance(row, dict) else "a row must be a JSON object"
    elif suffix in (".csv", ".tsv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t" if suffix == ".tsv" else ",")
            for row in reader:
                number = reader.line_num
                if None in row:
                    yield number, "more cells than header columns"
                    continue
                yield number, {k.strip(): v for k, v in row.items() if k and v not in ("", None)}
    else:
        raise IngestError(f"{path}: unsupported format {suffix!r}; use .jsonl or .csv")


def parse_file(
    path: Path, kind: Kind | None = None, progress: Callable[[int], None] | None = None
) -> ParsedFile:
    """Validate every row of ``path``; later rows with a repeated id replace earlier ones."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise IngestError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    if kind is None:
        kind = infer_kind(path)
    elif kind not in set(Kind):
        raise IngestError(f"unknown kind {kind!r}; use {', '.join(Kind)}")
    kind = Kind(kind)
    record_type = RECORD_TYPES[kind]
    parsed = ParsedFile(kind)
    by_id: dict[str, Record] = {}
    for number, row in _rows(path):
        parsed.lines += 1
        if progress:
            progress(1)
        if isinstance(row, str):
            parsed.rejected.append(Rejection(number, "(row)", row))
            continue
        try:
            record = record_type.model_validate(row)
        except ValidationError as exc:
            parsed.rejected.extend(validation_rejections(number, exc))
            continue
        by_id[record.key] = record
    parsed.records = list(by_id.values())
    return parsed


def count_rows(path: Path) -> int:
    """Rough number of rows (lines) in a file, for a progress bar's total."""
    with path.open("rb") as handle:
        return sum(1 for _ in handle)
