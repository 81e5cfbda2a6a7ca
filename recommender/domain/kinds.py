"""Record kinds and the roles of people, declared once.

``Kind`` names what the store holds (and the API's ``/v1/ingest/{kind}`` paths); ``Role``
names who holds an API key. A mentor is both a kind of record (``mentors``) and a role
(``mentor``): ``Kind.role`` and ``Role.kind`` are the one mapping between the two.
Both are ``StrEnum``s, so they compare equal to, serialise as and format as their value.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """A kind of stored record."""

    MENTORS = "mentors"
    MENTEES = "mentees"
    FEEDBACK = "feedback"
    COHORTS = "cohorts"

    @property
    def singular(self) -> str:
        """One record of this kind, as prose says it (``mentor``, ``feedback``, ``cohort``)."""
        return _SINGULAR[self]

    @property
    def role(self) -> Role | None:
        """The role a person of this kind holds (None for feedback and cohorts)."""
        return _ROLE_OF.get(self)

    @property
    def is_person(self) -> bool:
        """True for the kinds that are people (mentors, mentees)."""
        return self in _ROLE_OF


class Role(StrEnum):
    """Who an API key speaks for."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    MENTEE = "mentee"
    MENTOR = "mentor"

    @property
    def kind(self) -> Kind | None:
        """The record kind of a person with this role (None for admins and coordinators)."""
        return _KIND_OF.get(self)


_SINGULAR: dict[Kind, str] = {
    Kind.MENTORS: "mentor",
    Kind.MENTEES: "mentee",
    Kind.FEEDBACK: "feedback",
    Kind.COHORTS: "cohort",
}
_ROLE_OF: dict[Kind, Role] = {Kind.MENTORS: Role.MENTOR, Kind.MENTEES: Role.MENTEE}
_KIND_OF: dict[Role, Kind] = {role: kind for kind, role in _ROLE_OF.items()}

PERSON_KINDS: tuple[Kind, ...] = tuple(_ROLE_OF)
"""The kinds that are people: mentors and mentees."""
