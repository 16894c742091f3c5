"""Importing conversation history in bulk: the rows the live path leaves, customers, idempotency, checks."""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.conversations import imports
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind, Channel
from kefu.conversations.schemas import MAX_IMPORT_CONVERSATIONS, Actor, ImportedConversationIn
from kefu.core.errors import ValidationFailed
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.conversations.conftest import API, MakeMember, inbound, timeline

Published = Callable[[], list[tuple[str, dict[str, Any]]]]
IMPORT = f"{API}/conversations/import"
T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
"""Two months before the tests' frozen clock (2026-03-02 09:00 UTC)."""


def at(minutes: float) -> str:
    """An ISO time `minutes` after T0."""
    return (T0 + timedelta(minutes=minutes)).isoformat()


def history(email: str = "ann@example.com", ref: str = "zd-1", **fields: Any) -> dict[str, Any]:
    """A resolved email conversation: question, note, agent reply, thanks."""
    item: dict[str, Any] = {
        "customer": {"identities": [{"kind": "email", "value": email}], "name": "Ann", "language": "en"},
        "channel": "email",
        "status": "resolved",
        "priority": "high",
        "tags": ["Refund", "refund", "vip"],
        "custom_fields": {"order_no": "A-1", "legacy": None},
        "messages": [
            {"text": "My refund\nis late", "created_at": at(0), "external_id": f"{ref}-1"},
            {"direction": "note", "text": "checked the ledger", "created_at": at(5)},
            {"direction": "outbound", "text": "Refunded today.", "created_at": at(30),
             "external_id": f"{ref}-2",
             "attachments": [{"name": "r.pdf", "content_type": "application/pdf", "size": 10,
                              "url": "https://files.example.com/r.pdf"}]},
            {"text": "Thanks!", "created_at": at(40), "external_id": f"{ref}-3"},
        ],
    }  # fmt: skip
    item.update(fields)
    return item


def post(api: TestClient, *items: dict[str, Any], status: int = 201) -> dict[str, Any]:
    """POST the items to the import endpoint and check the status."""
    response = api.post(IMPORT, json={"conversations": list(items)})
    assert response.status_code == status, response.text
    return dict(response.json())


def locs(response_body: dict[str, Any]) -> list[list[Any]]:
    """The field paths of a 422."""
    assert response_body["error"]["code"] == "validation_error", response_body
    return [d["loc"] for d in response_body["error"]["details"]]


def test_imported_conversation_has_the_counters_timeline_and_tags_of_the_live_path(
    api: TestClient, tenant: Tenant, published: Published
) -> None:
    result = post(api, history())
    counts = (result["imported"], result["skipped"], result["messages"], result["customers_created"])
    assert counts == (1, 0, 4, 1)
    created = result["created"][0]
    assert created["index"] == 0

    conversation = api.get(f"{API}/conversations/{created['conversation_id']}").json()
    assert conversation["customer_id"] == created["customer_id"]
    assert conversation["status"] == "resolved" and conversation["priority"] == "high"
    assert conversation["subject"] == "My refund"  # first line of the first message, as on the live path
    assert conversation["language"] == "en"  # from the customer
    assert conversation["tags"] == ["refund", "vip"]
    assert conversation["custom_fields"] == {"order_no": "A-1"}
    counters = (conversation["inbound_count"], conversation["outbound_count"], conversation["note_count"])
    assert counters == (2, 1, 1)
    assert conversation["created_at"] == "2026-01-05T10:00:00Z"
    assert conversation["first_response_at"] == "2026-01-05T10:30:00Z"
    assert conversation["last_message_at"] == "2026-01-05T10:40:00Z"
    assert conversation["resolved_at"] == "2026-01-05T10:40:00Z"  # default: the last message
    assert conversation["reopen_count"] == 0

    messages = api.get(f"{API}/conversations/{created['conversation_id']}/messages").json()["items"]
    assert [(m["direction"], m["author_kind"], m["created_at"][11:16]) for m in messages] == [
        ("inbound", "customer", "10:00"), ("note", "agent", "10:05"),
        ("outbound", "agent", "10:30"), ("inbound", "customer", "10:40"),
    ]  # fmt: skip
    assert messages[0]["author_id"] == created["customer_id"] and messages[2]["author_id"] is None
    assert messages[2]["attachments"][0]["name"] == "r.pdf"
    assert all(m["analysed_at"] is None for m in messages)

    entries = timeline(api, created["conversation_id"])
    assert [(e["kind"], e["before"].get("status"), e["after"]["status"]) for e in entries] == [
        ("opened", None, "open"), ("status_changed", "open", "resolved"),
    ]  # fmt: skip
    assert [e["created_at"] for e in entries] == ["2026-01-05T10:00:00Z", "2026-01-05T10:40:00Z"]
    assert {e["reason"] for e in entries} == {"imported"}
    assert {(e["actor_kind"], e["actor_id"]) for e in entries} == {("agent", str(tenant.admin_id))}

    tagged = api.get(f"{API}/conversations", params={"tag": "vip"}).json()["items"]
    assert [c["id"] for c in tagged] == [created["conversation_id"]]  # the tag index rows exist

    events = [(kind, body) for kind, body in published() if kind.startswith(("conversation.", "message."))]
    assert [kind for kind, _ in events] == ["conversation.imported"]  # history fires no live reactions
    payload = events[0][1]
    assert payload["conversation_id"] == created["conversation_id"]
    assert payload["customer_id"] == created["customer_id"]
    assert (payload["message_count"], payload["status"], payload["external_id"]) == (4, "resolved", "zd-1-1")
    assert [kind for kind, _ in published()].count("customer.created") == 1


