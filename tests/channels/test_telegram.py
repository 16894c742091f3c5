"""Telegram Bot API: secret-token header, a documented Update, a reply through sendMessage."""

from __future__ import annotations

import json

import httpx
from fastapi.testclient import TestClient

from kefu.wiring import Container
from tests.channels.conftest import create_inbox

UPDATE = {
    "update_id": 10000,
    "message": {
        "message_id": 1365,
        "from": {
            "id": 1111111,
            "is_bot": False,
            "first_name": "Somchai",
            "last_name": "K",
            "language_code": "th",
        },
        "chat": {"id": 1111111, "first_name": "Somchai", "last_name": "K", "type": "private"},
        "date": 1441645532,
        "text": "สวัสดีครับ",
    },
}


def test_update_in_reply_out(api: TestClient, container: Container) -> None:
    inbox = create_inbox(
        api, "telegram", {"bot_token": "123:ABC", "secret_token": "s3cr3t", "api_base_url": "http://tg.test"}
    )
    body = json.dumps(UPDATE).encode()
    assert (
        api.post(
            inbox["webhook_url"], content=body, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        ).status_code
        == 401
    )
    assert (
        api.post(
            inbox["webhook_url"], content=b"[]", headers={"X-Telegram-Bot-Api-Secret-Token": "s3cr3t"}
        ).status_code
        == 400
    )
    ok = api.post(inbox["webhook_url"], content=body, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cr3t"})
    assert ok.json() == {"accepted": 1, "duplicates": 0}
    [conversation] = api.get("/api/v1/conversations").json()["items"]
    assert conversation["channel"] == "telegram"
    [entry] = api.get("/api/v1/channels/inbound").json()["items"]
    assert (
        "x-telegram-bot-api-secret-token"
        not in api.get(f"/api/v1/channels/inbound/{entry['id']}").json()["request"]["headers"]
    )
    sent: list[httpx.Request] = []

    def telegram(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"ok": True, "result": {"message_id": 1366}})

    jobs = container.runtime._tasks["channels.send_outbound"].func.__self__
    jobs._transport = httpx.MockTransport(telegram)
    api.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "ยินดีช่วยครับ"})
    [delivery] = api.get("/api/v1/channels/deliveries").json()
    assert delivery["status"] == "sent"
    assert sent[0].url.path == "/bot123:ABC/sendMessage"
    assert json.loads(sent[0].content) == {"chat_id": "1111111", "text": "ยินดีช่วยครับ"}
