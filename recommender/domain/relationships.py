"""Relationships after the match: one mentee–mentor pair's life, as a state machine.

A relationship starts as a request, either the mentee's own or an approved cohort
assignment's pair. The mentor accepts it or declines it (with a reason from a short list).
Once accepted, both sides confirm a mentoring agreement (drafted at acceptance; either side
may edit it, and an edit before both confirmed asks both to confirm again) and the
relationship is active. It
ends as completed, withdrawn by either side, or closed by a coordinator; a request may also
be withdrawn (or closed) before the mentor answers::

    requested ──accept──▶ accepted ──both confirm──▶ active ──end──▶ ended
        │                    │                                        ▲
        ├──decline──▶ declined └────────────────end────────────────────┤
        └────────────────────────────end (withdrawn, closed)──────────┘

While accepted or active, each side answers periodic check-ins (``check_in``; when they
fall due and when they flag a relationship is ``recommender.domain.checkins``). Each answer
is a step of the history too, so the history is the relationship's whole outcome log.

Every transition is dated and attributed (``Transition``); a refused one raises
``TransitionRefused`` naming the action and the problem, and changes nothing (relationships
are immutable: each transition returns a new one).

Places: accepting takes one of the mentor's places and ending frees it. A request made by an
approved assignment holds its place from the start (the coordinator has booked it), so a
mentee's own request cannot take it meanwhile; a mentee's own request holds none until
accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from recommender.domain.agreements import Agreement
from recommender.domain.checkins import Answer
from recommender.domain.errors import MentorMatchError
from recommender.domain.kinds import Role


class State(StrEnum):
    """Where a relationship stands."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ACTIVE = "active"
    ENDED = "ended"

    @property
    def is_open(self) -> bool:
        """Whether anything may still happen (not declined, not ended)."""
        return self not in (State.DECLINED, State.ENDED)


class Origin(StrEnum):
    """How a relationship was requested."""

    REQUEST = "request"
    """The mentee asked for this mentor."""
    ASSIGNMENT = "assignment"
    """A coordinator approved a cohort assignment that pairs them."""


class DeclineReason(StrEnum):
    """Why a mentor declines a request (free text may add to it)."""

    NO_CAPACITY = "no capacity"
    OUTSIDE_EXPERTISE = "outside my expertise"
    TIMING = "timing"
    CONFLICT = "conflict of interest"
    OTHER = "other"


class Ending(StrEnum):
    """How a relationship ended."""

    COMPLETED = "completed"
    WITHDRAWN_BY_MENTEE = "withdrawn by mentee"
    WITHDRAWN_BY_MENTOR = "withdrawn by mentor"
    CLOSED_BY_COORDINATOR = "closed by coordinator"


class Action(StrEnum):
    """What someone does to a relationship."""

    REQUEST = "request"
    ACCEPT = "accept"
    DECLINE = "decline"
    CONFIRM = "confirm agreement"
    AGREE = "edit agreement"
    CHECK_IN = "check-in"
    END = "end"


HOLDS_PLACE = frozenset({State.ACCEPTED, State.ACTIVE})
"""States that hold one of the mentor's places (and a requested assignment pair)."""

PARTIES = (Role.MENTEE, Role.MENTOR)
"""The two sides who confirm an agreement."""


class TransitionRefused(MentorMatchError):
    """A transition that may not happen: ``action`` names it, ``problem`` says why."""

    def __init__(self, action: Action, problem: str) -> None:
        super().__init__(f"{action.value}: {problem}")
        self.action = action
        self.problem = problem


@dataclass(frozen=True)
class Actor:
    """Who acts: a role and, for a mentee or mentor, the person's id.

    Attributes:
        role: the acting key's role.
        person_id: the mentee's or mentor's own id (None for admins and coordinators).
        label: how the audit trail names them (``role:label``).
    """

    role: Role
    person_id: str | None = None
    label: str = ""

    @property
    def name(self) -> str:
        """The audit trail's actor: ``role:label``."""
        return f"{self.role.value}:{self.label or self.person_id or '-'}"


