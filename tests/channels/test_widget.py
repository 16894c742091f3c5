"""The chat widget's socket: acknowledged, exactly-once messages, replies pushed, resume, identified users."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from kefu.channels.adapters.widget.adapter import user_hash
from kefu.wiring import Container
from tests.channels.conftest import create_inbox

SECRET = "host-app-secret"


def _inbox(api: TestClient, **settings: Any) -> dict[str, Any]:
    return create_inbox(api, "widget", {"identity_secret": SECRET, "title": "Shop help", **settings})


def _until(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = ws.receive_json()
        if frame["type"] == kind:
            return frame


def _message(client_id: str, text: str, **contact: str) -> dict[str, Any]:
    return {"type": "message", "client_id": client_id, "text": text, "contact": contact}


def test_inbox_answer_has_the_page_and_the_snippet(api: TestClient) -> None:
    inbox = _inbox(api)
    assert inbox["widget_url"] == f"/widget/{inbox['id']}"
    assert inbox["webhook_url"] is None
    assert inbox["secrets_set"] == ["identity_secret"]
    script = "http://testserver/static/widget/embed.js"
    assert inbox["embed_snippet"] == f'<script src="{script}" data-kefu-inbox="{inbox["id"]}" async></script>'
    page = api.get(inbox["widget_url"])
    assert page.status_code == 200
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    assert "x-frame-options" not in page.headers
    assert page.cookies.get("kefu_visitor", "").startswith("v1.")
    assert api.get("/static/widget/embed.js").status_code == 200
    assert api.get("/widget/00000000-0000-0000-0000-000000000000").status_code == 404


def test_visitor_message_is_acknowledged_stored_once_and_the_reply_pushed(
    api: TestClient, container: Container
) -> None:
    inbox = _inbox(api)
    with api.websocket_connect(f"/widget/{inbox['id']}/socket") as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["visitor"].startswith("v1.")
        _until(ws, "ready")
        ws.send_json(_message("c-1", "Halo, pesanan saya belum sampai", name="Ayu", email="ayu@example.id"))
        ack = _until(ws, "ack")
        assert ack == {"type": "ack", "client_id": "c-1", "duplicate": False}
        echo = _until(ws, "message")
        assert echo["client_id"] == "c-1" and echo["direction"] == "inbound"
        ws.send_json(_message("c-1", "Halo, pesanan saya belum sampai"))  # resent after a lost ack
        assert _until(ws, "ack")["duplicate"] is True

        [conversation] = api.get("/api/v1/conversations").json()["items"]
        assert conversation["channel"] == "chat"
        customer = api.get(f"/api/v1/customers/{conversation['customer_id']}").json()
        assert customer["name"] == "Ayu"
        email = next(i for i in customer["identities"] if i["kind"] == "email")
        assert email["verified"] is False  # typed into a form: a claim, not proof
        api.post(
            f"/api/v1/conversations/{conversation['id']}/messages",
            json={"text": "internal only", "kind": "note"},
        )
        api.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "Kami cek sekarang"})
        reply = _until(ws, "message")
        assert reply["direction"] == "outbound" and reply["text"] == "Kami cek sekarang"
        token, last = hello["visitor"], reply["id"]

    messages = api.get(f"/api/v1/conversations/{conversation['id']}/messages").json()["items"]
    assert [m["direction"] for m in messages].count("inbound") == 1
    api.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "Sudah dikirim besok"})
    with api.websocket_connect(f"/widget/{inbox['id']}/socket?visitor={token}&after={last}") as ws:
        assert ws.receive_json()["visitor"] == token  # the same visitor again
        missed = _until(ws, "message")
        assert missed["text"] == "Sudah dikirim besok"  # only what came after the last id seen
        assert _until(ws, "ready")
    [delivery, _] = api.get("/api/v1/channels/deliveries").json()
    assert delivery["status"] == "sent"


def test_identified_user_and_forged_identities(api: TestClient) -> None:
    inbox = _inbox(api)
    url = f"/widget/{inbox['id']}/socket"
    try:
        with api.websocket_connect(f"{url}?user_id=42&user_hash=forged") as ws:
            ws.receive_json()
        raise AssertionError("a forged user hash was accepted")
    except WebSocketDisconnect as closed:
        assert closed.code == 4401
    with api.websocket_connect(f"{url}?user_id=42&user_hash={user_hash(SECRET, '42')}") as ws:
        assert ws.receive_json()["identified"] is True
        _until(ws, "ready")
        ws.send_json(_message("u-1", "I am signed in", email="user42@shop.example"))
        _until(ws, "ack")
    [conversation] = api.get("/api/v1/conversations").json()["items"]
    customer = api.get(f"/api/v1/customers/{conversation['customer_id']}").json()
    kinds = {(i["kind"], i["value"], i["verified"]) for i in customer["identities"]}
    assert ("web", "user:42", True) in kinds
    assert ("email", "user42@shop.example", True) in kinds


def test_bad_frames_and_origins(api: TestClient) -> None:
    inbox = _inbox(api, allowed_origins="https://shop.example")
    url = f"/widget/{inbox['id']}/socket"
    try:
        with api.websocket_connect(url, headers={"origin": "https://evil.example"}) as ws:
            ws.receive_json()
        raise AssertionError("a foreign origin was accepted")
    except WebSocketDisconnect as closed:
        assert closed.code == 4403
    with api.websocket_connect(url, headers={"origin": "https://shop.example"}) as ws:
        _until(ws, "ready")
        ws.send_text("not json")
        assert ws.receive_json()["type"] == "error"
        ws.send_json({"type": "message", "client_id": "x", "text": ""})
        assert ws.receive_json() == {"type": "error", "client_id": "x", "reason": "text is required"}
    assert api.get("/api/v1/conversations").json()["items"] == []


def test_offline_form_posts_through_the_ledger(api: TestClient) -> None:
    inbox = _inbox(api)
    token = api.get(inbox["widget_url"]).cookies["kefu_visitor"]
    body = {
        "client_id": "o-1",
        "text": "Call me back please",
        "contact": {"phone": "+6281234567890"},
        "visitor": token,
    }
    first = api.post(f"/widget/{inbox['id']}/messages", json=body)
    assert first.status_code == 202 and first.json()["duplicate"] is False
    assert api.post(f"/widget/{inbox['id']}/messages", json=body).json()["duplicate"] is True
    api.cookies.clear()
    forged = api.post(f"/widget/{inbox['id']}/messages", json={**body, "visitor": "v1.abc.forged"})
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "unknown_visitor"
    assert len(api.get("/api/v1/conversations").json()["items"]) == 1
