"""Events the sla domain publishes (past tense, delivered after commit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from kefu.core.events import DomainEvent
from kefu.sla.enums import EscalationAction, EscalationTrigger, Metric


class _TargetEvent(DomainEvent):
    """Something happened to one applied SLA target of a conversation."""

    conversation_id: uuid.UUID
    target_id: uuid.UUID
    policy_id: uuid.UUID | None
    metric: Metric
    cycle: int
    due_at: datetime


class SlaWarning(_TargetEvent):
    """A target reached its policy's warning share (default 80 %) without being met; raised once."""

    event_type: ClassVar[str] = "sla.warning"

    warn_at: datetime


class SlaBreached(_TargetEvent):
    """A target's deadline passed without being met; raised once."""

    event_type: ClassVar[str] = "sla.breached"

    breached_at: datetime


class SlaEscalated(_TargetEvent):
    """An escalation level of the policy fired for a warning or breach: one event per action.

    `recipient_ids` are whom a notify action addresses (assignee; the team's supervisors, or all
    supervisors; the admins); routing reacts to `reassign`, sla itself raises the priority.
    """

    event_type: ClassVar[str] = "sla.escalated"

    trigger: EscalationTrigger
    level: int
    action: EscalationAction
    recipient_ids: list[uuid.UUID]
