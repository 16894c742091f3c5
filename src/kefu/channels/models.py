"""Tables of the channels domain (private to it): inboxes, raw requests, the ledger, deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, IdMixin, TimestampMixin, WorkspaceScoped


class Inbox(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """One configured channel instance of a workspace; secret settings sealed by the server key."""

    __tablename__ = "inboxes"

    channel: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]]
    sealed_secrets: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(16))
    market: Mapped[str | None] = mapped_column(String(8))
    team_id: Mapped[uuid.UUID | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None]


class InboundRequest(IdMixin, WorkspaceScoped, Base):
    """A provider request exactly as received (body and audit headers), stored before it is parsed."""

    __tablename__ = "inbound_requests"
    workspace_index = False
    __table_args__ = (Index("ix_inbound_requests_inbox", "workspace_id", "inbox_id", "received_at"),)

    inbox_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"))
    received_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(String(2048))
    headers: Mapped[dict[str, Any]]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    outcome: Mapped[str] = mapped_column(String(12))
    error: Mapped[str | None] = mapped_column(String(1000))
    item_count: Mapped[int] = mapped_column(default=0)


class InboundEntry(IdMixin, WorkspaceScoped, Base):
    """One normalised inbound item of the ledger, unique per (inbox, provider key), and its processing."""

    __tablename__ = "inbound_entries"
    __table_args__ = (
        UniqueConstraint("inbox_id", "dedupe_key"),
        Index("ix_inbound_entries_due", "status", "next_attempt_at"),
        Index("ix_inbound_entries_conversation", "conversation_id", "received_at"),
    )

    inbox_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"))
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inbound_requests.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))
    item: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12))
    attempt_count: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    processed_at: Mapped[datetime | None]
    parked_at: Mapped[datetime | None]
    customer_id: Mapped[uuid.UUID | None]
    conversation_id: Mapped[uuid.UUID | None]
    message_id: Mapped[uuid.UUID | None]


class OutboundDelivery(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """One agent reply owed to its channel: recipient, retry state and the provider's status reports."""

    __tablename__ = "outbound_deliveries"
    workspace_index = False
    __table_args__ = (
        UniqueConstraint("message_id"),
        Index("ix_outbound_deliveries_provider", "inbox_id", "provider_message_id"),
        Index("ix_outbound_deliveries_due", "status", "next_attempt_at"),
        Index("ix_outbound_deliveries_workspace", "workspace_id", "conversation_id"),
    )

    inbox_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"))
    message_id: Mapped[uuid.UUID]
    conversation_id: Mapped[uuid.UUID]
    recipient: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    reply_token: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12))
    provider_message_id: Mapped[str | None] = mapped_column(String(255))
    attempt_count: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]


class StoredAttachment(IdMixin, WorkspaceScoped, Base):
    """A file kept in the attachment store, once per (workspace, content hash)."""

    __tablename__ = "stored_attachments"
    workspace_index = False
    __table_args__ = (UniqueConstraint("workspace_id", "sha256"),)

    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(127))
    created_at: Mapped[datetime]


class EmailThreadKey(IdMixin, WorkspaceScoped, Base):
    """A Message-ID (or subject reference token) of an email inbox and the conversation it belongs to."""

    __tablename__ = "email_thread_keys"
    workspace_index = False
    __table_args__ = (UniqueConstraint("inbox_id", "key"),)

    inbox_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(300))
    conversation_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime]


class MailboxState(IdMixin, WorkspaceScoped, Base):
    """Where IMAP polling of an inbox's folder stands: UIDVALIDITY, last UID taken, health."""

    __tablename__ = "mailbox_states"
    workspace_index = False
    __table_args__ = (UniqueConstraint("inbox_id", "folder"),)

    inbox_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(String(200))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    polled_at: Mapped[datetime | None]
    succeeded_at: Mapped[datetime | None]
    failure_count: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000))
