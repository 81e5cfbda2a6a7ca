"""Object-level access: which mentees, mentors and cohorts a caller may see, and in which view.

- admin: every mentee, mentor and cohort, full records.
- coordinator: the cohorts in their key's scopes; those cohorts' mentees (full records);
  every mentor's public view, with contact details for the mentors of their cohorts.
- mentee: their own record and suggestions; every mentor's public view (contact details
  only from mentors who share them, were assigned to them or accepted their request).
- mentor: their own full record; their assigned mentees and those who asked them (without
  conflict lists); other mentors' public view.

Relationships: a mentee sees theirs, a mentor theirs, a coordinator those of their cohorts'
mentees (and of requests made for their cohorts), an admin all.

An object outside the caller's reach is answered exactly like a missing one (404), so a
token cannot probe which ids exist.
"""

from __future__ import annotations

from functools import cached_property

from pydantic import BaseModel

from api.schemas import MenteeForMentor, MentorPublic
from recommender.domain.errors import NotFound, UnknownMentee, not_found
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Cohort, Mentee, Mentor
from recommender.domain.relationships import Relationship
from recommender.matching.review import Review
from recommender.storage.keys import Principal
from recommender.storage.relationships import Relationships
from recommender.storage.store import Store


class Access:
    """One caller's view of the store.

    Args:
        store: where the records live.
        principal: the authenticated caller.
        review: the assignments, whose approved pairs grant mentors and mentees access.
    """

    def __init__(self, store: Store, principal: Principal, review: Review) -> None:
        self.store = store
        self.principal = principal
        self.review = review

    @property
    def role(self) -> str:
        """The caller's role."""
        return self.principal.role

    def is_self(self, role: Role, record_id: str) -> bool:
        """True when the caller is the ``role`` person ``record_id``."""
        return self.role == role and self.principal.subject == record_id

    # -- cohorts ----------------------------------------------------------------------------

    def sees_cohort(self, cohort: Cohort) -> bool:
        """Admins see every cohort; coordinators those named, or whose program is named, in
        their key's scopes."""
        if self.role == Role.ADMIN:
            return True
        scopes = self.principal.scopes
        return self.role == Role.COORDINATOR and (
            cohort.id in scopes or (cohort.program is not None and cohort.program in scopes)
        )

    def cohort(self, cohort_id: str) -> Cohort:
        """A cohort the caller may manage; ``NotFound`` otherwise (as if missing)."""
        found = self._stored_cohort(cohort_id)
        if found is None or not self.sees_cohort(found):
            raise NotFound("cohort", cohort_id)
        return found

    def member_cohort(self, cohort_id: str, mentee_id: str) -> Cohort:
        """A cohort the caller manages, or for a mentee one they belong to; ``NotFound``
        otherwise (as if missing)."""
        if self.role != Role.MENTEE:
            return self.cohort(cohort_id)
        found = self._stored_cohort(cohort_id)
        if found is None or mentee_id not in found.mentee_ids:
            raise NotFound("cohort", cohort_id)
        return found

    def _stored_cohort(self, cohort_id: str) -> Cohort | None:
        try:
            found = self.store.get(Kind.COHORTS, cohort_id)
        except NotFound:
            return None
        return found if isinstance(found, Cohort) else None

    @cached_property
    def cohorts(self) -> list[Cohort]:
        """The cohorts the caller may manage, by id."""
        found = self.store.records(Kind.COHORTS)
        return [c for c in found if isinstance(c, Cohort) and self.sees_cohort(c)]

    @cached_property
    def _members(self) -> tuple[set[str], set[str]]:
        mentees = {m for c in self.cohorts for m in c.mentee_ids}
        mentors = {m for c in self.cohorts for m in c.mentor_ids}
        return mentees, mentors

    @cached_property
    def pairs(self) -> set[tuple[str, str]]:
        """(mentee, mentor) pairs of approved assignments, and of the caller's relationships
        the mentor accepted (a mentee rates such a mentor and sees their contact details)."""
        accepted = {(r.mentee_id, r.mentor_id) for r in self._own if r.accepted_at is not None}
        return self.review.approved_pairs() | accepted

    @cached_property
    def _own(self) -> list[Relationship]:
        """The caller's own relationships (a mentee's or a mentor's; none for staff)."""
        if self.role == Role.MENTEE:
            return self._relationships.of_mentee(self.principal.subject)
        if self.role == Role.MENTOR:
            return self._relationships.of_mentor(self.principal.subject)
        return []

    @property
    def _relationships(self) -> Relationships:
        return Relationships(self.store.database)

    # -- relationships ----------------------------------------------------------------------

    def sees_relationship(self, relationship: Relationship) -> bool:
        """Whether the caller may see this relationship (see the module's rules)."""
        if self.role == Role.ADMIN:
            return True
        if self.role == Role.MENTEE:
            return relationship.mentee_id == self.principal.subject
        if self.role == Role.MENTOR:
            return relationship.mentor_id == self.principal.subject
        managed = {c.id for c in self.cohorts}
        return relationship.mentee_id in self._members[0] or relationship.cohort_id in managed

    def relationship(self, relationship_id: str) -> Relationship:
        """A relationship the caller may see; ``NotFound`` otherwise (as if missing)."""
        try:
            found = self._relationships.get(relationship_id)
        except NotFound:
            found = None
        if found is None or not self.sees_relationship(found):
            raise NotFound("relationship", relationship_id)
        return found

    def relationships(self) -> list[Relationship]:
        """Every relationship the caller may see, newest request first."""
        if self.role == Role.ADMIN:
            return self._relationships.every()
        if self.role in (Role.MENTEE, Role.MENTOR):
            return list(self._own)
        found = self._relationships.of_mentees(self._members[0])
        extra = self._relationships.of_cohorts(c.id for c in self.cohorts)
        known = {r.id for r in found}
        merged = found + [r for r in extra if r.id not in known]
        return sorted(merged, key=lambda r: (r.requested_at, r.id), reverse=True)

    def mentee_cohort(self, mentee_id: str) -> Cohort | None:
        """The first cohort (by id) the caller manages that has this mentee."""
        return next((c for c in self.cohorts if mentee_id in c.mentee_ids), None)

    # -- people -----------------------------------------------------------------------------

    def mentee_ids(self) -> set[str] | None:
        """Mentee ids the caller may read, or None for all of them."""
        if self.role == Role.ADMIN:
            return None
        if self.role == Role.COORDINATOR:
            return self._members[0]
        if self.role == Role.MENTEE:
            return {self.principal.subject}
        asked = {r.mentee_id for r in self._own}  # who asked them, to decide
        return asked | {a for a, b in self.pairs if b == self.principal.subject}

    def mentee(self, mentee_id: str) -> Mentee:
        """A mentee the caller may read; ``UnknownMentee`` otherwise (as if missing)."""
        self.check_mentee(mentee_id)
        return self.store.get_mentee(mentee_id)

    def check_mentee(self, mentee_id: str) -> None:
        """``UnknownMentee`` unless the caller may read this mentee (whether stored is not
        checked: reading the record does that)."""
        allowed = self.mentee_ids()
        if allowed is not None and mentee_id not in allowed:
            raise UnknownMentee(mentee_id)

    def mentee_view(self, mentee: Mentee) -> BaseModel:
        """The full record, or for a mentor the view without conflicts."""
        if self.role == Role.MENTOR:
            return MenteeForMentor.model_validate(mentee.model_dump(exclude={"conflicts"}))
        return mentee

    def mentor_view(self, mentor: Mentor) -> BaseModel:
        """Admins and the mentor see the full record; everyone else the public view, with
        contact details only where granted."""
        if self.role == Role.ADMIN or self.is_self(Role.MENTOR, mentor.id):
            return mentor
        data = mentor.model_dump(exclude={"conflicts", "activity_dates"})
        if not self._contact_granted(mentor):
            data.update(email=None, phone=None)
        return MentorPublic.model_validate(data)

    def _contact_granted(self, mentor: Mentor) -> bool:
        if mentor.share_contact:
            return True
        if self.role == Role.COORDINATOR:
            return mentor.id in self._members[1]
        if self.role == Role.MENTEE:
            return (self.principal.subject, mentor.id) in self.pairs
        return False

    def writable(self, kind: Kind, record_id: str) -> None:
        """Admins write anything; a mentee or mentor writes only their own profile. Others
        get the not-found answer, so the write reveals nothing."""
        if self.role == Role.ADMIN:
            return
        role = kind.role
        if role is None or not self.is_self(role, record_id):
            raise not_found(kind, record_id)
