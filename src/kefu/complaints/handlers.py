"""Reactions of the complaints domain: ledger on complaint marks, escalations noted, follow-up on resolve."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kefu.automation.events import ConversationEscalated
from kefu.complaints import service
from kefu.conversations.events import ConversationComplaintMarked, ConversationResolved
from kefu.core.events import EventEnvelope


def on_complaint_marked(session: Session, envelope: EventEnvelope) -> None:
    """Record (and screen) a complaint in the ledger, or clear it (flags for review only)."""
    event = envelope.event
    if isinstance(event, ConversationComplaintMarked):
        service.record_complaint(
            session, workspace_id=event.workspace_id, conversation_id=event.conversation_id
        )


def on_escalated(session: Session, envelope: EventEnvelope) -> None:
    """Note an escalation and its reason on the complaint."""
    event = envelope.event
    if isinstance(event, ConversationEscalated):
        service.mark_escalated(
            session,
            workspace_id=event.workspace_id,
            conversation_id=event.conversation_id,
            reason=event.reason,
        )


def on_conversation_resolved(session: Session, envelope: EventEnvelope) -> None:
    """Schedule the complaint's follow-up task 24 h after resolution, for the resolving agent."""
    event = envelope.event
    if isinstance(event, ConversationResolved):
        service.schedule_follow_up(
            session,
            workspace_id=event.workspace_id,
            conversation_id=event.conversation_id,
            resolved_at=event.resolved_at,
            actor_kind=event.actor_kind,
            actor_id=event.actor_id,
        )
