"""Agents: listing, creation, updates by role, deactivation, passwords, workspace isolation."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from tests.accounts.conftest import PASSWORD, MakeMember, admin_email, log_in
from tests.conftest import Tenant

AGENTS = "/api/v1/agents"


def test_admin_creates_an_agent_who_can_log_in(api: TestClient, browser: TestClient) -> None:
    response = api.post(AGENTS, json={
        "email": "Siti@Acme.kefu.dev", "display_name": " Siti ", "password": "kata sandi rahasia",
        "role": "agent", "level": "senior", "languages": ["ID", "ms", "id", "en"],
    })
    assert response.status_code == 201
    agent = response.json()
    assert (agent["email"], agent["display_name"], agent["level"]) == (
        "siti@acme.kefu.dev", "Siti", "senior"
    )
    assert agent["languages"] == ["id", "ms", "en"]
    assert "password" not in response.text and "password_hash" not in response.text
    duplicate = api.post(AGENTS, json={"email": "SITI@acme.kefu.dev", "display_name": "Again"})
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "email_taken"
    log_in(browser, "siti@acme.kefu.dev", "kata sandi rahasia")
    assert browser.get("/api/v1/me").json()["id"] == agent["id"]


def test_agent_input_is_validated_with_field_paths(api: TestClient) -> None:
    cases = [
        ({"email": "nope", "display_name": "A"}, ["body", "email"]),
        ({"email": "a@acme.kefu.dev", "display_name": ""}, ["body", "display_name"]),
        ({"email": "a@acme.kefu.dev", "display_name": "A", "password": "short"}, ["body", "password"]),
        ({"email": "a@acme.kefu.dev", "display_name": "A", "role": "owner"}, ["body", "role"]),
        ({"email": "a@acme.kefu.dev", "display_name": "A", "level": "expert"}, ["body", "level"]),
        ({"email": "a@acme.kefu.dev", "display_name": "A", "languages": ["klingon"]},
         ["body", "languages"]),
        ({"email": "a@acme.kefu.dev", "display_name": "A", "languages": ["en"] * 13},
         ["body", "languages"]),
        ({"email": "a@acme.kefu.dev", "display_name": "A", "is_admin": True}, ["body", "is_admin"]),
    ]
    for body, loc in cases:
        response = api.post(AGENTS, json=body)
        assert response.status_code == 422, body
        assert [d["loc"] for d in response.json()["error"]["details"]] == [loc], body
    assert api.get(AGENTS).json()["items"][0]["email"] == admin_email()


def test_only_admins_create_agents(client: TestClient, make_member: MakeMember) -> None:
    for role in (Role.SUPERVISOR, Role.AGENT, Role.QA_INSPECTOR):
        member = make_member(role)
        response = client.post(AGENTS, json={"email": "x@acme.kefu.dev", "display_name": "X"},
                               headers=member.headers)
        assert response.status_code == 403


def test_list_is_paginated_newest_first_and_filtered(
    api: TestClient, tenant: Tenant, make_member: MakeMember
) -> None:
    members = [make_member(Role.AGENT, name=f"Agent {i}") for i in range(4)]
    qa = make_member(Role.QA_INSPECTOR, name="Quality Wang")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get(AGENTS, params=params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    expected = [str(m.agent_id) for m in [qa, *reversed(members)]] + [str(tenant.admin_id)]
    assert seen == expected
    assert [a["id"] for a in api.get(AGENTS, params={"role": "qa_inspector"}).json()["items"]] == [
        str(qa.agent_id)
    ]
    assert [a["id"] for a in api.get(AGENTS, params={"q": "wang"}).json()["items"]] == [
        str(qa.agent_id)
    ]
    assert api.get(AGENTS, params={"q": "%"}).json()["items"] == []
    assert api.post(f"{AGENTS}/{members[0].agent_id}/deactivate").status_code == 200
    inactive = api.get(AGENTS, params={"active": "false"}).json()["items"]
    assert [a["id"] for a in inactive] == [str(members[0].agent_id)]
    assert len(api.get(AGENTS, params={"active": "true"}).json()["items"]) == 5
    for bad in ({"limit": 0}, {"limit": 201}, {"role": "boss"}, {"cursor": "!!!"},
                {"cursor": "WyJ4Il0"}, {"team_id": "nope"}, {"q": "x\x00"}):
        assert api.get(AGENTS, params=bad).status_code == 422, bad


def test_supervisor_changes_level_but_not_roles_or_admins(
    client: TestClient, tenant: Tenant, make_member: MakeMember
) -> None:
    supervisor, agent = make_member(Role.SUPERVISOR), make_member(Role.AGENT)
    url = f"{AGENTS}/{agent.agent_id}"
    ok = client.patch(url, json={"level": "intermediate", "languages": ["th"], "display_name": "Somchai"},
                      headers=supervisor.headers)
    assert ok.status_code == 200
    assert (ok.json()["level"], ok.json()["languages"], ok.json()["display_name"]) == (
        "intermediate", ["th"], "Somchai"
    )
    for body in ({"role": "supervisor"}, {"is_active": False}):
        response = client.patch(url, json=body, headers=supervisor.headers)
        assert response.status_code == 403, body
    for target in (tenant.admin_id, supervisor.agent_id):
        response = client.patch(f"{AGENTS}/{target}", json={"level": "senior"}, headers=supervisor.headers)
        assert response.status_code == 403
    assert client.patch(url, json={"level": "senior"}, headers=agent.headers).status_code == 403
    promoted = client.patch(url, json={"role": "supervisor"}, headers=tenant.headers)
    assert promoted.json()["role"] == "supervisor"
    assert client.patch(url, json={"role": None}, headers=tenant.headers).status_code == 422


def test_agents_edit_their_own_profile_only(client: TestClient, make_member: MakeMember) -> None:
    agent = make_member(Role.AGENT)
    response = client.patch("/api/v1/me", json={"display_name": "Linh", "languages": ["vi", "en"]},
                            headers=agent.headers)
    assert (response.json()["display_name"], response.json()["languages"]) == ("Linh", ["vi", "en"])
    for body in ({"role": "admin"}, {"level": "senior"}, {"is_active": False}):
        assert client.patch("/api/v1/me", json=body, headers=agent.headers).status_code == 422


def test_deactivation_ends_sessions_and_tokens(
    api: TestClient, new_client: Callable[[], TestClient], make_member: MakeMember
) -> None:
    agent = make_member(Role.AGENT)
    browser = new_client()
    log_in(browser, agent.email)
    assert browser.get("/api/v1/me").status_code == 200
    response = api.post(f"{AGENTS}/{agent.agent_id}/deactivate")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert browser.get("/api/v1/me").status_code == 401
    assert api.get("/api/v1/me", headers=agent.headers).status_code == 401
    relogin = browser.post("/api/v1/auth/login", json={"email": agent.email, "password": PASSWORD})
    assert relogin.status_code == 401
    tokens = api.get("/api/v1/tokens", params={"agent_id": str(agent.agent_id)}).json()["items"]
    assert tokens and all(t["revoked_at"] for t in tokens)

    assert api.patch(f"{AGENTS}/{agent.agent_id}", json={"is_active": True}).status_code == 200
    assert browser.get("/api/v1/me").status_code == 401
    assert api.get("/api/v1/me", headers=agent.headers).status_code == 401
    fresh = new_client()
    log_in(fresh, agent.email)
    assert fresh.get("/api/v1/me").status_code == 200


def test_workspace_keeps_an_active_admin(api: TestClient, tenant: Tenant, make_member: MakeMember) -> None:
    me = f"{AGENTS}/{tenant.admin_id}"
    for call in (lambda: api.post(f"{me}/deactivate"), lambda: api.patch(me, json={"role": "agent"})):
        response = call()
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "last_admin"
    second = make_member(Role.ADMIN)
    assert api.patch(me, json={"role": "supervisor"}).status_code == 200
    assert api.get("/api/v1/me").json()["role"] == "supervisor"
    assert api.get("/api/v1/me", headers=second.headers).json()["role"] == "admin"


def test_change_own_password_needs_the_current_one(
    client: TestClient, new_client: Callable[[], TestClient], make_member: MakeMember
) -> None:
    agent = make_member(Role.AGENT)
    laptop, phone = new_client(), new_client()
    csrf = log_in(laptop, agent.email)
    log_in(phone, agent.email)
    wrong = laptop.post("/api/v1/me/password", headers=csrf,
                        json={"current_password": "not it", "new_password": "a new long password"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["code"] == "wrong_password"
    assert wrong.json()["error"]["details"][0]["loc"] == ["body", "current_password"]
    changed = laptop.post("/api/v1/me/password", headers=csrf,
                          json={"current_password": PASSWORD, "new_password": "a new long password"})
    assert changed.status_code == 204
    assert laptop.get("/api/v1/me").status_code == 200
    assert phone.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=agent.headers).status_code == 200
    rejected = client.post("/api/v1/auth/login", json={"email": agent.email, "password": PASSWORD})
    assert rejected.status_code == 401
    log_in(client, agent.email, "a new long password")


def test_admin_resets_a_password(api: TestClient, browser: TestClient, make_member: MakeMember) -> None:
    agent = make_member(Role.AGENT)
    log_in(browser, agent.email)
    url = f"{AGENTS}/{agent.agent_id}/password"
    assert api.put(url, json={"new_password": "short"}).status_code == 422
    assert api.put(url, json={"new_password": "reset by admin"}).status_code == 204
    assert browser.get("/api/v1/me").status_code == 401
    log_in(browser, agent.email, "reset by admin")
    assert api.put(url, json={"new_password": "x" * 10}, headers=agent.headers).status_code == 403


def test_other_workspaces_agents_are_404(
    api: TestClient, other_tenant: Tenant, make_member: MakeMember
) -> None:
    foreign = make_member(Role.AGENT, workspace_id=other_tenant.workspace_id)
    url = f"{AGENTS}/{foreign.agent_id}"
    calls = [
        api.get(url), api.patch(url, json={"level": "senior"}), api.post(f"{url}/deactivate"),
        api.put(f"{url}/password", json={"new_password": "hijacked!!"}), api.get(f"{url}/teams"),
    ]
    for response in calls:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert str(foreign.agent_id) not in api.get(AGENTS).text
    assert api.get("/api/v1/me", headers=foreign.headers).status_code == 200
    assert api.get(f"{AGENTS}/not-a-uuid").status_code == 422
