"""Transactional outbox: events are written in the business transaction, relayed after commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from kefu.core import clock
from kefu.core.events import DomainEvent
from kefu.db.base import Base, BigIntId

AFTER_COMMIT_KEY = "outbox_after_commit"
_PENDING_KEY = "outbox_pending"


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


def publish(session: Session, event_obj: DomainEvent) -> OutboxEvent:
    """Record an event in the current transaction; it is delivered only if the transaction commits."""
    row = OutboxEvent(
        workspace_id=event_obj.workspace_id,
        event_type=event_obj.event_type,
        payload=event_obj.model_dump(mode="json"),
        occurred_at=clock.now(),
    )
    session.add(row)
    session.info[_PENDING_KEY] = True  # a rollback leaves it set: at worst one idle relay pass
    return row


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the events wait for the outer commit
    if session.info.pop(_PENDING_KEY, False):
        hook: Callable[[], None] | None = session.info.get(AFTER_COMMIT_KEY)
        if hook is not None:
            hook()

