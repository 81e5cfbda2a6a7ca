"""Sending the outbox through a real SMTP server on 127.0.0.1 (``aiosmtpd``, started by the
test): messages with an address are sent once and marked sent; without a server configured
nothing is sent; a server that is down leaves them failed with the error, retried later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recommender.matching.notifications import Postman
from recommender.settings import Settings
from recommender.storage.outbox import MAX_ATTEMPTS, Message, Outbox, Status
from recommender.storage.store import Store
from tests.support.smtp import free_port, smtp_server

AT = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    box = Outbox(store.database)
    with store.transaction() as session:
        added = Outbox.add(
            session,
            [
                Message("k1", "request", "r1", "mentor", "m1", "m1@example.org", "Hi", "Body", AT),
                Message("k2", "decision", "r1", "mentee", "e1", None, "Hello", "Body 2", AT),
                Message("k1", "request", "r1", "mentor", "m1", "m1@example.org", "Hi", "x", AT),
            ],
        )
    assert added == 2, "a key already stored is not stored again"
    yield box
    store.close()


def settings(port: int | None) -> Settings:
    if port is None:
        return Settings()
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_sender="mm@example.org")


def test_messages_are_sent_once_through_the_configured_server(outbox: Outbox) -> None:
    with smtp_server() as inbox:
        postman = Postman(outbox, settings(inbox.port), lambda: AT)
        report = postman.send_pending()
        assert (report.sent, report.failed) == (1, 0)
        assert postman.send_pending().sent == 0, "a sent message is not sent again"
    ((to, email),) = inbox.received
    assert to == ["m1@example.org"] and email["Subject"] == "Hi"
    assert email["From"].endswith("<mm@example.org>") and email["X-Mentor-Match-Key"] == "k1"
    assert email.get_payload().strip() == "Body"
    rows = {row.key: row for row in outbox.messages()}
    assert rows["k1"].status == Status.SENT and rows["k1"].sent_at == AT.isoformat()
    assert rows["k2"].status == Status.NO_ADDRESS, "no address: kept for the program, not sent"


def test_nothing_is_sent_without_a_server(outbox: Outbox) -> None:
    with smtp_server() as inbox:
        report = Postman(outbox, settings(None), lambda: AT).send_pending()
    assert not report.configured and inbox.received == []
    assert {row.status for row in outbox.messages()} == {Status.PENDING, Status.NO_ADDRESS}


def test_a_server_that_is_down_leaves_them_failed_and_a_later_pass_sends_them(
    outbox: Outbox,
) -> None:
    port = free_port()  # nothing listens there
    report = Postman(outbox, settings(port), lambda: AT).send_pending()
    assert report.failed == 1
    row = next(r for r in outbox.messages() if r.key == "k1")
    assert row.status == Status.FAILED and row.attempts == 1 and "Connection" in row.error
    with smtp_server() as inbox:
        assert Postman(outbox, settings(inbox.port), lambda: AT).send_pending().sent == 1
    assert len(inbox.received) == 1
    assert MAX_ATTEMPTS >= 3
