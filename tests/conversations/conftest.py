"""Fixtures of the conversations tests: extra agents and teams (from tests.factories), request shortcuts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kefu.accounts.enums import Role
from kefu.db.outbox import OutboxEvent
from kefu.wiring import Container
from tests import factories
from tests.conftest import Tenant
from tests.factories import Member, make_agent

API = "/api/v1"


MakeMember = Callable[..., Member]


@pytest.fixture
def make_member(container: Container, tenant: Tenant) -> MakeMember:
    """Create an agent (default: in the tenant's workspace) with a token."""

    def make(role: Role = Role.AGENT, *, workspace_id: uuid.UUID | None = None) -> Member:
        return make_agent(container, workspace_id=workspace_id or tenant.workspace_id, role=role, name="M")

    return make


@pytest.fixture
def make_team(container: Container, tenant: Tenant) -> Callable[..., uuid.UUID]:
    """Create a team (default: in the tenant's workspace) and return its id."""

    def make(name: str = "Tier 2", *, workspace_id: uuid.UUID | None = None) -> uuid.UUID:
        return factories.make_team(container, workspace_id=workspace_id or tenant.workspace_id, name=name)

    return make


open_conversation = factories.make_conversation


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
