"""``api.access.Access`` without HTTP: who may read, write and list which records.

The world: cohort ``c1`` (program ``prog1``) holds mentee ``me1`` and mentors ``card1``,
``card2``; cohort ``c2`` (program ``prog2``) holds ``me2`` and ``orth1``, ``psy1``; ``me3``
belongs to no cohort. ``me1``–``card1`` is an approved pair; ``psy1`` shares contact details.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from api.access import Access
from api.schemas import MenteeForMentor, MentorPublic
from recommender.domain.errors import NotFound, UnknownMentee, UnknownMentor
from recommender.domain.kinds import Kind, Role
from recommender.domain.profiles import Cohort, Mentee, Mentor
from recommender.engine import Engine
from recommender.matching.review import Review
from recommender.storage.keys import Principal
from tests.conftest import FACULTY, mentee

PEOPLE = ("card1", "card2", "orth1", "psy1")


@dataclass(frozen=True)
class World:
    """The engine and review the accesses read."""

    engine: Engine
    review: Review

    def access(self, role: Role, subject: str = "", scopes: tuple[str, ...] = ()) -> Access:
        """The view of a caller with ``role``, bound to ``subject``, covering ``scopes``."""
        principal = Principal(f"key-{role}", role, subject, frozenset(scopes))
        return Access(self.engine.store, principal, self.review)


@pytest.fixture
def world(engine: Engine) -> World:
    contact = {"email": "x@example.org", "phone": "+1 555 0100"}
    engine.write(
        Kind.MENTORS,
        [
            m.model_copy(update={**contact, "conflicts": ["me9"], "share_contact": m.id == "psy1"})
            for m in FACULTY
            if m.id in PEOPLE
        ],
    )
    engine.write(
        Kind.MENTEES,
        [
            mentee("me1", interests=["heart failure"], conflicts=["orth1"]),
            mentee("me2", interests=["knee surgery"]),
            mentee("me3", interests=["skin cancer"]),
        ],
    )
    c1 = Cohort(id="c1", program="prog1", mentee_ids=["me1"], mentor_ids=["card1", "card2"])
    c2 = Cohort(id="c2", program="prog2", mentee_ids=["me2"], mentor_ids=["orth1", "psy1"])
    engine.write(Kind.COHORTS, [c1, c2])
    review = Review(engine)
    review.approve(review.propose(c1, "setup", locked=[("me1", "card1")]), "setup")
    return World(engine, review)


def _mentor(world: World, mentor_id: str) -> Mentor:
    return world.engine.store.get_mentor(mentor_id)


def _refusal(call: object) -> NotFound:
    """The not-found error a call raises."""
    assert callable(call)
    with pytest.raises(NotFound) as caught:
        call()
    return caught.value


def _same_as_missing(hidden: NotFound, missing: NotFound) -> None:
    """A hidden record is refused exactly as a missing one (only the id differs)."""
    assert type(hidden) is type(missing)
    assert hidden.kind == missing.kind
    assert str(hidden).replace(repr(hidden.record_id), "ID") == str(missing).replace(
        repr(missing.record_id), "ID"
    )


# -- mentees -------------------------------------------------------------------------------


def test_a_mentee_sees_only_their_own_profile(world: World) -> None:
    access = world.access(Role.MENTEE, "me1")
    assert access.mentee_ids() == {"me1"}
    own = access.mentee("me1")
    assert access.mentee_view(own) is own  # the full record, conflicts included
    for other in ("me2", "me3"):
        with pytest.raises(UnknownMentee):
            access.mentee(other)


def test_a_mentee_asks_suggestions_only_for_themself(world: World) -> None:
    # The suggestion routes resolve a stored mentee through ``Access.mentee``.
    access = world.access(Role.MENTEE, "me2")
    assert access.mentee("me2").id == "me2"
    _same_as_missing(_refusal(lambda: access.mentee("me1")), _refusal(lambda: access.mentee("x")))


def test_a_mentee_sees_the_public_mentor_view_with_contact_only_where_granted(
    world: World,
) -> None:
    access = world.access(Role.MENTEE, "me1")
    assigned = access.mentor_view(_mentor(world, "card1"))
    stranger = access.mentor_view(_mentor(world, "card2"))
    sharing = access.mentor_view(_mentor(world, "psy1"))
    for view in (assigned, stranger, sharing):
        assert isinstance(view, MentorPublic)
        assert "conflicts" not in view.model_dump()
    assert assigned.model_dump()["email"] == "x@example.org"
    assert stranger.model_dump()["email"] is None
    assert stranger.model_dump()["phone"] is None
    assert sharing.model_dump()["email"] == "x@example.org"


def test_a_mentee_reaches_only_the_cohorts_they_belong_to(world: World) -> None:
    access = world.access(Role.MENTEE, "me1")
    assert access.member_cohort("c1", "me1").id == "c1"
    _same_as_missing(
        _refusal(lambda: access.member_cohort("c2", "me1")),
        _refusal(lambda: access.member_cohort("c9", "me1")),
    )
    with pytest.raises(NotFound):
        access.cohort("c1")  # members do not manage their cohort
    assert access.cohorts == []


def test_a_mentee_writes_only_their_own_profile(world: World) -> None:
    access = world.access(Role.MENTEE, "me1")
    access.writable(Kind.MENTEES, "me1")
    with pytest.raises(UnknownMentee):
        access.writable(Kind.MENTEES, "me2")
    with pytest.raises(UnknownMentor):
        access.writable(Kind.MENTORS, "card1")
    with pytest.raises(NotFound):
        access.writable(Kind.COHORTS, "c1")


# -- mentors -------------------------------------------------------------------------------


def test_a_mentor_writes_only_their_own_record(world: World) -> None:
    access = world.access(Role.MENTOR, "card1")
    access.writable(Kind.MENTORS, "card1")
    _same_as_missing(
        _refusal(lambda: access.writable(Kind.MENTORS, "card2")),
        _refusal(lambda: access.writable(Kind.MENTORS, "ghost")),
    )
    for kind, record_id in ((Kind.MENTEES, "me1"), (Kind.COHORTS, "c1")):
        with pytest.raises(NotFound):
            access.writable(kind, record_id)


def test_a_mentor_sees_their_full_record_and_others_public_view(world: World) -> None:
    access = world.access(Role.MENTOR, "card1")
    own = _mentor(world, "card1")
    assert access.mentor_view(own) is own
    other = access.mentor_view(_mentor(world, "card2"))
    assert isinstance(other, MentorPublic)
    assert other.model_dump()["email"] is None


def test_a_mentor_sees_only_assigned_mentees_without_conflicts(world: World) -> None:
    access = world.access(Role.MENTOR, "card1")
    assert access.mentee_ids() == {"me1"}
    view = access.mentee_view(access.mentee("me1"))
    assert isinstance(view, MenteeForMentor)
    assert "conflicts" not in view.model_dump()
    with pytest.raises(UnknownMentee):
        access.mentee("me2")
    assert world.access(Role.MENTOR, "card2").mentee_ids() == set()


# -- coordinators --------------------------------------------------------------------------


def test_a_coordinator_sees_only_their_cohorts(world: World) -> None:
    by_program = world.access(Role.COORDINATOR, scopes=("prog1",))
    assert [c.id for c in by_program.cohorts] == ["c1"]
    assert by_program.cohort("c1").id == "c1"
    _same_as_missing(
        _refusal(lambda: by_program.cohort("c2")), _refusal(lambda: by_program.cohort("c9"))
    )
    by_id = world.access(Role.COORDINATOR, scopes=("c2",))
    assert [c.id for c in by_id.cohorts] == ["c2"]
    assert world.access(Role.COORDINATOR).cohorts == []


def test_a_coordinator_sees_the_mentees_and_mentor_contacts_of_their_cohorts(
    world: World,
) -> None:
    access = world.access(Role.COORDINATOR, scopes=("prog1",))
    assert access.mentee_ids() == {"me1"}
    member = access.mentee("me1")
    assert access.mentee_view(member) is member
    _same_as_missing(_refusal(lambda: access.mentee("me2")), _refusal(lambda: access.mentee("x")))
    assert access.mentor_view(_mentor(world, "card2")).model_dump()["email"] == "x@example.org"
    outside = access.mentor_view(_mentor(world, "orth1"))
    assert isinstance(outside, MentorPublic)
    assert outside.model_dump()["email"] is None


def test_a_coordinator_writes_no_profile(world: World) -> None:
    access = world.access(Role.COORDINATOR, scopes=("prog1",))
    for kind, record_id in ((Kind.MENTORS, "card1"), (Kind.MENTEES, "me1"), (Kind.COHORTS, "c1")):
        with pytest.raises(NotFound):
            access.writable(kind, record_id)


# -- admins --------------------------------------------------------------------------------


def test_an_admin_sees_and_writes_everything(world: World) -> None:
    access = world.access(Role.ADMIN)
    assert [c.id for c in access.cohorts] == ["c1", "c2"]
    assert access.cohort("c2").id == "c2"
    assert access.mentee_ids() is None
    assert isinstance(access.mentee("me3"), Mentee)
    full = _mentor(world, "card2")
    assert access.mentor_view(full) is full
    member = access.mentee("me1")
    assert access.mentee_view(member) is member
    for kind, record_id in ((Kind.MENTORS, "card1"), (Kind.MENTEES, "me2"), (Kind.COHORTS, "c2")):
        access.writable(kind, record_id)
    with pytest.raises(NotFound):
        access.cohort("c9")  # missing is still missing
