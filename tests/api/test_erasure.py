"""Erasure: a deleted mentee or mentor is gone from every answer and every file, after a
rebuild of the index and a restart.

The erased people carry unusual names and texts so a byte search of the data folder (SQLite
file and WAL, FAISS snapshot and its metadata) can prove nothing of them is left.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from recommender.domain.items import mentor_items
from recommender.domain.profiles import Cohort, Feedback
from recommender.engine import Engine, build_engine
from recommender.matching.review import Review
from recommender.retrieval.embedding import SentenceTransformerEmbedder
from recommender.settings import Settings
from recommender.storage.store import text_hash
from tests.conftest import FACULTY, TODAY, bearer, mentee, mentor, token

MENTEE_ID = "zed7"
MENTEE_SECRETS = ("Zebulon Quartermaine", "xylophone therapy for tinnitus", "zebulon@example.org")
MENTOR_ID = "qorvath"
MENTOR_SECRETS = ("Dr Ingrid Qorvath", "quokka hepatology", "ingrid.q@example.org")


def world(engine: Engine) -> None:
    """Faculty plus the two people to erase, woven into feedback, a cohort, an approved
    assignment, a request, other people's conflict lists and an API key."""
    special = mentor(
        MENTOR_ID,
        "hepatology",
        name=MENTOR_SECRETS[0],
        research_areas=[MENTOR_SECRETS[1]],
        email=MENTOR_SECRETS[2],
    )
    engine.write("mentors", [*FACULTY, special])
    card2 = engine.store.get_mentor("card2").model_copy(update={"conflicts": [MENTEE_ID]})
    engine.write("mentors", [card2])
    engine.write(
        "mentees",
        [
            mentee(
                MENTEE_ID,
                name=MENTEE_SECRETS[0],
                interests=[MENTEE_SECRETS[1]],
                email=MENTEE_SECRETS[2],
            ),
            mentee("other1", interests=["heart failure"], conflicts=[MENTOR_ID]),
        ],
    )
    ratings = [
        Feedback(mentee_id=MENTEE_ID, mentor_id="card1", date=TODAY, overall=5, comment="kind"),
        Feedback(mentee_id="other1", mentor_id=MENTOR_ID, date=TODAY, overall=2),
    ]
    engine.write("feedback", ratings)
    cohort = Cohort(
        id="c1",
        mentee_ids=[MENTEE_ID, "other1"],
        mentor_ids=["card1", MENTOR_ID, "orth1"],
    )
    engine.write("cohorts", [cohort])
    review = Review(engine)
    approved = review.propose(cohort, "setup", locked=[(MENTEE_ID, "card1")])
    review.override(approved, "other1", "orth1", f"not {MENTOR_ID}, said {MENTEE_ID}", "x")
    review.approve(review.get("c1", approved.id), "setup")
    review.propose(cohort, "setup", forbidden=[(MENTEE_ID, MENTOR_ID), ("other1", MENTOR_ID)])


def data_bytes(folder: Path) -> bytes:
    """Every file of the data folder, concatenated."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_an_erased_mentee_is_gone_everywhere_after_a_rebuild_and_a_restart(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    engine = build_engine(settings, embedder=embedder, today=lambda: TODAY)
    world(engine)
    own_key = token(engine, "mentee", MENTEE_ID)
    with TestClient(create_app(engine=engine), headers=bearer(token(engine))) as admin:
        asked = admin.post("/v1/suggestions", json={"mentee_id": MENTEE_ID, "k": 5})
        assert asked.status_code == 200  # the query vectors are now cached in memory
        assert admin.get("/v1/me", headers=bearer(own_key)).status_code == 200
        assert admin.delete(f"/v1/mentees/{MENTEE_ID}").status_code == 204
        assert admin.get("/v1/me", headers=bearer(own_key)).status_code == 401
        assert admin.post("/v1/index/rebuild").status_code == 200
    engine.store.close()

    engine = build_engine(settings, embedder=embedder, today=lambda: TODAY)  # restart
    with TestClient(create_app(engine=engine), headers=bearer(token(engine))) as admin:
        assert admin.get(f"/v1/mentees/{MENTEE_ID}").status_code == 404
        assert admin.post("/v1/suggestions", json={"mentee_id": MENTEE_ID}).status_code == 404
        drafts = admin.get("/v1/cohorts/c1/assignments").json()
        answers = [
            admin.get("/v1/mentees").text,
            admin.get("/v1/mentors", params={"limit": 500}).text,
            admin.get("/v1/feedback").text,
            admin.get("/v1/cohorts").text,
            admin.get("/v1/cohorts/c1/shortlists").text,
            admin.get("/v1/cohorts/c1/shortlists", params={"format": "csv"}).text,
            json.dumps(drafts),
            admin.get("/v1/cohorts/c1/audit").text,
            admin.get("/v1/keys").text,
            admin.get("/health").text,
        ]
        for answer in answers:
            assert MENTEE_ID not in answer
            assert not any(secret in answer for secret in MENTEE_SECRETS)
        assert drafts["count"] == 2 and all(d["pairs"] for d in drafts["data"])
        assert admin.get("/v1/mentors/card2").json()["conflicts"] == []
        # Ratings the mentee gave are gone; the rest of the program is intact.
        assert [f["mentee_id"] for f in admin.get("/v1/feedback").json()["data"]] == ["other1"]
    engine.store.close()
    stored = data_bytes(settings.data_dir)
    for secret in (MENTEE_ID, *MENTEE_SECRETS):
        assert secret.encode() not in stored, f"{secret!r} is still on disk"


def test_an_erased_mentor_leaves_the_index_the_cache_and_the_disk(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    engine = build_engine(settings, embedder=embedder, today=lambda: TODAY)
    world(engine)
    texts = [i.text for i in mentor_items(engine.store.get_mentor(MENTOR_ID))]
    own_key = token(engine, "mentor", MENTOR_ID)
    with TestClient(create_app(engine=engine), headers=bearer(own_key)) as client:
        assert client.delete(f"/v1/mentors/{MENTOR_ID}").status_code == 204  # self-erasure
        assert client.get("/v1/me").status_code == 401
    assert MENTOR_ID not in engine.index.mentor_ids
    unique = [t for t in texts if t != "hepatology"]
    assert (
        engine.store.cached_vectors(engine.embedder.model_id, [text_hash(t) for t in unique]) == {}
    )
    engine.store.close()

    engine = build_engine(settings, embedder=embedder, today=lambda: TODAY)  # restart
    with TestClient(create_app(engine=engine), headers=bearer(token(engine))) as admin:
        found = admin.post(
            "/v1/suggestions",
            json={"mentee": {"stage": "PGY2", "interests": [MENTOR_SECRETS[1]]}, "k": 100},
        ).json()["data"]
        assert MENTOR_ID not in {s["mentor_id"] for s in found}
        assert admin.get(f"/v1/mentors/{MENTOR_ID}").status_code == 404
        assert admin.get("/v1/mentees/other1").json()["conflicts"] == []
        assert MENTOR_ID not in admin.get("/v1/cohorts/c1/audit").text
        assert MENTOR_ID not in admin.get("/v1/cohorts/c1/assignments").text
        assert admin.get("/health").json()["index"]["in_sync"] is True
    engine.store.close()
    stored = data_bytes(settings.data_dir)
    for secret in (MENTOR_ID, *MENTOR_SECRETS):
        assert secret.encode() not in stored, f"{secret!r} is still on disk"
