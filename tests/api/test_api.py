"""The HTTP API end to end: real model, real SQLite, real FAISS, the real ASGI stack.

The app serves the twelve ``FACULTY`` mentors, whose research topics are far apart, so the
right answer is known. Tests that write get a fresh app over ``faculty_engine`` (``client``);
tests that only read or are refused share one app per module (``reader``). Both talk to it
through ``TestClient`` inside a ``with`` block so the lifespan runs.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from recommender.domain.profiles import Mentee
from recommender.engine import Engine, build_engine
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from tests.conftest import FACULTY, TODAY, api_client, mentor

SIGNALS = ("similarity", "accessibility", "credibility", "feedback", "stage_fit")
HFPEF = "stiff heart failure where the heart still pumps normally"
"""A paraphrase of card1's research area (heart failure with preserved ejection fraction)."""
ALL = len(FACULTY)


@pytest.fixture
def client(faculty_engine: Engine) -> Iterator[TestClient]:
    """A client of a fresh app over the faculty, for tests that write.

    Server errors come back as 500 responses instead of being raised, so a test can assert
    that a status is not 500.
    """
    with api_client(faculty_engine, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def reader(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[TestClient]:
    """One client over the faculty shared by the tests that only read or are refused.

    Built the way ``faculty_engine`` is (real model, SQLite, FAISS), once per module, to keep
    the many error-path tests fast. Tests using it must not change the store on success.
    """
    settings = Settings(data_dir=tmp_path_factory.mktemp("reader") / "var")
    engine = build_engine(settings, embedder=embedder, today=lambda: TODAY)
    engine.write("mentors", FACULTY)
    with api_client(engine, raise_server_exceptions=False) as test_client:
        yield test_client
    engine.store.close()


# -- helpers ------------------------------------------------------------------------------


def mentee_body(interests: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    """A PGY2 mentee (not early, so the list is not diversified) as a JSON body."""
    return {"stage": "PGY2", "interests": interests or [HFPEF], **fields}


def mentor_body(mentor_id: str, **fields: Any) -> dict[str, Any]:
    """A valid mentor body built with the conftest defaults."""
    specialty = fields.pop("specialty", "internal medicine")
    return mentor(mentor_id, specialty, **fields).model_dump(mode="json")


def faculty_body(mentor_id: str, **changes: Any) -> dict[str, Any]:
    """One FACULTY mentor as a JSON body, with ``changes`` applied."""
    found = next(m for m in FACULTY if m.id == mentor_id)
    return {**found.model_dump(mode="json"), **changes}


def stored_mentee(mentee_id: str) -> Mentee:
    """A mentee record interested in card1's topic, to seed through the library."""
    return Mentee.model_validate({"id": mentee_id, **mentee_body()})


def suggest(client: TestClient, **body: Any) -> Response:
    """POST /v1/suggestions with ``body``."""
    return client.post("/v1/suggestions", json=body)


def suggested_ids(response: Response) -> list[str]:
    """Mentor ids of a 200 suggestions response, best first."""
    assert response.status_code == 200, response.text
    return [s["mentor_id"] for s in response.json()["data"]]


def by_id(response: Response) -> dict[str, dict[str, Any]]:
    """Suggestions of a 200 response keyed by mentor id."""
    assert response.status_code == 200, response.text
    return {s["mentor_id"]: s for s in response.json()["data"]}


def assert_well_formed(payload: dict[str, Any], k: int) -> None:
    """``k`` suggestions, ranks 1..k, scores non-increasing, five explained components."""
    data = payload["data"]
    assert payload["count"] == len(data) == k
    assert [s["rank"] for s in data] == list(range(1, k + 1))
    scores = [s["score"] for s in data]
    assert scores == sorted(scores, reverse=True)
    for s in data:
        assert s["mentor_id"]
        assert set(s["components"]) == set(SIGNALS)
        for name in SIGNALS:
            part = s["components"][name]
            assert {"value", "weight", "contribution"} <= set(part)
            assert part["contribution"] == pytest.approx(part["value"] * part["weight"], abs=1e-5)
        total = sum(part["contribution"] for part in s["components"].values())
        assert total == pytest.approx(s["score"], abs=1e-4)
        assert s["explanation"].strip()


def error_locs(response: Response) -> list[list[Any]]:
    """The ``loc`` of every entry of a 422 ``detail`` list."""
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    return [list(entry["loc"]) for entry in detail]


def assert_422_naming(response: Response, field: str) -> None:
    """A 422 whose ``detail[*].loc`` names ``field``."""
    assert response.status_code == 422, response.text
    assert any(field in loc for loc in error_locs(response)), response.text


def assert_422_mentioning(response: Response, field: str) -> None:
    """A 422 naming ``field`` in a ``loc`` or, for a cross-field check, in its message."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert any(field in entry["loc"] or field in entry["msg"] for entry in detail), response.text


# -- health and OpenAPI ---------------------------------------------------------------------


def test_health_reports_counts_model_and_an_index_in_sync(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    health = response.json()
    assert health["counts"] == {"mentors": ALL, "mentees": 0, "feedback": 0, "cohorts": 0}
    assert "MiniLM" in health["model_id"]
    assert health["index"]["mentors"] == ALL
    assert health["index"]["in_sync"] is True


def test_openapi_lists_the_suggestion_and_health_routes(reader: TestClient) -> None:
    response = reader.get("/openapi.json")
    assert response.status_code == 200, response.text
    paths = response.json()["paths"]
    assert "/v1/suggestions" in paths
    assert "/health" in paths
    assert "/v1/mentors/{record_id}" in paths


# -- suggestions ----------------------------------------------------------------------------


def test_suggestions_for_a_stored_mentee_are_ranked_and_explained(client: TestClient) -> None:
    assert client.put("/v1/mentees/m1", json=mentee_body()).status_code == 201
    response = suggest(client, mentee_id="m1", k=5)
    assert response.status_code == 200, response.text
    assert response.json()["mentee_id"] == "m1"
    assert_well_formed(response.json(), 5)


def test_suggestions_for_an_inline_mentee_are_ranked_and_explained(reader: TestClient) -> None:
    response = suggest(reader, mentee=mentee_body(), k=4)
    assert response.status_code == 200, response.text
    assert_well_formed(response.json(), 4)


def test_a_paraphrase_of_card1s_research_finds_card1_in_the_top_3(reader: TestClient) -> None:
    response = suggest(reader, mentee=mentee_body([HFPEF]), k=5)
    assert "card1" in suggested_ids(response)[:3]


def test_get_suggestions_for_a_stored_mentee_returns_k(
    client: TestClient, faculty_engine: Engine
) -> None:
    # Seeded through the library so this checks the GET route on its own.
    faculty_engine.write("mentees", [stored_mentee("m2")])
    response = client.get("/v1/mentees/m2/suggestions", params={"k": 3})
    assert response.status_code == 200, response.text
    assert response.json()["mentee_id"] == "m2"
    assert_well_formed(response.json(), 3)
    assert "card1" in suggested_ids(response)


def test_k_of_100_is_accepted_and_returns_every_mentor(reader: TestClient) -> None:
    response = suggest(reader, mentee=mentee_body(), k=100)
    assert sorted(suggested_ids(response)) == sorted(m.id for m in FACULTY)
    assert_well_formed(response.json(), ALL)


# -- records: PUT / GET / DELETE / list -----------------------------------------------------


def test_put_mentor_creates_201_then_replaces_200_and_get_returns_it(client: TestClient) -> None:
    body = mentor_body("new1", specialty="gastroenterology", research_areas=["IBD"])
    created = client.put("/v1/mentors/new1", json=body)
    assert created.status_code == 201, created.text
    assert created.json() == {"id": "new1", "created": True}
    assert client.get("/v1/mentors/new1").json() == body

    body["research_areas"] = ["inflammatory bowel disease biologics"]
    replaced = client.put("/v1/mentors/new1", json=body)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json() == {"id": "new1", "created": False}
    got = client.get("/v1/mentors/new1")
    assert got.status_code == 200
    assert got.json() == body


def test_put_mentor_without_id_in_body_takes_the_path_id(client: TestClient) -> None:
    body = mentor_body("new2")
    del body["id"]
    assert client.put("/v1/mentors/new2", json=body).status_code == 201
    assert client.get("/v1/mentors/new2").json()["id"] == "new2"


def test_put_mentee_creates_201_then_replaces_200_and_get_returns_it(client: TestClient) -> None:
    created = client.put("/v1/mentees/m1", json=mentee_body(name="Ana"))
    assert created.status_code == 201, created.text
    got = client.get("/v1/mentees/m1")
    assert got.status_code == 200, got.text
    assert got.json()["name"] == "Ana"
    assert got.json()["interests"] == [HFPEF]

    replaced = client.put("/v1/mentees/m1", json=mentee_body(["sports medicine"], stage="MS4"))
    assert replaced.status_code == 200, replaced.text
    got = client.get("/v1/mentees/m1").json()
    assert (got["stage"], got["interests"], got["name"]) == ("MS4", ["sports medicine"], "")


@pytest.mark.parametrize("kind", ["mentors", "mentees"])
def test_delete_is_204_then_get_and_delete_again_are_404(client: TestClient, kind: str) -> None:
    body = mentor_body("gone1") if kind == "mentors" else mentee_body()
    assert client.put(f"/v1/{kind}/gone1", json=body).status_code == 201
    deleted = client.delete(f"/v1/{kind}/gone1")
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""
    missing = client.get(f"/v1/{kind}/gone1")
    assert missing.status_code == 404, missing.text
    assert "gone1" in missing.json()["detail"]
    again = client.delete(f"/v1/{kind}/gone1")
    assert again.status_code == 404, again.text


def test_mentor_list_is_data_and_count_with_offset_and_limit(reader: TestClient) -> None:
    everyone = sorted(m.id for m in FACULTY)
    page = reader.get("/v1/mentors")
    assert page.status_code == 200
    assert page.json()["count"] == ALL
    assert [m["id"] for m in page.json()["data"]] == everyone

    page = reader.get("/v1/mentors", params={"offset": 2, "limit": 3}).json()
    assert page["count"] == ALL
    assert [m["id"] for m in page["data"]] == everyone[2:5]

    past_end = reader.get("/v1/mentors", params={"offset": 50}).json()
    assert past_end == {"data": [], "count": ALL}


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}])
def test_mentor_list_rejects_bad_paging(reader: TestClient, params: dict[str, int]) -> None:
    assert_422_naming(reader.get("/v1/mentors", params=params), next(iter(params)))


def test_mentee_list_counts_stored_mentees(client: TestClient) -> None:
    for mentee_id in ("a1", "b1"):
        assert client.put(f"/v1/mentees/{mentee_id}", json=mentee_body()).status_code == 201
    page = client.get("/v1/mentees").json()
    assert page["count"] == 2
    assert [m["id"] for m in page["data"]] == ["a1", "b1"]


# -- a change is reflected in the next suggestion -------------------------------------------


def test_a_new_mentor_matching_the_interest_exactly_comes_first(client: TestClient) -> None:
    interest = "gut microbiome in inflammatory bowel disease"
    before = suggested_ids(suggest(client, mentee=mentee_body([interest]), k=5))
    assert "gi1" not in before
    body = mentor_body("gi1", specialty="gastroenterology", research_areas=[interest])
    assert client.put("/v1/mentors/gi1", json=body).status_code == 201
    after = suggested_ids(suggest(client, mentee=mentee_body([interest]), k=5))
    assert after[0] == "gi1"


def test_a_full_mentor_disappears_and_include_full_brings_it_back(client: TestClient) -> None:
    mentee = mentee_body()
    assert "card1" in suggested_ids(suggest(client, mentee=mentee, k=ALL))
    full = faculty_body("card1", current_mentees=3, capacity=3)
    assert client.put("/v1/mentors/card1", json=full).status_code == 200

    assert "card1" not in suggested_ids(suggest(client, mentee=mentee, k=ALL))
    with_full = suggest(client, mentee=mentee, k=ALL, filters={"include_full": True})
    assert "card1" in suggested_ids(with_full)


def test_a_deleted_mentor_is_never_suggested(client: TestClient) -> None:
    assert client.delete("/v1/mentors/card1").status_code == 204
    response = suggest(client, mentee=mentee_body(), k=100, filters={"include_full": True})
    ids = suggested_ids(response)
    assert "card1" not in ids
    assert len(ids) == ALL - 1
    assert client.get("/health").json()["index"]["mentors"] == ALL - 1


# -- feedback -------------------------------------------------------------------------------


def feedback_body(mentor_id: str, rating: int, mentee_id: str = "past1") -> dict[str, Any]:
    """A past mentee's rating with every aspect equal to ``rating``."""
    aspects = ("approachable", "trustworthy", "enthusiastic", "adapts_teaching", "accessible")
    return {
        "mentee_id": mentee_id,
        "mentor_id": mentor_id,
        "date": "2026-06-01",
        "overall": rating,
        **dict.fromkeys(aspects, rating),
    }


def test_feedback_is_created_201_and_replaced_200(client: TestClient) -> None:
    response = client.post("/v1/feedback", json=feedback_body("card1", 5))
    assert response.status_code == 201, response.text
    assert response.json() == {"id": "past1:card1:2026-06-01", "created": True}
    again = client.post("/v1/feedback", json=feedback_body("card1", 4))
    assert again.status_code == 200, again.text
    assert again.json() == {"id": "past1:card1:2026-06-01", "created": False}
    assert client.get("/health").json()["counts"]["feedback"] == 1


def test_feedback_for_an_unknown_mentor_is_404_naming_it(reader: TestClient) -> None:
    response = reader.post("/v1/feedback", json=feedback_body("ghost9", 5))
    assert response.status_code == 404, response.text
    assert "ghost9" in response.json()["detail"]
    assert reader.get("/health").json()["counts"]["feedback"] == 0


def rate(client: TestClient, mentor_id: str, rating: int, raters: int, first: int = 0) -> None:
    """``raters`` distinct past mentees (numbered from ``first``) each give ``mentor_id``
    the same rating."""
    for i in range(first, first + raters):
        body = feedback_body(mentor_id, rating, mentee_id=f"past{mentor_id}{i}")
        assert client.post("/v1/feedback", json=body).status_code == 201


def test_a_low_rating_lowers_that_mentors_feedback_component(client: TestClient) -> None:
    mentee = mentee_body()
    rate(client, "card2", 5, raters=3)
    before = by_id(suggest(client, mentee=mentee, k=ALL, filters={"include_full": True}))

    rate(client, "card1", 1, raters=3)
    after = by_id(suggest(client, mentee=mentee, k=ALL, filters={"include_full": True}))

    card1_before = before["card1"]["components"]["feedback"]["value"]
    card1_after = after["card1"]["components"]["feedback"]["value"]
    assert card1_after < card1_before
    assert card1_after < after["card2"]["components"]["feedback"]["value"]
    assert after["card1"]["score"] < before["card1"]["score"]


def test_ratings_from_fewer_than_3_mentees_are_neither_shown_nor_used(client: TestClient) -> None:
    mentee = mentee_body()
    rate(client, "card2", 5, raters=3)
    baseline = by_id(suggest(client, mentee=mentee, k=ALL, filters={"include_full": True}))
    rate(client, "card1", 1, raters=2)
    after = by_id(suggest(client, mentee=mentee, k=ALL, filters={"include_full": True}))
    two = after["card1"]
    assert two["components"]["feedback"]["withheld"] is True
    # Ranked exactly as before the two ratings, like an unrated mentor: neither the score
    # nor the program mean reveals anything about them.
    assert two["score"] == baseline["card1"]["score"]
    assert two["components"]["feedback"] == {
        **baseline["card1"]["components"]["feedback"],
        "withheld": True,
    }
    assert after["orth1"]["score"] == baseline["orth1"]["score"]
    assert "Rated" not in two["explanation"] and not any("Rated" in r for r in two["reasons"])
    rate(client, "card1", 1, raters=1, first=2)
    three = by_id(suggest(client, mentee=mentee, k=ALL, filters={"include_full": True}))["card1"]
    assert three["components"]["feedback"]["withheld"] is False
    assert "Rated 1.0/5 by 3 past mentees." in three["reasons"]


# -- errors: 404 ----------------------------------------------------------------------------


def test_suggestions_for_an_unknown_mentee_id_are_404_naming_it(reader: TestClient) -> None:
    response = suggest(reader, mentee_id="nobody1")
    assert response.status_code == 404, response.text
    assert "nobody1" in response.json()["detail"]
    response = reader.get("/v1/mentees/nobody1/suggestions")
    assert response.status_code == 404, response.text
    assert "nobody1" in response.json()["detail"]


def test_get_an_unknown_mentor_is_404_naming_it(reader: TestClient) -> None:
    response = reader.get("/v1/mentors/nobody2")
    assert response.status_code == 404, response.text
    assert "nobody2" in response.json()["detail"]


# -- errors: 422 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"k": "ten"}, "k"),
        ({"k": 1.5}, "k"),
        ({"k": 0}, "k"),
        ({"k": 101}, "k"),
        ({"mentee": mentee_body(interests=5)}, "interests"),  # type: ignore[arg-type]
        ({"mentee": mentee_body(stage="MS9")}, "stage"),
        ({"mentee": mentee_body(timezone="Mars/Olympus")}, "timezone"),
        ({"mentee": mentee_body(role="admin")}, "role"),
        ({"role": "admin"}, "role"),
        ({"mentee": mentee_body(["x" * 301])}, "interests"),
        ({"filters": {"include_full": "sometimes"}}, "include_full"),
    ],
    ids=[
        "k-text",
        "k-float",
        "k-0",
        "k-101",
        "interests-int",
        "stage-MS9",
        "timezone-mars",
        "mentee-role",
        "request-role",
        "interest-301-chars",
        "filter-type",
    ],
)
def test_bad_suggestion_requests_are_422_naming_the_field(
    reader: TestClient, change: dict[str, Any], field: str
) -> None:
    body = {"mentee": mentee_body(), **change}
    assert_422_naming(suggest(reader, **body), field)


def test_an_interest_of_300_characters_is_accepted(reader: TestClient) -> None:
    assert suggest(reader, mentee=mentee_body(["x" * 300])).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"capacity": -1}, "capacity"),
        ({"capacity": 1, "current_mentees": 2}, "current_mentees"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"role": "admin"}, "role"),
        ({"career_stage": "MS9"}, "career_stage"),
        ({"capacity": "two"}, "capacity"),
    ],
    ids=["capacity-negative", "over-capacity", "timezone-mars", "role", "stage", "capacity-text"],
)
def test_bad_mentor_bodies_are_422_naming_the_field(
    reader: TestClient, change: dict[str, Any], field: str
) -> None:
    response = reader.put("/v1/mentors/bad1", json={**mentor_body("bad1"), **change})
    assert_422_mentioning(response, field)
    assert reader.get("/health").json()["counts"]["mentors"] == ALL


