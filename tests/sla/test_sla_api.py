"""SLA through the HTTP API: calendars, policies, applied deadlines, pause, met, warning and breach once."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kefu.core.clock import FrozenClock
from kefu.db.outbox import OutboxEvent
from kefu.sla.tasks import sweep_job
from kefu.wiring import Container

API = "/api/v1"
WORKDAY = [["09:00", "12:00"], ["13:00", "18:00"]]


def _setup(api: TestClient) -> dict[str, Any]:
    calendar = api.post(
        f"{API}/sla/calendars",
        json={
            "name": "Bangkok office",
            "timezone": "Asia/Bangkok",
            "market": "TH",
            "hours": {d: WORKDAY for d in ("mon", "tue", "wed", "thu", "fri")},
        },
    )
    assert calendar.status_code == 201, calendar.text
    policy = api.post(
        f"{API}/sla/policies",
        json={
            "name": "Chat",
            "calendar_id": calendar.json()["id"],
            "conditions": [{"field": "channel", "op": "in", "value": ["chat", "line"]}],
            "targets": [
                {"metric": "first_response", "seconds": 3600},
                {"metric": "first_response", "channel": "chat", "seconds": 1800},
                {"metric": "next_response", "seconds": 900},
                {"metric": "resolution", "seconds": 8 * 3600},
                {"metric": "resolution", "priority": "urgent", "seconds": 3600, "business_hours": False},
            ],
        },
    )
    assert policy.status_code == 201, policy.text
    return {"calendar": calendar.json(), "policy": policy.json()}


def _open(api: TestClient) -> str:
    body = {
        "customer": {"identities": [{"kind": "email", "value": "som@example.co.th"}]},
        "channel": "chat",
        "message": {"text": "สวัสดีครับ"},
    }
    response = api.post(f"{API}/conversations", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _targets(api: TestClient, conversation_id: str) -> dict[str, dict[str, Any]]:
    response = api.get(f"{API}/conversations/{conversation_id}/sla")
    assert response.status_code == 200, response.text
    return {f"{t['metric']}#{t['cycle']}": t for t in response.json()["targets"]}


def _count(container: Container, event_type: str) -> int:
    with container.session_factory() as session:
        return int(session.scalar(select(func.count()).where(OutboxEvent.event_type == event_type)) or 0)


def test_calendar_copies_market_holidays_and_refuses_bad_input(api: TestClient) -> None:
    made = _setup(api)["calendar"]
    assert {"date": "2026-04-13", "name": "Songkran"} in made["holidays"]
    patched = api.patch(f"{API}/sla/calendars/{made['id']}", json={"holidays": [{"date": "2026-03-06"}]})
    assert patched.status_code == 200 and patched.json()["holidays"] == [{"date": "2026-03-06", "name": ""}]
    for bad in (
        {"name": "x", "timezone": "Mars/Olympus"},
        {"name": "x", "timezone": "UTC", "hours": {"mon": [["18:00", "09:00"]]}},
        {"name": "x", "timezone": "UTC", "hours": {"funday": []}},
        {"name": "x", "timezone": "UTC", "market": "XX"},
    ):
        response = api.post(f"{API}/sla/calendars", json=bad)
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "validation_error"
    in_use = api.delete(f"{API}/sla/calendars/{made['id']}")
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "calendar_in_use"


def test_policy_crud_and_validation(api: TestClient) -> None:
    policy = _setup(api)["policy"]
    assert [p["id"] for p in api.get(f"{API}/sla/policies").json()] == [policy["id"]]
    changed = api.patch(f"{API}/sla/policies/{policy['id']}", json={"warning_percent": 50, "position": 3})
    assert changed.status_code == 200 and changed.json()["warning_percent"] == 50
    assert api.patch(f"{API}/sla/policies/{policy['id']}", json={"warning_percent": 100}).status_code == 422
    duplicate = {"name": "d", "targets": [{"metric": "resolution", "seconds": 60}] * 2}
    assert api.post(f"{API}/sla/policies", json=duplicate).status_code == 422
    shape = {
        "name": "d",
        "conditions": [{"field": "tag", "op": "in", "value": "vip"}],
        "targets": [{"metric": "resolution", "seconds": 60}],
    }
    assert api.post(f"{API}/sla/policies", json=shape).status_code == 422
    assert api.delete(f"{API}/sla/policies/{policy['id']}").status_code == 204
    assert api.get(f"{API}/sla/policies/{policy['id']}").status_code == 404


def test_deadlines_on_the_business_calendar_and_met_by_the_reply(api: TestClient, clock: FrozenClock) -> None:
    _setup(api)
    conversation_id = _open(api)  # Monday 2026-03-02 16:00 Bangkok
    targets = _targets(api, conversation_id)
    assert targets["first_response#1"]["due_at"] == "2026-03-02T09:30:00Z"  # the chat override, 30 min
    # 8 business hours: Mon 16-18, then Tuesday is Makha Bucha (a TH holiday), Wed 09-12 and 13-16.
    assert targets["resolution#1"]["due_at"] == "2026-03-04T09:00:00Z"
    clock.advance(minutes=5)
    assert (
        api.post(f"{API}/conversations/{conversation_id}/messages", json={"text": "ครับ"}).status_code == 201
    )
    targets = _targets(api, conversation_id)
    assert targets["first_response#1"]["state"] == "met"
    assert targets["first_response#1"]["met_at"] == "2026-03-02T09:05:00Z"
    clock.advance(minutes=5)
    response = api.post(
        f"{API}/inbound-messages",
        json={
            "customer": {"identities": [{"kind": "email", "value": "som@example.co.th"}]},
            "channel": "chat",
            "text": "ยังไม่ได้รับของ",
        },
    )
    assert response.status_code == 201, response.text
    assert _targets(api, conversation_id)["next_response#1"]["state"] == "active"
    urgent = api.patch(f"{API}/conversations/{conversation_id}", json={"priority": "urgent"})
    assert urgent.status_code == 200, urgent.text
    resolution = _targets(api, conversation_id)["resolution#1"]
    assert resolution["due_at"] == "2026-03-02T10:00:00Z" and resolution["business_hours"] is False


def test_pending_pauses_and_the_hold_time_moves_the_deadline(api: TestClient, clock: FrozenClock) -> None:
    _setup(api)
    conversation_id = _open(api)
    clock.advance(minutes=10)
    assert (
        api.post(f"{API}/conversations/{conversation_id}/status", json={"status": "pending"}).status_code
        == 200
    )
    assert _targets(api, conversation_id)["first_response#1"]["state"] == "paused"
    clock.advance(minutes=60)
    assert (
        api.post(f"{API}/conversations/{conversation_id}/status", json={"status": "open"}).status_code == 200
    )
    first = _targets(api, conversation_id)["first_response#1"]
    assert first["state"] == "active" and first["paused_seconds"] == 3600
    assert first["due_at"] == "2026-03-02T10:30:00Z"


def test_warning_and_breach_are_raised_once_each(
    api: TestClient, container: Container, clock: FrozenClock
) -> None:
    _setup(api)
    conversation_id = _open(api)
    sweep = sweep_job(container.session_factory)
    sweep()
    assert _count(container, "sla.warning") == 0
    clock.advance(minutes=24)  # 80 % of 30 minutes
    sweep()
    sweep()
    assert (_count(container, "sla.warning"), _count(container, "sla.breached")) == (1, 0)
    clock.advance(minutes=6)
    sweep()
    sweep()
    assert (_count(container, "sla.warning"), _count(container, "sla.breached")) == (1, 1)
    first = _targets(api, conversation_id)["first_response#1"]
    assert first["warned_at"] == "2026-03-02T09:24:00Z" and first["breached_at"] == "2026-03-02T09:30:00Z"


def test_sla_of_another_workspace_is_not_found(
    api: TestClient, client: TestClient, other_tenant: Any
) -> None:
    _setup(api)
    conversation_id = _open(api)
    response = client.get(f"{API}/conversations/{conversation_id}/sla", headers=other_tenant.headers)
    assert response.status_code == 404
