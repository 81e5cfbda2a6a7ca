"""``mentor-match relationships``: the life of a pairing after the match, from the terminal.

The same steps as ``/v1/relationships``, run against the store directly: list and show,
request, accept, decline, confirm, check in, end, the alternates of a flagged one and
replacing its mentor, the outbox and a notification pass (for a deployment without a
running server, from cron). ``--as ROLE:ID`` says who acts (``mentee:me1``,
``mentor:card1``, ``coordinator:LABEL``); the default is the program's administrator
(``admin:cli``), and the audit trail names whoever it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

import typer

from cli.common import console, fail, open_engine
from cli.tables import id_column, key_value_table, new_table
from recommender.domain.errors import MentorMatchError

if TYPE_CHECKING:
    from recommender.domain.relationships import Actor, Relationship
    from recommender.matching.lifecycle import Lifecycle

T = TypeVar("T")

relationships_app = typer.Typer(
    help="Relationships after the match: requests, decisions, agreements, check-ins, endings.",
    no_args_is_help=True,
)

AsOption = Annotated[
    str,
    typer.Option(
        "--as", help="Who acts: admin, coordinator:LABEL, mentee:ID or mentor:ID (default admin)."
    ),
]


def actor(who: str) -> Actor:
    """The actor ``--as`` names (exit 2 for a malformed one)."""
    from recommender.domain.kinds import Role
    from recommender.domain.relationships import Actor

    role, _, name = who.partition(":")
    try:
        kind = Role(role)
    except ValueError:
        fail(f"--as: {role!r} is not admin, coordinator, mentee or mentor")
    if kind in (Role.MENTEE, Role.MENTOR):
        if not name:
            fail(f"--as: give the {role}'s id ({role}:ID)")
        return Actor(kind, name, name)
    return Actor(kind, None, name or "cli")


def _life() -> Lifecycle:
    from recommender.matching.lifecycle import Lifecycle

    return Lifecycle(open_engine(empty_ok=True))


def _guard(call: Callable[[], T]) -> T:
    """Run a lifecycle step, exiting 2 with the reason on a refusal or an unknown id; a
    changed relationship's new state is printed."""
    from recommender.domain.relationships import Relationship

    try:
        done = call()
    except MentorMatchError as exc:
        fail(exc, 2, exc)
    if isinstance(done, Relationship):
        console.print(f"relationship {done.id}: {done.state}")
    return done


@relationships_app.command("list")
def list_relationships(
    mentee: Annotated[Optional[str], typer.Option(help="Only this mentee's.")] = None,  # noqa: UP045
    mentor: Annotated[Optional[str], typer.Option(help="Only this mentor's.")] = None,  # noqa: UP045
    cohort: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Only those of this cohort's mentees (or requested for it)."),
    ] = None,
    state: Annotated[Optional[str], typer.Option(help="requested, accepted, active...")] = None,  # noqa: UP045
    flagged: Annotated[bool, typer.Option(help="Only flagged ones.")] = False,
) -> None:
    """Relationships with their state, next check-in and flags, newest request first."""
    from recommender.domain.kinds import Kind
    from recommender.domain.profiles import Cohort

    life = _life()
    found = life.relationships.every()
    if cohort is not None:
        stored = life.engine.store.existing(Kind.COHORTS, [cohort]).get(cohort)
        if not isinstance(stored, Cohort):
            fail(f"cohort {cohort} not found")
        members = set(stored.mentee_ids)
        found = [r for r in found if r.mentee_id in members or r.cohort_id == cohort]
    found = [
        r
        for r in found
        if (mentee is None or r.mentee_id == mentee)
        and (mentor is None or r.mentor_id == mentor)
        and (state is None or r.state.value == state)
    ]
    flags = {r.id: life.flags(r) for r in found}
    if flagged:
        found = [r for r in found if flags[r.id]]
    table = new_table(
        id_column("id"), id_column("mentee"), id_column("mentor"), "state", "requested", "flags"
    )
    for r in found:
        table.add_row(
            r.id,
            r.mentee_id,
            r.mentor_id,
            r.state.value,
            r.requested_at.date().isoformat(),
            "; ".join(f.reason for f in flags[r.id]),
        )
    console.print(table)
    console.print(f"{len(found)} relationships")


