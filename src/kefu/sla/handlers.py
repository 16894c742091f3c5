"""Reactions of the sla domain: conversation events (apply, recompute, pause, met) and its own escalations."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kefu.conversations.enums import ActorKind
from kefu.conversations.events import (
    ConversationOpened,
    ConversationPriorityChanged,
    ConversationResolved,
    ConversationStatusChanged,
    MessageReceived,
    MessageSent,
)
from kefu.core import clock
from kefu.core.events import EventEnvelope
from kefu.sla import service
from kefu.sla.enums import EscalationTrigger
from kefu.sla.events import SlaBreached, SlaWarning


def on_conversation_opened(session: Session, envelope: EventEnvelope) -> None:
    """Apply the first matching SLA policy and start the first-response and resolution clocks."""
    event = envelope.event
    if isinstance(event, ConversationOpened):
        service.apply_sla(session, workspace_id=event.workspace_id, conversation_id=event.conversation_id)


def on_message_received(session: Session, envelope: EventEnvelope) -> None:
    """A customer message after an agent reply starts a next-response cycle (a rerun finds it started)."""
    event = envelope.event
    if isinstance(event, MessageReceived):
        service.record_customer_message(
            session,
            workspace_id=event.workspace_id,
            conversation_id=event.conversation_id,
            at=clock.as_utc(envelope.occurred_at),
        )


def on_message_sent(session: Session, envelope: EventEnvelope) -> None:
    """An agent reply meets first / next response and restarts periodic update (bot replies do not count)."""
    event = envelope.event
    if isinstance(event, MessageSent) and event.actor_kind == ActorKind.AGENT:
        service.record_agent_reply(
            session,
            workspace_id=event.workspace_id,
            conversation_id=event.conversation_id,
            at=clock.as_utc(envelope.occurred_at),
        )


def on_priority_changed(session: Session, envelope: EventEnvelope) -> None:
    """Choose the policy again and recompute the deadlines for the new priority."""
    event = envelope.event
    if isinstance(event, ConversationPriorityChanged):
        service.change_priority(
            session, workspace_id=event.workspace_id, conversation_id=event.conversation_id
        )


def on_status_changed(session: Session, envelope: EventEnvelope) -> None:
    """Pause or resume the clocks (pending / snoozed per policy), close on resolve, restart on reopen."""
    event = envelope.event
    if isinstance(event, ConversationStatusChanged):
        service.change_status(
            session,
            workspace_id=event.workspace_id,
            conversation_id=event.conversation_id,
            status=event.to_status,
            at=clock.as_utc(envelope.occurred_at),
        )


def on_conversation_resolved(session: Session, envelope: EventEnvelope) -> None:
    """Resolution is met; every other running target stops."""
    event = envelope.event
    if isinstance(event, ConversationResolved):
        service.resolve(
            session,
            workspace_id=event.workspace_id,
            conversation_id=event.conversation_id,
            at=clock.as_utc(event.resolved_at),
        )


def on_target_raised(session: Session, envelope: EventEnvelope) -> None:
    """A warning or breach was raised: run the policy's escalation levels for it."""
    event = envelope.event
    if isinstance(event, SlaWarning | SlaBreached):
        service.escalate(
            session,
            workspace_id=event.workspace_id,
            conversation_id=event.conversation_id,
            target_id=event.target_id,
            policy_id=event.policy_id,
            metric=event.metric,
            cycle=event.cycle,
            due_at=event.due_at,
            trigger=EscalationTrigger.WARNING if isinstance(event, SlaWarning) else EscalationTrigger.BREACH,
        )
