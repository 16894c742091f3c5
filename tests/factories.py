"""One factory per entity for tests: rows made through the public services (or the HTTP API), committed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.schemas import AgentIn, TeamIn
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerIn, IdentityIn
from kefu.wiring import Container

PASSWORD = "correct horse battery"
API = "/api/v1"


@dataclass
class Member:
    """An agent of a workspace with a password and an API token."""

    agent_id: uuid.UUID
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """Authorization header of this agent."""
        return {"Authorization": f"Bearer {self.token}"}


def make_agent(
    container: Container, *, workspace_id: uuid.UUID, role: Role = Role.AGENT, email: str | None = None,
    password: str = PASSWORD, name: str = "Member",
) -> Member:
    """An agent with a role, a password and an API token."""
    email = email or f"{role.value}-{uuid.uuid4().hex[:8]}@acme.kefu.dev"
    with container.session_factory() as session:
        agent = accounts.create_agent(
            session, workspace_id=workspace_id,
            data=AgentIn(email=email, display_name=name, password=password, role=role),
        )
        issued = accounts.issue_api_token(session, workspace_id=workspace_id, agent_id=agent.id, name="tests")
        session.commit()
    return Member(agent.id, email, issued.token)


def make_team(container: Container, *, workspace_id: uuid.UUID, name: str = "Tier 2") -> uuid.UUID:
    """A team of the workspace; returns its id."""
    with container.session_factory() as session:
        team = accounts.create_team(session, workspace_id=workspace_id, data=TeamIn(name=name))
        session.commit()
        return team.id


def make_customer(
    container: Container, *, workspace_id: uuid.UUID, email: str = "ann@example.com", name: str = "Ann"
) -> uuid.UUID:
    """A customer with one email identity; returns its id."""
    data = CustomerIn(name=name, identities=[IdentityIn(kind="email", value=email)])
    with container.session_factory() as session:
        customer = customers.create_customer(session, workspace_id=workspace_id, data=data)
        session.commit()
        return customer.id


def make_conversation(api: TestClient, email: str = "ann@example.com", **fields: Any) -> dict[str, Any]:
    """A conversation opened over HTTP for a customer found or created by email; returns it."""
    body: dict[str, Any] = {
        "customer": {"identities": [{"kind": "email", "value": email}]},
        "channel": "chat",
        "message": {"text": "Where is my order?"},
    }
    body.update(fields)
    response = api.post(f"{API}/conversations", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())
