"""Generate the synthetic sample cohort from a seed, with planted truth, and write it to disk.

Everything is drawn from one ``random.Random(seed)``; nothing reads the clock, and no set is
ever iterated (string hashing is salted per process), so the same seed gives byte-identical
files on every run.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from recommender.domain.preferences import MentorPreferences
from recommender.domain.profiles import Cohort, Feedback, Mentee, Mentor
from recommender.samplegen.datacard import render_readme
from recommender.samplegen.history import feedback_history, last_ratings
from recommender.samplegen.mentees import mentee_drafts, truth_for
from recommender.samplegen.mentors import mentor_drafts
from recommender.samplegen.relationships import (
    History,
    relationship_history,
    relationship_rows,
    state_preferences,
)

DEFAULT_AS_OF = date(2026, 9, 1)


@dataclass(frozen=True)
class SampleCohort:
    """A generated cohort.

    Attributes:
        mentors: Mentor records, ids ``mentor-NNNN``.
        mentees: Mentee records, ids ``mentee-NNNN``.
        feedback: Past ratings, ids ``fb-NNNNN`` in date order.
        truth: Mentee id to the ids of the mentors planted as fitting that mentee, best first.
        seed: The seed that produced it.
        cohorts: Program cohorts; ``sample`` has 100 mentees and 60 mentors.
        history: Two years of relationships from a planted model
            (``recommender.samplegen.relationships``).
    """

    mentors: list[Mentor]
    mentees: list[Mentee]
    feedback: list[Feedback]
    truth: dict[str, list[str]]
    seed: int
    cohorts: list[Cohort] = field(default_factory=list)
    history: History = field(default_factory=History)


def generate(
    seed: int = 7, n_mentors: int = 320, n_mentees: int = 600, as_of: date = DEFAULT_AS_OF
) -> SampleCohort:
    """Generate a synthetic cohort; the same arguments always give the same cohort.

    Args:
        seed: Seed of the one random generator used.
        n_mentors: Number of mentors (at least 3 per specialty are kept).
        n_mentees: Number of mentees (at least 2 per stage).
        as_of: The export date: activity and feedback dates fall before it.

    Returns:
        The cohort, every record validated by its pydantic model.
    """
    rng = random.Random(seed)
    drafts = mentor_drafts(rng, n_mentors, as_of)
    mentees = mentee_drafts(rng, n_mentees, drafts)
    feedback = feedback_history(rng, drafts, mentees, as_of)
    latest = last_ratings(feedback)
    mentee_counts: dict[str, tuple[set[str], set[str]]] = {}
    for f in feedback:  # every rater was once a mentee of that mentor
        past, recent = mentee_counts.setdefault(f.mentor_id, (set(), set()))
        past.add(f.mentee_id)
        if (as_of - f.date).days <= 365:
            recent.add(f.mentee_id)
    mentors = []
    for d in drafts:
        active = d.data["last_active"]
        if active is not None and d.id in latest:
            active = max(active, latest[d.id])
        past, recent = mentee_counts.get(d.id, (set(), set()))
        data = {
            **d.data,
            "last_active": active,
            "conflicts": d.conflicts,
            "past_mentees": len(past) + int(d.data["current_mentees"]),
            "recent_mentees": len(recent),
        }
        mentors.append(Mentor.model_validate(data))
    truth = {m.record.id: truth_for(m, drafts) for m in mentees}
    records = [m.record for m in mentees]
    cohort = sample_program(random.Random(seed + 1), mentors, records)
    history = relationship_history(random.Random(seed + 2), drafts, mentees, truth, as_of)
    state_preferences(random.Random(seed + 3), history)
    held = history.open_places()  # places the history's open relationships hold
    mentors = [_stating(_without_held(m, held[m.id]), history.stated.get(m.id)) for m in mentors]
    return SampleCohort(mentors, records, feedback, truth, seed, [cohort], history)


def _stating(mentor: Mentor, stages: list[str] | None) -> Mentor:
    """``mentor`` saying (softly) which stages they take, if they do."""
    if not stages:
        return mentor
    return mentor.model_copy(update={"preferences": MentorPreferences(stages=stages)})


def _without_held(mentor: Mentor, held: int) -> Mentor:
    """``mentor`` with the places the history's relationships hold taken out of the imported
    count (the store counts them from the relationships)."""
    if not held:
        return mentor
    current = max(0, min(mentor.current_mentees - held, mentor.capacity - held))
    return mentor.model_copy(update={"current_mentees": current})


def sample_program(rng: random.Random, mentors: list[Mentor], mentees: list[Mentee]) -> Cohort:
    """Cohort ``sample``: 60 mentors with free places (mixed capacities) and 100 mentees,
    including those who declared a conflict with one of its mentors."""
    open_mentors = [m for m in mentors if m.free_places > 0]
    chosen = sorted(rng.sample(open_mentors, 60), key=lambda m: m.id)
    ids = {m.id for m in chosen}
    conflicted = [m for m in mentees if ids & set(m.conflicts)]
    rest = [m for m in mentees if m not in conflicted]
    picked = conflicted[:8] + rng.sample(rest, 100 - len(conflicted[:8]))
    return Cohort(
        id="sample",
        name="Sample mentorship program 2026-27",
        description="Synthetic: 100 mentees and the 60 mentors eligible for them.",
        mentee_ids=sorted(m.id for m in picked),
        mentor_ids=sorted(ids),
    )


def _row(record: Mentor | Mentee | Feedback | Cohort) -> dict[str, Any]:
    """One record as a JSONL row; a mentor's ``placed_mentees`` is the store's to keep
    (from approvals), never part of an import, and only stated preferences are written."""
    if not isinstance(record, Mentor):
        return record.model_dump(mode="json")
    row = record.model_dump(mode="json", exclude={"placed_mentees", "preferences"})
    if record.preferences.stated:
        row["preferences"] = record.preferences.model_dump(mode="json", exclude_defaults=True)
    return row


def _jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def write(cohort: SampleCohort, out_dir: Path) -> list[Path]:
    """Write the cohort as JSONL files plus a data card; returns the paths written.

    Files: ``mentors.jsonl``, ``mentees.jsonl``, ``feedback.jsonl``, ``cohorts.jsonl`` (one
    record per line, keys in model order, sorted by id), ``truth.jsonl`` (``mentee_id``,
    ``mentor_ids``), ``relationships.jsonl`` (one relationship with every step per line)
    and ``README.md``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)

    def dump(records: Iterable[Mentor | Mentee | Feedback | Cohort]) -> list[dict[str, Any]]:
        rows = [_row(r) for r in records]
        return sorted(rows, key=lambda row: str(row["id"]))

    paths = [
        _jsonl(out_dir / "mentors.jsonl", dump(cohort.mentors)),
        _jsonl(out_dir / "mentees.jsonl", dump(cohort.mentees)),
        _jsonl(out_dir / "feedback.jsonl", dump(cohort.feedback)),
        _jsonl(out_dir / "cohorts.jsonl", dump(cohort.cohorts)),
        _jsonl(
            out_dir / "truth.jsonl",
            ({"mentee_id": k, "mentor_ids": cohort.truth[k]} for k in sorted(cohort.truth)),
        ),
        _jsonl(out_dir / "relationships.jsonl", relationship_rows(cohort.history)),
    ]
    readme = out_dir / "README.md"
    readme.write_text(render_readme(cohort), encoding="utf-8", newline="\n")
    return [*paths, readme]
