"""Coordinator review of assignments: drafts, overrides, locks, re-runs, approval, audit trail.

A computed assignment is stored as a *draft*. A coordinator overrides pairs (with a reason),
swaps two pairs, locks pairs, re-runs (locks kept, the rest re-optimised; the old draft is
superseded) and approves, which places each pair (``recommender.storage.placements``): the
places live apart from imported profiles. A cohort has at most one approved assignment; a
coordinator supersedes it explicitly (with a reason), which releases its places. Every change
is an audit event: who, when, what, why. Pair edits are in ``recommender.matching.edits``.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from recommender.domain.errors import NotFound
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort, Mentor
from recommender.engine import Engine
from recommender.matching import edits
from recommender.matching.cohort_assignment import AssignedPair, CohortAssignment, assign_cohort
from recommender.matching.draft import Draft, ReviewConflict, Status
from recommender.matching.lifecycle import Lifecycle
from recommender.matching.outcome import NotHonoured, Room, Unmatched
from recommender.matching.solver import Mode, PairKey
from recommender.storage.drafts import ERASED, AuditRow, DraftRow, Drafts, mentions
from recommender.storage.placements import Placements

__all__ = ["ERASED", "AuditEvent", "Draft", "Review", "ReviewConflict", "Status"]


@dataclass(frozen=True)
class AuditEvent:
    """One recorded change."""

    at: str
    actor: str
    action: str
    assignment_id: str
    reason: str
    details: dict[str, Any]


def _pairs(rows: list[Any]) -> list[PairKey]:
    return [(str(a), str(b)) for a, b in rows]


class Review:
    """Drafts and the audit trail, stored in the engine's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows = Drafts(engine.store.database)
        self.placements = Placements(engine.store.database)

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
        """Every placed (mentee_id, mentor_id) of an approved assignment: who mentors whom."""
        return self.placements.active_pairs()

    def approved(self, cohort_id: str) -> Draft | None:
        """The cohort's approved assignment, if any."""
        rows = [r for r in self.rows.of_cohort(cohort_id) if r.status == "approved"]
        return self._draft(rows[0]) if rows else None

    def held(self, cohort_id: str) -> dict[str, int]:
        """Places the cohort's approved assignment holds, per mentor: counted free for the
        cohort's own drafts and shortlists (a new assignment would replace it)."""
        approved = self.approved(cohort_id)
        if approved is None:
            return {}
        rows = self.placements.of_assignment(approved.id)
        return dict(Counter(r.mentor_id for r in rows if r.released_at is None))

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
                kept = replace(
                    draft,
                    result=edits.with_pairs(draft.result, pairs, erased=person_id),
                    locked=[k for k in draft.locked if person_id not in k],
                    forbidden=[k for k in draft.forbidden if person_id not in k],
                    requested=[k for k in draft.requested if person_id not in k],
                )
                row.payload = self._row(kept).payload
                changed += 1
            changed += Drafts.redact_events(session, person_id)
            freed = Placements.erase(session, person_id)
            self._recount(session, freed, "erasure")
        return changed

    def _now(self) -> str:
        """The engine's clock, to the second (a set clock dates drafts and audit too)."""
        return self.engine.clock.now().isoformat(timespec="seconds")

    def _recount(self, session: Session, mentor_ids: list[str], actor: str) -> None:
        """Rewrite these mentors so the store recounts their placements (logged changes)."""
        self.engine.recount_places(session, mentor_ids, actor)

    @staticmethod
    def _draft(row: DraftRow) -> Draft:
        data = json.loads(row.payload)
        result = data["result"]
        result["pairs"] = [AssignedPair(**p) for p in result["pairs"]]
        result["load_histogram"] = {int(k): v for k, v in result["load_histogram"].items()}
        for name, kind in (
            ("unmatched", Unmatched),
            ("mentors_with_room", Room),
            ("not_honoured", NotHonoured),
        ):
            result[name] = [kind(**x) for x in result.get(name, [])]
        return Draft(
            row.id,
            row.cohort_id,
            row.status,  # type: ignore[arg-type]
            row.created_at,
            CohortAssignment(**result),
            _pairs(data["locked"]),
            _pairs(data["forbidden"]),
            _pairs(data.get("requested", [])),
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
        requested: list[PairKey] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Draft:
        """Compute an assignment and store it as a draft. ``requested``: mentees' own choices,
        kept where they can be (those that cannot are listed in ``not_honoured``)."""
        locked, forbidden = list(locked or []), list(forbidden or [])
        requested = list(requested or [])
        result = assign_cohort(
            self.engine,
            cohort,
            mode,
            locked,
            forbidden,
            mentors_wanted,
            mentor_minimums,
            requested,
            self.held(cohort.id),
            progress,
        )
        draft = Draft(
            uuid.uuid4().hex[:12],
            cohort.id,
            "draft",
            self._now(),
            result,
            locked,
            forbidden,
            requested,
        )
        with self.rows.write() as session:
            self._insert(session, draft, actor, mode)
        return draft

    def _insert(self, session: Session, draft: Draft, actor: str, mode: Mode) -> None:
        Drafts.add(session, self._row(draft))
        self._event(
            session, draft, actor, "propose", "", {"mode": mode, "pairs": len(draft.result.pairs)}
        )

    # -- pair edits (recommender.matching.edits) -----------------------------------------------

    def lock(self, draft: Draft, mentee_id: str, mentor_id: str, actor: str) -> Draft:
        """Keep a pair of the draft through re-runs."""
        return edits.lock(self, draft, mentee_id, mentor_id, actor)

    def override(
        self, draft: Draft, mentee_id: str, mentor_id: str, reason: str, actor: str
    ) -> Draft:
        """Give a mentee (matched or not) another eligible cohort mentor with a free place."""
        return edits.override(self, draft, mentee_id, mentor_id, reason, actor)

    def swap(self, draft: Draft, mentee_a: str, mentee_b: str, reason: str, actor: str) -> Draft:
        """Two mentees exchange mentors (both pairs then locked)."""
        return edits.swap(self, draft, mentee_a, mentee_b, reason, actor)

    def options(self, draft: Draft, mentee_id: str) -> list[edits.Option]:
        """The mentors a mentee may be given in this draft, best first."""
        return edits.options(self, draft, mentee_id)

    def rerun(self, draft: Draft, actor: str, mode: Mode | None = None) -> Draft:
        """Re-optimise everything but the locked pairs; the old draft is superseded (in the
        same transaction that stores the new one, so two re-runs cannot both succeed)."""
        self.editable(draft)
        cohort = self.engine.store.get(Kind.COHORTS, draft.cohort_id)
        assert isinstance(cohort, Cohort)
        mode = mode or draft.result.mode
        result = assign_cohort(
            self.engine,
            cohort,
            mode,
            draft.locked,
            draft.forbidden,
            requested=draft.requested,
            held=self.held(cohort.id),
        )
        fresh = replace(draft, id=uuid.uuid4().hex[:12], created_at=self._now(), result=result)
        with self.rows.write() as session:
            row = self._draft_row(session, draft)
            row.status = "superseded"
            self._insert(session, fresh, actor, mode)
            self._event(session, draft, actor, "rerun", "", {"new_assignment": fresh.id})
        return fresh

    def approve(self, draft: Draft, actor: str) -> Draft:
        """Approve the draft: each pair is placed, taking one of its mentor's places.

        One transaction holds the write lock from its start and re-reads the draft: of
        several concurrent approvals exactly one succeeds (the others get
        ``ReviewConflict``), and no place is taken twice. A cohort whose assignment is
        already approved must have it superseded first (``supersede``).
        """
        self.editable(draft)
        load = Counter(p.mentor_id for p in draft.result.pairs)
        store = self.engine.store
        with store.transaction() as session:
            row = self._draft_row(session, draft)
            for other in Drafts.of_cohort_in(session, draft.cohort_id):
                if other.status == "approved":
                    raise ReviewConflict(
                        f"cohort {draft.cohort_id} already has approved assignment {other.id}; "
                        "supersede it first (which releases its places)"
                    )
            stored = store.existing(Kind.MENTORS, sorted(load))
            for mentor_id, n in sorted(load.items()):
                mentor = stored.get(mentor_id)
                if not isinstance(mentor, Mentor):
                    raise ReviewConflict(f"mentor {mentor_id} is no longer stored")
                if n > mentor.free_places:
                    raise ReviewConflict(
                        f"mentor {mentor_id} now has {max(0, mentor.free_places)} free places, "
                        f"{n} assigned"
                    )
            pairs = [(p.mentee_id, p.mentor_id) for p in draft.result.pairs]
            ids = Placements.place(session, draft.cohort_id, draft.id, pairs, self._now())
            self._recount(session, list(load), f"{actor} (approval)")
            placed = [(a, b, i) for (a, b), i in zip(pairs, ids, strict=True)]
            Lifecycle(self.engine).book(session, actor, draft.cohort_id, draft.id, placed)
            row.status = "approved"
            self._event(session, draft, actor, "approve", "", {"pairs": len(pairs)})
        self.engine.refresh()
        return replace(draft, status="approved")

    def supersede(self, draft: Draft, actor: str, reason: str) -> Draft:
        """Withdraw an approved assignment: its places are released (audited, with the
        reason); the cohort may then approve another."""
        if draft.status != "approved":
            raise ReviewConflict(f"assignment {draft.id} is {draft.status}, not approved")
        if not reason.strip():
            raise ReviewConflict("superseding an approved assignment needs a reason")
        with self.engine.store.transaction() as session:
            row = Drafts.locked(session, draft.id)
            if row.status != "approved":
                raise ReviewConflict(f"assignment {draft.id} is {row.status}, not approved")
            ids = [p.id for p in Placements.active_of(session, draft.id)]
            freed = Placements.release(session, draft.id, self._now(), reason)
            self._recount(session, freed, f"{actor} (supersede)")
            Lifecycle(self.engine).close_placed(
                session, ids, actor, f"assignment withdrawn: {reason}"
            )
            row.status = "superseded"
            self._event(session, draft, actor, "supersede", reason, {"released": len(freed)})
        self.engine.refresh()
        return replace(draft, status="superseded")

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def editable(draft: Draft) -> None:
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

    def save_edit(
        self,
        draft: Draft,
        new: Draft,
        actor: str,
        action: str,
        reason: str,
        details: dict[str, Any],
    ) -> Draft:
        """Store ``new`` in place of ``draft`` (still a draft) with its audit event."""
        new = replace(new, locked=list(dict.fromkeys(new.locked)))
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
            "requested": draft.requested,
        }
        return DraftRow(
            id=draft.id,
            cohort_id=draft.cohort_id,
            status=draft.status,
            created_at=draft.created_at,
            payload=json.dumps(payload),
        )

    def _event(
        self,
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
                at=self._now(),
                actor=actor,
                action=action,
                reason=reason,
                details=json.dumps(details),
            ),
        )
