"""Opening, reading and updating conversations over HTTP: one request, validation, tenancy."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from kefu.wiring import Container
from tests.conftest import Tenant
from tests.conversations.conftest import API, open_conversation, timeline


def test_one_request_creates_customer_conversation_and_first_message(
    api: TestClient, tenant: Tenant, published: Callable[[], list[tuple[str, dict[str, Any]]]]
) -> None:
    created = open_conversation(
        api,
        channel="whatsapp",
        customer={
            "identities": [{"kind": "whatsapp", "value": "+6281234567890"}],
            "name": "Budi",
            "language": "id",
        },
        message={"text": "Pesanan saya belum sampai\nsudah 5 hari"},
        priority="high",
        tags=["Logistics", "logistics", "delay"],
        custom_fields={"order_no": "A-1001", "items": 2},
    )
    assert created["status"] == "open"
    assert created["channel"] == "whatsapp"
    assert created["subject"] == "Pesanan saya belum sampai"
    assert created["language"] == "id"  # from the customer when neither message nor request says
    assert created["tags"] == ["logistics", "delay"]
    assert created["custom_fields"] == {"order_no": "A-1001", "items": 2}
    assert created["inbound_count"] == 1 and created["first_response_at"] is None

    customer = api.get(f"{API}/customers/{created['customer_id']}").json()
    assert customer["name"] == "Budi"
    messages = api.get(f"{API}/conversations/{created['id']}/messages").json()["items"]
    assert [(m["direction"], m["author_kind"], m["author_id"]) for m in messages] == [
        ("inbound", "customer", created["customer_id"])
    ]
    assert [e["kind"] for e in timeline(api, created["id"])] == ["opened"]
    types = [t for t, _ in published()]
    assert types.index("conversation.opened") < types.index("message.received")
    received = next(p for t, p in published() if t == "message.received")
    assert received["text"].startswith("Pesanan") and received["customer_id"] == created["customer_id"]


def test_same_identities_reuse_the_customer(api: TestClient) -> None:
    first = open_conversation(api, email="Ann@Example.com")
    second = open_conversation(api, email="ann@example.com")
    assert first["customer_id"] == second["customer_id"]
    assert first["id"] != second["id"]  # POST always opens; receiving a message reuses


def test_existing_customer_by_id_and_unknown_or_foreign_customer_is_404(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    mine = open_conversation(api)
    again = api.post(f"{API}/conversations", json={"customer_id": mine["customer_id"], "subject": "Refund"})
    assert again.status_code == 201 and again.json()["subject"] == "Refund"
    assert again.json()["channel"] == "api" and again.json()["inbound_count"] == 0

    unknown = api.post(f"{API}/conversations", json={"customer_id": str(uuid.uuid4())})
    assert unknown.status_code == 404
    foreign = client.post(
        f"{API}/conversations", json={"customer_id": mine["customer_id"]}, headers=other_tenant.headers
    )
    assert foreign.status_code == 404


def test_other_workspace_and_unknown_ids_see_nothing(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    mine = open_conversation(api)
    headers = other_tenant.headers
    for path in ("", "/messages", "/timeline"):
        assert client.get(f"{API}/conversations/{mine['id']}{path}", headers=headers).status_code == 404
    assert (
        client.patch(
            f"{API}/conversations/{mine['id']}", json={"priority": "low"}, headers=headers
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{API}/conversations/{mine['id']}/messages", json={"text": "hi"}, headers=headers
        ).status_code
        == 404
    )
    assert client.get(f"{API}/conversations", headers=headers).json()["items"] == []
    assert api.get(f"{API}/conversations/{uuid.uuid4()}").json()["error"]["code"] == "not_found"
    assert api.get(f"{API}/conversations/not-a-uuid").status_code == 422


_SOME_ID = str(uuid.uuid4())
INVALID_BODIES: list[tuple[dict[str, Any], list[Any]]] = [
    ({"channel": "chat"}, ["body"]),
    ({"customer_id": _SOME_ID, "customer": {"identities": [{"kind": "email", "value": "a@b.co"}]}}, ["body"]),
    ({"customer": {"identities": []}}, ["body", "customer", "identities"]),
    ({"customer_id": _SOME_ID, "channel": "pigeon"}, ["body", "channel"]),
    ({"customer_id": _SOME_ID, "priority": "whenever"}, ["body", "priority"]),
    ({"customer_id": _SOME_ID, "message": {"text": "  "}}, ["body", "message"]),
    ({"customer_id": _SOME_ID, "message": {"text": "x" * 20_001}}, ["body", "message", "text"]),
    ({"customer_id": _SOME_ID, "message": {"text": "nul \x00 byte"}}, ["body", "message", "text"]),
    ({"customer_id": _SOME_ID, "subject": "s" * 256}, ["body", "subject"]),
    ({"customer_id": _SOME_ID, "tags": ["t"] * 31}, ["body", "tags"]),
    ({"customer_id": _SOME_ID, "custom_fields": {"bad key": 1}}, ["body", "custom_fields"]),
    ({"customer_id": _SOME_ID, "custom_fields": {"k": {"nested": 1}}}, ["body", "custom_fields"]),
    ({"customer_id": _SOME_ID, "language": "English"}, ["body", "language"]),
    ({"customer_id": _SOME_ID, "unknown": 1}, ["body", "unknown"]),
    (
        {
            "customer_id": _SOME_ID,
            "message": {
                "text": "hi",
                "attachments": [
                    {
                        "name": "a.pdf",
                        "content_type": "application/pdf",
                        "size": 10,
                        "url": "javascript:alert(1)",
                    }
                ],
            },
        },
        ["body", "message", "attachments", 0, "url"],
    ),
]


def test_invalid_bodies_are_422_with_field_paths(api: TestClient) -> None:
    for body, loc in INVALID_BODIES:
        response = api.post(f"{API}/conversations", json=body)
        assert response.status_code == 422, (body, response.text)
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert any(d["loc"][: len(loc)] == loc for d in error["details"]), (body, error["details"])
    assert api.post(f"{API}/conversations", json=[1, 2]).status_code == 422
    raw = b'{"customer_id": "%s", "subject": "\\ud800"}' % str(uuid.uuid4()).encode()
    response = api.post(f"{API}/conversations", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422


def test_patch_changes_only_given_fields_and_records_the_timeline(api: TestClient) -> None:
    created = open_conversation(api, custom_fields={"order_no": "A-1", "channel_ref": "x"})
    response = api.patch(
        f"{API}/conversations/{created['id']}",
        json={
            "subject": "Late parcel",
            "priority": "urgent",
            "language": "vi",
            "custom_fields": {"order_no": "A-2", "channel_ref": None, "weight_kg": 1.5},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["subject"], body["priority"], body["language"]) == ("Late parcel", "urgent", "vi")
    assert body["custom_fields"] == {"order_no": "A-2", "weight_kg": 1.5}
    assert body["status"] == "open" and body["assignee_id"] is None
    entries = {e["kind"]: e for e in timeline(api, created["id"])}
    assert entries["priority_changed"]["before"] == {"priority": "normal"}
    assert entries["priority_changed"]["after"] == {"priority": "urgent"}
    assert entries["priority_changed"]["actor_kind"] == "agent"
    assert entries["fields_changed"]["before"] == {"order_no": "A-1", "channel_ref": "x", "weight_kg": None}
    assert entries["fields_changed"]["after"] == {"order_no": "A-2", "channel_ref": None, "weight_kg": 1.5}
    assert "subject_changed" in entries and "language_changed" in entries


def test_patch_is_all_or_nothing(api: TestClient) -> None:
    created = open_conversation(api)
    response = api.patch(
        f"{API}/conversations/{created['id']}", json={"priority": "high", "status": "closed"}
    )
    assert response.status_code == 200
    failed = api.patch(f"{API}/conversations/{created['id']}", json={"priority": "low", "status": "pending"})
    assert failed.status_code == 409
    assert api.get(f"{API}/conversations/{created['id']}").json()["priority"] == "high"
    for null in ({"status": None}, {"priority": None}, {"subject": None}, {"custom_fields": None}):
        assert api.patch(f"{API}/conversations/{created['id']}", json=null).status_code == 422, null


def test_complaint_flag_with_amount(api: TestClient) -> None:
    created = open_conversation(api)
    url = f"{API}/conversations/{created['id']}/complaint"
    marked = api.post(url, json={"amount": "650.50", "currency": "IDR"})
    assert marked.status_code == 200
    assert marked.json()["is_complaint"] is True
    assert marked.json()["complaint_amount"] == "650.50" and marked.json()["complaint_currency"] == "IDR"
    assert api.post(url, json={"amount": "10"}).status_code == 422
    assert api.post(url, json={"amount": "-1", "currency": "USD"}).status_code == 422
    assert api.post(url, json={"amount": "1.234", "currency": "USD"}).status_code == 422
    cleared = api.post(url, json={"is_complaint": False}).json()
    assert cleared["is_complaint"] is False and cleared["complaint_amount"] is None
    kinds = [e for e in timeline(api, created["id"]) if e["kind"] == "complaint_changed"]
    assert kinds[0]["after"] == {"is_complaint": True, "amount": "650.50", "currency": "IDR"}
    assert len(kinds) == 2


@contextmanager
def _statements(container: Container) -> Iterator[list[str]]:
    """Collect the SQL statements the request itself runs (the event relay is held back)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    relay = container.runtime.relay
    relay.drain = lambda **_: 0  # type: ignore[method-assign]
    event.listen(container.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(container.engine, "before_cursor_execute", record)
        del relay.drain
        relay.drain()


def test_hot_path_and_list_run_a_fixed_number_of_statements(api: TestClient, container: Container) -> None:
    with _statements(container) as seen:
        open_conversation(api, email="hot@x.co", tags=["a", "b"])
    ours = [s for s in seen if re.search(r"\b(conversations|messages|conversation_\w+)\b", s)]
    assert len(ours) == 4 and all(s.lstrip().startswith("INSERT") for s in ours), ours

    with _statements(container) as few:
        api.get(f"{API}/conversations", params={"limit": 200})
    for n in range(10):
        open_conversation(api, email=f"more{n}@x.co")
    with _statements(container) as many:
        assert len(api.get(f"{API}/conversations", params={"limit": 200}).json()["items"]) == 11
    assert len(many) == len(few)  # no query per row