def test_statuses_and_their_times(api: TestClient) -> None:
    result = post(
        api,
        history(ref="a", status="open"),
        history(ref="b", status="pending"),
        history(ref="c", status="closed", resolved_at=at(60), closed_at=at(24 * 60)),
        history(ref="d", status="closed"),
    )
    ids = [c["conversation_id"] for c in result["created"]]
    paths = [[(e["after"]["status"], e["created_at"][11:16]) for e in timeline(api, cid)] for cid in ids]
    assert paths == [
        [("open", "10:00")],
        [("open", "10:00"), ("pending", "10:40")],
        [("open", "10:00"), ("resolved", "11:00"), ("closed", "10:00")],
        [("open", "10:00"), ("closed", "10:40")],
    ]
    closed = api.get(f"{API}/conversations/{ids[2]}").json()
    assert closed["status"] == "closed" and closed["resolved_at"] == "2026-01-05T11:00:00Z"
    assert api.get(f"{API}/conversations/{ids[3]}").json()["resolved_at"] is None


def test_customers_are_matched_by_existing_identities_and_created_once(
    api: TestClient, published: Published
) -> None:
    known = api.post(
        f"{API}/customers", json={"identities": [{"kind": "email", "value": "known@example.com"}]}
    )
    assert known.status_code == 201
    before = [kind for kind, _ in published()].count("customer.created")

    result = post(
        api,
        history(email="Known@Example.com", ref="k"),
        history(email="new@example.com", ref="n1"),
        history(email="NEW@example.com", ref="n2"),
        {**history(ref="w"), "customer": {"identities": [{"kind": "whatsapp", "value": "+62 812-3456-7890"}],
                                          "name": "Wati", "market": "ID"}},
    )  # fmt: skip
    customers = [c["customer_id"] for c in result["created"]]
    assert customers[0] == known.json()["id"]
    assert customers[1] == customers[2] != customers[0]
    assert result["customers_created"] == 2
    assert [kind for kind, _ in published()].count("customer.created") == before + 2
    whatsapp = api.get(f"{API}/customers/{customers[3]}").json()
    assert [(i["kind"], i["value"]) for i in whatsapp["identities"]] == [("whatsapp", "6281234567890")]
    assert whatsapp["market"] == "ID" and whatsapp["name"] == "Wati"  # normalised like resolve_customer

    resolved = api.post(
        f"{API}/customers/resolve", json={"identities": [{"kind": "email", "value": "new@example.com"}]}
    )
    assert resolved.json()["id"] == customers[1] and resolved.json()["created"] is False


