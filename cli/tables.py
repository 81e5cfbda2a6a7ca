"""Tables that fit the terminal: long cells wrap, ids are never cut.

Every table the command line prints is built here, so that at 80 columns (``COLUMNS=80``)
each one still fits: text columns wrap at spaces and fold a word longer than the column
(rich's default would cut it with "…"), and id columns are never wrapped, so an id always
stays whole on one line, ready to copy. When a table's natural layout is wider than the
terminal, a command can offer a narrower layout (``first_that_fits``), e.g. a person's
name stacked under their id instead of in a column of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.console import Console
from rich.measure import Measurement
from rich.table import Column, Table

UNBOUNDED = 100_000
"""A width no table reaches: its natural (unwrapped) width is measured against it."""


def id_column(header: str, **options: Any) -> Column:
    """A column of ids: never wrapped, never cut (the table's other columns give way).

    Args:
        header: the column's heading.
        **options: more ``rich.table.Column`` options (``style``, ``justify``...).
    """
    return Column(header, no_wrap=True, overflow="fold", **options)


def text_column(header: str, **options: Any) -> Column:
    """A column that wraps at spaces and folds a word too long for it (never "…").

    Args:
        header: the column's heading.
        **options: more ``rich.table.Column`` options (``ratio``, ``max_width``...).
    """
    return Column(header, overflow="fold", **options)


def new_table(*columns: Column | str, title: str | None = None, **options: Any) -> Table:
    """A table whose plain-string columns are ``text_column``s.

    Args:
        *columns: ``Column``s (``id_column``, ``text_column``) or headings of text columns.
        title: shown above the table (it wraps too).
        **options: more ``rich.table.Table`` options.
    """
    made = [text_column(c) if isinstance(c, str) else c for c in columns]
    return Table(*made, title=title, **options)


def key_value_table(
    rows: Iterable[tuple[str, str]],
    title: str | None = None,
    headers: tuple[str, str] = ("what", "value"),
) -> Table:
    """A two-column table of names and values (status, summaries, manifests).

    Args:
        rows: ``(name, value)`` pairs, in order.
        title: shown above the table.
        headers: the two headings.
    """
    table = new_table(*headers, title=title)
    for name, value in rows:
        table.add_row(name, value)
    return table


def natural_width(table: Table, console: Console) -> int:
    """Columns the table takes when nothing in it wraps."""
    return Measurement.get(console, console.options.update_width(UNBOUNDED), table).maximum


def fits(table: Table, console: Console) -> bool:
    """True if ``table`` fits ``console`` without wrapping any cell."""
    return natural_width(table, console) <= console.width


def first_that_fits(console: Console, *layouts: Callable[[], Table]) -> Table:
    """The first layout whose table fits ``console`` unwrapped; else the last one (which
    should be the narrowest: its cells wrap to fit).

    Args:
        console: where the table will be printed (its width decides).
        *layouts: functions building the same rows as tables, widest layout first.
    """
    if not layouts:
        raise ValueError("first_that_fits needs at least one layout")
    for build in layouts[:-1]:
        table = build()
        if fits(table, console):
            return table
    return layouts[-1]()
