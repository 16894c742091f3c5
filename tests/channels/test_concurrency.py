"""Two web processes receiving one provider message at once store it once (PostgreSQL)."""

from __future__ import annotations

import hashlib
import hmac
import threading
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from kefu.channels import service as channels
from kefu.channels.adapters.base import WebhookRequest
from kefu.wiring import Container
from tests.channels.conftest import FAKE_SECRET, create_inbox, fake_body

WRITERS = 8


def test_concurrent_duplicate_deliveries_give_one_entry_and_one_message(
    api: TestClient, container: Container, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the concurrent case is proven on PostgreSQL")
    inbox = create_inbox(api, "fake", {"secret": FAKE_SECRET})
    body = fake_body({"id": "dup-1", "from": "u-7", "text": "sent by every retry at once"})
    signature = hmac.new(FAKE_SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = WebhookRequest(
        method="POST",
        url="http://x" + inbox["webhook_url"],
        query={},
        headers={"x-fake-signature": signature},
        body=body,
    )
    barrier = threading.Barrier(WRITERS)
    new_ids: list[Any] = []
    errors: list[BaseException] = []
    assert container.secret_box is not None
    box = container.secret_box

    def deliver() -> None:
        try:
            with container.session_factory() as session:
                session.execute(text("SELECT 1"))  # each thread holds its own connection first
                barrier.wait(timeout=10)
                accepted = channels.accept_webhook(
                    session, channel="fake", inbox_id=uuid.UUID(inbox["id"]), request=request, box=box
                )
                session.commit()
                new_ids.extend(accepted.entry_ids)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(new_ids) == 1
    jobs = container.runtime._tasks["channels.process_inbound"].func.__self__
    processors = [threading.Thread(target=jobs.process, args=(str(new_ids[0]),)) for _ in range(4)]
    for thread in processors:
        thread.start()
    for thread in processors:
        thread.join(timeout=30)
    with container.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM inbound_requests")).scalar() == WRITERS
        assert conn.execute(text("SELECT count(*) FROM inbound_entries")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM messages WHERE external_id = 'dup-1'")).scalar() == 1
        assert conn.execute(text("SELECT status FROM inbound_entries")).scalar() == "processed"


def test_the_same_mail_from_many_smtp_connections_at_once_is_one_message(
    api: TestClient, container: Container, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the concurrent case is proven on PostgreSQL")
    from tests.channels.email_support import PNG, SUPPORT, mail, receiver, send

    create_inbox(api, "email", {"address": SUPPORT})
    message = mail(message_id="<storm@example.cn>", attachments=[("a.png", "image/png", PNG)])
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    with receiver(container) as port:

        def deliver() -> None:
            try:
                barrier.wait(timeout=10)
                send(port, message)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=deliver) for _ in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    with container.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM inbound_requests")).scalar() == WRITERS
        assert conn.execute(text("SELECT count(*) FROM inbound_entries")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM stored_attachments")).scalar() == 1
        stored = text("SELECT count(*) FROM messages WHERE external_id = '<storm@example.cn>'")
        assert conn.execute(stored).scalar() == 1
