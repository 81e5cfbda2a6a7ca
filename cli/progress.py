"""Progress bars on stderr with a total, a count and the time elapsed.

Library code never sees rich: it takes plain callbacks, and the command line turns them
into bars. Three shapes cover what the library asks for:

``Advance``  ``advance(n)``: n more steps are done (``parse_file``, ``Engine.refresh``).
``Start``    ``start(total) -> advance``: the library learns the total itself, then advances
             (e.g. shortlists once the cohort's mentees are loaded).
``task``     ``task(description, total) -> advance``: the library names its own stages
             (``run_evaluation(task=...)``); ``Bars.task`` has this signature.

Usage::

    with progress_bar("shortlists", total=len(mentees)) as advance:
        for m in mentees:
            ...
            advance(1)

    with progress_callback("scoring and assigning") as start:
        # the library calls advance = start(n), then advance(1) per mentee
        result = assign_cohort(engine, cohort, mode, progress=start)

    with Bars() as bars:
        run_evaluation(..., task=bars.task)

A bar whose total is unknown (``None``) pulses while it runs and shows ``done/?``; when the
block ends its total is set to the count reached (also when the count overshot the total
given), so the line left on screen reads ``N/N``. Callbacks may be called from worker threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

Advance = Callable[[int], None]
"""``advance(n)``: ``n`` more steps are done."""
Start = Callable[[int | None], Advance]
"""``start(total) -> advance``: show a bar of ``total`` steps (``None``: unknown)."""

BAR_WIDTH = 30
"""Characters of the bar itself, so description, bar, count and time fit 80 columns."""


def _stderr() -> Console:
    from cli.common import err  # the one stderr console (imported late: common imports us)

    return err


def progress(console: Console | None = None) -> Progress:
    """A rich ``Progress`` on stderr (description, bar, done/total, elapsed), left on screen
    when done. Prefer ``Bars``, ``progress_bar`` or ``progress_callback``."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=BAR_WIDTH),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console or _stderr(),
        transient=False,
    )


class Bars:
    """A group of progress bars on stderr, shown while the ``with`` block runs (from its
    first bar on: a block that shows none prints nothing).

    Args:
        console: where to draw (default: the command line's stderr console).
    """

    def __init__(self, console: Console | None = None) -> None:
        self.progress = progress(console)

    def __enter__(self) -> Bars:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self.progress.tasks:
            return
        for task in self.progress.tasks:
            if task.total is None or task.completed > task.total:
                self.progress.update(task.id, total=task.completed)
        self.progress.stop()

    def task(self, description: str, total: int | None = None) -> Advance:
        """Show a new bar; returns its ``advance(n)``.

        Args:
            description: what is being counted, e.g. ``"reading mentors.jsonl"``.
            total: steps to do; ``None`` if not known (the bar pulses).
        """
        task_id = self.progress.add_task(description, total=total)
        self.progress.start()  # once: later calls do nothing

        def advance(n: int = 1) -> None:
            self.progress.advance(task_id, n)

        return advance

    def starter(self, description: str) -> Start:
        """A ``start(total) -> advance`` callback for library code that learns the total
        itself; each call shows a new bar named ``description``."""
        return lambda total: self.task(description, total)


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Advance]:
    """One bar on stderr for the ``with`` block; yields its ``advance(n)``.

    Args:
        description: what is being counted.
        total: steps to do; ``None`` if not known.
    """
    with Bars() as bars:
        yield bars.task(description, total)


@contextmanager
def progress_callback(description: str) -> Iterator[Start]:
    """Yields ``start(total) -> advance`` for library code that learns its total itself;
    the bar appears when ``start`` is called (nothing is shown if it never is).

    Args:
        description: what is being counted.
    """
    with Bars() as bars:
        yield bars.starter(description)
