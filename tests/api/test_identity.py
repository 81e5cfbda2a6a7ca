"""Identity preferences only with consent, over HTTP: a claim counts only when the mentee
asked to match on it and the mentor disclosed it for matching; only the mentee's own list
changes and says so; coordinators see only what was consented to them; withdrawal and
erasure remove it at once. Real SQLite, FAISS, embedding model and HTTP stack (TestClient).

The property test states random claims and consents for everyone and checks that the
mentee's own ranking equals the ranking with no claims at all unless an attribute is shared
with both consents.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from recommender.domain.identity import ATTRIBUTES, VALUED, IdentityClaim
from recommender.domain.kinds import Kind
from recommender.domain.profiles import Cohort
from recommender.engine import Engine
from recommender.privacy.erasure import erase
from tests.conftest import api_client, bearer, mentee, mentor, token

TOPIC = ["heart failure research", "echocardiography"]
MENTORS = [f"m{i}" for i in range(6)]


@pytest.fixture
def program(engine: Engine) -> Engine:
    """Six cardiology mentors with near-identical profiles, two mentees, one cohort."""
    engine.store.upsert(
        Kind.MENTORS,
        [
            mentor(m, "cardiology", research_areas=[f"{TOPIC[0]} {i}"])
            for i, m in enumerate(MENTORS)
        ],
    )
    engine.store.upsert(
        Kind.MENTEES,
        [
            mentee("e1", "MS3", interests=TOPIC, target_specialties=["cardiology"]),
            mentee("e2", "MS3", interests=TOPIC, target_specialties=["cardiology"]),
        ],
    )
    engine.store.upsert(
        Kind.COHORTS, [Cohort(id="c1", mentee_ids=["e1", "e2"], mentor_ids=MENTORS)]
    )
    return engine


@pytest.fixture
def as_e1(program: Engine) -> Iterator[TestClient]:
    with api_client(program, "mentee", "e1") as client:
        yield client


def ranking(client: TestClient, mentee_id: str = "e1") -> list[str]:
    got = client.get(f"/v1/mentees/{mentee_id}/suggestions", params={"k": 6})
    assert got.status_code == 200, got.text
    return [s["mentor_id"] for s in got.json()["data"]]


def state(client: TestClient, who: str, claims: list[dict[str, object]]) -> None:
    got = client.put(f"/v1/{who}/identity", json={"claims": claims})
    assert got.status_code == 200, got.text


FIRST = {"attribute": "first_generation", "match": True}


def test_a_shared_attribute_lifts_the_mentor_only_with_both_consents(
    program: Engine, as_e1: TestClient
) -> None:
    before = ranking(as_e1)
    last = before[-1]
    with api_client(program, "admin") as admin:
        state(admin, f"mentors/{last}", [{**FIRST, "match": False}])
        assert ranking(as_e1) == before, "the mentor did not disclose it for matching"
        state(as_e1, "mentees/e1", [FIRST])
        assert ranking(as_e1) == before, "still only one side consented"
        state(admin, f"mentors/{last}", [FIRST])
        lifted = as_e1.get("/v1/mentees/e1/suggestions", params={"k": 6}).json()["data"]
        assert lifted[0]["mentor_id"] == last
        assert lifted[0]["identity"] == ["first_generation"]
        assert "first in family to study medicine" in " ".join(lifted[0]["reasons"])
        # the coordinator's and the admin's view of the same list: unchanged, and silent
        with api_client(program, "coordinator", scopes=("c1",)) as coordinator:
            seen = coordinator.get("/v1/mentees/e1/suggestions", params={"k": 6}).json()
            assert [s["mentor_id"] for s in seen["data"]] == before
            assert all(s["identity"] == [] for s in seen["data"])
            assert "first in family" not in seen["data"][-1]["explanation"]
        assert ranking(admin) == before
        # another mentee's list is untouched
        with api_client(program, "mentee", "e2") as e2:
            assert "first in family" not in e2.get("/v1/mentees/e2/suggestions").text
        # withdrawal: at once
        assert as_e1.delete("/v1/mentees/e1/identity").status_code == 204
        assert ranking(as_e1) == before
        assert as_e1.get("/v1/mentees/e1/identity").json()["claims"] == []


def test_values_must_match_and_gender_needs_the_persons_word(
    program: Engine, as_e1: TestClient
) -> None:
    before = ranking(as_e1)
    bad = as_e1.put("/v1/mentees/e1/identity", json={"claims": [{"attribute": "gender"}]})
    assert bad.status_code == 422 and "gender needs the person's own word" in bad.text
    twice = as_e1.put("/v1/mentees/e1/identity", json={"claims": [FIRST, FIRST]})
    assert twice.status_code == 422 and "stated twice" in twice.text
    unknown = as_e1.put("/v1/mentees/e1/identity", json={"claims": [{"attribute": "religion"}]})
    assert unknown.status_code == 422
    state(as_e1, "mentees/e1", [{"attribute": "gender", "value": "Woman", "match": True}])
    with api_client(program, "admin") as admin:
        state(
            admin, f"mentors/{before[-1]}", [{"attribute": "gender", "value": "man", "match": True}]
        )
        assert ranking(as_e1) == before
        state(
            admin,
            f"mentors/{before[-1]}",
            [{"attribute": "gender", "value": "woman", "match": True}],
        )
        assert ranking(as_e1)[0] == before[-1]


def test_who_may_read_and_write_claims(program: Engine, as_e1: TestClient) -> None:
    state(
        as_e1,
        "mentees/e1",
        [FIRST, {"attribute": "lgbtq", "match": True, "coordinators": True}],
    )
    assert len(as_e1.get("/v1/mentees/e1/identity").json()["claims"]) == 2
    with api_client(program, "coordinator", scopes=("c1",)) as coordinator:
        seen = coordinator.get("/v1/mentees/e1/identity").json()["claims"]
        assert [c["attribute"] for c in seen] == ["lgbtq"]
        assert coordinator.put("/v1/mentees/e1/identity", json={"claims": []}).status_code == 403
    with api_client(program, "coordinator", scopes=("other",)) as stranger:
        assert stranger.get("/v1/mentees/e1/identity").status_code == 404
    with api_client(program, "mentee", "e2") as e2:
        assert e2.get("/v1/mentees/e1/identity").status_code == 404
        assert e2.put("/v1/mentees/e1/identity", json={"claims": []}).status_code == 404
        assert e2.get("/v1/mentors/m0/identity").status_code == 403
    with api_client(program, "mentor", "m0") as m0:
        assert m0.get("/v1/mentees/e1/identity").status_code == 403
        state(m0, "mentors/m0", [FIRST])
        assert m0.put("/v1/mentors/m1/identity", json={"claims": []}).status_code == 404
        assert m0.delete("/v1/mentors/m1/identity").status_code == 404
    # nothing of it is in the profile, nor in the profile's export
    with api_client(program, "admin") as admin:
        assert "first_generation" not in admin.get("/v1/mentees/e1").text
        assert "first_generation" not in admin.get("/v1/mentors/m0").text
        assert admin.get("/v1/mentees/nobody/identity").status_code == 404


def test_erasure_removes_the_claims(program: Engine, as_e1: TestClient) -> None:
    state(as_e1, "mentees/e1", [FIRST])
    with api_client(program, "admin") as admin:
        state(admin, "mentors/m3", [FIRST])
    report = erase(program, Kind.MENTORS, "m3")
    assert report.identity_claims_deleted == 1
    assert program.identities.matching_mentors() == {}
    report = erase(program, Kind.MENTEES, "e1")
    assert report.identity_claims_deleted == 1
    assert program.identities.of(Kind.MENTEES, "e1") == []


def claims() -> st.SearchStrategy[list[IdentityClaim]]:
    def claim(attribute: str) -> st.SearchStrategy[IdentityClaim]:
        value = st.sampled_from(["woman", "man"]) if attribute in VALUED else st.just("yes")
        return st.builds(
            IdentityClaim, attribute=st.just(attribute), value=value, match=st.booleans()
        )

    return st.lists(st.sampled_from(ATTRIBUTES), unique=True, max_size=3).flatmap(
        lambda names: st.tuples(*(claim(a) for a in names)).map(list)
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mine=claims(), theirs=st.lists(claims(), min_size=len(MENTORS), max_size=len(MENTORS)))
def test_no_attribute_changes_a_ranking_without_both_consents(
    program: Engine, mine: list[IdentityClaim], theirs: list[list[IdentityClaim]]
) -> None:
    secret = token(program, "mentee", "e1")
    with TestClient(create_app(engine=program), headers=bearer(secret)) as client:
        for who in ["e1", *MENTORS]:
            kind = Kind.MENTEES if who == "e1" else Kind.MENTORS
            program.identities.state(kind, who, [], program.clock.now())
        plain = ranking(client)
        program.identities.state(Kind.MENTEES, "e1", mine, program.clock.now())
        for m, c in zip(MENTORS, theirs, strict=True):
            program.identities.state(Kind.MENTORS, m, c, program.clock.now())
        got = client.get("/v1/mentees/e1/suggestions", params={"k": 6}).json()["data"]
        wanted = {c.attribute: c.value for c in mine if c.match}
        both = {
            m
            for m, c in zip(MENTORS, theirs, strict=True)
            if any(x.match and wanted.get(x.attribute) == x.value for x in c)
        }
        for s in got:
            assert bool(s["identity"]) == (s["mentor_id"] in both)
        if not both:
            assert [s["mentor_id"] for s in got] == plain
        else:  # only the mentors sharing an attribute moved up
            others = [m for m in plain if m not in both]
            assert [s["mentor_id"] for s in got if s["mentor_id"] not in both] == others
