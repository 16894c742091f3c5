"""The audit log: security-relevant actions are recorded, admins read them, nobody edits them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.audit.service import record
from kefu.main import create_app
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.factories import PASSWORD, make_agent

EVENTS = "/api/v1/audit/events"


def _actions(api: TestClient, **params: str) -> list[str]:
    return [row["action"] for row in api.get(EVENTS, params=params).json()["items"]]


def test_account_changes_are_audited_with_their_actor(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    created = api.post("/api/v1/agents", json={
        "email": "wei@acme.kefu.dev", "display_name": "Wei", "password": PASSWORD})
    agent_id = created.json()["id"]
    api.patch(f"/api/v1/agents/{agent_id}", json={"role": "supervisor"})
    token = api.post("/api/v1/tokens", json={"name": "ci", "agent_id": agent_id}).json()
    api.delete(f"/api/v1/tokens/{token['id']}")
    api.post(f"/api/v1/agents/{agent_id}/deactivate")
    api.patch("/api/v1/workspace", json={"timezone": "Asia/Jakarta"})
    rows = api.get(EVENTS, params={"actor_id": str(tenant.admin_id)}).json()["items"]
    assert [row["action"] for row in rows] == [
        "workspace.settings_changed", "agent.deactivated", "token.revoked", "token.issued",
        "agent.role_changed", "agent.created",
    ]
    assert {row["actor_id"] for row in rows} == {str(tenant.admin_id)}
    assert rows[4]["details"] == {"from": "agent", "to": "supervisor"}
    assert rows[0]["details"] == {"timezone": "Asia/Jakarta"}
    assert _actions(api, action="agent.role_changed") == ["agent.role_changed"]


def test_logins_and_failures_are_audited_with_the_client_ip(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    member = make_agent(container, workspace_id=tenant.workspace_id, email="budi@acme.kefu.dev")
    with TestClient(create_app(container, start_worker=False), client=("192.0.2.10", 5000)) as browser:
        browser.post("/api/v1/auth/login", json={"email": member.email, "password": "not it at all"})
        login = browser.post("/api/v1/auth/login", json={"email": member.email, "password": PASSWORD})
        browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": login.json()["csrf_token"]})
    rows = api.get(EVENTS, params={"target_id": str(member.agent_id)}).json()["items"]
    assert [(row["action"], row["client_ip"], row["actor_kind"]) for row in rows] == [
        ("auth.login_succeeded", "192.0.2.10", "agent"), ("auth.login_failed", "192.0.2.10", "anonymous"),
        ("agent.created", None, "system"),  # made by the test factory, not through the API
    ]
    assert _actions(api, action="auth.logout") == ["auth.logout"]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.QA_INSPECTOR])
def test_only_admins_read_the_audit_log(client: TestClient, container: Container, tenant: Tenant,
                                        role: Role) -> None:
    member = make_agent(container, workspace_id=tenant.workspace_id, role=role)
    response = client.get(EVENTS, headers=member.headers)
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_the_audit_log_is_append_only_in_the_api(api: TestClient) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert api.request(method, EVENTS).status_code == 405


def test_workspaces_see_only_their_own_rows(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    api.patch("/api/v1/workspace", json={"name": "Acme Service Centre"})
    theirs = client.get(EVENTS, headers=other_tenant.headers).json()["items"]
    assert [row["action"] for row in theirs] == ["token.issued", "agent.created"]  # their own setup
    assert {row["target_id"] for row in theirs} <= {None, str(other_tenant.admin_id)} | {
        row["target_id"] for row in theirs if row["target_kind"] == "api_token"}


def test_pages_filter_and_unknown_actions(api: TestClient, container: Container, tenant: Tenant) -> None:
    with container.session_factory() as session:
        for _ in range(3):
            record(session, workspace_id=tenant.workspace_id, action="customer.exported",
                   target_kind="customer", target_id="c-1", actor_id=tenant.admin_id)
        session.commit()
        with pytest.raises(ValueError, match="unknown audit action"):
            record(session, workspace_id=tenant.workspace_id, action="customer.peeked")
    exported = {"action": "customer.exported", "limit": 2}
    first = api.get(EVENTS, params=exported).json()
    second = api.get(EVENTS, params={**exported, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None


def test_customer_merges_and_deletes_are_audited(api: TestClient, tenant: Tenant) -> None:
    names = ("Ana", "Ana B.", "Bo")
    ids = [api.post("/api/v1/customers", json={"name": name}).json()["id"] for name in names]
    assert api.post(f"/api/v1/customers/{ids[0]}/merge", json={"source_id": ids[1]}).status_code == 200
    assert api.delete(f"/api/v1/customers/{ids[2]}").status_code == 204
    rows = [row for row in api.get(EVENTS).json()["items"] if row["target_kind"] == "customer"]
    assert [(row["action"], row["target_id"], row["actor_id"]) for row in rows] == [
        ("customer.deleted", ids[2], str(tenant.admin_id)), ("customer.merged", ids[0], str(tenant.admin_id)),
    ]
    assert rows[1]["details"] == {"source_customer_id": ids[1]}
