"""Suggestion requests and ranked, explained answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas.base import StrictBody
from recommender.domain.profiles import Id, MeetingMode, Mentee, Offer, ShortText
from recommender.domain.suggestion import FIT_METHOD
from recommender.domain.vocabulary_check import SpecialtyWarning

MAX_K = 100


class MenteeInline(Mentee):
    """An inline mentee profile; ``id`` is optional (defaults to ``inline``)."""

    id: Id = "inline"


class FiltersIn(StrictBody):
    """Optional restrictions on suggestions."""

    specialties: list[ShortText] = Field(default_factory=list, max_length=20)
    meeting_modes: list[MeetingMode] = Field(default_factory=list, max_length=4)
    languages: list[ShortText] = Field(default_factory=list, max_length=20)
    offers: list[Offer] = Field(default_factory=list, max_length=8)
    exclude: list[Id] = Field(default_factory=list, max_length=1000)
    include_full: bool = Field(default=False, description="Also suggest mentors with no place.")
    diversify: bool | None = Field(
        default=None, description="Spread across specialties; default: by the mentee's stage."
    )
    follow_specialty: bool | None = Field(
        default=None,
        description="List mentors in the target specialty first; default: by the mentee's stage.",
    )


class TeamIn(StrictBody):
    """Ask for a mentoring team: mentors chosen together, each covering a need."""

    size: int = Field(default=3, ge=2, le=5, description="Mentors in the team.")
    needs: list[Literal["research", "career", "well-being", "clinical", "leadership"]] = Field(
        default_factory=list,
        max_length=5,
        description="The needs to cover, in order (default: what the mentee seeks, then "
        "research, career and well-being).",
    )


class SuggestionRequest(StrictBody):
    """Either ``mentee_id`` of a stored mentee or an inline ``mentee`` profile."""

    mentee_id: Id | None = None
    mentee: MenteeInline | None = None
    k: Annotated[int, Field(ge=1, le=MAX_K)] = 10
    filters: FiltersIn = Field(default_factory=FiltersIn)
    team: TeamIn | None = Field(
        default=None,
        description="Instead of a ranked list, a team of mentors with complementary "
        "strengths (``k`` is then the team's size).",
    )

    @model_validator(mode="after")
    def _one_mentee(self) -> SuggestionRequest:
        if (self.mentee_id is None) == (self.mentee is None):
            raise ValueError("give exactly one of mentee_id or mentee")
        return self


class ComponentPublic(BaseModel):
    """A signal's part in the score."""

    model_config = ConfigDict(from_attributes=True)  # read from the domain's dataclasses

    value: float = Field(description="Signal value in [0, 1].")
    weight: float = Field(
        description="Its weight in the ranker (weights sum to 1); for a learned ranker, its "
        "share of the model's weight over the training candidates."
    )
    contribution: float = Field(
        description="Its share of this score; contributions sum to the score. For the "
        "weighted mean, value × weight; for a learned ranker, the signal's additive part of "
        "the model's score (negative when it lowered it)."
    )
    neutral: bool = Field(description="True when the signal's fields were absent.")
    withheld: bool = Field(
        default=False,
        description="True when too few mentees rated the mentor for their ratings to be "
        "shown or used; the program mean stands in.",
    )


class MatchPublic(BaseModel):
    """A mentee text and the mentor item it matched: by meaning, by shared words, or both."""

    model_config = ConfigDict(from_attributes=True)  # read from the domain's dataclasses

    mentee_text: str
    mentor_text: str
    mentor_field: str
    similarity: float = Field(description="Cosine of the two texts' embeddings.")
    shared_words: list[str] = Field(
        default_factory=list,
        description="The mentee's words the mentor item also uses (matched by stem), rarest "
        "first: the lexical part of the text match.",
    )


