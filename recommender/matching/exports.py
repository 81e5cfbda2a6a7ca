"""Exports a coordinator opens in a spreadsheet: shortlists and assignments as CSV or XLSX.

Each export is a ``Table`` (a header and rows of text or numbers), written by ``to_csv`` or
``to_xlsx``. Text that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``) is written as text: a quote in CSV, a string cell in XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from recommender.matching.cohort_assignment import CohortAssignment
from recommender.matching.shortlist import Shortlist
from recommender.ranking.registry import SIGNALS

Cell = str | int | float
Format = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """One sheet: a title (the XLSX sheet's name), a header and rows."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def shortlists_table(shortlists: Sequence[Shortlist]) -> Table:
    """One row per mentee–mentor pair: rank, score, fit, every signal, reasons and gaps."""
    header = (
        "mentee_id",
        "rank",
        "mentor_id",
        "mentor_name",
        "specialty",
        "score",
        "fit",
        *SIGNALS,
        "explanation",
        "gaps",
    )
    rows: list[tuple[Cell, ...]] = []
    for shortlist in shortlists:
        for s in shortlist.suggestions:
            rows.append(
                (
                    shortlist.mentee_id,
                    s.rank,
                    s.mentor_id,
                    s.mentor_name,
                    s.specialty,
                    round(s.score, 6),
                    s.fit,
                    *(round(s.components[name].value, 6) for name in SIGNALS),
                    s.explanation,
                    " ".join(s.gaps),
                )
            )
    return Table("shortlists", header, rows)


def assignment_table(result: CohortAssignment, status: str) -> Table:
    """One row per assigned pair, then one per unmatched mentee (with the reason)."""
    header = (
        "mentee_id",
        "mentee_name",
        "mentor_id",
        "mentor_name",
        "specialty",
        "score",
        "rank_for_mentee",
        "status",
        "explanation",
    )
    rows: list[tuple[Cell, ...]] = [
        (
            p.mentee_id,
            p.mentee_name,
            p.mentor_id,
            p.mentor_name,
            p.specialty,
            round(p.score, 6),
            p.rank_for_mentee,
            status,
            p.explanation,
        )
        for p in sorted(result.pairs, key=lambda p: (p.mentee_id, p.mentor_id))
    ]
    rows += [
        (u.mentee_id, u.mentee_name, "", "", "", "", "", "unmatched", u.reason)
        for u in result.unmatched
    ]
    return Table(f"assignment {status}"[:31], header, rows)


def _text_safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> str:
    """The table as CSV (header first)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([_text_safe(v) for v in row])
    return out.getvalue()


def to_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook of one sheet: a bold, frozen, filterable header."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.title)
    widths = [len(h) for h in table.header]
    for row in table.rows:
        for j, value in enumerate(row):
            widths[j] = max(widths[j], min(60, len(str(value))))
    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = width + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.header))}{len(table.rows) + 1}"
    bold = Font(bold=True)
    header = []
    for name in table.header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(table: Table, fmt: Format) -> bytes:
    """The table in ``fmt`` as bytes (CSV in UTF-8)."""
    return to_csv(table).encode("utf-8") if fmt == "csv" else to_xlsx(table)