def test_matching_follows_resolve_customer_rules(api: TestClient, published: Published) -> None:
    unverified = api.post(
        f"{API}/customers", json={"identities": [{"kind": "email", "value": "shared@example.com"}]}
    ).json()
    verified = api.post(
        f"{API}/customers",
        json={"identities": [{"kind": "phone", "value": "+6591234567", "verified": True}]},
    ).json()
    handle = {"kind": "line", "value": "U4af4980629"}

    result = post(
        api,
        # a channel handle plus an unverified email owned by someone else: a new customer, a conflict
        {**history(ref="x"),
         "customer": {"identities": [handle, {"kind": "email", "value": "shared@example.com"}]}},
        # a verified phone links the channel handle to its owner
        {**history(ref="y"), "customer": {"identities": [{"kind": "line", "value": "U0000000001"},
                                                         {"kind": "phone", "value": "+65 9123 4567"}]}},
    )  # fmt: skip
    first, second = (c["customer_id"] for c in result["created"])
    assert first not in (unverified["id"], verified["id"])
    assert second == verified["id"]
    conflicts = [p for kind, p in published() if kind == "customer.identity_conflicted"]
    assert [(c["customer_id"], c["owner_customer_id"], c["value"]) for c in conflicts] == [
        (first, unverified["id"], "shared@example.com")
    ]
    owner = api.get(f"{API}/customers/{verified['id']}").json()
    assert {i["value"] for i in owner["identities"]} == {"+6591234567", "U0000000001"}


def test_reimport_is_skipped_and_reported(api: TestClient, published: Published) -> None:
    first = post(api, history(ref="a"), history(ref="b"))
    again = post(api, history(ref="a"), history(ref="b"), history(ref="c"), history(ref="c"))
    assert (again["imported"], again["skipped"], again["messages"]) == (1, 3, 4)
    original = {c["index"]: c["conversation_id"] for c in first["created"]}
    new_id = again["created"][0]["conversation_id"]
    assert again["created"][0]["index"] == 2
    skipped = [(d["index"], d["external_id"], d["conversation_id"], d["reason"]) for d in again["duplicates"]]
    assert skipped == [
        (0, "a-1", original[0], "duplicate"), (1, "b-1", original[1], "duplicate"),
        (3, "c-1", new_id, "duplicate"),
    ]  # fmt: skip
    listed = api.get(f"{API}/conversations", params={"limit": 50}).json()["items"]
    assert len(listed) == 3
    assert [kind for kind, _ in published()].count("conversation.imported") == 3


def test_same_external_id_for_another_customer_or_channel_is_not_a_duplicate(api: TestClient) -> None:
    post(api, history(ref="a"))
    again = post(api, history(email="bob@example.com", ref="a"), history(ref="a", channel="chat"))
    assert again["imported"] == 2 and again["duplicates"] == []


def test_a_message_received_live_then_imported_is_skipped(api: TestClient) -> None:
    customer = api.post(
        f"{API}/customers", json={"identities": [{"kind": "email", "value": "ann@example.com"}]}
    )
    live = inbound(api, customer.json()["id"], "My refund is late", channel="email", external_id="zd-1-1")
    result = post(api, history())
    assert result["imported"] == 0
    assert result["duplicates"][0]["conversation_id"] == live["conversation"]["id"]


def test_a_live_customer_reply_continues_an_imported_open_conversation(api: TestClient) -> None:
    created = post(api, history(status="open"))["created"][0]
    reply = inbound(api, created["customer_id"], "any news?", channel="email")
    assert reply["opened"] is False and reply["conversation"]["id"] == created["conversation_id"]
    assert reply["conversation"]["inbound_count"] == 3


