"""The relationship lifecycle against the store: each step one transaction.

``recommender.domain.relationships`` says who may do what; this module reads the stored
relationship under a write lock, applies the step, stores it with its event, and rewrites
the mentor when the places it holds change, so the next suggestion counts them (a mentee's
own request takes a place when accepted and frees it when it ends).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime

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
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Mentor
from recommender.domain.relationships import (
    Action,
    Actor,
    DeclineReason,
    Relationship,
    TransitionRefused,
    request,
)
from recommender.engine import Engine
from recommender.ranking.filters import SuggestionFilters, excluded_reason
from recommender.storage.relationships import Relationships


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Lifecycle:
    """Requests, answers, agreements and endings of relationships, stored.

    Args:
        engine: the engine over the store (its index is refreshed after each change of
            places).
        now: the clock (a parameter, so a test or a replay sets the time).
        schedule: when check-ins fall due (default: 30 days after acceptance, then every 60).
    """

    def __init__(
        self,
        engine: Engine,
        now: Callable[[], datetime] = _utc_now,
        schedule: Schedule | None = None,
    ) -> None:
        self.engine = engine
        self.now = now
        self.schedule = schedule or Schedule()
        self.relationships = Relationships(engine.store.database)

    def request(self, actor: Actor, mentee_id: str, mentor_id: str) -> Relationship:
        """A mentee's own request for a mentor (or an admin's on their behalf). Refused when
        the pair already has an open relationship or the mentor may not be suggested to the
        mentee (a declared conflict, no free place...). Raises ``UnknownMentee`` or
        ``UnknownMentor`` for ids not stored."""
        mentee = self.engine.store.get_mentee(mentee_id)
        mentor = self.engine.store.get_mentor(mentor_id)
        why = excluded_reason(mentee, mentor, SuggestionFilters())
        if why is not None:
            raise TransitionRefused(Action.REQUEST, f"mentor {mentor_id}: {why}")
        created = request(f"r-{uuid.uuid4().hex[:16]}", mentee_id, mentor_id, actor, self.now())
        with self.engine.store.transaction() as session:
            already = Relationships.open_between(session, mentee_id, mentor_id)
            if already is not None:
                raise TransitionRefused(
                    Action.REQUEST, f"relationship {already.id} with this mentor is {already.state}"
                )
            Relationships.save(session, created)
        return created

    def accept(self, actor: Actor, relationship_id: str) -> Relationship:
        """The mentor accepts; a mentee's own request then takes one of their places
        (refused when none is free)."""
        return self._apply(relationship_id, lambda r: r.accept(actor, self.now()), check_place=True)

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
            due = [] if accepted is None else self.schedule.due(accepted.date(), at.date())
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
        return rounds(self.schedule, accepted.date(), relationship.answers, until)

    def flags(self, relationship: Relationship) -> list[Flag]:
        """Why an open relationship needs a coordinator now (empty: it does not)."""
        accepted = relationship.accepted_at
        if accepted is None or not relationship.state.is_open:
            return []
        return flags(self.schedule, accepted.date(), relationship.answers, self.now().date())

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
                self._check_free_place(after)
            Relationships.save(session, after)
            moved = after.holds_place != before.holds_place
            if moved:
                self.engine.recount_places(session, [after.mentor_id], after.history[-1].actor)
        if moved:
            self.engine.refresh()
        return after

    def _check_free_place(self, relationship: Relationship) -> None:
        stored = self.engine.store.existing(Kind.MENTORS, [relationship.mentor_id])
        mentor = stored.get(relationship.mentor_id)
        if not isinstance(mentor, Mentor) or mentor.free_places <= 0:
            raise TransitionRefused(
                Action.ACCEPT, f"mentor {relationship.mentor_id} has no free place"
            )
