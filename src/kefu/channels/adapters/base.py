"""The adapter contract: verify a provider request, parse it into normalised items, send, map status.

An adapter translates between one provider's wire format and these types. It never touches the
database and makes no domain decision (which customer, which conversation): the channels service
and its jobs do. Every method gets the inbox's settings (secrets decrypted) as a plain mapping.

- `handshake(settings, request)`: answer a provider's GET verification (WhatsApp's
  `hub.challenge`, WeChat's `echostr`); raise `VerificationFailed` when it is not genuine.
- `verify(settings, request)`: check a POST's signature; raise `VerificationFailed`.
- `parse(settings, request)`: the request's `InboundMessage` and `StatusUpdate` items (a
  provider may batch several); raise `MalformedPayload` with a reason.
- `send(client, settings, message)`: deliver one `OutboundMessage` through `client` (an
  `httpx.Client` whose base URL is the inbox's `api_base_url`); return the provider's message id,
  or raise `SendFailed` saying whether a retry may help.

To add a provider: a folder `adapters/<kind>/` with an `adapter.py` defining one class that
implements this protocol, its name in `registry.ADAPTERS`, fixtures shaped like the provider's
documented payloads under `tests/channels/fixtures/`, and a row in `docs/channels.md`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol

import httpx

Settings = Mapping[str, Any]


class DeliveryState(StrEnum):
    """Where an outbound message is, as the provider reports it."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class VerificationFailed(Exception):
    """The request is not from the provider (bad or missing signature or token)."""

    def __init__(self, reason: str, *, status_code: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


class MalformedPayload(Exception):
    """The request is genuine but cannot be read; the reason goes back in the 400."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SendFailed(Exception):
    """The provider refused or could not take an outbound message."""

    def __init__(self, reason: str, *, retryable: bool, retry_after_seconds: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class Setting:
    """One setting of an inbox, by the provider's own name."""

    name: str
    secret: bool = False
    required: bool = True
    default: str | None = None


@dataclass(frozen=True)
class WebhookRequest:
    """A provider's HTTP request as received: method, the URL it called, query, headers, raw body."""

    method: str
    url: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Media:
    """An attachment as the provider describes it (fetched later through the provider)."""

    kind: str
    provider_media_id: str | None = None
    url: str | None = None
    content_type: str | None = None
    name: str | None = None
    size: int | None = None
    content: bytes | None = field(default=None, repr=False)
    """The bytes when the request carries them (email); the ledger keeps them in the attachment store."""


@dataclass(frozen=True)
class Contact:
    """Who wrote: the provider's handle of the sender and what the provider knows of them."""

    handle: str
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    language: str | None = None
    verified: bool = True
    """Whether the provider proves the phone / email (a chat visitor's typed ones are only claims)."""


@dataclass(frozen=True)
class InboundMessage:
    """A customer message, normalised; `provider_message_id` is the dedupe key within an inbox."""

    provider_message_id: str
    sender: Contact
    text: str = ""
    media: Sequence[Media] = ()
    sent_at: datetime | None = None
    reply_token: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusUpdate:
    """The provider's report on an outbound message it had accepted under `provider_message_id`."""

    provider_message_id: str
    state: DeliveryState
    reason: str | None = None
    at: datetime | None = None


InboundItem = InboundMessage | StatusUpdate


@dataclass(frozen=True)
class Handshake:
    """The answer to a GET verification request."""

    body: str
    content_type: str = "text/plain"


@dataclass(frozen=True)
class OutboundMessage:
    """A reply to deliver: to whom (the provider's handle), the text, and a reply token if one is fresh."""

    recipient: str
    text: str
    reply_token: str | None = None
    client_reference: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    """What the channel needs to thread the reply: the `extra` of the message answered, plus
    `reference_token` (email: Message-ID, References and Subject are built from it)."""


@dataclass(frozen=True)
class Parsed:
    """Items of one request and, for providers that expect one, the body to answer with."""

    items: Sequence[InboundItem]
    reply: str | None = None
    reply_content_type: str = "text/plain"
    ignored: str | None = None
    """Why a genuine request holds no customer message (auto-reply, bounce): kept, not processed."""


class Adapter(Protocol):
    """What every provider adapter offers (see the module docstring)."""

    kind: ClassVar[str]
    """The inbox `channel` value, also the path segment of its webhook URL."""
    conversation_channel: ClassVar[str]
    """The conversations' channel value its messages land on."""
    identity_kind: ClassVar[str]
    """The customer identity kind of its sender handles."""
    default_api_base_url: ClassVar[str]
    settings: ClassVar[tuple[Setting, ...]]
    has_webhook: ClassVar[bool]

    def handshake(self, settings: Settings, request: WebhookRequest) -> Handshake:
        """Answer the provider's GET verification or raise VerificationFailed."""
        ...

    def verify(self, settings: Settings, request: WebhookRequest) -> None:
        """Raise VerificationFailed unless the request is signed by the provider."""
        ...

    def parse(self, settings: Settings, request: WebhookRequest) -> Parsed:
        """The normalised items of a verified request; MalformedPayload when unreadable."""
        ...

    def send(self, client: httpx.Client, settings: Settings, message: OutboundMessage) -> str:
        """Deliver a message; the provider's id for it, or SendFailed."""
        ...


class NoHandshake:
    """Mixin for providers without a GET verification."""

    def handshake(self, settings: Settings, request: WebhookRequest) -> Handshake:
        """Providers without a handshake refuse GET requests."""
        raise VerificationFailed("this provider has no verification handshake", status_code=403)


def hmac_hex(key: str | bytes, body: bytes, digest: str = "sha256") -> str:
    """Hex HMAC of a body."""
    secret = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(secret, body, getattr(hashlib, digest)).hexdigest()


def same(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a signature or token with what was given."""
    return given is not None and hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def raise_for_send(response: httpx.Response, reason: str | None = None) -> None:
    """Map a provider's HTTP answer to SendFailed: 429 and 5xx may be retried, other 4xx may not."""
    if response.is_success:
        return
    retry_after = response.headers.get("retry-after")
    delay = float(retry_after) if retry_after and retry_after.isdigit() else None
    text = reason or f"HTTP {response.status_code}: {response.text[:300]}"
    retryable = response.status_code == 429 or response.status_code >= 500
    raise SendFailed(text, retryable=retryable, retry_after_seconds=delay)


def json_body(request: WebhookRequest) -> Any:
    """The request body as JSON, or MalformedPayload."""
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedPayload(f"body is not JSON: {exc}") from exc


def post_json(client: httpx.Client, path: str, payload: Mapping[str, Any], **kwargs: Any) -> httpx.Response:
    """POST JSON to the provider, turning transport errors into retryable SendFailed."""
    try:
        return client.post(path, json=payload, **kwargs)
    except httpx.HTTPError as exc:
        raise SendFailed(f"provider unreachable: {type(exc).__name__}", retryable=True) from exc
