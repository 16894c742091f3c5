"""Opening a conversation over HTTP publishes what the catalog promises, once each."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kefu.wiring import Container
from tests.events import capture_events


def test_a_new_conversation_publishes_opened_and_received_once(api: TestClient, container: Container) -> None:
    body = {"channel": "chat", "customer": {"identities": [{"kind": "email", "value": "ana@example.com"}]},
            "message": {"text": "Where is my parcel?"}}
    with capture_events(container, 1, of_type="conversation.opened") as opened:
        response = api.post("/api/v1/conversations", json=body)
    assert response.status_code == 201
    assert opened[0].payload["conversation_id"] == response.json()["id"]
    with capture_events(container) as everything:
        api.post("/api/v1/conversations", json=body | {"message": {"text": "Second one"}})
    types = [event.event_type for event in everything]
    assert types.count("message.received") == 1
