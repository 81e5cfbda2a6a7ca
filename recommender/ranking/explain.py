"""Explanations: which words matched, and one plain sentence per strong signal.

The thresholds below are shared with ``recommender.ranking.gaps``: a fact the reasons
praise is never also told as a gap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from recommender.domain.items import Item
from recommender.domain.profiles import Mentee, Mentor
from recommender.domain.suggestion import Match
from recommender.ranking.registry import ACCESSIBILITY, CREDIBILITY, FEEDBACK
from recommender.ranking.signals import SignalValue, mentee_targets, mentor_specialties, stage_needs

RELATED_SPECIALTY = 0.6
"""Credibility's specialty part from which a mentor counts as in (or next to) the target
specialty: parent or child of it (see ``specialty_match``)."""
QUICK_REPLY = 0.75
"""Accessibility's reply part from which a reply time is praised (about 8 hours or less)."""
GENEROUS_HOURS = 6.0
"""Hours a month from which the time offered is praised."""

FIELD_WORDS = {
    "specialty": "specialty",
    "interest": "interest",
    "research": "research",
    "bio": "profile",
    "publication": "publication",
    "text": "profile",
    "item": "work",
}


Words = Callable[[Sequence[str], Sequence[str]], list[list[list[str]]]]
"""``LexicalIndex.shared_words``: for each query text and each of some texts, the query
text's words the text shares (``[q][t]``, rarest first)."""


def best_matches(
    query_items: Sequence[Item],
    mentor_items: Sequence[Item],
    sims: np.ndarray | None,
    limit: int = 2,
    words: Words | None = None,
) -> list[Match]:
    """The best (mentee text, mentor item) pairs, at most one per mentor item, with the
    words each pair shares.

    The pairs are the nearest in meaning (by cosine); with ``words``, the mentor item that
    shares the most of the mentee's words (at least ``SHARED_WORDS``: one common word such
    as "surgery" says little) joins them when it is not among them already, so both parts
    of the text match are shown.

    Args:
        sims: float32 ``(len(query_items), len(mentor_items))`` cosine matrix.
    """
    if sims is None or sims.size == 0:
        return []
    columns = sims.shape[1]
    cosines = sims.tolist()
    pairs: list[tuple[int, int]] = []
    used_q: set[int] = set()
    used_m: set[int] = set()
    for flat in np.argsort(-sims, axis=None).tolist():  # best cosine first
        q, m = divmod(flat, columns)
        if q in used_q or m in used_m:
            continue
        used_q.add(q)
        used_m.add(m)
        pairs.append((q, m))
        if len(pairs) == limit:
            break
    shared: dict[tuple[int, int], list[str]] = {}
    if words is not None:
        queries = [item.text for item in query_items]
        texts = [item.text for item in mentor_items]
        # the item sharing the most distinct words with the mentee joins the pairs
        per_item = [len(found) for found in words([" ".join(queries)], texts)[0]]
        best = max(range(columns), key=per_item.__getitem__)
        joins = per_item[best] >= SHARED_WORDS and best not in used_m
        shown = [m for _, m in pairs] + ([best] if joins else [])
        table = words(queries, [texts[m] for m in shown])  # [query][shown item]
        if joins:
            q = max(range(len(queries)), key=lambda q: (len(table[q][-1]), cosines[q][best]))
            pairs.append((q, best))
        for j, (q, m) in enumerate(pairs):
            shared[q, m] = table[q][j]
    return [
        Match(
            mentee_text=query_items[q].text,
            mentor_text=mentor_items[m].text,
            mentor_field=mentor_items[m].kind,
            similarity=round(cosines[q][m], 4),
            shared_words=tuple(shared.get((q, m), ())),
        )
        for q, m in pairs
    ]


def _clip(text: str, words: int = 18) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


def join_words(labels: Sequence[str], conjunction: str = "and") -> str:
    """``a, b and c`` (or ``a, b or c``), underscores spelled as spaces."""
    labels = [label.replace("_", " ") for label in labels]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + f" {conjunction} " + labels[-1]


def signal_reasons(mentee: Mentee, mentor: Mentor, signals: dict[str, SignalValue]) -> list[str]:
    """Plain sentences for the signals that speak for this mentor."""
    reasons: list[str] = []
    targets = mentee_targets(mentee)
    overlap = sorted(targets & mentor_specialties(mentor))
    if overlap:
        reasons.append(f"Practises {join_words(overlap)}, your target specialty.")
    elif targets and signals[CREDIBILITY.name].parts.get("specialty", 0) >= RELATED_SPECIALTY:
        reasons.append(f"Works in {mentor.specialty}, closely related to your target specialty.")
    fb = signals[FEEDBACK.name].parts
    if "mean_overall" in fb:  # only there from enough raters (see signals.feedback)
        reasons.append(f"Rated {fb['mean_overall']:.1f}/5 by {int(fb['raters'])} past mentees.")
    access = signals[ACCESSIBILITY.name].parts
    if mentor.capacity and mentor.free_places > 0:  # a full mentor is not praised for it
        reasons.append(f"Has {mentor.free_places} of {mentor.capacity} places free.")
    if access.get("response", 0) >= QUICK_REPLY and mentor.response_time_hours is not None:
        reasons.append(f"Usually replies within {max(1, round(mentor.response_time_hours))} hours.")
    if access.get("recency", 0) >= 0.8:
        reasons.append("Mentored actively in the last two months.")
    offered = sorted(stage_needs(mentee) & set(mentor.offers))
    if offered:
        said = "which you are seeking" if mentee.seeking else "useful at your stage"
        reasons.append(f"Offers {join_words(offered)}, {said}.")
    if mentor.hours_per_month >= GENEROUS_HOURS:
        reasons.append(f"Offers {mentor.hours_per_month:g} hours a month.")
    shared_lang = sorted(set(mentee.languages) & set(mentor.languages) - {"english"})
    if shared_lang:
        reasons.append(f"Speaks {join_words([s.title() for s in shared_lang])}.")
    return reasons


STRONG_MATCH = 0.3
"""Cosine above which a text match is worth telling the mentee about."""
SHARED_WORDS = 2
"""Shared words from which a text match is worth telling about whatever its cosine."""


def _both_say(match: Match, most: int = 3) -> str:
    said = [f"“{w}”" for w in match.shared_words[:most]]
    return f" (both say {join_words(said)})" if said else ""


def explanation_text(
    matches: Sequence[Match], reasons: Sequence[str], gaps: Sequence[str] = ()
) -> str:
    """One paragraph: the best text matches (if strong enough), the signal sentences, then
    what does not fit, introduced by "But:"."""
    sentences = []
    matches = [
        m for m in matches if m.similarity >= STRONG_MATCH or len(m.shared_words) >= SHARED_WORDS
    ]
    if matches:
        first = matches[0]
        sentences.append(
            f"Your “{_clip(first.mentee_text)}” matches their "
            f"{FIELD_WORDS.get(first.mentor_field, 'profile')} “{_clip(first.mentor_text)}”"
            f"{_both_say(first)}."
        )
        for extra in matches[1:]:
            sentences.append(
                f"Also “{_clip(extra.mentee_text)}” ↔ “{_clip(extra.mentor_text)}”"
                f"{_both_say(extra)}."
            )
    sentences.extend(reasons)
    if gaps:
        intro = "But:" if sentences else "What does not fit:"
        sentences.extend([intro, *gaps])
    return " ".join(sentences)