@relationships_app.command("show")
def show(relationship_id: str) -> None:
    """One relationship: agreement, check-ins, flags and its dated history."""
    life = _life()
    r = _guard(lambda: life.relationships.get(relationship_id))
    rows = [
        ("mentee", r.mentee_id),
        ("mentor", r.mentor_id),
        ("origin", r.origin.value + (f" (cohort {r.cohort_id})" if r.cohort_id else "")),
        ("confirmed by", ", ".join(sorted(s.value for s in r.confirmed)) or "-"),
    ]
    if r.agreement is not None:
        a = r.agreement
        rows += [
            ("goals", "; ".join(a.goals)),
            ("meets", f"{a.cadence.value}, {a.mode.value}"),
            ("mentee expects", a.mentee_expects or "-"),
            ("mentor expects", a.mentor_expects or "-"),
        ]
    for n in life.rounds(r):
        answered = ", ".join(sorted(s.value for s in n.answered)) or "nobody"
        missed = ", ".join(sorted(s.value for s in n.missed))
        rows.append(
            (
                f"check-in {n.number}",
                f"due {n.due}: answered by {answered}"
                + (f", missed by {missed}" if missed else ""),
            )
        )
    rows += [("flag", f.reason) for f in life.flags(r)]
    console.print(key_value_table(rows, title=f"relationship {r.id}: {r.state.value}"))
    history = new_table("when", "step", "by", "reason")
    for t in r.history:
        history.add_row(t.at.isoformat(timespec="minutes"), t.action.value, t.actor, t.reason)
    console.print(history)


@relationships_app.command("request")
def request_mentor(mentee: str, mentor: str, who: AsOption = "admin") -> None:
    """A mentee's request for a mentor (``--as mentee:ID``, or an admin on their behalf)."""
    life = _life()
    _guard(lambda: life.request(actor(who), mentee, mentor))


@relationships_app.command("accept")
def accept(relationship_id: str, who: AsOption = "admin") -> None:
    """The mentor accepts (``--as mentor:ID``); the agreement is drafted for both."""
    life = _life()
    _guard(lambda: life.accept(actor(who), relationship_id))


@relationships_app.command("decline")
def decline(
    relationship_id: str,
    reason: Annotated[
        str,
        typer.Option(
            help="no capacity, outside my expertise, timing, conflict of interest or other."
        ),
    ],
    text: Annotated[str, typer.Option(help="Why, in a few words (required with other).")] = "",
    who: AsOption = "admin",
) -> None:
    """The mentor declines with a reason."""
    from recommender.domain.relationships import DeclineReason

    try:
        category = DeclineReason(reason)
    except ValueError:
        choices = ", ".join(r.value for r in DeclineReason)
        fail(f"--reason: one of {choices}")
    life = _life()
    _guard(lambda: life.decline(actor(who), relationship_id, category, text))


@relationships_app.command("confirm")
def confirm(relationship_id: str, who: AsOption) -> None:
    """The mentee or the mentor confirms the agreement (``--as mentee:ID`` or ``mentor:ID``)."""
    life = _life()
    _guard(lambda: life.confirm(actor(who), relationship_id))


@relationships_app.command("check-in")
def check_in(
    relationship_id: str,
    who: AsOption,
    meetings: Annotated[int, typer.Option(help="Meetings since the last check-in.")],
    progress: Annotated[int, typer.Option(help="Progress towards the goals, 1-5.")],
    satisfaction: Annotated[int, typer.Option(help="Satisfaction, 1-5.")],
    wellbeing: Annotated[Optional[int], typer.Option(help="Mentees: well-being, 1-5.")] = None,  # noqa: UP045
    support: Annotated[bool, typer.Option(help="Mentees: I would like support.")] = False,
    comment: Annotated[str, typer.Option(help="Private to the program.")] = "",
) -> None:
    """One side answers the check-in that has fallen due."""
    from recommender.domain.checkins import Survey

    survey = Survey(meetings, progress, satisfaction, wellbeing, support, comment)
    life = _life()
    _guard(lambda: life.check_in(actor(who), relationship_id, survey))


@relationships_app.command("end")
def end(
    relationship_id: str,
    reason: Annotated[str, typer.Option(help="Why it ends.")],
    completed: Annotated[bool, typer.Option(help="It reached its goals.")] = False,
    who: AsOption = "admin",
) -> None:
    """End it (or withdraw a request); its place is freed."""
    life = _life()
    _guard(lambda: life.end(actor(who), relationship_id, reason, completed))


