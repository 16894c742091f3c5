"""Reaction to every event: record what each subscribed endpoint is owed and queue the sending."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import event
from sqlalchemy.orm import Session

from kefu.core.events import EventEnvelope
from kefu.webhooks import service
from kefu.webhooks.tasks import DELIVER_JOB, Enqueue

log = logging.getLogger(__name__)

_PENDING_KEY = "webhooks_pending_deliveries"
_LISTENING_KEY = "webhooks_listening"
LIVE_PRIORITY = 10
BULK_PRIORITY = 0
"""Job priorities: deliveries of live events jump the queue ahead of bulk-loaded history's."""


class EventFanout:
    """Catch-all subscriber (`*`): one delivery per matching active endpoint, jobs queued after commit."""

    def __init__(self, enqueue: Enqueue) -> None:
        self._enqueue = enqueue

    def on_any_event(self, session: Session, envelope: EventEnvelope) -> None:
        """Create the event's deliveries (idempotent per event and endpoint); enqueue once committed."""
        created = service.create_event_deliveries(session, envelope=envelope)
        if not created:
            return
        if not session.info.get(_LISTENING_KEY):
            session.info[_LISTENING_KEY] = True
            event.listen(session, "after_commit", self._after_commit)
            event.listen(session, "after_rollback", self._after_rollback)
        pending: list[tuple[uuid.UUID, int]] = session.info.setdefault(_PENDING_KEY, [])
        priority = BULK_PRIORITY if envelope.bulk else LIVE_PRIORITY
        pending.extend((delivery_id, priority) for delivery_id in created)

    def _after_commit(self, session: Session) -> None:
        """Enqueue the deliveries of the committed transaction (a released savepoint waits)."""
        if session.in_nested_transaction():
            return
        for delivery_id, priority in session.info.pop(_PENDING_KEY, None) or []:
            try:
                self._enqueue(DELIVER_JOB, str(delivery_id), priority=priority)
            except Exception:
                log.warning("could not enqueue delivery %s; the minute sweep will", delivery_id)

    def _after_rollback(self, session: Session) -> None:
        """Rolled-back deliveries were never stored: forget them."""
        if not session.in_nested_transaction():
            session.info.pop(_PENDING_KEY, None)
