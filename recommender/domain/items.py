"""The separate texts ("items") a profile is embedded as.

A long profile is never cut at the model's token limit: the bio is split into sentences and
packed into chunks of at most ``MAX_WORDS`` words (well under 256 word-piece tokens), and each
interest, research area and publication is its own item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from recommender.domain.profiles import UNSPECIFIED, Mentee, Mentor

ItemKind = Literal[
    "specialty", "interest", "research", "bio", "publication", "goal", "text", "item"
]

MAX_WORDS = 120
"""Longest item in words; MiniLM reads 256 word pieces, about 150–190 English words."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


@dataclass(frozen=True)
class Item:
    """One embeddable text of a profile."""

    kind: ItemKind
    text: str


def chunk_text(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """Split ``text`` into sentence-aligned chunks of at most ``max_words`` words."""
    chunks: list[str] = []
    current: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        words = sentence.split()
        while len(words) > max_words:  # one overlong sentence: cut it by words
            if current:
                chunks.append(" ".join(current))
                current = []
            chunks.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if current and len(current) + len(words) > max_words:
            chunks.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        chunks.append(" ".join(current))
    return chunks


def _many(kind: ItemKind, texts: list[str]) -> list[Item]:
    return [Item(kind, chunk) for text in texts for chunk in chunk_text(text)]


def mentor_items(mentor: Mentor) -> list[Item]:
    """The mentor's items in a fixed order (the index relies on the order)."""
    specialty = [] if mentor.specialty == UNSPECIFIED else [mentor.specialty]
    if specialty and mentor.subspecialties:
        specialty[0] += " (" + ", ".join(mentor.subspecialties) + ")"
    return [
        *_many("specialty", specialty),
        *_many("interest", mentor.interests),
        *_many("research", mentor.research_areas),
        *_many("bio", [mentor.bio] if mentor.bio else []),
        *_many("publication", mentor.publications),
        *_many("item", mentor.work_items),
    ]


def mentee_items(mentee: Mentee) -> list[Item]:
    """The mentee's query texts: interests and goals (target specialties if nothing else)."""
    items = _many("interest", mentee.interests) + _many("goal", mentee.goals)
    if not items:
        items = _many("specialty", mentee.target_specialties)
    return items
