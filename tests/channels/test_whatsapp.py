"""WhatsApp Cloud API end to end: handshake, signed documented payloads, reply out, status back."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kefu.core.clock import FrozenClock
from kefu.wiring import Container
from tests.channels.conftest import create_inbox

APP_SECRET = "app-secret-abc"
SETTINGS = {
    "phone_number_id": "106540352242922",
    "access_token": "EAAG-token",
    "app_secret": APP_SECRET,
    "verify_token": "verify-me",
    "api_base_url": "http://graph.test",
}


def _value(**parts: Any) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": "106540352242922",
                            },
                            **parts,
                        },
                    }
                ],
            }
        ],
    }


TEXT = _value(
    contacts=[{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
    messages=[
        {
            "from": "16505551234",
            "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
            "timestamp": "1749416383",
            "type": "text",
            "text": {"body": "Does it come in another color?"},
        }
    ],
)


def _post(api: TestClient, inbox: dict[str, Any], payload: dict[str, Any], secret: str = APP_SECRET) -> Any:
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return api.post(
        inbox["webhook_url"],
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )


@pytest.fixture
def inbox(api: TestClient) -> dict[str, Any]:
    """A WhatsApp inbox pointing at a local fake Graph API."""
    return create_inbox(api, "whatsapp", SETTINGS, name="WhatsApp +62")


def test_handshake_echoes_the_challenge_only_for_the_right_token(
    api: TestClient, inbox: dict[str, Any]
) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    answer = api.get(inbox["webhook_url"], params=query)
    assert answer.status_code == 200
    assert answer.text == "1158201444"
    assert api.get(inbox["webhook_url"], params={**query, "hub.verify_token": "nope"}).status_code == 403


def test_message_in_reply_out_status_back(
    api: TestClient, inbox: dict[str, Any], container: Container, clock: FrozenClock
) -> None:
    assert _post(api, inbox, TEXT, secret="forged").status_code == 401
    assert _post(api, inbox, TEXT).status_code == 200
    [conversation] = api.get("/api/v1/conversations").json()["items"]
    assert conversation["channel"] == "whatsapp"
    customer = api.get(f"/api/v1/customers/{conversation['customer_id']}").json()
    kinds = {(i["kind"], i["value"]) for i in customer["identities"]}
    assert ("phone", "+16505551234") in kinds
    sent: list[httpx.Request] = []
    answers = iter([httpx.Response(503), httpx.Response(200, json={"messages": [{"id": "wamid.OUT1"}]})])

    def graph(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return next(answers)

    jobs = container.runtime._tasks["channels.send_outbound"].func.__self__
    jobs._transport = httpx.MockTransport(graph)
    reply = api.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "Yes, in blue."})
    assert reply.status_code in (200, 201), reply.text
    [delivery] = api.get("/api/v1/channels/deliveries", params={"conversation_id": conversation["id"]}).json()
    assert delivery["status"] == "pending"  # the 503 is retried
    assert "503" in delivery["last_error"]
    clock.advance(seconds=10)
    jobs.retry_due()
    [delivery] = api.get("/api/v1/channels/deliveries", params={"conversation_id": conversation["id"]}).json()
    assert delivery["status"] == "sent"
    assert delivery["provider_message_id"] == "wamid.OUT1"
    assert sent[-1].url.path == "/v21.0/106540352242922/messages"
    assert sent[-1].headers["authorization"] == "Bearer EAAG-token"
    assert json.loads(sent[-1].content)["to"] == "16505551234"
    status = _value(
        statuses=[
            {"id": "wamid.OUT1", "status": "read", "timestamp": "1749416500", "recipient_id": "16505551234"}
        ]
    )
    assert _post(api, inbox, status).status_code == 200
    [delivery] = api.get("/api/v1/channels/deliveries", params={"conversation_id": conversation["id"]}).json()
    assert delivery["status"] == "read"
    assert delivery["read_at"] is not None


def test_permanent_errors_fail_with_the_providers_reason(
    api: TestClient, inbox: dict[str, Any], container: Container
) -> None:
    _post(api, inbox, TEXT)
    [conversation] = api.get("/api/v1/conversations").json()["items"]
    error = {"error": {"message": "Re-engagement message", "code": 131047}}
    jobs = container.runtime._tasks["channels.send_outbound"].func.__self__
    jobs._transport = httpx.MockTransport(lambda request: httpx.Response(400, json=error))
    api.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "Late answer"})
    [delivery] = api.get("/api/v1/channels/deliveries", params={"conversation_id": conversation["id"]}).json()
    assert delivery["status"] == "failed"
    assert "24-hour" in delivery["last_error"]
