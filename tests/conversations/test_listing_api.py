"""The conversation list: every filter, text search, and cursor pages that are stable and complete."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from tests.conftest import Tenant
from tests.conversations.conftest import API, MakeMember, inbound, open_conversation


def _ids(api: TestClient, **params: Any) -> list[str]:
    response = api.get(f"{API}/conversations", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def test_filters(
    api: TestClient, tenant: Tenant, make_member: MakeMember, make_team: Callable[..., uuid.UUID],
    clock: FrozenClock,
) -> None:  # fmt: skip
    agent, team = make_member(Role.AGENT), make_team()
    refund = open_conversation(api, email="a@x.co", tags=["refund"], priority="high",
                               assignee_id=str(tenant.admin_id), subject="Refund for order 100%")  # fmt: skip
    clock.advance(seconds=1)
    late = open_conversation(
        api, email="b@x.co", channel="email", team_id=str(team), assignee_id=str(agent.agent_id),
        message={"text": "Paket TERLAMBAT lagi"},
    )  # fmt: skip
    clock.advance(seconds=1)
    chinese = open_conversation(api, email="c@x.co", priority="urgent", message={"text": "我要投诉快递员"})
    api.post(f"{API}/conversations/{chinese['id']}/complaint", json={"amount": "800", "currency": "CNY"})
    api.post(f"{API}/conversations/{late['id']}/status", json={"status": "pending"})

    assert _ids(api) == [chinese["id"], late["id"], refund["id"]]
    assert _ids(api, status="pending") == [late["id"]]
    assert _ids(api, status=["open", "pending"]) == [chinese["id"], late["id"], refund["id"]]
    assert _ids(api, priority=["high", "urgent"]) == [chinese["id"], refund["id"]]
    assert _ids(api, assignee="me") == [refund["id"]]
    assert _ids(api, assignee=str(agent.agent_id)) == [late["id"]]
    assert _ids(api, assignee="unassigned") == [chinese["id"]]
    assert _ids(api, team_id=str(team)) == [late["id"]]
    assert _ids(api, tag="REFUND") == [refund["id"]]
    assert _ids(api, customer_id=refund["customer_id"]) == [refund["id"]]
    assert _ids(api, channel="email") == [late["id"]]
    assert _ids(api, is_complaint="true") == [chinese["id"]]
    assert _ids(api, is_complaint="false") == [late["id"], refund["id"]]
    assert _ids(api, q="terlambat") == [late["id"]]  # message text, any case
    assert _ids(api, q="投诉") == [chinese["id"]]
    assert _ids(api, q="100%") == [refund["id"]]  # LIKE wildcards are literal
    assert _ids(api, q="%") == [refund["id"]]
    assert _ids(api, q="order", status="pending") == []
    assert _ids(api, q="Where is my") == [refund["id"]]  # the first message of the refund one

    for params in ({"assignee": "someone"}, {"status": "lost"}, {"limit": 201}, {"cursor": "bm9wZQ"},
                   {"channel": "fax"}, {"q": "x" * 201}):  # fmt: skip
        response = api.get(f"{API}/conversations", params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] in {"validation_error", "invalid_cursor"}


def test_cursor_pages_are_complete_and_stable(api: TestClient, clock: FrozenClock) -> None:
    opened = []
    for n in range(12):
        opened.append(open_conversation(api, email=f"c{n}@x.co"))
        if n % 3 == 2:
            clock.advance(seconds=1)  # groups of three share last_message_at: ties are broken by id
    everything = _ids(api)
    assert everything == sorted(everything, key=lambda i: (_ts(opened, i), i), reverse=True)

    seen: list[str] = []
    cursor = None
    for page_number in range(10):
        params: dict[str, Any] = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = api.get(f"{API}/conversations", params=params).json()
        seen += [c["id"] for c in page["items"]]
        if page_number == 0:
            clock.advance(seconds=5)
            inbound(api, opened[0]["customer_id"], "bump")  # moves to the top while we page
            open_conversation(api, email="new@x.co")
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert set(everything) - {opened[0]["id"]} <= set(seen)


def _ts(opened: list[dict[str, Any]], conversation_id: str) -> str:
    return next(c["last_message_at"] for c in opened if c["id"] == conversation_id)
