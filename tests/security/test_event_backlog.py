"""Issue 11 item 10: no history replayed to new webhooks; bulk loads and busy tenants never starve live."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.core.clock import FrozenClock
from kefu.core.events import EventEnvelope
from kefu.db.outbox import AFTER_COMMIT_KEY, BULK_LANE, LIVE_LANE, OutboxEvent, bulk_history, publish
from kefu.jobs.relay import share_batch
from kefu.webhooks import service as webhooks
from kefu.webhooks.enums import DeliveryStatus
from kefu.webhooks.handlers import BULK_PRIORITY, LIVE_PRIORITY, EventFanout
from kefu.webhooks.models import WebhookDelivery
from kefu.wiring import Container
from tests.conftest import make_tenant
from tests.security.conftest import AppFactory
from tests.webhooks.conftest import WIDGET_EVENT, Receiver, WidgetShipped

HOOK = "https://hooks.example.com/kefu"


def _backlog(container: Container, workspace_id: uuid.UUID, count: int, *, bulk: bool = False) -> None:
    """Publish events and commit without waking the relay: they wait in the outbox."""
    with container.session_factory(info={AFTER_COMMIT_KEY: None}) as session:
        if bulk:
            with bulk_history(session):
                for n in range(count):
                    publish(session, WidgetShipped(workspace_id=workspace_id, sku=f"old-{n}"))
        else:
            for n in range(count):
                publish(session, WidgetShipped(workspace_id=workspace_id, sku=f"old-{n}"))
        session.commit()


def _recorder(container: Container) -> list[str]:
    seen: list[str] = []

    def handler(_session: Session, envelope: EventEnvelope) -> None:
        assert isinstance(envelope.event, WidgetShipped)
        seen.append(envelope.event.sku)

    container.subscriptions.subscribe(WidgetShipped, handler, name="tests.recorder")
    return seen


def test_new_endpoint_receives_only_events_after_its_creation(
    make_api: AppFactory, clock: FrozenClock
) -> None:
    receiver = Receiver()
    api, container, tenant = make_api(transport=httpx.MockTransport(receiver.handle))
    _backlog(container, tenant.workspace_id, 5)  # history still in the outbox when the endpoint appears
    clock.advance(minutes=1)
    created = api.post("/api/v1/webhooks/endpoints", json={"url": HOOK, "event_types": ["*"]})
    assert created.status_code == 201, created.text
    with container.session_factory() as session:
        publish(session, WidgetShipped(workspace_id=tenant.workspace_id, sku="new"))
        session.commit()
    bodies = [r.json() for r in receiver.requests]
    assert [b["data"]["sku"] for b in bodies if b["type"] == WIDGET_EVENT] == ["new"]
    ping = api.post(f"/api/v1/webhooks/endpoints/{created.json()['id']}/ping")
    assert ping.status_code == 202
    assert receiver.requests[-1].json()["type"] == "webhook.ping"


def test_live_event_is_relayed_before_a_bulk_backlog(make_api: AppFactory) -> None:
    _api, container, tenant = make_api()
    other = make_tenant(container, "Live Co")
    seen = _recorder(container)
    _backlog(container, tenant.workspace_id, 30, bulk=True)
    with container.session_factory(info={AFTER_COMMIT_KEY: None}) as session:
        publish(session, WidgetShipped(workspace_id=other.workspace_id, sku="live"))
        session.commit()
    with container.session_factory() as session:
        lanes = {row.payload.get("sku"): row.lane for row in session.scalars(select(OutboxEvent))}
    assert lanes["live"] == LIVE_LANE and lanes["old-0"] == BULK_LANE
    container.runtime.relay.drain(batch=10)
    assert "live" in seen[:10]  # in the first batch leased, not after the 30 older events
    assert len(seen) == 31


def test_busy_workspace_does_not_starve_another(make_api: AppFactory) -> None:
    _api, container, tenant = make_api()
    quiet = make_tenant(container, "Quiet Co")
    seen = _recorder(container)
    _backlog(container, tenant.workspace_id, 40)  # live, but many
    with container.session_factory(info={AFTER_COMMIT_KEY: None}) as session:
        publish(session, WidgetShipped(workspace_id=quiet.workspace_id, sku="quiet"))
        session.commit()
    container.runtime.relay.drain(batch=10)
    assert "quiet" in seen[:10]
    assert len(seen) == 41


def test_imported_history_is_published_in_the_bulk_lane(make_api: AppFactory) -> None:
    api, container, _tenant = make_api()
    item = {
        "customer": {"identities": [{"kind": "email", "value": "ann@example.com"}], "name": "Ann"},
        "channel": "email",
        "status": "resolved",
        "messages": [
            {"text": "old question", "created_at": "2026-01-05T10:00:00+00:00", "external_id": "zd-1"}
        ],
    }
    response = api.post("/api/v1/conversations/import", json={"conversations": [item]})
    assert response.status_code == 201, response.text
    with container.session_factory() as session:
        rows = session.execute(select(OutboxEvent.event_type, OutboxEvent.lane)).tuples().all()
    imported = [lane for kind, lane in rows if kind == "conversation.imported"]
    assert imported == [BULK_LANE]
    assert all(lane == BULK_LANE for kind, lane in rows if kind.startswith("customer."))


def test_bulk_deliveries_are_queued_behind_live_ones(make_api: AppFactory) -> None:
    api, container, tenant = make_api()
    assert api.post("/api/v1/webhooks/endpoints", json={"url": HOOK, "event_types": ["*"]}).status_code == 201
    queued: list[tuple[str, Any]] = []
    fanout = EventFanout(lambda name, *args, **kw: queued.append((name, kw.get("priority"))))
    event = WidgetShipped(workspace_id=tenant.workspace_id, sku="x")
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for event_id, bulk in ((1_000_001, True), (1_000_002, False)):
        envelope = EventEnvelope(
            id=event_id, event_type=WIDGET_EVENT, occurred_at=now, event=event, bulk=bulk
        )
        with container.session_factory() as session:
            fanout.on_any_event(session, envelope)
            session.commit()
    assert [priority for _, priority in queued] == [BULK_PRIORITY, LIVE_PRIORITY]
    assert LIVE_PRIORITY > BULK_PRIORITY


def test_due_sweep_takes_turns_between_endpoints(make_api: AppFactory, clock: FrozenClock) -> None:
    api, container, _tenant = make_api()
    busy = api.post("/api/v1/webhooks/endpoints", json={"url": HOOK, "event_types": ["*"]}).json()
    calm = api.post(
        "/api/v1/webhooks/endpoints", json={"url": "https://calm.example.com/", "event_types": ["*"]}
    ).json()
    for n in range(30):
        assert api.post(f"/api/v1/webhooks/endpoints/{busy['id']}/ping").status_code == 202
        if n == 29:
            assert api.post(f"/api/v1/webhooks/endpoints/{calm['id']}/ping").status_code == 202
    with container.session_factory() as session:  # make them all due again (as after an outage)
        for n, delivery in enumerate(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))):
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = clock.now() - timedelta(minutes=60 - n)  # the calm one is due last
        session.commit()
        due = webhooks.list_due_delivery_ids(session, limit=5)
        endpoints = {session.get(WebhookDelivery, d).endpoint_id for d in due}  # type: ignore[union-attr]
    assert uuid.UUID(calm["id"]) in endpoints


def test_share_batch_gives_live_first_then_equal_turns() -> None:
    a, b, c = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
    assert share_batch([(LIVE_LANE, a, 500), (LIVE_LANE, b, 1)], 10) == {(LIVE_LANE, a): 9, (LIVE_LANE, b): 1}
    assert share_batch([(LIVE_LANE, a, 3), (BULK_LANE, b, 500), (BULK_LANE, c, 500)], 11) == {
        (LIVE_LANE, a): 3, (BULK_LANE, b): 4, (BULK_LANE, c): 4,
    }
    assert share_batch([(LIVE_LANE, a, 2)], 10) == {(LIVE_LANE, a): 2}
    assert share_batch([], 10) == {}
    many = [(LIVE_LANE, uuid.UUID(int=n), 5) for n in range(50)]
    shares = share_batch(many, 10)
    assert sum(shares.values()) == 10 and set(shares.values()) == {1}
