"""Small seeded random helpers shared by the cohort generator (all take the one ``Random``)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from recommender.samplegen.topics import items
from recommender.samplegen.vocabulary import people

T = TypeVar("T")

MODES: dict[str, float] = {"in_person": 0.7, "video": 0.85, "phone": 0.3, "chat": 0.25}
"""Probability that a person offers each meeting mode."""


def parse_weights(spec: str) -> tuple[list[str], list[float]]:
    """Split ``"name 3; other 1"`` into names and weights."""
    pairs = [item.rsplit(" ", 1) for item in items(spec)]
    return [p[0] for p in pairs], [float(p[1]) for p in pairs]


def pick(rng: random.Random, weighted: dict[str, float]) -> str:
    """One key of ``weighted``, drawn with its weight."""
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def sample(
    rng: random.Random, population: Sequence[T], weights: Sequence[float], k: int
) -> list[T]:
    """Weighted sample of ``k`` distinct items, in draw order."""
    pool = list(zip(population, weights, strict=True))
    out: list[T] = []
    for _ in range(min(k, len(pool))):
        r = rng.random() * sum(w for _, w in pool)
        index = len(pool) - 1
        for i, (_, w) in enumerate(pool):
            r -= w
            if r < 0:
                index = i
                break
        out.append(pool.pop(index)[0])
    return out


def allocate(n: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split ``n`` into integer shares proportional to ``weights`` (largest remainder)."""
    spare = n - minimum * len(weights)
    raw = [spare * w / sum(weights) for w in weights]
    counts = [minimum + int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - int(raw[i])), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def article(phrase: str) -> str:
    """``phrase`` with "a" or "an" in front."""
    vowel = phrase[:1].lower() in "aeio" or (phrase[:1].lower() == "u" and phrase[:2] != "ur")
    return ("an " if vowel else "a ") + phrase


def cap(text: str) -> str:
    """``text`` with its first character upper-cased (the rest untouched, unlike ``title``)."""
    return text[:1].upper() + text[1:]


def years(n: int) -> str:
    """``n`` years in words, as a bio would say it."""
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    return ("one year" if n == 1 else f"{words[n - 1]} years") if n < 10 else f"{n} years"


def modes(rng: random.Random) -> list[str]:
    """Meeting modes offered (at least one), in canonical order."""
    chosen = [m for m, p in MODES.items() if rng.random() < p]
    return chosen or [rng.choice(list(MODES))]


def second_language(rng: random.Random) -> str:
    """A language besides English, by how often the program sees it."""
    names = [name for name, _ in people.SECOND_LANGUAGES]
    return rng.choices(names, weights=[w for _, w in people.SECOND_LANGUAGES])[0]


def site(rng: random.Random) -> tuple[str, str]:
    """A program site and its IANA timezone."""
    location, tz, _ = rng.choices(people.CAMPUSES, weights=[c[2] for c in people.CAMPUSES])[0]
    return location, tz


def draw_names(rng: random.Random, n: int, taken: dict[str, bool]) -> list[tuple[str, str]]:
    """``n`` distinct (first, last) names not yet in ``taken``; adds them to it."""
    out: list[tuple[str, str]] = []
    while len(out) < n:
        first, last = rng.choice(people.FIRST_NAMES), rng.choice(people.LAST_NAMES)
        if f"{first} {last}" not in taken:
            taken[f"{first} {last}"] = True
            out.append((first, last))
    return out
