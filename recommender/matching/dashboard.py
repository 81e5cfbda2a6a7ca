"""A cohort at a glance: how well it is matched, how the load falls, which specialties lack
mentors. Read from the cohort's approved assignment, else its newest draft."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from recommender.domain.profiles import Cohort, Mentee, Mentor
from recommender.matching.draft import Draft
from recommender.matching.outcome import Unmatched
from recommender.ranking.signals import mentee_targets, mentor_specialties


@dataclass(frozen=True)
class Coverage:
    """A target specialty: mentees aiming at it, cohort mentors practising it, their places."""

    specialty: str
    mentees: int
    mentors: int
    free_places: int


@dataclass(frozen=True)
class Dashboard:
    """The figures a program coordinator plots for one cohort."""

    cohort_id: str
    mentees: int
    mentors: int
    assignment_id: str | None = None
    status: str | None = None
    matched_share: float = 0.0
    top3_share: float = 0.0
    fair_min: float | None = None
    total_min: float | None = None
    mean_score: float | None = None
    load_histogram: dict[str, int] = field(default_factory=dict)
    unmatched: list[Unmatched] = field(default_factory=list)
    specialty_coverage: list[Coverage] = field(default_factory=list)


def dashboard(
    cohort: Cohort, mentees: list[Mentee], mentors: list[Mentor], drafts: list[Draft]
) -> Dashboard:
    """The dashboard of ``cohort`` from its stored ``mentees`` and ``mentors`` and its
    ``drafts`` (newest first; the approved one is preferred)."""
    coverage = specialty_coverage(mentees, mentors)
    live = [d for d in drafts if d.status != "superseded"]
    chosen = next((d for d in live if d.status == "approved"), live[0] if live else None)
    base = Dashboard(cohort.id, len(mentees), len(mentors), specialty_coverage=coverage)
    if chosen is None:
        return base
    result = chosen.result
    served = {p.mentee_id for p in result.pairs}
    load = Counter(p.mentor_id for p in result.pairs)
    histogram = Counter(load[m.id] for m in mentors)
    objectives = result.objectives
    return Dashboard(
        cohort.id,
        len(mentees),
        len(mentors),
        chosen.id,
        chosen.status,
        matched_share=len(served & {m.id for m in mentees}) / max(1, len(mentees)),
        top3_share=result.top3_share,
        fair_min=objectives.get("fair", {}).get("min_score"),
        total_min=objectives.get("total", {}).get("min_score"),
        mean_score=result.mean_score,
        load_histogram={str(k): v for k, v in sorted(histogram.items())},
        unmatched=list(result.unmatched),
        specialty_coverage=coverage,
    )


def specialty_coverage(mentees: list[Mentee], mentors: list[Mentor]) -> list[Coverage]:
    """Each target specialty of the mentees, most wanted first."""
    wanted = Counter(t for m in mentees for t in mentee_targets(m))
    practised = {m.id: mentor_specialties(m) for m in mentors}
    out = []
    for specialty, n in wanted.most_common():
        able = [m for m in mentors if specialty in practised[m.id]]
        free = sum(max(0, m.free_places) for m in able)
        out.append(Coverage(specialty, n, len(able), free))
    return out
