"""Coordinator review of assignments: drafts, overrides, locks, re-runs, approval, audit trail.

A computed assignment is stored as a *draft*. A coordinator overrides pairs (with a reason),
locks pairs, re-runs (locks kept, the rest re-optimised; the old draft is superseded) and
approves, which adds the new mentees to each mentor's current count. Every change is an audit
event: who, when, what, why.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from recommender.domain.errors import MentorMatchError, NotFound, UnknownMentor
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort, Mentor
from recommender.engine import Engine, SuggestionFilters
from recommender.matching.cohort_assignment import AssignedPair, CohortAssignment, assign_cohort
from recommender.matching.solver import Mode, PairKey
from recommender.storage.drafts import ERASED, AuditRow, DraftRow, Drafts, mentions

Status = Literal["draft", "approved", "superseded"]

__all__ = ["ERASED", "AuditEvent", "Draft", "Review", "ReviewConflict", "Status"]


class ReviewConflict(MentorMatchError):
    """The requested change does not fit the assignment's state (e.g. already approved)."""


@dataclass(frozen=True)
class Draft:
    """A stored assignment with the coordinator's constraints."""

    id: str
    cohort_id: str
    status: Status
    created_at: str
    result: CohortAssignment
    locked: list[PairKey]
    forbidden: list[PairKey]


@dataclass(frozen=True)
class AuditEvent:
    """One recorded change."""

    at: str
    actor: str
    action: str
    assignment_id: str
    reason: str
    details: dict[str, Any]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _pairs(rows: list[Any]) -> list[PairKey]:
    return [(str(a), str(b)) for a, b in rows]


