"""`kefu bench relay`: how long a live event waits behind a bulk-loaded backlog, and the claim's cost."""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kefu.core.events import EventEnvelope
from kefu.customers.events import CustomerUpdated
from kefu.db.engine import make_engine, make_session_factory
from kefu.db.metadata import target_metadata
from kefu.db.outbox import HandledEvent, OutboxEvent, bulk_history, publish_many
from kefu.jobs.relay import OutboxRelay, claim_order
from kefu.jobs.subscriptions import Subscriptions

BATCH = 200


def run_relay_bench(*, database_url: str | None = None, backlog: int = 20_000) -> dict[str, Any]:
    """Publish `backlog` bulk events in one workspace, then one live event in another; drain and time."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        target_metadata.create_all(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            session.execute(delete(HandledEvent))
            session.execute(delete(OutboxEvent))
            session.commit()
        busy, live = uuid.uuid4(), uuid.uuid4()
        with sessions() as session, bulk_history(session):
            publish_many(
                session,
                (
                    CustomerUpdated(workspace_id=busy, customer_id=uuid.uuid4(), fields=["name"])
                    for _ in range(backlog)
                ),
            )
            session.commit()
        with sessions() as session:
            publish_many(
                session, [CustomerUpdated(workspace_id=live, customer_id=uuid.uuid4(), fields=["live"])]
            )
            session.commit()
        with sessions() as session:
            started = time.perf_counter()
            claim_order(session, _now(session), BATCH)
            claim_ms = (time.perf_counter() - started) * 1000
        seen: dict[str, float] = {}
        handled = 0

        def count(_session: Session, envelope: EventEnvelope) -> None:
            nonlocal handled
            handled += 1
            assert isinstance(envelope.event, CustomerUpdated)
            if envelope.event.fields == ["live"]:
                seen["live"] = time.perf_counter()

        subscriptions = Subscriptions()
        subscriptions.subscribe(CustomerUpdated, count, name="bench.count")
        relay = OutboxRelay(sessions, subscriptions)
        started = time.perf_counter()
        relay.drain(batch=BATCH)
        total = time.perf_counter() - started
        backend = engine.dialect.name
        engine.dispose()
    return {
        "backend": backend,
        "backlog_events": backlog,
        "handled": handled,
        "claim_query_ms_at_full_backlog": round(claim_ms, 1),
        "live_event_handled_after_seconds": round(seen["live"] - started, 3),
        "backlog_drained_seconds": round(total, 2),
        "events_per_second": round(handled / total),
    }


def _now(session: Session) -> Any:
    """The newest event time, so every event counts as due."""
    return session.scalar(select(OutboxEvent.occurred_at).order_by(OutboxEvent.id.desc()).limit(1))
