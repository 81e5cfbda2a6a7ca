"""Messages about relationships: what each step and each due date tells whom, and sending.

``Notices`` composes messages: one per step of a relationship for the people it concerns
(a new request to the mentor, a decision to the mentee, an edited agreement to the other
side, an ending to the side that did not end it), check-ins falling due to each side that
owes an answer, and alerts to the cohort's coordinators when a relationship is flagged.
They go to the outbox (``recommender.storage.outbox``) in the transaction of the step.

``Postman`` sends the outbox's messages through the configured SMTP server, and nothing at
all when none is configured (``MENTOR_MATCH_SMTP_HOST``). ``Courier`` runs both on a
background thread in the server: due check-ins are looked for and messages sent every
``notify_every_s`` seconds, and at once after each step (``nudge``).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from recommender.domain.checkins import Flag, Round
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Cohort, Mentee, Mentor
from recommender.domain.relationships import Action, Relationship, State
from recommender.settings import Settings
from recommender.storage.outbox import Message, Outbox, OutboxRow
from recommender.storage.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Party:
    """One person a message may go to."""

    role: str
    id: str
    name: str
    address: str | None


class Notices:
    """Composes the messages about relationships.

    Args:
        store: where the people's names and addresses are read.
        settings: the coordinators' addresses (``contact_emails``).
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    # -- who ---------------------------------------------------------------------------------

    def parties(self, relationship: Relationship) -> tuple[Party, Party]:
        """The mentee and the mentor (an erased or unknown person: no name, no address)."""
        found = self.store.existing(Kind.MENTEES, [relationship.mentee_id])
        mentee = found.get(relationship.mentee_id)
        found = self.store.existing(Kind.MENTORS, [relationship.mentor_id])
        mentor = found.get(relationship.mentor_id)
        return (
            _party(Role.MENTEE, relationship.mentee_id, mentee),
            _party(Role.MENTOR, relationship.mentor_id, mentor),
        )

    def coordinators(self, relationship: Relationship) -> list[Party]:
        """Where the alerts of this relationship go: the address set for its cohort (or the
        program of it), for each cohort the mentee belongs to (or the request's cohort)."""
        cohorts = [
            c
            for c in self.store.records(Kind.COHORTS)
            if isinstance(c, Cohort)
            and (c.id == relationship.cohort_id or relationship.mentee_id in c.mentee_ids)
        ]
        out: dict[str, Party] = {}
        for cohort in cohorts:
            for key in (cohort.id, cohort.program):
                address = self.settings.contact_emails.get(key or "")
                if address:
                    out.setdefault(address, Party(Role.COORDINATOR.value, key or "", "", address))
                    break
            else:
                out.setdefault(cohort.id, Party(Role.COORDINATOR.value, cohort.id, "", None))
        return list(out.values())

    # -- what ----------------------------------------------------------------------------------

    def after_step(self, after: Relationship, flags: Iterable[Flag] = ()) -> list[Message]:
        """The messages the last step of ``after`` sends, and alerts for ``flags``."""
        step = after.history[-1]
        mentee, mentor = self.parties(after)
        key = f"step:{after.id}:{len(after.history)}"
        at = step.at
        out: list[Message] = []

        def send(to: Party, kind: str, subject: str, body: str) -> None:
            out.append(_message(f"{key}:{to.role}:{to.id}", kind, after, to, subject, body, at))

        other = mentor if step.actor.startswith(f"{Role.MENTEE.value}:") else mentee
        if step.action is Action.REQUEST:
            how = "a coordinator" if after.cohort_id else (mentee.name or "a mentee")
            send(
                mentor,
                "request",
                f"New mentoring request from {mentee.name or after.mentee_id}",
                f"{how} asks you to mentor {mentee.name or after.mentee_id}. Accept or "
                f"decline the request (relationship {after.id}) in mentor-match.",
            )
        elif step.action is Action.ACCEPT:
            send(
                mentee,
                "decision",
                f"{mentor.name or after.mentor_id} accepted your request",
                f"{mentor.name or after.mentor_id} accepted (relationship {after.id}). Read "
                "the mentoring agreement drafted from your profile, edit it if you like, "
                "and confirm it; the mentor confirms it too.",
            )
        elif step.action is Action.DECLINE:
            category = step.details.get("category", "")
            send(
                mentee,
                "decision",
                f"{mentor.name or after.mentor_id} declined your request",
                f"{mentor.name or after.mentor_id} declined ({category}"
                + (f": {step.reason}" if step.reason else "")
                + "). Your suggestions no longer list this mentor; ask another.",
            )
        elif step.action is Action.AGREE:
            changed = ", ".join(str(f) for f in step.details.get("changed", ()))
            send(
                other,
                "agreement",
                "Your mentoring agreement was changed",
                f"The agreement of relationship {after.id} was changed ({changed}) by "
                f"{step.actor}."
                + (" Please confirm it again." if after.state is State.ACCEPTED else ""),
            )
        elif step.action is Action.CONFIRM and after.state is State.ACTIVE:
            for party in (mentee, mentor):
                send(
                    party,
                    "agreement",
                    "Your mentoring relationship has started",
                    f"Both sides confirmed the agreement of relationship {after.id}. You "
                    "will be asked to check in on how it goes.",
                )
        elif step.action is Action.CONFIRM:
            send(
                other,
                "agreement",
                "Please confirm your mentoring agreement",
                f"The other side confirmed the agreement of relationship {after.id}.",
            )
        elif step.action is Action.END:
            ending = step.details.get("ending", "ended")
            told = [p for p in (mentee, mentor) if not step.actor.startswith(f"{p.role}:")]
            for party in told:
                send(
                    party,
                    "ending",
                    "Your mentoring relationship has ended",
                    f"Relationship {after.id} ended ({ending}): {step.reason}",
                )
        out.extend(self.alerts(after, flags))
        return out

    def alerts(self, relationship: Relationship, flags: Iterable[Flag]) -> list[Message]:
        """One alert per flag to the coordinators (keyed by its reason: sent once)."""
        out = []
        at = relationship.history[-1].at
        for flag in flags:
            for to in self.coordinators(relationship):
                out.append(
                    _message(
                        f"alert:{relationship.id}:{flag.reason}:{to.id}",
                        "alert",
                        relationship,
                        to,
                        f"Relationship {relationship.id} needs attention",
                        f"{relationship.mentee_id} with {relationship.mentor_id}: {flag.reason}. "
                        "See its alternates in mentor-match.",
                        at,
                    )
                )
        return out

    def due(
        self, relationship: Relationship, rounds: Iterable[Round], now: datetime
    ) -> list[Message]:
        """A message to each side owing an answer to a round that has fallen due."""
        mentee, mentor = self.parties(relationship)
        out = []
        for r in rounds:
            for party in (mentee, mentor):
                if Role(party.role) in r.open_sides:
                    out.append(
                        _message(
                            f"due:{relationship.id}:{r.number}:{party.role}",
                            "check-in",
                            relationship,
                            party,
                            f"Check-in {r.number} is due",
                            f"Check-in {r.number} of relationship {relationship.id} fell due "
                            f"on {r.due.isoformat()}: how often have you met, how is it going?",
                            now,
                        )
                    )
        return out