@dataclass(frozen=True)
class Transition:
    """One dated, attributed step of a relationship's life.

    Attributes:
        action: what was done.
        before: the state before (None for the request that created it).
        after: the state after.
        at: when (timezone-aware).
        actor: who (``Actor.name``).
        reason: the reason given (a decline's or an ending's; empty otherwise).
        details: what else the step recorded (e.g. the decline reason's category).
    """

    action: Action
    before: State | None
    after: State
    at: datetime
    actor: str
    reason: str = ""
    details: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Relationship:
    """One mentee–mentor pair's relationship; each transition returns a new one.

    Attributes:
        id: the relationship's id.
        mentee_id: the mentee.
        mentor_id: the mentor.
        origin: a mentee's own request or an approved assignment's pair.
        cohort_id: the cohort of an assignment's pair (None for a mentee's own request).
        state: where it stands.
        confirmed: which sides have confirmed the current agreement (mentee, mentor).
        decline_reason: set once declined.
        ending: set once ended.
        history: every transition, oldest first (the first is the request).
    """

    id: str
    mentee_id: str
    mentor_id: str
    origin: Origin
    cohort_id: str | None
    state: State
    confirmed: frozenset[Role]
    decline_reason: DeclineReason | None
    ending: Ending | None
    history: tuple[Transition, ...]

    @property
    def requested_at(self) -> datetime:
        """When it was requested."""
        return self.history[0].at

    @property
    def placement_id(self) -> int | None:
        """The approved placement that holds its place (None: it holds its own, if any)."""
        found = self.history[0].details.get("placement_id")
        return None if found is None else int(found)

    @property
    def holds_place(self) -> bool:
        """Whether it takes one of the mentor's places now."""
        booked = self.state is State.REQUESTED and self.origin is Origin.ASSIGNMENT
        return booked or self.state in HOLDS_PLACE

    def accept(self, actor: Actor, at: datetime, agreement: Agreement) -> Relationship:
        """The mentor (or an admin) accepts the request; ``agreement`` is the draft both
        sides then confirm (or edit)."""
        self._check(Action.ACCEPT, actor, at, (State.REQUESTED,), mentor_only=True)
        details = {"agreement": agreement.as_dict()}
        return self._step(Action.ACCEPT, State.ACCEPTED, actor, at, details=details)

    @property
    def agreement(self) -> Agreement | None:
        """The agreement as it stands (None before the mentor accepts)."""
        for step in reversed(self.history):
            if "agreement" in step.details:
                return Agreement.from_dict(step.details["agreement"])
        return None

    def edit_agreement(self, actor: Actor, at: datetime, agreement: Agreement) -> Relationship:
        """Either side (or an admin) changes the agreement; the step records the fields
        changed. Before both sides confirmed, an edit asks both to confirm the new text."""
        self._check(Action.AGREE, actor, at, (State.ACCEPTED, State.ACTIVE))
        if actor.role not in (Role.MENTEE, Role.MENTOR, Role.ADMIN):
            raise TransitionRefused(Action.AGREE, "only the mentee or the mentor edits it")
        changed = agreement.changed_fields(self.agreement)
        if not changed:
            raise TransitionRefused(Action.AGREE, "nothing changed")
        details = {"agreement": agreement.as_dict(), "changed": changed}
        step = self._step(Action.AGREE, self.state, actor, at, details=details)
        return step if self.state is State.ACTIVE else replace(step, confirmed=frozenset())

    def decline(
        self, actor: Actor, at: datetime, reason: DeclineReason, text: str = ""
    ) -> Relationship:
        """The mentor (or an admin) declines the request, with a reason and optional text."""
        self._check(Action.DECLINE, actor, at, (State.REQUESTED,), mentor_only=True)
        if reason is DeclineReason.OTHER and not text.strip():
            raise TransitionRefused(Action.DECLINE, "reason 'other' needs a text saying why")
        step = self._step(
            Action.DECLINE, State.DECLINED, actor, at, text.strip(), {"category": reason.value}
        )
        return replace(step, decline_reason=reason)

    def confirm(self, actor: Actor, at: datetime) -> Relationship:
        """One side confirms the agreement; with both sides confirmed it is active."""
        self._check(Action.CONFIRM, actor, at, (State.ACCEPTED,))
        side = self._side(actor)
        if side is None:
            raise TransitionRefused(Action.CONFIRM, "only the mentee or the mentor confirms")
        if side in self.confirmed:
            raise TransitionRefused(Action.CONFIRM, f"the {side.value} has confirmed already")
        confirmed = self.confirmed | {side}
        after = State.ACTIVE if confirmed >= set(PARTIES) else State.ACCEPTED
        step = self._step(Action.CONFIRM, after, actor, at, details={"side": side.value})
        return replace(step, confirmed=confirmed)

    @property
    def accepted_at(self) -> datetime | None:
        """When the mentor accepted (None: not accepted)."""
        return next((t.at for t in self.history if t.action is Action.ACCEPT), None)

    @property
    def answers(self) -> list[Answer]:
        """The check-in answers given, oldest first."""
        return [
            Answer(**{**t.details, "side": Role(t.details["side"]), "answered": t.at.date()})
            for t in self.history
            if t.action is Action.CHECK_IN
        ]

    def check_in(self, actor: Actor, at: datetime, answer: Answer) -> Relationship:
        """One side answers a check-in round (once per round), dated ``at``."""
        self._check(Action.CHECK_IN, actor, at, (State.ACCEPTED, State.ACTIVE))
        if self._side(actor) is not answer.side:
            raise TransitionRefused(Action.CHECK_IN, f"only the {answer.side} gives this answer")
        if any(a.side is answer.side and a.round == answer.round for a in self.answers):
            raise TransitionRefused(
                Action.CHECK_IN, f"the {answer.side} has answered check-in {answer.round}"
            )
        details = {k: v for k, v in asdict(answer).items() if k != "answered"}
        details["side"] = answer.side.value
        return self._step(Action.CHECK_IN, self.state, actor, at, details=details)

    def end(self, actor: Actor, at: datetime, reason: str, completed: bool = False) -> Relationship:
        """End it (or withdraw a request): completed, withdrawn by the acting side, or
        closed by a coordinator or admin. A reason is required."""
        self._check(Action.END, actor, at, (State.REQUESTED, State.ACCEPTED, State.ACTIVE))
        if not reason.strip():
            raise TransitionRefused(Action.END, "a reason is required")
        if completed and self.state is not State.ACTIVE:
            raise TransitionRefused(Action.END, f"only an active one completes, not {self.state}")
        side = self._side(actor)
        if completed:
            ending = Ending.COMPLETED
        elif side is Role.MENTEE:
            ending = Ending.WITHDRAWN_BY_MENTEE
        elif side is Role.MENTOR:
            ending = Ending.WITHDRAWN_BY_MENTOR
        else:
            ending = Ending.CLOSED_BY_COORDINATOR
        step = self._step(
            Action.END, State.ENDED, actor, at, reason.strip(), {"ending": ending.value}
        )
        return replace(step, ending=ending)

    # -- checks and steps -----------------------------------------------------------------

    def _side(self, actor: Actor) -> Role | None:
        """The side ``actor`` speaks for in this relationship (None: neither)."""
        if actor.role is Role.MENTEE and actor.person_id == self.mentee_id:
            return Role.MENTEE
        if actor.role is Role.MENTOR and actor.person_id == self.mentor_id:
            return Role.MENTOR
        return None

    def _check(
        self,
        action: Action,
        actor: Actor,
        at: datetime,
        allowed_from: tuple[State, ...],
        mentor_only: bool = False,
    ) -> None:
        if self.state not in allowed_from:
            raise TransitionRefused(action, f"the relationship is {self.state}")
        if at.tzinfo is None:
            raise TransitionRefused(action, "the time must carry a timezone")
        if at < self.history[-1].at:
            raise TransitionRefused(action, "the time is before the relationship's last step")
        side = self._side(actor)
        if actor.role in (Role.MENTEE, Role.MENTOR) and side is None:
            raise TransitionRefused(action, "the caller is not a party to this relationship")
        if mentor_only and actor.role is not Role.ADMIN and side is not Role.MENTOR:
            raise TransitionRefused(action, "only the mentor answers a request")

    def _step(
        self,
        action: Action,
        after: State,
        actor: Actor,
        at: datetime,
        reason: str = "",
        details: dict[str, Any] | None = None,
    ) -> Relationship:
        step = Transition(
            action, self.state, after, at, actor.name, reason, MappingProxyType(details or {})
        )
        return replace(self, state=after, history=(*self.history, step))


