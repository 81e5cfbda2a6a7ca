"""The ``mentor-match`` command line: this module only assembles the app.

Each concern lives in its own module; commands are listed in ``--help`` in the order
they are registered here (top-level commands first, then the command groups).

===================  ============================================================
``data``             ingest, erase, sample: records into and out of the store
``serve``            serve (the HTTP API), recommend (suggestions on the terminal)
``bench``            bench: latency, load and assignment timings
``evaluate``         evaluate, and the ``datasets`` group (BEIR conversions)
``cohorts``          assign, and the ``cohort`` group (members, shortlists)
``relationships``    the ``relationships`` group (after the match: steps, outbox)
``backup``           backup, restore
``index``            the ``index`` group (build, status)
``keys``             the ``keys`` group (API keys)
``db``               the ``db`` group (schema upgrades)
``common``           consoles, errors, loading the model and opening the engine
``tables``           tables that fit the terminal (ids whole, long cells wrapped)
``progress``         progress bars on stderr, and the callbacks library code takes
``remote``           asking a running server (noted by ``serve``) instead of the model
===================  ============================================================
"""

from __future__ import annotations

import typer

from cli.adapt import adapt
from cli.backup import backup, restore
from cli.bench import bench
from cli.cohorts import assign, cohort_app
from cli.data import erase, ingest, sample
from cli.db import db_app
from cli.evaluate import datasets_app, evaluate
from cli.history_study import history_study
from cli.index import index_app
from cli.keys import keys_app
from cli.relationships import relationships_app
from cli.serve import recommend, serve
from cli.text_study import text_study
from cli.train import train

app = typer.Typer(
    help="Suggest mentors to trainees in medicine: ingest profiles, serve the API, recommend.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

for command in (
    ingest,
    serve,
    erase,
    recommend,
    sample,
    bench,
    evaluate,
    adapt,
    assign,
    backup,
    restore,
    train,
):
    app.command()(command)

app.command(name="text-study")(text_study)
app.command(name="history-study")(history_study)
app.add_typer(index_app, name="index")
app.add_typer(keys_app, name="keys")
app.add_typer(datasets_app, name="datasets")
app.add_typer(cohort_app, name="cohort")
app.add_typer(relationships_app, name="relationships")
app.add_typer(db_app, name="db")


def main() -> None:  # pragma: no cover
    """Entry point for ``python -m cli.main``."""
    app(prog_name="mentor-match")


if __name__ == "__main__":  # pragma: no cover
    main()