def _party(role: Role, person_id: str, record: object) -> Party:
    if isinstance(record, Mentee | Mentor):
        return Party(role.value, person_id, record.name, record.email)
    return Party(role.value, person_id, "", None)


def _message(
    key: str,
    kind: str,
    relationship: Relationship,
    to: Party,
    subject: str,
    body: str,
    at: datetime,
) -> Message:
    return Message(key, kind, relationship.id, to.role, to.id, to.address, subject, body, at)


# -- sending -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What one sending pass did."""

    sent: int = 0
    failed: int = 0
    configured: bool = True


class Postman:
    """Sends the outbox's messages through the configured SMTP server.

    Args:
        outbox: the stored messages.
        settings: the SMTP server (``smtp_*``) and the sender address.
        now: the clock the sending time is recorded by.
    """

    def __init__(self, outbox: Outbox, settings: Settings, now: Callable[[], datetime]) -> None:
        self.outbox = outbox
        self.settings = settings
        self.now = now
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        """Whether a mail server is set (without one nothing is ever sent)."""
        return bool(self.settings.smtp_host)

    def send_pending(self, limit: int = 500) -> Delivery:
        """Send messages not sent yet (and retry failed ones), over one connection; each is
        marked sent or failed with the error. One pass at a time."""
        if not self.configured:
            return Delivery(configured=False)
        with self._lock:
            waiting = self.outbox.claim(self.now(), limit)
            if not waiting:
                return Delivery()
            try:
                with self._connect() as smtp:
                    return self._send_all(smtp, waiting)
            except (OSError, smtplib.SMTPException) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                log.warning("mail server %s: %s", self.settings.smtp_host, problem)
                for row in waiting:
                    self.outbox.mark(row.seq, self.now(), problem)
                return Delivery(failed=len(waiting))

    def _send_all(self, smtp: smtplib.SMTP, waiting: list[OutboxRow]) -> Delivery:
        sent = failed = 0
        for row in waiting:
            try:
                smtp.send_message(self._email(row))
            except smtplib.SMTPException as exc:
                self.outbox.mark(row.seq, self.now(), f"{type(exc).__name__}: {exc}")
                failed += 1
            else:
                self.outbox.mark(row.seq, self.now(), None)
                sent += 1
        return Delivery(sent, failed)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host is not None
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10)
        if s.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if s.smtp_user:
            password = s.smtp_password.get_secret_value() if s.smtp_password else ""
            smtp.login(s.smtp_user, password)
        return smtp

    def _email(self, row: OutboxRow) -> EmailMessage:
        email = EmailMessage()
        email["From"] = formataddr(("mentor-match", self.settings.smtp_sender))
        email["To"] = row.address or ""
        email["Subject"] = row.subject
        email["Message-ID"] = make_msgid(domain="mentor-match")
        email["X-Mentor-Match-Key"] = row.key
        email.set_content(row.body)
        return email


