"""Telegram Bot API: webhook `Update` objects in, `sendMessage` out.

The webhook is registered with `setWebhook(url, secret_token)`; Telegram then sends the token in
`X-Telegram-Bot-Api-Secret-Token`. An update's `message` has `message_id` (unique per chat),
`from` (`id`, `first_name`, `last_name`, `language_code`), `chat.id`, `date` and `text` or
`caption` with `photo`/`document`/... The sender handle is the chat id (replies go there).
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from kefu.channels.adapters.base import (
    Contact,
    InboundItem,
    InboundMessage,
    MalformedPayload,
    Media,
    NoHandshake,
    OutboundMessage,
    Parsed,
    SendFailed,
    Setting,
    Settings,
    VerificationFailed,
    WebhookRequest,
    json_body,
    post_json,
    raise_for_send,
    same,
)
from kefu.channels.adapters.whatsapp.adapter import epoch

SECRET_HEADER = "x-telegram-bot-api-secret-token"
MEDIA_KEYS = ("photo", "document", "audio", "video", "voice", "sticker")


class TelegramAdapter(NoHandshake):
    """Adapter of a Telegram bot."""

    kind: ClassVar[str] = "telegram"
    conversation_channel: ClassVar[str] = "telegram"
    identity_kind: ClassVar[str] = "telegram"
    default_api_base_url: ClassVar[str] = "https://api.telegram.org"
    has_webhook: ClassVar[bool] = True
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("bot_token", secret=True),
        Setting("secret_token", secret=True),
    )

    def verify(self, settings: Settings, request: WebhookRequest) -> None:
        """`X-Telegram-Bot-Api-Secret-Token` equals the inbox's `secret_token`."""
        if not same(str(settings["secret_token"]), request.header(SECRET_HEADER)):
            raise VerificationFailed("bad X-Telegram-Bot-Api-Secret-Token")

    def parse(self, settings: Settings, request: WebhookRequest) -> Parsed:
        """The update's private message, if any (edits, channel posts and callbacks are skipped)."""
        update = json_body(request)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            raise MalformedPayload("an Update needs an integer update_id")
        message = update.get("message")
        if not isinstance(message, dict):
            return Parsed(items=[])
        try:
            chat_id = str(message["chat"]["id"])
            sender: dict[str, Any] = message.get("from") or {}
            name = " ".join(p for p in (sender.get("first_name"), sender.get("last_name")) if p) or None
            media = tuple(Media(kind=key) for key in MEDIA_KEYS if key in message)
            item: InboundItem = InboundMessage(
                provider_message_id=f"{chat_id}:{message['message_id']}",
                sender=Contact(handle=chat_id, name=name, language=sender.get("language_code")),
                text=message.get("text") or message.get("caption") or "",
                media=media,
                sent_at=epoch(message.get("date")),
            )
        except (KeyError, TypeError) as exc:
            raise MalformedPayload(f"unexpected Telegram message shape: {exc!r}") from exc
        return Parsed(items=[item])

    def send(self, client: httpx.Client, settings: Settings, message: OutboundMessage) -> str:
        """POST /bot<token>/sendMessage."""
        response = post_json(
            client,
            f"/bot{settings['bot_token']}/sendMessage",
            {"chat_id": message.recipient, "text": message.text},
        )
        if response.status_code in (400, 403):
            raise SendFailed(f"Telegram refused: {response.text[:300]}", retryable=False)
        raise_for_send(response)
        try:
            return f"{message.recipient}:{response.json()['result']['message_id']}"
        except (KeyError, ValueError, TypeError) as exc:
            raise SendFailed("Telegram answered without a message_id", retryable=False) from exc
