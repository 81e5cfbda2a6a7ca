"""The relationship lifecycle against the store: each step one transaction.

``recommender.domain.relationships`` says who may do what; this module reads the stored
relationship under a write lock, applies the step, stores it with its event, and rewrites
the mentor when the places it holds change, so the next suggestion counts them (a mentee's
own request takes a place when accepted and frees it when it ends). The messages a step sends
go to the outbox in the same transaction (``recommender.matching.notifications``).

A coordinator acting on a flag sees three alternates (``alternates``: the engine's
suggestions for the mentee, which leave out every mentor the mentee has or had a
relationship with and mentors with no free place) and may end the relationship and request
an alternate in one step (``replace``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from recommender.domain.agreements import Agreement, draft_agreement
from recommender.domain.checkins import (
    SIDES,
    Answer,
    Flag,
    Round,
    Schedule,
    Survey,
    flags,
    rounds,
)
from recommender.domain.errors import InvalidProfile, UnknownMentee
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Cohort, Mentee, Mentor
from recommender.domain.relationships import (
    Action,
    Actor,
    DeclineReason,
    Relationship,
    TransitionRefused,
    request,
)
from recommender.domain.replay import replay
from recommender.domain.suggestion import Suggestion
from recommender.engine import Engine
from recommender.matching.notifications import Notices
from recommender.ranking.filters import SuggestionFilters, excluded_reason
from recommender.storage.outbox import Outbox
from recommender.storage.placements import Placements
from recommender.storage.relationships import Relationships


class Lifecycle:
    """Requests, answers, agreements and endings of relationships, stored.

    Args:
        engine: the engine over the store (its index is refreshed after each change of
            places).
        now: the clock (default: the engine's; a parameter, so a test or a replay sets it).
        schedule: when check-ins fall due for every relationship (default: the settings',
            per program: ``checkin_schedules``, else 30 days after acceptance, then every 60).
        nudge: called after a step stored messages (the server's courier sends them).
    """

    def __init__(
        self,
        engine: Engine,
        now: Callable[[], datetime] | None = None,
        schedule: Schedule | None = None,
        nudge: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.now = now or engine.clock.now
        self.fixed_schedule = schedule
        self.relationships = Relationships(engine.store.database)
        self.outbox = Outbox(engine.store.database)
        self.notices = Notices(engine.store, engine.settings)
        self.nudge = nudge or (lambda: None)

    def schedule(self, relationship: Relationship) -> Schedule:
        """When this relationship's check-ins fall due: its cohort's (or program's) plan
        from the settings, else the default one."""
        if self.fixed_schedule is not None:
            return self.fixed_schedule
        settings = self.engine.settings
        plans = settings.checkin_schedules
        if plans:
            for cohort in self._cohorts_of(relationship):
                plan = plans.get(cohort.id) or plans.get(cohort.program or "")
                if plan is not None:
                    return Schedule(plan.first_after_days, plan.every_days, plan.grace_days)
        return Schedule(
            settings.checkin_first_days, settings.checkin_every_days, settings.checkin_grace_days
        )

    def _cohorts_of(self, relationship: Relationship) -> list[Cohort]:
        """The request's cohort first, then the other cohorts the mentee belongs to."""
        found = [c for c in self.engine.store.records(Kind.COHORTS) if isinstance(c, Cohort)]
        mine = [c for c in found if relationship.mentee_id in c.mentee_ids]
        return sorted(mine, key=lambda c: c.id != relationship.cohort_id)

    def request(self, actor: Actor, mentee_id: str, mentor_id: str) -> Relationship:
        """A mentee's own request for a mentor (or an admin's on their behalf). Refused when
        the pair already has an open relationship or the mentor may not be suggested to the
        mentee (a declared conflict, no free place...). Raises ``UnknownMentee`` or
        ``UnknownMentor`` for ids not stored."""
        mentee = self.engine.store.get_mentee(mentee_id)
        mentor = self.engine.store.get_mentor(mentor_id)
        held = self.engine.known_now().held_at
        why = excluded_reason(mentee, mentor, SuggestionFilters(), self.now().date(), held)
        if why is not None:
            raise TransitionRefused(Action.REQUEST, f"mentor {mentor_id}: {why}")
        created = request(_new_id(), mentee_id, mentor_id, actor, self.now())
        with self.engine.store.transaction() as session:
            self._store_request(session, created)
        self.nudge()
        return created

    def _store_request(self, session: Session, created: Relationship) -> None:
        """Store a new request (refused while the pair has an open relationship); a
        coordinator's takes the mentor's place at once."""
        already = Relationships.open_between(session, created.mentee_id, created.mentor_id)
        if already is not None:
            raise TransitionRefused(
                Action.REQUEST, f"relationship {already.id} with this mentor is {already.state}"
            )
        if created.holds_place:
            self._check_free_place(created, Action.REQUEST)
        Relationships.save(session, created)
        if created.holds_place:
            self.engine.recount_places(session, [created.mentor_id], created.history[-1].actor)
        Outbox.add(session, self.notices.after_step(created))

    def accept(self, actor: Actor, relationship_id: str) -> Relationship:
        """The mentor accepts; a mentee's own request then takes one of their places
        (refused when none is free). The agreement is drafted from the mentee's profile."""

        def step(r: Relationship) -> Relationship:
            found = self.engine.store.existing(Kind.MENTEES, [r.mentee_id]).get(r.mentee_id)
            if not isinstance(found, Mentee):
                raise UnknownMentee(r.mentee_id)
            return r.accept(actor, self.now(), draft_agreement(found))

        return self._apply(relationship_id, step, check_place=True)

    def edit_agreement(
        self, actor: Actor, relationship_id: str, agreement: Agreement
    ) -> Relationship:
        """Either side changes the agreement (recorded with the fields changed)."""
        return self._apply(
            relationship_id, lambda r: r.edit_agreement(actor, self.now(), agreement)
        )

    def decline(
        self, actor: Actor, relationship_id: str, reason: DeclineReason, text: str = ""
    ) -> Relationship:
        """The mentor declines, with a reason from the list and optional text."""
        return self._apply(relationship_id, lambda r: r.decline(actor, self.now(), reason, text))

    def confirm(self, actor: Actor, relationship_id: str) -> Relationship:
        """The mentee or the mentor confirms the agreement."""
        return self._apply(relationship_id, lambda r: r.confirm(actor, self.now()))

    def end(
        self, actor: Actor, relationship_id: str, reason: str, completed: bool = False
    ) -> Relationship:
        """End it (or withdraw a request) with a reason; its place is freed."""
        return self._apply(relationship_id, lambda r: r.end(actor, self.now(), reason, completed))

    def check_in(
        self,
        actor: Actor,
        relationship_id: str,
        answer: Survey,
        round_number: int | None = None,
    ) -> Relationship:
        """The acting side answers a check-in: ``round_number``, or by default the latest
        round due that they have not answered. Refused when that round is not due yet."""

        def step(r: Relationship) -> Relationship:
            at = self.now()
            if actor.role not in SIDES:
                raise TransitionRefused(Action.CHECK_IN, "only the mentee or the mentor answers")
            accepted = r.accepted_at
            due = [] if accepted is None else self.schedule(r).due(accepted.date(), at.date())
            done = {a.round for a in r.answers if a.side is actor.role}
            number = round_number
            if number is None:
                pending = [n for n in range(1, len(due) + 1) if n not in done]
                number = pending[-1] if pending else len(due) + 1
            if number > len(due):
                raise TransitionRefused(Action.CHECK_IN, f"check-in {number} is not due yet")
            answered = Answer(**asdict(answer), side=actor.role, round=number, answered=at.date())
            return r.check_in(actor, at, answered)

        return self._apply(relationship_id, step)

    def rounds(self, relationship: Relationship) -> list[Round]:
        """Its check-in rounds due by now: who answered, who missed."""
        accepted = relationship.accepted_at
        if accepted is None:
            return []
        until = self._until(relationship)
        return rounds(self.schedule(relationship), accepted.date(), relationship.answers, until)

    def flags(self, relationship: Relationship) -> list[Flag]:
        """Why an open relationship needs a coordinator now (empty: it does not)."""
        accepted = relationship.accepted_at
        if accepted is None or not relationship.state.is_open:
            return []
        schedule = self.schedule(relationship)
        return flags(schedule, accepted.date(), relationship.answers, self.now().date())

    def alternates(self, relationship: Relationship, k: int = 3) -> list[Suggestion]:
        """Mentors to offer instead: the engine's suggestions for the mentee, which leave out
        the current mentor (and every mentor the mentee has had) and full mentors."""
        exclude = (relationship.mentor_id,)
        return self.engine.suggest_for(
            relationship.mentee_id, k, SuggestionFilters(exclude=exclude)
        )

    def replace(
        self,
        actor: Actor,
        relationship_id: str,
        reason: str,
        mentor_id: str,
        cohort_id: str | None = None,
    ) -> tuple[Relationship, Relationship]:
        """End the relationship (closed by ``actor``, a coordinator or admin) and request
        ``mentor_id`` for the same mentee, in one transaction: both happen or neither. The
        new request is the coordinator's for ``cohort_id`` (it holds the mentor's place
        from the start), or without a cohort an admin's on the mentee's behalf."""
        if actor.role not in (Role.COORDINATOR, Role.ADMIN):
            raise TransitionRefused(Action.END, "only a coordinator replaces a mentor")
        at = self.now()
        held = self.engine.known_now().held_at
        with self.engine.store.transaction() as session:
            before = Relationships.locked(session, relationship_id)
            ended = before.end(actor, at, reason)
            mentee = self.engine.store.get_mentee(before.mentee_id)
            mentor = self.engine.store.get_mentor(mentor_id)
            if mentor_id == before.mentor_id:
                raise TransitionRefused(Action.REQUEST, "the alternate is the current mentor")
            why = excluded_reason(mentee, mentor, SuggestionFilters(), at.date(), held)
            if why is not None:
                raise TransitionRefused(Action.REQUEST, f"mentor {mentor_id}: {why}")
            Relationships.save(session, ended)
            Outbox.add(session, self.notices.after_step(ended))
            if before.holds_place:
                self.engine.recount_places(session, [before.mentor_id], actor.name)
            created = request(_new_id(), before.mentee_id, mentor_id, actor, at, cohort_id)
            self._store_request(session, created)
        self.engine.refresh()
        self.nudge()
        return ended, created

    def book(
        self,
        session: Session,
        actor: str,
        cohort_id: str,
        assignment_id: str,
        placed: Sequence[tuple[str, str, int]],
    ) -> list[Relationship]:
        """In ``session`` (an approval's transaction): a coordinator's request for each
        approved ``(mentee, mentor, placement id)``, its place held by the placement. The
        mentor accepts or declines it like any request; a decline or an ending releases the
        placement. A pair that already has an open relationship keeps it (no second one)."""
        at = self.now()
        made = []
        for mentee_id, mentor_id, placement_id in placed:
            if Relationships.open_between(session, mentee_id, mentor_id) is not None:
                continue
            booking = {"assignment_id": assignment_id, "placement_id": placement_id}
            created = request(
                _new_id(), mentee_id, mentor_id, staff_actor(actor), at, cohort_id, booking
            )
            Relationships.save(session, created)
            Outbox.add(session, self.notices.after_step(created))
            made.append(created)
        self.nudge()
        return made

    def close_placed(
        self, session: Session, placement_ids: Sequence[int], actor: str, reason: str
    ) -> int:
        """In ``session`` (a superseding transaction, which releases the placements itself):
        close the open relationships of those approved pairs; returns how many."""
        closed = 0
        for r in Relationships.placed(session, placement_ids):
            if r.state.is_open:
                ended = r.end(staff_actor(actor), max(self.now(), r.history[-1].at), reason)
                Relationships.save(session, ended)
                Outbox.add(session, self.notices.after_step(ended))
                closed += 1
        self.nudge()
        return closed

    def import_history(self, rows: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
        """Store recorded relationships (``relationships.jsonl`` rows: ``id``, ``mentee_id``,
        ``mentor_id``, ``cohort_id``, ``history``), each replayed through the state machine,
        all in one transaction; ids already stored are left as they are (a second import
        changes nothing). No message is sent for the past. Returns (stored, already there).
        Raises ``InvalidProfile`` naming the row (1-based) and the problem; nothing is
        written then."""
        built = []
        for number, row in enumerate(rows, 1):
            try:
                built.append(
                    replay(
                        str(row["id"]),
                        str(row["mentee_id"]),
                        str(row["mentor_id"]),
                        row.get("cohort_id"),
                        list(row["history"]),
                    )
                )
            except (KeyError, TypeError, ValueError, TransitionRefused) as exc:
                raise InvalidProfile(f"row {number}", str(exc)) from exc
        store = self.engine.store
        people = {r.mentee_id for r in built}, {r.mentor_id for r in built}
        known = (
            store.existing(Kind.MENTEES, sorted(people[0])),
            store.existing(Kind.MENTORS, sorted(people[1])),
        )
        for number, r in enumerate(built, 1):
            if r.mentee_id not in known[0] or r.mentor_id not in known[1]:
                missing = r.mentee_id if r.mentee_id not in known[0] else r.mentor_id
                raise InvalidProfile(f"row {number}", f"{missing} is not stored")
        stored = kept = 0
        with store.transaction() as session:
            for r in built:
                if Relationships.exists(session, r.id):
                    kept += 1
                    continue
                Relationships.save(session, r)
                stored += 1
            held = sorted({r.mentor_id for r in built if r.holds_place})
            self.engine.recount_places(session, held, "import")
        self.engine.refresh()
        return stored, kept

    def sweep(self) -> int:
        """Store the messages that time alone causes: check-ins fallen due (to each side
        owing an answer) and alerts for relationships flagged by missed check-ins. Safe to
        repeat (each message is stored once). Returns how many were stored."""
        now = self.now()
        messages = []
        for r in self.relationships.open():
            if r.accepted_at is None:
                continue
            messages.extend(self.notices.due(r, self.rounds(r), now))
            messages.extend(self.notices.alerts(r, self.flags(r)))
        if not messages:
            return 0
        with self.engine.store.transaction() as session:
            added = Outbox.add(session, messages)
        if added:
            self.nudge()
        return added

    def _until(self, relationship: Relationship) -> date:
        """Today, or the day it ended."""
        if relationship.state.is_open:
            return self.now().date()
        return relationship.history[-1].at.date()

    def _apply(
        self,
        relationship_id: str,
        step: Callable[[Relationship], Relationship],
        check_place: bool = False,
    ) -> Relationship:
        with self.engine.store.transaction() as session:
            before = Relationships.locked(session, relationship_id)
            after = step(before)
            if check_place and after.holds_place and not before.holds_place:
                self._check_free_place(after, Action.ACCEPT)
            Relationships.save(session, after)
            moved = after.holds_place != before.holds_place
            if moved and after.placement_id is not None and not after.holds_place:
                last = after.history[-1]
                why = f"{last.action.value}: {last.reason or last.details.get('category', '')}"
                Placements.release_one(session, after.placement_id, last.at.isoformat(), why)
            if moved:
                self.engine.recount_places(session, [after.mentor_id], after.history[-1].actor)
            Outbox.add(session, self.notices.after_step(after, self.flags(after)))
        if moved:
            self.engine.refresh()
        self.nudge()
        return after

    def _check_free_place(self, relationship: Relationship, action: Action) -> None:
        stored = self.engine.store.existing(Kind.MENTORS, [relationship.mentor_id])
        mentor = stored.get(relationship.mentor_id)
        if not isinstance(mentor, Mentor) or mentor.free_places <= 0:
            raise TransitionRefused(action, f"mentor {relationship.mentor_id} has no free place")


def _new_id() -> str:
    return f"r-{uuid.uuid4().hex[:16]}"


def staff_actor(name: str) -> Actor:
    """The actor an audit trail's ``role:label`` names (a coordinator or an admin; a bare
    name, such as a script's, acts as an admin)."""
    role, _, label = name.partition(":")
    if role == Role.COORDINATOR.value:
        return Actor(Role.COORDINATOR, None, label)
    return Actor(Role.ADMIN, None, label if role == Role.ADMIN.value else name)