def test_both_mentee_id_and_mentee_is_422(reader: TestClient) -> None:
    response = suggest(reader, mentee_id="m1", mentee=mentee_body())
    assert_422_mentioning(response, "mentee_id")


def test_neither_mentee_id_nor_mentee_is_422(reader: TestClient) -> None:
    assert_422_mentioning(suggest(reader, k=3), "mentee_id")


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"[1, 2]", b'"mentee_id"'],
    ids=["empty", "not-json", "array", "string"],
)
def test_a_body_that_is_not_a_json_object_is_422(reader: TestClient, content: bytes) -> None:
    response = reader.post(
        "/v1/suggestions", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert all(loc[0] == "body" for loc in error_locs(response))


def test_empty_interests_without_goals_or_targets_is_422(reader: TestClient) -> None:
    for interests in ([], [""], ["   "], ["\x00\x01"]):
        response = suggest(reader, mentee={"stage": "PGY2", "interests": interests})
        assert_422_mentioning(response, "interests")


def test_k_out_of_range_on_get_suggestions_is_422(
    client: TestClient, faculty_engine: Engine
) -> None:
    faculty_engine.write("mentees", [stored_mentee("m3")])
    for k in ("0", "101", "ten", "1.5"):
        assert_422_naming(client.get("/v1/mentees/m3/suggestions", params={"k": k}), "k")
    assert client.get("/v1/mentees/m3/suggestions", params={"k": "100"}).status_code == 200


def test_put_with_a_body_id_differing_from_the_path_is_422_naming_id(client: TestClient) -> None:
    response = client.put("/v1/mentors/new3", json=mentor_body("other3"))
    assert_422_naming(response, "id")
    response = client.put("/v1/mentees/new3", json=mentee_body(id="other3"))
    assert_422_naming(response, "id")
    counts = client.get("/health").json()["counts"]
    assert (counts["mentors"], counts["mentees"]) == (ALL, 0)


@pytest.mark.parametrize(
    "record_id",
    ["a%20b", "a" * 65, "-leading", "%C3%A9t%C3%A9", "x%00y"],
    ids=["space", "65-chars", "leading-symbol", "non-ascii", "nul"],
)
@pytest.mark.parametrize("kind", ["mentors", "mentees"])
def test_an_illegal_path_id_is_a_client_error_never_500(
    reader: TestClient, kind: str, record_id: str
) -> None:
    body = mentor_body("ok1") if kind == "mentors" else mentee_body()
    body.pop("id", None)
    for response in (
        reader.get(f"/v1/{kind}/{record_id}"),
        reader.put(f"/v1/{kind}/{record_id}", json=body),
        reader.delete(f"/v1/{kind}/{record_id}"),
    ):
        assert response.status_code in (404, 422), (response.request.method, response.text)
    if kind == "mentees":
        response = reader.get(f"/v1/mentees/{record_id}/suggestions")
        assert response.status_code in (404, 422), response.text


# -- errors: 413 ----------------------------------------------------------------------------


def test_a_body_over_one_million_bytes_is_413(reader: TestClient) -> None:
    padding = "heart " * 170_000  # about 1,020,000 bytes
    body = {"mentee": mentee_body([padding[:300]], goals=[padding])}
    response = reader.post("/v1/suggestions", json=body)
    assert response.status_code == 413, response.text


def test_a_chunked_body_over_one_million_bytes_is_413(reader: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"mentee": {"stage": "PGY2", "interests": ["heart"], "goals": ["'
        for _ in range(11):
            yield b"heart " * 16_000
        yield b'"]}}'

    response = reader.post(
        "/v1/suggestions", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text


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
