"""Statuses, priorities, channels, message directions, actor kinds and timeline entry kinds."""

from __future__ import annotations

from enum import StrEnum


class ConversationStatus(StrEnum):
    """Lifecycle state of a conversation; see `kefu.conversations.lifecycle` for the transitions."""

    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    """How urgently a conversation needs attention."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Channel(StrEnum):
    """Where a conversation came from."""

    PHONE = "phone"
    CHAT = "chat"
    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    WECHAT = "wechat"
    LINE = "line"
    FACEBOOK = "facebook"
    ZALO = "zalo"
    APP = "app"
    WEB = "web"
    API = "api"
    TELEGRAM = "telegram"
    INSTAGRAM = "instagram"


class Direction(StrEnum):
    """Inbound (from the customer), outbound (to the customer) or an internal note."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    NOTE = "note"


class ActorKind(StrEnum):
    """Who wrote a message or made a change."""

    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class Sentiment(StrEnum):
    """Polarity of a message as the language analysis sees it."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class TimelineKind(StrEnum):
    """What a timeline entry records."""

    OPENED = "opened"
    STATUS_CHANGED = "status_changed"
    PRIORITY_CHANGED = "priority_changed"
    ASSIGNEE_CHANGED = "assignee_changed"
    TEAM_CHANGED = "team_changed"
    TAGS_CHANGED = "tags_changed"
    FIELDS_CHANGED = "fields_changed"
    COMPLAINT_CHANGED = "complaint_changed"
    SUBJECT_CHANGED = "subject_changed"
    LANGUAGE_CHANGED = "language_changed"
    CUSTOMER_CHANGED = "customer_changed"
    REVIEW_FLAGGED = "review_flagged"
    ROUTED = "routed"
    ESCALATED = "escalated"
    RULE_FIRED = "rule_fired"
    HANDOFF = "handoff"
