"""Fixtures of the conversations tests: extra agents and teams, request shortcuts, the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from kefu.accounts import passwords
from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.schemas import AgentIn, TeamIn
from kefu.db.outbox import OutboxEvent
from kefu.wiring import Container
from tests.conftest import Tenant

API = "/api/v1"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with minimal cost for the tenants' admins: same code path, a fraction of the time."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@dataclass
class Member:
    """An agent of a workspace with an API token."""

    agent_id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """Authorization header of this agent."""
        return {"Authorization": f"Bearer {self.token}"}


MakeMember = Callable[..., Member]


@pytest.fixture
def make_member(container: Container, tenant: Tenant) -> MakeMember:
    """Create an agent (default: in the tenant's workspace) with a token."""

    def make(role: Role = Role.AGENT, *, workspace_id: uuid.UUID | None = None) -> Member:
        with container.session_factory() as session:
            agent = accounts.create_agent(
                session,
                workspace_id=workspace_id or tenant.workspace_id,
                data=AgentIn(
                    email=f"{role.value}-{uuid.uuid4().hex[:8]}@acme.kefu.dev", display_name="M", role=role
                ),
            )
            issued = accounts.issue_api_token(
                session, workspace_id=agent.workspace_id, agent_id=agent.id, name="tests"
            )
            session.commit()
        return Member(agent.id, issued.token)

    return make


@pytest.fixture
def make_team(container: Container, tenant: Tenant) -> Callable[..., uuid.UUID]:
    """Create a team (default: in the tenant's workspace) and return its id."""

    def make(name: str = "Tier 2", *, workspace_id: uuid.UUID | None = None) -> uuid.UUID:
        with container.session_factory() as session:
            team = accounts.create_team(
                session, workspace_id=workspace_id or tenant.workspace_id, data=TeamIn(name=name)
            )
            session.commit()
            return team.id

    return make


def open_conversation(api: TestClient, email: str = "ann@example.com", **fields: Any) -> dict[str, Any]:
    """POST /conversations for a customer found or created by email; returns the conversation."""
    body: dict[str, Any] = {
        "customer": {"identities": [{"kind": "email", "value": email}]},
        "channel": "chat",
        "message": {"text": "Where is my order?"},
    }
    body.update(fields)
    response = api.post(f"{API}/conversations", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def inbound(api: TestClient, customer_id: str, text: str = "hello", **fields: Any) -> dict[str, Any]:
    """POST /inbound-messages from an existing customer; returns the whole answer."""
    body = {"customer_id": customer_id, "channel": "chat", "text": text, **fields}
    response = api.post(f"{API}/inbound-messages", json=body)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def timeline(api: TestClient, conversation_id: str) -> list[dict[str, Any]]:
    """All timeline entries of a conversation, in order."""
    response = api.get(f"{API}/conversations/{conversation_id}/timeline", params={"limit": 200})
    assert response.status_code == 200
    return list(response.json()["items"])


@pytest.fixture
def published(container: Container) -> Callable[[], list[tuple[str, dict[str, Any]]]]:
    """Read back every event published so far: (event type, payload) in order."""

    def read() -> list[tuple[str, dict[str, Any]]]:
        with container.session_factory() as session:
            rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
            return [(row.event_type, row.payload) for row in rows]

    return read
