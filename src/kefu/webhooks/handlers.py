"""Reaction to every event: record what each subscribed endpoint is owed and queue the sending."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.orm import Session

from kefu.core.events import EventEnvelope
from kefu.db.commit_hooks import after_commit
from kefu.webhooks import service
from kefu.webhooks.tasks import DELIVER_JOB, Enqueue

log = logging.getLogger(__name__)

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
        if created:
            priority = BULK_PRIORITY if envelope.bulk else LIVE_PRIORITY
            after_commit(session, lambda: self._enqueue_all(created, priority))

    def _enqueue_all(self, delivery_ids: list[uuid.UUID], priority: int) -> None:
        """Queue the committed deliveries; one that cannot be queued waits for the minute sweep."""
        for delivery_id in delivery_ids:
            try:
                self._enqueue(DELIVER_JOB, str(delivery_id), priority=priority)
            except Exception:
                log.warning("could not enqueue delivery %s; the minute sweep will", delivery_id)
