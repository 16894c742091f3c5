"""Data protection through the HTTP API: export, erasure (idempotent, audited) and retention."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from kefu.privacy.tasks import apply_retention_job
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.events import capture_events
from tests.factories import API, make_agent, make_conversation

PRIVACY = f"{API}/privacy"


def _customer_with_history(api: TestClient) -> tuple[str, str]:
    """A customer (email + phone, name, tags, fields) with a conversation: message, reply, note."""
    opened = make_conversation(api, email="ann@example.com", subject="Order A-1 for Ann Tan")
    conversation_id, customer_id = opened["id"], opened["customer_id"]
    assert (
        api.patch(
            f"{API}/customers/{customer_id}",
            json={
                "name": "Ann Tan",
                "custom_fields": {"address": "1 Orchard Rd"},
                "tags": ["vip"],
            },
        ).status_code
        == 200
    )
    assert (
        api.post(
            f"{API}/customers/{customer_id}/identities", json={"kind": "phone", "value": "+6591234567"}
        ).status_code
        == 201
    )
    assert (
        api.post(
            f"{API}/conversations/{conversation_id}/messages", json={"text": "Hi Ann, on its way"}
        ).status_code
        == 201
    )
    assert (
        api.post(
            f"{API}/conversations/{conversation_id}/messages",
            json={"text": "lives at Orchard", "kind": "note"},
        ).status_code
        == 201
    )
    return customer_id, conversation_id


def _messages(api: TestClient, conversation_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.get(f"{API}/conversations/{conversation_id}/messages").json()["items"]
    return items


def test_export_holds_customer_identities_conversations_and_messages(
    api: TestClient, container: Container
) -> None:
    customer_id, conversation_id = _customer_with_history(api)
    with capture_events(container, 1, of_type="customer.data_exported") as events:
        response = api.get(f"{PRIVACY}/customers/{customer_id}/export")
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["format"] == "kefu.customer_export.v1"
    assert export["customer"]["name"] == "Ann Tan"
    assert {i["value"] for i in export["customer"]["identities"]} == {"ann@example.com", "+6591234567"}
    [conversation] = export["conversations"]
    assert conversation["id"] == conversation_id
    assert [m["text"] for m in conversation["messages"]] == [
        "Where is my order?",
        "Hi Ann, on its way",
        "lives at Orchard",
    ]
    assert conversation["timeline"][0]["kind"] == "opened"
    assert events[0].payload["customer_id"] == customer_id and events[0].payload["conversations"] == 1


def test_erasure_removes_personal_data_keeps_counts_and_is_idempotent(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    customer_id, conversation_id = _customer_with_history(api)
    before = api.get(f"{API}/conversations/{conversation_id}").json()
    with capture_events(container, 1, of_type="customer.erased") as events:
        erased = api.post(f"{PRIVACY}/customers/{customer_id}/erase", json={"reason": "DSR-17 by email"})
    assert erased.status_code == 200, erased.text
    record = erased.json()
    assert record["identities_removed"] == 2 and record["messages_redacted"] == 3
    assert record["conversations_redacted"] == 1 and record["already_erased"] is False
    assert events[0].payload["actor_agent_id"] == str(tenant.admin_id)

    customer = api.get(f"{API}/customers/{customer_id}").json()
    assert customer["name"] is None and customer["identities"] == [] and customer["tags"] == []
    assert customer["custom_fields"] == {}
    after = api.get(f"{API}/conversations/{conversation_id}").json()
    assert after["subject"] == "" and after["inbound_count"] == before["inbound_count"]
    assert after["outbound_count"] == before["outbound_count"] and after["status"] == before["status"]
    assert [m["text"] for m in _messages(api, conversation_id)] == ["", "", ""]
    found = api.get(f"{API}/customers", params={"q": "ann@example.com"}).json()["items"]
    assert found == []

    with capture_events(container, 0, of_type="customer.erased"):
        again = api.post(f"{PRIVACY}/customers/{customer_id}/erase")
    assert again.status_code == 200
    assert again.json()["already_erased"] is True and again.json()["id"] == record["id"]
    export = api.get(f"{PRIVACY}/customers/{customer_id}/export").json()
    assert [e["reason"] for e in export["erasures"]] == ["DSR-17 by email"]


def test_erasing_a_merged_customer_points_at_its_target(api: TestClient) -> None:
    source = make_conversation(api, email="one@example.com")["customer_id"]
    target = make_conversation(api, email="two@example.com")["customer_id"]
    assert api.post(f"{API}/customers/{target}/merge", json={"source_id": source}).status_code == 200
    response = api.post(f"{PRIVACY}/customers/{source}/erase")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "customer_merged"
    assert response.json()["error"]["details"]["merged_into_id"] == target


@pytest.mark.parametrize(
    ("role", "export", "erase", "settings"),
    [
        (Role.AGENT, 403, 403, 403),
        (Role.QA_INSPECTOR, 403, 403, 403),
        (Role.SUPERVISOR, 200, 200, 403),
        (Role.ADMIN, 200, 200, 200),
    ],
)
def test_roles(
    client: TestClient,
    container: Container,
    tenant: Tenant,
    api: TestClient,
    role: Role,
    export: int,
    erase: int,
    settings: int,
) -> None:
    customer_id, _ = _customer_with_history(api)
    member = make_agent(container, workspace_id=tenant.workspace_id, role=role)
    headers = member.headers
    assert client.get(f"{PRIVACY}/customers/{customer_id}/export", headers=headers).status_code == export
    assert client.post(f"{PRIVACY}/customers/{customer_id}/erase", headers=headers).status_code == erase
    assert (
        client.patch(f"{PRIVACY}/settings", json={"retention_days": 30}, headers=headers).status_code
        == settings
    )


def test_other_workspace_cannot_export_or_erase(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    customer_id, _ = _customer_with_history(api)
    assert (
        client.get(f"{PRIVACY}/customers/{customer_id}/export", headers=other_tenant.headers).status_code
        == 404
    )
    assert (
        client.post(f"{PRIVACY}/customers/{customer_id}/erase", headers=other_tenant.headers).status_code
        == 404
    )


def test_retention_redacts_idle_conversations_only(
    api: TestClient, container: Container, clock: FrozenClock
) -> None:
    _old_customer, old = _customer_with_history(api)
    clock.advance(days=40)
    recent = make_conversation(api, email="bob@example.com")["id"]
    assert api.get(f"{PRIVACY}/settings").json() == {"retention_days": None, "retention_action": "redact"}
    with capture_events(container, 0, of_type="privacy.retention_applied"):
        assert apply_retention_job(container.session_factory)() == 0  # no policy: nothing happens
    changed = api.patch(f"{PRIVACY}/settings", json={"retention_days": 30})
    assert changed.json() == {"retention_days": 30, "retention_action": "redact"}
    with capture_events(container, 1, of_type="privacy.retention_applied") as events:
        assert apply_retention_job(container.session_factory)() == 1
    assert events[0].payload["conversations"] == 1 and events[0].payload["action"] == "redact"
    assert [m["text"] for m in _messages(api, old)] == ["", "", ""]
    assert [m["text"] for m in _messages(api, recent)] == ["Where is my order?"]
    assert api.get(f"{API}/conversations/{old}").json()["inbound_count"] == 1
    run = api.post(f"{PRIVACY}/retention/run")
    assert run.status_code == 200 and run.json()["conversations"] == 0  # idempotent


def test_retention_can_delete_conversations(api: TestClient, clock: FrozenClock) -> None:
    _customer, old = _customer_with_history(api)
    clock.advance(days=10)
    assert (
        api.patch(f"{PRIVACY}/settings", json={"retention_days": 7, "retention_action": "delete"}).status_code
        == 200
    )
    run = api.post(f"{PRIVACY}/retention/run").json()
    assert run["conversations"] == 1 and run["action"] == "delete"
    assert api.get(f"{API}/conversations/{old}").status_code == 404
    [audited] = api.get(f"{API}/audit/events", params={"action": "retention.applied"}).json()["items"]
    assert audited["actor_kind"] == "agent" and audited["actor_id"] is not None  # the admin who ran it


@pytest.mark.parametrize(
    "body", [{"retention_days": 0}, {"retention_days": 36_501}, {"retention_action": "shred"}, {"unknown": 1}]
)
def test_bad_settings_are_422(api: TestClient, body: dict[str, Any]) -> None:
    response = api.patch(f"{PRIVACY}/settings", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
