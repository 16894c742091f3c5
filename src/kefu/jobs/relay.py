"""Outbox relay: delivers committed events to subscribers, at least once, each handler once."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kefu.core import clock
from kefu.core.events import EventEnvelope, event_class
from kefu.db.backend import claiming
from kefu.db.outbox import HandledEvent, OutboxEvent
from kefu.jobs.subscriptions import Handler, Subscriptions

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
LEASE = timedelta(seconds=60)
TOGETHER = 25
"""Events one handler processes in one transaction (short, so API writers are not held up long)."""


class OutboxRelay:
    """Reads pending outbox rows in id order and runs each subscriber over them in small transactions.

    A handler takes up to TOGETHER events per transaction; if one of them fails, the chunk is
    rolled back and its events are retried one by one, so only the failing event waits.
    """

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
        if not ids:
            return 0
        failures: dict[int, list[str]] = {}
        for name, (handler, envelopes) in self._pending_work(ids).items():
            for start in range(0, len(envelopes), TOGETHER):
                chunk = envelopes[start : start + TOGETHER]
                if len(chunk) > 1 and self._run_together(name, handler, chunk):
                    continue
                for envelope in chunk:  # alone, so one failing event holds back no other
                    if error := self._run_handler(name, handler, envelope):
                        failures.setdefault(envelope.id, []).append(f"{name}: {error}")
        self._finish(ids, failures)
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
            rows = list(session.scalars(claiming(session, query)))
            for row in rows:
                row.next_attempt_at = now + LEASE
            session.commit()
            return [row.id for row in rows]

    def _pending_work(self, ids: list[int]) -> dict[str, tuple[Handler, list[EventEnvelope]]]:
        """Per handler, the claimed events (in id order) it has not handled yet."""
        with self._session_factory() as session:
            rows = session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.id.in_(ids), OutboxEvent.dispatched_at.is_(None))
                .order_by(OutboxEvent.id)
            )
            done = set(
                session.execute(
                    select(HandledEvent.event_id, HandledEvent.handler).where(HandledEvent.event_id.in_(ids))
                ).tuples()
            )
            work: dict[str, tuple[Handler, list[EventEnvelope]]] = {}
            for row in rows:
                envelope = EventEnvelope(
                    id=row.id,
                    event_type=row.event_type,
                    occurred_at=row.occurred_at,
                    event=event_class(row.event_type).model_validate(row.payload),
                )
                for name, handler in self._subscriptions.handlers_for(row.event_type).items():
                    if (row.id, name) not in done:
                        work.setdefault(name, (handler, []))[1].append(envelope)
            return work

    def _finish(self, ids: list[int], failures: dict[int, list[str]]) -> None:
        """Mark the batch dispatched, except failed events, which wait with backoff (or are abandoned)."""
        with self._session_factory() as session:
            now = clock.now()
            for row in session.scalars(
                select(OutboxEvent).where(OutboxEvent.id.in_(ids), OutboxEvent.dispatched_at.is_(None))
            ):
                if row.id not in failures:
                    row.dispatched_at = now
                    continue
                row.attempts += 1
                row.last_error = "; ".join(failures[row.id])[:4000]
                if row.attempts >= MAX_ATTEMPTS:
                    log.error("event %s abandoned after %s attempts", row.id, row.attempts)
                    row.dispatched_at = now
                else:
                    row.next_attempt_at = now + timedelta(seconds=min(2**row.attempts, 3600))
            session.commit()

    def _run_together(self, name: str, handler: Handler, envelopes: list[EventEnvelope]) -> bool:
        """Run one handler over several events in one transaction; False (nothing kept) if any fails."""
        with self._session_factory() as session:
            try:
                for envelope in envelopes:
                    handler(session, envelope)
                    session.add(HandledEvent(event_id=envelope.id, handler=name, handled_at=clock.now()))
                session.commit()
            except Exception:
                session.rollback()
                log.debug("handler %s failed in a batch; retrying its events one by one", name)
                return False
        return True

    def _run_handler(self, name: str, handler: Handler, envelope: EventEnvelope) -> str | None:
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
