"""Mentee records, each generated from an anchor (specialties and topics), and planted truth.

A mentee's interests and goals use only the *mentee-side paraphrases* of the anchor topics, so a
recommender has to bridge vocabulary to find the planted mentors.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from recommender.domain.profiles import Mentee
from recommender.samplegen.draw import (
    allocate,
    cap,
    draw_names,
    modes,
    parse_weights,
    sample,
    second_language,
    site,
)
from recommender.samplegen.mentors import MentorDraft
from recommender.samplegen.topics import CROSS_TOPICS, SPECIALTIES, Specialty, Topic, lines
from recommender.samplegen.vocabulary import mentee_text, people

MAX_TRUTH = 15
"""Most planted mentors per mentee."""

_STAGES: dict[str, float] = {
    "premedical": 8,
    "MS1": 11,
    "MS2": 11,
    "MS3": 12,
    "MS4": 11,
    "PGY1": 9,
    "PGY2": 8,
    "PGY3": 7,
    "PGY4": 5,
    "PGY5": 3,
    "PGY6": 1.6,
    "PGY7": 1.2,
    "fellow": 6,
}
_UNDECIDED_SHARE = {"premedical": 0.75, "MS1": 0.65, "MS2": 0.5, "MS3": 0.2, "MS4": 0.03}
_SEEKS: dict[str, str] = {
    "premedical": "shadowing 5; career_advice 5; research_collaboration 2; wellness 1",
    "early": "career_advice 5; research_collaboration 4; shadowing 4; wellness 2;"
    " clinical_skills 2",
    "student": "residency_applications 6; career_advice 4; research_collaboration 3;"
    " clinical_skills 2; wellness 1",
    "resident": "career_advice 5; research_collaboration 4; work_life_balance 3; leadership 2;"
    " wellness 2; clinical_skills 1",
    "fellow": "career_advice 5; research_collaboration 4; leadership 3; work_life_balance 3",
}
_GOALS = {
    "premedical": mentee_text.GOALS_PREMEDICAL
    + "\n".join(
        g for g in lines(mentee_text.GOALS_EARLY) if "board" not in g and "first-year" not in g
    ),
    "early": mentee_text.GOALS_EARLY,
    "student": mentee_text.GOALS_STUDENT,
    "resident": mentee_text.GOALS_RESIDENT,
    "fellow": mentee_text.GOALS_FELLOW + mentee_text.GOALS_RESIDENT,
}


@dataclass(frozen=True)
class MenteeDraft:
    """A mentee record with the anchor it was generated from."""

    record: Mentee
    pool: tuple[str, ...]
    """Specialties the anchor came from: the targets, or those an undecided mentee explores."""
    anchors: tuple[Topic, ...]


def _group(stage: str) -> str:
    if stage == "premedical" or stage == "fellow":
        return stage
    if stage in ("MS1", "MS2"):
        return "early"
    return "student" if stage.startswith("MS") else "resident"


def _candidates(stage: str) -> list[tuple[Specialty, float]]:
    """Specialties a trainee at ``stage`` can aim for, with weights."""
    if stage.startswith("PGY"):
        year = int(stage[3:])
        return [
            (s, s.trainee_weight)
            for s in SPECIALTIES
            if s.residency_years >= year or (s.residency_years == 0 and year <= 3)
        ]
    if stage == "fellow":
        return [(s, s.trainee_weight * (3 if s.residency_years == 0 else 1)) for s in SPECIALTIES]
    return [(s, s.trainee_weight) for s in SPECIALTIES]


def _pool(rng: random.Random, stage: str, undecided: bool) -> list[Specialty]:
    options = _candidates(stage)
    specs, weights = [s for s, _ in options], [w for _, w in options]
    if undecided:
        return sample(rng, specs, weights, rng.choice([2, 3]))
    two = rng.random() < {"MS2": 0.12, "MS3": 0.12, "MS4": 0.1, "PGY1": 0.05}.get(stage, 0)
    return sample(rng, specs, weights, 2 if two else 1)


def _allowed(
    mentor: MentorDraft, modes: list[str], need_mode: bool, langs: list[str], need_lang: bool
) -> bool:
    data = mentor.data
    if need_mode and not any(m in data["meeting_modes"] for m in modes):
        return False
    return not need_lang or any(lang in data["languages"] for lang in langs)


def compatible(mentor: MentorDraft, mentee: Mentee) -> bool:
    """True unless a hard requirement of the mentee (meeting mode, language) excludes the mentor."""
    return _allowed(
        mentor,
        list(mentee.meeting_modes),
        mentee.require_meeting_mode,
        mentee.languages,
        mentee.require_language,
    )


MIN_ELIGIBLE = 10
"""A program's form lets a mentee make a language or meeting mode a hard requirement only
when at least this many mentors with free places satisfy it (a full default list)."""


def _relax_rare_requirements(data: dict[str, Any], drafts: list[MentorDraft]) -> None:
    eligible = sum(
        d.free > 0
        and _allowed(
            d,
            data["meeting_modes"],
            data["require_meeting_mode"],
            data["languages"],
            data["require_language"],
        )
        for d in drafts
    )
    if eligible < MIN_ELIGIBLE:
        data["require_meeting_mode"] = data["require_language"] = False


def _anchor_pool(
    rng: random.Random, stage: str, undecided: bool, data: dict[str, Any], drafts: list[MentorDraft]
) -> tuple[list[Specialty], list[MentorDraft]]:
    """Specialties and the compatible mentors with free places among them (never empty)."""
    for attempt in range(50):
        if attempt == 3:  # nobody fits the hard requirements: this mentee relaxes them
            data["require_meeting_mode"] = data["require_language"] = False
        pool = _pool(rng, stage, undecided)
        names = [s.name for s in pool]
        eligible = [
            d
            for d in drafts
            if d.specialty.name in names
            and d.free > 0
            and _allowed(
                d,
                data["meeting_modes"],
                data["require_meeting_mode"],
                data["languages"],
                data["require_language"],
            )
        ]
        if eligible:
            return pool, eligible
    raise RuntimeError("no mentor with free places; raise n_mentors")


def _anchors(rng: random.Random, pool: list[Specialty], eligible: list[MentorDraft]) -> list[Topic]:
    held: dict[str, Topic] = {}
    for d in eligible:
        for t in d.topics:
            if t.specialty == d.specialty.name:
                held.setdefault(t.key, t)
    first = rng.choice(list(held.values()))
    if rng.random() >= 0.35:
        return [first]
    if rng.random() < 0.4:
        return [first, rng.choice(CROSS_TOPICS)]
    others = [t for s in pool for t in s.topics if t.key != first.key]
    return [first, rng.choice(others)]


def _interests(rng: random.Random, pool: list[Specialty], anchors: list[Topic]) -> list[str]:
    paraphrases = list(anchors[0].paraphrases)
    rng.shuffle(paraphrases)
    out = paraphrases[: 2 if rng.random() < 0.35 else 1]
    out += [rng.choice(t.paraphrases) for t in anchors[1:]]
    if rng.random() < 0.15:
        out.append(rng.choice(pool[0].lay_names))
    if rng.random() < 0.25:
        out.append(rng.choice(lines(mentee_text.NOISE_INTERESTS)))
    rng.shuffle(out)
    return list(dict.fromkeys(out))[:4]


def _goals(rng: random.Random, stage: str, pool: list[Specialty], anchor: Topic) -> list[str]:
    other = pool[1] if len(pool) > 1 else rng.choice([s for s in SPECIALTIES if s is not pool[0]])
    values = {
        "lay": rng.choice(pool[0].lay_names),
        "lay2": rng.choice(other.lay_names),
        "para": rng.choice(anchor.paraphrases),
    }
    templates = lines(_GOALS[_group(stage)])
    goals = []
    for template in rng.sample(templates, rng.choices([1, 2, 3], [4, 4, 2])[0]):
        goal = template.format(**values)
        if rng.random() < 0.45:
            goal = f"{rng.choice(lines(mentee_text.GOAL_OPENERS))} {goal}"
        goals.append(cap(goal) if rng.random() < 0.6 else goal)
    return goals


def _mentee(
    rng: random.Random, mentee_id: str, name: str, stage: str, drafts: list[MentorDraft]
) -> MenteeDraft:
    undecided = rng.random() < _UNDECIDED_SHARE.get(stage, 0.0)
    languages = ["english"]
    if rng.random() < 0.18:
        languages.append(second_language(rng))
    data: dict[str, Any] = {
        "id": mentee_id,
        "name": "" if rng.random() < 0.02 else name,
        "stage": stage,
        "meeting_modes": modes(rng),
        "require_meeting_mode": rng.random() < 0.06,
        "languages": languages,
        "require_language": len(languages) > 1 and rng.random() < 0.15,
    }
    if data["require_meeting_mode"]:
        data["meeting_modes"] = [rng.choice(["in_person", "video"])]
    if data["require_language"]:
        data["languages"] = languages[1:]  # wants to be mentored in that language
    _relax_rare_requirements(data, drafts)
    if stage == "premedical" and rng.random() < 0.7:
        data["location"], data["timezone"] = rng.choice(people.UNDERGRAD_SITES)
    elif rng.random() < 0.03:
        data["location"], data["timezone"] = "", None  # left blank in the export
    else:
        data["location"], data["timezone"] = site(rng)
    pool, eligible = _anchor_pool(rng, stage, undecided, data, drafts)
    anchors = _anchors(rng, pool, eligible)
    offers, weights = parse_weights(_SEEKS[_group(stage)])
    data["target_specialties"] = [] if undecided else [s.name for s in pool]
    data["interests"] = _interests(rng, pool, anchors)
    data["goals"] = _goals(rng, stage, pool, anchors[0])
    data["seeking"] = sample(rng, offers, weights, rng.choices([1, 2, 3], [3, 4, 2])[0])
    supervised = stage.startswith("PGY") or stage == "fellow"
    data["conflicts"] = []
    if rng.random() < (0.06 if supervised else 0.01):
        same = [d.id for d in drafts if d.specialty.name == pool[0].name]
        data["conflicts"] = rng.sample(same, min(len(same), rng.choice([1, 1, 2])))
    return MenteeDraft(Mentee.model_validate(data), tuple(s.name for s in pool), tuple(anchors))


def truth_for(mentee: MenteeDraft, drafts: list[MentorDraft]) -> list[str]:
    """Planted mentors: share an anchor topic, in a target specialty if decided, best first.

    Order: more shared anchor topics first, then mentors in the anchor specialties, then mentors
    with free places; mentors excluded by a conflict or a hard requirement are left out.
    """
    record = mentee.record
    keys = [t.key for t in mentee.anchors]
    rows = []
    for d in drafts:
        if record.target_specialties and d.specialty.name not in record.target_specialties:
            continue
        if d.id in record.conflicts or record.id in d.conflicts or not compatible(d, record):
            continue
        shared = sum(1 for t in d.topics if t.key in keys)
        if shared:
            rows.append(((-shared, d.specialty.name not in mentee.pool, d.free <= 0, d.id), d.id))
    rows.sort()
    return [mentor_id for _, mentor_id in rows[:MAX_TRUTH]]


def mentee_drafts(rng: random.Random, n: int, drafts: list[MentorDraft]) -> list[MenteeDraft]:
    """``n`` mentees across all stages (more students than senior residents).

    A mentee whose conflicts would leave no planted mentor with free places drops them, and
    half of the kept conflicts are mirrored on the mentor's side.
    """
    counts = allocate(n, list(_STAGES.values()), 2)
    stages = [s for s, c in zip(_STAGES, counts, strict=True) for _ in range(c)]
    rng.shuffle(stages)
    taken = {str(d.data["name"]): True for d in drafts}
    names = [f"{first} {last}" for first, last in draw_names(rng, n, taken)]
    by_id = {d.id: d for d in drafts}
    out = []
    for i, (stage, name) in enumerate(zip(stages, names, strict=True), start=1):
        mentee = _mentee(rng, f"mentee-{i:04d}", name, stage, drafts)
        if mentee.record.conflicts and not any(
            by_id[m].free > 0 for m in truth_for(mentee, drafts)
        ):
            record = mentee.record.model_copy(update={"conflicts": []})
            mentee = MenteeDraft(record, mentee.pool, mentee.anchors)
        for mentor_id in mentee.record.conflicts:
            if rng.random() < 0.5:
                by_id[mentor_id].conflicts.append(mentee.record.id)
        out.append(mentee)
    return out
