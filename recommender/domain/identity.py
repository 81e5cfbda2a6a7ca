"""Identity preferences, only with consent: ``IdentityClaim`` and ``IdentityStatement``.

A mentee may ask, attribute by attribute, to prefer a mentor who shares it; a mentor may
disclose an attribute for matching, attribute by attribute. An attribute counts only when
both consented (``match`` on both claims) and the values are the same. It is never inferred
from names or text: only what a person states here exists. Claims live apart from the
profiles (``recommender.storage.identity``): they are never embedded, exported with a
profile or shown in the audit trail, and coordinators see a claim only when its person
consented to that too (``coordinators``). Erasure and withdrawal remove them at once.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Attribute = Literal[
    "gender",
    "urim",
    "first_generation",
    "lgbtq",
    "parent_or_carer",
    "international_graduate",
]
"""The attributes a person may state."""

ATTRIBUTES: tuple[str, ...] = get_args(Attribute)

VALUED: frozenset[str] = frozenset({"gender"})
"""Attributes stated with a value (e.g. a gender); the others are stated as 'yes'."""

ATTRIBUTE_WORDS: dict[str, str] = {
    "gender": "gender",
    "urim": "under-represented in medicine",
    "first_generation": "first in family to study medicine",
    "lgbtq": "LGBTQ+",
    "parent_or_carer": "parent or carer",
    "international_graduate": "international medical graduate",
}


class IdentityClaim(BaseModel):
    """One attribute a person states, and what they consent to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attribute: Attribute
    value: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] = Field(
        default="yes",
        description="For gender, the person's own word (compared case-insensitively); for "
        "the other attributes 'yes'.",
    )
    match: bool = Field(
        default=False,
        description="A mentee: prefer mentors who share it. A mentor: disclose it for "
        "matching. It counts only when both sides said yes.",
    )
    coordinators: bool = Field(
        default=False, description="Program coordinators may see this claim."
    )

    @field_validator("value")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @model_validator(mode="after")
    def _value_fits(self) -> IdentityClaim:
        if self.attribute in VALUED:
            if not self.value or self.value == "yes":
                raise ValueError(f"value: {self.attribute} needs the person's own word")
        elif self.value != "yes":
            raise ValueError(f"value: {self.attribute} is stated as 'yes', not {self.value!r}")
        return self


class IdentityStatement(BaseModel):
    """Everything a person states of their identity (replaces what was stated before)."""

    model_config = ConfigDict(extra="forbid")

    claims: list[IdentityClaim] = Field(default_factory=list, max_length=len(ATTRIBUTES))

    @field_validator("claims")
    @classmethod
    def _once_each(cls, claims: list[IdentityClaim]) -> list[IdentityClaim]:
        seen: set[str] = set()
        for claim in claims:
            if claim.attribute in seen:
                raise ValueError(f"attribute {claim.attribute!r} is stated twice")
            seen.add(claim.attribute)
        return claims


def shared(mentee: list[IdentityClaim], mentor: list[IdentityClaim]) -> list[str]:
    """The attributes that count for this pair: both consented to matching on them and the
    values are the same."""
    theirs = {c.attribute: c.value for c in mentor if c.match}
    return [c.attribute for c in mentee if c.match and theirs.get(c.attribute) == c.value]