def request(
    relationship_id: str,
    mentee_id: str,
    mentor_id: str,
    actor: Actor,
    at: datetime,
    cohort_id: str | None = None,
    booking: Mapping[str, Any] | None = None,
) -> Relationship:
    """A new relationship in ``requested``: the mentee's own request, or (``cohort_id``
    given, by a coordinator or admin) a coordinator's request for a cohort, such as an
    approved assignment's pair; ``booking`` records what holds its place (the assignment
    and placement of an approved pair)."""
    if at.tzinfo is None:
        raise TransitionRefused(Action.REQUEST, "the time must carry a timezone")
    if mentee_id == mentor_id:
        raise TransitionRefused(Action.REQUEST, "a mentee cannot be their own mentor")
    if cohort_id is None:
        own = actor.role is Role.MENTEE and actor.person_id == mentee_id
        if not own and actor.role is not Role.ADMIN:
            raise TransitionRefused(Action.REQUEST, "only the mentee requests a mentor")
        origin = Origin.REQUEST
    else:
        if actor.role not in (Role.COORDINATOR, Role.ADMIN):
            raise TransitionRefused(
                Action.REQUEST, "only a coordinator's approved assignment requests for a cohort"
            )
        origin = Origin.ASSIGNMENT
    details = {**(booking or {})} | ({} if cohort_id is None else {"cohort_id": cohort_id})
    first = Transition(
        Action.REQUEST, None, State.REQUESTED, at, actor.name, "", MappingProxyType(details)
    )
    return Relationship(
        id=relationship_id,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        origin=origin,
        cohort_id=cohort_id,
        state=State.REQUESTED,
        confirmed=frozenset(),
        decline_reason=None,
        ending=None,
        history=(first,),
    )
