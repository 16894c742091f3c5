"""Fixtures of the console tests: agents with passwords, logged-in clients, conversations."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.schemas import AgentIn
from kefu.wiring import Container
from tests.conftest import Tenant

PASSWORD = "correct horse battery"


@dataclass
class Agent:
    """An agent of the tenant with a known password."""

    id: uuid.UUID
    email: str


def make_agent(
    container: Container,
    tenant: Tenant,
    name: str,
    role: Role = Role.AGENT,
    languages: list[str] | None = None,
) -> Agent:
    """Create an agent in the tenant's workspace."""
    with container.session_factory() as session:
        workspace = accounts.get_workspace(session, workspace_id=tenant.workspace_id)
        email = f"{name}@{workspace.slug}.kefu.dev"
        agent = accounts.create_agent(
            session,
            workspace_id=tenant.workspace_id,
            data=AgentIn(
                email=email,
                display_name=name.title(),
                password=PASSWORD,
                role=role,
                languages=languages or [],
            ),
        )
        session.commit()
        return Agent(agent.id, email)


def log_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log in through the login form; returns the page's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/settings").text)


def csrf_of(html: str) -> str:
    """The CSRF token in a console page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def open_conversation(
    api: TestClient, text: str, name: str = "Somchai", channel: str = "whatsapp", phone: str = "+66812345678"
) -> dict:
    """A customer message through the public API: returns the conversation."""
    response = api.post(
        "/api/v1/inbound-messages",
        json={
            "customer": {"name": name, "identities": [{"kind": "phone", "value": phone}]},
            "channel": channel,
            "text": text,
        },
    )
    assert response.status_code == 201, response.text
    conversation: dict = response.json()["conversation"]
    return conversation


@pytest.fixture
def agent(container: Container, tenant: Tenant) -> Agent:
    """An agent (role agent) of the tenant."""
    return make_agent(container, tenant, "mali")
