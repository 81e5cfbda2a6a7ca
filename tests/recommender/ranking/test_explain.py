"""Explanations from hand-made items, similarity matrices and signal values (no model)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from recommender.domain.items import Item
from recommender.domain.profiles import Mentee, Mentor
from recommender.domain.suggestion import Match
from recommender.ranking.explain import (
    STRONG_MATCH,
    best_matches,
    explanation_text,
    signal_reasons,
)
from recommender.ranking.registry import SIGNALS
from recommender.ranking.signals import SignalValue
from recommender.retrieval.lexical import LexicalIndex

QUERIES = [
    Item("interest", "heart failure"),
    Item("interest", "echocardiography"),
    Item("goal", "publish a first paper"),
]
MENTOR_ITEMS = [
    Item("research", "heart failure with preserved ejection fraction"),
    Item("interest", "cardiac imaging"),
    Item("publication", "a guide to writing your first paper"),
]
SIMS = np.array(
    [
        [0.90, 0.80, 0.10],
        [0.85, 0.20, 0.70],
        [0.30, 0.60, 0.50],
    ],
    dtype=np.float32,
)


def make_mentor(**fields: Any) -> Mentor:
    base: dict[str, Any] = {
        "id": "m1",
        "name": "Dr One",
        "career_stage": "mid_career",
        "specialty": "cardiology",
        "capacity": 3,
        "current_mentees": 1,
        "offers": [],
        "hours_per_month": 2.0,
    }
    base.update(fields)
    return Mentor(**base)


def make_mentee(**fields: Any) -> Mentee:
    base: dict[str, Any] = {"id": "e1", "stage": "PGY2", "interests": ["heart failure"]}
    base.update(fields)
    return Mentee(**base)


def signals(
    credibility: dict[str, float] | None = None,
    feedback: dict[str, float] | None = None,
    accessibility: dict[str, float] | None = None,
) -> dict[str, SignalValue]:
    """Signal values whose parts are only the ones given (values are not read by reasons)."""
    out = {name: SignalValue(0.5, {}) for name in SIGNALS}
    out["credibility"] = SignalValue(0.5, credibility or {})
    out["feedback"] = SignalValue(None if feedback is None else 0.7, feedback or {})
    out["accessibility"] = SignalValue(0.5, accessibility or {})
    return out


def pairs(matches: list[Match]) -> list[tuple[str, str]]:
    return [(m.mentee_text, m.mentor_text) for m in matches]


# -- best_matches ---------------------------------------------------------------------------------


def test_best_matches_takes_pairs_in_similarity_order_one_per_item() -> None:
    found = best_matches(QUERIES, MENTOR_ITEMS, SIMS, limit=3)
    # 0.90 (q0, m0); 0.85 and 0.80 reuse q0 or m0; then 0.70 (q1, m2); then 0.60 (q2, m1)
    assert pairs(found) == [
        ("heart failure", "heart failure with preserved ejection fraction"),
        ("echocardiography", "a guide to writing your first paper"),
        ("publish a first paper", "cardiac imaging"),
    ]
    assert [m.similarity for m in found] == pytest.approx([0.9, 0.7, 0.6])
    assert [m.mentor_field for m in found] == ["research", "publication", "interest"]
    assert len({m.mentor_text for m in found}) == len(found)


def test_best_matches_stops_at_the_limit_and_defaults_to_two() -> None:
    assert len(best_matches(QUERIES, MENTOR_ITEMS, SIMS)) == 2
    assert pairs(best_matches(QUERIES, MENTOR_ITEMS, SIMS, limit=1)) == [
        ("heart failure", "heart failure with preserved ejection fraction")
    ]


def test_one_mentor_item_best_for_every_query_is_used_once() -> None:
    sims = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.05]], dtype=np.float32)
    found = best_matches(QUERIES, MENTOR_ITEMS[:2], sims, limit=5)
    assert [m.mentor_text for m in found] == [MENTOR_ITEMS[0].text, MENTOR_ITEMS[1].text]
    assert [m.mentee_text for m in found] == ["heart failure", "echocardiography"]


def test_similarity_is_rounded_to_four_places() -> None:
    sims = np.array([[0.123456]], dtype=np.float32)
    assert best_matches(QUERIES[:1], MENTOR_ITEMS[:1], sims)[0].similarity == 0.1235


@pytest.mark.parametrize("sims", [None, np.zeros((0, 3), dtype=np.float32)], ids=["none", "empty"])
def test_no_similarities_no_matches(sims: np.ndarray | None) -> None:
    assert best_matches([], MENTOR_ITEMS, sims) == []


# -- explanation_text -----------------------------------------------------------------------------


def match(mentee_text: str, mentor_text: str, similarity: float, field: str = "research") -> Match:
    return Match(mentee_text, mentor_text, field, similarity)


def test_strong_matches_are_quoted_with_the_field_then_the_reasons() -> None:
    text = explanation_text(
        [match("heart failure", "HFpEF outcomes", 0.8), match("echo", "cardiac imaging", 0.5)],
        ["Has 2 of 3 places free.", "Speaks Spanish."],
    )
    assert text == (
        "Your “heart failure” matches their research “HFpEF outcomes”. "
        "Also “echo” ↔ “cardiac imaging”. Has 2 of 3 places free. Speaks Spanish."
    )


def test_weak_matches_are_left_out_of_the_text() -> None:
    weak = STRONG_MATCH - 0.01
    text = explanation_text(
        [match("heart failure", "HFpEF outcomes", weak), match("echo", "skin biopsy", 0.05)],
        ["Speaks Spanish."],
    )
    assert text == "Speaks Spanish."
    assert "HFpEF" not in text and "skin biopsy" not in text


def test_a_weak_first_match_does_not_hide_a_strong_one() -> None:
    text = explanation_text(
        [match("echo", "skin biopsy", 0.1), match("heart failure", "HFpEF", STRONG_MATCH)], []
    )
    assert text == "Your “heart failure” matches their research “HFpEF”."


@pytest.mark.parametrize(
    ("field", "word"),
    [("bio", "profile"), ("publication", "publication"), ("item", "work"), ("other", "profile")],
)
def test_the_mentor_field_is_named_in_plain_words(field: str, word: str) -> None:
    text = explanation_text([match("a", "b", 0.9, field)], [])
    assert text == f"Your “a” matches their {word} “b”."


def test_long_texts_are_clipped_to_eighteen_words() -> None:
    long = " ".join(f"w{i}" for i in range(30))
    text = explanation_text([match(long, "short", 0.9)], [])
    assert "w17 …" in text and "w18" not in text
    assert "“short”" in text


def test_no_matches_and_no_reasons_give_an_empty_text() -> None:
    assert explanation_text([], []) == ""


# -- signal_reasons -------------------------------------------------------------------------------


def test_shared_target_specialty_is_named() -> None:
    reasons = signal_reasons(
        make_mentee(target_specialties=["Cardiology"]),
        make_mentor(),
        signals(credibility={"specialty": 1.0}),
    )
    assert "Practises cardiology, your target specialty." in reasons


def test_related_specialty_only_when_the_credibility_part_says_so() -> None:
    mentee = make_mentee(target_specialties=["cardiology"])
    mentor = make_mentor(specialty="internal medicine")
    related = signal_reasons(mentee, mentor, signals(credibility={"specialty": 0.6}))
    assert "Works in internal medicine, closely related to your target specialty." in related
    distant = signal_reasons(mentee, mentor, signals(credibility={"specialty": 0.3}))
    assert not [r for r in distant if "specialty" in r]


def test_no_specialty_sentence_for_an_undecided_mentee() -> None:
    reasons = signal_reasons(
        make_mentee(target_specialties=["undecided"]),
        make_mentor(),
        signals(credibility={"specialty": 1.0}),
    )
    assert not [r for r in reasons if "specialty" in r]


def test_ratings_only_when_the_feedback_parts_release_them() -> None:
    mentee, mentor = make_mentee(), make_mentor()
    rated = signal_reasons(
        mentee, mentor, signals(feedback={"mean_overall": 4.46, "raters": 4.0, "shrunk": 4.2})
    )
    assert "Rated 4.5/5 by 4 past mentees." in rated
    withheld = signal_reasons(mentee, mentor, signals(feedback={}))
    assert not [r for r in withheld if "Rated" in r]


def test_free_places_are_told() -> None:
    reasons = signal_reasons(
        make_mentee(), make_mentor(capacity=3, current_mentees=1), signals(accessibility={})
    )
    assert "Has 2 of 3 places free." in reasons


def test_a_full_mentor_is_not_praised_for_free_places() -> None:
    # The accessibility part for places is 0: nothing about places speaks for this mentor.
    reasons = signal_reasons(
        make_mentee(),
        make_mentor(capacity=3, current_mentees=3),
        signals(accessibility={"capacity": 0.0}),
    )
    assert not [r for r in reasons if "places free" in r], reasons


def test_a_mentor_taking_no_mentees_says_nothing_about_places() -> None:
    reasons = signal_reasons(
        make_mentee(), make_mentor(capacity=0, current_mentees=0), signals(accessibility={})
    )
    assert not [r for r in reasons if "places" in r]


def test_reply_time_and_recency_only_when_their_parts_are_high() -> None:
    mentor = make_mentor(response_time_hours=3.6)
    quick = signal_reasons(
        make_mentee(), mentor, signals(accessibility={"response": 0.87, "recency": 0.9})
    )
    assert "Usually replies within 4 hours." in quick
    assert "Mentored actively in the last two months." in quick
    slow = signal_reasons(
        make_mentee(), mentor, signals(accessibility={"response": 0.5, "recency": 0.5})
    )
    assert not [r for r in slow if "replies" in r or "actively" in r]


def test_offers_are_matched_against_what_the_mentee_seeks() -> None:
    mentor = make_mentor(offers=["research_collaboration", "wellness", "shadowing"])
    seeking = make_mentee(seeking=["research_collaboration", "shadowing"])
    assert "Offers research collaboration and shadowing, which you are seeking." in signal_reasons(
        seeking, mentor, signals()
    )
    wants_other = make_mentee(seeking=["leadership"])
    assert not [r for r in signal_reasons(wants_other, mentor, signals()) if "Offers" in r]


def test_shared_languages_other_than_english_are_named() -> None:
    reasons = signal_reasons(
        make_mentee(languages=["english", "spanish"]),
        make_mentor(languages=["english", "spanish"]),
        signals(),
    )
    assert "Speaks Spanish." in reasons
    english_only = signal_reasons(
        make_mentee(languages=["english"]), make_mentor(languages=["english"]), signals()
    )
    assert not [r for r in english_only if r.startswith("Speaks")]


def test_the_item_sharing_the_mentees_words_joins_the_matches_with_its_words() -> None:
    """Both parts of the text match are shown: the nearest items in meaning, then the item
    sharing the most of the mentee's words (here one the embedding ranks last), each with
    the words it shares, rarest first, quoted in the explanation."""
    lexical = LexicalIndex()
    queries = [Item("interest", "Endovascular thrombectomy for acute stroke")]
    items = [
        Item("specialty", "Neurology"),
        Item("interest", "Brain health"),
        Item("publication", "Thrombectomy outcomes after acute stroke in rural hospitals"),
    ]
    for slot in range(5):  # a corpus in which "stroke" is common and "thrombectomy" rare
        lexical.put(slot, ["stroke care", "stroke unit"] if slot else [items[2].text])
    sims = np.array([[0.45, 0.40, 0.20]], dtype=np.float32)
    found = best_matches(queries, items, sims, limit=1, words=lexical.shared_words)
    assert [m.mentor_text for m in found] == ["Neurology", items[2].text]
    assert found[0].shared_words == ()
    assert found[1].shared_words[0] == "thrombectomy"  # the rarest first
    assert "thrombectomy" in found[1].shared_words and "stroke" in found[1].shared_words
    text = explanation_text(found, [])
    assert "(both say “thrombectomy”" in text


def test_without_a_word_index_matches_are_by_meaning_only() -> None:
    queries = [Item("interest", "stroke")]
    items = [Item("interest", "stroke"), Item("bio", "vascular neurology")]
    found = best_matches(queries, items, np.array([[0.9, 0.3]], dtype=np.float32))
    assert [m.shared_words for m in found] == [()]


def test_an_item_sharing_one_word_does_not_join_the_matches() -> None:
    lexical = LexicalIndex()
    lexical.put(0, ["peripheral nerve surgery", "neurosurgical oncology"])
    queries = [Item("interest", "brain tumor surgery")]
    items = [
        Item("interest", "neurosurgical oncology"),
        Item("interest", "peripheral nerve surgery"),
    ]
    sims = np.array([[0.7, 0.2]], dtype=np.float32)
    found = best_matches(queries, items, sims, limit=1, words=lexical.shared_words)
    assert [m.mentor_text for m in found] == ["neurosurgical oncology"]