def test_history_problems_are_422_with_field_paths(api: TestClient) -> None:
    messages = history()["messages"]
    swapped = [messages[1], messages[0], *messages[2:]]
    repeated = [messages[0], {**messages[2], "external_id": "zd-1-1"}]
    future = [{**messages[0], "created_at": "2027-01-01T00:00:00Z"}]
    body = post(
        api,
        history(messages=swapped),
        history(status="open", resolved_at=at(50)),
        history(status="closed", resolved_at=at(50), closed_at=at(45)),
        history(created_at=at(1)),
        history(messages=repeated),
        history(messages=future),
        status=422,
    )
    assert locs(body) == [
        ["body", "conversations", 0, "messages", 1, "created_at"],
        ["body", "conversations", 1, "resolved_at"],
        ["body", "conversations", 2, "closed_at"],
        ["body", "conversations", 3, "created_at"],
        ["body", "conversations", 4, "messages", 1, "external_id"],
        ["body", "conversations", 5, "messages", 0, "created_at"],
    ]
    assert api.get(f"{API}/conversations").json()["items"] == []  # all or nothing


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"messages": []}, ["body", "conversations", 0, "messages"]),
        ({"status": "snoozed"}, ["body", "conversations", 0, "status"]),
        ({"customer": None}, ["body", "conversations", 0]),
        ({"customer_id": str(uuid.uuid4())}, ["body", "conversations", 0]),  # both given
        ({"messages": [{"text": "hi", "created_at": "2026-01-05T10:00:00"}]},
         ["body", "conversations", 0, "messages", 0, "created_at"]),  # naive time
        ({"messages": [{"author_kind": "agent", "text": "x", "created_at": at(0)}]},
         ["body", "conversations", 0, "messages", 0]),
        ({"messages": [{"direction": "outbound", "author_kind": "customer", "text": "x",
                        "created_at": at(0)}]},
         ["body", "conversations", 0, "messages", 0]),
        ({"messages": [{"text": "", "created_at": at(0)}]}, ["body", "conversations", 0, "messages", 0]),
        ({"customer": {"identities": [{"kind": "email", "value": "not-an-email"}]}},
         ["body", "conversations", 0, "customer", "identities", 0, "value"]),
        ({"tags": ["x" * 65]}, ["body", "conversations", 0, "tags", 0]),
        ({"messages": [{"text": "hi", "created_at": "0001-01-01T00:00:00+05:00"}]},
         ["body", "conversations", 0, "messages", 0, "created_at"]),
        ({"messages": [{"text": "hi", "created_at": "9999-12-31T23:00:00-05:00"}]},
         ["body", "conversations", 0, "messages", 0, "created_at"]),
        ({"created_at": "1969-12-31T23:59:59Z"}, ["body", "conversations", 0, "created_at"]),
    ],
)  # fmt: skip
def test_invalid_items_are_422_with_field_paths(
    api: TestClient, change: dict[str, Any], loc: list[Any]
) -> None:
    body = post(api, {**history(), **change}, status=422)
    assert loc in locs(body)


def test_unknown_customer_or_author_is_422(
    api: TestClient, make_member: MakeMember, other_tenant: Tenant
) -> None:
    foreign_agent = make_member(Role.AGENT, workspace_id=other_tenant.workspace_id)
    reply = {
        "direction": "outbound",
        "author_id": str(foreign_agent.agent_id),
        "text": "Hi",
        "created_at": at(1),
    }
    no_customer = {key: value for key, value in history(ref="u").items() if key != "customer"}
    body = post(
        api,
        {**no_customer, "customer_id": str(uuid.uuid4())},
        history(messages=[history()["messages"][0], reply]),
        status=422,
    )
    assert ["body", "conversations", 1, "messages", 1, "author_id"] in locs(body)
    body = post(api, {**no_customer, "customer_id": str(uuid.uuid4())}, status=422)
    assert locs(body) == [["body", "conversations", 0, "customer_id"]]


def test_author_id_of_an_agent_of_the_workspace_is_kept(api: TestClient, make_member: MakeMember) -> None:
    agent = make_member(Role.AGENT)
    reply = {"direction": "outbound", "author_id": str(agent.agent_id), "text": "Hi", "created_at": at(1)}
    created = post(api, history(messages=[history()["messages"][0], reply]))["created"][0]
    messages = api.get(f"{API}/conversations/{created['conversation_id']}/messages").json()["items"]
    assert messages[1]["author_id"] == str(agent.agent_id)
    assert (
        api.get(f"{API}/conversations/{created['conversation_id']}").json()["first_response_at"] is not None
    )


def test_request_size_is_bounded(api: TestClient) -> None:
    item = history(messages=[{"text": "hi", "created_at": at(0)}])
    body = post(api, *[item] * (MAX_IMPORT_CONVERSATIONS + 1), status=422)
    assert locs(body) == [["body", "conversations"]]
    assert post(api, status=422)["error"]["details"][0]["loc"] == ["body", "conversations"]


