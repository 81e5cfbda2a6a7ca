"""Domain exceptions. The API maps each to one HTTP status in one place (``api/errors.py``)."""

from __future__ import annotations

from recommender.domain.kinds import Kind


class MentorMatchError(Exception):
    """Base class of every error the library raises on purpose."""


class NotFound(MentorMatchError):
    """A record id that the store does not hold."""

    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__(f"{kind} {record_id!r} not found")
        self.kind = kind
        self.record_id = record_id


class UnknownMentor(NotFound):
    """No mentor with this id."""

    def __init__(self, record_id: str) -> None:
        super().__init__("mentor", record_id)


class UnknownMentee(NotFound):
    """No mentee with this id."""

    def __init__(self, record_id: str) -> None:
        super().__init__("mentee", record_id)


def not_found(kind: Kind, record_id: str) -> NotFound:
    """The not-found error for a record kind."""
    kind = Kind(kind)
    if kind is Kind.MENTORS:
        return UnknownMentor(record_id)
    if kind is Kind.MENTEES:
        return UnknownMentee(record_id)
    return NotFound(kind.singular, record_id)


class InvalidProfile(MentorMatchError):
    """A record that fails validation; ``field`` names the offending field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class IndexOutOfDate(MentorMatchError):
    """The index snapshot does not match the store or the embedding model."""


class ModelUnavailable(MentorMatchError):
    """The embedding model cannot be loaded from the configured path."""
