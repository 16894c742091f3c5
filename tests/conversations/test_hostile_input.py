"""Whatever a client sends to the conversations API, it never gets a 5xx; errors keep the one shape."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.conversations.conftest import API, open_conversation

HOSTILE = ['"\\u0000"', '"\\udfff\\ud800"', json.dumps("x" * 100_000), json.dumps("💥" * 300),
           json.dumps("%_' OR 1=1 --"), '"\u202e"', "1e999", "-1", "[1]", "{}", "true", "null"]  # fmt: skip
PLACEHOLDER = "__hostile__"


def _bodies(base: dict[str, Any]) -> list[str]:
    bodies = ["", "{", "[]", "null", '{"a": ' * 50 + "1" + "}" * 50]
    for field in [*base, "unexpected"]:
        template = json.dumps({**base, field: PLACEHOLDER})
        bodies += [template.replace(f'"{PLACEHOLDER}"', literal) for literal in HOSTILE]
    return bodies


def test_hostile_bodies_never_cause_a_5xx(api: TestClient) -> None:
    created = open_conversation(api)
    cid, customer_id = created["id"], created["customer_id"]
    attachment = {"name": "a.png", "content_type": "image/png", "size": 1, "url": "https://x.co/a.png"}
    endpoints: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/conversations", {
            "customer": {"identities": [{"kind": "email", "value": "h@x.co"}], "name": "H"},
            "channel": "chat", "subject": "s", "priority": "high", "language": "en", "tags": ["t"],
            "custom_fields": {"k": "v"}, "message": {"text": "t", "attachments": [attachment]},
        }),
        ("POST", "/inbound-messages", {"customer_id": customer_id, "text": "t", "external_id": "e"}),
        ("PATCH", f"/conversations/{cid}", {"subject": "s", "status": "snoozed",
                                             "snoozed_until": "2026-03-03T00:00:00Z", "custom_fields": {}}),
        ("POST", f"/conversations/{cid}/messages", {"kind": "note", "text": "t", "attachments": []}),
        ("POST", f"/conversations/{cid}/status", {"status": "pending"}),
        ("POST", f"/conversations/{cid}/snooze", {"until": "2026-03-03T00:00:00Z"}),
        ("POST", f"/conversations/{cid}/assign", {"assignee_id": None, "team_id": None}),
        ("POST", f"/conversations/{cid}/tags", {"add": ["a"], "remove": ["b"]}),
        ("POST", f"/conversations/{cid}/complaint", {"amount": "1", "currency": "USD"}),
    ]  # fmt: skip
    for method, path, base in endpoints:
        for body in _bodies(base):
            response = api.request(method, API + path, content=body.encode("utf-8", "surrogatepass"),
                                   headers={"Content-Type": "application/json"})  # fmt: skip
            assert response.status_code < 500, (path, body[:80], response.text[:200])
            if response.status_code >= 400:
                assert set(response.json()["error"]) == {"code", "message", "details"}


def test_hostile_paths_and_queries_never_cause_a_5xx(api: TestClient) -> None:
    cid = open_conversation(api)["id"]
    urls = [
        f"/conversations/{'9' * 40}", "/conversations/%00",
        f"/conversations/{cid}/messages?cursor=" + "A" * 300,
        f"/conversations/{cid}/timeline?cursor=bnVsbA", f"/conversations/{cid}/messages?cursor=WzEsMl0",
        "/conversations?cursor=WyJ4IiwieSJd", "/conversations?cursor=WzEsMl0",
        "/conversations?cursor=W251bGxd",
        "/conversations?q=%00", "/conversations?q=%ED%A0%80", "/conversations?tag=%00",
        "/conversations?limit=99999999999999999999", "/conversations?is_complaint=maybe",
        "/conversations?assignee=%00", "/conversations?status=open&status=open&status=open&status=open"
        "&status=open&status=open",
    ]  # fmt: skip
    for url in urls:
        response = api.get(API + url)
        assert response.status_code < 500, (url, response.text[:200])
        assert response.status_code in (200, 404, 422), (url, response.status_code)
