"""Program cohorts: ``cohort`` (members, shortlists) and ``assign`` (optimal assignment).

The matching code (OR-Tools, the engine) is imported only when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table

from cli.common import console, err, fail, fail_invalid, open_engine, progress
from recommender.domain.errors import MentorMatchError
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort

cohort_app = typer.Typer(help="Program cohorts: members and shortlists.", no_args_is_help=True)

MenteeOpt = Annotated[list[str], typer.Option("--mentee", help="Mentee id (repeat).")]
MentorOpt = Annotated[list[str], typer.Option("--mentor", help="Mentor id (repeat).")]


def _get_cohort(engine: Any, cohort_id: str) -> Cohort:
    try:
        found = engine.store.get(Kind.COHORTS, cohort_id)
    except MentorMatchError as exc:
        fail(exc, 1, exc)
    assert isinstance(found, Cohort)
    return found


def _save_cohort(engine: Any, data: dict[str, Any]) -> Cohort:
    try:
        cohort = Cohort.model_validate(data)
    except ValidationError as exc:
        fail_invalid(exc)
    engine.store.upsert(Kind.COHORTS, [cohort])
    console.print(
        f"cohort {cohort.id}: {len(cohort.mentee_ids)} mentees, {len(cohort.mentor_ids)} mentors"
    )
    return cohort


def _change_members(cohort_id: str, mentee: list[str], mentor: list[str], add: bool) -> None:
    engine = open_engine()
    try:
        updated = _get_cohort(engine, cohort_id).with_members(mentee, mentor, add)
    except ValidationError as exc:
        fail_invalid(exc)
    _save_cohort(engine, updated.model_dump())


@cohort_app.command("create")
def cohort_create(
    cohort_id: Annotated[str, typer.Argument(help="New cohort id.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    mentee: Annotated[list[str], typer.Option(help="Mentee id (repeat).")] = [],  # noqa: B006
    mentor: Annotated[list[str], typer.Option(help="Mentor id (repeat).")] = [],  # noqa: B006
) -> None:
    """Create or replace a cohort."""
    _save_cohort(
        open_engine(), {"id": cohort_id, "name": name, "mentee_ids": mentee, "mentor_ids": mentor}
    )


@cohort_app.command("list")
def cohort_list() -> None:
    """List cohorts with their sizes."""
    table = Table("cohort", "name", "mentees", "mentors")
    for c in open_engine().store.records(Kind.COHORTS):
        assert isinstance(c, Cohort)
        table.add_row(c.id, c.name, str(len(c.mentee_ids)), str(len(c.mentor_ids)))
    console.print(table)


@cohort_app.command("add")
def cohort_add(
    cohort_id: Annotated[str, typer.Argument(help="Cohort id.")],
    mentee: MenteeOpt = [],  # noqa: B006
    mentor: MentorOpt = [],  # noqa: B006
) -> None:
    """Add members to a cohort."""
    _change_members(cohort_id, mentee, mentor, add=True)


@cohort_app.command("remove")
def cohort_remove(
    cohort_id: Annotated[str, typer.Argument(help="Cohort id.")],
    mentee: MenteeOpt = [],  # noqa: B006
    mentor: MentorOpt = [],  # noqa: B006
) -> None:
    """Remove members from a cohort (their profiles stay)."""
    _change_members(cohort_id, mentee, mentor, add=False)


@cohort_app.command("shortlists")
def cohort_shortlists_cmd(
    cohort_id: Annotated[str, typer.Argument(help="Cohort id.")],
    k: Annotated[int, typer.Option(min=1, max=50, help="Mentors per mentee.")] = 5,
    out: Annotated[Path, typer.Option(help="CSV file to write.")] = Path("shortlists.csv"),
) -> None:
    """Write every mentee's ranked shortlist as CSV (one row per mentee–mentor pair)."""
    from recommender.matching.shortlist import cohort_shortlists, shortlists_csv

    engine = open_engine()
    c = _get_cohort(engine, cohort_id)
    with progress() as bar:
        bar.add_task(f"shortlists for {len(c.mentee_ids)} mentees", total=None)
        found = cohort_shortlists(engine, c, k)
    out.write_text(shortlists_csv(found), encoding="utf-8")
    console.print(f"wrote {out}: {sum(len(s.suggestions) for s in found)} rows")


def assign(
    cohort_id: Annotated[str, typer.Argument(help="Cohort id.")],
    mode: Annotated[
        str, typer.Option(help="total (highest sum) or fair (max-min first).")
    ] = "total",
    out: Annotated[Path, typer.Option(help="CSV of assigned pairs.")] = Path("assignment.csv"),
) -> None:
    """Assign mentors to a cohort's mentees optimally; print a summary and write a CSV."""
    from recommender.matching.cohort_assignment import assign_cohort, assignment_csv

    if mode not in ("total", "fair"):
        fail(f"--mode: {mode!r} is not total or fair")
    engine = open_engine()
    cohort = _get_cohort(engine, cohort_id)
    try:
        with progress() as bar:
            bar.add_task(f"scoring and assigning {len(cohort.mentee_ids)} mentees", total=None)
            result = assign_cohort(engine, cohort, mode)  # type: ignore[arg-type]
    except MentorMatchError as exc:
        err.print(f"[red]cannot assign:[/red] {exc}")
        raise typer.Exit(1) from exc
    out.write_text(assignment_csv(result), encoding="utf-8")
    table = Table("mode", "total score", "lowest score", title=f"cohort {cohort_id}")
    for name, objective in result.objectives.items():
        table.add_row(name, f"{objective['total']:.4f}", f"{objective['min_score']:.4f}")
    console.print(table)
    loads = ", ".join(
        f"{n} mentor(s) × {load}" for load, n in sorted(result.load_histogram.items())
    )
    console.print(
        f"{len(result.pairs)} pairs ({result.mode}); mean score {result.mean_score:.3f}; "
        f"{result.top3_share:.0%} of mentees got one of their top 3; loads: {loads}; wrote {out}"
    )
