"""Profiles as items: a long mentee text (a research statement, an abstract) is split into
sentence-aligned items the model reads whole, never cut at its token limit."""

from __future__ import annotations

from recommender.domain.items import MAX_WORDS, chunk_text, mentee_items
from tests.conftest import mentee

SENTENCES = [
    f"Aim {i}: we study how retinal imaging predicts cardiovascular outcome number {i}."
    for i in range(1, 120)
]
STATEMENT = " ".join(SENTENCES)  # about 1,300 words, one goal


def test_a_long_goal_becomes_several_items_with_every_word_kept() -> None:
    items = mentee_items(mentee("e1", "fellow", goals=[STATEMENT[:3990]]))
    assert len(items) >= 5 and all(item.kind == "goal" for item in items)
    assert all(len(item.text.split()) <= MAX_WORDS for item in items)
    assert " ".join(item.text for item in items).split() == STATEMENT[:3990].split()


def test_chunks_end_at_sentences_and_an_overlong_sentence_is_cut_by_words() -> None:
    chunks = chunk_text(STATEMENT)
    assert all(chunk.endswith(".") for chunk in chunks)
    run_on = " ".join(["word"] * (2 * MAX_WORDS + 5))
    assert [len(c.split()) for c in chunk_text(run_on)] == [MAX_WORDS, MAX_WORDS, 5]
