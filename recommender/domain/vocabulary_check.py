"""Is a specialty name one the taxonomy knows, and if not, which known names are closest?

A name the taxonomy does not resolve is not an error (a program may use its own words), but
it matches nothing in the specialty signal or the specialty filter, so whoever wrote it
should be told, with the names they probably meant: "cardiolgy" → "cardiology" (a typo),
"gastr" → "gastroenterology" (an abbreviation).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from recommender.domain.fields import UNDECIDED, UNSPECIFIED, normalise_specialty
from recommender.domain.people import Mentee, Mentor
from recommender.domain.specialties import ALIASES, KNOWN, SPECIALTIES, canonical

MAX_SUGGESTIONS = 3
CLOSE_CUTOFF = 0.75
"""Least ``difflib`` similarity of a typo to a known name (one or two wrong letters in a
word of eight to ten pass; unrelated words of similar length do not)."""
CLOSE_MARGIN = 0.08
"""Typo matches this much less similar than the best one are left out ("cardiolgy" suggests
"cardiology", not also "radiology")."""
MIN_CLOSE = 4
"""Names and terms shorter than this are not compared for typos ("hem" is no typo of "em")."""
MIN_PREFIX = 3
"""Shortest abbreviation matched as the start of a known name ("neph" but not "ne")."""

_ALWAYS_KNOWN = frozenset({UNDECIDED, UNSPECIFIED})


@dataclass(frozen=True)
class SpecialtyCheck:
    """The verdict on one specialty name.

    Attributes:
        name: the name as written.
        known: whether the taxonomy resolves it (a canonical name, synonym or abbreviation).
        suggestions: for an unknown name, the closest canonical names, best first (may be
            empty); empty for a known one.
        canonical: the canonical name a known name resolves to; None for an unknown one.
    """

    name: str
    known: bool
    suggestions: tuple[str, ...] = ()
    canonical: str | None = None


def _rank(name: str) -> tuple[int, int, str]:
    """Main specialties first, then shorter names."""
    return (0 if name in SPECIALTIES else 1, len(name), name)


@lru_cache(maxsize=1)
def _terms() -> dict[str, str]:
    """Every written form the taxonomy knows (canonical names and aliases) → canonical name."""
    return {**{name: name for name in KNOWN}, **ALIASES}


def _prefix_matches(key: str) -> list[str]:
    stems = {key, key.rstrip("s")}  # "cards" → "card"
    found = {
        target
        for term, target in _terms().items()
        for stem in stems
        if len(stem) >= MIN_PREFIX and term.startswith(stem)
    }
    return sorted(found, key=_rank)


def _close_matches(key: str) -> list[str]:
    if len(key) < MIN_CLOSE:
        return []
    matcher = difflib.SequenceMatcher(b=key, autojunk=False)
    scored: list[tuple[float, str]] = []
    for term, target in _terms().items():
        if len(term) < MIN_CLOSE:
            continue
        matcher.set_seq1(term)
        if matcher.real_quick_ratio() >= CLOSE_CUTOFF and matcher.quick_ratio() >= CLOSE_CUTOFF:
            ratio = matcher.ratio()
            if ratio >= CLOSE_CUTOFF:
                scored.append((ratio, target))
    if not scored:
        return []
    best = max(ratio for ratio, _ in scored)
    kept = sorted((r, t) for r, t in scored if r >= best - CLOSE_MARGIN)
    kept.sort(key=lambda pair: (-pair[0], _rank(pair[1])))
    return list(dict.fromkeys(target for _, target in kept))


@lru_cache(maxsize=4096)
def check_specialty(name: str) -> SpecialtyCheck:
    """Whether ``name`` is a specialty the taxonomy knows, and if not, what was likely meant.

    Matching is case-insensitive and spacing-insensitive. Suggestions come from typos
    (``difflib`` similarity at least ``CLOSE_CUTOFF`` to a canonical name or synonym) and
    then from abbreviations (a known name or synonym starting with ``name``), mapped to
    canonical names, at most ``MAX_SUGGESTIONS``.
    """
    key = normalise_specialty(name)
    resolved = canonical(name)
    if resolved in KNOWN or key in _ALWAYS_KNOWN:
        return SpecialtyCheck(name, True, (), resolved)
    found = list(dict.fromkeys([*_close_matches(key), *_prefix_matches(key)]))
    return SpecialtyCheck(name, False, tuple(found[:MAX_SUGGESTIONS]))


@dataclass(frozen=True)
class SpecialtyWarning:
    """An unknown specialty name in one field of a profile or request."""

    field: str
    value: str
    message: str
    suggestions: tuple[str, ...]


def warning_message(field: str, check: SpecialtyCheck) -> str:
    """``target_specialties: "cardiolgy" is not a known specialty; did you mean "cardiology"?``"""
    text = f'{field}: "{check.name}" is not a known specialty'
    if not check.suggestions:
        return text
    options = " or ".join(f'"{s}"' for s in check.suggestions)
    return f"{text}; did you mean {options}?"


def specialty_warnings(field: str, names: Iterable[str]) -> list[SpecialtyWarning]:
    """One warning per unknown name in ``names`` (duplicates once), in order."""
    found: list[SpecialtyWarning] = []
    for name in dict.fromkeys(names):
        check = check_specialty(name)
        if not check.known:
            message = warning_message(field, check)
            found.append(SpecialtyWarning(field, name, message, check.suggestions))
    return found


def profile_warnings(record: object) -> list[SpecialtyWarning]:
    """Warnings for a mentee's ``target_specialties`` or a mentor's ``specialty`` and
    ``subspecialties``; none for other records."""
    if isinstance(record, Mentee):
        return specialty_warnings("target_specialties", record.target_specialties)
    if isinstance(record, Mentor):
        return [
            *specialty_warnings("specialty", [record.specialty]),
            *specialty_warnings("subspecialties", record.subspecialties),
        ]
    return []


def format_warnings(warnings: Iterable[SpecialtyWarning]) -> list[str]:
    """The lines a command line prints (on stderr): ``warning: <message>``."""
    return [f"warning: {w.message}" for w in warnings]
