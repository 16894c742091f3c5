"""Events reach subscribed endpoints signed, once; failures retry on the back-off schedule."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from kefu.core.clock import FrozenClock
from kefu.core.events import EventEnvelope
from kefu.db.outbox import OutboxEvent
from kefu.webhooks import service
from kefu.webhooks.signing import verify_signature
from kefu.webhooks.tasks import DeliveryJobs
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.webhooks.conftest import (
    HOOK_URL,
    WIDGET_EVENT,
    Receiver,
    WidgetShipped,
    create_endpoint,
    emit,
)

DELIVERIES = "/api/v1/webhooks/deliveries"


def _deliveries(api: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = api.get(DELIVERIES, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_event_is_posted_once_with_body_headers_and_a_valid_signature(
    api: TestClient, container: Container, tenant: Tenant, receiver: Receiver, clock: FrozenClock
) -> None:
    endpoint = create_endpoint(api)
    emit(container, tenant.workspace_id, sku="客服-42")

    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    assert sent.url == HOOK_URL
    with container.session_factory() as session:
        event_id = session.scalars(
            select(OutboxEvent.id).where(OutboxEvent.event_type == WIDGET_EVENT)
        ).one()
    assert sent.json() == {
        "id": f"evt_{event_id}",
        "type": WIDGET_EVENT,
        "occurred_at": service.iso_utc(clock.now()),
        "workspace_id": str(tenant.workspace_id),
        "data": {"sku": "客服-42", "quantity": 2},
    }
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["kefu-event"] == WIDGET_EVENT
    signature = sent.headers["kefu-signature"]
    assert signature.startswith(f"t={int(clock.now().timestamp())},v1=")
    assert verify_signature(endpoint["secret"], signature, sent.body)
    assert not verify_signature(endpoint["secret"], signature, sent.body.replace(b"42", b"43"))

    (delivery,) = _deliveries(api)
    assert sent.headers["kefu-delivery"] == delivery["id"]
    assert delivery["status"] == "succeeded"
    assert delivery["event_id"] == event_id
    assert delivery["attempt_count"] == 1
    detail = api.get(f"{DELIVERIES}/{delivery['id']}").json()
    assert detail["payload"] == sent.json()
    (attempt,) = detail["attempts"]
    assert attempt["status_code"] == 200 and attempt["succeeded"] is True
    assert attempt["response_snippet"] == '{"ok":true}'
    assert attempt["error"] is None and attempt["duration_ms"] >= 0


def test_only_active_endpoints_subscribed_to_the_type_receive_it(
    api: TestClient, container: Container, tenant: Tenant, receiver: Receiver
) -> None:
    create_endpoint(api, "https://a.example.com/all", event_types=["*"])
    create_endpoint(api, "https://b.example.com/widgets")
    create_endpoint(api, "https://c.example.com/other", event_types=["webhook_endpoint.disabled"])
    create_endpoint(api, "https://d.example.com/off", is_active=False)
    emit(container, tenant.workspace_id)
    assert sorted(r.url for r in receiver.requests) == [
        "https://a.example.com/all",
        "https://b.example.com/widgets",
    ]


def test_a_workspace_events_never_reach_another_workspace_endpoints(
    api: TestClient, container: Container, tenant: Tenant, other_tenant: Tenant, receiver: Receiver
) -> None:
    mine = create_endpoint(api, "https://mine.example.com/hook", event_types=["*"])
    theirs = api.post(
        "/api/v1/webhooks/endpoints",
        json={"url": "https://theirs.example.com/hook", "event_types": ["*"]},
        headers=other_tenant.headers,
    ).json()
    emit(container, tenant.workspace_id, sku="mine")
    assert [r.url for r in receiver.requests] == ["https://mine.example.com/hook"]

    emit(container, other_tenant.workspace_id, sku="theirs")
    assert [r.json()["data"]["sku"] for r in receiver.to("https://theirs.example.com/hook")] == ["theirs"]
    (delivery,) = _deliveries(api)
    assert delivery["endpoint_id"] == mine["id"]
    assert api.get(f"/api/v1/webhooks/endpoints/{theirs['id']}").status_code == 404
    assert api.get(DELIVERIES, params={"endpoint_id": theirs["id"]}).json()["items"] == []
    other = api.get(DELIVERIES, headers=other_tenant.headers).json()["items"]
    assert api.get(f"{DELIVERIES}/{other[0]['id']}").status_code == 404
    assert api.post(f"{DELIVERIES}/{other[0]['id']}/redeliver").status_code == 404


def test_failures_retry_on_the_backoff_schedule_and_survive_a_restart(
    api: TestClient,
    container: Container,
    tenant: Tenant,
    receiver: Receiver,
    clock: FrozenClock,
    sweep: DeliveryJobs,
) -> None:
    create_endpoint(api)
    receiver.plan = [500, httpx.ConnectError, httpx.ReadTimeout, 200]
    emit(container, tenant.workspace_id)
    assert len(receiver.requests) == 1
    (delivery,) = _deliveries(api)
    assert delivery["status"] == "pending"
    assert delivery["next_attempt_at"] == service.iso_utc(clock.now() + timedelta(seconds=10))

    for wait in (10, 60, 300):
        clock.advance(seconds=wait - 1)
        sweep.retry_due()
        sent = len(receiver.requests)
        clock.advance(seconds=1)
        sweep.retry_due()
        assert len(receiver.requests) == sent + 1, f"retry after {wait}s"

    (delivery,) = _deliveries(api)
    assert delivery["status"] == "succeeded" and delivery["attempt_count"] == 4
    attempts = api.get(f"{DELIVERIES}/{delivery['id']}").json()["attempts"]
    assert [(a["number"], a["status_code"], a["succeeded"]) for a in attempts] == [
        (4, 200, True), (3, None, False), (2, None, False), (1, 500, False),
    ]
    assert attempts[3]["error"] == "HTTP 500"
    assert attempts[2]["error"].startswith("ConnectError")
    assert attempts[1]["error"] == "timeout"
    bodies = {r.body for r in receiver.requests}
    assert len(bodies) == 1  # every retry sends the same bytes, freshly signed
    sweep.retry_due()
    assert len(receiver.requests) == 4


def test_a_delivery_gives_up_after_eight_attempts(
    api: TestClient,
    container: Container,
    tenant: Tenant,
    receiver: Receiver,
    clock: FrozenClock,
    sweep: DeliveryJobs,
) -> None:
    create_endpoint(api)
    receiver.default = 503
    emit(container, tenant.workspace_id)
    for wait in service.RETRY_DELAYS_SECONDS:
        clock.advance(seconds=wait)
        sweep.retry_due()
    assert len(receiver.requests) == service.EVENT_MAX_ATTEMPTS == 8
    (delivery,) = _deliveries(api)
    assert delivery["status"] == "failed" and delivery["next_attempt_at"] is None
    assert _deliveries(api, status="failed")[0]["id"] == delivery["id"]
    assert _deliveries(api, status="pending") == []
    clock.advance(days=2)
    sweep.retry_due()
    assert len(receiver.requests) == 8


def test_endpoint_is_disabled_only_after_failing_long_and_often(
    api: TestClient,
    container: Container,
    tenant: Tenant,
    receiver: Receiver,
    clock: FrozenClock,
    sweep: DeliveryJobs,
) -> None:
    broken = create_endpoint(api, "https://broken.example.com/hook")
    create_endpoint(api, "https://ops.example.com/alerts", event_types=["webhook_endpoint.disabled"])
    receiver.default = 500
    for n in range(service.DISABLE_AFTER_FAILURES):
        emit(container, tenant.workspace_id, sku=f"burst-{n}")
    state = api.get(f"/api/v1/webhooks/endpoints/{broken['id']}").json()
    assert state["is_active"] is True  # a short outage must not switch the endpoint off
    assert state["consecutive_failures"] == service.DISABLE_AFTER_FAILURES

    receiver.default = 200
    clock.advance(hours=24)
    receiver.plan = [500]  # the sweep retries oldest first: the first retry fails once more
    sweep.retry_due()
    state = api.get(f"/api/v1/webhooks/endpoints/{broken['id']}").json()
    assert state["is_active"] is False
    assert state["disabled_reason"] == "too many consecutive failures"
    alerts = receiver.to("https://ops.example.com/alerts")
    assert len(alerts) == 1
    assert alerts[0].json()["data"]["endpoint_id"] == broken["id"]
    assert _deliveries(api, endpoint_id=broken["id"], status="pending") == []
    broken_after = len(receiver.to("https://broken.example.com/hook"))
    emit(container, tenant.workspace_id, sku="after")
    assert len(receiver.to("https://broken.example.com/hook")) == broken_after

    revived = api.patch(f"/api/v1/webhooks/endpoints/{broken['id']}", json={"is_active": True}).json()
    assert revived["is_active"] is True and revived["consecutive_failures"] == 0
    emit(container, tenant.workspace_id, sku="revived")
    assert receiver.to("https://broken.example.com/hook")[-1].json()["data"]["sku"] == "revived"


def test_success_resets_the_failure_streak(
    api: TestClient, container: Container, tenant: Tenant, receiver: Receiver
) -> None:
    endpoint = create_endpoint(api)
    receiver.plan = [500, 500]
    emit(container, tenant.workspace_id, sku="one")
    emit(container, tenant.workspace_id, sku="two")
    url = f"/api/v1/webhooks/endpoints/{endpoint['id']}"
    assert api.get(url).json()["consecutive_failures"] == 2
    emit(container, tenant.workspace_id, sku="three")
    assert api.get(url).json()["consecutive_failures"] == 0


def test_ping_and_redeliver_send_one_attempt_each(
    api: TestClient, receiver: Receiver, clock: FrozenClock, sweep: DeliveryJobs
) -> None:
    endpoint = create_endpoint(api)
    receiver.plan = [502]
    response = api.post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/ping")
    assert response.status_code == 202
    ping_id = response.json()["id"]
    (sent,) = receiver.requests
    assert sent.json()["type"] == "webhook.ping"
    assert sent.json()["data"] == {"endpoint_id": endpoint["id"]}
    assert verify_signature(endpoint["secret"], sent.headers["kefu-signature"], sent.body)
    failed = api.get(f"{DELIVERIES}/{ping_id}").json()
    assert failed["status"] == "failed" and failed["attempt_count"] == 1
    clock.advance(hours=1)
    sweep.retry_due()
    assert len(receiver.requests) == 1  # pings are not retried

    again = api.post(f"{DELIVERIES}/{ping_id}/redeliver")
    assert again.status_code == 202
    assert len(receiver.requests) == 2
    assert receiver.requests[1].body == sent.body
    done = api.get(f"{DELIVERIES}/{ping_id}").json()
    assert done["status"] == "succeeded" and done["attempt_count"] == 2
    assert [a["status_code"] for a in done["attempts"]] == [200, 502]


def test_redeliver_refuses_pending_deliveries_and_inactive_endpoints(
    api: TestClient, container: Container, tenant: Tenant, receiver: Receiver
) -> None:
    endpoint = create_endpoint(api)
    receiver.plan = [500]
    emit(container, tenant.workspace_id)
    (delivery,) = _deliveries(api)
    pending = api.post(f"{DELIVERIES}/{delivery['id']}/redeliver")
    assert pending.status_code == 409
    assert pending.json()["error"]["code"] == "delivery_pending"
    api.patch(f"/api/v1/webhooks/endpoints/{endpoint['id']}", json={"is_active": False})
    (delivery,) = _deliveries(api)
    assert delivery["status"] == "failed" and delivery["last_error"] == "endpoint disabled"
    inactive = api.post(f"{DELIVERIES}/{delivery['id']}/redeliver")
    assert inactive.status_code == 409
    assert inactive.json()["error"]["code"] == "endpoint_inactive"
    assert api.post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/ping").status_code == 409


def test_fan_out_is_idempotent_and_stored_deliveries_need_no_queue(
    api: TestClient,
    container: Container,
    tenant: Tenant,
    clock: FrozenClock,
    receiver: Receiver,
    sweep: DeliveryJobs,
) -> None:
    create_endpoint(api, "https://a.example.com/1")
    create_endpoint(api, "https://a.example.com/2")
    envelope = EventEnvelope(
        id=987654,
        event_type=WIDGET_EVENT,
        occurred_at=clock.now(),
        event=WidgetShipped(workspace_id=tenant.workspace_id, sku="x"),
    )
    with container.session_factory() as session:
        first = service.create_event_deliveries(session, envelope=envelope)
        second = service.create_event_deliveries(session, envelope=envelope)
        session.commit()
    assert len(first) == 2 and second == []
    assert receiver.requests == []  # nothing queued: as if the worker died right after the commit
    sweep.retry_due()
    assert sorted(r.url for r in receiver.requests) == ["https://a.example.com/1", "https://a.example.com/2"]


def test_answer_snippets_are_bounded_and_cleaned(
    api: TestClient, container: Container, tenant: Tenant, receiver: Receiver
) -> None:
    create_endpoint(api)
    receiver.answer = "\x00" + "é" * 50_000
    emit(container, tenant.workspace_id)
    (delivery,) = _deliveries(api)
    (attempt,) = api.get(f"{DELIVERIES}/{delivery['id']}").json()["attempts"]
    assert 0 < len(attempt["response_snippet"]) <= 1000
    assert "\x00" not in attempt["response_snippet"]


def test_deleting_an_endpoint_removes_its_deliveries(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    endpoint = create_endpoint(api)
    emit(container, tenant.workspace_id)
    assert len(_deliveries(api)) == 1
    assert api.delete(f"/api/v1/webhooks/endpoints/{endpoint['id']}").status_code == 204
    assert api.get(f"/api/v1/webhooks/endpoints/{endpoint['id']}").status_code == 404
    assert _deliveries(api) == []
    assert api.delete(f"/api/v1/webhooks/endpoints/{uuid.uuid4()}").status_code == 404
