"""Automation rules through the HTTP API: CRUD, firing, audit, loop protection, dry run, time rules."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.automation.tasks import time_rules_job
from kefu.conversations import service as conversations
from kefu.core.clock import FrozenClock
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.events import capture_events
from tests.factories import make_agent, make_conversation, make_team

API = "/api/v1"


def _rule(api: TestClient, **body: Any) -> dict[str, Any]:
    response = api.post(f"{API}/automation/rules", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _timeline(api: TestClient, conversation_id: str) -> list[dict[str, Any]]:
    response = api.get(f"{API}/conversations/{conversation_id}/timeline", params={"limit": 200})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _firings(api: TestClient, conversation_id: str) -> list[dict[str, Any]]:
    response = api.get(f"{API}/automation/firings", params={"conversation_id": conversation_id})
    assert response.status_code == 200, response.text
    return list(response.json())


def test_rule_crud_and_validation(
    api: TestClient, client: TestClient, container: Container, tenant: Tenant
) -> None:
    rule = _rule(
        api,
        name="Tag chats",
        triggers=["conversation_opened"],
        conditions={"all": [{"field": "conversation.channel", "op": "in", "value": ["chat"]}]},
        actions=[{"type": "add_tags", "tags": ["Chat"]}],
    )
    assert rule["actions"] == [{"type": "add_tags", "tags": ["chat"]}]
    assert [r["id"] for r in api.get(f"{API}/automation/rules").json()] == [rule["id"]]
    patched = api.patch(f"{API}/automation/rules/{rule['id']}", json={"is_active": False, "position": 5})
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    for bad in (
        {"name": "x", "triggers": ["conversation_opened"], "actions": []},
        {"name": "x", "triggers": ["nothing"], "actions": [{"type": "add_tags", "tags": ["a"]}]},
        {
            "name": "x",
            "triggers": ["time", "conversation_opened"],
            "actions": [{"type": "add_tags", "tags": ["a"]}],
        },
        {"name": "x", "triggers": ["conversation_opened"], "actions": [{"type": "assign"}]},
        {"name": "x", "triggers": ["conversation_opened"], "actions": [{"type": "explode"}]},
        {
            "name": "x",
            "triggers": ["conversation_opened"],
            "actions": [{"type": "add_tags", "tags": ["a"]}],
            "conditions": {"all": [{"field": "conversation.secret", "op": "eq", "value": 1}]},
        },
        {
            "name": "x",
            "triggers": ["conversation_opened"],
            "actions": [{"type": "add_tags", "tags": ["a"]}],
            "conditions": {"all": [{"field": "conversation.channel", "op": "in", "value": "chat"}]},
        },
        {
            "name": "x",
            "triggers": ["conversation_opened"],
            "actions": [{"type": "add_tags", "tags": ["a"]}],
            "conditions": {"all": [{"field": "conversation.channel", "op": "eq"}]},
        },
    ):
        response = api.post(f"{API}/automation/rules", json=bad)
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "validation_error"
    metadata = api.post(f"{API}/automation/rules", json={
        "name": "x", "triggers": ["conversation_opened"],
        "actions": [{"type": "webhook", "url": "http://169.254.169.254/latest/meta-data"}]})
    assert metadata.status_code == 422 and metadata.json()["error"]["code"] == "url_not_allowed"
    keyed = {
        "name": "k",
        "key": "mine",
        "triggers": ["time"],
        "actions": [{"type": "add_tags", "tags": ["a"]}],
    }
    assert api.post(f"{API}/automation/rules", json=keyed).status_code == 201
    duplicate = api.post(f"{API}/automation/rules", json=keyed)
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "duplicate_rule_key"
    agent = make_agent(container, workspace_id=tenant.workspace_id, role=Role.AGENT)
    assert client.get(f"{API}/automation/rules", headers=agent.headers).status_code == 403
    assert api.delete(f"{API}/automation/rules/{rule['id']}").status_code == 204
    assert api.get(f"{API}/automation/rules/{rule['id']}").status_code == 404


def test_rules_fire_in_order_on_events_with_their_audit(api: TestClient, container: Container) -> None:
    first = _rule(
        api,
        name="Chat intake",
        position=1,
        triggers=["conversation_opened"],
        conditions={"all": [{"field": "conversation.channel", "op": "eq", "value": "chat"}]},
        actions=[
            {"type": "add_tags", "tags": ["chat-intake"]},
            {"type": "set_priority", "priority": "high"},
            {"type": "add_note", "text": "Opened as {{conversation.id}}"},
        ],
    )
    second = _rule(
        api,
        name="Hot when high",
        position=2,
        triggers=["conversation_updated"],
        conditions={
            "all": [{"field": "conversation.priority", "op": "gte", "value": "high"}],
            "any": [{"field": "conversation.tags", "op": "contains", "value": "chat-intake"}],
        },
        actions=[{"type": "add_tags", "tags": ["hot"]}],
    )
    _rule(
        api,
        name="Email only",
        triggers=["conversation_opened"],
        conditions={"all": [{"field": "conversation.channel", "op": "eq", "value": "email"}]},
        actions=[{"type": "add_tags", "tags": ["mail"]}],
    )
    with capture_events(container, of_type="automation.rule_fired") as fired:
        conversation = make_conversation(api)
    current = api.get(f"{API}/conversations/{conversation['id']}").json()
    assert current["priority"] == "high"
    assert current["tags"] == ["chat-intake", "hot"]
    assert [e.payload["rule_id"] for e in fired] == [first["id"], second["id"]]
    audit = [e for e in _timeline(api, conversation["id"]) if e["kind"] == "rule_fired"]
    assert [e["after"]["rule"] for e in audit] == ["Chat intake", "Hot when high"]
    assert audit[0]["actor_kind"] == "system" and audit[0]["actor_id"] == first["id"]
    assert [a["action"] for a in audit[0]["after"]["actions"]] == ["add_tags", "set_priority", "add_note"]
    notes = api.get(f"{API}/conversations/{conversation['id']}/messages").json()["items"]
    assert [m["text"] for m in notes if m["direction"] == "note"] == [f"Opened as {conversation['id']}"]
    assert {f["rule_id"] for f in _firings(api, conversation["id"])} == {first["id"], second["id"]}


def test_a_rule_is_not_retriggered_by_its_own_action(api: TestClient) -> None:
    rule = _rule(
        api,
        name="Stamp",
        triggers=["conversation_updated"],
        actions=[{"type": "add_tags", "tags": ["stamped"]}, {"type": "set_field", "key": "seen", "value": 1}],
    )
    conversation = make_conversation(api)
    api.post(f"{API}/conversations/{conversation['id']}/tags", json={"add": ["vip"]})
    firings = _firings(api, conversation["id"])
    assert [(f["rule_id"], f["outcome"]) for f in firings] == [(rule["id"], "fired")]
    assert api.get(f"{API}/conversations/{conversation['id']}").json()["custom_fields"] == {"seen": 1}


def test_loop_protection_caps_two_rules_feeding_each_other(api: TestClient) -> None:
    ping = _rule(
        api,
        name="ping",
        triggers=["conversation_updated"],
        conditions={"all": [{"field": "conversation.tags", "op": "contains", "value": "ping"}]},
        actions=[{"type": "remove_tags", "tags": ["ping"]}, {"type": "add_tags", "tags": ["pong"]}],
    )
    pong = _rule(
        api,
        name="pong",
        triggers=["conversation_updated"],
        conditions={"all": [{"field": "conversation.tags", "op": "contains", "value": "pong"}]},
        actions=[{"type": "remove_tags", "tags": ["pong"]}, {"type": "add_tags", "tags": ["ping"]}],
    )
    conversation = make_conversation(api)
    assert (
        api.post(f"{API}/conversations/{conversation['id']}/tags", json={"add": ["ping"]}).status_code == 200
    )
    firings = _firings(api, conversation["id"])
    fired = [f for f in firings if f["outcome"] == "fired"]
    assert {f["rule_id"] for f in fired} == {ping["id"], pong["id"]}
    for rule in (ping, pong):
        assert sum(f["rule_id"] == rule["id"] for f in fired) == 3  # MAX_RULE_FIRINGS_PER_CONVERSATION
    assert any(f["outcome"] == "suppressed" for f in firings)
    held = [e for e in _timeline(api, conversation["id"]) if e["reason"] == "loop_protection"]
    assert len(held) in (1, 2) and {e["after"]["rule"] for e in held} <= {"ping", "pong"}


def test_dry_run_explains_and_changes_nothing(api: TestClient) -> None:
    plain = make_conversation(api, email="plain@example.com")
    tagged = make_conversation(api, email="vip@example.com")
    api.post(f"{API}/conversations/{tagged['id']}/tags", json={"add": ["vip"]})
    vip = _rule(
        api,
        name="VIP first",
        position=1,
        triggers=["conversation_updated"],
        conditions={"all": [{"field": "conversation.tags", "op": "contains", "value": "vip"}]},
        actions=[{"type": "set_priority", "priority": "urgent"}],
    )
    _rule(
        api,
        name="Urgent gets tagged",
        position=2,
        triggers=["conversation_updated"],
        conditions={"all": [{"field": "conversation.priority", "op": "eq", "value": "urgent"}]},
        actions=[{"type": "add_tags", "tags": ["golden-5"]}],
    )
    _rule(
        api,
        name="On breach",
        position=3,
        triggers=["sla_breached"],
        actions=[{"type": "add_tags", "tags": ["x"]}],
    )
    response = api.post(
        f"{API}/automation/dry-run", json={"conversation_id": plain["id"], "trigger": "conversation_updated"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(r["name"], r["would_fire"], r["reason"]) for r in body["rules"]] == [
        ("VIP first", False, "conditions_fail"),
        ("Urgent gets tagged", False, "conditions_fail"),
        ("On breach", False, "trigger_not_listened"),
    ]
    assert body["rules"][0]["checks"] == [
        {"field": "conversation.tags", "op": "contains", "value": "vip", "actual": [], "holds": False}
    ]
    before = _timeline(api, tagged["id"])
    dry = api.post(f"{API}/automation/dry-run", json={"conversation_id": tagged["id"]}).json()
    assert [(r["name"], r["would_fire"]) for r in dry["rules"]] == [
        ("VIP first", True),
        ("Urgent gets tagged", True),
        ("On breach", False),
    ]
    assert dry["rules"][0]["rule_id"] == vip["id"]
    assert dry["rules"][0]["changes"] == [
        {
            "action": "set_priority",
            "priority": "urgent",
            "fields": {"conversation.priority": {"from": "normal", "to": "urgent"}},
        }
    ]
    assert dry["rules"][1]["checks"][0]["actual"] == "urgent"  # sees the first rule's effect
    assert dry["facts"]["conversation.priority"] == "normal"
    assert api.get(f"{API}/conversations/{tagged['id']}").json()["priority"] == "normal"
    assert _timeline(api, tagged["id"]) == before
    assert _firings(api, tagged["id"]) == []
    missing = api.post(f"{API}/automation/dry-run", json={"conversation_id": str(uuid.uuid4())})
    assert missing.status_code == 404


def test_message_analysed_rule_on_nlp_fields(api: TestClient, container: Container, tenant: Tenant) -> None:
    _rule(
        api,
        name="Angry refund",
        triggers=["message_analysed"],
        conditions={
            "all": [
                {"field": "message.angry", "op": "eq", "value": True},
                {"field": "message.intent", "op": "in", "value": ["refund", "complaint"]},
            ]
        },
        actions=[
            {"type": "set_priority", "priority": "urgent"},
            {"type": "add_tags", "tags": ["angry-refund"]},
        ],
    )
    conversation = make_conversation(api)
    message = api.get(f"{API}/conversations/{conversation['id']}/messages").json()["items"][0]
    with container.session_factory() as session:
        conversations.record_message_analysis(
            session,
            workspace_id=tenant.workspace_id,
            message_id=uuid.UUID(message["id"]),
            analysis={"intent": "refund", "anger": 0.9, "angry": True, "sentiment": "negative"},
        )
        session.commit()
    current = api.get(f"{API}/conversations/{conversation['id']}").json()
    assert current["priority"] == "urgent" and "angry-refund" in current["tags"]


def test_time_rules_remind_once_then_close(api: TestClient, container: Container, clock: FrozenClock) -> None:
    macro = api.post(
        f"{API}/automation/macros",
        json={
            "name": "Still there?",
            "default_language": "en",
            "variants": {"en": "Hi {{customer.first_name|there}}, are you still there?", "th": "ยังอยู่ไหมคะ"},
        },
    ).json()
    _rule(
        api,
        name="Remind after 48 h pending",
        triggers=["time"],
        conditions={
            "all": [
                {"field": "conversation.status", "op": "eq", "value": "pending"},
                {"field": "conversation.idle_seconds", "op": "gt", "value": 48 * 3600},
            ]
        },
        actions=[{"type": "send_macro", "macro_id": macro["id"]}, {"type": "add_tags", "tags": ["reminded"]}],
    )
    _rule(
        api,
        name="Close a day after the reminder",
        triggers=["time"],
        conditions={
            "all": [
                {"field": "conversation.status", "op": "eq", "value": "pending"},
                {"field": "conversation.tags", "op": "contains", "value": "reminded"},
                {"field": "conversation.idle_seconds", "op": "gte", "value": 24 * 3600},
            ]
        },
        actions=[{"type": "set_status", "status": "resolved"}],
    )
    conversation = make_conversation(
        api,
        email="anna@example.com",
        customer={"identities": [{"kind": "email", "value": "anna@example.com"}], "name": "Anna Lee"},
    )
    untouched = make_conversation(api, email="bo@example.com")
    url = f"{API}/conversations/{conversation['id']}"
    assert api.post(f"{url}/status", json={"status": "pending"}).status_code == 200
    run = time_rules_job(container.session_factory)
    clock.advance(hours=47)
    assert run() == 0
    clock.advance(hours=2)
    assert run() == 1
    replies = [m for m in api.get(f"{url}/messages").json()["items"] if m["direction"] == "outbound"]
    assert [m["text"] for m in replies] == ["Hi Anna, are you still there?"]
    clock.advance(hours=1)
    assert run() == 0  # reminded once; the reply reset the idle time
    clock.advance(hours=24)
    assert run() == 1
    assert api.get(url).json()["status"] == "resolved"
    assert api.get(f"{API}/conversations/{untouched['id']}").json()["status"] == "open"


def test_escalate_notify_task_and_webhook_actions(
    api: TestClient, client: TestClient, container: Container, tenant: Tenant, received: list[dict[str, Any]]
) -> None:
    supervisor = make_agent(container, workspace_id=tenant.workspace_id, role=Role.SUPERVISOR)
    owner = make_agent(container, workspace_id=tenant.workspace_id, role=Role.AGENT)
    leads = make_team(container, workspace_id=tenant.workspace_id, name="Leads")
    rule = _rule(
        api,
        name="Escalate press",
        triggers=["conversation_updated"],
        conditions={"all": [{"field": "conversation.tags", "op": "contains", "value": "press"}]},
        actions=[
            {"type": "escalate", "team_id": str(leads), "reason": "press_enquiry"},
            {"type": "notify", "recipients": ["assignee"], "text": "Press on {{conversation.id}}"},
            {"type": "create_task", "title": "Call back", "due_in_seconds": 3600},
            {"type": "webhook", "url": "https://hooks.example.com/kefu"},
            {"type": "assign", "agent_id": str(uuid.uuid4())},
        ],
    )
    conversation = make_conversation(api)
    url = f"{API}/conversations/{conversation['id']}"
    api.post(f"{url}/assign", json={"assignee_id": str(owner.agent_id)})
    with capture_events(container, 1, of_type="automation.escalated") as escalated:
        api.post(f"{url}/tags", json={"add": ["press"]})
    assert escalated[0].payload["reason"] == "press_enquiry"
    current = api.get(url).json()
    assert (
        current["priority"] == "high" and current["team_id"] == str(leads) and "escalated" in current["tags"]
    )
    inbox = client.get(f"{API}/automation/notifications", headers=supervisor.headers).json()["items"]
    assert [(n["kind"], n["conversation_id"]) for n in inbox] == [("escalation", conversation["id"])]
    mine = client.get(f"{API}/automation/notifications", headers=owner.headers).json()["items"]
    assert [n["text"] for n in mine] == [f"Press on {conversation['id']}"]
    read = client.post(f"{API}/automation/notifications/{mine[0]['id']}/read", headers=owner.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert (
        client.post(
            f"{API}/automation/notifications/{mine[0]['id']}/read", headers=supervisor.headers
        ).status_code
        == 404
    )
    tasks = api.get(f"{API}/automation/tasks", params={"assignee_id": str(owner.agent_id)}).json()["items"]
    assert [(t["title"], t["source"], t["due_at"]) for t in tasks] == [
        ("Call back", "rule", "2026-03-02T10:00:00Z")
    ]
    assert [(b["url"], b["rule_id"], b["facts"]["conversation.priority"]) for b in received] == [
        ("https://hooks.example.com/kefu", rule["id"], "normal")
    ]
    audit = [e for e in _timeline(api, conversation["id"]) if e["kind"] == "rule_fired"]
    assert audit[-1]["after"]["actions"][-1] == {"action": "assign", "skipped": "not_found"}
