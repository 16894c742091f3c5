"""The accounts domain tells other domains about agents, teams and workspace settings."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kefu.core.events import EventEnvelope
from kefu.jobs.subscriptions import ANY_EVENT
from kefu.wiring import Container
from tests.conftest import Tenant


def test_changes_publish_events_after_commit(
    api: TestClient, tenant: Tenant, container: Container
) -> None:
    seen: list[EventEnvelope] = []

    def record(_session: Session, envelope: EventEnvelope) -> None:
        if envelope.event_type.split(".")[0] in {"agent", "team", "workspace"}:
            seen.append(envelope)

    container.subscriptions.subscribe(ANY_EVENT, record)

    agent = api.post("/api/v1/agents", json={"email": "dewi@acme.kefu.dev", "display_name": "Dewi",
                                              "languages": ["id"]}).json()
    assert api.post("/api/v1/agents", json={"email": "dewi@acme.kefu.dev",
                                             "display_name": "Twin"}).status_code == 409
    api.patch(f"/api/v1/agents/{agent['id']}", json={"level": "senior", "display_name": "Dewi"})
    api.patch(f"/api/v1/agents/{agent['id']}", json={"level": "senior"})
    team = api.post("/api/v1/teams", json={"name": "VIP", "kind": "tier"}).json()
    api.put(f"/api/v1/teams/{team['id']}/members/{agent['id']}")
    api.put(f"/api/v1/teams/{team['id']}/members/{agent['id']}")
    api.post(f"/api/v1/agents/{agent['id']}/deactivate")
    api.patch(f"/api/v1/agents/{agent['id']}", json={"is_active": True})
    api.delete(f"/api/v1/teams/{team['id']}/members/{agent['id']}")
    api.put(f"/api/v1/teams/{team['id']}/members/{agent['id']}")
    api.delete(f"/api/v1/teams/{team['id']}")
    api.patch("/api/v1/workspace", json={"timezone": "Asia/Bangkok"})

    assert [e.event_type for e in seen] == [
        "agent.created", "agent.updated", "team.created", "team.member_added",
        "agent.deactivated", "agent.reactivated", "team.member_removed", "team.member_added",
        "team.deleted", "workspace.updated",
    ]
    payloads = [e.event.model_dump(mode="json") for e in seen]
    assert all(p["workspace_id"] == str(tenant.workspace_id) for p in payloads)
    assert payloads[0]["agent_id"] == agent["id"] and payloads[0]["languages"] == ["id"]
    assert payloads[1]["changed"] == ["level"] and payloads[1]["level"] == "senior"
    assert payloads[3] == {"workspace_id": str(tenant.workspace_id), "team_id": team["id"],
                           "agent_id": agent["id"]}
    assert payloads[8]["agent_ids"] == [agent["id"]]
    assert payloads[9]["changed"] == ["timezone"] and payloads[9]["timezone"] == "Asia/Bangkok"