class Courier:
    """A background thread that looks for check-ins falling due and sends messages, and
    writes the suggestions shown (every ``TICK_S`` seconds).

    Args:
        postman: sends the messages.
        every_s: seconds between passes when nothing nudges it.
    """

    TICK_S = 2.0

    def __init__(self, postman: Postman, every_s: float) -> None:
        self.sweep: Callable[[], object] = lambda: None
        self.flush: Callable[[], object] = lambda: None
        self.postman = postman
        self.every_s = every_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, sweep: Callable[[], object], flush: Callable[[], object]) -> None:
        """Start the thread (one pass at once); ``sweep`` finds what fell due and stores its
        messages (``Lifecycle.sweep``), ``flush`` writes what waits in memory (the
        suggestions shown)."""
        self.sweep, self.flush = sweep, flush
        self._thread = threading.Thread(target=self._run, name="mentor-match-courier", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """Make a pass now (after a step stored messages)."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the thread after its current pass, and write what still waits."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.flush()

    def _run(self) -> None:
        last = float("-inf")
        nudged = True
        while not self._stop.is_set():
            try:
                self.flush()
                if nudged or time.monotonic() - last >= self.every_s:
                    last = time.monotonic()
                    self.sweep()
                    self.postman.send_pending()
            except Exception:  # keep the thread alive: the next pass retries
                log.exception("notification pass failed")
            nudged = self._wake.wait(min(self.TICK_S, self.every_s))
            self._wake.clear()
