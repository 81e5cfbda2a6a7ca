"""Reading program exports (JSONL or CSV) into validated records, with per-row rejections.

Bad rows are reported (line, field, problem) and never written; the good rows of a file are
written in one transaction by the caller, so a failure leaves the store as it was.

An export's own column names can be mapped onto fields (``columns``: export column → field).
Columns that are not fields of the record type (CSV headers, JSONL keys), once mapped, are
ignored and listed once per file in ``ParsedFile.unknown_columns``; the known fields are
validated as strictly as ever.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from recommender.domain.kinds import Kind
from recommender.domain.profiles import RECORD_TYPES, Record

MAX_FILE_BYTES = 512 * 1024 * 1024
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv", ".tsv")


@dataclass(frozen=True)
class Rejection:
    """One problem of a bad row: where, which field, what is wrong."""

    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}, field {self.field}: {self.problem}"


@dataclass(frozen=True)
class RejectedRow:
    """A bad row with every problem found in it (a row counts once, however many)."""

    line: int
    problems: tuple[Rejection, ...]

    def __str__(self) -> str:
        return f"line {self.line}, " + "; ".join(
            f"field {p.field}: {p.problem}" for p in self.problems
        )


@dataclass
class ParsedFile:
    """The valid records of a file, the problems of the rows rejected, and the columns ignored.

    ``rows`` counts the data rows read (not a CSV header, not blank lines); ``rejected`` holds
    one entry per problem, ``rejected_rows`` one per bad row.
    """

    kind: Kind
    records: list[Record] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    rows: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    unused_map: list[str] = field(default_factory=list)

    @property
    def lines(self) -> int:
        """Former name of ``rows``."""
        return self.rows

    @property
    def rejected_rows(self) -> list[RejectedRow]:
        """The bad rows in file order, each with all its problems."""
        by_line: dict[int, list[Rejection]] = {}
        for rejection in self.rejected:
            by_line.setdefault(rejection.line, []).append(rejection)
        return [RejectedRow(line, tuple(found)) for line, found in sorted(by_line.items())]

    @property
    def superseded(self) -> int:
        """Valid rows replaced by a later row with the same id."""
        return self.rows - len(self.rejected_rows) - len(self.records)


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


def fields_of(kind: Kind) -> list[str]:
    """The field names of a kind's record type, in declaration order."""
    return list(RECORD_TYPES[Kind(kind)].model_fields)


def parse_column_map(entries: Iterable[str]) -> dict[str, str]:
    """``COLUMN=FIELD`` strings as a mapping; ``IngestError`` for a malformed or ambiguous one."""
    columns: dict[str, str] = {}
    for entry in entries:
        column, equals, target = entry.rpartition("=")
        column, target = column.strip(), target.strip()
        if not equals or not column or not target:
            raise IngestError(f"--map {entry!r}: expected COLUMN=FIELD, e.g. 'Dept=specialty'")
        if column in columns and columns[column] != target:
            raise IngestError(f"--map: column {column!r} is mapped twice")
        if target in columns.values() and columns.get(column) != target:
            raise IngestError(f"--map: more than one column is mapped onto {target!r}")
        columns[column] = target
    return columns


def check_column_map(columns: Mapping[str, str], kinds: Iterable[Kind]) -> None:
    """``IngestError`` unless each mapped field is a field of at least one of ``kinds``."""
    kinds = list(dict.fromkeys(Kind(k) for k in kinds))
    known = {name for kind in kinds for name in fields_of(kind)}
    for column, target in columns.items():
        if target not in known:
            listed = "; ".join(f"{kind}: {', '.join(fields_of(kind))}" for kind in kinds)
            raise IngestError(
                f"--map {column}={target}: {target!r} is not a field of "
                f"{' or '.join(kinds)} (fields of {listed})"
            )


def validation_rejections(line: int, error: ValidationError) -> list[Rejection]:
    """One rejection per pydantic error, naming the field path."""
    out = []
    for err in error.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(row)"
        out.append(Rejection(line, where, err["msg"]))
    return out


