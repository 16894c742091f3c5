"""Reactions of the channels domain to other domains' events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from kefu.channels import service
from kefu.channels.tasks import SEND_JOB
from kefu.core.events import EventEnvelope
from kefu.db.commit_hooks import after_commit


class OutboundRelay:
    """Subscriber to `message.sent`: owe the reply to its inbox's channel and send it after commit.

    The event is read by its documented payload (conversation_id, message_id, inbox_id, text), so
    channels does not import the conversations domain above it.
    """

    def __init__(self, enqueue: Callable[..., Any]) -> None:
        self._enqueue = enqueue

    def on_message_sent(self, session: Session, envelope: EventEnvelope) -> None:
        """Create the delivery (once per message) and queue its sending once committed."""
        data = envelope.event.model_dump()
        inbox_id = data.get("inbox_id")
        delivery_id = service.create_delivery(
            session,
            workspace_id=data["workspace_id"],
            inbox_id=uuid.UUID(str(inbox_id)) if inbox_id else None,
            conversation_id=data["conversation_id"],
            message_id=data["message_id"],
            text=data.get("text") or "",
        )
        if delivery_id is not None:
            after_commit(session, lambda: self._enqueue(SEND_JOB, str(delivery_id)))
