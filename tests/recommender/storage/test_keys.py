"""API keys: stored hashed, bound to a role, revocable; the bootstrap admin; the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app as cli
from recommender.domain.errors import InvalidProfile
from recommender.engine import Engine
from recommender.settings import Settings
from recommender.storage.keys import Keys, digest
from recommender.storage.store import Store
from tests.conftest import bearer


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    return Keys(Store(f"sqlite:///{tmp_path / 'k.db'}").database)


def test_only_the_digest_of_a_secret_is_stored(keys: Keys) -> None:
    info, secret = keys.create("mentee", subject="me1", label="phone")
    with keys.database.connection() as conn:
        rows = conn.execute(text("SELECT * FROM api_keys")).all()
    assert secret not in repr(rows) and digest(secret) in repr(rows)
    found = keys.authenticate(secret)
    assert found is not None and (found.role, found.subject) == ("mentee", "me1")
    assert found.actor == "mentee:phone" and found.key_id == info.id


def test_a_revoked_or_unknown_secret_authenticates_nobody(keys: Keys) -> None:
    info, secret = keys.create("admin")
    keys.revoke(info.id)
    assert keys.authenticate(secret) is None
    assert keys.authenticate("mm_" + "x" * 43) is None


@pytest.mark.parametrize(
    ("role", "subject", "scopes", "field"),
    [
        ("root", "", [], "role"),
        ("mentee", "", [], "subject"),
        ("admin", "me1", [], "subject"),
        ("coordinator", "", [], "scopes"),
        ("mentor", "card1", ["prog1"], "scopes"),
        ("coordinator", "", ["bad scope"], "scopes"),
    ],
)
def test_a_key_whose_binding_does_not_fit_its_role_is_refused(
    keys: Keys, role: str, subject: str, scopes: list[str], field: str
) -> None:
    with pytest.raises(InvalidProfile) as raised:
        keys.create(role, subject, scopes)
    assert raised.value.field == field


def test_the_bootstrap_token_is_an_admin_key_and_short_ones_are_refused(
    faculty_engine: Engine, keys: Keys
) -> None:
    secret = "bootstrap-secret-0123456789"
    settings = faculty_engine.settings.model_copy(
        update={"bootstrap_admin_token": SecretStr(secret)}
    )
    app = create_app(settings=settings, engine=faculty_engine)
    with TestClient(app, headers=bearer(secret)) as client:
        assert client.get("/v1/me").json()["role"] == "admin"
        assert client.get("/v1/mentees").status_code == 200
    with TestClient(app) as client:  # a restart keeps one key, not two
        pass
    assert sum(k.label == "bootstrap" for k in Keys(faculty_engine.store.database).list()) == 1
    with pytest.raises(InvalidProfile, match="at least 16"):
        keys.ensure_bootstrap("short")


def test_without_a_token_no_data_route_answers(faculty_engine: Engine) -> None:
    with TestClient(create_app(engine=faculty_engine)) as client:
        assert client.get("/health").json() == {"status": "ok"}
        for path in ("/v1/mentors", "/v1/mentees", "/v1/cohorts", "/v1/me"):
            reply = client.get(path)
            assert reply.status_code == 401 and reply.headers["www-authenticate"] == "Bearer"
        basic = client.get("/v1/mentors", headers={"Authorization": "Basic YTpi"})
        assert basic.status_code == 401


def test_keys_cli_creates_lists_and_revokes(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"MENTOR_MATCH_DATA_DIR": str(tmp_path / "var")}
    made = runner.invoke(
        cli, ["keys", "create", "--role", "coordinator", "--scope", "prog1"], env=env
    )
    assert made.exit_code == 0, made.output
    key_id, secret = re.search(r"key (\w+) \(coordinator\) token: (\S+)", made.output).groups()  # type: ignore[union-attr]
    keys = Keys(Store(Settings(data_dir=tmp_path / "var").sqlalchemy_url).database)
    assert keys.authenticate(secret) is not None
    listed = runner.invoke(cli, ["keys", "list"], env=env)
    assert key_id in listed.output and secret not in listed.output
    assert runner.invoke(cli, ["keys", "revoke", key_id], env=env).exit_code == 0
    assert keys.authenticate(secret) is None
    bad = runner.invoke(cli, ["keys", "create", "--role", "mentee"], env=env)
    assert bad.exit_code == 2 and "subject" in bad.output


def test_keys_record_last_use_and_address_and_expire(faculty_engine: Engine) -> None:
    keys = Keys(faculty_engine.store.database)
    info, secret = keys.create("admin", label="ops", expires_in_days=1)
    assert info.expires_at is not None and info.last_used_at is None
    with TestClient(create_app(engine=faculty_engine), headers=bearer(secret)) as client:
        assert client.get("/v1/me").status_code == 200
        listed = {k["id"]: k for k in client.get("/v1/keys").json()["data"]}
    assert listed[info.id]["last_used_at"] and listed[info.id]["last_used_from"] == "testclient"
    with keys.database.connection(write=True) as conn:
        conn.execute(
            text("UPDATE api_keys SET expires_at = '2020-01-01T00:00:00+00:00' WHERE id = :i"),
            {"i": info.id},
        )
    assert keys.authenticate(secret) is None


def test_rotate_gives_a_new_token_with_the_same_grant(keys: Keys) -> None:
    old, old_secret = keys.create("coordinator", scopes=["prog1"], label="coord")
    new, new_secret = keys.rotate(old.id)
    assert (new.role, new.scopes, new.label) == ("coordinator", ["prog1"], "coord")
    assert keys.authenticate(old_secret) is None
    found = keys.authenticate(new_secret)
    assert found is not None and found.key_id == new.id
    graced, graced_secret = keys.create("admin", label="ci")
    keys.rotate(graced.id, grace_minutes=30)
    assert keys.authenticate(graced_secret) is not None  # still valid during the grace period
    with pytest.raises(InvalidProfile, match="revoked or expired"):
        keys.rotate(old.id)


def test_keys_rotate_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTOR_MATCH_DATA_DIR", str(tmp_path / "var"))
    keys = Keys(Store(Settings(data_dir=tmp_path / "var").sqlalchemy_url).database)
    info, secret = keys.create("mentee", subject="me1", label="phone")
    result = CliRunner().invoke(cli, ["keys", "rotate", info.id])
    assert result.exit_code == 0, result.output
    token = re.search(r"token: (\S+)", result.output)
    assert token and keys.authenticate(token.group(1)) is not None
    assert keys.authenticate(secret) is None
    missing = CliRunner().invoke(cli, ["keys", "rotate", "nope"])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
