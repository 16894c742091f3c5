"""Outbox relay: delivers committed events to subscribers, at least once, each handler once."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kefu.core import clock
from kefu.core.events import EventEnvelope, event_class
from kefu.db.backend import claiming
from kefu.db.outbox import BULK_LANE, HandledEvent, OutboxEvent
from kefu.jobs.subscriptions import Handler, StagedHandler, Subscriber, Subscriptions
from kefu.jobs.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
LEASE = timedelta(seconds=60)
TOGETHER = 25
"""Events one handler processes in one transaction (short, so API writers are not held up long)."""


@dataclass(frozen=True)
class _Failed:
    """The exception a staged handler's read or compute step raised for one event."""

    error: Exception
def share_batch(groups: Sequence[tuple[int, uuid.UUID, int]], batch: int) -> dict[tuple[int, uuid.UUID], int]:
    """How many of a batch's slots each (lane, workspace) with due events gets: live lane first,
    then round-robin between the workspaces of a lane (one each per turn, until they run out).

    `groups` are (lane, workspace, due count); the answer keeps their order and omits empty shares.
    """
    shares: dict[tuple[int, uuid.UUID], int] = {}
    left = batch
    for lane in sorted({lane for lane, _, _ in groups}):
        waiting = {(g_lane, ws): count for g_lane, ws, count in groups if g_lane == lane and count > 0}
        while left > 0 and waiting:
            turn = max(1, left // len(waiting))
            for key in list(waiting):
                take = min(turn, waiting[key], left)
                shares[key] = shares.get(key, 0) + take
                waiting[key] -= take
                left -= take
                if waiting[key] == 0:
                    del waiting[key]
                if left == 0:
                    break
    return shares


def claim_order(session: Session, now: datetime, batch: int) -> list[int]:
    """Ids of the next due events, at most `batch`, shared out by `share_batch`.

    One grouped read of the pending-events index gives each (lane, workspace)'s due count; then
    each group's share is read in id order by the same index, so the cost is bounded by the
    batch and the number of workspaces with work, not by the size of a backlog.
    """
    due = and_(
        OutboxEvent.dispatched_at.is_(None),
        or_(OutboxEvent.next_attempt_at.is_(None), OutboxEvent.next_attempt_at <= now),
    )
    groups = session.execute(
        select(OutboxEvent.lane, OutboxEvent.workspace_id, func.count())
        .where(due)
        .group_by(OutboxEvent.lane, OutboxEvent.workspace_id)
        .order_by(OutboxEvent.lane, func.min(OutboxEvent.id))
    ).tuples().all()
    ids: list[int] = []
    for (lane, workspace_id), share in share_batch(groups, batch).items():
        ids.extend(session.scalars(
            select(OutboxEvent.id)
            .where(due, OutboxEvent.lane == lane, OutboxEvent.workspace_id == workspace_id)
            .order_by(OutboxEvent.id)
            .limit(share)
        ))
    return ids


class OutboxRelay:
    """Reads pending outbox rows in id order and runs each subscriber over them in small transactions.

    A handler takes up to TOGETHER events per transaction; if one of them fails, the chunk is
    rolled back and its events are retried one by one, so only the failing event waits. A
    `StagedHandler` reads its chunk first in a transaction of its own and computes with none
    open; only its writes share the transaction that marks the events handled.
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
        for name, (subscriber, envelopes) in self._pending_work(ids).items():
            for start in range(0, len(envelopes), TOGETHER):
                chunk = envelopes[start : start + TOGETHER]
                handler = self._prepared(subscriber, chunk)
                if len(chunk) > 1 and self._run_together(name, handler, chunk):
                    continue
                for envelope in chunk:  # alone, so one failing event holds back no other
                    if error := self._run_handler(name, handler, envelope):
                        failures.setdefault(envelope.id, []).append(f"{name}: {error}")
        self._finish(ids, failures)
        return len(ids)

    def _claim(self, batch: int) -> list[int]:
        """Lease a batch of due events so that concurrent relays skip them (order: `claim_order`)."""
        now = clock.now()
        with unit_of_work(self._session_factory) as session:
            ids = claim_order(session, now, batch)
            query = select(OutboxEvent).where(OutboxEvent.id.in_(ids), OutboxEvent.dispatched_at.is_(None))
            rows = list(session.scalars(claiming(session, query)))
            for row in rows:
                row.next_attempt_at = now + LEASE
            return sorted(row.id for row in rows)

    def _pending_work(self, ids: list[int]) -> dict[str, tuple[Subscriber, list[EventEnvelope]]]:
        """Per handler, the claimed events (in id order) it has not handled yet."""
        with unit_of_work(self._session_factory) as session:
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
            work: dict[str, tuple[Subscriber, list[EventEnvelope]]] = {}
            for row in rows:
                envelope = EventEnvelope(
                    id=row.id,
                    event_type=row.event_type,
                    occurred_at=row.occurred_at,
                    bulk=row.lane == BULK_LANE,
                    event=event_class(row.event_type).model_validate(row.payload),
                )
                for name, handler in self._subscriptions.handlers_for(row.event_type).items():
                    if (row.id, name) not in done:
                        work.setdefault(name, (handler, []))[1].append(envelope)
            return work

    def _finish(self, ids: list[int], failures: dict[int, list[str]]) -> None:
        """Mark the batch dispatched, except failed events, which wait with backoff (or are abandoned)."""
        with unit_of_work(self._session_factory) as session:
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

    def _prepared(self, subscriber: Subscriber, chunk: list[EventEnvelope]) -> Handler:
        """The handler to run in the marking transaction; a staged one has read and computed already."""
        if not isinstance(subscriber, StagedHandler):
            return subscriber
        inputs = self._read(subscriber, chunk)
        outcomes: dict[int, Any] = {}
        for envelope in chunk:  # no transaction is open here
            given = inputs[envelope.id]
            try:
                outcomes[envelope.id] = given if given is None or isinstance(given, _Failed) else (
                    subscriber.compute(given)
                )
            except Exception as exc:
                outcomes[envelope.id] = _Failed(exc)

        def write(session: Session, envelope: EventEnvelope) -> None:
            outcome = outcomes[envelope.id]
            if isinstance(outcome, _Failed):
                raise outcome.error
            if outcome is not None:
                subscriber.write(session, envelope, outcome)

        return write

    def _read(self, subscriber: StagedHandler, chunk: list[EventEnvelope]) -> dict[int, Any]:
        """The read step for a chunk in one short transaction (event by event if that fails)."""
        try:
            with unit_of_work(self._session_factory) as session:
                return {envelope.id: subscriber.read(session, envelope) for envelope in chunk}
        except Exception as exc:
            if len(chunk) == 1:
                return {chunk[0].id: _Failed(exc)}
        inputs: dict[int, Any] = {}
        for envelope in chunk:
            inputs.update(self._read(subscriber, [envelope]))
        return inputs

    def _run_together(self, name: str, handler: Handler, envelopes: list[EventEnvelope]) -> bool:
        """Run one handler over several events in one transaction; False (nothing kept) if any fails."""
        try:
            with unit_of_work(self._session_factory) as session:
                for envelope in envelopes:
                    handler(session, envelope)
                    session.add(HandledEvent(event_id=envelope.id, handler=name, handled_at=clock.now()))
        except Exception:
            log.debug("handler %s failed in a batch; retrying its events one by one", name)
            return False
        return True

    def _run_handler(self, name: str, handler: Handler, envelope: EventEnvelope) -> str | None:
        """Run one handler and mark it handled in the same transaction; return an error or None."""
        try:
            with unit_of_work(self._session_factory) as session:
                handler(session, envelope)
                session.add(HandledEvent(event_id=envelope.id, handler=name, handled_at=clock.now()))
        except IntegrityError:
            with unit_of_work(self._session_factory) as session:
                if session.get(HandledEvent, (envelope.id, name)) is not None:
                    return None
            log.exception("handler %s failed on event %s", name, envelope.id)
            return "integrity error"
        except Exception as exc:
            log.exception("handler %s failed on event %s", name, envelope.id)
            return type(exc).__name__
        return None