@pytest.mark.parametrize(
    ("role", "status"), [(Role.SUPERVISOR, 201), (Role.AGENT, 403), (Role.QA_INSPECTOR, 403)]
)
def test_admins_and_supervisors_may_import(
    client: TestClient, make_member: MakeMember, role: Role, status: int
) -> None:
    member = make_member(role)
    response = client.post(IMPORT, json={"conversations": [history()]}, headers=member.headers)
    assert response.status_code == status, response.text


def test_workspaces_are_isolated(api: TestClient, client: TestClient, other_tenant: Tenant) -> None:
    mine = post(api, history())["created"][0]
    theirs = client.post(IMPORT, json={"conversations": [history()]}, headers=other_tenant.headers)
    assert theirs.status_code == 201, theirs.text
    created = theirs.json()["created"][0]
    assert created["customer_id"] != mine["customer_id"]  # same email, another workspace: another customer
    assert theirs.json()["duplicates"] == []  # the external ids of another workspace do not count
    by_id = {key: value for key, value in history(ref="x").items() if key != "customer"}
    foreign = client.post(
        IMPORT,
        json={"conversations": [{**by_id, "customer_id": mine["customer_id"]}]},
        headers=other_tenant.headers,
    )
    assert foreign.status_code == 422
    assert api.get(f"{API}/conversations/{created['conversation_id']}").status_code == 404


def test_service_import_by_customer_id_follows_merges(
    container: Container, tenant: Tenant, api: TestClient
) -> None:
    source = api.post(f"{API}/customers", json={"identities": [{"kind": "email", "value": "s@example.com"}]})
    target = api.post(f"{API}/customers", json={"identities": [{"kind": "email", "value": "t@example.com"}]})
    merged = api.post(f"{API}/customers/{target.json()['id']}/merge", json={"source_id": source.json()["id"]})
    assert merged.status_code == 200
    item = {key: value for key, value in history().items() if key != "customer"}
    items = [ImportedConversationIn.model_validate({**item, "customer_id": source.json()["id"]})]
    actor = Actor(kind=ActorKind.SYSTEM)
    with container.session_factory() as session:
        result = imports.import_conversations(
            session, workspace_id=tenant.workspace_id, items=items, actor=actor
        )
        session.commit()
    assert result.created[0].customer_id == uuid.UUID(target.json()["id"])
    with container.session_factory() as session:
        stored = conversations.get_conversation(
            session, workspace_id=tenant.workspace_id, conversation_id=result.created[0].conversation_id
        )
    assert stored.channel == Channel.EMAIL and stored.customer_id == uuid.UUID(target.json()["id"])


def test_service_refuses_bad_history_before_writing(container: Container, tenant: Tenant) -> None:
    late = copy.deepcopy(history())
    late["messages"][0]["created_at"] = "2026-12-01T00:00:00+00:00"
    items = [ImportedConversationIn.model_validate(late)]
    with container.session_factory() as session, pytest.raises(ValidationFailed) as raised:
        imports.import_conversations(session, workspace_id=tenant.workspace_id, items=items, actor=Actor())
    assert raised.value.details[0]["loc"] == ["body", "conversations", 0, "messages", 0, "created_at"]


def test_simultaneous_imports_of_the_same_history_store_it_once(
    container: Container, tenant: Tenant, api: TestClient
) -> None:
    threads = 4
    barrier = threading.Barrier(threads)
    items = [ImportedConversationIn.model_validate(history(email="race@example.com"))]

    def run(_: int) -> tuple[int, int]:
        with container.session_factory() as session:
            barrier.wait(timeout=60)
            result = imports.import_conversations(
                session, workspace_id=tenant.workspace_id, items=items, actor=Actor()
            )
            session.commit()
            return result.imported, result.skipped

    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = sorted(pool.map(run, range(threads)))
    assert outcomes == [(0, 1)] * (threads - 1) + [(1, 0)]
    listed = api.get(f"{API}/conversations").json()["items"]
    assert len(listed) == 1
    customers = api.get(f"{API}/customers", params={"q": "race@example.com"}).json()["items"]
    assert [c["id"] for c in customers] == [listed[0]["customer_id"]]
