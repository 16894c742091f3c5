"""Public shapes of the channels domain: inboxes, ledger entries, deliveries, the intake hand-off."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kefu.channels.adapters.base import InboundMessage
from kefu.channels.enums import DeliveryStatus, EntryKind, EntryStatus, InboxChannel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", max_length=16)]
Market = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
__all__ = [
    "DeliveryOut",
    "InboundEntryDetail",
    "InboundEntryOut",
    "InboundMessage",
    "InboundRequestOut",
    "InboxIn",
    "InboxOut",
    "InboxPatch",
    "InboxRef",
    "IntakeResult",
    "MailboxHealth",
    "ReplayOut",
    "StoredAttachmentOut",
    "ThreadHint",
]
"""`InboundMessage` is the adapters' normalised message, public for the intake hand-off."""

SettingsIn = Annotated[dict[str, str | int | bool | None], Field(max_length=40)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InboxIn(_In):
    """A new inbox: its provider kind, a name, the provider's settings by their own names."""

    channel: InboxChannel
    name: Name
    settings: SettingsIn = Field(default_factory=dict)
    language: Language | None = Field(default=None, description="Language hint for language ID.")
    market: Market | None = Field(default=None, description="Market hint (ISO country) for phone numbers.")
    team_id: uuid.UUID | None = Field(default=None, description="Default team for routing.")


class InboxPatch(_In):
    """Changes to an inbox; settings given are merged (a secret given replaces the stored one)."""

    name: Name | None = None
    settings: SettingsIn | None = None
    language: Language | None = None
    market: Market | None = None
    team_id: uuid.UUID | None = None
    is_active: bool | None = None


class InboxOut(BaseModel):
    """An inbox as the API shows it: settings without secrets, only which secrets are set."""

    id: uuid.UUID
    channel: InboxChannel
    name: str
    settings: dict[str, Any]
    secrets_set: list[str]
    language: str | None
    market: str | None
    team_id: uuid.UUID | None
    is_active: bool
    disabled_at: datetime | None
    webhook_url: str | None = Field(description="Absolute path to paste into the provider's console.")
    widget_url: str | None = Field(default=None, description="The chat widget's standalone page (path).")
    embed_snippet: str | None = Field(
        default=None, description="The one `<script>` tag that puts the chat widget on a host site."
    )
    health: MailboxHealth | None = Field(
        default=None, description="IMAP polling of an email inbox: `ok`, `error` or `stalled`, and why."
    )
    created_at: datetime
    updated_at: datetime


class MailboxHealth(BaseModel):
    """How IMAP polling of an email inbox is doing."""

    status: str = Field(
        description="`ok`, `error` (the last poll failed), `stalled` (no success lately) or `new`."
    )
    folder: str
    uidvalidity: int | None
    last_uid: int
    polled_at: datetime | None
    succeeded_at: datetime | None
    failure_count: int
    last_error: str | None


class InboxRef(BaseModel):
    """What intake needs to know of an inbox."""

    id: uuid.UUID
    workspace_id: uuid.UUID
    channel: InboxChannel
    conversation_channel: str
    identity_kind: str
    language: str | None
    market: str | None
    team_id: uuid.UUID | None


class InboundEntryOut(BaseModel):
    """A ledger entry: the normalised item, where its processing is, what it produced."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    inbox_id: uuid.UUID
    request_id: uuid.UUID
    kind: EntryKind
    dedupe_key: str
    status: EntryStatus
    attempt_count: int
    next_attempt_at: datetime | None
    last_error: str | None
    received_at: datetime
    processed_at: datetime | None
    parked_at: datetime | None
    customer_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    message_id: uuid.UUID | None
    item: dict[str, Any]


class InboundRequestOut(BaseModel):
    """A stored raw request (body as text, lossless for UTF-8; headers minus credentials)."""

    id: uuid.UUID
    inbox_id: uuid.UUID
    received_at: datetime
    method: str
    url: str
    headers: dict[str, Any]
    body: str
    outcome: str
    error: str | None
    item_count: int


class InboundEntryDetail(InboundEntryOut):
    """A ledger entry with the raw request it came from."""

    request: InboundRequestOut


class DeliveryOut(BaseModel):
    """An outbound message on its channel: status and the provider's id and reason."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    inbox_id: uuid.UUID
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    recipient: str
    status: DeliveryStatus
    provider_message_id: str | None
    attempt_count: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None
    created_at: datetime


class IntakeResult(BaseModel):
    """What the conversations side made of an inbound message."""

    customer_id: uuid.UUID
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    duplicate: bool = False


class ReplayOut(BaseModel):
    """How many parked entries were put back to be processed."""

    replayed: int


class ThreadHint(BaseModel):
    """Where a threaded channel (email) says a message belongs, for the intake hand-off.

    `conversation_id` is the conversation its headers or reference token point to (used only
    when it is the same customer's); `new_thread` says a message that points nowhere starts a
    conversation of its own instead of continuing the customer's open one.
    """

    conversation_id: uuid.UUID | None = None
    new_thread: bool = False


class StoredAttachmentOut(BaseModel):
    """A file kept in the attachment store."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    sha256: str
    size: int
    content_type: str
    created_at: datetime
