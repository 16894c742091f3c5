"""The fake provider: a minimal signed JSON shape, for tests, local development and the benchmark.

Inbound: `POST` JSON `{"messages": [{"id", "from", "name"?, "text"}], "statuses": [{"id",
"status", "reason"?}]}` signed with `X-Fake-Signature: <hex HMAC-SHA256(secret, body)>`.
Outbound: `POST {api_base_url}/messages` with `{"to", "text"}`, answered by `{"id": ...}`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from kefu.channels.adapters.base import (
    Contact,
    DeliveryState,
    InboundItem,
    InboundMessage,
    MalformedPayload,
    NoHandshake,
    OutboundMessage,
    Parsed,
    SendFailed,
    Setting,
    Settings,
    StatusUpdate,
    VerificationFailed,
    WebhookRequest,
    hmac_hex,
    json_body,
    post_json,
    raise_for_send,
    same,
)

SIGNATURE_HEADER = "x-fake-signature"


class FakeAdapter(NoHandshake):
    """Adapter of the fake provider."""

    kind: ClassVar[str] = "fake"
    conversation_channel: ClassVar[str] = "app"
    identity_kind: ClassVar[str] = "app"
    default_api_base_url: ClassVar[str] = "http://fake-provider.invalid"
    has_webhook: ClassVar[bool] = True
    settings: ClassVar[tuple[Setting, ...]] = (Setting("secret", secret=True),)

    def verify(self, settings: Settings, request: WebhookRequest) -> None:
        """The body's HMAC under the inbox secret."""
        if not same(hmac_hex(settings["secret"], request.body), request.header(SIGNATURE_HEADER)):
            raise VerificationFailed("bad X-Fake-Signature")

    def parse(self, settings: Settings, request: WebhookRequest) -> Parsed:
        """Messages and statuses of the body."""
        body = json_body(request)
        if not isinstance(body, dict):
            raise MalformedPayload("body must be a JSON object")
        items: list[InboundItem] = []
        for raw in _list(body, "messages"):
            if not isinstance(raw.get("id"), str) or not isinstance(raw.get("from"), str):
                raise MalformedPayload("every message needs string id and from")
            items.append(
                InboundMessage(
                    provider_message_id=raw["id"],
                    sender=Contact(handle=raw["from"], name=raw.get("name")),
                    text=str(raw.get("text") or ""),
                )
            )
        for raw in _list(body, "statuses"):
            try:
                state = DeliveryState(str(raw.get("status")))
            except ValueError as exc:
                raise MalformedPayload(f"unknown status {raw.get('status')!r}") from exc
            items.append(
                StatusUpdate(provider_message_id=str(raw.get("id")), state=state, reason=raw.get("reason"))
            )
        return Parsed(items=items)

    def send(self, client: httpx.Client, settings: Settings, message: OutboundMessage) -> str:
        """POST /messages."""
        response = post_json(client, "/messages", {"to": message.recipient, "text": message.text})
        raise_for_send(response)
        provider_id = response.json().get("id")
        if not isinstance(provider_id, str):
            raise SendFailed("provider answered without an id", retryable=False)
        return provider_id


def _list(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise MalformedPayload(f"{key} must be a list of objects")
    return value
