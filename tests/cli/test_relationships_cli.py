"""``mentor-match relationships``: the lifecycle from the terminal, on a real store (the real
model loads in each command, as for a user), with who acts given by ``--as``."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner, Result

from cli.main import app
from recommender.storage.store import Store
from tests.cli.test_cli_polish import NARROW, assert_fits
from tests.conftest import FACULTY, mentee


def run(args: list[str], data_dir: Path) -> Result:
    env = {"MENTOR_MATCH_DATA_DIR": str(data_dir), "MENTOR_MATCH_SMTP_HOST": "", **NARROW}
    return CliRunner().invoke(app, ["relationships", *args], env=env)


def test_a_request_accepted_shown_listed_ended_and_its_messages_exported(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    store = Store(f"sqlite:///{data / 'mentor-match.db'}")
    store.upsert("mentors", [m.model_copy(update={"email": f"{m.id}@x.org"}) for m in FACULTY])
    store.upsert("mentees", [mentee("me1", interests=["heart failure"], goals=["a case report"])])
    store.close()

    asked = run(["request", "me1", "card1", "--as", "mentee:me1"], data)
    assert asked.exit_code == 0, asked.output
    rid = re.search(r"relationship (r-[0-9a-f]+): requested", asked.output).group(1)  # type: ignore[union-attr]
    refused = run(["request", "me1", "card1", "--as", "mentee:me1"], data)
    assert refused.exit_code == 2 and "with this mentor is requested" in refused.output
    wrong = run(["accept", rid, "--as", "mentor:card2"], data)
    assert wrong.exit_code == 2 and "not a party" in wrong.output
    bad = run(["accept", rid, "--as", "dean"], data)
    assert bad.exit_code == 2 and "--as" in bad.output
    accepted = run(["accept", rid, "--as", "mentor:card1"], data)
    assert accepted.exit_code == 0 and f"relationship {rid}: accepted" in accepted.output

    shown = run(["show", rid], data)
    assert (
        shown.exit_code == 0 and "a case report" in shown.output and "mentor:card1" in shown.output
    )
    assert_fits(shown.output)
    listed = run(["list", "--mentee", "me1"], data)
    assert rid in listed.output and "1 relationships" in listed.output
    assert_fits(listed.output)

    ended = run(["end", rid, "--reason", "moved away", "--as", "mentee:me1"], data)
    assert ended.exit_code == 0 and "ended" in ended.output
    out = tmp_path / "outbox.jsonl"
    exported = run(["outbox", "--jsonl", str(out)], data)
    assert exported.exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["kind"], r["recipient_id"]) for r in rows] == [
        ("request", "card1"),
        ("decision", "me1"),
        ("ending", "card1"),
    ]
    log = tmp_path / "outcomes.jsonl"
    assert run(["outcomes", "--out", str(log)], data).exit_code == 0
    steps = [json.loads(line)["action"] for line in log.read_text().splitlines()]
    assert steps == ["request", "accept", "end"]
    notified = run(["notify"], data)
    assert notified.exit_code == 0 and "no mail server set" in notified.output
