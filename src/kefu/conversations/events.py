"""Events the conversations domain publishes (past tense, delivered after commit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from kefu.conversations.enums import (
    ActorKind,
    Channel,
    ConversationStatus,
    Direction,
    Priority,
    Sentiment,
)
from kefu.core.events import DomainEvent


class _ConversationEvent(DomainEvent):
    """Something happened to one conversation, done by an actor."""

    conversation_id: uuid.UUID
    actor_kind: ActorKind = ActorKind.SYSTEM
    actor_id: uuid.UUID | None = None


class ConversationOpened(_ConversationEvent):
    """A conversation was opened."""

    event_type: ClassVar[str] = "conversation.opened"

    customer_id: uuid.UUID
    channel: Channel
    inbox_id: uuid.UUID | None
    priority: Priority
    language: str | None
    assignee_id: uuid.UUID | None
    team_id: uuid.UUID | None


class MessageReceived(_ConversationEvent):
    """A customer message was stored (language analysis follows asynchronously)."""

    event_type: ClassVar[str] = "message.received"

    message_id: uuid.UUID
    customer_id: uuid.UUID
    channel: Channel
    inbox_id: uuid.UUID | None
    text: str
    language: str | None


class MessageSent(_ConversationEvent):
    """An agent or bot reply was stored and awaits delivery to the customer."""

    event_type: ClassVar[str] = "message.sent"

    message_id: uuid.UUID
    customer_id: uuid.UUID
    channel: Channel
    inbox_id: uuid.UUID | None
    text: str
    first_response: bool


class NoteAdded(_ConversationEvent):
    """An internal note was added."""

    event_type: ClassVar[str] = "note.added"

    message_id: uuid.UUID


class MessageAnalysed(_ConversationEvent):
    """Language analysis of a message was recorded."""

    event_type: ClassVar[str] = "message.analysed"

    message_id: uuid.UUID
    direction: Direction
    language: str | None
    intent: str | None
    intent_confidence: float | None
    sentiment: Sentiment | None
    sentiment_score: float | None
    anger: float | None
    angry: bool | None
    abusive: bool | None


class ConversationAssigned(_ConversationEvent):
    """The assignee and/or team changed."""

    event_type: ClassVar[str] = "conversation.assigned"

    assignee_id: uuid.UUID | None
    previous_assignee_id: uuid.UUID | None
    team_id: uuid.UUID | None
    previous_team_id: uuid.UUID | None


class ConversationStatusChanged(_ConversationEvent):
    """The status changed."""

    event_type: ClassVar[str] = "conversation.status_changed"

    from_status: ConversationStatus
    to_status: ConversationStatus
    snoozed_until: datetime | None
    reason: str | None


class ConversationResolved(_ConversationEvent):
    """The conversation was resolved."""

    event_type: ClassVar[str] = "conversation.resolved"

    customer_id: uuid.UUID
    resolved_at: datetime


class ConversationReopened(_ConversationEvent):
    """A resolved or closed conversation went back to work."""

    event_type: ClassVar[str] = "conversation.reopened"

    from_status: ConversationStatus
    reason: str | None


class ConversationPriorityChanged(_ConversationEvent):
    """The priority changed."""

    event_type: ClassVar[str] = "conversation.priority_changed"

    from_priority: Priority
    to_priority: Priority


class ConversationTagged(_ConversationEvent):
    """Tags were added."""

    event_type: ClassVar[str] = "conversation.tagged"

    tags: list[str]


class ConversationUntagged(_ConversationEvent):
    """Tags were removed."""

    event_type: ClassVar[str] = "conversation.untagged"

    tags: list[str]


class ConversationFieldsChanged(_ConversationEvent):
    """Custom fields changed (only the keys that changed, with their new values; null = removed)."""

    event_type: ClassVar[str] = "conversation.fields_changed"

    changes: dict[str, bool | int | float | str | None]


class ConversationComplaintMarked(_ConversationEvent):
    """The complaint flag or amount changed."""

    event_type: ClassVar[str] = "conversation.complaint_marked"

    is_complaint: bool
    amount: Decimal | None
    currency: str | None


class ConversationCustomerChanged(_ConversationEvent):
    """A conversation moved to another customer (after a customer merge)."""

    event_type: ClassVar[str] = "conversation.customer_changed"

    from_customer_id: uuid.UUID
    to_customer_id: uuid.UUID


class ConversationFlaggedForReview(_ConversationEvent):
    """Complaint screening found signals of a malicious complaint; a person should review it."""

    event_type: ClassVar[str] = "conversation.flagged_for_review"

    score: float
    reasons: list[str]


class ConversationImported(_ConversationEvent):
    """A conversation and its message history were imported (no per-message or status events follow).

    History does not re-run live reactions (message analysis, automations, surveys); subscribers
    that keep their own copy of conversations read the imported one through the public service.
    """

    event_type: ClassVar[str] = "conversation.imported"

    customer_id: uuid.UUID
    channel: Channel
    inbox_id: uuid.UUID | None
    status: ConversationStatus
    priority: Priority
    message_count: int
    external_id: str | None
    created_at: datetime
    last_message_at: datetime
