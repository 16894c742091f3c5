"""Flow: inbound message → analysed → queue → skilled agent → SLA applied → warning → breach → escalation."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from kefu.routing.tasks import sweep_job as routing_sweep
from kefu.sla.tasks import sweep_job as sla_sweep
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.events import capture_events
from tests.factories import make_agent

API = "/api/v1"


def _ready_agent(api: TestClient, container: Container, tenant: Tenant, languages: dict[str, int]) -> str:
    agent = make_agent(container, workspace_id=tenant.workspace_id).agent_id
    assert api.patch(f"{API}/routing/agents/{agent}", json={"languages": languages}).status_code == 200
    assert api.put(f"{API}/routing/agents/{agent}/presence", json={"presence": "online"}).status_code == 200
    return str(agent)


def test_inbound_thai_chat_is_routed_then_warned_breached_and_escalated(
    api: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    assert api.put(f"{API}/routing/settings", json={"auto_away_seconds": 3600}).status_code == 200
    native = _ready_agent(api, container, tenant, {"th": 5})
    fluent = _ready_agent(api, container, tenant, {"th": 3, "en": 5})
    lead = str(make_agent(container, workspace_id=tenant.workspace_id, role=Role.SUPERVISOR).agent_id)
    queue = api.post(
        f"{API}/routing/queues",
        json={
            "name": "Thai chat",
            "rules": [{"name": "thai", "conditions": [{"field": "language", "op": "eq", "value": "th"}]}],
            "agent_ids": [native, fluent],
        },
    ).json()
    policy = api.post(
        f"{API}/sla/policies",
        json={
            "name": "Chat 10 min",
            "conditions": [{"field": "channel", "op": "eq", "value": "chat"}],
            "targets": [{"metric": "first_response", "seconds": 600, "business_hours": False}],
            "escalations": [
                {"level": 1, "on": "warning", "actions": ["notify_assignee"]},
                {
                    "level": 2,
                    "on": "breach",
                    "metric": "first_response",
                    "actions": ["notify_team_lead", "reassign", "raise_priority"],
                },
                {"level": 3, "on": "breach", "metric": "resolution", "actions": ["notify_manager"]},
            ],
        },
    )
    assert policy.status_code == 201, policy.text
    received = api.post(
        f"{API}/inbound-messages",
        json={
            "customer": {"identities": [{"kind": "phone", "value": "+66812345678"}]},
            "channel": "chat",
            "text": "สวัสดีครับ ผมสั่งสินค้าไปเมื่อวานแต่ยังไม่ได้รับเลยครับ",
        },
    )
    assert received.status_code == 201, received.text
    conversation = received.json()["conversation"]["id"]
    routing = api.get(f"{API}/conversations/{conversation}/routing").json()
    assert (routing["queue_id"], routing["assignee_id"], routing["state"]) == (
        queue["id"],
        native,
        "assigned",
    )
    sla = api.get(f"{API}/conversations/{conversation}/sla").json()
    assert sla["policy_id"] == policy.json()["id"]
    assert sla["targets"][0]["due_at"] == "2026-03-02T09:10:00Z"

    clock.advance(minutes=8)
    with capture_events(container) as events:
        sla_sweep(container.session_factory)()
    escalated = _escalations(events)
    assert escalated == [
        {"level": 1, "action": "notify_assignee", "recipient_ids": [native], "trigger": "warning"}
    ]

    clock.advance(minutes=2)
    with capture_events(container) as events:
        sla_sweep(container.session_factory)()
        routing_sweep(container.session_factory)()
    assert _escalations(events) == [
        {"level": 2, "action": "notify_team_lead", "recipient_ids": [lead], "trigger": "breach"},
        {"level": 2, "action": "reassign", "recipient_ids": [], "trigger": "breach"},
        {"level": 2, "action": "raise_priority", "recipient_ids": [], "trigger": "breach"},
    ]
    after = api.get(f"{API}/conversations/{conversation}").json()
    assert (after["priority"], after["assignee_id"]) == ("high", fluent)
    routing = api.get(f"{API}/conversations/{conversation}/routing").json()
    assert routing["reroutes"] == 1 and routing["first_assignee_id"] == native
    timeline = api.get(f"{API}/conversations/{conversation}/timeline").json()["items"]
    kinds = [(e["kind"], e["reason"]) for e in timeline if e["kind"] in ("routed", "escalated")]
    assert ("escalated", "sla_warning") in kinds and ("escalated", "sla_breach") in kinds
    assert ("routed", "escalation") in kinds


def _escalations(events: list[Any]) -> list[dict[str, Any]]:
    return [
        {k: e.payload[k] for k in ("level", "action", "recipient_ids", "trigger")}
        for e in events
        if e.event_type == "sla.escalated"
    ]