@relationships_app.command("alternates")
def alternates(relationship_id: str, k: Annotated[int, typer.Option(min=1, max=20)] = 3) -> None:
    """Mentors to offer instead (without the current mentor, past ones and full ones)."""
    life = _life()
    r = _guard(lambda: life.relationships.get(relationship_id))
    table = new_table("rank", id_column("mentor"), "score", "why")
    for s in life.alternates(r, k):
        table.add_row(str(s.rank), s.mentor_id, f"{s.score:.2f}", s.explanation)
    console.print(table)


@relationships_app.command("replace")
def replace(
    relationship_id: str,
    mentor: Annotated[str, typer.Option(help="The alternate mentor.")],
    reason: Annotated[str, typer.Option(help="Why it ends.")],
    cohort: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="The cohort the new request is for (default: the relationship's)."),
    ] = None,
    who: AsOption = "admin",
) -> None:
    """End the relationship and request the alternate, in one step."""
    life = _life()

    def both() -> Relationship:
        current = life.relationships.get(relationship_id)
        ended, created = life.replace(
            actor(who), relationship_id, reason, mentor, cohort or current.cohort_id
        )
        console.print(f"relationship {ended.id}: {ended.state}")
        return created

    _guard(both)


@relationships_app.command("outbox")
def outbox(
    status: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="pending, sending, sent, failed or no address."),
    ] = None,
    jsonl: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Write every message as JSON lines to this file."),
    ] = None,
) -> None:
    """The stored messages and their delivery state."""
    life = _life()
    rows = life.outbox.messages(status)
    if jsonl is not None:
        fields = (
            "seq",
            "key",
            "kind",
            "relationship_id",
            "recipient_role",
            "recipient_id",
            "address",
            "subject",
            "body",
            "created_at",
            "status",
            "attempts",
            "sent_at",
            "error",
        )
        with jsonl.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps({f: getattr(row, f) for f in fields}) + "\n")
        console.print(f"{len(rows)} messages written to {jsonl}")
        return
    table = new_table("#", "kind", id_column("to"), "subject", "status")
    for row in rows:
        table.add_row(
            str(row.seq),
            row.kind,
            f"{row.recipient_role}:{row.recipient_id}",
            row.subject,
            row.status,
        )
    console.print(table)


@relationships_app.command("notify")
def notify() -> None:
    """Look for check-ins fallen due and alerts, and send what is waiting (through
    ``MENTOR_MATCH_SMTP_HOST``; nothing is sent without one). For cron, when no server
    runs (a running server does it every ``MENTOR_MATCH_NOTIFY_EVERY_S`` seconds)."""
    from recommender.matching.notifications import Postman

    life = _life()
    added = life.sweep()
    settings = life.engine.settings
    report = Postman(life.outbox, settings, life.now).send_pending(limit=10_000)
    if not report.configured:
        console.print(f"{added} messages stored; no mail server set (MENTOR_MATCH_SMTP_HOST)")
        return
    console.print(f"{added} messages stored; {report.sent} sent, {report.failed} failed")
    if report.failed:
        raise typer.Exit(1)


@relationships_app.command("outcomes")
def outcomes(
    out: Annotated[Path, typer.Option(help="The JSON lines file to write.")],
    since: Annotated[
        Optional[datetime],  # noqa: UP045
        typer.Option(help="Only events at or after this time (UTC unless a zone is given)."),
    ] = None,
) -> None:
    """Export the outcome log: every suggestion shown and every relationship step, oldest
    first, one JSON object per line."""
    from recommender.matching.outcomes import outcome_log

    life = _life()
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    n = 0
    with out.open("w", encoding="utf-8") as handle:
        for row in outcome_log(life.engine, since):
            handle.write(json.dumps(row) + "\n")
            n += 1
    console.print(f"{n} events written to {out}")


@relationships_app.command("import")
def import_history(
    file: Annotated[Path, typer.Argument(help="relationships.jsonl: one relationship a line.")],
) -> None:
    """Store recorded relationships (the sample's two-year history, or another system's),
    each step replayed through the state machine; all or nothing. Ids already stored are
    left as they are, so importing twice changes nothing."""
    if not file.is_file():
        fail(f"{file}: no such file")
    rows = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            fail(f"{file}, line {number}: not JSON ({exc.msg})")
    life = _life()
    stored, kept = _guard(lambda: life.import_history(rows))
    console.print(f"{stored} relationships stored, {kept} already there")
