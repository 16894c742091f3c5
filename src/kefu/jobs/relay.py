"""Outbox relay: delivers committed events to subscribers, at least once, each handler once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kefu.core import clock
from kefu.core.events import EventEnvelope, event_class
from kefu.db.outbox import HandledEvent, OutboxEvent
from kefu.jobs.subscriptions import Subscriptions

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
LEASE = timedelta(seconds=60)


class OutboxRelay:
    """Reads pending outbox rows in id order and runs each subscriber in its own transaction."""

    def __init__(
        self, session_factory: sessionmaker[Session], subscriptions: Subscriptions
    ) -> None:
        self._session_factory = session_factory
        self._subscriptions = subscriptions
        self._local = threading.local()

    def drain(self, *, batch: int = 200) -> int:
        """Deliver everything pending now; re-entrant calls from handlers just ask for another pass."""
        if getattr(self._local, "running", False):
            self._local.again = True
            return 0
        self._local.running = True
        delivered = 0
        try:
            while True:
                self._local.again = False
                count = self._deliver_batch(batch)
                delivered += count
                if count < batch and not self._local.again:
                    return delivered
        finally:
            self._local.running = False

    def _deliver_batch(self, batch: int) -> int:
        ids = self._claim(batch)
        for event_id in ids:
            self._deliver_one(event_id)
        return len(ids)

    def _claim(self, batch: int) -> list[int]:
        """Lease a batch of due events so that concurrent relays skip them."""
        now = clock.now()
        with self._session_factory() as session:
            query = (
                select(OutboxEvent)
                .where(OutboxEvent.dispatched_at.is_(None))
                .where(or_(OutboxEvent.next_attempt_at.is_(None), OutboxEvent.next_attempt_at <= now))
                .order_by(OutboxEvent.id)
                .limit(batch)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(session.scalars(query))
            for row in rows:
                row.next_attempt_at = now + LEASE
            session.commit()
            return [row.id for row in rows]

    def _deliver_one(self, event_id: int) -> None:
        with self._session_factory() as session:
            row = session.get(OutboxEvent, event_id)
            if row is None or row.dispatched_at is not None:
                return
            envelope = EventEnvelope(
                id=row.id,
                event_type=row.event_type,
                occurred_at=row.occurred_at,
                event=event_class(row.event_type).model_validate(row.payload),
            )
            done = set(
                session.scalars(select(HandledEvent.handler).where(HandledEvent.event_id == row.id))
            )
            handlers = self._subscriptions.handlers_for(row.event_type)
        failures = [
            f"{name}: {error}"
            for name, handler in handlers.items()
            if name not in done and (error := self._run_handler(name, handler, envelope))
        ]
        with self._session_factory() as session:
            row = session.get(OutboxEvent, event_id)
            if row is None:
                return
            now = clock.now()
            if failures:
                row.attempts += 1
                row.last_error = "; ".join(failures)[:4000]
                if row.attempts >= MAX_ATTEMPTS:
                    log.error("event %s abandoned after %s attempts", row.id, row.attempts)
                    row.dispatched_at = now
                else:
                    row.next_attempt_at = now + timedelta(seconds=min(2**row.attempts, 3600))
            else:
                row.dispatched_at = now
            session.commit()

    def _run_handler(
        self, name: str, handler: Callable[[Session, EventEnvelope], None], envelope: EventEnvelope
    ) -> str | None:
        """Run one handler and mark it handled in the same transaction; return an error or None."""
        with self._session_factory() as session:
            try:
                handler(session, envelope)
                session.add(HandledEvent(event_id=envelope.id, handler=name, handled_at=clock.now()))
                session.commit()
            except IntegrityError:
                session.rollback()
                if session.get(HandledEvent, (envelope.id, name)) is not None:
                    return None
                log.exception("handler %s failed on event %s", name, envelope.id)
                return "integrity error"
            except Exception as exc:
                session.rollback()
                log.exception("handler %s failed on event %s", name, envelope.id)
                return type(exc).__name__
        return None
