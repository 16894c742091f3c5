"""A web application's principal cache starts afresh once a role change it made commits (wiring.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.principals import PrincipalCache
from kefu.accounts.schemas import AgentUpdate, Principal
from kefu.wiring import Container
from tests.accounts.conftest import MakeMember
from tests.conftest import Tenant


def _cache(api: TestClient) -> PrincipalCache:
    cache: PrincipalCache = api.app.state.principals  # type: ignore[attr-defined]
    return cache


def test_a_committed_role_change_clears_the_cache_of_the_application_that_made_it(
    api: TestClient, make_member: MakeMember
) -> None:
    member = make_member(Role.AGENT)
    generation = _cache(api).generation
    assert api.patch(f"/api/v1/agents/{member.agent_id}", json={"display_name": "Renamed"}).status_code == 200
    assert _cache(api).generation == generation  # no role changed: the cache stays
    assert api.patch(f"/api/v1/agents/{member.agent_id}", json={"role": "agent"}).status_code == 200
    assert _cache(api).generation == generation  # the same role: nothing changed
    assert api.patch(f"/api/v1/agents/{member.agent_id}", json={"role": "supervisor"}).status_code == 200
    assert _cache(api).generation == generation + 1


def test_a_refused_role_change_leaves_the_cache(api: TestClient, tenant: Tenant) -> None:
    generation = _cache(api).generation
    demoted = api.patch(f"/api/v1/agents/{tenant.admin_id}", json={"role": "agent"})  # the last admin
    assert demoted.status_code >= 400
    assert _cache(api).generation == generation


def test_a_change_made_outside_the_application_leaves_its_cache(
    api: TestClient, container: Container, tenant: Tenant, make_member: MakeMember
) -> None:
    """Another process (here: the container's own sessions) changes a role; this cache confirms claims."""
    member = make_member(Role.AGENT)
    generation = _cache(api).generation
    admin = Principal(
        workspace_id=tenant.workspace_id, agent_id=tenant.admin_id, role=Role.ADMIN, via="token"
    )
    with container.session_factory() as session:
        accounts.update_agent(session, workspace_id=tenant.workspace_id, agent_id=member.agent_id,
                              data=AgentUpdate(role=Role.SUPERVISOR), actor=admin)
        session.commit()
    assert _cache(api).generation == generation
