"""Field types and text cleaning shared by every record, and the ``Record`` base class.

Units are given per field. List fields also accept a ``;``-separated string (a CSV cell).
"""

from __future__ import annotations

import re
import types
import unicodedata
import zoneinfo
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

MAX_TEXT = 4000
"""Longest single text field (characters); longer bios must be split by the exporter."""
MAX_ITEMS = 100
"""Longest list field (entries)."""
MAX_WORK_ITEMS = 2000
"""Most work items per mentor."""

CareerStage = Literal["resident", "fellow", "early_career", "mid_career", "senior", "emeritus"]
"""Mentor career stage. ``early_career`` < 8 years as attending, ``mid_career`` 8–20,
``senior`` > 20; residents and fellows mentor as near-peers."""

MenteeStage = Literal[
    "premedical",
    "MS1",
    "MS2",
    "MS3",
    "MS4",
    "PGY1",
    "PGY2",
    "PGY3",
    "PGY4",
    "PGY5",
    "PGY6",
    "PGY7",
    "fellow",
]
"""Mentee training stage: premedical student, medical student year 1–4, resident
post-graduate year 1–7, or fellow."""

Offer = Literal[
    "career_advice",
    "research_collaboration",
    "shadowing",
    "wellness",
    "residency_applications",
    "clinical_skills",
    "leadership",
    "work_life_balance",
]
"""What a mentor offers / what a mentee seeks."""

MeetingMode = Literal["in_person", "video", "phone", "chat"]

EARLY_STAGES: frozenset[str] = frozenset({"premedical", "MS1", "MS2"})
"""Stages at which an undecided mentee is served a specialty-diverse list."""

STAGE_LEVEL: dict[str, int] = {
    "premedical": 0,
    "MS1": 1,
    "MS2": 2,
    "MS3": 3,
    "MS4": 4,
    **{f"PGY{i}": 4 + i for i in range(1, 8)},
    "fellow": 12,
}
"""Ordinal training level of a mentee (years after entering medical school, roughly)."""

CAREER_LEVEL: dict[str, int] = {
    "resident": 7,
    "fellow": 12,
    "early_career": 15,
    "mid_career": 20,
    "senior": 26,
    "emeritus": 30,
}
"""The same scale for mentors, so a mentor's lead over a mentee can be computed."""

UNDECIDED = "undecided"
UNSPECIFIED = "unspecified"
"""Specialty of a mentor whose source gives none (e.g. a text-only evaluation corpus)."""

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")

Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=ID_RE.pattern),
    Field(
        description="1–64 characters: letters, digits and _ . : @ -, not starting with a symbol."
    ),
]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    Field(description="Contact e-mail address."),
]
Phone = Annotated[
    str,
    StringConstraints(max_length=40, pattern=r"^\+?[0-9 ()./-]{4,39}$"),
    Field(description="Contact telephone number."),
]
ShortText = Annotated[str, StringConstraints(max_length=300)]


_JOINERS = frozenset("\u200c\u200d")


def _is_control(ch: str) -> bool:
    """Control, format and line/paragraph separators, except the zero-width (non-)joiners
    that emoji sequences and scripts such as Persian need."""
    return ch not in _JOINERS and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


_SPACES = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Return ``value`` NFC-normalised, without control characters, whitespace collapsed."""
    if not (value.isascii() and value.isprintable()):  # else nothing to normalise or drop
        value = unicodedata.normalize("NFC", value)
        value = "".join(" " if _is_control(ch) else ch for ch in value)
    return _SPACES.sub(" ", value).strip()


def normalise_specialty(value: str) -> str:
    """Canonical form of a specialty name: lower case, single spaces, '&' spelled out."""
    value = clean_text(value).lower().replace("&", "and")
    return re.sub(r"\s+", " ", value)


def split_list(value: Any) -> Any:
    """Accept a ``;``-separated string (CSV cells) wherever a list is expected."""
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(";")) if part]
    return value


def lower_case_list(value: Any) -> Any:
    """Lower-case (and clean) list entries *before* the length checks: lower-casing can
    lengthen a text ("İ" becomes two code points), so checking first and lower-casing after
    could store a value that fails its own checks when read back."""
    value = split_list(value)
    if not isinstance(value, list):
        return value
    return [clean_text(v).lower() if isinstance(v, str) else v for v in value]


def is_list_type(annotation: Any) -> bool:
    """True when ``annotation`` is a list type, also inside ``Annotated`` or ``Optional``.

    Args:
        annotation: a field's type, as pydantic keeps it (``FieldInfo.annotation``).
    """
    origin = get_origin(annotation)
    if origin is Annotated:
        return is_list_type(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return any(is_list_type(arg) for arg in get_args(annotation) if arg is not type(None))
    return annotation is list or origin is list


@cache
def _timezones() -> frozenset[str]:
    """IANA timezone names (read from disk once)."""
    return frozenset(zoneinfo.available_timezones())


def check_timezone(value: str | None) -> str | None:
    """A known IANA timezone name, or None for none; ``ValueError`` for an unknown name."""
    if value is None or value == "":
        return None
    if value not in _timezones():
        raise ValueError(f"unknown IANA timezone {value!r} (for example 'America/Chicago')")
    return value


class Record(BaseModel):
    """Shared configuration: unknown fields are errors, strings are cleaned."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @property
    def key(self) -> str:
        """The record's id."""
        return str(getattr(self, "id", ""))

    @model_validator(mode="before")
    @classmethod
    def _lists_from_cells(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, field in cls.model_fields.items():
            if name in out and is_list_type(field.annotation):
                out[name] = split_list(out[name])
            if name in out and out[name] == "" and field.default is None:
                out[name] = None
        return out

    @field_validator("*", mode="before")
    @classmethod
    def _clean_strings(cls, value: Any) -> Any:
        """Clean before the length and pattern checks, so they apply to what is stored
        (a name of only control characters is empty, hence refused)."""
        if isinstance(value, str):
            return clean_text(value)
        if isinstance(value, list):
            cleaned = [clean_text(v) if isinstance(v, str) else v for v in value]
            return [v for v in cleaned if v != ""]
        return value
