"""Routing over HTTP: every strategy, capacity, FIFO, priority and VIP, overflow, re-route, presence."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from kefu.routing.tasks import sweep_job
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.events import capture_events
from tests.factories import make_agent

API = "/api/v1"


def _agent(
    api: TestClient,
    container: Container,
    tenant: Tenant,
    *,
    languages: dict[str, int] | None = None,
    capacity: dict[str, int] | None = None,
    online: bool = True,
    **skills: Any,
) -> uuid.UUID:
    member = make_agent(container, workspace_id=tenant.workspace_id)
    body: dict[str, Any] = {
        "languages": languages or {"en": 5},
        "capacity": capacity or {"chat": 5},
        **skills,
    }
    response = api.patch(f"{API}/routing/agents/{member.agent_id}", json=body)
    assert response.status_code == 200, response.text
    if online:
        _presence(api, member.agent_id, "online")
    return member.agent_id


def _presence(api: TestClient, agent_id: uuid.UUID, presence: str) -> dict[str, Any]:
    response = api.put(f"{API}/routing/agents/{agent_id}/presence", json={"presence": presence})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _queue(api: TestClient, agents: list[uuid.UUID], **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": f"Queue {uuid.uuid4().hex[:6]}", "agent_ids": [str(a) for a in agents]}
    body.update(fields)
    response = api.post(f"{API}/routing/queues", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _open(api: TestClient, *, language: str = "en", customer_id: str | None = None, **fields: Any) -> str:
    body: dict[str, Any] = {"channel": "chat", "language": language, "message": {"text": "Hello, my order?"}}
    if customer_id:
        body["customer_id"] = customer_id
    else:
        body["customer"] = {"identities": [{"kind": "email", "value": f"{uuid.uuid4().hex[:8]}@example.com"}]}
    body.update(fields)
    response = api.post(f"{API}/conversations", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _routing(api: TestClient, conversation_id: str) -> dict[str, Any]:
    response = api.get(f"{API}/conversations/{conversation_id}/routing")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _assignee(api: TestClient, conversation_id: str) -> str | None:
    assignee = _routing(api, conversation_id)["assignee_id"]
    conversation = api.get(f"{API}/conversations/{conversation_id}").json()
    assert conversation["assignee_id"] == assignee  # routing and the conversation agree
    return str(assignee) if assignee else None


def _resolve(api: TestClient, conversation_id: str) -> None:
    response = api.post(f"{API}/conversations/{conversation_id}/status", json={"status": "resolved"})
    assert response.status_code == 200, response.text


def _routed_entries(api: TestClient, conversation_id: str) -> list[dict[str, Any]]:
    response = api.get(f"{API}/conversations/{conversation_id}/timeline")
    assert response.status_code == 200, response.text
    return [e for e in response.json()["items"] if e["kind"] == "routed"]


def _customer(api: TestClient, **fields: Any) -> str:
    body = {"identities": [{"kind": "email", "value": f"{uuid.uuid4().hex[:8]}@example.com"}], **fields}
    response = api.post(f"{API}/customers", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_skills_best_match_picks_the_best_fit_and_the_timeline_says_why(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    basic = _agent(api, container, tenant, languages={"th": 2, "en": 5})
    native = _agent(api, container, tenant, languages={"th": 5})
    english_only = _agent(api, container, tenant, languages={"en": 5})
    _queue(api, [], name="English", position=1, rules=[{"name": "fallback"}])
    thai = _queue(
        api,
        [basic, native, english_only],
        name="Thai",
        position=0,
        strategy="skills_best_match",
        rules=[{"name": "thai speakers", "conditions": [{"field": "language", "op": "eq", "value": "th"}]}],
    )
    with capture_events(container) as events:
        conversation = _open(api, language="th")
    assert _assignee(api, conversation) == str(native)
    entry = _routing(api, conversation)
    assert (entry["queue_id"], entry["rule"], entry["state"]) == (thai["id"], "thai speakers", "assigned")
    queued, assigned = _routed_entries(api, conversation)
    assert queued["after"]["action"] == "queued" and queued["reason"] == "new"
    why = assigned["after"]
    assert why["action"] == "assigned" and why["strategy"] == "skills_best_match" and why["queue"] == "Thai"
    assert why["considered"] == 3 and why["ineligible"] == {"no_language": 1}
    assert why["runners_up"] == [{"agent_id": str(basic), "lost": "lower_skill_fit"}]
    assert [e.event_type for e in events if e.event_type.startswith("routing.")] == ["routing.queued"]
    assert any(e.event_type == "conversation.assigned" for e in events)


def test_capacity_and_strict_fifo_when_capacity_frees(
    api: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent = _agent(api, container, tenant, capacity={"chat": 1})
    _queue(api, [agent], strategy="least_loaded", rules=[{}])
    first = _open(api)
    clock.advance(seconds=5)
    second = _open(api)
    clock.advance(seconds=5)
    third = _open(api)
    assert _assignee(api, first) == str(agent)
    assert _assignee(api, second) is None and _assignee(api, third) is None
    profile = api.get(f"{API}/routing/agents/{agent}").json()
    assert profile["load"] == {"chat": 1}
    _resolve(api, first)
    assert _assignee(api, second) == str(agent) and _assignee(api, third) is None
    _resolve(api, second)
    assert _assignee(api, third) == str(agent)


def test_priority_then_vip_then_waiting_time(
    api: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent = _agent(api, container, tenant, capacity={"chat": 1}, online=False, vip=True)
    _queue(api, [agent], vip_min_level="junior", rules=[{}])
    normal = _open(api)
    clock.advance(seconds=1)
    vip = _open(api, customer_id=_customer(api, vip_tier="gold"))
    clock.advance(seconds=1)
    urgent = _open(api, priority="urgent")
    clock.advance(seconds=1)
    later_normal = _open(api)
    _presence(api, agent, "online")
    served = [urgent, vip, normal, later_normal]
    for index, current in enumerate(served):
        assert _assignee(api, current) == str(agent)
        assert all(_assignee(api, c) is None for c in served[index + 1 :])
        _resolve(api, current)


def test_vip_needs_the_vip_skill_and_the_queue_s_vip_level(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    junior_vip = _agent(api, container, tenant, vip=True)
    plain = _agent(api, container, tenant)
    _queue(api, [junior_vip, plain], rules=[{}])  # vip_min_level: senior by default
    conversation = _open(api, customer_id=_customer(api, vip_tier="platinum"))
    assert _assignee(api, conversation) is None
    why = _routed_entries(api, conversation)[-1]["after"]
    assert why["action"] == "queued"
    promoted = api.patch(f"{API}/agents/{junior_vip}", json={"level": "senior"})
    assert promoted.status_code == 200, promoted.text
    api.patch(f"{API}/routing/agents/{junior_vip}", json={"capacity": {"chat": 6}})
    assert _assignee(api, conversation) == str(junior_vip)


def test_round_robin_takes_turns_and_least_loaded_balances(
    api: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agents = sorted([_agent(api, container, tenant) for _ in range(3)])
    _queue(
        api,
        agents,
        strategy="round_robin",
        rules=[{"conditions": [{"field": "tag", "op": "eq", "value": "rr"}]}],
    )
    turns = [_assignee(api, _open(api, tags=["rr"])) for _ in range(4)]
    assert turns == [str(agents[0]), str(agents[1]), str(agents[2]), str(agents[0])]
    busy, idle = _agent(api, container, tenant), _agent(api, container, tenant)
    _queue(
        api,
        [busy],
        strategy="least_loaded",
        position=5,
        rules=[{"conditions": [{"field": "tag", "op": "eq", "value": "a"}]}],
    )
    for _ in range(2):
        clock.advance(seconds=1)
        assert _assignee(api, _open(api, tags=["a"])) == str(busy)
    balanced = _queue(
        api,
        [busy, idle],
        strategy="least_loaded",
        position=6,
        rules=[{"conditions": [{"field": "tag", "op": "eq", "value": "b"}]}],
    )
    assert balanced["agent_ids"] == sorted([str(busy), str(idle)])
    picks = []
    for _ in range(3):
        clock.advance(seconds=1)
        picks.append(_assignee(api, _open(api, tags=["b"])))
    assert picks == [str(idle), str(idle), str(busy)]  # 0/5 < 2/5, 1/5 < 2/5, then 2/5 vs 2/5: longer idle


def test_manual_queue_waits_for_agents_to_pull(api: TestClient, container: Container, tenant: Tenant) -> None:
    member = make_agent(container, workspace_id=tenant.workspace_id)
    api.patch(f"{API}/routing/agents/{member.agent_id}", json={"languages": {"en": 4}})
    queue = _queue(api, [member.agent_id], strategy="manual", rules=[{}])
    first, second = _open(api), _open(api)
    assert _assignee(api, first) is None and _assignee(api, second) is None
    assert api.get(f"{API}/routing/queues/{queue['id']}").json()["waiting"] == 2
    pulled = api.post(f"{API}/routing/queues/{queue['id']}/pull", headers=member.headers)
    assert pulled.status_code == 200, pulled.text
    assert pulled.json()["conversation_id"] == first and pulled.json()["accepted_at"] is not None
    assert api.post(f"{API}/routing/pull", headers=member.headers).json()["conversation_id"] == second
    empty = api.post(f"{API}/routing/pull", headers=member.headers)
    assert empty.status_code == 409 and empty.json()["error"]["code"] == "nothing_waiting"


def test_overflow_to_another_queue_after_the_wait(
    api: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    offline = _agent(api, container, tenant, online=False)
    spare = _agent(api, container, tenant)
    backup = _queue(api, [spare], name="Backup", position=9)
    main = _queue(
        api,
        [offline],
        name="Main",
        rules=[{}],
        overflow_queue_id=backup["id"],
        overflow_after_seconds=60,
    )
    conversation = _open(api)
    clock.advance(seconds=59)
    sweep_job(container.session_factory)()
    assert _routing(api, conversation)["queue_id"] == main["id"]
    clock.advance(seconds=2)
    with capture_events(container) as events:
        assert sweep_job(container.session_factory)() == 1
    entry = _routing(api, conversation)
    assert (entry["queue_id"], entry["overflows"], _assignee(api, conversation)) == (
        backup["id"],
        1,
        str(spare),
    )
    queued = [e for e in events if e.event_type == "routing.queued"]
    assert len(queued) == 1 and queued[0].payload["reason"] == "overflow"
    assert queued[0].payload["previous_queue_id"] == main["id"]


def test_reroute_when_the_assignee_goes_away_or_does_not_accept(
    api: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    first, second = sorted(_agent(api, container, tenant) for _ in range(2))
    third = _agent(api, container, tenant, online=False)
    _queue(api, [first, second, third], strategy="round_robin", accept_timeout_seconds=30, rules=[{}])
    conversation = _open(api)
    assert _assignee(api, conversation) == str(first)
    _presence(api, first, "away")
    assert _assignee(api, conversation) == str(second)
    assert _routed_entries(api, conversation)[-2]["reason"] == "reroute"
    _presence(api, third, "online")
    clock.advance(seconds=31)
    sweep_job(container.session_factory)()
    assert _assignee(api, conversation) == str(third)
    accepted = api.post(f"{API}/conversations/{conversation}/accept", headers={})
    assert accepted.status_code == 409  # the caller (admin) is not the one offered it
    clock.advance(seconds=31)
    sweep_job(container.session_factory)()
    entry = _routing(api, conversation)
    assert entry["reroutes"] == 3 and entry["state"] == "waiting"  # everyone is now excluded or away


def test_auto_away_when_the_session_goes_quiet_and_back_on_heartbeat(
    api: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    member = make_agent(container, workspace_id=tenant.workspace_id)
    api.patch(f"{API}/routing/agents/{member.agent_id}", json={"languages": {"en": 3}})
    assert api.get(f"{API}/routing/settings").json() == {"auto_away_seconds": None}  # off by default
    assert api.put(f"{API}/routing/settings", json={"auto_away_seconds": 60}).status_code == 200
    _queue(api, [member.agent_id], rules=[{}])
    online = api.put(f"{API}/routing/me/presence", json={"presence": "online"}, headers=member.headers)
    assert online.status_code == 200 and online.json()["presence"] == "online"
    clock.advance(seconds=30)
    assert api.post(f"{API}/routing/me/heartbeat", headers=member.headers).status_code == 204
    clock.advance(seconds=45)
    sweep_job(container.session_factory)()
    assert api.get(f"{API}/routing/me", headers=member.headers).json()["presence"] == "online"
    clock.advance(seconds=16)
    with capture_events(container) as events:
        sweep_job(container.session_factory)()
    profile = api.get(f"{API}/routing/me", headers=member.headers).json()
    assert (profile["presence"], profile["auto_away"]) == ("away", True)
    changed = [e.payload for e in events if e.event_type == "routing.presence_changed"]
    assert changed == [{**changed[0], "from_presence": "online", "to_presence": "away", "automatic": True}]
    conversation = _open(api)
    assert _assignee(api, conversation) is None
    api.post(f"{API}/routing/me/heartbeat", headers=member.headers)
    assert _assignee(api, conversation) == str(member.agent_id)


def test_transfers_need_a_reason_are_counted_and_feed_the_accuracy_report(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    first = make_agent(container, workspace_id=tenant.workspace_id)
    second = _agent(api, container, tenant, online=False)
    api.patch(f"{API}/routing/agents/{first.agent_id}", json={"languages": {"en": 5}})
    _presence(api, first.agent_id, "online")
    queue = _queue(api, [first.agent_id, second], strategy="least_loaded", rules=[{}])
    kept, moved = _open(api), _open(api)
    assert _assignee(api, kept) == _assignee(api, moved) == str(first.agent_id)
    _presence(api, second, "online")
    missing = api.post(f"{API}/conversations/{moved}/transfer", json={"agent_id": str(second)})
    assert missing.status_code == 422
    both = api.post(
        f"{API}/conversations/{moved}/transfer",
        json={"agent_id": str(second), "queue_id": queue["id"], "reason": "x"},
    )
    assert both.status_code == 422
    stranger = make_agent(container, workspace_id=tenant.workspace_id)
    refused = api.post(
        f"{API}/conversations/{moved}/transfer",
        json={"agent_id": str(second), "reason": "x"},
        headers=stranger.headers,
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_your_conversation"
    with capture_events(container) as events:
        done = api.post(
            f"{API}/conversations/{moved}/transfer",
            json={"agent_id": str(second), "reason": "needs billing expertise"},
            headers=first.headers,
        )
    assert done.status_code == 200, done.text
    assert done.json()["transfers"] == 1 and _assignee(api, moved) == str(second)
    transferred = [e.payload for e in events if e.event_type == "routing.transferred"]
    assert transferred[0]["reason"] == "needs billing expertise"
    assert transferred[0]["from_agent_id"] == str(first.agent_id)
    assert _routed_entries(api, moved)[-1]["after"]["note"] == "needs billing expertise"
    _resolve(api, kept)
    _resolve(api, moved)
    report = api.get(f"{API}/routing/report")
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["resolved"], body["resolved_by_first_assignee"], body["accuracy"]) == (2, 1, 0.5)
    assert body["rows"] == [
        {
            "queue_id": queue["id"],
            "queue_name": queue["name"],
            "strategy": "least_loaded",
            "resolved": 2,
            "resolved_by_first_assignee": 1,
            "accuracy": 0.5,
            "transfers": 1,
            "reroutes": 0,
            "overflows": 0,
        }
    ]


def test_transfer_to_a_queue_waits_there(api: TestClient, container: Container, tenant: Tenant) -> None:
    agent = _agent(api, container, tenant)
    _queue(api, [agent], rules=[{"conditions": [{"field": "channel", "op": "eq", "value": "chat"}]}])
    experts = _queue(api, [], name="Experts", position=3)
    conversation = _open(api)
    moved = api.post(
        f"{API}/conversations/{conversation}/transfer", json={"queue_id": experts["id"], "reason": "tier 2"}
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["queue_id"], moved.json()["state"], moved.json()["transfers"]) == (
        experts["id"],
        "waiting",
        1,
    )
    assert _assignee(api, conversation) is None


def test_rules_on_customer_and_message_attributes(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    agent = _agent(
        api, container, tenant, languages={"en": 5, "id": 5}, product_lines=["loans"], complaints=True
    )
    loans = _queue(
        api,
        [agent],
        name="ID loans complaints",
        rules=[
            {
                "name": "complaint about loans",
                "conditions": [
                    {"field": "market", "op": "eq", "value": "ID"},
                    {"field": "product_line", "op": "eq", "value": "loans"},
                    {"field": "segment", "op": "in", "value": ["premium"]},
                ],
            },
        ],
    )
    customer = _customer(api, market="ID", tags=["premium"])
    hit = _open(api, customer_id=customer, custom_fields={"product_line": "loans"})
    assert _routing(api, hit)["queue_id"] == loans["id"] and _assignee(api, hit) == str(agent)
    miss = _open(api, customer_id=customer, custom_fields={"product_line": "cards"})
    unrouted = api.get(f"{API}/conversations/{miss}/routing")
    assert unrouted.status_code == 404 and unrouted.json()["error"]["code"] == "not_routed"
    assert _routed_entries(api, miss)[0]["reason"] == "no_queue_matched"


def test_role_checks_validation_and_tenancy(
    api: TestClient, container: Container, tenant: Tenant, other_tenant: Tenant, client: TestClient
) -> None:
    agent = make_agent(container, workspace_id=tenant.workspace_id)
    inspector = make_agent(container, workspace_id=tenant.workspace_id, role=Role.QA_INSPECTOR)
    body = {"name": "Q", "rules": [{}]}
    assert client.post(f"{API}/routing/queues", json=body, headers=agent.headers).status_code == 403
    assert (
        client.put(
            f"{API}/routing/me/presence", json={"presence": "online"}, headers=inspector.headers
        ).status_code
        == 403
    )
    for bad in (
        {"name": "Q", "rules": [{"conditions": [{"field": "mood", "op": "eq", "value": "x"}]}]},
        {"name": "Q", "rules": [{"conditions": [{"field": "anger", "op": "gte", "value": "high"}]}]},
        {"name": "Q", "rules": [{"conditions": [{"field": "language", "op": "in", "value": "th"}]}]},
        {"name": "Q", "overflow_after_seconds": 30},
        {"name": "Q", "strategy": "random"},
    ):
        response = api.post(f"{API}/routing/queues", json=bad)
        assert response.status_code == 422, bad
    assert (
        api.patch(f"{API}/routing/agents/{agent.agent_id}", json={"languages": {"th": 9}}).status_code == 422
    )
    queue = _queue(api, [], rules=[{}])
    loop = api.patch(
        f"{API}/routing/queues/{queue['id']}",
        json={"overflow_queue_id": queue["id"], "overflow_after_seconds": 5},
    )
    assert loop.status_code == 422
    foreign = client.get(f"{API}/routing/queues/{queue['id']}", headers=other_tenant.headers)
    assert foreign.status_code == 404
    foreign_agent = client.get(f"{API}/routing/agents/{agent.agent_id}", headers=other_tenant.headers)
    assert foreign_agent.status_code == 404
    conversation = _open(api)
    assert (
        client.get(f"{API}/conversations/{conversation}/routing", headers=inspector.headers).status_code
        == 200
    )
    assert api.delete(f"{API}/routing/queues/{queue['id']}").status_code == 409
    assert api.get(f"{API}/routing/queues").json()[0]["waiting"] == 1
