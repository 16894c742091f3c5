"""Transactional outbox: events are written in the business transaction, relayed after commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Table, Text, delete, event, select
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from kefu.core import clock
from kefu.core.events import DomainEvent
from kefu.db.base import Base, BigIntId
from kefu.db.group_commit import when_committed
from kefu.db.rows import insert_rows

AFTER_COMMIT_KEY = "outbox_after_commit"
_PENDING_KEY = "outbox_pending"
_WRITTEN_KEY = "outbox_written"


class OutboxEvent(Base):
    """One published domain event awaiting (or done with) delivery to its subscribers."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_pending", "dispatched_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    event_type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


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


def publish_many(session: Session, events: Iterable[DomainEvent]) -> None:
    """Record several events in the current transaction (see `publish`)."""
    scope = session.get_nested_transaction() or session.get_transaction() or session.begin()
    now = clock.now()
    session.info.setdefault(_PENDING_KEY, []).extend(
        (scope, {"workspace_id": e.workspace_id, "event_type": e.event_type,
                 "payload": e.model_dump(mode="json"), "occurred_at": now, "attempts": 0})
        for e in events
    )


def note_written(session: Session) -> None:
    """Events were inserted by a set-based statement in this transaction: wake the relay after commit."""
    session.info[_WRITTEN_KEY] = True


def _pending(session: Session) -> list[tuple[SessionTransaction, dict[str, Any]]]:
    pending: list[tuple[SessionTransaction, dict[str, Any]]] = session.info.get(_PENDING_KEY, [])
    return pending


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    if session.in_nested_transaction() or not (pending := _pending(session)):
        return  # a savepoint's events wait for the outer commit
    insert_rows(session, _OUTBOX, [row for _, row in pending])
    pending.clear()
    session.info[_WRITTEN_KEY] = True


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    boundary: SessionTransaction | None = previous  # a failed flush rolls back its enclosing savepoint
    while boundary is not None and not boundary.nested:
        boundary = boundary.parent
    if boundary is not None:
        session.info[_PENDING_KEY] = [
            (scope, row) for scope, row in _pending(session) if not _inside(scope, boundary)
        ]


@event.listens_for(Session, "after_transaction_end")
def _forget_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # after commit, rollback or close, nothing stays pending
        session.info.pop(_PENDING_KEY, None)
        session.info.pop(_WRITTEN_KEY, None)


def _inside(scope: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while scope is not None:
        if scope is ancestor:
            return True
        scope = scope.parent
    return False


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the events wait for the outer commit
    if session.info.pop(_WRITTEN_KEY, False):
        hook: Callable[[], None] | None = session.info.get(AFTER_COMMIT_KEY)
        if hook is not None:
            when_committed(session, hook)


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
