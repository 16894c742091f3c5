"""Events the automation domain publishes (past tense, delivered after commit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from kefu.core.events import DomainEvent


class RuleFired(DomainEvent):
    """A rule's conditions held for a conversation and its actions ran."""

    event_type: ClassVar[str] = "automation.rule_fired"

    rule_id: uuid.UUID
    conversation_id: uuid.UUID
    trigger: str
    event_id: int
    actions: list[str]


class ConversationEscalated(DomainEvent):
    """A rule escalated a conversation (priority raised, team changed, supervisors told)."""

    event_type: ClassVar[str] = "automation.escalated"

    conversation_id: uuid.UUID
    rule_id: uuid.UUID
    reason: str
    priority: str
    team_id: uuid.UUID | None


class WebhookRequested(DomainEvent):
    """A rule asked for a conversation's facts to be POSTed to a URL (done by a job after commit)."""

    event_type: ClassVar[str] = "automation.webhook_requested"

    rule_id: uuid.UUID
    conversation_id: uuid.UUID
    url: str
    facts: dict[str, Any]


class NotificationCreated(DomainEvent):
    """An agent has a new notification."""

    event_type: ClassVar[str] = "notification.created"

    notification_id: uuid.UUID
    agent_id: uuid.UUID
    conversation_id: uuid.UUID | None
    kind: str


class TaskCreated(DomainEvent):
    """A follow-up task was created."""

    event_type: ClassVar[str] = "task.created"

    task_id: uuid.UUID
    conversation_id: uuid.UUID
    assignee_id: uuid.UUID | None
    due_at: datetime
    source: str


class TaskCompleted(DomainEvent):
    """A follow-up task was marked done or cancelled."""

    event_type: ClassVar[str] = "task.completed"

    task_id: uuid.UUID
    conversation_id: uuid.UUID
    status: str


class HandoffCreated(DomainEvent):
    """A conversation or sub-task was handed to a department team."""

    event_type: ClassVar[str] = "handoff.created"

    handoff_id: uuid.UUID
    conversation_id: uuid.UUID
    team_id: uuid.UUID
    scope: str
    due_at: datetime
    paused_customer_sla: bool


class HandoffAnswered(DomainEvent):
    """The department answered a hand-off; the owning agent was notified."""

    event_type: ClassVar[str] = "handoff.answered"

    handoff_id: uuid.UUID
    conversation_id: uuid.UUID
    team_id: uuid.UUID
    answered_by: uuid.UUID | None
    on_time: bool


class HandoffOverdue(DomainEvent):
    """A hand-off passed its deadline unanswered and was escalated (once)."""

    event_type: ClassVar[str] = "handoff.overdue"

    handoff_id: uuid.UUID
    conversation_id: uuid.UUID
    team_id: uuid.UUID
    due_at: datetime
