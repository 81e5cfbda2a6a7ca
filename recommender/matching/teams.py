"""Mentoring teams: a few mentors with complementary strengths, chosen together.

Trainees do best with several mentors as their needs grow: one for research, one for career
advice, one for well-being; an undecided student gains from mentors in different
specialties. A team is built from the mentee's ranked suggestions: each of the mentee's
needs (what they seek, else research, career and well-being) takes the best-ranked mentor
who offers it and is not in the team yet, preferring a specialty the team lacks when the
mentee is still exploring; a slot no need fills goes to the best-ranked mentor from another
specialty ("another perspective"). Each member says which need they cover and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from recommender.domain.kinds import Kind
from recommender.domain.profiles import Mentee, Mentor
from recommender.domain.suggestion import Suggestion
from recommender.engine import Engine
from recommender.ranking.filters import SuggestionFilters


@dataclass(frozen=True)
class Need:
    """Something a mentee needs from a mentor, and the offers that cover it."""

    name: str
    offers: tuple[str, ...]
    label: str


NEEDS: dict[str, Need] = {
    need.name: need
    for need in (
        Need("research", ("research_collaboration",), "research"),
        Need("career", ("career_advice", "residency_applications"), "career advice"),
        Need("well-being", ("wellness", "work_life_balance"), "well-being"),
        Need("clinical", ("clinical_skills", "shadowing"), "clinical skills"),
        Need("leadership", ("leadership",), "leadership"),
    )
}
"""The needs a team covers, by name."""
DEFAULT_NEEDS = ("research", "career", "well-being")
SPECIALTY = "specialty"
"""The need of a slot filled from another specialty."""
POOL = 40
"""Ranked suggestions a team is chosen from."""


@dataclass(frozen=True)
class Member:
    """One team member: the need covered, why, and the mentor's suggestion."""

    need: str
    why: str
    suggestion: Suggestion


def needs_of(mentee: Mentee, asked: Sequence[str] = ()) -> list[str]:
    """The needs a team for ``mentee`` covers, in order: those asked for, else what the
    mentee seeks, then the default ones."""
    if asked:
        return list(dict.fromkeys(asked))
    sought = [n.name for n in NEEDS.values() for offer in mentee.seeking if offer in n.offers]
    return list(dict.fromkeys([*sought, *DEFAULT_NEEDS]))


def build_team(
    engine: Engine,
    mentee: Mentee,
    size: int = 3,
    asked: Sequence[str] = (),
    filters: SuggestionFilters | None = None,
) -> list[Member]:
    """Up to ``size`` mentors chosen together for ``mentee`` (fewer when too few mentors
    pass the filters). Raises ``ValueError`` for an unknown need."""
    unknown = [n for n in asked if n not in NEEDS]
    if unknown:
        raise ValueError(f"unknown need {unknown[0]!r}; needs: {', '.join(NEEDS)}")
    ranked = engine.suggest(mentee, POOL, filters)
    found = engine.store.existing(Kind.MENTORS, [s.mentor_id for s in ranked])
    mentors = {k: m for k, m in found.items() if isinstance(m, Mentor)}
    exploring = mentee.undecided
    team: list[Member] = []

    def taken() -> set[str]:
        return {m.suggestion.mentor_id for m in team}

    def specialties() -> set[str]:
        return {m.suggestion.specialty for m in team}

    wanted = needs_of(mentee, asked)[:size]

    def covering(need: Need) -> list[Suggestion]:
        return [
            s
            for s in ranked
            if s.mentor_id in mentors and set(need.offers) & set(mentors[s.mentor_id].offers)
        ]

    # The need fewest mentors cover chooses first, so it is not left without one.
    options = {name: covering(NEEDS[name]) for name in wanted}
    for name in sorted(wanted, key=lambda n: len(options[n])):
        free = [s for s in options[name] if s.mentor_id not in taken()]
        if exploring:  # a specialty the team lacks first
            free.sort(key=lambda s: s.specialty in specialties())
        if free:
            chosen = free[0]
            offers = mentors[chosen.mentor_id].offers
            offered = [o.replace("_", " ") for o in NEEDS[name].offers if o in offers]
            why = f"covers {NEEDS[name].label}: offers {', '.join(offered)}"
            team.append(Member(name, why, chosen))
    team.sort(key=lambda m: wanted.index(m.need))
    for s in ranked:
        if len(team) == size:
            break
        if s.mentor_id in taken() or (team and s.specialty in specialties()):
            continue
        team.append(Member(SPECIALTY, f"another perspective: {s.specialty or 'another field'}", s))
    return team
