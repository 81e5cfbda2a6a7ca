"""Program cohorts: ``cohort`` (members, shortlists, export) and ``assign`` (optimal
assignment, optionally saved as a draft).

The matching code (OR-Tools, the engine) is imported only when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError

from cli.common import console, err, fail, fail_invalid, open_engine
from cli.progress import progress_bar
from cli.tables import id_column, new_table, text_column
from recommender.domain.errors import MentorMatchError
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort

if TYPE_CHECKING:
    from recommender.matching.solver import Mode

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
    table = new_table(id_column("cohort"), text_column("name"), "mentees", "mentors")
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


def _format(out: Path) -> str:
    """The export format a file name asks for (.csv or .xlsx)."""
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        fail(f"--out: {out.name!r} must end in .csv or .xlsx")
    return fmt


def _write(out: Path, table: Any) -> None:
    from recommender.matching.exports import render

    out.write_bytes(render(table, _format(out)))  # type: ignore[arg-type]
    console.print(f"wrote {out}: {len(table.rows)} rows")


@cohort_app.command("shortlists")
def cohort_shortlists_cmd(
    cohort_id: Annotated[str, typer.Argument(help="Cohort id.")],
    k: Annotated[int, typer.Option(min=1, max=50, help="Mentors per mentee.")] = 5,
    out: Annotated[
        Path, typer.Option(help="File to write: .csv or .xlsx (one row per pair).")
    ] = Path("shortlists.csv"),
) -> None:
    """Write every mentee's ranked shortlist as CSV or XLSX (one row per mentee–mentor pair)."""
    from recommender.matching.exports import shortlists_table
    from recommender.matching.review import Review
    from recommender.matching.shortlist import cohort_shortlists

    _format(out)
    engine = open_engine()
    c = _get_cohort(engine, cohort_id)
    held = Review(engine).held(cohort_id)
    with progress_bar("shortlists", total=len(c.mentee_ids)) as advance:
        found = cohort_shortlists(engine, c, k, held, progress=advance)
    _write(out, shortlists_table(found))


@cohort_app.command("export")
def cohort_export(
    cohort_id: Annotated[str, typer.Argument(help="Cohort id.")],
    out: Annotated[Path, typer.Option(help="File to write: .csv or .xlsx.")],
    assignment: Annotated[
        str | None,
        typer.Option(help="Assignment id (default: the approved one, else the newest draft)."),
    ] = None,
) -> None:
    """Export a stored assignment (a draft or the approved one) as CSV or XLSX: one row per
    pair, then one per unmatched mentee."""
    from recommender.matching.exports import assignment_table
    from recommender.matching.review import Review

    _format(out)
    engine = open_engine()
    _get_cohort(engine, cohort_id)
    review = Review(engine)
    try:
        if assignment:
            draft = review.get(cohort_id, assignment)
        else:
            live = [d for d in review.drafts(cohort_id) if d.status != "superseded"]
            draft = review.approved(cohort_id) or (live[0] if live else None)  # type: ignore[assignment]
            if draft is None:
                fail(f"cohort {cohort_id} has no assignment yet: run mentor-match assign --save")
    except MentorMatchError as exc:
        fail(exc, 1, exc)
    err.print(f"assignment {draft.id} ({draft.status}, {draft.created_at})")
    _write(out, assignment_table(draft.result, draft.status))


def assign(
    cohort_id: Annotated[str, typer.Argument(help="Cohort id.")],
    mode: Annotated[
        str, typer.Option(help="total (highest sum) or fair (max-min first).")
    ] = "total",
    out: Annotated[Path, typer.Option(help="File of assigned pairs: .csv or .xlsx.")] = Path(
        "assignment.csv"
    ),
    save: Annotated[
        bool,
        typer.Option(
            "--save/--no-save",
            help="Store the result as a draft for review and approval (as the page does).",
        ),
    ] = False,
) -> None:
    """Assign mentors to a cohort's mentees optimally; print a summary and write a file.

    When places are short, as many mentees as possible are served; the rest are listed.
    """
    from recommender.matching.cohort_assignment import assign_cohort
    from recommender.matching.exports import assignment_table
    from recommender.matching.review import Review

    if mode not in ("total", "fair"):
        fail(f"--mode: {mode!r} is not total or fair")
    chosen: Mode = "fair" if mode == "fair" else "total"
    _format(out)
    engine = open_engine()
    cohort = _get_cohort(engine, cohort_id)
    review = Review(engine)
    try:
        with progress_bar("scoring mentees", total=len(cohort.mentee_ids)) as advance:
            if save:
                draft = review.propose(cohort, "cli", chosen, progress=advance)
                result = draft.result
            else:
                result = assign_cohort(
                    engine,
                    cohort,
                    chosen,
                    held=review.held(cohort_id),
                    progress=advance,
                )
    except MentorMatchError as exc:
        err.print(f"[red]cannot assign:[/red] {exc}")
        raise typer.Exit(1) from exc
    _summary(cohort_id, result)
    _write(out, assignment_table(result, "draft" if save else "not saved"))
    if save:
        console.print(f"saved draft {draft.id}: review and approve it at /ui")
    else:
        console.print("not saved as a draft (only the file): pass --save to store it for review")


def _summary(cohort_id: str, result: Any) -> None:
    table = new_table("mode", "total score", "lowest score", title=f"cohort {cohort_id}")
    for name, objective in result.objectives.items():
        table.add_row(name, f"{objective['total']:.4f}", f"{objective['min_score']:.4f}")
    console.print(table)
    loads = ", ".join(
        f"{n} mentor(s) × {load}" for load, n in sorted(result.load_histogram.items())
    )
    console.print(
        f"{len(result.pairs)} pairs ({result.mode}); mean score {result.mean_score:.3f}; "
        f"{result.top3_share:.0%} got one of their top 3; loads: {loads}"
    )
    if result.unmatched:
        left = new_table(id_column("unmatched mentee"), text_column("why"))
        for u in result.unmatched:
            left.add_row(u.mentee_id, u.reason)
        console.print(left)
    if result.mentors_with_room:
        room = ", ".join(f"{r.mentor_id} ({r.free})" for r in result.mentors_with_room)
        console.print(f"mentors with room: {room}")
    for x in result.not_honoured:
        err.print(
            f"[yellow]{x.kind} pair not kept:[/yellow] {x.mentee_id} → {x.mentor_id}: {x.reason}"
        )
