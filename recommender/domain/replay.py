"""A recorded relationship history taken again through the state machine.

An imported history (the sample's, or another system's) is only stored if the product could
have recorded it: each step is replayed through ``Relationship``'s own transitions, which
refuse what the lifecycle refuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from recommender.domain.agreements import Agreement
from recommender.domain.checkins import Answer
from recommender.domain.errors import InvalidProfile
from recommender.domain.kinds import Role
from recommender.domain.relationships import (
    Action,
    Actor,
    DeclineReason,
    Ending,
    Relationship,
    TransitionRefused,
    request,
)


def replay(
    relationship_id: str,
    mentee_id: str,
    mentor_id: str,
    cohort_id: str | None,
    steps: Sequence[Mapping[str, Any]],
) -> Relationship:
    """A relationship rebuilt by taking each recorded step again through the state machine
    (``action``, ``at`` ISO time with a zone, ``actor`` ``role:label``, ``reason``,
    ``details``), so an imported history is one the product could have recorded. Raises
    ``TransitionRefused`` (naming the step) for a step it would not take."""
    if not steps or steps[0].get("action") != Action.REQUEST.value:
        raise TransitionRefused(Action.REQUEST, "a history starts with the request")

    def actor(step: Mapping[str, Any]) -> Actor:
        role, _, label = str(step.get("actor", "")).partition(":")
        try:
            kind = Role(role)
        except ValueError:
            raise TransitionRefused(
                Action.REQUEST, f"unknown actor {step.get('actor')!r}"
            ) from None
        person = {Role.MENTEE: mentee_id, Role.MENTOR: mentor_id}.get(kind)
        return Actor(kind, person, label)

    first = steps[0]
    booking = {k: v for k, v in dict(first.get("details") or {}).items() if k != "cohort_id"}
    at = datetime.fromisoformat(str(first["at"]))
    r = request(relationship_id, mentee_id, mentor_id, actor(first), at, cohort_id, booking)
    for number, step in enumerate(steps[1:], 2):
        at = datetime.fromisoformat(str(step["at"]))
        details = dict(step.get("details") or {})
        who = actor(step)
        name = str(step.get("action"))
        reason = str(step.get("reason", ""))
        try:
            if name == Action.ACCEPT.value:
                r = r.accept(who, at, Agreement.from_dict(details["agreement"]))
            elif name == Action.DECLINE.value:
                r = r.decline(who, at, DeclineReason(details["category"]), reason)
            elif name == Action.CONFIRM.value:
                r = r.confirm(who, at)
            elif name == Action.AGREE.value:
                r = r.edit_agreement(who, at, Agreement.from_dict(details["agreement"]))
            elif name == Action.CHECK_IN.value:
                fields = {k: v for k, v in details.items() if k not in ("side", "round")}
                side, n = Role(details["side"]), int(details["round"])
                r = r.check_in(who, at, Answer(**fields, side=side, round=n, answered=at.date()))
            elif name == Action.END.value:
                done = details.get("ending") == Ending.COMPLETED.value
                r = r.end(who, at, reason, completed=done)
            else:
                raise TransitionRefused(Action.REQUEST, f"unknown action {name!r}")
        except (KeyError, TypeError, ValueError, InvalidProfile, TransitionRefused) as exc:
            known = name in {a.value for a in Action}
            raise TransitionRefused(
                Action(name) if known else Action.REQUEST, f"step {number}: {exc}"
            ) from exc
    return r
