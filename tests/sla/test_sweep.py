"""The set-based sweep: outbox rows equal what the event classes serialise, each raised once, in batches."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from kefu.core.clock import FrozenClock
from kefu.core.events import event_class
from kefu.db.outbox import OutboxEvent
from kefu.sla.tasks import sweep_job
from kefu.wiring import Container

API = "/api/v1"


def test_sweep_rows_are_the_events_payloads_and_batches_raise_each_once(
    api: TestClient, container: Container, clock: FrozenClock
) -> None:
    policy = api.post(
        f"{API}/sla/policies",
        json={
            "name": "Chat",
            "targets": [
                {"metric": "first_response", "seconds": 600, "business_hours": False},
                {"metric": "resolution", "seconds": 700, "business_hours": False},
            ],
        },
    )
    assert policy.status_code == 201, policy.text
    conversations = []
    for n in range(3):
        body = {
            "customer": {"identities": [{"kind": "email", "value": f"c{n}@example.com"}]},
            "channel": "chat",
            "message": {"text": "Hello"},
        }
        conversations.append(api.post(f"{API}/conversations", json=body).json()["id"])
        clock.advance(seconds=1, microseconds=250_000)
    clock.advance(minutes=10)  # every first response breached, resolution warned (80 % of 700 s)
    assert sweep_job(container.session_factory, batch=2)() == 6
    assert sweep_job(container.session_factory, batch=2)() == 0
    with container.session_factory() as session:
        rows = session.execute(
            select(OutboxEvent.event_type, OutboxEvent.payload)
            .where(OutboxEvent.event_type.like("sla.%"))
            .order_by(OutboxEvent.id)
        ).all()
    kinds = sorted((r.payload["conversation_id"], r.payload["metric"], r.event_type) for r in rows)
    assert kinds == sorted(
        [(c, "first_response", "sla.warning") for c in conversations]
        + [(c, "first_response", "sla.breached") for c in conversations]
        + [(c, "resolution", "sla.warning") for c in conversations]
    )
    for row in rows:
        event = event_class(row.event_type).model_validate(row.payload)
        assert event.model_dump(mode="json") == row.payload  # same shape and spelling as `publish`
        target = next(
            t
            for t in api.get(f"{API}/conversations/{row.payload['conversation_id']}/sla").json()["targets"]
            if t["id"] == row.payload["target_id"]
        )
        assert row.payload["due_at"] == target["due_at"] and row.payload["policy_id"] == policy.json()["id"]
        if row.event_type == "sla.warning":
            assert row.payload["warn_at"] == target["warn_at"] and target["warned_at"] is not None
        else:
            assert row.payload["breached_at"] == target["breached_at"] == "2026-03-02T09:10:03.750000Z"
    clock.advance(minutes=5)
    assert sweep_job(container.session_factory)() == 3  # the resolution deadlines, once
    with container.session_factory() as session:
        breached = session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.event_type == "sla.breached")
        ).all()
    assert sorted(p["metric"] for p in breached) == ["first_response"] * 3 + ["resolution"] * 3
