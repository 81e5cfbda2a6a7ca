"""What a mentor asks of the mentees they take: ``MentorPreferences``.

A mentor may state the stages and target specialties of the mentees they take, the topics
they like to mentor on, at most how many mentees at each stage they hold at once, whether a
mentee must share one of their meeting modes, and a date before which they take no one new.

Each stated preference is soft unless listed in ``hard``: a hard one is a filter (the mentor
is never suggested to a mentee outside it), a soft one lowers the mentor's estimated chance
of accepting (``recommender.ranking.mentor_side``). ``max_per_stage`` and
``not_taking_until`` are always hard.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from recommender.domain.fields import MAX_ITEMS, MenteeStage, ShortText

Dimension = Literal["stages", "specialties", "topics", "meeting_modes"]
"""A preference that may be hard or soft."""

STAGES: tuple[str, ...] = get_args(MenteeStage)

STAGE_BAND: dict[str, str] = {
    "premedical": "premedical",
    "MS1": "preclinical",
    "MS2": "preclinical",
    "MS3": "clinical",
    "MS4": "clinical",
    **{f"PGY{n}": "resident" for n in range(1, 8)},
    "fellow": "fellow",
}
"""Each stage's band: acceptance is estimated per mentor and band (a mentor's record at
one stage says something of the next one; bands pool the few decisions a mentor has)."""

BANDS: tuple[str, ...] = ("premedical", "preclinical", "clinical", "resident", "fellow")

_WORD = re.compile(r"[a-z0-9]+")


class MentorPreferences(BaseModel):
    """The mentees a mentor takes (all empty: anyone)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stages: list[MenteeStage] = Field(
        default_factory=list,
        max_length=len(STAGES),
        description="Stages of the mentees they take, e.g. ['MS1', 'MS2']; empty: any stage.",
    )
    specialties: list[ShortText] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Target specialties of the mentees they take (a mentee exploring, with "
        "no target, is outside); empty: any.",
    )
    topics: list[ShortText] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="What they like to mentor on, e.g. 'research'; a mentee is inside when "
        "their interests, goals or what they seek mention one of the topics' words.",
    )
    meeting_modes: bool = Field(
        default=False,
        description="Take only mentees who name a meeting mode the mentor offers "
        "(their meeting_modes); a mentee who names none is inside.",
    )
    max_per_stage: dict[MenteeStage, int] = Field(
        default_factory=dict,
        description="At most this many open relationships with mentees at a stage (always "
        "hard), e.g. {'MS1': 1}.",
    )
    not_taking_until: date | None = Field(
        default=None,
        description="Take no new mentee before this date (always hard: not suggested until then).",
    )
    hard: list[Dimension] = Field(
        default_factory=list,
        max_length=len(get_args(Dimension)),
        description="Which of stages, specialties, topics and meeting_modes are filters "
        "(never suggested outside them); the others only lower the chance of acceptance.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> MentorPreferences:
        for dimension in self.hard:
            if dimension != "meeting_modes" and not getattr(self, dimension):
                raise ValueError(f"hard: {dimension!r} is hard but no {dimension} are given")
            if dimension == "meeting_modes" and not self.meeting_modes:
                raise ValueError("hard: 'meeting_modes' is hard but meeting_modes is false")
        for stage, most in self.max_per_stage.items():
            if not 0 <= most <= 100:
                raise ValueError(f"max_per_stage: {stage} must be 0 to 100, not {most}")
        return self

    @property
    def stated(self) -> bool:
        """Whether any preference is stated."""
        return bool(
            self.stages
            or self.specialties
            or self.topics
            or self.meeting_modes
            or self.max_per_stage
            or self.not_taking_until
        )

    def takes(self) -> str:
        """The stated preferences in a phrase: "takes MS1–MS2 students in cardiology
        interested in research" ("" when none is stated)."""
        if not (self.stages or self.specialties or self.topics):
            return ""
        words = ["takes", stage_phrase(self.stages) if self.stages else "mentees"]
        if self.specialties:
            words.append("aiming for " + _listed(self.specialties))
        if self.topics:
            words.append("interested in " + _listed(self.topics))
        return " ".join(words)


def misses(
    preferences: MentorPreferences,
    stage: str,
    targets: list[str],
    texts: list[str],
    modes: list[str],
    mentor_modes: list[str],
) -> tuple[Dimension, ...]:
    """The stated preferences a mentee falls outside (hard and soft alike).

    Args:
        stage: the mentee's stage; ``targets`` their target specialties; ``texts`` their
            interests, goals and what they seek; ``modes`` their meeting modes.
        mentor_modes: the modes the mentor offers.
    """
    from recommender.domain.specialties import canonical

    out: list[Dimension] = []
    if preferences.stages and stage not in preferences.stages:
        out.append("stages")
    if preferences.specialties and not {canonical(s) for s in targets} & {
        canonical(s) for s in preferences.specialties
    }:
        out.append("specialties")
    if preferences.topics and not _topic_words(preferences.topics) & _words(texts):
        out.append("topics")
    if preferences.meeting_modes and modes and not set(modes) & set(mentor_modes):
        out.append("meeting_modes")
    return tuple(out)


def stage_phrase(stages: Sequence[str]) -> str:
    """Stages in words, runs joined: ['MS1', 'MS2'] → "MS1–MS2 students";
    ['PGY1', …, 'PGY7', 'fellow'] → "residents and fellows"."""
    groups = (
        ("students", [s for s in STAGES if STAGE_BAND[s] not in ("resident", "fellow")]),
        ("residents", [s for s in STAGES if STAGE_BAND[s] == "resident"]),
    )
    parts = []
    for noun, members in groups:
        chosen = [s for s in members if s in stages]
        if chosen == members:
            parts.append(noun)
        elif chosen:
            parts.append(f"{_listed(_runs(chosen))} {noun}")
    if "fellow" in stages:
        parts.append("fellows")
    return _listed(parts)


def _runs(chosen: list[str]) -> list[str]:
    runs: list[list[str]] = []
    for s in chosen:
        if runs and STAGES.index(runs[-1][-1]) + 1 == STAGES.index(s):
            runs[-1].append(s)
        else:
            runs.append([s])
    return [run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs]


def _listed(values: list[str]) -> str:
    values = list(values)
    if len(values) <= 2:
        return " and ".join(values)
    return ", ".join(values[:-1]) + " and " + values[-1]


def _words(texts: list[str]) -> set[str]:
    return {_stem(w) for t in texts for w in _WORD.findall(t.lower().replace("_", " "))}


def _topic_words(topics: list[str]) -> set[str]:
    stop = {"and", "the", "of", "in", "for", "a", "an", "to", "on", "with"}
    return {w for w in _words(topics) if w not in stop}


def _stem(word: str) -> str:
    """A crude stem so 'research' meets 'researching' and 'surgeries' meets 'surgery'."""
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    for suffix in ("ing", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word
