"""Messenger and Instagram DM: Graph webhooks (`entry[].messaging[]`) in, the Send API out.

An event has `sender.id` (page-scoped id), `recipient.id` (the page), `timestamp` (ms) and one
of `message` (`mid`, `text`, `attachments[]`, `is_echo` for our own sends), `delivery`
(`mids[]`) or `read` (`watermark`). Replies go to `POST /{version}/me/messages` with the page
access token, as a RESPONSE inside the 24-hour window.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from kefu.channels.adapters.base import (
    Contact,
    DeliveryState,
    Handshake,
    InboundItem,
    InboundMessage,
    MalformedPayload,
    Media,
    OutboundMessage,
    Parsed,
    SendFailed,
    Setting,
    Settings,
    StatusUpdate,
    WebhookRequest,
    json_body,
    post_json,
    raise_for_send,
)
from kefu.channels.adapters.graph import GRAPH_VERSION, graph_handshake, graph_verify


def _ms(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class MessengerAdapter:
    """Adapter of Facebook Messenger (a page's inbox)."""

    kind: ClassVar[str] = "messenger"
    conversation_channel: ClassVar[str] = "facebook"
    identity_kind: ClassVar[str] = "facebook"
    webhook_object: ClassVar[str] = "page"
    default_api_base_url: ClassVar[str] = "https://graph.facebook.com"
    has_webhook: ClassVar[bool] = True
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("page_id"),
        Setting("page_access_token", secret=True),
        Setting("app_secret", secret=True),
        Setting("verify_token", secret=True),
    )

    def handshake(self, settings: Settings, request: WebhookRequest) -> Handshake:
        """The Graph `hub.verify_token` handshake."""
        return graph_handshake(settings, request)

    def verify(self, settings: Settings, request: WebhookRequest) -> None:
        """`X-Hub-Signature-256` under the app secret."""
        graph_verify(settings, request)

    def parse(self, settings: Settings, request: WebhookRequest) -> Parsed:
        """Messages and deliveries; echoes of our own sends and read watermarks are skipped."""
        body = json_body(request)
        if not isinstance(body, dict) or body.get("object") != self.webhook_object:
            raise MalformedPayload(f"object must be {self.webhook_object}")
        items: list[InboundItem] = []
        try:
            for entry in body.get("entry", []):
                for event in entry.get("messaging", []):
                    items += _items(event)
        except (KeyError, TypeError, AttributeError) as exc:
            raise MalformedPayload(f"unexpected Graph messaging payload: {exc!r}") from exc
        return Parsed(items=items)

    def send(self, client: httpx.Client, settings: Settings, message: OutboundMessage) -> str:
        """POST /{version}/me/messages with the page access token."""
        payload = {
            "recipient": {"id": message.recipient},
            "messaging_type": "RESPONSE",
            "message": {"text": message.text},
        }
        response = post_json(
            client,
            f"/{GRAPH_VERSION}/me/messages",
            payload,
            params={"access_token": settings["page_access_token"]},
        )
        if response.status_code == 400:
            raise SendFailed(f"Graph refused the message: {response.text[:300]}", retryable=False)
        raise_for_send(response)
        try:
            return str(response.json()["message_id"])
        except (KeyError, ValueError) as exc:
            raise SendFailed("Graph answered without a message_id", retryable=False) from exc


class InstagramAdapter(MessengerAdapter):
    """Adapter of Instagram direct messages (same Graph messaging shape, object `instagram`)."""

    kind: ClassVar[str] = "instagram"
    conversation_channel: ClassVar[str] = "instagram"
    identity_kind: ClassVar[str] = "instagram"
    webhook_object: ClassVar[str] = "instagram"


def _items(event: dict[str, Any]) -> list[InboundItem]:
    if "message" in event:
        message = event["message"]
        if message.get("is_echo"):
            return []
        media = tuple(
            Media(kind=a.get("type", "file"), url=(a.get("payload") or {}).get("url"))
            for a in message.get("attachments", [])
        )
        return [
            InboundMessage(
                provider_message_id=message["mid"],
                sender=Contact(handle=event["sender"]["id"]),
                text=message.get("text", ""),
                media=media,
                sent_at=_ms(event.get("timestamp")),
            )
        ]
    if "delivery" in event:
        at = _ms(event["delivery"].get("watermark"))
        return [
            StatusUpdate(provider_message_id=mid, state=DeliveryState.DELIVERED, at=at)
            for mid in event["delivery"].get("mids", [])
        ]
    return []
