"""Inbox kinds, ledger entry states and outbound delivery states."""

from __future__ import annotations

from enum import StrEnum


class InboxChannel(StrEnum):
    """The kind of an inbox: which provider adapter serves it (also its webhook path segment)."""

    WHATSAPP = "whatsapp"
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    LINE = "line"
    TELEGRAM = "telegram"
    WECHAT = "wechat"
    ZALO = "zalo"
    TWILIO = "twilio"
    EMAIL = "email"
    WIDGET = "widget"
    FAKE = "fake"


class EntryKind(StrEnum):
    """What a ledger entry carries: a customer message or a status report on an outbound message."""

    MESSAGE = "message"
    STATUS = "status"


class EntryStatus(StrEnum):
    """Where a ledger entry is: waiting (or retrying), processed, or parked after repeated failure."""

    PENDING = "pending"
    PROCESSED = "processed"
    PARKED = "parked"


class RequestOutcome(StrEnum):
    """What became of a stored raw request."""

    ACCEPTED = "accepted"
    MALFORMED = "malformed"
    IGNORED = "ignored"
    """Genuine but not a customer message (an auto-reply or a bounce); kept, never a conversation."""


class DeliveryStatus(StrEnum):
    """An outbound message on its channel: waiting, sent, delivered, read, or failed with a reason."""

    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
