"""Transactional outbox: events are written in the business transaction, relayed after commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Index, SmallInteger, String, Table, Text, delete, event, select
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from kefu.core import clock
from kefu.core.events import DomainEvent
from kefu.db.base import Base, BigIntId
from kefu.db.commit_hooks import after_commit, inside, rolled_back_savepoint
from kefu.db.rows import insert_rows

AFTER_COMMIT_KEY = "outbox_after_commit"
"""Session-info key of the callback (the relay's wake-up) run after a commit that wrote events."""
REACTIONS_KEY = "outbox_reactions"
"""Session info key: event type -> a `Reaction` called in process as such an event is published."""
_PENDING_KEY = "outbox_pending"
_LANE_KEY = "outbox_lane"
LIVE_LANE = 0
"""Events of live work (a message arrives, an agent replies): relayed first."""
BULK_LANE = 1
"""Events of bulk-loaded history (imports, demo data): relayed when no live event waits."""


class OutboxEvent(Base):
    """One published domain event awaiting (or done with) delivery to its subscribers."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_pending", "dispatched_at", "next_attempt_at"),
        Index("ix_outbox_events_lane", "dispatched_at", "lane", "workspace_id", "id", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    event_type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    lane: Mapped[int] = mapped_column(SmallInteger, default=LIVE_LANE, server_default="0")


class HandledEvent(Base):
    """Marks that one subscriber has handled one event, so redelivery is a no-op."""

    __tablename__ = "outbox_handled"

    event_id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    handler: Mapped[str] = mapped_column(String(200), primary_key=True)
    handled_at: Mapped[datetime]


_OUTBOX: Table = OutboxEvent.__table__  # type: ignore[assignment]
PRUNE_BATCH = 5_000
"""Events deleted per call of `prune_dispatched` (one short transaction each)."""


def publish(session: Session, event_obj: DomainEvent) -> None:
    """Record an event in the current transaction; it is delivered only if the transaction commits.

    Events wait in the session until the outermost commit writes them in one batch; an event
    published inside a savepoint that rolls back is dropped with it.
    """
    publish_many(session, [event_obj])


Reaction = Callable[[Session, DomainEvent], None]
"""What the composition root (`wiring.py`) does in process, in the publishing transaction, on an event:
bounded, no I/O; work that must wait for the commit goes through `db.commit_hooks.after_commit`."""


def publish_many(session: Session, events: Iterable[DomainEvent]) -> None:
    """Record several events in the current transaction (see `publish`); run their sessions' reactions."""
    scope = session.get_nested_transaction() or session.get_transaction() or session.begin()
    now = clock.now()
    lane = session.info.get(_LANE_KEY, LIVE_LANE)
    reactions: dict[str, Reaction] | None = session.info.get(REACTIONS_KEY)
    if reactions:
        events = list(events)
        for published in events:
            react = reactions.get(published.event_type)
            if react is not None:
                react(session, published)
    session.info.setdefault(_PENDING_KEY, []).extend(
        (scope, {"workspace_id": e.workspace_id, "event_type": e.event_type,
                 "payload": e.model_dump(mode="json"), "occurred_at": now, "attempts": 0, "lane": lane})
        for e in events
    )


@contextmanager
def bulk_history(session: Session) -> Iterator[None]:
    """Publish the block's events in the bulk lane: history being loaded must not delay live work."""
    previous = session.info.get(_LANE_KEY, LIVE_LANE)
    session.info[_LANE_KEY] = BULK_LANE
    try:
        yield
    finally:
        session.info[_LANE_KEY] = previous


def note_written(session: Session) -> None:
    """Events were inserted by a set-based statement in this transaction: wake the relay after commit."""
    hook: Callable[[], None] | None = session.info.get(AFTER_COMMIT_KEY)
    if hook is not None:
        after_commit(session, hook)


def _pending(session: Session) -> list[tuple[SessionTransaction, dict[str, Any]]]:
    pending: list[tuple[SessionTransaction, dict[str, Any]]] = session.info.get(_PENDING_KEY, [])
    return pending


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    if session.in_nested_transaction() or not (pending := _pending(session)):
        return  # a savepoint's events wait for the outer commit
    insert_rows(session, _OUTBOX, [row for _, row in pending])
    pending.clear()
    hook: Callable[[], None] | None = session.info.get(AFTER_COMMIT_KEY)
    if hook is not None:
        after_commit(session, hook)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    boundary = rolled_back_savepoint(previous)
    if boundary is not None:
        session.info[_PENDING_KEY] = [
            (scope, row) for scope, row in _pending(session) if not inside(scope, boundary)
        ]


@event.listens_for(Session, "after_transaction_end")
def _forget_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # after commit, rollback or close, nothing stays pending
        session.info.pop(_PENDING_KEY, None)


def prune_dispatched(session: Session, *, before: datetime) -> int:
    """Delete up to PRUNE_BATCH events dispatched before `before`, with their handled marks."""
    ids = list(
        session.scalars(
            select(OutboxEvent.id)
            .where(OutboxEvent.dispatched_at < before)
            .order_by(OutboxEvent.id)
            .limit(PRUNE_BATCH)
        )
    )
    if ids:
        session.execute(delete(HandledEvent).where(HandledEvent.event_id.in_(ids)))
        session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(ids)))
    return len(ids)
