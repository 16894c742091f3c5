"""A trivial authenticated WebSocket: bearer token or same-origin session cookie, workspace-bound sessions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, WebSocket
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from kefu.accounts.dependencies import SESSION_COOKIE, WebSocketPrincipal, workspace_session
from kefu.accounts.models import Agent
from kefu.accounts.schemas import Principal
from kefu.main import create_app
from kefu.wiring import Container
from tests.conftest import Tenant

PASSWORD = "correct horse battery"


def _agent_emails(websocket: WebSocket, principal: Principal) -> list[str]:
    """One unit of work: the agents the caller's workspace-bound session can see."""
    with workspace_session(websocket, principal) as session, session.begin():
        return sorted(session.scalars(select(Agent.email)))  # no filter: the tenancy guard adds it


@pytest.fixture
def app(container: Container) -> FastAPI:
    """The real app plus one echo socket that answers with the caller and its workspace's agents."""
    app = create_app(container, start_worker=False)

    @app.websocket("/ws/whoami")
    async def whoami(websocket: WebSocket, principal: WebSocketPrincipal) -> None:
        await websocket.accept()
        await websocket.receive_text()
        emails = await run_in_threadpool(_agent_emails, websocket, principal)
        answer = {"agent_id": str(principal.agent_id), "via": principal.via, "agents": emails}
        await websocket.send_json(answer)
        await websocket.close()

    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of the app with the socket."""
    with TestClient(app) as test_client:
        yield test_client


def _ask(client: TestClient, **kwargs: object) -> dict[str, object]:
    with client.websocket_connect("/ws/whoami", **kwargs) as socket:  # type: ignore[arg-type]
        socket.send_text("who am I?")
        answer: dict[str, object] = socket.receive_json()
        return answer


def test_a_bearer_token_authenticates_and_the_session_sees_only_its_workspace(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    answer = _ask(client, headers=tenant.headers)
    assert answer == {
        "agent_id": str(tenant.admin_id), "via": "token", "agents": ["admin@acme-service.kefu.dev"]
    }


def test_a_session_cookie_authenticates_from_the_same_origin_only(
    client: TestClient, tenant: Tenant
) -> None:
    credentials = {"email": "admin@acme-service.kefu.dev", "password": PASSWORD}
    logged_in = client.post("/api/v1/auth/login", json=credentials)
    assert logged_in.status_code == 200
    assert SESSION_COOKIE in client.cookies
    cookie = f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}"  # a browser sends it on the handshake
    answer = _ask(client, headers={"origin": "http://testserver", "cookie": cookie})
    assert (answer["agent_id"], answer["via"]) == (str(tenant.admin_id), "session")
    with pytest.raises(WebSocketDisconnect) as refused:
        _ask(client, headers={"origin": "http://evil.example", "cookie": cookie})
    assert refused.value.code == 1008


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}]
)
def test_a_handshake_without_valid_credentials_is_refused(
    client: TestClient, tenant: Tenant, headers: dict[str, str]
) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        _ask(client, headers=headers)
    assert refused.value.code == 1008
