"""The HTTP API's handling of text: Unicode kept, control characters stripped, joiners kept."""

from __future__ import annotations

import unicodedata

from fastapi.testclient import TestClient

from tests.api.api_support import (
    assert_well_formed,
    mentee_body,
    suggest,
)
from tests.api.api_support import client as client  # a pytest fixture
from tests.api.api_support import reader as reader  # a pytest fixture

# -- text -----------------------------------------------------------------------------------

UNICODE_INTERESTS = ["neurología pediátrica", "🫀 cardiología 🩺", "طب الأطفال وأمراض القلب"]


def test_unicode_interests_are_accepted_and_kept(client: TestClient) -> None:
    response = suggest(client, mentee=mentee_body(UNICODE_INTERESTS), k=3)
    assert response.status_code == 200, response.text
    assert_well_formed(response.json(), 3)
    shown = {m["mentee_text"] for s in response.json()["data"] for m in s["matches"]}
    assert shown <= set(UNICODE_INTERESTS)

    assert client.put("/v1/mentees/u1", json=mentee_body(UNICODE_INTERESTS)).status_code == 201
    assert client.get("/v1/mentees/u1").json()["interests"] == UNICODE_INTERESTS
    assert client.get("/v1/mentees/u1/suggestions", params={"k": 3}).status_code == 200


DIRTY = "heart\x00 failure\x07 with\x1b[31m preserved\r\nejection\tfraction"


def test_control_characters_are_stripped_from_inline_text(reader: TestClient) -> None:
    response = suggest(reader, mentee=mentee_body([DIRTY]), k=1)
    assert response.status_code == 200, response.text
    shown = response.json()["data"][0]["matches"][0]["mentee_text"]
    assert not any(unicodedata.category(ch) == "Cc" for ch in shown), shown
    assert shown.startswith("heart") and shown.endswith("fraction")


def test_control_characters_are_stripped_from_stored_text(client: TestClient) -> None:
    response = client.put("/v1/mentees/c1", json=mentee_body([DIRTY], name="Bo\x00b"))
    assert response.status_code == 201, response.text
    stored = client.get("/v1/mentees/c1").json()
    for text in [*stored["interests"], stored["name"]]:
        assert not any(unicodedata.category(ch) == "Cc" for ch in text), text


def test_joiners_inside_emoji_and_persian_words_are_kept(reader: TestClient) -> None:
    # U+200D joins 👩 and ⚕️ into one emoji; U+200C is part of correct Persian spelling.
    texts = ["women in medicine 👩\u200d⚕\ufe0f", "پزشکی\u200cقلب کودکان"]
    for text in texts:
        response = suggest(reader, mentee=mentee_body([text]), k=1)
        assert response.status_code == 200, response.text
        assert response.json()["data"][0]["matches"][0]["mentee_text"] == text
