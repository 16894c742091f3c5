"""Item 6: merging customers (irreversible) needs a supervisor or an admin, like deleting."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.wiring import Container
from tests.conftest import make_tenant


@pytest.mark.parametrize(("role", "status"), [(Role.AGENT, 403), (Role.SUPERVISOR, 200), (Role.ADMIN, 200)])
def test_merge_needs_a_supervisor_or_admin(
    client: TestClient, container: Container, role: Role, status: int
) -> None:
    tenant = make_tenant(container, f"Merge {role.value}", role=role)
    headers = tenant.headers
    ids = [
        client.post("/api/v1/customers", json={"name": name}, headers=headers).json()["id"]
        for name in ("Ana", "Ana B.")
    ]
    response = client.post(
        f"/api/v1/customers/{ids[0]}/merge", json={"source_id": ids[1]}, headers=headers
    )
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["error"]["code"] == "forbidden"
        assert client.get(f"/api/v1/customers/{ids[1]}", headers=headers).json()["id"] == ids[1]
