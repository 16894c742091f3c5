"""Reactions of quality inspection to other domains' events (idempotent)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kefu.conversations.events import ConversationResolved
from kefu.core.events import EventEnvelope
from kefu.qa import service
from kefu.qa.schemas import DeadlineSource


class Inspection:
    """Automatic inspection on resolve, with the applied SLA's deadlines for the timing checks."""

    def __init__(self, deadlines: DeadlineSource | None = None) -> None:
        self._deadlines = deadlines

    def on_conversation_resolved(self, session: Session, envelope: EventEnvelope) -> None:
        """Inspect a conversation when it is resolved (a rerun finds the evaluation and adds nothing)."""
        event = envelope.event
        if isinstance(event, ConversationResolved):
            service.evaluate_conversation(
                session,
                workspace_id=event.workspace_id,
                conversation_id=event.conversation_id,
                deadlines=self._deadlines,
            )
