"""Simultaneous first messages from one customer on one channel open one conversation."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from kefu.conversations import service
from kefu.conversations.enums import Channel
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.conversations.conftest import API, open_conversation

THREADS = 6


def test_parallel_first_messages_share_one_conversation(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    customer_id = uuid.UUID(open_conversation(api, channel="chat")["customer_id"])
    barrier = threading.Barrier(THREADS)

    def receive(n: int) -> uuid.UUID:
        with container.session_factory() as session:
            barrier.wait(timeout=60)
            received = service.receive_message(
                session, workspace_id=tenant.workspace_id, customer_id=customer_id,
                channel=Channel.LINE, text=f"message {n}",
            )  # fmt: skip
            session.commit()
            return received.conversation.id

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        conversations = set(pool.map(receive, range(THREADS)))
    assert len(conversations) == 1
    (conversation_id,) = conversations
    body = api.get(f"{API}/conversations/{conversation_id}").json()
    assert (body["channel"], body["inbound_count"]) == ("line", THREADS)
