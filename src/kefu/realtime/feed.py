"""The outbox subscriber that turns conversation events into `conversation.updated` pushes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kefu.core.events import EventEnvelope
from kefu.realtime.hub import LocalHub, RedisHub

Describe = Callable[[Session, uuid.UUID, uuid.UUID], dict[str, Any] | None]
"""(session, workspace_id, conversation_id) -> the fields a list row shows, or None when gone."""

UPDATED = "conversation.updated"


@dataclass
class RealtimeFeed:
    """Publishes the current row of a changed conversation to its workspace's sockets."""

    hub: LocalHub | RedisHub
    describe: Describe

    def message(self, session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID,
                event_id: int, cause: str) -> dict[str, Any] | None:
        """The push for one conversation as it is now, or None when it no longer exists."""
        row = self.describe(session, workspace_id, conversation_id)
        if row is None:
            return None
        return {"type": UPDATED, "event_id": event_id, "cause": cause, "conversation": row}

    def on_event(self, session: Session, envelope: EventEnvelope) -> None:
        """Outbox handler: push the conversation the event is about (at least once, idempotent)."""
        event = envelope.event
        conversation_id = getattr(event, "conversation_id", None)
        if conversation_id is None:
            return
        message = self.message(session, event.workspace_id, conversation_id, envelope.id, envelope.event_type)
        if message is not None:
            self.hub.publish(event.workspace_id, message)
