"""Finding 6 (costs unbounded): rate limits, failed-authentication throttling, embedding
budgets and forwarded-for handling, through the real app (TestClient).

A trusted proxy is simulated by giving TestClient's (in-process) requests the peer address
127.0.0.9 and declaring that address trusted.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from limits import parse, storage, strategies

from api.app import create_app
from api.security import SweptMemoryStorage, rate_limit_storage
from recommender.engine import Engine
from tests.conftest import bearer, mentee, require_service, token


def app_with(engine: Engine, **limits: Any) -> Any:
    return create_app(settings=engine.settings.model_copy(update=limits), engine=engine)


def test_a_key_over_its_limit_gets_429_with_retry_after(faculty_engine: Engine) -> None:
    faculty_engine.write("mentees", [mentee("me1", interests=["stroke"])])
    secret = token(faculty_engine, "mentee", "me1")
    app = app_with(faculty_engine, rate_limit_per_key="5/minute")
    with TestClient(app, headers=bearer(secret)) as client:
        codes = [client.get("/v1/me").status_code for _ in range(7)]
        refused = client.get("/v1/me")
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert "per key" in refused.json()["detail"]


def test_failed_authentication_is_throttled_hard_even_for_a_good_token(
    faculty_engine: Engine,
) -> None:
    good = token(faculty_engine)
    app = app_with(faculty_engine)  # the defaults: 20 failures a minute per address
    with TestClient(app) as client:
        codes = [
            client.get("/v1/me", headers=bearer(f"mm_wrong-{i:040d}")).status_code
            for i in range(300)
        ]
        after = client.get("/v1/me", headers=bearer(good))
        anonymous = client.get("/health")
    assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}
    assert after.status_code == 429 and int(after.headers["retry-after"]) > 0
    assert anonymous.status_code == 200  # no token, nothing to guess


def test_the_load_test_shape_is_not_throttled_by_default(faculty_engine: Engine) -> None:
    """One admin key, many quick requests: the defaults leave bulk use alone."""
    with TestClient(app_with(faculty_engine), headers=bearer(token(faculty_engine))) as client:
        codes = {client.get("/v1/me").status_code for _ in range(700)}
    assert codes == {200}


def inline(chars: int, topic: str = "stroke care") -> dict[str, Any]:
    """An inline profile with about ``chars`` characters of distinct goals."""
    goals = [f"Goal {i}: learn to run a clinical trial in {topic}. " * 6 for i in range(20)]
    size = len(goals[0])
    return {"mentee": {"stage": "PGY2", "goals": goals[: chars // size + 1]}, "k": 3}


def test_embedding_budgets_per_request_and_per_minute(faculty_engine: Engine) -> None:
    faculty_engine.write("mentees", [mentee("me1", interests=["stroke"])])
    secret = token(faculty_engine, "mentee", "me1")
    app = app_with(faculty_engine, embed_chars_per_request=5000, embed_chars_per_minute=6000)
    with TestClient(app, headers=bearer(secret)) as client:
        too_big = client.post("/v1/suggestions", json=inline(7000))
        fits = client.post("/v1/suggestions", json=inline(3000))
        spent = client.post("/v1/suggestions", json=inline(3000, "sepsis care"))
        cached = client.post("/v1/suggestions", json=inline(3000))  # nothing new to embed
    assert too_big.status_code == 413 and "per request" in too_big.json()["detail"]
    assert fits.status_code == 200
    assert spent.status_code == 429 and int(spent.headers["retry-after"]) > 0
    assert cached.status_code == 200


def test_admin_keys_have_no_embedding_budget(faculty_engine: Engine) -> None:
    app = app_with(faculty_engine, embed_chars_per_request=1000, embed_chars_per_minute=1000)
    with TestClient(app, headers=bearer(token(faculty_engine))) as client:
        assert client.post("/v1/suggestions", json=inline(5000)).status_code == 200


def test_forwarded_for_counts_only_behind_a_trusted_proxy(faculty_engine: Engine) -> None:
    def refused_after(app: Any, spoofed: bool) -> int:
        with TestClient(app, client=("127.0.0.9", 40000)) as client:
            for i in range(5):
                headers = {"X-Forwarded-For": f"203.0.113.{i}"} if spoofed else {}
                if client.get("/health", headers=headers).status_code == 429:
                    return i
        return -1

    limited = {"rate_limit_anonymous": "2/minute"}
    untrusted = app_with(faculty_engine, **limited)
    trusted = app_with(faculty_engine, trusted_proxies=["127.0.0.9/32"], **limited)
    # Without a trusted proxy the header is ignored: one address, refused at the third call.
    assert refused_after(untrusted, spoofed=True) == 2
    # Behind a trusted proxy each forwarded client has its own budget.
    assert refused_after(trusted, spoofed=True) == -1


REDIS = "redis://127.0.0.1:6379/15"


def test_workers_share_counters_through_redis(faculty_engine: Engine) -> None:
    """Two app instances (two workers, or two replicas) with one Redis count together."""
    try:
        from limits import storage

        reachable, why = storage.storage_from_string(REDIS).check(), "no answer on 6379"
    except Exception as exc:  # the client library is missing, or the connection is refused
        reachable, why = False, f"{type(exc).__name__}: {exc}"
    require_service("Redis", reachable, why)
    secret = token(faculty_engine, "mentor", "card1")
    limits = {"rate_limit_storage": REDIS, "rate_limit_per_key": "5/minute"}
    one, two = app_with(faculty_engine, **limits), app_with(faculty_engine, **limits)
    with (
        TestClient(one, headers=bearer(secret)) as first,
        TestClient(two, headers=bearer(secret)) as second,
    ):
        codes = [c.get("/v1/me").status_code for c in (first, second) * 3]
    assert codes == [200] * 5 + [429]


def test_in_memory_counters_expire_without_a_sweeper_thread_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The in-memory counters limit and expire as ``limits``' own do, but a burst of hits
    starts one sweeping timer thread, not one whenever the last finished (every ~10 ms)."""
    started: list[threading.Timer] = []
    start = threading.Timer.start

    def counted(timer: threading.Timer) -> None:
        started.append(timer)
        start(timer)

    monkeypatch.setattr(threading.Timer, "start", counted)
    counters = rate_limit_storage("memory://")
    assert isinstance(counters, SweptMemoryStorage)
    limiter = strategies.SlidingWindowCounterRateLimiter(counters)
    once = parse("3/second")
    assert [limiter.hit(once, "key", "a") for _ in range(4)] == [True, True, True, False]
    began = time.monotonic()
    while time.monotonic() - began < 0.5:  # half a second of hits from many callers
        limiter.hit(once, "address", f"b{len(started)}-{time.monotonic()}")
        time.sleep(0.002)
    assert len(started) <= 2, len(started)  # the library's storage: ~50 here
    time.sleep(2.1)  # both windows of the sliding counter have passed
    assert limiter.hit(once, "key", "a")
    assert isinstance(rate_limit_storage("memory://?x=1"), storage.Storage)
