"""Recently seen API tokens: a cached principal never outlives a change made in the database."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.models import ApiToken
from kefu.accounts.principals import PrincipalCache
from kefu.accounts.schemas import AgentUpdate, Principal
from kefu.accounts.tokens import digest
from kefu.core.clock import FrozenClock, as_utc
from kefu.wiring import Container
from tests.accounts.conftest import MakeMember, Member
from tests.conftest import Tenant

ME = "/api/v1/me"
WORKSPACE = "/api/v1/workspace"  # PATCH: admins only, writes the workspace row
EVENT_TYPES = "/api/v1/webhooks/event-types"  # admins only; the endpoint never touches the database
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the `clock` fixture's moment


def _admin(tenant: Tenant) -> Principal:
    return Principal(workspace_id=tenant.workspace_id, agent_id=tenant.admin_id, role=Role.ADMIN, via="token")


def _principal(role: Role = Role.AGENT) -> Principal:
    return Principal(workspace_id=uuid.uuid4(), agent_id=uuid.uuid4(), role=role, via="token")


def _change_role_in_db(container: Container, tenant: Tenant, agent_id: uuid.UUID, role: Role) -> None:
    """Another process changes a role: straight through the service layer, not this app."""
    with container.session_factory() as session:
        accounts.update_agent(session, workspace_id=tenant.workspace_id, agent_id=agent_id,
                              data=AgentUpdate(role=role), actor=_admin(tenant))
        session.commit()


def _workspace_name(container: Container, tenant: Tenant) -> str:
    with container.session_factory() as session:
        return accounts.get_workspace(session, workspace_id=tenant.workspace_id).name


# ------------------------------------------------------------------ through the application


def test_token_revoked_in_the_database_is_refused_on_the_next_request(
    client: TestClient, container: Container, tenant: Tenant, make_member: MakeMember
) -> None:
    member = make_member(Role.AGENT)
    assert client.get(ME, headers=member.headers).status_code == 200  # now cached
    with container.session_factory() as session:
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.token_hash == digest(member.token)))
        assert token_id is not None
        accounts.revoke_api_token(session, workspace_id=tenant.workspace_id, token_id=token_id,
                                  actor=_admin(tenant))
        session.commit()
    refused = client.get(ME, headers=member.headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
    assert client.get(ME, headers=member.headers).status_code == 401


def test_agent_deactivated_in_the_database_is_refused_on_the_next_request(
    client: TestClient, container: Container, tenant: Tenant, make_member: MakeMember
) -> None:
    member = make_member(Role.ADMIN)
    assert client.get(ME, headers=member.headers).status_code == 200
    _deactivate_directly(container, tenant, member.agent_id)
    before = _workspace_name(container, tenant)
    assert client.patch(WORKSPACE, json={"name": "Taken Over"}, headers=member.headers).status_code == 401
    assert _workspace_name(container, tenant) == before
    assert client.get(ME, headers=member.headers).status_code == 401


def test_revoked_token_is_refused_by_an_endpoint_that_never_reads_the_database(
    client: TestClient, container: Container, tenant: Tenant, make_member: MakeMember
) -> None:
    member = make_member(Role.ADMIN)
    assert client.get(EVENT_TYPES, headers=member.headers).status_code == 200
    _deactivate_directly(container, tenant, member.agent_id)
    refused = client.get(EVENT_TYPES, headers=member.headers)
    assert refused.status_code == 401
    assert "event_types" not in refused.text


def test_admin_demoted_in_the_database_is_refused_once_then_treated_as_agent(
    client: TestClient, container: Container, tenant: Tenant, make_member: MakeMember
) -> None:
    """The first request after the change is 401 (the cached claim fails its confirmation); then 403."""
    member = make_member(Role.ADMIN)
    assert client.get(ME, headers=member.headers).json()["role"] == "admin"
    _change_role_in_db(container, tenant, member.agent_id, Role.AGENT)
    before = _workspace_name(container, tenant)
    first = client.patch(WORKSPACE, json={"name": "Renamed By Ex-Admin"}, headers=member.headers)
    assert first.status_code == 401
    assert _workspace_name(container, tenant) == before
    assert client.patch(WORKSPACE, json={"name": "Again"}, headers=member.headers).status_code == 403
    assert client.get(ME, headers=member.headers).json()["role"] == "agent"
    assert _workspace_name(container, tenant) == before


def test_admin_demoted_in_the_database_cannot_use_an_admin_endpoint_without_database_access(
    client: TestClient, container: Container, tenant: Tenant, make_member: MakeMember
) -> None:
    member = make_member(Role.ADMIN)
    assert client.get(EVENT_TYPES, headers=member.headers).status_code == 200
    _change_role_in_db(container, tenant, member.agent_id, Role.AGENT)
    assert client.get(EVENT_TYPES, headers=member.headers).status_code == 401
    assert client.get(EVENT_TYPES, headers=member.headers).status_code == 403


def test_agent_promoted_in_the_database_may_act_as_admin_at_once(
    client: TestClient, container: Container, tenant: Tenant, make_member: MakeMember
) -> None:
    """Role changes apply at once (principals.py): a cached 'agent' claim must not refuse an admin."""
    member = make_member(Role.AGENT)
    assert client.get(ME, headers=member.headers).json()["role"] == "agent"
    _change_role_in_db(container, tenant, member.agent_id, Role.ADMIN)
    answers = [client.patch(WORKSPACE, json={"name": f"Promoted {i}"}, headers=member.headers).status_code
               for i in range(2)]
    assert answers == [200, 200]  # the refused cached role is looked up afresh: no request is refused
    assert client.get(ME, headers=member.headers).json()["role"] == "admin"


def test_role_changed_through_the_api_is_seen_without_a_refused_request(
    api: TestClient, make_member: MakeMember
) -> None:
    member = make_member(Role.AGENT)
    other = make_member(Role.ADMIN)
    assert api.get(ME, headers=member.headers).json()["role"] == "agent"
    assert api.get(ME, headers=other.headers).json()["role"] == "admin"
    changed = api.patch(f"/api/v1/agents/{member.agent_id}", json={"role": "supervisor"})
    assert changed.status_code == 200
    me = api.get(ME, headers=member.headers)
    assert me.status_code == 200 and me.json()["role"] == "supervisor"
    assert api.patch(f"/api/v1/agents/{other.agent_id}", json={"role": "qa_inspector"}).status_code == 200
    assert api.patch(WORKSPACE, json={"name": "Still Admin"}, headers=other.headers).status_code == 403
    assert api.get(ME, headers=other.headers).json()["role"] == "qa_inspector"
    assert api.get(ME).status_code == 200  # the acting admin's own token kept working


def test_role_change_through_the_api_is_not_undone_by_a_request_racing_its_commit(
    api: TestClient, container: Container, make_member: MakeMember
) -> None:
    """The agent's request between the cache clear and the commit must not re-cache the old role."""
    if container.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: the write gate keeps any lookup out until the change is committed")
    member = make_member(Role.AGENT)
    assert api.get(ME).status_code == 200  # the admin's token is cached: its PATCH commits once
    armed, raced = [True], []

    def race(_session: Session) -> None:
        if armed:
            armed.pop()
            raced.append(api.get(ME, headers=member.headers).json()["role"])

    event.listen(Session, "before_commit", race)
    try:
        assert api.patch(f"/api/v1/agents/{member.agent_id}", json={"role": "supervisor"}).status_code == 200
    finally:
        event.remove(Session, "before_commit", race)
    assert raced == ["agent"]  # the racing request saw the committed state of its time
    me = api.get(ME, headers=member.headers)
    assert (me.status_code, me.json().get("role")) == (200, "supervisor")