class Review:
    """Drafts and the audit trail, stored in the engine's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows = Drafts(engine.store.database)

    # -- reading -----------------------------------------------------------------------------

    def get(self, cohort_id: str, assignment_id: str) -> Draft:
        """One draft of the cohort. Raises ``NotFound``."""
        row = self.rows.get(assignment_id)
        if row is None or row.cohort_id != cohort_id:
            raise NotFound("assignment", assignment_id)
        return self._draft(row)

    def drafts(self, cohort_id: str) -> list[Draft]:
        """The cohort's drafts, newest first."""
        return [self._draft(r) for r in self.rows.of_cohort(cohort_id)]

    def audit(self, cohort_id: str) -> list[AuditEvent]:
        """Every recorded change for the cohort, oldest first."""
        return [
            AuditEvent(r.at, r.actor, r.action, r.assignment_id, r.reason, json.loads(r.details))
            for r in self.rows.events(cohort_id)
        ]

    def approved_pairs(self) -> set[PairKey]:
        """Every (mentee_id, mentor_id) of an approved assignment: who mentors whom."""
        rows = self.rows.with_status("approved")
        return {(p.mentee_id, p.mentor_id) for r in rows for p in self._draft(r).result.pairs}

    def erase(self, person_id: str) -> int:
        """Remove a person from every draft and audit event (erasure); returns rows changed.

        Their pairs, locks and forbidden pairs are dropped (summaries recomputed); audit
        details and reasons name them as ``[erased]``.
        """
        changed = 0
        with self.rows.write() as session:
            for row in self.rows.all_rows(session):
                if not mentions(row.payload, person_id):
                    continue
                draft = self._draft(row)
                pairs = [
                    p for p in draft.result.pairs if person_id not in (p.mentee_id, p.mentor_id)
                ]
                kept = Draft(
                    draft.id,
                    draft.cohort_id,
                    draft.status,
                    draft.created_at,
                    _with_pairs(draft.result, pairs),
                    [k for k in draft.locked if person_id not in k],
                    [k for k in draft.forbidden if person_id not in k],
                )
                row.payload = self._row(kept).payload
                changed += 1
            changed += Drafts.redact_events(session, person_id)
        return changed

    @staticmethod
    def _draft(row: DraftRow) -> Draft:
        data = json.loads(row.payload)
        result = data["result"]
        result["pairs"] = [AssignedPair(**p) for p in result["pairs"]]
        result["load_histogram"] = {int(k): v for k, v in result["load_histogram"].items()}
        return Draft(
            row.id,
            row.cohort_id,
            row.status,  # type: ignore[arg-type]
            row.created_at,
            CohortAssignment(**result),
            _pairs(data["locked"]),
            _pairs(data["forbidden"]),
        )

    # -- changes -----------------------------------------------------------------------------

    def propose(
        self,
        cohort: Cohort,
        actor: str,
        mode: Mode = "total",
        locked: list[PairKey] | None = None,
        forbidden: list[PairKey] | None = None,
        mentors_wanted: dict[str, int] | None = None,
        mentor_minimums: dict[str, int] | None = None,
    ) -> Draft:
        """Compute an assignment and store it as a draft."""
        locked, forbidden = list(locked or []), list(forbidden or [])
        result = assign_cohort(
            self.engine, cohort, mode, locked, forbidden, mentors_wanted, mentor_minimums
        )
        draft = Draft(uuid.uuid4().hex[:12], cohort.id, "draft", _now(), result, locked, forbidden)
        with self.rows.write() as session:
            self._insert(session, draft, actor, mode)
        return draft

    def _insert(self, session: Session, draft: Draft, actor: str, mode: Mode) -> None:
        Drafts.add(session, self._row(draft))
        self._event(
            session, draft, actor, "propose", "", {"mode": mode, "pairs": len(draft.result.pairs)}
        )

    def lock(self, draft: Draft, mentee_id: str, mentor_id: str, actor: str) -> Draft:
        """Keep a pair of the draft through re-runs."""
        self._editable(draft)
        if (mentee_id, mentor_id) not in {(p.mentee_id, p.mentor_id) for p in draft.result.pairs}:
            raise ReviewConflict(f"pair ({mentee_id}, {mentor_id}) is not in this assignment")
        locked = [*draft.locked, (mentee_id, mentor_id)]
        return self._update(
            draft,
            locked,
            draft.forbidden,
            draft.result,
            actor,
            "lock",
            "",
            {"mentee_id": mentee_id, "mentor_id": mentor_id},
        )

    def override(
        self, draft: Draft, mentee_id: str, mentor_id: str, reason: str, actor: str
    ) -> Draft:
        """Give a mentee another mentor (locked), replacing their current pair."""
        self._editable(draft)
        if not reason.strip():
            raise ReviewConflict("an override needs a reason")
        cohort = self.engine.store.get(Kind.COHORTS, draft.cohort_id)
        assert isinstance(cohort, Cohort)
        if mentor_id not in cohort.mentor_ids or mentee_id not in cohort.mentee_ids:
            raise ReviewConflict(f"{mentee_id} or {mentor_id} is not a member of the cohort")
        mentor = self.engine.store.get_mentor(mentor_id)
        taken = sum(
            p.mentor_id == mentor_id for p in draft.result.pairs if p.mentee_id != mentee_id
        )
        if taken >= mentor.free_places:
            raise ReviewConflict(
                f"mentor {mentor_id} has {mentor.free_places} free places, all used in this draft"
            )
        found = self.engine.suggest_for(
            mentee_id, 1, SuggestionFilters(only=frozenset({mentor_id}), include_full=True)
        )
        if not found:
            raise ReviewConflict(
                f"{mentor_id} may not mentor {mentee_id} (conflict or requirement)"
            )
        old = [p for p in draft.result.pairs if p.mentee_id == mentee_id]
        new = AssignedPair(mentee_id, mentor_id, found[0].score, 0, found[0].explanation)
        pairs = [p for p in draft.result.pairs if p.mentee_id != mentee_id] + [new]
        result = _with_pairs(draft.result, pairs)
        locked = [k for k in draft.locked if k[0] != mentee_id] + [(mentee_id, mentor_id)]
        return self._update(
            draft,
            locked,
            draft.forbidden,
            result,
            actor,
            "override",
            reason,
            {
                "mentee_id": mentee_id,
                "mentor_id": mentor_id,
                "replaced": [p.mentor_id for p in old],
            },
        )

    def rerun(self, draft: Draft, actor: str, mode: Mode | None = None) -> Draft:
        """Re-optimise everything but the locked pairs; the old draft is superseded (in the
        same transaction that stores the new one, so two re-runs cannot both succeed)."""
        self._editable(draft)
        cohort = self.engine.store.get(Kind.COHORTS, draft.cohort_id)
        assert isinstance(cohort, Cohort)
        mode = mode or draft.result.mode
        result = assign_cohort(self.engine, cohort, mode, draft.locked, draft.forbidden)
        fresh = Draft(
            uuid.uuid4().hex[:12], cohort.id, "draft", _now(), result, draft.locked, draft.forbidden
        )
        with self.rows.write() as session:
            row = self._draft_row(session, draft)
            row.status = "superseded"
            self._insert(session, fresh, actor, mode)
            self._event(session, draft, actor, "rerun", "", {"new_assignment": fresh.id})
        return fresh

    def approve(self, draft: Draft, actor: str) -> Draft:
        """Approve the draft: each mentor's current mentee count grows by their new mentees.

        The counts and the draft's status change in one transaction, which holds the write
        lock from its start and re-reads the draft: of several concurrent approvals exactly
        one succeeds (the others get ``ReviewConflict``), and no count is added twice.
        """
        self._editable(draft)
        load: dict[str, int] = {}
        for p in draft.result.pairs:
            load[p.mentor_id] = load.get(p.mentor_id, 0) + 1
        store = self.engine.store
        with store.transaction() as session:
            row = self._draft_row(session, draft)
            stored = store.existing(Kind.MENTORS, sorted(load))
            updated: list[Mentor] = []
            for mentor_id, n in sorted(load.items()):
                mentor = stored.get(mentor_id)
                if not isinstance(mentor, Mentor):
                    raise UnknownMentor(mentor_id)
                if n > mentor.free_places:
                    raise ReviewConflict(
                        f"mentor {mentor_id} now has {mentor.free_places} free places, {n} assigned"
                    )
                updated.append(
                    mentor.model_copy(update={"current_mentees": mentor.current_mentees + n})
                )
            self.engine.write_logged(session, updated, f"{actor} (approval)")
            row.status = "approved"
            self._event(session, draft, actor, "approve", "", {"pairs": len(draft.result.pairs)})
        self.engine.refresh()
        return Draft(
            draft.id,
            draft.cohort_id,
            "approved",
            draft.created_at,
            draft.result,
            draft.locked,
            draft.forbidden,
        )

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _editable(draft: Draft) -> None:
        if draft.status != "draft":
            raise ReviewConflict(f"assignment {draft.id} is {draft.status}, not a draft")

    @staticmethod
    def _draft_row(session: Session, draft: Draft) -> DraftRow:
        """The draft's row, read inside a write transaction and still a draft (another
        request may have approved or superseded it since ``draft`` was read)."""
        row = Drafts.locked(session, draft.id)
        if row.status != "draft":
            raise ReviewConflict(f"assignment {draft.id} is {row.status}, not a draft")
        return row

    def _update(
        self,
        draft: Draft,
        locked: list[PairKey],
        forbidden: list[PairKey],
        result: CohortAssignment,
        actor: str,
        action: str,
        reason: str,
        details: dict[str, Any],
    ) -> Draft:
        new = Draft(
            draft.id,
            draft.cohort_id,
            draft.status,
            draft.created_at,
            result,
            list(dict.fromkeys(locked)),
            forbidden,
        )
        with self.rows.write() as session:
            row = self._draft_row(session, draft)
            row.payload = self._row(new).payload
            self._event(session, draft, actor, action, reason, details)
        return new

    @staticmethod
    def _row(draft: Draft) -> DraftRow:
        payload = {
            "result": asdict(draft.result),
            "locked": draft.locked,
            "forbidden": draft.forbidden,
        }
        return DraftRow(
            id=draft.id,
            cohort_id=draft.cohort_id,
            status=draft.status,
            created_at=draft.created_at,
            payload=json.dumps(payload),
        )

    @staticmethod
    def _event(
        session: Session,
        draft: Draft,
        actor: str,
        action: str,
        reason: str,
        details: dict[str, Any],
    ) -> None:
        Drafts.add_event(
            session,
            AuditRow(
                cohort_id=draft.cohort_id,
                assignment_id=draft.id,
                at=_now(),
                actor=actor,
                action=action,
                reason=reason,
                details=json.dumps(details),
            ),
        )


def _with_pairs(result: CohortAssignment, pairs: list[AssignedPair]) -> CohortAssignment:
    scores = [p.score for p in pairs]
    load: dict[str, int] = {}
    for p in pairs:
        load[p.mentor_id] = load.get(p.mentor_id, 0) + 1
    histogram: dict[int, int] = {}
    for n in load.values():
        histogram[n] = histogram.get(n, 0) + 1
    return CohortAssignment(
        cohort_id=result.cohort_id,
        mode=result.mode,
        pairs=pairs,
        total=sum(scores),
        min_score=min(scores) if scores else 0.0,
        mean_score=sum(scores) / len(scores) if scores else 0.0,
        top3_share=sum(0 < p.rank_for_mentee <= 3 for p in pairs) / max(1, len(pairs)),
        load_histogram=histogram,
        objectives=result.objectives,
    )
