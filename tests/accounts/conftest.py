"""Fixtures of the accounts tests: cheap password hashing, extra agents, browser-like clients."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.main import create_app
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.factories import PASSWORD, Member, make_agent

MakeMember = Callable[..., Member]


@pytest.fixture
def make_member(container: Container, tenant: Tenant) -> MakeMember:
    """Create an agent (default in the tenant's workspace) with a password and a token."""

    def make(
        role: Role = Role.AGENT, *, email: str | None = None, workspace_id: uuid.UUID | None = None,
        password: str = PASSWORD, name: str = "Member",
    ) -> Member:
        return make_agent(container, workspace_id=workspace_id or tenant.workspace_id, role=role,
                          email=email, password=password, name=name)

    return make


@pytest.fixture
def new_client(container: Container) -> Iterator[Callable[[], TestClient]]:
    """Factory of fresh unauthenticated clients (each with its own cookie jar)."""
    clients: list[TestClient] = []

    def make() -> TestClient:
        test_client = TestClient(create_app(container, start_worker=False))
        test_client.__enter__()
        clients.append(test_client)
        return test_client

    yield make
    for test_client in clients:
        test_client.__exit__(None, None, None)


@pytest.fixture
def browser(new_client: Callable[[], TestClient]) -> TestClient:
    """An unauthenticated client that will keep a session cookie, like a browser."""
    return new_client()


def log_in(
    client: TestClient, email: str, password: str = PASSWORD, workspace: str | None = None
) -> dict[str, str]:
    """Log a client in; return the CSRF header for its unsafe requests."""
    body = {"email": email, "password": password}
    if workspace is not None:
        body["workspace"] = workspace
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def admin_email(tenant_slug: str = "acme-service") -> str:
    """Email of the admin that tests/conftest.py creates for a tenant."""
    return f"admin@{tenant_slug}.kefu.dev"