def test_the_caller_demoting_themselves_through_the_api_is_not_refused(
    client: TestClient, make_member: MakeMember
) -> None:
    member = make_member(Role.ADMIN)
    changed = client.patch(f"/api/v1/agents/{member.agent_id}", json={"role": "agent"},
                           headers=member.headers)
    assert changed.status_code == 200
    me = client.get(ME, headers=member.headers)
    assert me.status_code == 200 and me.json()["role"] == "agent"


# ------------------------------------------------------------------ last_used_at


@pytest.fixture
def token_updates(container: Container) -> Iterator[list[str]]:
    """The UPDATE statements sent to api_tokens while the test runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            seen.append(statement)

    event.listen(container.engine, "before_cursor_execute", record)
    yield seen
    event.remove(container.engine, "before_cursor_execute", record)


def _last_used(container: Container, member: Member) -> datetime | None:
    with container.session_factory() as session:
        moment = session.scalar(
            select(ApiToken.last_used_at).where(ApiToken.token_hash == digest(member.token))
        )
    return None if moment is None else as_utc(moment)


def test_last_used_at_is_written_at_most_once_a_minute(
    client: TestClient, new_client: Callable[[], TestClient], container: Container,
    make_member: MakeMember, clock: FrozenClock, token_updates: list[str],
) -> None:
    member = make_member(Role.AGENT)
    assert _last_used(container, member) is None
    assert client.get(ME, headers=member.headers).status_code == 200  # first use: looked up
    first = _last_used(container, member)
    assert first == START
    assert len(token_updates) == 1
    for seconds in (1, 30, 28):  # 59 s after the first use: cached requests write nothing
        clock.advance(seconds=seconds)
        assert client.get(ME, headers=member.headers).status_code == 200
    assert _last_used(container, member) == first
    assert len(token_updates) == 1
    clock.advance(seconds=1)  # a minute: the cached request touches it in its own transaction
    assert client.get(ME, headers=member.headers).status_code == 200
    touched = _last_used(container, member)
    assert touched == START + timedelta(minutes=1)
    assert len(token_updates) == 2
    clock.advance(seconds=30)
    fresh = new_client()  # another process: nothing cached, the token is looked up
    assert fresh.get(ME, headers=member.headers).status_code == 200
    assert client.get(ME, headers=member.headers).status_code == 200
    assert _last_used(container, member) == touched
    assert len(token_updates) == 2


# ------------------------------------------------------------------ PrincipalCache


class Ticks:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_cache_forgets_entries_older_than_its_age_limit() -> None:
    ticks = Ticks()
    cache = PrincipalCache(ttl_seconds=60, now=ticks)
    alice, bob = _principal(), _principal(Role.ADMIN)
    cache.put("a", alice)
    ticks.now += 30
    cache.put("b", bob)
    ticks.now += 30
    assert cache.get("a") == alice  # exactly at the limit: still valid
    ticks.now += 0.5
    assert cache.get("a") is None
    assert cache.get("b") == bob
    ticks.now += 30
    assert cache.get("b") is None
    cache.put("a", alice)  # put again: age starts anew
    ticks.now += 59
    assert cache.get("a") == alice


def test_cache_bound_forgets_the_oldest_entry() -> None:
    cache = PrincipalCache(max_entries=3, now=Ticks())
    principals = {key: _principal() for key in "abcd"}
    for key in "abc":
        cache.put(key, principals[key])
    cache.put("a", principals["a"])  # put again: now the newest
    cache.put("d", principals["d"])
    assert cache.get("b") is None
    assert [cache.get(key) for key in "acd"] == [principals[key] for key in "acd"]
    cache.put("e", _principal())
    assert cache.get("c") is None
    assert sum(cache.get(key) is not None for key in "abcde") == 3


def test_cache_forget_drops_one_entry_and_clear_all() -> None:
    cache = PrincipalCache(now=Ticks())
    alice, bob = _principal(), _principal()
    cache.put("a", alice)
    cache.put("b", bob)
    cache.forget("a")
    cache.forget("unknown")
    assert (cache.get("a"), cache.get("b")) == (None, bob)
    cache.clear()
    assert cache.get("b") is None
    cache.put("a", alice)
    assert cache.get("a") == alice


def _deactivate_directly(container: Container, tenant: Tenant, agent_id: uuid.UUID) -> None:
    """Deactivate an agent through the service layer, as another process would."""
    with container.session_factory() as session:
        accounts.deactivate_agent(session, workspace_id=tenant.workspace_id, agent_id=agent_id,
                                  actor=_admin(tenant))
        session.commit()
