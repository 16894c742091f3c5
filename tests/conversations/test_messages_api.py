"""Replies, internal notes, first response time, message paging and language analysis."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.conversations import service
from kefu.core.clock import FrozenClock
from kefu.core.errors import NotFound, ValidationFailed
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.conversations.conftest import API, MakeMember, inbound, open_conversation

Published = Callable[[], list[tuple[str, dict[str, Any]]]]


def test_first_agent_reply_sets_first_response_and_notes_stay_internal(
    api: TestClient, tenant: Tenant, clock: FrozenClock, published: Published
) -> None:
    cid = open_conversation(api)["id"]
    url = f"{API}/conversations/{cid}/messages"
    clock.advance(seconds=20)
    note = api.post(url, json={"kind": "note", "text": "VIP, handle with care"})
    assert note.status_code == 201 and note.json()["direction"] == "note"
    assert api.get(f"{API}/conversations/{cid}").json()["first_response_at"] is None

    clock.advance(seconds=10)
    reply = api.post(url, json={"text": "Sorry for the wait, checking now."})
    assert reply.status_code == 201
    assert (reply.json()["direction"], reply.json()["author_kind"]) == ("outbound", "agent")
    assert reply.json()["author_id"] == str(tenant.admin_id)
    clock.advance(seconds=30)
    api.post(url, json={"text": "Found it: it ships today."})

    conversation = api.get(f"{API}/conversations/{cid}").json()
    assert conversation["first_response_at"] == "2026-03-02T09:00:30Z"
    assert (conversation["inbound_count"], conversation["outbound_count"], conversation["note_count"]) == (
        1,
        2,
        1,
    )
    assert conversation["last_message_at"] == "2026-03-02T09:01:00Z"  # notes do not count as messages
    sent = [p for t, p in published() if t == "message.sent"]
    assert [p["first_response"] for p in sent] == [True, False]
    assert [t for t, _ in published()].count("note.added") == 1


def test_outreach_is_not_a_first_response(api: TestClient) -> None:
    created = open_conversation(api, message={"direction": "outbound", "text": "Your parcel is delayed."})
    assert (created["inbound_count"], created["outbound_count"], created["first_response_at"]) == (0, 1, None)
    inbound(api, created["customer_id"], "thanks, when will it arrive?", channel="chat")
    reply = api.post(f"{API}/conversations/{created['id']}/messages", json={"text": "Tomorrow."})
    assert reply.status_code == 201
    assert api.get(f"{API}/conversations/{created['id']}").json()["first_response_at"] is not None


def test_replies_need_an_open_conversation_a_writer_role_and_a_fresh_external_id(
    api: TestClient, client: TestClient, make_member: MakeMember
) -> None:
    cid = open_conversation(api)["id"]
    url = f"{API}/conversations/{cid}/messages"
    inspector = make_member(Role.QA_INSPECTOR)
    assert client.post(url, json={"text": "hi"}, headers=inspector.headers).status_code == 403
    assert client.get(url, headers=inspector.headers).status_code == 200  # reading is fine
    assert api.post(url, json={"text": "a", "external_id": "out-1"}).status_code == 201
    duplicate = api.post(url, json={"text": "b", "external_id": "out-1"})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "duplicate_external_id"
    assert api.post(url, json={"kind": "shout", "text": "x"}).status_code == 422
    api.post(f"{API}/conversations/{cid}/status", json={"status": "closed"})
    closed = api.post(url, json={"text": "anyone?"})
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "conversation_closed"
    assert api.post(url, json={"kind": "note", "text": "closed as duplicate"}).status_code == 201


def test_messages_page_in_order_without_gaps(api: TestClient) -> None:
    created = open_conversation(api)
    for n in range(6):
        inbound(api, created["customer_id"], f"message {n}")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get(f"{API}/conversations/{created['id']}/messages", params=params).json()
        seen += [m["text"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Where is my order?"] + [f"message {n}" for n in range(6)]
    bad = api.get(f"{API}/conversations/{created['id']}/messages", params={"cursor": "%%%"})
    assert bad.status_code == 422
    assert api.get(f"{API}/conversations/{created['id']}/messages", params={"limit": 0}).status_code == 422


def test_recorded_analysis_is_exposed_and_fills_the_conversation_language(
    api: TestClient, container: Container, tenant: Tenant, published: Published
) -> None:
    created = open_conversation(api)  # intake analysis already set the language to "en"
    assert api.patch(f"{API}/conversations/{created['id']}", json={"language": None}).status_code == 200
    message = api.get(f"{API}/conversations/{created['id']}/messages").json()["items"][0]
    analysis = {
        "language": "id", "intent": "order_status", "intent_confidence": 0.91,
        "sentiment": "negative", "sentiment_score": -0.7, "angry": True, "abusive": False,
    }  # fmt: skip
    with container.session_factory() as session:
        service.record_message_analysis(
            session, workspace_id=tenant.workspace_id, message_id=uuid.UUID(message["id"]), analysis=analysis
        )
        session.commit()
        with pytest.raises(ValidationFailed):
            service.record_message_analysis(
                session, workspace_id=tenant.workspace_id, message_id=uuid.UUID(message["id"]),
                analysis={"sentiment": "furious"},
            )  # fmt: skip
        with pytest.raises(NotFound):
            service.record_message_analysis(
                session, workspace_id=tenant.workspace_id, message_id=uuid.UUID(created["id"]), analysis={}
            )
    stored = api.get(f"{API}/conversations/{created['id']}/messages").json()["items"][0]
    assert {k: stored[k] for k in analysis} == analysis
    assert stored["analysed_at"] is not None
    assert api.get(f"{API}/conversations/{created['id']}").json()["language"] == "id"
    analysed = [p for t, p in published() if t == "message.analysed"]
    assert len(analysed) == 2 and analysed[-1]["angry"] is True  # intake's, then this one
