"""API tokens authenticate a workspace's agent and never see another workspace."""

from __future__ import annotations

from fastapi.testclient import TestClient

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
