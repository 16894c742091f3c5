"""API tokens authenticate a workspace's agent and never see another workspace."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from tests.accounts.conftest import MakeMember
from tests.conftest import Tenant


def test_token_authenticates_the_agent(api: TestClient, tenant: Tenant) -> None:
    me = api.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["id"] == str(tenant.admin_id)
    assert "password_hash" not in me.json()


def test_missing_or_bad_token_is_401_in_the_error_shape(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer kefu_nope"}, {"Authorization": "Basic x"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


def test_health_reports_database_and_worker(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body["database"]["status"] == "ok"
    assert body["worker"]["mode"] == "inline"


def test_token_is_shown_once_listed_without_secret_and_revocable(
    api: TestClient, client: TestClient
) -> None:
    created = api.post("/api/v1/tokens", json={"name": "CRM integration"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("kefu_") and secret.startswith(created.json()["prefix"])
    listed = api.get("/api/v1/tokens")
    assert secret not in listed.text and "token_hash" not in listed.text
    row = next(t for t in listed.json()["items"] if t["id"] == created.json()["id"])
    assert (row["name"], row["prefix"], row["revoked_at"]) == (
        "CRM integration", created.json()["prefix"], None
    )
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert api.delete(f"/api/v1/tokens/{row['id']}").status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert api.delete(f"/api/v1/tokens/{row['id']}").status_code == 204
    revoked = next(t for t in api.get("/api/v1/tokens").json()["items"] if t["id"] == row["id"])
    assert revoked["revoked_at"] is not None


def test_last_used_at_is_written_at_most_once_a_minute(
    api: TestClient, tenant: Tenant, clock: FrozenClock
) -> None:
    def last_used() -> str | None:
        items = api.get("/api/v1/tokens").json()["items"]
        value: str | None = next(t for t in items if t["name"] == "tests")["last_used_at"]
        return value

    first = last_used()
    assert first is not None and first.startswith("2026-03-02T09:00:00")
    clock.advance(seconds=59)
    assert last_used() == first
    clock.advance(seconds=1)
    latest = last_used()
    assert latest is not None and latest.startswith("2026-03-02T09:01:00")


def test_who_may_issue_and_revoke_tokens(
    client: TestClient, tenant: Tenant, other_tenant: Tenant, make_member: MakeMember
) -> None:
    agent, other = make_member(Role.AGENT), make_member(Role.AGENT)
    mine = client.post("/api/v1/tokens", json={"name": "cli"}, headers=agent.headers).json()
    assert client.post("/api/v1/tokens", json={"name": "x", "agent_id": str(other.agent_id)},
                       headers=agent.headers).status_code == 403
    assert client.get("/api/v1/tokens", params={"agent_id": str(other.agent_id)},
                      headers=agent.headers).status_code == 403
    admin_tokens = client.get("/api/v1/tokens", headers=tenant.headers).json()["items"]
    assert client.delete(f"/api/v1/tokens/{admin_tokens[0]['id']}",
                         headers=agent.headers).status_code == 404
    assert client.delete(f"/api/v1/tokens/{mine['id']}",
                         headers=other_tenant.headers).status_code == 404
    assert client.delete(f"/api/v1/tokens/{mine['id']}", headers=tenant.headers).status_code == 204

    bot = client.post("/api/v1/tokens", json={"name": "bot", "agent_id": str(other.agent_id)},
                      headers=tenant.headers).json()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {bot['token']}"}).json()
    assert me["id"] == str(other.agent_id)
    foreign = make_member(Role.AGENT, workspace_id=other_tenant.workspace_id)
    assert client.post("/api/v1/tokens", json={"name": "x", "agent_id": str(foreign.agent_id)},
                       headers=tenant.headers).status_code == 404
    client.post(f"/api/v1/agents/{other.agent_id}/deactivate", headers=tenant.headers)
    inactive = client.post("/api/v1/tokens", json={"name": "x", "agent_id": str(other.agent_id)},
                           headers=tenant.headers)
    assert inactive.status_code == 409 and inactive.json()["error"]["code"] == "agent_inactive"
