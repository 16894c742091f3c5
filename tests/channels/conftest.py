"""Helpers of the channels tests: inboxes over the API, signed provider requests."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from fastapi.testclient import TestClient

FAKE_SECRET = "fake-secret-123"


def create_inbox(
    api: TestClient, channel: str, settings: dict[str, Any], name: str = "Inbox"
) -> dict[str, Any]:
    """Create an inbox over the API and return its answer."""
    response = api.post("/api/v1/inboxes", json={"channel": channel, "name": name, "settings": settings})
    assert response.status_code == 201, response.text
    return response.json()


def fake_body(*messages: dict[str, Any], statuses: list[dict[str, Any]] | None = None) -> bytes:
    """A fake-provider webhook body."""
    return json.dumps({"messages": list(messages), "statuses": statuses or []}).encode()


def fake_post(client: TestClient, inbox: dict[str, Any], body: bytes, secret: str = FAKE_SECRET) -> Any:
    """POST a fake-provider webhook signed with `secret`."""
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        inbox["webhook_url"],
        content=body,
        headers={"Content-Type": "application/json", "X-Fake-Signature": signature},
    )
