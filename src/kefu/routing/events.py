"""Events the routing domain publishes (past tense, delivered after commit)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from kefu.core.events import DomainEvent
from kefu.routing.enums import Presence, QueueReason


class ConversationQueued(DomainEvent):
    """A conversation entered a queue (new, overflow, re-route, transfer, escalation) to wait for an agent."""

    event_type: ClassVar[str] = "routing.queued"

    conversation_id: uuid.UUID
    queue_id: uuid.UUID
    previous_queue_id: uuid.UUID | None
    rule: str
    reason: QueueReason


class ConversationTransferred(DomainEvent):
    """Someone handed a conversation to another agent or queue, with a reason."""

    event_type: ClassVar[str] = "routing.transferred"

    conversation_id: uuid.UUID
    from_agent_id: uuid.UUID | None
    to_agent_id: uuid.UUID | None
    from_queue_id: uuid.UUID | None
    to_queue_id: uuid.UUID | None
    reason: str
    actor_id: uuid.UUID | None


class PresenceChanged(DomainEvent):
    """An agent's presence changed (by themselves, a supervisor, or auto-away)."""

    event_type: ClassVar[str] = "routing.presence_changed"

    agent_id: uuid.UUID
    from_presence: Presence
    to_presence: Presence
    automatic: bool
