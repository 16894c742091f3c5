"""Department hand-offs: the department's SLA on its calendar, the customer SLA paused, answer, overdue."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role, TeamKind
from kefu.accounts.schemas import TeamIn
from kefu.automation.tasks import handoffs_overdue_job
from kefu.core.clock import FrozenClock
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.events import capture_events
from tests.factories import Member, make_agent, make_conversation, make_team

API = "/api/v1"
WORKDAY = [["09:00", "12:00"], ["13:00", "18:00"]]


def _department(container: Container, tenant: Tenant, name: str, member: Member | None = None) -> uuid.UUID:
    with container.session_factory() as session:
        team = accounts.create_team(
            session, workspace_id=tenant.workspace_id, data=TeamIn(name=name, kind=TeamKind.DEPARTMENT)
        )
        if member is not None:
            accounts.add_team_member(
                session, workspace_id=tenant.workspace_id, team_id=team.id, agent_id=member.agent_id
            )
        session.commit()
        return team.id


def _setup(api: TestClient) -> str:
    calendar = api.post(
        f"{API}/sla/calendars",
        json={
            "name": "Bangkok office",
            "timezone": "Asia/Bangkok",
            "market": "TH",
            "hours": {d: WORKDAY for d in ("mon", "tue", "wed", "thu", "fri")},
        },
    )
    assert calendar.status_code == 201, calendar.text
    policy = api.post(
        f"{API}/sla/policies",
        json={
            "name": "All",
            "pause_statuses": ["pending"],
            "targets": [{"metric": "resolution", "seconds": 86400, "business_hours": False}],
        },
    )
    assert policy.status_code == 201, policy.text
    return str(calendar.json()["id"])


def _resolution(api: TestClient, conversation_id: str) -> dict[str, Any]:
    targets = api.get(f"{API}/conversations/{conversation_id}/sla").json()["targets"]
    return dict(next(t for t in targets if t["metric"] == "resolution"))


def test_hand_off_pauses_the_customer_sla_and_the_answer_returns_to_the_owner(
    api: TestClient, client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    calendar_id = _setup(api)
    engineer = make_agent(container, workspace_id=tenant.workspace_id, role=Role.AGENT)
    owner = make_agent(container, workspace_id=tenant.workspace_id, role=Role.AGENT)
    outsider = make_agent(container, workspace_id=tenant.workspace_id, role=Role.AGENT)
    tech = _department(container, tenant, "Tech", engineer)
    tier = make_team(container, workspace_id=tenant.workspace_id, name="Tier 1")
    sla = api.put(
        f"{API}/automation/departments/{tech}/sla",
        json={"response_seconds": 7200, "calendar_id": calendar_id, "pause_customer_sla": True},
    )
    assert sla.status_code == 200, sla.text
    assert (
        api.put(f"{API}/automation/departments/{tier}/sla", json={"response_seconds": 7200}).status_code
        == 409
    )
    conversation = make_conversation(api)
    assert _resolution(api, conversation["id"])["state"] == "active"
    body = {
        "conversation_id": conversation["id"],
        "team_id": str(tech),
        "scope": "task",
        "title": "App crashes on checkout",
        "details": "Android 14, version 3.2",
    }
    wrong = client.post(
        f"{API}/automation/handoffs", headers=owner.headers, json={**body, "team_id": str(tier)}
    )
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "not_a_department"
    with capture_events(container, 1, of_type="handoff.created"):
        made = client.post(f"{API}/automation/handoffs", headers=owner.headers, json=body)
    assert made.status_code == 201, made.text
    handoff = made.json()
    # Monday 16:00 in Bangkok: two working hours end at 18:00 the same day.
    assert handoff["due_at"] == "2026-03-02T11:00:00Z" and handoff["paused_customer_sla"] is True
    assert api.get(f"{API}/conversations/{conversation['id']}").json()["status"] == "pending"
    assert _resolution(api, conversation["id"])["state"] == "paused"
    inbox = client.get(f"{API}/automation/notifications", headers=engineer.headers).json()["items"]
    assert [(n["kind"], n["text"]) for n in inbox] == [("handoff", "New hand-off: App crashes on checkout")]
    refused = client.post(
        f"{API}/automation/handoffs/{handoff['id']}/answer",
        headers=outsider.headers,
        json={"text": "no idea"},
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_in_department"
    clock.advance(minutes=90)
    with capture_events(container, 1, of_type="handoff.answered") as answered:
        reply = client.post(
            f"{API}/automation/handoffs/{handoff['id']}/answer",
            headers=engineer.headers,
            json={"text": "Fixed in 3.2.1, ask the customer to update."},
        )
    assert reply.status_code == 200, reply.text
    assert answered[0].payload["on_time"] is True
    assert reply.json()["status"] == "answered" and reply.json()["answered_by"] == str(engineer.agent_id)
    again = client.post(
        f"{API}/automation/handoffs/{handoff['id']}/answer", headers=engineer.headers, json={"text": "again"}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "handoff_closed"
    assert api.get(f"{API}/conversations/{conversation['id']}").json()["status"] == "open"
    target = _resolution(api, conversation["id"])
    assert target["state"] == "active" and target["paused_seconds"] == 5400
    notes = [
        m["text"]
        for m in api.get(f"{API}/conversations/{conversation['id']}/messages").json()["items"]
        if m["direction"] == "note"
    ]
    assert notes == [
        "Tech answered \u201cApp crashes on checkout\u201d: Fixed in 3.2.1, ask the customer to update."
    ]
    mine = client.get(f"{API}/automation/notifications", headers=owner.headers).json()["items"]
    assert [n["kind"] for n in mine] == ["handoff_answered"]
    timeline = api.get(f"{API}/conversations/{conversation['id']}/timeline", params={"limit": 200}).json()[
        "items"
    ]
    assert [e["reason"] for e in timeline if e["kind"] == "handoff"] == ["handed_off", "handoff_answered"]
    listed = api.get(f"{API}/automation/handoffs", params={"conversation_id": conversation["id"]}).json()
    assert [h["id"] for h in listed] == [handoff["id"]]


def test_overdue_hand_offs_escalate_once(
    api: TestClient, client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    supervisor = make_agent(container, workspace_id=tenant.workspace_id, role=Role.SUPERVISOR)
    logistics = _department(container, tenant, "Logistics")
    conversation = make_conversation(api)
    api.post(f"{API}/conversations/{conversation['id']}/status", json={"status": "pending"})
    made = api.post(
        f"{API}/automation/handoffs",
        json={
            "conversation_id": conversation["id"],
            "team_id": str(logistics),
            "title": "Where is parcel TH123?",
        },
    )
    assert made.status_code == 201, made.text
    handoff = made.json()
    assert handoff["due_at"] == "2026-03-02T13:00:00Z"  # no SLA set: 4 hours, wall clock
    assert handoff["paused_customer_sla"] is False  # already pending: nothing to pause
    sweep = handoffs_overdue_job(container.session_factory)
    clock.advance(hours=3, minutes=59)
    assert sweep() == 0
    clock.advance(minutes=1)
    with capture_events(container, 1, of_type="handoff.overdue"):
        assert sweep() == 1
    assert sweep() == 0
    current = api.get(f"{API}/automation/handoffs/{handoff['id']}").json()
    assert current["escalated_at"] == "2026-03-02T13:00:00Z" and current["status"] == "open"
    told = client.get(f"{API}/automation/notifications", headers=supervisor.headers).json()["items"]
    assert [n["kind"] for n in told] == ["handoff_overdue"]
    cancelled = api.post(f"{API}/automation/handoffs/{handoff['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.get(f"{API}/conversations/{conversation['id']}").json()["status"] == "pending"
    assert api.post(f"{API}/automation/handoffs/{handoff['id']}/cancel").status_code == 409
    assert api.get(f"{API}/automation/handoffs/{uuid.uuid4()}").status_code == 404
