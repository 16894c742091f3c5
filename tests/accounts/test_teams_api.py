"""Teams: tiers, the QA team and departments, their members, and who may change them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.wiring import Container
from tests.accounts.conftest import MakeMember
from tests.conftest import Tenant

TEAMS = "/api/v1/teams"


def test_team_lifecycle_and_membership(
    api: TestClient, tenant: Tenant, make_member: MakeMember, container: Container
) -> None:
    tier1 = api.post(TEAMS, json={"name": "Tier 1 一线", "kind": "tier"}).json()
    tier2 = api.post(TEAMS, json={"name": "Tier 2 experts", "kind": "tier",
                                  "description": "Complex cases\nand VIP complaints"}).json()
    logistics = api.post(TEAMS, json={"name": "Logistics", "kind": "department"}).json()
    assert tier2["description"] == "Complex cases\nand VIP complaints"
    ana, budi = make_member(Role.AGENT), make_member(Role.AGENT)
    for team, agent in ((tier1, ana), (tier1, budi), (tier2, budi), (logistics, budi)):
        assert api.put(f"{TEAMS}/{team['id']}/members/{agent.agent_id}").status_code == 204
    assert api.put(f"{TEAMS}/{tier1['id']}/members/{ana.agent_id}").status_code == 204

    members = api.get(f"{TEAMS}/{tier1['id']}/agents").json()["items"]
    assert [m["id"] for m in members] == [str(budi.agent_id), str(ana.agent_id)]
    budi_teams = api.get(f"/api/v1/agents/{budi.agent_id}/teams").json()["items"]
    assert {t["name"] for t in budi_teams} == {"Tier 1 一线", "Tier 2 experts", "Logistics"}
    departments = api.get(TEAMS, params={"kind": "department"}).json()["items"]
    assert [t["id"] for t in departments] == [logistics["id"]]

    with container.session_factory() as session:
        ids = accounts.list_team_ids_of_agent(
            session, workspace_id=tenant.workspace_id, agent_id=budi.agent_id
        )
        assert sorted(map(str, ids)) == sorted([tier1["id"], tier2["id"], logistics["id"]])
        team = accounts.get_team(session, workspace_id=tenant.workspace_id, team_id=ids[0])
        assert team.name in {"Tier 1 一线", "Tier 2 experts", "Logistics"}

    assert api.delete(f"{TEAMS}/{tier1['id']}/members/{budi.agent_id}").status_code == 204
    assert api.delete(f"{TEAMS}/{tier1['id']}/members/{budi.agent_id}").status_code == 204
    members = api.get(f"{TEAMS}/{tier1['id']}/agents").json()["items"]
    assert [m["id"] for m in members] == [str(ana.agent_id)]

    renamed = api.patch(f"{TEAMS}/{tier2['id']}", json={"name": "Tier 2", "kind": "tier"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Tier 2"
    assert api.get(f"{TEAMS}/{tier2['id']}").json()["name"] == "Tier 2"
    assert api.delete(f"{TEAMS}/{tier2['id']}").status_code == 204
    assert api.get(f"{TEAMS}/{tier2['id']}").status_code == 404
    assert {t["name"] for t in api.get(f"/api/v1/agents/{budi.agent_id}/teams").json()["items"]} == {
        "Logistics"
    }


def test_team_names_are_unique_and_validated(api: TestClient) -> None:
    assert api.post(TEAMS, json={"name": "QA", "kind": "qa"}).status_code == 201
    duplicate = api.post(TEAMS, json={"name": "QA", "kind": "qa"})
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "team_name_taken"
    other = api.post(TEAMS, json={"name": "Finance", "kind": "department"}).json()
    assert api.patch(f"{TEAMS}/{other['id']}", json={"name": "QA"}).status_code == 409
    cases = [
        ({"name": ""}, ["body", "name"]),
        ({"name": "x" * 121}, ["body", "name"]),
        ({"name": "Tech", "kind": "squad"}, ["body", "kind"]),
        ({"name": "Tech", "description": "d" * 501}, ["body", "description"]),
        ({"name": "Tech", "description": "nul\x00"}, ["body", "description"]),
    ]
    for body, loc in cases:
        response = api.post(TEAMS, json=body)
        assert response.status_code == 422, body
        assert [d["loc"] for d in response.json()["error"]["details"]] == [loc], body


def test_who_may_change_teams(client: TestClient, tenant: Tenant, make_member: MakeMember) -> None:
    supervisor, agent, qa = make_member(Role.SUPERVISOR), make_member(Role.AGENT), make_member(
        Role.QA_INSPECTOR
    )
    team = client.post(TEAMS, json={"name": "Tech"}, headers=tenant.headers).json()
    members = f"{TEAMS}/{team['id']}/members/{agent.agent_id}"
    assert client.put(members, headers=supervisor.headers).status_code == 204
    assert client.delete(members, headers=supervisor.headers).status_code == 204
    for member in (agent, qa):
        assert client.put(members, headers=member.headers).status_code == 403
        assert client.get(f"{TEAMS}/{team['id']}/agents", headers=member.headers).status_code == 200
    for member in (supervisor, agent, qa):
        assert client.post(TEAMS, json={"name": "Mine"}, headers=member.headers).status_code == 403
        assert client.patch(f"{TEAMS}/{team['id']}", json={"name": "Y"},
                            headers=member.headers).status_code == 403
        assert client.delete(f"{TEAMS}/{team['id']}", headers=member.headers).status_code == 403


def test_other_workspaces_teams_and_agents_are_404(
    api: TestClient, other_tenant: Tenant, make_member: MakeMember
) -> None:
    mine = api.post(TEAMS, json={"name": "Tier 1"}).json()
    theirs = api.post(TEAMS, json={"name": "Tier 1"}, headers=other_tenant.headers).json()
    foreign_agent = make_member(Role.AGENT, workspace_id=other_tenant.workspace_id)
    local_agent = make_member(Role.AGENT)
    url = f"{TEAMS}/{theirs['id']}"
    calls = [
        api.get(url), api.patch(url, json={"name": "Mine now"}), api.delete(url),
        api.get(f"{url}/agents"), api.put(f"{url}/members/{local_agent.agent_id}"),
        api.put(f"{TEAMS}/{mine['id']}/members/{foreign_agent.agent_id}"),
        api.get("/api/v1/agents", params={"team_id": theirs["id"]}),
    ]
    for response in calls:
        assert response.status_code == 404
    assert [t["id"] for t in api.get(TEAMS).json()["items"]] == [mine["id"]]
    assert api.get(url, headers=other_tenant.headers).json()["name"] == "Tier 1"
