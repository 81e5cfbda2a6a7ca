"""Gaps: plain sentences of what does not fit between a mentee and a suggested mentor.

The counterpart of ``recommender.ranking.explain.signal_reasons``. Each rule states one kind
of gap; ``GAP_RULES`` lists them most important first (what stops the mentoring, then what
the mentee asked for, then how easy it is to meet). A rule's threshold never overlaps the
one at which the reasons praise the same fact, so a fact is never both a reason and a gap.
Hard requirements (``require_meeting_mode``, ``require_language``) are filters, not gaps: a
mentor who fails them is not suggested at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from recommender.domain.profiles import UNSPECIFIED, Mentee, Mentor
from recommender.domain.specialties import canonical, specialty_match
from recommender.ranking.explain import GENEROUS_HOURS, QUICK_REPLY, RELATED_SPECIALTY, join_words
from recommender.ranking.registry import ACCESSIBILITY, CREDIBILITY
from recommender.ranking.signals import (
    SignalValue,
    _utc_offset_hours,
    mentee_targets,
    mentor_specialties,
)

MAX_GAPS = 4
"""At most this many gaps are told (the most important ones)."""
FAR_TIMEZONE_HOURS = 4.0
"""Hours between the two clocks from which the timezone is a gap (half the working day)."""
SLOW_REPLY = 0.25
"""Accessibility's reply part at or below which replies are slow (72 hours or more)."""
LITTLE_HOURS = 2.0
"""Hours a month below which the time offered is a gap."""

if not (SLOW_REPLY < QUICK_REPLY and LITTLE_HOURS < GENEROUS_HOURS):  # pragma: no cover
    raise RuntimeError("a gap threshold overlaps the reason for the same fact")

MODE_WORDS = {"in_person": "in person", "video": "by video", "phone": "by phone", "chat": "by chat"}


@dataclass(frozen=True)
class GapPair:
    """What a gap rule reads: the pair, its signals, and the date timezones are read at."""

    mentee: Mentee
    mentor: Mentor
    signals: Mapping[str, SignalValue]
    day: date

    def parts(self, signal: str) -> dict[str, float]:
        """The parts of ``signal`` (empty when the registry has no such signal)."""
        value = self.signals.get(signal)
        return value.parts if value is not None else {}


def full(pair: GapPair) -> str | None:
    """A mentor with no free place (shown only when the request includes full mentors)."""
    return "No free place at the moment." if pair.mentor.free_places <= 0 else None


def other_specialty(pair: GapPair) -> str | None:
    """A decided mentee's targets neither practised nor closely related (the reasons name
    an overlap, or a relation from ``RELATED_SPECIALTY``)."""
    mentor = pair.mentor
    targets = mentee_targets(pair.mentee)
    offered = mentor_specialties(mentor)
    if not targets or targets & offered or canonical(mentor.specialty) == UNSPECIFIED:
        return None
    part = pair.parts(CREDIBILITY.name).get("specialty", specialty_match(targets, offered))
    if part >= RELATED_SPECIALTY:
        return None
    noun = "specialty" if len(targets) == 1 else "specialties"
    return (
        f"Practises {mentor.specialty}, not your target {noun} {join_words(sorted(targets), 'or')}."
    )


def unmet_seeking(pair: GapPair) -> str | None:
    """What the mentee says they seek and the mentor does not offer (a mentor who lists no
    offers at all is not known to lack them, as in the stage-fit signal)."""
    offers = set(pair.mentor.offers)
    missing = sorted(set(pair.mentee.seeking) - offers)
    if not offers or not missing:
        return None
    return f"Does not offer {join_words(missing, 'or')}, which you are seeking."


def unshared_language(pair: GapPair) -> str | None:
    """The mentee's languages other than English, when the mentor speaks none of them."""
    mentee, mentor = pair.mentee, pair.mentor
    own = sorted(set(mentee.languages) - {"english"})
    if mentee.require_language or not own or set(own) & set(mentor.languages):
        return None
    return f"Does not speak {join_words([s.title() for s in own], 'or')}."


def unmet_meeting_mode(pair: GapPair) -> str | None:
    """The mentee's preferred meeting modes, when the mentor offers none of them."""
    mentee = pair.mentee
    modes = list(dict.fromkeys(mentee.meeting_modes))
    if mentee.require_meeting_mode or not modes or set(modes) & set(pair.mentor.meeting_modes):
        return None
    said = "your preferred mode" if len(modes) == 1 else "your preferred modes"
    return f"Does not meet {join_words([MODE_WORDS[m] for m in modes], 'or')}, {said}."


def timezone_hours(mentee_tz: str, mentor_tz: str, day: date) -> float:
    """Hours between the two clocks at noon on ``day``, the short way round the world (so
    Auckland and Honolulu are 2 hours apart, not 22)."""
    apart = abs(_utc_offset_hours(mentee_tz, day) - _utc_offset_hours(mentor_tz, day)) % 24
    return min(apart, 24 - apart)


def far_timezone(pair: GapPair) -> str | None:
    """Both timezones known and ``FAR_TIMEZONE_HOURS`` or more apart."""
    mentee, mentor = pair.mentee, pair.mentor
    if not (mentee.timezone and mentor.timezone):
        return None
    hours = timezone_hours(mentee.timezone, mentor.timezone, pair.day)
    if hours < FAR_TIMEZONE_HOURS:
        return None
    return f"Their timezone is {hours:g} hours from yours."


def slow_reply(pair: GapPair) -> str | None:
    """A measured reply time whose accessibility part is at most ``SLOW_REPLY``."""
    hours = pair.mentor.response_time_hours
    part = pair.parts(ACCESSIBILITY.name).get("response")
    if hours is None or part is None or part > SLOW_REPLY:
        return None
    days = max(1, round(hours / 24))
    return f"Slow to reply (usually {days} day{'s' if days != 1 else ''})."


def little_time(pair: GapPair) -> str | None:
    """Fewer than ``LITTLE_HOURS`` hours offered a month."""
    hours = pair.mentor.hours_per_month
    if hours >= LITTLE_HOURS:
        return None
    if hours <= 0:
        return "Offers no set hours a month."
    return f"Offers only {hours:g} hour{'s' if hours != 1 else ''} a month."


GapRule = Callable[[GapPair], str | None]

GAP_RULES: tuple[GapRule, ...] = (
    full,
    other_specialty,
    unmet_seeking,
    unshared_language,
    unmet_meeting_mode,
    far_timezone,
    slow_reply,
    little_time,
)
"""Every kind of gap, most important first."""


def signal_gaps(
    mentee: Mentee,
    mentor: Mentor,
    signals: Mapping[str, SignalValue],
    day: date,
    limit: int = MAX_GAPS,
) -> list[str]:
    """Plain sentences of what does not fit, most important first, at most ``limit``.

    Args:
        signals: the pair's signal values, as ranked (their parts are read, as the reasons
            read them).
        day: the date at which timezone offsets are compared (daylight saving time).
    """
    pair = GapPair(mentee, mentor, signals, day)
    found = [gap for rule in GAP_RULES if (gap := rule(pair)) is not None]
    return found[:limit]
