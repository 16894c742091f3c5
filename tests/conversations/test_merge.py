"""A customer merge moves the merged-away customer's conversations to the survivor, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from kefu.conversations import handlers
from kefu.core.events import EventEnvelope
from kefu.customers.events import CustomersMerged
from kefu.db.outbox import OutboxEvent
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.conversations.conftest import API, inbound, open_conversation, timeline


def test_merge_moves_conversations_once(api: TestClient, container: Container, tenant: Tenant) -> None:
    source = open_conversation(api, email="wechat-user@x.co", channel="wechat")
    source_customer = source["customer_id"]
    second = inbound(api, source_customer, "still there?", channel="email")["conversation"]
    target = open_conversation(api, email="known@x.co", channel="phone")
    target_customer = target["customer_id"]

    merged = api.post(f"{API}/customers/{target_customer}/merge", json={"source_id": source_customer})
    assert merged.status_code == 200, merged.text

    listed = {
        c["id"]
        for c in api.get(f"{API}/conversations", params={"customer_id": target_customer}).json()["items"]
    }
    assert listed == {source["id"], second["id"], target["id"]}
    assert api.get(f"{API}/conversations", params={"customer_id": source_customer}).json()["items"] == []
    moves = [e for e in timeline(api, source["id"]) if e["kind"] == "customer_changed"]
    assert len(moves) == 1
    assert moves[0]["before"] == {"customer_id": source_customer}
    assert moves[0]["after"] == {"customer_id": target_customer}
    assert moves[0]["actor_kind"] == "agent" and moves[0]["actor_id"] == str(tenant.admin_id)

    with container.session_factory() as session:  # a redelivery of the event changes nothing
        row = session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "customers.merged")).one()
        envelope = EventEnvelope(
            id=row.id, event_type=row.event_type, occurred_at=datetime.now(UTC),
            event=CustomersMerged.model_validate(row.payload),
        )  # fmt: skip
        handlers.on_customers_merged(session, envelope)
        session.commit()
    assert len([e for e in timeline(api, source["id"]) if e["kind"] == "customer_changed"]) == 1

    reply = inbound(api, target_customer, "hello from the merged customer", channel="wechat")
    assert reply["conversation"]["id"] == source["id"]  # the moved open conversation continues
