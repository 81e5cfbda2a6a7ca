"""``Kind`` and ``Role``: one mapping between record kinds and the roles of people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.domain.kinds import PERSON_KINDS, Kind, Role
from recommender.domain.profiles import RECORD_TYPES, Cohort, Feedback, Mentee, Mentor
from recommender.storage.keys import ROLES

RELEASED_OPENAPI = Path(__file__).parents[2] / "api" / "openapi_0_1_0.json"


def test_person_kinds_and_roles_map_to_each_other() -> None:
    assert Kind.MENTORS.role is Role.MENTOR
    assert Kind.MENTEES.role is Role.MENTEE
    assert Role.MENTOR.kind is Kind.MENTORS
    assert Role.MENTEE.kind is Kind.MENTEES


@pytest.mark.parametrize("kind", list(Kind))
def test_kind_role_round_trips(kind: Kind) -> None:
    role = kind.role
    assert (role is not None) == kind.is_person == (kind in PERSON_KINDS)
    if role is not None:
        assert role.kind is kind


@pytest.mark.parametrize("role", list(Role))
def test_role_kind_round_trips(role: Role) -> None:
    kind = role.kind
    if kind is not None:
        assert kind.role is role
    else:
        assert role in (Role.ADMIN, Role.COORDINATOR)


def test_singular_names() -> None:
    assert {k: k.singular for k in Kind} == {
        Kind.MENTORS: "mentor",
        Kind.MENTEES: "mentee",
        Kind.FEEDBACK: "feedback",
        Kind.COHORTS: "cohort",
    }
    for kind in PERSON_KINDS:
        assert kind.singular == kind.role


def test_every_kind_has_its_record_type() -> None:
    assert set(RECORD_TYPES) == set(Kind)
    for kind, record_type in RECORD_TYPES.items():
        assert record_type.__name__.lower() == kind.singular
    assert {RECORD_TYPES[k] for k in Kind} == {Mentor, Mentee, Feedback, Cohort}


def test_members_are_their_string_values() -> None:
    assert Kind("mentors") is Kind.MENTORS
    assert Role("coordinator") is Role.COORDINATOR
    assert f"{Kind.COHORTS}" == "cohorts"
    assert json.dumps([Role.ADMIN]) == '["admin"]'


def test_roles_are_the_api_key_roles() -> None:
    released = json.loads(RELEASED_OPENAPI.read_text(encoding="utf-8"))
    documented = released["components"]["schemas"]["KeyIn"]["properties"]["role"]["enum"]
    assert [r.value for r in Role] == documented
    assert tuple(Role) == ROLES
