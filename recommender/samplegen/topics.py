"""Parsed vocabulary: specialties and their planted topics (see the ``vocabulary`` package)."""

from __future__ import annotations

from dataclasses import dataclass

from recommender.samplegen.vocabulary import specialties, topics_medical, topics_surgical


@dataclass(frozen=True)
class Topic:
    """One planted topic: mentor-side phrasings and mentee-side paraphrases."""

    key: str
    specialty: str | None
    interest: str
    research: str
    interventions: tuple[str, ...]
    paraphrases: tuple[str, ...]


@dataclass(frozen=True)
class Specialty:
    """A specialty as parsed from ``vocabulary.specialties.SPECIALTIES`` plus its topics."""

    name: str
    faculty_weight: int
    trainee_weight: int
    residency_years: int
    specialist: str
    lay_names: tuple[str, ...]
    subspecialties: tuple[str, ...]
    topics: tuple[Topic, ...]


def lines(text: str) -> tuple[str, ...]:
    """The non-empty, stripped lines of a one-entry-per-line text list."""
    return tuple(line.strip() for line in text.strip().splitlines() if line.strip())


def items(text: str) -> tuple[str, ...]:
    """The entries of a ``;``-separated field."""
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _topic(key: str, specialty: str | None, entry: str) -> Topic:
    interest, research, interventions, paraphrases = (f.strip() for f in entry.split("|"))
    return Topic(key, specialty, interest, research, items(interventions), items(paraphrases))


def _load_specialties() -> tuple[Specialty, ...]:
    topics = {**topics_medical.MEDICAL_TOPICS, **topics_surgical.SURGICAL_TOPICS}
    out = []
    for name, entry in specialties.SPECIALTIES.items():
        fw, tw, years, noun, lay, subs = (f.strip() for f in entry.split("|"))
        parsed = tuple(_topic(f"{name}/{i}", name, t) for i, t in enumerate(topics[name]))
        out.append(
            Specialty(name, int(fw), int(tw), int(years), noun, items(lay), items(subs), parsed)
        )
    return tuple(out)


SPECIALTIES: tuple[Specialty, ...] = _load_specialties()
CROSS_TOPICS: tuple[Topic, ...] = tuple(
    _topic(f"cross/{i}", None, entry) for i, entry in enumerate(specialties.CROSS_TOPICS)
)
BY_NAME: dict[str, Specialty] = {s.name: s for s in SPECIALTIES}
