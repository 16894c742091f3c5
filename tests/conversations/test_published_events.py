"""Opening a conversation over HTTP publishes what the catalog promises, once each."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kefu.wiring import Container
from tests.conftest import Tenant
from tests.events import capture_events
from tests.factories import make_customer


def test_a_new_conversation_publishes_opened_and_received_once(api: TestClient, container: Container) -> None:
    body = {"channel": "chat", "customer": {"identities": [{"kind": "email", "value": "ana@example.com"}]},
            "message": {"text": "Where is my parcel?"}}
    with capture_events(container, 1, of_type="conversation.opened") as opened:
        response = api.post("/api/v1/conversations", json=body)
    assert response.status_code == 201
    assert opened[0].payload["conversation_id"] == response.json()["id"]

def test_a_conversation_for_a_known_customer_creates_no_customer(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    customer_id = make_customer(container, workspace_id=tenant.workspace_id, email="bo@example.com")
    body = {"channel": "chat", "customer_id": str(customer_id), "message": {"text": "Hello"}}
    with capture_events(container) as everything:
        assert api.post("/api/v1/conversations", json=body).status_code == 201
    types = [event.event_type for event in everything]
    assert types.count("message.received") == 1 and types.count("conversation.opened") == 1
    assert "customer.created" not in types
