"""Mentoring teams on the faculty (the real model): each need covered by a different mentor
who offers it, an exploring student's team spread over specialties, and the mentee's current
mentors never in it."""

from __future__ import annotations

import pytest

from recommender.domain.kinds import Kind, Role
from recommender.domain.relationships import Actor
from recommender.engine import Engine
from recommender.matching.lifecycle import Lifecycle
from recommender.matching.teams import build_team, needs_of
from tests.conftest import mentee, mentor

EXTRA = [
    mentor(
        "well1",
        "psychiatry",
        research_areas=["physician burnout and resilience"],
        offers=["wellness", "work_life_balance"],
    ),
    mentor(
        "card3",
        "cardiology",
        interests=["residency applications in cardiology"],
        offers=["residency_applications", "career_advice"],
    ),
]


@pytest.fixture
def team_engine(faculty_engine: Engine) -> Engine:
    faculty_engine.write(Kind.MENTORS, EXTRA)
    return faculty_engine


def test_each_need_is_covered_by_a_different_mentor_who_offers_it(team_engine: Engine) -> None:
    seeker = mentee(
        "e1",
        "MS3",
        interests=["heart failure research"],
        target_specialties=["cardiology"],
        seeking=["research_collaboration", "residency_applications", "wellness"],
    )
    team = build_team(team_engine, seeker, size=3)
    assert [m.need for m in team] == ["research", "career", "well-being"]
    assert len({m.suggestion.mentor_id for m in team}) == 3
    offers = {m.id: set(m.offers) for m in team_engine.store.mentors()}
    assert "research_collaboration" in offers[team[0].suggestion.mentor_id]
    assert offers[team[1].suggestion.mentor_id] & {"career_advice", "residency_applications"}
    assert team[2].suggestion.mentor_id == "well1" and "wellness" in team[2].why
    asked = build_team(team_engine, seeker, size=2, asked=["well-being", "research"])
    assert [m.need for m in asked] == ["well-being", "research"]
    with pytest.raises(ValueError, match="unknown need 'fame'"):
        build_team(team_engine, seeker, asked=["fame"])


def test_an_exploring_students_team_spans_specialties_and_leaves_out_current_mentors(
    team_engine: Engine,
) -> None:
    team_engine.write(Kind.MENTEES, [mentee("e2", "MS1", interests=["clinical research"])])
    student = team_engine.store.get_mentee("e2")
    assert student.undecided and needs_of(student) == ["research", "career", "well-being"]
    team = build_team(team_engine, student, size=3)
    assert len({m.suggestion.specialty for m in team}) == 3
    current = team[0].suggestion.mentor_id
    life = Lifecycle(team_engine)
    life.request(Actor(Role.MENTEE, "e2"), "e2", current)
    again = build_team(team_engine, team_engine.store.get_mentee("e2"), size=3)
    assert current not in {m.suggestion.mentor_id for m in again}
