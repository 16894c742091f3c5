"""Status changes over HTTP: transitions, admin-only reopening, snooze and wake-up, customer replies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.conversations.tasks import wake_snoozed_job
from kefu.core.clock import FrozenClock
from kefu.wiring import Container
from tests.conversations.conftest import API, MakeMember, inbound, open_conversation, timeline

Published = Callable[[], list[tuple[str, dict[str, Any]]]]


def _status(api: TestClient, conversation_id: str, status: str, **extra: Any) -> Any:
    return api.post(f"{API}/conversations/{conversation_id}/status", json={"status": status, **extra})


def test_transitions_and_admin_only_reopen_of_closed(
    api: TestClient, client: TestClient, make_member: MakeMember, clock: FrozenClock, published: Published
) -> None:
    conversation = open_conversation(api)
    cid = conversation["id"]
    assert _status(api, cid, "pending").json()["status"] == "pending"
    clock.advance(minutes=5)
    resolved = _status(api, cid, "resolved").json()
    assert resolved["status"] == "resolved" and resolved["resolved_at"] == "2026-03-02T09:05:00Z"

    illegal = _status(api, cid, "pending")
    assert illegal.status_code == 409
    assert illegal.json()["error"]["code"] == "invalid_transition"
    assert illegal.json()["error"]["details"] == {"from": "resolved", "to": "pending"}

    assert _status(api, cid, "closed").json()["status"] == "closed"
    agent = make_member(Role.AGENT)
    refused = client.post(f"{API}/conversations/{cid}/status", json={"status": "open"}, headers=agent.headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_transition"
    assert _status(api, cid, "resolved").status_code == 409

    reopened = _status(api, cid, "open").json()  # the admin may
    assert (reopened["status"], reopened["reopen_count"], reopened["resolved_at"]) == ("open", 1, None)
    assert _status(api, cid, "open").status_code == 200  # staying put is a no-op

    changes = [(e["before"]["status"], e["after"]["status"]) for e in timeline(api, cid)
               if e["kind"] == "status_changed"]  # fmt: skip
    assert changes == [
        ("open", "pending"),
        ("pending", "resolved"),
        ("resolved", "closed"),
        ("closed", "open"),
    ]
    types = [t for t, _ in published()]
    assert types.count("conversation.status_changed") == 4
    assert types.count("conversation.resolved") == 1 and types.count("conversation.reopened") == 1
    assert _status(api, cid, "archived").status_code == 422


def test_snooze_wakes_at_its_time_through_the_periodic_job(
    api: TestClient, container: Container, clock: FrozenClock
) -> None:
    cid = open_conversation(api)["id"]
    url = f"{API}/conversations/{cid}/snooze"
    assert api.post(url, json={"until": "2026-03-02T08:00:00Z"}).status_code == 422  # in the past
    assert api.post(url, json={"until": "2026-03-02T12:00:00"}).status_code == 422  # no timezone
    assert api.post(url, json={"until": "2028-03-02T12:00:00Z"}).status_code == 422  # too far
    assert _status(api, cid, "snoozed").status_code == 422  # needs a time
    assert _status(api, cid, "pending", snoozed_until="2026-03-02T12:00:00Z").status_code == 422

    snoozed = api.post(url, json={"until": "2026-03-02T18:00:00+08:00"}).json()  # 10:00 UTC
    assert snoozed["status"] == "snoozed" and snoozed["snoozed_until"] == "2026-03-02T10:00:00Z"

    wake = wake_snoozed_job(container.session_factory)
    clock.advance(minutes=59)
    assert wake() == 0
    assert api.get(f"{API}/conversations/{cid}").json()["status"] == "snoozed"
    clock.advance(minutes=1)
    assert wake() == 1
    assert wake() == 0
    woken = api.get(f"{API}/conversations/{cid}").json()
    assert woken["status"] == "open" and woken["snoozed_until"] is None
    last = timeline(api, cid)[-1]
    assert (last["kind"], last["actor_kind"], last["reason"]) == (
        "status_changed",
        "system",
        "snooze_expired",
    )
    assert last["before"] == {"status": "snoozed", "snoozed_until": "2026-03-02T10:00:00+00:00"}


def test_customer_reply_reuses_the_open_conversation_per_channel(api: TestClient) -> None:
    first = inbound(api, open_conversation(api)["customer_id"], "one")
    customer_id = first["conversation"]["customer_id"]
    second = inbound(api, customer_id, "two")
    assert second["conversation"]["id"] == first["conversation"]["id"]
    assert not second["opened"] and second["conversation"]["inbound_count"] == 3
    by_email = inbound(api, customer_id, "three", channel="email")
    assert by_email["opened"] and by_email["conversation"]["id"] != first["conversation"]["id"]
    assert by_email["conversation"]["subject"] == "three"


def test_customer_reply_wakes_snoozed_and_pending_and_reopens_recently_resolved(
    api: TestClient, clock: FrozenClock, published: Published
) -> None:
    conversation = open_conversation(api)
    cid, customer_id = conversation["id"], conversation["customer_id"]
    api.post(f"{API}/conversations/{cid}/snooze", json={"until": "2026-03-05T09:00:00Z"})
    woke = inbound(api, customer_id)
    assert woke["conversation"]["status"] == "open" and not woke["reopened"]
    assert timeline(api, cid)[-1]["actor_kind"] == "customer"
    assert timeline(api, cid)[-1]["reason"] == "customer_reply"

    _status(api, cid, "pending")
    assert inbound(api, customer_id)["conversation"]["status"] == "open"

    _status(api, cid, "resolved")
    clock.advance(days=6)
    again = inbound(api, customer_id, "it broke again")
    assert again["reopened"] and again["conversation"]["id"] == cid
    assert again["conversation"]["reopen_count"] == 1
    reopened = [p for t, p in published() if t == "conversation.reopened"]
    assert reopened[-1]["reason"] == "customer_reply" and reopened[-1]["actor_kind"] == "customer"


def test_late_reply_after_resolution_or_any_reply_after_closing_opens_a_new_conversation(
    api: TestClient, clock: FrozenClock
) -> None:
    conversation = open_conversation(api)
    cid, customer_id = conversation["id"], conversation["customer_id"]
    _status(api, cid, "resolved")
    clock.advance(days=7, seconds=1)
    late = inbound(api, customer_id, "hello again")
    assert late["opened"] and late["conversation"]["id"] != cid
    assert api.get(f"{API}/conversations/{cid}").json()["status"] == "resolved"

    _status(api, late["conversation"]["id"], "closed")
    after_close = inbound(api, customer_id, "one more thing")
    assert after_close["opened"]
    assert after_close["conversation"]["id"] not in {cid, late["conversation"]["id"]}


def test_repeated_external_id_is_stored_once(api: TestClient) -> None:
    customer_id = open_conversation(api)["customer_id"]
    first = inbound(api, customer_id, "msg", external_id="wamid.1")
    repeat = api.post(
        f"{API}/inbound-messages",
        json={"customer_id": customer_id, "channel": "chat", "text": "msg", "external_id": "wamid.1"},
    )
    assert repeat.status_code == 200 and repeat.json()["duplicate"] is True
    assert repeat.json()["message"]["id"] == first["message"]["id"]
    messages = api.get(f"{API}/conversations/{first['conversation']['id']}/messages").json()["items"]
    assert [m["external_id"] for m in messages].count("wamid.1") == 1
