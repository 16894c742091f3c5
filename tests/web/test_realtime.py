"""The console WebSocket: authorised by the session, per workspace, fed by outbox events, caught up."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from kefu.realtime.hub import LocalHub
from tests.conftest import make_tenant
from tests.web.conftest import Agent, log_in, make_agent, open_conversation

ORIGIN = {"origin": "http://testserver"}


def _next_update(socket) -> dict:
    while True:
        message = socket.receive_json()
        if message["type"] == "conversation.updated":
            return message


def test_a_new_message_is_pushed_to_the_workspace(api: TestClient, client: TestClient, agent: Agent) -> None:
    log_in(client, agent.email)
    with client.websocket_connect("/realtime", headers=ORIGIN) as socket:
        assert socket.receive_json() == {"type": "ready"}
        conversation = open_conversation(api, "ข้อความใหม่ถึงแล้ว")
        update = _next_update(socket)
        assert update["conversation"]["id"] == conversation["id"]
        assert update["conversation"]["preview"] == "ข้อความใหม่ถึงแล้ว"
        assert update["conversation"]["customer_name"] == "Somchai"
        assert update["event_id"] > 0


def test_reconnect_catches_up_from_the_last_event_id(
    api: TestClient, client: TestClient, agent: Agent
) -> None:
    log_in(client, agent.email)
    first = open_conversation(api, "one")
    with client.websocket_connect("/realtime?after=0", headers=ORIGIN) as socket:
        caught = _next_update(socket)
        assert caught["conversation"]["id"] == first["id"]
        last = caught["event_id"]
    api.post(f"/api/v1/conversations/{first['id']}/assign", json={"assignee_id": str(agent.id)})
    with client.websocket_connect(f"/realtime?after={last}", headers=ORIGIN) as socket:
        update = _next_update(socket)
        assert update["conversation"]["assignee_id"] == str(agent.id)
        assert update["event_id"] > last


def test_other_workspaces_hear_nothing(container, api: TestClient, client: TestClient) -> None:
    other = make_tenant(container, "Other Corp")
    stranger = make_agent(container, other, "sam")
    log_in(client, stranger.email)
    with client.websocket_connect("/realtime?after=0", headers=ORIGIN) as socket:
        assert socket.receive_json() == {"type": "ready"}
        open_conversation(api, "private")  # pushed (inline relay) before the call returns
        hub = container.realtime.hub
        assert isinstance(hub, LocalHub)
        hub.publish(other.workspace_id, {"type": "marker"})
        assert socket.receive_json() == {"type": "marker"}


@pytest.mark.parametrize("headers", [{}, {"origin": "http://evil.example"}])
def test_sockets_need_the_session_and_the_same_origin(client: TestClient, agent: Agent, headers) -> None:
    log_in(client, agent.email)
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/realtime", headers=headers) as socket:
        socket.receive_json()


def test_sockets_refuse_strangers(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/realtime", headers=ORIGIN) as socket:
        socket.receive_json()
