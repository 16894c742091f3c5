"""WhatsApp Cloud API: Graph webhooks (`messages` field) in, `/{phone_number_id}/messages` out.

Inbound `entry[].changes[].value` carries `contacts` (`wa_id`, `profile.name`), `messages`
(`id` = wamid, `from`, `timestamp`, `type` and the type's object) and `statuses` (`id`,
`status` sent/delivered/read/failed, `errors[]`). The sender's `wa_id` is a phone number
WhatsApp has proven, so it is given as a verified phone too.
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

MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
STATES = {
    "sent": DeliveryState.SENT,
    "delivered": DeliveryState.DELIVERED,
    "read": DeliveryState.READ,
    "failed": DeliveryState.FAILED,
}
PERMANENT_ERRORS = {
    131047: "outside the 24-hour customer-service window (a template message is needed)",
    131026: "the recipient cannot receive WhatsApp messages",
    131051: "unsupported message type",
}


def epoch(value: Any) -> datetime | None:
    """A Unix timestamp (seconds, as a string or number) as an aware datetime."""
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class WhatsAppAdapter:
    """Adapter of the WhatsApp Cloud API."""

    kind: ClassVar[str] = "whatsapp"
    conversation_channel: ClassVar[str] = "whatsapp"
    identity_kind: ClassVar[str] = "whatsapp"
    default_api_base_url: ClassVar[str] = "https://graph.facebook.com"
    has_webhook: ClassVar[bool] = True
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("phone_number_id"),
        Setting("access_token", secret=True),
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
        """Messages and statuses of every change of every entry."""
        body = json_body(request)
        if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
            raise MalformedPayload("object must be whatsapp_business_account")
        items: list[InboundItem] = []
        try:
            for entry in body.get("entry", []):
                for change in entry.get("changes", []):
                    if change.get("field") not in (None, "messages"):
                        continue
                    items += _items(change["value"])
        except (KeyError, TypeError, AttributeError) as exc:
            raise MalformedPayload(f"unexpected WhatsApp payload shape: {exc!r}") from exc
        return Parsed(items=items)

    def send(self, client: httpx.Client, settings: Settings, message: OutboundMessage) -> str:
        """POST /{version}/{phone_number_id}/messages with a text message."""
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.recipient,
            "type": "text",
            "text": {"preview_url": False, "body": message.text},
        }
        response = post_json(
            client,
            f"/{GRAPH_VERSION}/{settings['phone_number_id']}/messages",
            payload,
            headers={"Authorization": f"Bearer {settings['access_token']}"},
        )
        if not response.is_success:
            error = _error(response)
            code = error.get("code")
            if code in PERMANENT_ERRORS:
                raise SendFailed(f"WhatsApp {code}: {PERMANENT_ERRORS[code]}", retryable=False)
            raise_for_send(response, f"WhatsApp {code}: {error.get('message', response.status_code)}")
        try:
            return str(response.json()["messages"][0]["id"])
        except (KeyError, IndexError, ValueError) as exc:
            raise SendFailed("WhatsApp answered without a message id", retryable=False) from exc


def _error(response: httpx.Response) -> dict[str, Any]:
    try:
        error = response.json().get("error", {})
    except ValueError:
        return {}
    return error if isinstance(error, dict) else {}


def _items(value: dict[str, Any]) -> list[InboundItem]:
    names = {c["wa_id"]: c.get("profile", {}).get("name") for c in value.get("contacts", [])}
    items: list[InboundItem] = []
    for raw in value.get("messages", []):
        kind = raw["type"]
        text = ""
        media: tuple[Media, ...] = ()
        if kind == "text":
            text = raw["text"]["body"]
        elif kind in MEDIA_TYPES:
            part = raw[kind]
            text = part.get("caption", "")
            media = (
                Media(
                    kind=kind,
                    provider_media_id=part.get("id"),
                    content_type=part.get("mime_type"),
                    name=part.get("filename"),
                ),
            )
        elif kind == "button":
            text = raw["button"].get("text", "")
        elif kind == "interactive":
            reply = raw["interactive"].get("button_reply") or raw["interactive"].get("list_reply") or {}
            text = reply.get("title", "")
        elif kind == "location":
            loc = raw["location"]
            text = f"{loc.get('name') or 'location'} ({loc.get('latitude')}, {loc.get('longitude')})"
        else:
            text = f"[{kind}]"
        sender = raw["from"]
        items.append(
            InboundMessage(
                provider_message_id=raw["id"],
                sender=Contact(handle=sender, name=names.get(sender), phone=f"+{sender}"),
                text=text,
                media=media,
                sent_at=epoch(raw.get("timestamp")),
            )
        )
    for raw in value.get("statuses", []):
        state = STATES.get(raw["status"])
        if state is None:
            continue
        errors = raw.get("errors") or []
        reason = "; ".join(f"{e.get('code')}: {e.get('title') or e.get('message')}" for e in errors) or None
        items.append(
            StatusUpdate(
                provider_message_id=raw["id"], state=state, reason=reason, at=epoch(raw.get("timestamp"))
            )
        )
    return items
