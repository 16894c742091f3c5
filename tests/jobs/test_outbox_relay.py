"""The outbox delivers committed events after commit, at least once, each handler's effect once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import ClassVar

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.core.clock import FrozenClock
from kefu.core.clock import now as clock_now
from kefu.core.events import DomainEvent, EventEnvelope
from kefu.db.outbox import HandledEvent, OutboxEvent, publish
from kefu.jobs.retention import prune_outbox_job
from kefu.wiring import Container
from tests.conftest import Tenant


class Pinged(DomainEvent):
    """Test-only event."""

    event_type: ClassVar[str] = "test.pinged"
    note: str


def _pinged(session: Session) -> OutboxEvent:
    return session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == Pinged.event_type)).one()


def _handled_by_tests(session: Session, event_id: int) -> int:
    query = select(func.count()).where(
        HandledEvent.event_id == event_id, HandledEvent.handler.like("tests.%")
    )
    return session.scalar(query) or 0


def test_event_is_delivered_after_commit_only(container: Container, tenant: Tenant) -> None:
    seen: list[str] = []

    def handler(_session: Session, envelope: EventEnvelope) -> None:
        assert isinstance(envelope.event, Pinged)
        seen.append(envelope.event.note)

    container.subscriptions.subscribe(Pinged, handler)
    with container.session_factory() as session:
        publish(session, Pinged(workspace_id=tenant.workspace_id, note="rolled back"))
        session.rollback()
        publish(session, Pinged(workspace_id=tenant.workspace_id, note="committed"))
        assert seen == []
        session.commit()
    assert seen == ["committed"]
    with container.session_factory() as session:
        row = _pinged(session)
        assert row.dispatched_at is not None


def test_failing_handler_is_retried_with_backoff_without_repeating_others(
    container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    calls = {"good": 0, "flaky": 0}

    def good(_session: Session, _envelope: EventEnvelope) -> None:
        calls["good"] += 1

    def flaky(_session: Session, _envelope: EventEnvelope) -> None:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise RuntimeError("downstream unavailable")

    container.subscriptions.subscribe(Pinged, good)
    container.subscriptions.subscribe(Pinged, flaky)
    with container.session_factory() as session:
        publish(session, Pinged(workspace_id=tenant.workspace_id, note="x"))
        session.commit()
    assert calls == {"good": 1, "flaky": 1}
    with container.session_factory() as session:
        row = _pinged(session)
        assert row.dispatched_at is None and row.attempts == 1
        assert "RuntimeError" in (row.last_error or "")

    assert container.runtime.relay.drain() == 0  # not due yet
    clock.advance(seconds=3)
    container.runtime.relay.drain()
    assert calls == {"good": 1, "flaky": 2}
    with container.session_factory() as session:
        row = _pinged(session)
        assert row.dispatched_at is not None
        assert _handled_by_tests(session, row.id) == 2


def test_handler_effects_and_new_events_commit_together(
    container: Container, tenant: Tenant
) -> None:
    chain: list[str] = []

    def first(session: Session, envelope: EventEnvelope) -> None:
        assert isinstance(envelope.event, Pinged)
        if envelope.event.note == "start":
            publish(session, Pinged(workspace_id=envelope.event.workspace_id, note="next"))
        chain.append(envelope.event.note)

    container.subscriptions.subscribe(Pinged, first)
    with container.session_factory() as session:
        publish(session, Pinged(workspace_id=tenant.workspace_id, note="start"))
        session.commit()
    assert chain == ["start", "next"]


def test_redelivery_of_a_handled_event_is_a_no_op(container: Container, tenant: Tenant) -> None:
    calls: list[uuid.UUID] = []
    container.subscriptions.subscribe(Pinged, lambda _s, e: calls.append(e.event.workspace_id))
    with container.session_factory() as session:
        publish(session, Pinged(workspace_id=tenant.workspace_id, note="once"))
        session.commit()
    with container.session_factory() as session:
        row = _pinged(session)
        row.dispatched_at = None  # as if the relay crashed before marking it
        row.next_attempt_at = None
        session.commit()
    container.runtime.relay.drain()
    assert len(calls) == 1


def _notes(container: Container) -> list[str]:
    with container.session_factory() as session:
        rows = session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == Pinged.event_type).order_by(OutboxEvent.id)
        )
        return [row.payload["note"] for row in rows]


def test_events_of_a_rolled_back_savepoint_are_dropped_and_the_rest_kept_in_order(
    container: Container, tenant: Tenant
) -> None:
    def ping(session: Session, note: str) -> None:
        publish(session, Pinged(workspace_id=tenant.workspace_id, note=note))

    with container.session_factory() as session:
        ping(session, "before")
        with session.begin_nested():
            ping(session, "released savepoint")
        try:
            with session.begin_nested():
                ping(session, "rolled back savepoint")
                with session.begin_nested():
                    ping(session, "inside the rolled back one")
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        ping(session, "after")
        assert _notes(container) == []  # nothing is written before the commit
        session.commit()
    assert _notes(container) == ["before", "released savepoint", "after"]


def test_events_of_a_savepoint_whose_flush_failed_are_dropped(container: Container, tenant: Tenant) -> None:
    with container.session_factory() as session:
        session.add(HandledEvent(event_id=1, handler="tests.once", handled_at=clock_now()))
        session.commit()
        session.expunge_all()
        with pytest.raises(IntegrityError), session.begin_nested():  # the failed flush undoes the savepoint
            publish(session, Pinged(workspace_id=tenant.workspace_id, note="lost with the savepoint"))
            session.add(HandledEvent(event_id=1, handler="tests.once", handled_at=clock_now()))
            session.flush()
        publish(session, Pinged(workspace_id=tenant.workspace_id, note="kept"))
        session.commit()
    assert _notes(container) == ["kept"]


def test_a_failing_event_in_a_batch_holds_back_only_itself(container: Container, tenant: Tenant) -> None:
    kept: list[str] = []

    def picky(session: Session, envelope: EventEnvelope) -> None:
        assert isinstance(envelope.event, Pinged)
        if envelope.event.note == "bad":
            raise RuntimeError("cannot handle this one")
        session.info.setdefault("notes", []).append(envelope.event.note)
        event.listen(session, "after_commit", lambda s: kept.extend(s.info.pop("notes", [])))

    container.subscriptions.subscribe(Pinged, picky)
    with container.session_factory() as session:  # one commit: the relay gets all five in one batch
        for note in ("one", "two", "bad", "four", "five"):
            publish(session, Pinged(workspace_id=tenant.workspace_id, note=note))
        session.commit()
    assert sorted(kept) == ["five", "four", "one", "two"]  # each committed once, the batch's rollback undone
    with container.session_factory() as session:
        rows = session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == Pinged.event_type).order_by(OutboxEvent.id)
        ).all()
        assert [(row.payload["note"], row.dispatched_at is not None, row.attempts) for row in rows] == [
            ("one", True, 0), ("two", True, 0), ("bad", False, 1), ("four", True, 0), ("five", True, 0)
        ]
        assert all(_handled_by_tests(session, row.id) == (row.payload["note"] != "bad") for row in rows)


def test_dispatched_events_are_pruned_after_the_retention(
    container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    container.subscriptions.subscribe(Pinged, lambda _session, _envelope: None)
    with container.session_factory() as session:
        publish(session, Pinged(workspace_id=tenant.workspace_id, note="old"))
        session.commit()
    clock.advance(seconds=6 * 24 * 3600)
    with container.session_factory() as session:
        publish(session, Pinged(workspace_id=tenant.workspace_id, note="recent"))
        session.commit()
    with container.session_factory() as session:  # the old ping and the tenant's set-up events
        cutoff = clock.now() - timedelta(days=5)
        old = session.scalar(select(func.count()).where(OutboxEvent.occurred_at < cutoff))
    prune = prune_outbox_job(container.session_factory, timedelta(days=5))
    assert prune() == old >= 1
    assert _notes(container) == ["recent"]
    with container.session_factory() as session:
        handled = session.scalars(select(HandledEvent.event_id).where(HandledEvent.handler.like("tests.%")))
        assert list(handled) == [_pinged(session).id]  # the old event's marks went with it
    assert prune() == 0
