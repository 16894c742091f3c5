"""Reactions of routing to other domains' events: route, follow assignments, free capacity (idempotent)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kefu.accounts.events import AgentDeactivated, AgentUpdated
from kefu.conversations.enums import ActorKind, ConversationStatus, Direction
from kefu.conversations.events import (
    ConversationAssigned,
    ConversationOpened,
    ConversationPriorityChanged,
    ConversationStatusChanged,
    MessageAnalysed,
    MessageSent,
)
from kefu.core import clock
from kefu.core.events import EventEnvelope
from kefu.routing import service
from kefu.routing.enums import QueueReason

DONE = (ConversationStatus.RESOLVED, ConversationStatus.CLOSED)
REASSIGN = "reassign"


def on_conversation_opened(session: Session, envelope: EventEnvelope) -> None:
    """Queue a new conversation by the queue rules and offer it to an agent."""
    event = envelope.event
    if isinstance(event, ConversationOpened) and event.assignee_id is None:
        service.route_conversation(
            session, workspace_id=event.workspace_id, conversation_id=event.conversation_id
        )


def on_message_analysed(session: Session, envelope: EventEnvelope) -> None:
    """A customer message was analysed: a waiting (or unrouted) conversation is matched again."""
    event = envelope.event
    if isinstance(event, MessageAnalysed) and event.direction == Direction.INBOUND:
        service.route_conversation(
            session, workspace_id=event.workspace_id, conversation_id=event.conversation_id
        )


def on_conversation_assigned(session: Session, envelope: EventEnvelope) -> None:
    """An assignment made outside routing is followed (a change of agent counts as a transfer)."""
    event = envelope.event
    if isinstance(event, ConversationAssigned):
        service.record_assignment(
            session,
            workspace_id=event.workspace_id,
            conversation_id=event.conversation_id,
            assignee_id=event.assignee_id,
            previous_assignee_id=event.previous_assignee_id,
        )


def on_priority_changed(session: Session, envelope: EventEnvelope) -> None:
    """A waiting conversation moves in its line."""
    event = envelope.event
    if isinstance(event, ConversationPriorityChanged):
        service.record_priority(
            session,
            workspace_id=event.workspace_id,
            conversation_id=event.conversation_id,
            priority=event.to_priority,
        )


def on_status_changed(session: Session, envelope: EventEnvelope) -> None:
    """Resolved or closed frees the agent's capacity; a reopen puts the conversation back to work."""
    event = envelope.event
    if not isinstance(event, ConversationStatusChanged):
        return
    if event.to_status in DONE:
        service.record_resolution(
            session,
            workspace_id=event.workspace_id,
            conversation_id=event.conversation_id,
            at=clock.as_utc(envelope.occurred_at),
        )
    elif event.from_status in DONE:
        service.record_reopen(session, workspace_id=event.workspace_id, conversation_id=event.conversation_id)


def on_message_sent(session: Session, envelope: EventEnvelope) -> None:
    """The assignee's reply counts as accepting the conversation."""
    event = envelope.event
    if isinstance(event, MessageSent) and event.actor_kind == ActorKind.AGENT and event.actor_id is not None:
        service.record_reply(
            session,
            workspace_id=event.workspace_id,
            conversation_id=event.conversation_id,
            agent_id=event.actor_id,
        )


def on_agent_changed(session: Session, envelope: EventEnvelope) -> None:
    """Keep the level copy of a routing profile; a deactivated agent goes offline (their work re-routed)."""
    event = envelope.event
    if isinstance(event, AgentUpdated):
        service.sync_agent(session, workspace_id=event.workspace_id, agent_id=event.agent_id)
    elif isinstance(event, AgentDeactivated):
        service.sync_agent(session, workspace_id=event.workspace_id, agent_id=event.agent_id, active=False)


def on_sla_escalated(session: Session, envelope: EventEnvelope) -> None:
    """An SLA escalation asking to reassign takes the conversation from its agent to another in its queue.

    Read by its documented payload (`sla.escalated`): sla sits beside routing, not below it.
    """
    payload = envelope.event.model_dump()
    if envelope.event_type == "sla.escalated" and payload.get("action") == REASSIGN:
        service.reroute_conversation(
            session,
            workspace_id=envelope.event.workspace_id,
            conversation_id=payload["conversation_id"],
            reason=QueueReason.ESCALATION,
            note=f"sla_{payload.get('trigger')}",
        )
