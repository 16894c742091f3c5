"""Item 7: control characters, ANSI escapes and bidi overrides. Customer text is kept as sent with a
display form beside it; agent-authored fields (tags, subjects, names) refuse them."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kefu.core.text import deceptive_characters, display_form, displayed
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.factories import make_agent

HOSTILE = "Refund \x1b[31mAPPROVED\x1b[0m for invoice \u202egnp.exe\u202c\x07 now\r\nthanks\x85"
SHOWN = "Refund ␛[31mAPPROVED␛[0m for invoice gnp.exe␇ now\nthanks\ufffd"
BAD_LINES = ["vip\u202e", "vip\x1b[1m", "a\u2066b\u2069", "line\u2028break", "bell\x07"]


def _inbound(api: TestClient, text: str) -> dict:
    response = api.post("/api/v1/inbound-messages", json={
        "customer": {"name": "Somchai", "identities": [{"kind": "phone", "value": "+66812345678"}]},
        "channel": "whatsapp", "text": text,
    })
    assert response.status_code == 201, response.text
    return response.json()


def test_customer_text_is_kept_as_sent_and_shown_neutralised(api: TestClient) -> None:
    received = _inbound(api, HOSTILE)
    assert received["message"]["text"] == HOSTILE
    assert received["message"]["display_text"] == SHOWN
    conversation = received["conversation"]
    assert "\u202e" not in conversation["subject"] and "\x1b" not in conversation["subject"]
    listed = api.get(f"/api/v1/conversations/{conversation['id']}/messages").json()["items"]
    assert [(m["text"], m["display_text"]) for m in listed] == [(HOSTILE, SHOWN)]
    plain = _inbound(api, "สวัสดีค่ะ مرحبا 你好")
    assert plain["message"]["display_text"] == plain["message"]["text"]


def test_the_console_shows_the_display_form(
    api: TestClient, client: TestClient, container: Container, tenant: Tenant
) -> None:
    from tests.web.conftest import log_in

    conversation = _inbound(api, HOSTILE)["conversation"]
    agent = make_agent(container, workspace_id=tenant.workspace_id)
    log_in(client, agent.email)
    page = client.get(f"/conversations/{conversation['id']}")
    assert page.status_code == 200
    assert "␛[31mAPPROVED" in page.text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]", page.text)


@pytest.mark.parametrize("tag", BAD_LINES)
def test_conversation_tags_refuse_deceptive_characters(api: TestClient, tag: str) -> None:
    conversation = _inbound(api, "hello")["conversation"]
    response = api.post(f"/api/v1/conversations/{conversation['id']}/tags", json={"add": [tag]})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["loc"][:2] == ["body", "add"]


@pytest.mark.parametrize("subject", BAD_LINES)
def test_subjects_refuse_deceptive_characters(api: TestClient, subject: str) -> None:
    conversation = _inbound(api, "hello")["conversation"]
    response = api.patch(f"/api/v1/conversations/{conversation['id']}", json={"subject": subject})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["loc"] == ["body", "subject"]


@pytest.mark.parametrize("value", ["Ana\u202eevil", "VIP\u2067"])
def test_customer_names_tags_and_agent_and_team_names_refuse_bidi_overrides(
    api: TestClient, value: str
) -> None:
    assert api.post("/api/v1/customers", json={"name": value}).status_code == 422
    assert api.post("/api/v1/customers", json={"name": "Ana", "tags": [value]}).status_code == 422
    assert api.patch("/api/v1/me", json={"display_name": value}).status_code == 422
    assert api.post("/api/v1/teams", json={"name": value}).status_code == 422


def test_display_form_rules() -> None:
    assert display_form("plain text, ไทย, 中文\n\ttab") is None
    assert display_form("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    assert display_form("\x00\x1b\x7f\x9b") == "\u2400\u241b\u2421\ufffd"
    assert display_form("\u200f\u061c kept marks \u202b\u202c") == "\u200f\u061c kept marks "
    assert displayed("same") == "same"
    assert deceptive_characters("tag\u202e\x1b") == ["U+001B", "U+202E"]
    assert deceptive_characters("two\nlines", multi_line=True) == []