class MentorSidePublic(BaseModel):
    """The mentor's side of a suggestion: how likely they are to accept this mentee."""

    model_config = ConfigDict(from_attributes=True)  # read from the domain's dataclasses

    factor: float = Field(
        description="What the mentee-side score was multiplied by: min(1, chance / typical)."
    )
    chance: float = Field(
        description="Estimated chance that the mentor accepts a request from this mentee: "
        "their past decisions on mentees at this stage and their stated soft preferences, "
        "shrunk towards the program's rate (beta-binomial)."
    )
    typical: float = Field(description="The program's acceptance rate at this stage.")
    accepted: int = Field(description="Requests from mentees at this stage they accepted.")
    asked: int = Field(description="Requests from mentees at this stage they answered.")
    stage_band: str = Field(
        description="The mentee's stage band: premedical, preclinical, clinical, resident or "
        "fellow."
    )
    takes: str = Field(default="", description="The mentor's stated preferences in a phrase.")
    outside: list[str] = Field(
        default_factory=list,
        description="The mentor's soft preferences the mentee is outside (stages, "
        "specialties, topics, meeting_modes).",
    )


class SuggestionPublic(BaseModel):
    """One suggested mentor."""

    model_config = ConfigDict(from_attributes=True)  # read from the domain's dataclasses

    mentor_id: str
    rank: int
    score: float
    components: dict[str, ComponentPublic]
    explanation: str
    matches: list[MatchPublic]
    reasons: list[str]
    mentor_name: str
    specialty: str
    fit: int = Field(
        default=0, ge=0, le=100, description=f"How well the mentor fits, 0–100. {FIT_METHOD}"
    )
    gaps: list[str] = Field(
        default_factory=list,
        description="What does not fit, in plain sentences, most important first (at most "
        "four): e.g. no free place, another specialty than the mentee's target, something "
        "sought and not offered, a language or meeting mode not shared, a distant timezone, "
        "slow replies, little time. Empty when nothing stands out. The explanation ends with "
        "them.",
    )
    mentor_side: MentorSidePublic | None = Field(
        default=None,
        description="How likely the mentor is to accept (two-sided ranking); the score "
        "includes its factor. None when two-sided ranking is off.",
    )
    identity: list[str] = Field(
        default_factory=list,
        description="Identity attributes the mentor shares with the mentee, both having "
        "consented to matching on them (the score was lifted by identity_weight × their share "
        "of the attributes asked). Filled only when the mentee themself asks; empty in every "
        "other caller's view.",
    )


class WarningPublic(BaseModel):
    """A value that was accepted but probably not meant as written, e.g. a specialty the
    taxonomy does not know (it matches no mentor's specialty)."""

    field: str = Field(description="Where the value is, e.g. 'target_specialties'.")
    value: str = Field(description="The value as written.")
    message: str = Field(description="What is wrong, in a sentence.")
    suggestions: list[str] = Field(
        default_factory=list, description="Known values that were probably meant, best first."
    )


def warnings_public(warnings: Iterable[SpecialtyWarning]) -> list[WarningPublic]:
    """The public form of domain warnings."""
    return [
        WarningPublic(
            field=w.field, value=w.value, message=w.message, suggestions=list(w.suggestions)
        )
        for w in warnings
    ]


class TeamMemberPublic(BaseModel):
    """What a team member is in the team for."""

    mentor_id: str
    need: str = Field(description="The need covered, or 'specialty' for another perspective.")
    why: str = Field(description="The need and what the mentor offers for it, in a sentence.")


class SuggestionsPublic(BaseModel):
    """A ranked list of suggestions (or a team: ``team`` says what each member covers)."""

    mentee_id: str
    data: list[SuggestionPublic]
    count: int
    team: list[TeamMemberPublic] | None = Field(
        default=None, description="For a team request: each member's need, in ``data``'s order."
    )
    warnings: list[WarningPublic] = Field(
        default_factory=list,
        description="Values of the request or the stored mentee that were accepted but are "
        "probably mistaken (e.g. an unknown specialty); empty when there are none.",
    )
