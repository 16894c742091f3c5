"""Assignment to agents and teams, tags, and their timeline entries."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from tests.conftest import Tenant
from tests.conversations.conftest import API, MakeMember, open_conversation, timeline


def test_assign_agent_and_team_then_unassign(
    api: TestClient, make_member: MakeMember, make_team: Callable[..., uuid.UUID]
) -> None:
    cid = open_conversation(api)["id"]
    agent, team = make_member(Role.AGENT), make_team("Tier 2")
    url = f"{API}/conversations/{cid}/assign"
    both = api.post(url, json={"assignee_id": str(agent.agent_id), "team_id": str(team)}).json()
    assert (both["assignee_id"], both["team_id"]) == (str(agent.agent_id), str(team))
    only_agent = api.post(url, json={"assignee_id": None}).json()
    assert (only_agent["assignee_id"], only_agent["team_id"]) == (None, str(team))
    assert api.post(url, json={}).status_code == 422
    entries = [(e["kind"], e["before"], e["after"]) for e in timeline(api, cid)[1:]]
    assert entries == [
        ("assignee_changed", {"assignee_id": None}, {"assignee_id": str(agent.agent_id)}),
        ("team_changed", {"team_id": None}, {"team_id": str(team)}),
        ("assignee_changed", {"assignee_id": str(agent.agent_id)}, {"assignee_id": None}),
    ]


def test_agents_and_teams_of_another_workspace_are_404(
    api: TestClient, other_tenant: Tenant, make_member: MakeMember, make_team: Callable[..., uuid.UUID]
) -> None:
    cid = open_conversation(api)["id"]
    url = f"{API}/conversations/{cid}/assign"
    stranger = make_member(Role.AGENT, workspace_id=other_tenant.workspace_id)
    foreign_team = make_team("Theirs", workspace_id=other_tenant.workspace_id)
    for body in ({"assignee_id": str(stranger.agent_id)}, {"team_id": str(foreign_team)},
                 {"assignee_id": str(uuid.uuid4())}):  # fmt: skip
        assert api.post(url, json=body).status_code == 404, body
    created = api.post(
        f"{API}/conversations",
        json={"customer": {"identities": [{"kind": "phone", "value": "+6591234567"}]},
              "assignee_id": str(stranger.agent_id)},
    )  # fmt: skip
    assert created.status_code == 404
    assert api.get(f"{API}/conversations/{cid}").json()["assignee_id"] is None


def test_tags_add_remove_and_bounds(api: TestClient) -> None:
    cid = open_conversation(api, tags=["refund"])["id"]
    url = f"{API}/conversations/{cid}/tags"
    tagged = api.post(url, json={"add": ["VIP", "退款", "refund"], "remove": []}).json()
    assert tagged["tags"] == ["refund", "vip", "退款"]
    assert api.post(url, json={"add": ["x"], "remove": ["x"]}).status_code == 422
    untagged = api.post(url, json={"remove": ["refund", "absent"]}).json()
    assert untagged["tags"] == ["vip", "退款"]
    too_many = api.post(url, json={"add": [f"t{n}" for n in range(29)]})
    assert too_many.status_code == 422
    changes = [
        (e["before"]["tags"], e["after"]["tags"]) for e in timeline(api, cid) if e["kind"] == "tags_changed"
    ]
    assert changes == [(["refund"], ["refund", "vip", "退款"]), (["refund", "vip", "退款"], ["vip", "退款"])]