def _check_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in JSONL_SUFFIXES + CSV_SUFFIXES:
        raise IngestError(f"{path}: unsupported format {suffix!r}; use .jsonl or .csv")
    return suffix


def _csv_reader(handle: Any, suffix: str) -> Any:
    return csv.reader(handle, delimiter="\t" if suffix == ".tsv" else ",")


def _rows(
    path: Path, header: Callable[[list[str]], None]
) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row) pairs of the data rows; a row that cannot be parsed is given as an
    error string. ``header`` receives a CSV file's column names before its first row."""
    suffix = _check_format(path)
    if suffix in JSONL_SUFFIXES:
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
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = _csv_reader(handle, suffix)
        names: list[str] | None = None
        for cells in reader:
            if not cells:
                continue  # a blank line
            if names is None:
                names = [name.strip() for name in cells]
                header(names)
                continue
            number = reader.line_num
            if len(cells) > len(names):
                yield number, "more cells than header columns"
                continue
            yield number, {k: v for k, v in zip(names, cells, strict=False) if k and v != ""}


def parse_file(
    path: Path,
    kind: Kind | None = None,
    progress: Callable[[int], None] | None = None,
    columns: Mapping[str, str] | None = None,
) -> ParsedFile:
    """Validate every row of ``path``; later rows with a repeated id replace earlier ones.

    ``columns`` maps an export's column names onto fields (each field must be one of this
    kind's). Other columns that are not fields are ignored and listed in ``unknown_columns``.
    ``progress`` is called with 1 per data row.
    """
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise IngestError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    if kind is None:
        kind = infer_kind(path)
    elif kind not in set(Kind):
        raise IngestError(f"unknown kind {kind!r}; use {', '.join(Kind)}")
    kind = Kind(kind)
    columns = dict(columns or {})
    check_column_map(columns, [kind])
    record_type = RECORD_TYPES[kind]
    known = set(record_type.model_fields)
    origin = {target: column for column, target in columns.items()}
    parsed = ParsedFile(kind)
    seen: dict[str, None] = {}
    unknown: dict[str, None] = {}

    def note_columns(names: Iterable[str]) -> None:
        for name in names:
            if name and name not in seen:
                seen[name] = None
                if name not in columns and name not in known:
                    unknown[name] = None

    def on_header(names: list[str]) -> None:
        note_columns(names)
        for column, target in columns.items():
            if column in names and target in names:
                raise IngestError(
                    f"{path}: --map {column}={target}, but the file has a {target!r} column too"
                )

    by_id: dict[str, Record] = {}
    for number, row in _rows(path, on_header):
        parsed.rows += 1
        if progress:
            progress(1)
        if isinstance(row, str):
            parsed.rejected.append(Rejection(number, "(row)", row))
            continue
        note_columns(row)
        clash = [t for c, t in columns.items() if c in row and t in row]
        if clash:
            parsed.rejected.extend(
                Rejection(number, t, f"given both as {t!r} and as {origin[t]!r} (--map)")
                for t in clash
            )
            continue
        fields = {columns.get(k, k): v for k, v in row.items() if k in columns or k in known}
        try:
            record = record_type.model_validate(fields)
        except ValidationError as exc:
            parsed.rejected.extend(_name_columns(validation_rejections(number, exc), origin))
            continue
        by_id[record.key] = record
    parsed.records = list(by_id.values())
    parsed.unknown_columns = list(unknown)
    parsed.unused_map = [column for column in columns if column not in seen]
    return parsed


def _name_columns(rejections: list[Rejection], origin: Mapping[str, str]) -> list[Rejection]:
    """Add the export's column name to rejections of a mapped field."""
    out = []
    for r in rejections:
        head = r.field.split(".", 1)[0]
        if head in origin:
            r = Rejection(r.line, f"{r.field} (column {origin[head]})", r.problem)
        out.append(r)
    return out


def count_rows(path: Path) -> int:
    """Number of data rows in a file (no CSV header, no blank lines), for a progress bar."""
    suffix = _check_format(path)
    if suffix in JSONL_SUFFIXES:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return max(0, sum(1 for cells in _csv_reader(handle, suffix) if cells) - 1)
