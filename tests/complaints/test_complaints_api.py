"""The complaint ledger, default escalation rules and the 24 h follow-up through the HTTP API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.events import capture_events
from tests.factories import make_agent, make_conversation

API = "/api/v1"


def _mark(api: TestClient, conversation_id: str, amount: str | None = None, **extra: Any) -> None:
    body: dict[str, Any] = {"is_complaint": True, **extra}
    if amount is not None:
        body.update(amount=amount, currency="USD")
    response = api.post(f"{API}/conversations/{conversation_id}/complaint", json=body)
    assert response.status_code == 200, response.text


def _ledger(api: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = api.get(f"{API}/complaints", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_ledger_records_steps_in_order_cause_outcome_and_clearing(
    api: TestClient, container: Container
) -> None:
    conversation = make_conversation(
        api, message={"text": "The blender I bought stopped working after two days."}
    )
    with capture_events(container, 1, of_type="complaint.recorded") as recorded:
        _mark(api, conversation["id"], "120.00")
    [entry] = _ledger(api, conversation_id=conversation["id"])
    assert recorded[0].payload["complaint_id"] == entry["id"]
    assert (entry["amount"], entry["currency"], entry["escalated_at"]) == ("120.00", "USD", None)
    assert entry["screening_score"] is not None and entry["steps"] == []
    url = f"{API}/complaints/{entry['id']}"
    skipped = api.post(f"{url}/steps", json={"step": "solve"})
    assert skipped.status_code == 409 and skipped.json()["error"]["code"] == "step_out_of_order"
    assert skipped.json()["error"]["details"] == {"taken": [], "expected": "listen"}
    for step in ("listen", "apologise", "solve", "follow_up"):
        assert api.post(f"{url}/steps", json={"step": step, "note": step}).status_code == 201
    assert api.post(f"{url}/steps", json={"step": "listen"}).status_code == 409
    patched = api.patch(
        url, json={"cause": "Defective product", "outcome": "upheld", "compensation_amount": "120.00"}
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert [s["step"] for s in body["steps"]] == ["listen", "apologise", "solve", "follow_up"]
    assert (body["cause"], body["outcome"], body["compensation_amount"]) == (
        "Defective product",
        "upheld",
        "120.00",
    )
    assert api.patch(url, json={"outcome": "won"}).status_code == 422
    assert _ledger(api, outcome="upheld")[0]["id"] == entry["id"]
    _mark(api, conversation["id"], "150.00")  # the amount changes: the same entry, not a new one
    assert [e["amount"] for e in _ledger(api, conversation_id=conversation["id"])] == ["150.00"]
    api.post(f"{API}/conversations/{conversation['id']}/complaint", json={"is_complaint": False})
    assert _ledger(api, conversation_id=conversation["id"]) == []
    assert api.get(f"{API}/complaints/00000000-0000-7000-8000-000000000000").status_code == 404


def test_default_rules_escalate_only_over_500_or_a_second_complaint_in_30_days(
    api: TestClient, client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    supervisor = make_agent(container, workspace_id=tenant.workspace_id, role=Role.SUPERVISOR)
    installed = api.post(f"{API}/complaints/default-rules/install")
    assert installed.status_code == 200, installed.text
    assert [r["key"] for r in installed.json()] == [
        "complaints.escalate_amount",
        "complaints.escalate_repeat",
    ]
    again = api.post(f"{API}/complaints/default-rules/install").json()
    assert [r["id"] for r in again] == [r["id"] for r in installed.json()]
    agent = make_agent(container, workspace_id=tenant.workspace_id, role=Role.AGENT)
    assert client.post(f"{API}/complaints/default-rules/install", headers=agent.headers).status_code == 403

    small = make_conversation(api, email="ana@example.com")
    _mark(api, small["id"], "80.00")
    big = make_conversation(api, email="budi@example.co.id")
    _mark(api, big["id"], "750.00")
    at_limit = make_conversation(api, email="chen@example.cn")
    _mark(api, at_limit["id"], "500.00")
    escalated = {e["conversation_id"]: e["escalation_reason"] for e in _ledger(api, escalated=True)}
    assert escalated == {big["id"]: "complaint_amount_over_500"}
    assert api.get(f"{API}/conversations/{big['id']}").json()["priority"] == "high"
    assert api.get(f"{API}/conversations/{small['id']}").json()["priority"] == "normal"
    notified = client.get(f"{API}/automation/notifications", headers=supervisor.headers).json()["items"]
    assert [n["conversation_id"] for n in notified] == [big["id"]]

    clock.advance(days=10)
    repeat = make_conversation(api, email="ana@example.com", channel="email")
    assert repeat["id"] != small["id"]
    _mark(api, repeat["id"], "20.00")
    clock.advance(days=31)
    late = make_conversation(api, email="chen@example.cn", channel="email")
    _mark(api, late["id"], "20.00")
    escalated = {e["conversation_id"]: e["escalation_reason"] for e in _ledger(api, escalated=True)}
    assert escalated == {big["id"]: "complaint_amount_over_500", repeat["id"]: "repeat_complaint_30_days"}
    not_escalated = {e["conversation_id"] for e in _ledger(api, escalated=False)}
    assert not_escalated == {small["id"], at_limit["id"], late["id"]}
    big_dry = api.post(
        f"{API}/automation/dry-run", json={"conversation_id": big["id"], "trigger": "complaint_marked"}
    ).json()
    assert [r["reason"] for r in big_dry["rules"]] == [
        "conditions_fail",
        "conditions_fail",
    ]  # escalated already


def test_a_resolved_complaint_gets_a_follow_up_task_for_the_resolving_agent(
    api: TestClient, client: TestClient, container: Container, tenant: Tenant
) -> None:
    agent = make_agent(container, workspace_id=tenant.workspace_id, role=Role.AGENT)
    conversation = make_conversation(api)
    url = f"{API}/conversations/{conversation['id']}"
    _mark(api, conversation["id"], "60.00")
    api.post(f"{url}/assign", json={"assignee_id": str(agent.agent_id)})
    resolved = client.post(f"{url}/status", headers=agent.headers, json={"status": "resolved"})
    assert resolved.status_code == 200, resolved.text
    [entry] = _ledger(api, conversation_id=conversation["id"])
    assert entry["resolved_by"] == str(agent.agent_id) and entry["resolved_at"] == "2026-03-02T09:00:00Z"
    tasks = client.get(
        f"{API}/automation/tasks", headers=agent.headers, params={"assignee_id": str(agent.agent_id)}
    ).json()["items"]
    assert [(t["id"], t["title"], t["due_at"], t["source"]) for t in tasks] == [
        (
            entry["follow_up_task_id"],
            "Complaint follow-up call",
            "2026-03-03T09:00:00Z",
            "complaint_follow_up",
        )
    ]
    api.post(f"{url}/status", json={"status": "open"})
    api.post(f"{url}/status", json={"status": "resolved"})
    assert (
        len(
            api.get(f"{API}/automation/tasks", params={"conversation_id": conversation["id"]}).json()["items"]
        )
        == 1
    )
    with capture_events(container, 1, of_type="task.completed"):
        done = client.patch(
            f"{API}/automation/tasks/{tasks[0]['id']}", headers=agent.headers, json={"status": "done"}
        )
    assert done.status_code == 200 and done.json()["done_at"] is not None
    plain = make_conversation(api, email="other@example.com")
    api.post(f"{API}/conversations/{plain['id']}/status", json={"status": "resolved"})
    assert api.get(f"{API}/automation/tasks", params={"conversation_id": plain["id"]}).json()["items"] == []
