"""Reactions of quality inspection to other domains' events (idempotent)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kefu.conversations.events import ConversationResolved
from kefu.core.events import EventEnvelope
from kefu.qa import service


def on_conversation_resolved(session: Session, envelope: EventEnvelope) -> None:
    """Inspect a conversation when it is resolved (a rerun finds the evaluation and adds nothing)."""
    event = envelope.event
    if isinstance(event, ConversationResolved):
        service.evaluate_conversation(
            session, workspace_id=event.workspace_id, conversation_id=event.conversation_id
        )
