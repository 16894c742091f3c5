"""Test helper: the domain events a block of test code published, read back from the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from kefu.db.outbox import OutboxEvent
from kefu.wiring import Container


@dataclass(frozen=True)
class Captured:
    """One event as stored in the outbox: its type and JSON payload."""

    event_type: str
    payload: dict[str, Any]


@contextmanager
def capture_events(
    container: Container, n: int | None = None, *, of_type: str | None = None
) -> Iterator[list[Captured]]:
    """Collect the events committed inside the block (optionally of one type); assert there are `n`.

    The list is filled when the block ends, in publication order:
    `with capture_events(container, 1, of_type="conversation.opened") as events: api.post(...)`.
    """
    with container.session_factory() as session:
        start = session.scalar(select(func.max(OutboxEvent.id))) or 0
    captured: list[Captured] = []
    yield captured
    query = select(OutboxEvent.event_type, OutboxEvent.payload).where(OutboxEvent.id > start)
    if of_type is not None:
        query = query.where(OutboxEvent.event_type == of_type)
    with container.session_factory() as session:
        rows = session.execute(query.order_by(OutboxEvent.id))
        captured.extend(Captured(row.event_type, row.payload) for row in rows)
    if n is not None:
        assert len(captured) == n, [event.event_type for event in captured]
